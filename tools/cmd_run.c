/*
 * ehshim run [-c CONFIG] [-o FILE.dat] [--] PROGRAM [ARGS]: runs PROGRAM with
 * libehshim.so preloaded.
 *
 * PROGRAM replaces this process (execvp), so its exit status, signals, pid
 * and terminal are its own and nothing sits between it and its parent.
 *
 * Before running anything the config the shim will read (-c, or an inherited
 * EHSHIM_CONFIG) is loaded and validated: the shim itself would run the
 * program unchanged with a bad config and say nothing (it must never disturb
 * the host), so here, where a person is watching, a clear early error is
 * kinder than a run that silently produces default events.
 *
 * Exit status: PROGRAM's; 2 for a bad command line or an invalid config
 * (nothing was run); 125 when the library cannot be found or its path cannot
 * go into LD_PRELOAD; 126 when PROGRAM exists but cannot be executed; 127
 * when PROGRAM is not found (the shell's conventions, as env(1) uses them).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "config_report.h"
#include "ehs/ehs_config.h"

#define RUN_EXIT_USAGE 2
#define RUN_EXIT_SETUP 125
#define RUN_EXIT_CANNOT_EXEC 126
#define RUN_EXIT_NOT_FOUND 127

#define SHIM_NAME "libehshim.so"

/* Where the library is looked for, relative to the directory holding the
 * ehshim binary: beside it (the build tree), then the installed layouts
 * PREFIX/bin/ehshim + PREFIX/lib/ehshim/ or PREFIX/lib/. */
static const char *const shim_dirs[] = { "", "../lib/ehshim/", "../lib/" };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ehshim run [-c CONFIG] [-o FILE.dat] [--] PROGRAM [ARGS]\n"
            "\n"
            "Runs PROGRAM with " SHIM_NAME " preloaded: its syslog messages and\n"
            "stderr lines become EventHeader events; its own output is unchanged.\n"
            "PROGRAM replaces ehshim, so the exit status is PROGRAM's.\n"
            "\n"
            "options (they end at PROGRAM or at '--'):\n"
            "  -c CONFIG     rules config (JSON), validated before PROGRAM runs;\n"
            "                passed on as EHSHIM_CONFIG (absolute path)\n"
            "  -o FILE.dat   append events to this capture file instead of\n"
            "                user_events; passed on as EHSHIM_CAPTURE (absolute path)\n"
            "  -h, --help    show this help\n"
            "\n"
            "Without -c or -o, EHSHIM_CONFIG and EHSHIM_CAPTURE from the\n"
            "environment are passed on unchanged (that config is validated too).\n"
            SHIM_NAME " is looked for next to the ehshim binary, then in\n"
            "../lib/ehshim/ and ../lib/ relative to it; its absolute path is put\n"
            "first in LD_PRELOAD, existing entries kept.\n"
            "\n"
            "A statically linked PROGRAM makes its system calls directly, so no\n"
            "preloaded library can see them: ehshim warns and runs it anyway.\n"
            "\n"
            "exit status: PROGRAM's; 2 bad usage or invalid config (nothing run);\n"
            "125 " SHIM_NAME " not found; 126 PROGRAM not executable; 127 not found.\n");
}

/* Returns a malloc'd absolute form of `path` (the current directory
 * prepended when relative; the file need not exist), or NULL with errno. */
static char *absolute_path(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char *cwd = getcwd(NULL, 0);
    if (cwd == NULL)
        return NULL;
    char *joined = NULL;
    if (asprintf(&joined, "%s/%s", cwd, path) < 0)
        joined = NULL;
    free(cwd);
    return joined;
}

/* Finds libehshim.so by shim_dirs. Returns a malloc'd canonical path, or
 * NULL after printing what was tried. */
