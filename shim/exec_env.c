/* Removing this library from LD_PRELOAD of exec'd programs; see exec_env.h. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_env.h"
#include "shim.h"

bool shim_exec_strip_preload;

static const char preload_prefix[] = "LD_PRELOAD=";
#define PRELOAD_PREFIX_LEN (sizeof(preload_prefix) - 1)

/* This library as loaded: the path the loader used, its base name and its
 * file, so an entry written differently (relative, through a symlink) is
 * still recognised. */
static char self_path[PATH_MAX];
static const char *self_base = "libehshim.so";
static dev_t self_dev;
static ino_t self_ino;
static bool self_stat_known;

void shim_exec_setup(void)
{
    Dl_info info;
    if (dladdr((void *)&shim_exec_setup, &info) == 0 || info.dli_fname == NULL)
        return;
    size_t len = strnlen(info.dli_fname, sizeof(self_path));
    if (len == 0 || len >= sizeof(self_path))
        return;
    memcpy(self_path, info.dli_fname, len + 1);
    const char *slash = strrchr(self_path, '/');
    self_base = slash != NULL ? slash + 1 : self_path;
    struct stat st;
    if (stat(self_path, &st) == 0) {
        self_dev = st.st_dev;
        self_ino = st.st_ino;
        self_stat_known = true;
    }
}

/* Is the LD_PRELOAD item `item` (`len` bytes) this library? */
static bool names_self(const char *item, size_t len)
{
    char path[PATH_MAX];
    if (len == 0 || len >= sizeof(path))
        return false;
    memcpy(path, item, len);
    path[len] = '\0';
    if (self_path[0] != '\0' && strcmp(path, self_path) == 0)
        return true;
    /* A bare name is searched for in the library path, as the loader does. */
    if (memchr(path, '/', len) == NULL)
        return strcmp(path, self_base) == 0;
    struct stat st;
    int saved_errno = errno;
    bool same = self_stat_known && stat(path, &st) == 0 && st.st_dev == self_dev &&
                st.st_ino == self_ino;
    errno = saved_errno;
    return same;
}

/* The loader splits LD_PRELOAD at spaces and colons. */
static bool is_separator(char c)
{
    return c == ':' || c == ' ';
}

static bool is_preload_entry(const char *entry)
{
    return strncmp(entry, preload_prefix, PRELOAD_PREFIX_LEN) == 0;
}

/* Calls `visit` for every item of an LD_PRELOAD value; stops when it
 * returns true, and then returns true. */
static bool any_item(const char *value, bool (*visit)(const char *, size_t))
{
    while (*value != '\0') {
        while (is_separator(*value))
            value++;
        size_t len = 0;
        while (value[len] != '\0' && !is_separator(value[len]))
            len++;
        if (len > 0 && visit(value, len))
            return true;
        value += len;
    }
    return false;
}

bool shim_env_plan_edit(char *const envp[], shim_env_plan *plan)
{
    plan->entries = 0;
    plan->value_room = 0;
    if (!shim_exec_strip_preload || envp == NULL)
        return false;
    bool names_us = false;
    for (size_t i = 0; envp[i] != NULL; i++) {
        plan->entries++;
        if (is_preload_entry(envp[i])) {
            plan->value_room += strlen(envp[i]) + 1;
            if (!names_us && any_item(envp[i] + PRELOAD_PREFIX_LEN, names_self))
                names_us = true;
        }
    }
    return names_us;
}

/* Rewrites one LD_PRELOAD entry into `out` without our items; returns the
 * bytes used, or 0 when no item is left (the entry is then dropped). */
static size_t rewrite_entry(const char *entry, char *out)
{
    memcpy(out, preload_prefix, PRELOAD_PREFIX_LEN);
    size_t used = PRELOAD_PREFIX_LEN;
    bool kept_any = false;
    const char *value = entry + PRELOAD_PREFIX_LEN;
    while (*value != '\0') {
        while (is_separator(*value))
            value++;
        size_t len = 0;
        while (value[len] != '\0' && !is_separator(value[len]))
            len++;
        if (len > 0 && !names_self(value, len)) {
            if (kept_any)
                out[used++] = ':';
            memcpy(out + used, value, len);
            used += len;
            kept_any = true;
        }
        value += len;
    }
    out[used++] = '\0';
    return kept_any ? used : 0;
}

char *const *shim_env_edit(char *const envp[], const shim_env_plan *plan, char **slots,
                           char *values)
{
    size_t out = 0;
    char *next_value = values;
    for (size_t i = 0; i < plan->entries; i++) {
        if (!is_preload_entry(envp[i])) {
            slots[out++] = envp[i];
            continue;
        }
        size_t used = rewrite_entry(envp[i], next_value);
        if (used > 0) {
            slots[out++] = next_value;
            next_value += used;
        }
    }
    slots[out] = NULL;
    return slots;
}

void shim_exec_strip_environ(void)
{
    if (!shim_exec_strip_preload || environ == NULL)
        return;
    size_t kept = 0;
    for (size_t i = 0; environ[i] != NULL; i++) {
        char *entry = environ[i];
        if (is_preload_entry(entry) && any_item(entry + PRELOAD_PREFIX_LEN, names_self)) {
            /* The rewrite is never longer than the entry: write it in place. */
            char rewritten[strlen(entry) + 1];
            if (rewrite_entry(entry, rewritten) == 0)
                continue;
            strcpy(entry, rewritten);
        }
        environ[kept++] = entry;
    }
    environ[kept] = NULL;
}
