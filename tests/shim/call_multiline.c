/* Two lines in one write, then one line in three writes: three events. */
#include <string.h>
#include <unistd.h>

static int put(const char *text)
{
    return write(STDERR_FILENO, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : 1;
}

int main(void)
{
    return put("first of two\nsecond of two\n") | put("assembled ") | put("from ") |
           put("three writes\n");
}
