/*
 * The real libc functions behind the interposers, resolved once from one
 * table with dlsym(RTLD_NEXT) (the LTTng-UST ustfork.c scheme): eagerly in
 * the constructor, lazily by whichever interposer runs first, and published
 * with release stores so any thread may use a pointer it sees.
 */
#ifndef SHIM_REAL_H
#define SHIM_REAL_H

#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <wchar.h>

/* X(name, return type, parameter list) for every function the shim calls
 * through to. Variadic entry points forward to their v-variant, so only the
 * v-variants are here. */
#define SHIM_REAL_FUNCTIONS(X)                                                                 \
    X(write, ssize_t, (int, const void *, size_t))                                             \
    X(connect, int, (int, const struct sockaddr *, socklen_t))                                 \
    X(send, ssize_t, (int, const void *, size_t, int))                                         \
    X(sendto, ssize_t, (int, const void *, size_t, int, const struct sockaddr *, socklen_t))   \
    X(sendmsg, ssize_t, (int, const struct msghdr *, int))                                     \
    X(writev, ssize_t, (int, const struct iovec *, int))                                       \
    X(fwrite, size_t, (const void *, size_t, size_t, FILE *))                                  \
    X(fwrite_unlocked, size_t, (const void *, size_t, size_t, FILE *))                         \
    X(fputs, int, (const char *, FILE *))                                                      \
    X(fputs_unlocked, int, (const char *, FILE *))                                             \
    X(fputc, int, (int, FILE *))                                                               \
    X(fputc_unlocked, int, (int, FILE *))                                                      \
    X(putc, int, (int, FILE *))                                                                \
    X(putc_unlocked, int, (int, FILE *))                                                       \
    X(_IO_putc, int, (int, FILE *))                                                            \
    X(__overflow, int, (FILE *, int))                                                          \
    X(vfprintf, int, (FILE *, const char *, va_list))                                          \
    X(vprintf, int, (const char *, va_list))                                                   \
    X(__vprintf_chk, int, (int, const char *, va_list))                                        \
    X(puts, int, (const char *))                                                               \
    X(putchar, int, (int))                                                                     \
    X(putchar_unlocked, int, (int))                                                            \
    X(__vfprintf_chk, int, (FILE *, int, const char *, va_list))                               \
    X(vdprintf, int, (int, const char *, va_list))                                             \
    X(__vdprintf_chk, int, (int, int, const char *, va_list))                                  \
    X(fputwc, wint_t, (wchar_t, FILE *))                                                       \
    X(fputwc_unlocked, wint_t, (wchar_t, FILE *))                                              \
    X(putwc, wint_t, (wchar_t, FILE *))                                                        \
    X(putwc_unlocked, wint_t, (wchar_t, FILE *))                                               \
    X(fputws, int, (const wchar_t *, FILE *))                                                  \
    X(fputws_unlocked, int, (const wchar_t *, FILE *))                                         \
    X(fwide, int, (FILE *, int))                                                               \
    X(fflush, int, (FILE *))                                                                   \
    X(fflush_unlocked, int, (FILE *))                                                          \
    X(fclose, int, (FILE *))                                                                   \
    X(vfwprintf, int, (FILE *, const wchar_t *, va_list))                                      \
    X(__vfwprintf_chk, int, (FILE *, int, const wchar_t *, va_list))                           \
    X(perror, void, (const char *))                                                            \
    X(psiginfo, void, (const siginfo_t *, const char *))                                       \
    X(psignal, void, (int, const char *))                                                      \
    X(vwarn, void, (const char *, va_list))                                                    \
    X(vwarnx, void, (const char *, va_list))                                                   \
    X(error, void, (int, int, const char *, ...))                                              \
    X(error_at_line, void, (int, int, const char *, unsigned int, const char *, ...))          \
    X(vsyslog, void, (int, const char *, va_list))                                             \
    X(__vsyslog_chk, void, (int, int, const char *, va_list))                                  \
    X(openlog, void, (const char *, int, int))                                                 \
    X(closelog, void, (void))                                                                  \
    X(setlogmask, int, (int))                                                                  \
    X(dup, int, (int))                                                                         \
    X(dup2, int, (int, int))                                                                   \
    X(dup3, int, (int, int, int))                                                              \
    X(fcntl, int, (int, int, ...))                                                             \
    X(fcntl64, int, (int, int, ...))                                                           \
    X(close, int, (int))                                                                       \
    X(close_range, int, (unsigned int, unsigned int, int))                                     \
    X(closefrom, void, (int))                                                                  \
    X(open, int, (const char *, int, ...))                                                     \
    X(open64, int, (const char *, int, ...))                                                   \
    X(openat, int, (int, const char *, int, ...))                                              \
    X(openat64, int, (int, const char *, int, ...))                                            \
    X(__open_2, int, (const char *, int))                                                      \
    X(__open64_2, int, (const char *, int))                                                    \
    X(__openat_2, int, (int, const char *, int))                                               \
    X(__openat64_2, int, (int, const char *, int))                                             \
    X(fopen, FILE *, (const char *, const char *))                                             \
    X(fopen64, FILE *, (const char *, const char *))                                           \
    X(freopen, FILE *, (const char *, const char *, FILE *))                                   \
    X(freopen64, FILE *, (const char *, const char *, FILE *))                                 \
    X(execve, int, (const char *, char *const[], char *const[]))                               \
    X(execv, int, (const char *, char *const[]))                                               \
    X(execvp, int, (const char *, char *const[]))                                              \
    X(execvpe, int, (const char *, char *const[], char *const[]))                              \
    X(fexecve, int, (int, char *const[], char *const[]))                                       \
    X(execveat, int, (int, const char *, char *const[], char *const[], int))                   \
    X(posix_spawn, int,                                                                        \
      (pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,   \
       char *const[], char *const[]))                                                          \
    X(posix_spawnp, int,                                                                       \
      (pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,   \
       char *const[], char *const[]))                                                          \
    X(_exit, void, (int))                                                                      \
    X(_Exit, void, (int))                                                                      \
    X(abort, void, (void))                                                                     \
    X(daemon, int, (int, int))                                                                 \
    X(login_tty, int, (int))                                                                   \
    X(forkpty, pid_t, (int *, char *, const struct termios *, const struct winsize *))         \
    X(clone, int, (int (*)(void *), void *, int, void *, ...))                                 \
    X(__assert_fail, void, (const char *, const char *, unsigned int, const char *))           \
    X(__assert_perror_fail, void, (int, const char *, unsigned int, const char *))             \
    X(__assert, void, (const char *, const char *, int))                                       \
    X(sigaction, int, (int, const struct sigaction *, struct sigaction *))                     \
    X(__sigaction, int, (int, const struct sigaction *, struct sigaction *))                   \
    X(signal, __sighandler_t, (int, __sighandler_t))                                           \
    X(bsd_signal, __sighandler_t, (int, __sighandler_t))                                       \
    X(sysv_signal, __sighandler_t, (int, __sighandler_t))                                      \
    X(__sysv_signal, __sighandler_t, (int, __sighandler_t))                                    \
    X(ssignal, __sighandler_t, (int, __sighandler_t))                                          \
    X(sigset, __sighandler_t, (int, __sighandler_t))

