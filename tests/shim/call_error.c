/* error() with ENOENT and status 0 (returns). It prints
 * program_invocation_name, which is argv[0] as given: the test runs this
 * with argv[0] "call_error". */
#include <errno.h>
#include <error.h>

int main(void)
{
    error(0, ENOENT, "error works %d", 42);
    return 0;
}
