/* error_at_line: "PROGRAM:FILE:LINE: message: strerror". */
#include <errno.h>
#include <error.h>

int main(void)
{
    error_at_line(0, EINVAL, "input.conf", 12, "error_at_line works %d", 42);
    return 0;
}