typedef enum shim_real_id {
#define SHIM_REAL_ID(name, ret, params) SHIM_REAL_ID_##name,
    SHIM_REAL_FUNCTIONS(SHIM_REAL_ID)
#undef SHIM_REAL_ID
    SHIM_REAL_COUNT
} shim_real_id;

#define SHIM_REAL_TYPEDEF(name, ret, params) typedef ret shim_real_##name##_fn params;
SHIM_REAL_FUNCTIONS(SHIM_REAL_TYPEDEF)
#undef SHIM_REAL_TYPEDEF

/* Resolved pointers, NULL until resolved (or when libc lacks the name). */
extern void *shim_real_table[SHIM_REAL_COUNT];

/* Resolves every entry; called by the constructor. */
void shim_real_resolve_all(void);

/* Resolves one entry now. Returns NULL while this thread is already inside
 * dlsym (dlsym may call back into an interposer) or when libc lacks it. */
void *shim_real_resolve(shim_real_id id);

/* True while this thread is inside dlsym: write/writev then use raw syscalls. */
int shim_real_resolving(void);

static inline void *shim_real_get(shim_real_id id)
{
    void *fn = __atomic_load_n(&shim_real_table[id], __ATOMIC_ACQUIRE);
    return fn != NULL ? fn : shim_real_resolve(id);
}

/* The real `name`, typed; may be NULL (see shim_real_resolve). */
#define SHIM_REAL(name) ((shim_real_##name##_fn *)shim_real_get(SHIM_REAL_ID_##name))

/* write(2) and writev(2) without libc's wrappers, for the window before
 * resolution and for the shim's own diagnostics. Set errno like libc. */
ssize_t shim_raw_write(int fd, const void *buf, size_t count);
ssize_t shim_raw_writev(int fd, const struct iovec *iov, int iovcnt);

#endif /* SHIM_REAL_H */
