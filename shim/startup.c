/*
 * What libc sets up in its own constructor, for code that runs before it:
 * an executable's .preinit_array runs before every library constructor, and
 * if it prints to stderr the shim sets itself up right there. At that point
 * `environ` is still NULL and program_invocation_short_name is "", so both
 * are read from /proc/self instead (the same initial environment and argv).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

/* Looks `name` up in /proc/self/environ, copying its value into `value`
 * (`capacity` bytes). Returns `value`, or NULL when absent or too long. */
static const char *proc_environ_lookup(const char *name, char *value, size_t capacity)
{
    int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t name_len = strlen(name);
    /* One entry at a time: `entry` collects bytes up to the next NUL. */
    char entry[4096];
    size_t entry_len = 0;
    bool too_long = false;
    const char *found = NULL;
    char chunk[4096];
    ssize_t got;
    while (found == NULL && (got = read(fd, chunk, sizeof(chunk))) > 0) {
        for (ssize_t i = 0; i < got && found == NULL; i++) {
            if (chunk[i] != '\0') {
                if (entry_len < sizeof(entry) - 1)
                    entry[entry_len++] = chunk[i];
                else
                    too_long = true;
                continue;
            }
            entry[entry_len] = '\0';
            if (!too_long && entry_len > name_len && memcmp(entry, name, name_len) == 0 &&
                entry[name_len] == '=' && entry_len - name_len - 1 < capacity) {
                memcpy(value, entry + name_len + 1, entry_len - name_len);
                found = value;
            }
            entry_len = 0;
            too_long = false;
        }
    }
    close(fd);
    return found;
}

const char *shim_getenv(const char *name)
{
    if (environ != NULL)
        return getenv(name);
    /* Only the shim's own few variables are asked for, once each. */
    static char values[4][4096];
    static unsigned used;
    if (used >= sizeof(values) / sizeof(values[0]))
        return NULL;
    const char *value = proc_environ_lookup(name, values[used], sizeof(values[used]));
    if (value != NULL)
        used++;
    return value;
}

const char *shim_program_name_now(void)
{
    if (program_invocation_short_name != NULL && program_invocation_short_name[0] != '\0')
        return program_invocation_short_name;
    static char name[256];
    static int state; /* 0: not read yet, 1: read (maybe empty) */
    if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 1)
        return name;
    int saved_errno = errno;
    char argv0[sizeof(name)];
    ssize_t got = -1;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        got = read(fd, argv0, sizeof(argv0) - 1);
        close(fd);
    }
    errno = saved_errno;
    if (got <= 0)
        return "";
    argv0[got] = '\0';
    const char *slash = strrchr(argv0, '/');
    const char *base = slash != NULL ? slash + 1 : argv0;
    /* Racing threads write the same bytes. */
    memcpy(name, base, strlen(base) + 1);
    __atomic_store_n(&state, 1, __ATOMIC_RELEASE);
    return name;
}

/*
 * The process's names, copied once at set-up (and so again after exec, in
 * the new image's set-up). Programs rewrite their argv memory for process
 * titles (nginx "worker process", PostgreSQL, perl's $0), and
 * program_invocation_short_name points into it: read later, it is garbage.
 */
char shim_program_name_copy[256];
size_t shim_program_name_length;
char shim_exe_name_copy[256];
size_t shim_exe_name_length;
bool shim_identity_ready;

/* The file name of the executable: /proc/self/exe names the file that was
 * run after symlinks (a venv's `python` -> python3.11). */
static void read_exe_name(void)
{
    char path[4096];
    ssize_t got = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (got <= 0)
        return;
    path[got] = '\0';
    static const char deleted[] = " (deleted)";
    size_t len = (size_t)got;
    if (len > sizeof(deleted) - 1 && strcmp(path + len - (sizeof(deleted) - 1), deleted) == 0)
        path[len -= sizeof(deleted) - 1] = '\0';
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    size_t base_len = strlen(base);
    if (base_len == 0 || base_len >= sizeof(shim_exe_name_copy))
        return;
    memcpy(shim_exe_name_copy, base, base_len + 1);
    shim_exe_name_length = base_len;
}

void shim_identity_setup(void)
{
    int saved_errno = errno;
    const char *name = shim_program_name_now();
    size_t len = strnlen(name, sizeof(shim_program_name_copy) - 1);
    memcpy(shim_program_name_copy, name, len);
    shim_program_name_copy[len] = '\0';
    shim_program_name_length = len;
    read_exe_name();
    __atomic_store_n(&shim_identity_ready, true, __ATOMIC_RELEASE);
    errno = saved_errno;
}

const char *shim_program_name(void)
{
    if (__atomic_load_n(&shim_identity_ready, __ATOMIC_ACQUIRE))
        return shim_program_name_copy;
    return shim_program_name_now();
}
