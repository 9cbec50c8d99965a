/* Descriptor 0 made free and given back; see stdin_slot.h. */
#include "stdin_slot.h"

#include <fcntl.h>
#include <unistd.h>

int stdin_slot_vacate(void)
{
    int saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
    close(0);
    return saved;
}

void stdin_slot_restore(int saved)
{
    if (saved >= 0) {
        dup2(saved, 0);
        close(saved);
    }
}
