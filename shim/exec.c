/*
 * The exec family and posix_spawn. Before this process image is replaced,
 * the calling thread's unfinished stderr line is emitted (other threads'
 * lines die with them), when exec will find a program to run. With
 * inherit: false the new program gets an environment without our LD_PRELOAD
 * entry (exec_env.h), built on this stack frame.
 *
 * exec may run in a vfork child, which shares the parent's memory: nothing
 * is flushed there (the line is the parent's), nothing allocated, nothing
 * initialised. The execl forms build argv on the stack as glibc does and go
 * to execve/execvpe; with nothing to edit the others go to the same real
 * function. system() and popen() spawn through glibc internals that no
 * interposer sees: their children keep LD_PRELOAD.
 */
#undef _FORTIFY_SOURCE /* fortified headers would define inline wrappers of what we define */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_env.h"
#include "real.h"
#include "shim.h"

/*
 * The unfinished line is emitted before exec only when exec will find a
 * program to run: a failed exec leaves the process going on with its line,
 * which must stay one event. What only the kernel can tell (a bad format,
 * too long arguments, no memory) still cuts such a line in two.
 */
static bool runnable_at(int dirfd, const char *path, int flags)
{
    struct stat st;
    int empty = flags & AT_EMPTY_PATH;
    return path != NULL && fstatat(dirfd, path, &st, empty) == 0 && S_ISREG(st.st_mode) &&
           faccessat(dirfd, path, X_OK, AT_EACCESS | empty) == 0;
}

/* execvp's search: FILE itself when it names a directory, else each PATH
 * entry (glibc's default when PATH is unset; an empty entry is "."). */
static bool runnable_on_path(const char *file)
{
    if (file == NULL || file[0] == '\0')
        return false;
    if (strchr(file, '/') != NULL)
        return runnable_at(AT_FDCWD, file, 0);
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/bin:/usr/bin";
    size_t file_len = strlen(file);
    char candidate[PATH_MAX];
    for (const char *entry = path;; entry++) {
        const char *end = strchrnul(entry, ':');
        size_t dir_len = (size_t)(end - entry);
        if (dir_len == 0) {
            if (runnable_at(AT_FDCWD, file, 0))
                return true;
        } else if (dir_len + 1 + file_len < sizeof(candidate)) {
            memcpy(candidate, entry, dir_len);
            candidate[dir_len] = '/';
            memcpy(candidate + dir_len + 1, file, file_len + 1);
            if (runnable_at(AT_FDCWD, candidate, 0))
                return true;
        }
        if (*end == '\0')
            return false;
        entry = end;
    }
}

/* Only while there is a line to keep whole is the file system asked;
 * `runnable` is evaluated only then. */
#define FLUSH_BEFORE_EXEC(runnable)                                                            \
    do {                                                                                       \
        if (__atomic_load_n(&shim_state, __ATOMIC_ACQUIRE) == SHIM_READY &&                    \
            shim_thread_line_waiting()) {                                                      \
            int saved_errno_ = errno;                                                          \
            if (runnable)                                                                      \
                shim_flush_calling_thread();                                                   \
            errno = saved_errno_;                                                              \
        }                                                                                      \
    } while (0)

static int missing(void)
{
    errno = ENOSYS;
    return -1;
}

static int execve_common(const char *path, char *const argv[], char *const envp[])
{
    shim_real_execve_fn *real = SHIM_REAL(execve);
    if (real == NULL)
        return missing();
    int caller_errno = errno;
    SHIM_EXEC_ENV(edited, envp);
    errno = caller_errno;
    return real(path, argv, edited);
}

static int execvpe_common(const char *file, char *const argv[], char *const envp[])
{
    shim_real_execvpe_fn *real = SHIM_REAL(execvpe);
    if (real == NULL)
        return missing();
    int caller_errno = errno;
    SHIM_EXEC_ENV(edited, envp);
    errno = caller_errno;
    return real(file, argv, edited);
}

SHIM_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    FLUSH_BEFORE_EXEC(runnable_at(AT_FDCWD, path, 0));
    return execve_common(path, argv, envp);
}

SHIM_EXPORT int execv(const char *path, char *const argv[])
{
    FLUSH_BEFORE_EXEC(runnable_at(AT_FDCWD, path, 0));
    if (shim_exec_strip_preload)
        return execve_common(path, argv, environ);
    shim_real_execv_fn *real = SHIM_REAL(execv);
    return real != NULL ? real(path, argv) : missing();
}