static char *find_shim(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) {
        fprintf(stderr, "ehshim: cannot find " SHIM_NAME ": /proc/self/exe: %s\n",
                strerror(errno));
        return NULL;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL) {
        fprintf(stderr, "ehshim: cannot find " SHIM_NAME ": odd /proc/self/exe '%s'\n", exe);
        return NULL;
    }
    slash[1] = '\0';

    for (size_t i = 0; i < sizeof shim_dirs / sizeof shim_dirs[0]; i++) {
        char candidate[PATH_MAX + 64];
        snprintf(candidate, sizeof candidate, "%s%s" SHIM_NAME, exe, shim_dirs[i]);
        if (access(candidate, R_OK) == 0)
            return realpath(candidate, NULL);
    }
    fprintf(stderr, "ehshim: cannot find " SHIM_NAME "; looked in:\n");
    for (size_t i = 0; i < sizeof shim_dirs / sizeof shim_dirs[0]; i++)
        fprintf(stderr, "  %s%s" SHIM_NAME "\n", exe, shim_dirs[i]);
    return NULL;
}

/* Puts `shim` first in LD_PRELOAD, keeping the existing entries. */
static int prepend_preload(const char *shim)
{
    /* ld.so splits LD_PRELOAD at spaces and colons; no quoting exists. */
    if (strpbrk(shim, " :\t\n") != NULL) {
        fprintf(stderr,
                "ehshim: the path '%s' contains a space or colon, which LD_PRELOAD "
                "cannot carry; install ehshim elsewhere\n",
                shim);
        return -1;
    }
    const char *old = getenv("LD_PRELOAD");
    char *value = NULL;
    if (old != NULL && old[0] != '\0') {
        if (asprintf(&value, "%s:%s", shim, old) < 0)
            value = NULL;
    } else {
        value = strdup(shim);
    }
    if (value == NULL || setenv("LD_PRELOAD", value, 1) != 0) {
        fprintf(stderr, "ehshim: setting LD_PRELOAD: %s\n", strerror(errno));
        free(value);
        return -1;
    }
    free(value);
    return 0;
}

/* Sets `name` to the absolute form of `path`. */
static int export_absolute(const char *name, const char *path)
{
    char *absolute = absolute_path(path);
    if (absolute == NULL || setenv(name, absolute, 1) != 0) {
        fprintf(stderr, "ehshim: setting %s: %s\n", name, strerror(errno));
        free(absolute);
        return -1;
    }
    free(absolute);
    return 0;
}

/* Loads the config the shim will read; prints its problems. */
static bool config_is_valid(const char *path)
{
    ehs_config *config = config_load_reporting(path);
    if (config == NULL) {
        fprintf(stderr, "ehshim: invalid config; nothing was run\n");
        return false;
    }
    ehs_config_free(config);
    return true;
}

/* Is the file at `path` an executable regular file (what execvp would try)? */
static bool is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Resolves `program` as execvp does: as given when it holds a '/', else the
 * first executable regular file of that name in PATH (the default search
 * path when PATH is unset). Returns a malloc'd path or NULL. */
static char *resolve_program(const char *program)
{
    if (strchr(program, '/') != NULL)
        return strdup(program);
    const char *path = getenv("PATH");
    char default_path[256];
    if (path == NULL) {
        size_t n = confstr(_CS_PATH, default_path, sizeof default_path);
        path = n > 0 && n <= sizeof default_path ? default_path : "/bin:/usr/bin";
    }
    for (const char *dir = path;; dir++) {
        const char *end = strchrnul(dir, ':');
        char *candidate = NULL;
        /* An empty entry means the current directory, as in execvp. */
        int len = end == dir ? asprintf(&candidate, "%s", program)
                             : asprintf(&candidate, "%.*s/%s", (int)(end - dir), dir, program);
        if (len >= 0) {
            if (is_executable_file(candidate))
                return candidate;
            free(candidate);
        }
        if (*end == '\0')
            return NULL;
        dir = end;
    }
}

/* Reads `size` bytes at `offset`; true when all were read. */
static bool read_at(int fd, void *buf, size_t size, off_t offset)
{
    return pread(fd, buf, size, offset) == (ssize_t)size;
}

/*
 * Is `path` a statically linked ELF executable of this machine's byte order?
 * A program without PT_INTERP never runs the dynamic loader, so LD_PRELOAD
 * cannot reach it (static-pie included). Anything unreadable or not ELF
 * (a script, say) is not reported: its interpreter decides.
 */
static bool is_static_elf(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool is_static = false;
    unsigned char ident[EI_NIDENT];
    if (!read_at(fd, ident, sizeof ident, 0) || memcmp(ident, ELFMAG, SELFMAG) != 0)
        goto out;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (ident[EI_DATA] != ELFDATA2LSB)
        goto out;
#else
    if (ident[EI_DATA] != ELFDATA2MSB)
        goto out;
#endif
    uint64_t phoff, phnum, phentsize;
    uint16_t type;
    if (ident[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr eh;
        if (!read_at(fd, &eh, sizeof eh, 0))
            goto out;
        type = eh.e_type, phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
        if (phentsize < sizeof(Elf64_Phdr))
            goto out;
    } else if (ident[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr eh;
        if (!read_at(fd, &eh, sizeof eh, 0))
            goto out;
        type = eh.e_type, phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
        if (phentsize < sizeof(Elf32_Phdr))
            goto out;
    } else {
        goto out;
    }
    if ((type != ET_EXEC && type != ET_DYN) || phnum == 0)
        goto out;
    for (uint64_t i = 0; i < phnum; i++) {
        uint32_t p_type;
        /* p_type is the first 32-bit word of both program header layouts. */
        if (!read_at(fd, &p_type, sizeof p_type, (off_t)(phoff + i * phentsize)))
            goto out;
        if (p_type == PT_INTERP)
            goto out;
    }
    is_static = true;
out:
    close(fd);
    return is_static;
}

int cmd_run(int argc, char **argv)
{
    const char *config = NULL, *capture = NULL;
    int i = 1;
    /* Options end at the first non-option: PROGRAM's own flags are its own. */
    while (i < argc && argv[i][0] == '-') {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (arg[1] == 'c' || arg[1] == 'o') {
            const char *value = arg[2] != '\0' ? arg + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (value == NULL || value[0] == '\0') {
                fprintf(stderr, "ehshim run: option '-%c' needs a value\n", arg[1]);
                usage(stderr);
                return RUN_EXIT_USAGE;
            }
            if (arg[1] == 'c')
                config = value;
            else
                capture = value;
            i++;
            continue;
        }
        fprintf(stderr, "ehshim run: unknown option '%s'\n", arg);
        usage(stderr);
        return RUN_EXIT_USAGE;
    }
    if (i >= argc) {
        fprintf(stderr, "ehshim run: PROGRAM is missing\n");
        usage(stderr);
        return RUN_EXIT_USAGE;
    }
    char **program_argv = argv + i;
    const char *program = program_argv[0];

    const char *effective_config = config != NULL ? config : getenv("EHSHIM_CONFIG");
    if (effective_config != NULL && effective_config[0] != '\0' &&
        !config_is_valid(effective_config))
        return RUN_EXIT_USAGE;

    char *shim = find_shim();
    if (shim == NULL)
        return RUN_EXIT_SETUP;
    int failed = prepend_preload(shim);
    free(shim);
    if (failed != 0)
        return RUN_EXIT_SETUP;
    if (config != NULL && export_absolute("EHSHIM_CONFIG", config) != 0)
        return RUN_EXIT_SETUP;
    if (capture != NULL && export_absolute("EHSHIM_CAPTURE", capture) != 0)
        return RUN_EXIT_SETUP;

    char *resolved = resolve_program(program);
    if (resolved != NULL && is_static_elf(resolved))
        fprintf(stderr, "ehshim: warning: %s is statically linked; no preload can reach it\n",
                program);
    free(resolved);

    /* Our own buffered output must not be lost or duplicated by the exec. */
    fflush(stdout);
    fflush(stderr);
    execvp(program, program_argv);
    int err = errno;
    fprintf(stderr, "ehshim: %s: %s\n", program, strerror(err));
    return err == ENOENT || err == ENOTDIR ? RUN_EXIT_NOT_FOUND : RUN_EXIT_CANNOT_EXEC;
}