SHIM_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    FLUSH_BEFORE_EXEC(runnable_on_path(file));
    return execvpe_common(file, argv, envp);
}

SHIM_EXPORT int execvp(const char *file, char *const argv[])
{
    FLUSH_BEFORE_EXEC(runnable_on_path(file));
    if (shim_exec_strip_preload)
        return execvpe_common(file, argv, environ);
    shim_real_execvp_fn *real = SHIM_REAL(execvp);
    return real != NULL ? real(file, argv) : missing();
}

SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    FLUSH_BEFORE_EXEC(runnable_at(fd, "", AT_EMPTY_PATH));
    shim_real_fexecve_fn *real = SHIM_REAL(fexecve);
    if (real == NULL)
        return missing();
    int caller_errno = errno;
    SHIM_EXEC_ENV(edited, envp);
    errno = caller_errno;
    return real(fd, argv, edited);
}

SHIM_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
                         int flags)
{
    FLUSH_BEFORE_EXEC(runnable_at(dirfd, path, flags));
    shim_real_execveat_fn *real = SHIM_REAL(execveat);
    if (real == NULL)
        return missing();
    int caller_errno = errno;
    SHIM_EXEC_ENV(edited, envp);
    errno = caller_errno;
    return real(dirfd, path, argv, edited, flags);
}

/* Arguments after the first up to the terminating NULL, not counting it.
 * The first is never NULL (glibc declares it nonnull and reads on, too). */
static size_t count_arguments(va_list args)
{
    va_list scan;
    va_copy(scan, args);
    size_t count = 0;
    while (va_arg(scan, char *) != NULL)
        count++;
    va_end(scan);
    return count;
}

/* Fills argv[0..count+1] from `first` and `args`, consuming the NULL. */
#define COLLECT_ARGV(argv, first, args, count)                                                 \
    do {                                                                                       \
        (argv)[0] = (char *)(first);                                                           \
        for (size_t i_ = 1; i_ <= (count) + 1; i_++)                                           \
            (argv)[i_] = va_arg(args, char *);                                                 \
    } while (0)

SHIM_EXPORT int execl(const char *path, const char *first, ...)
{
    va_list args;
    va_start(args, first);
    size_t count = count_arguments(args);
    char *argv[count + 2];
    COLLECT_ARGV(argv, first, args, count);
    va_end(args);
    FLUSH_BEFORE_EXEC(runnable_at(AT_FDCWD, path, 0));
    return execve_common(path, argv, environ);
}

SHIM_EXPORT int execlp(const char *file, const char *first, ...)
{
    va_list args;
    va_start(args, first);
    size_t count = count_arguments(args);
    char *argv[count + 2];
    COLLECT_ARGV(argv, first, args, count);
    va_end(args);
    FLUSH_BEFORE_EXEC(runnable_on_path(file));
    return execvpe_common(file, argv, environ);
}

SHIM_EXPORT int execle(const char *path, const char *first, ...)
{
    va_list args;
    va_start(args, first);
    size_t count = count_arguments(args);
    char *argv[count + 2];
    COLLECT_ARGV(argv, first, args, count);
    char *const *envp = va_arg(args, char *const *);
    va_end(args);
    FLUSH_BEFORE_EXEC(runnable_at(AT_FDCWD, path, 0));
    return execve_common(path, argv, envp);
}

SHIM_EXPORT int posix_spawn(pid_t *pid, const char *path,
                            const posix_spawn_file_actions_t *file_actions,
                            const posix_spawnattr_t *attributes, char *const argv[],
                            char *const envp[])
{
    shim_real_posix_spawn_fn *real = SHIM_REAL(posix_spawn);
    if (real == NULL)
        return ENOSYS;
    int caller_errno = errno;
    SHIM_EXEC_ENV(edited, envp);
    errno = caller_errno;
    return real(pid, path, file_actions, attributes, argv, edited);
}

SHIM_EXPORT int posix_spawnp(pid_t *pid, const char *file,
                             const posix_spawn_file_actions_t *file_actions,
                             const posix_spawnattr_t *attributes, char *const argv[],
                             char *const envp[])
{
    shim_real_posix_spawnp_fn *real = SHIM_REAL(posix_spawnp);
    if (real == NULL)
        return ENOSYS;
    int caller_errno = errno;
    SHIM_EXEC_ENV(edited, envp);
    errno = caller_errno;
    return real(pid, file, file_actions, attributes, argv, edited);
}
