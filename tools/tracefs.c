/* Where tracefs is and what it says about user_events; see tracefs.h. */
#include "tracefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tracefs_locate(tracefs_location *where)
{
    where->dir[0] = '\0';
    where->via_debugfs = false;
    FILE *mounts = setmntent("/proc/mounts", "re");
    if (mounts == NULL)
        return errno;
    /* Sized so that debugfs's path and "/tracing" fit where->dir, which the
     * compiler then sees without help from the optimiser. */
    char debugfs[sizeof where->dir - (sizeof "/tracing" - 1)] = "";
    struct mntent entry;
    char line[8192];
    /* getmntent_r undoes the kernel's octal escapes of spaces in paths. */
    while (getmntent_r(mounts, &entry, line, sizeof line) != NULL) {
        if (strcmp(entry.mnt_type, "tracefs") == 0 &&
            strlen(entry.mnt_dir) < sizeof where->dir) {
            snprintf(where->dir, sizeof where->dir, "%s", entry.mnt_dir);
            break;
        }
        if (strcmp(entry.mnt_type, "debugfs") == 0 && debugfs[0] == '\0' &&
            strlen(entry.mnt_dir) < sizeof debugfs)
            snprintf(debugfs, sizeof debugfs, "%s", entry.mnt_dir);
    }
    endmntent(mounts);
    if (where->dir[0] != '\0')
        return 0;
    if (debugfs[0] != '\0') {
        /* debugfs mounts tracefs at tracing/ on its own; a file every
         * tracefs has tells whether it is there. */
        char probe[sizeof where->dir + 32];
        snprintf(probe, sizeof probe, "%s/tracing/trace_marker", debugfs);
        if (access(probe, F_OK) == 0 || errno == EACCES) {
            snprintf(where->dir, sizeof where->dir, "%s/tracing", debugfs);
            where->via_debugfs = true;
            return 0;
        }
    }
    return ENOENT;
}

/* Reads a small file into `buf` (NUL-terminated). Returns 0 or errno. */
static int read_small_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t used = 0;
    while (used + 1 < size) {
        ssize_t n = read(fd, buf + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            return err;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    buf[used] = '\0';
    return 0;
}

static int event_file_path(char *out, size_t size, const tracefs_location *where,
                           const char *name, const char *file)
{
    int n = snprintf(out, size, "%s/events/user_events/%s/%s", where->dir, name, file);
    return n < 0 || (size_t)n >= size ? ENAMETOOLONG : 0;
}

int tracefs_user_event_id(const tracefs_location *where, const char *name, uint64_t *id)
{
    char path[sizeof where->dir + 512];
    int err = event_file_path(path, sizeof path, where, name, "id");
    char text[32];
    if (err == 0)
        err = read_small_file(path, text, sizeof text);
    if (err != 0)
        return err;
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || (*end != '\n' && *end != '\0'))
        return EBADMSG;
    *id = value;
    return 0;
}

/* The format file lists one field per line:
 *   \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
 * common fields first, a blank line, then the tracepoint's own fields. */
int tracefs_eventheader_offset(const tracefs_location *where, const char *name, size_t *offset)
{
    char path[sizeof where->dir + 512];
    int err = event_file_path(path, sizeof path, where, name, "format");
    char text[8192];
    if (err == 0)
        err = read_small_file(path, text, sizeof text);
    if (err != 0)
        return err;
    for (char *line = text; line != NULL && *line != '\0';) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        char *field = strstr(line, "field:");
        if (field != NULL && strstr(field, " common_") == NULL) {
            /* The first own field: must be the EventHeader's flags byte. */
            char *semicolon = strchr(field, ';');
            if (semicolon == NULL || semicolon - field < 24 || semicolon[-18] != ' ' ||
                strncmp(semicolon - 17, "eventheader_flags", 17) != 0)
                return EBADMSG;
            const char *at = strstr(semicolon, "offset:");
            if (at == NULL)
                return EBADMSG;
            char *end;
            unsigned long value = strtoul(at + 7, &end, 10);
            if (end == at + 7 || *end != ';')
                return EBADMSG;
            *offset = value;
            return 0;
        }
        line = next;
    }
    return EBADMSG;
}

int tracefs_each_user_event(const tracefs_location *where, int (*visit)(const char *name, void *arg),
                            void *arg)
{
    char path[sizeof where->dir + 32];
    snprintf(path, sizeof path, "%s/events/user_events", where->dir);
    DIR *dir = opendir(path);
    if (dir == NULL)
        return errno;
    int result = 0;
    struct dirent *entry;
    while (result == 0 && (entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        /* enable and filter sit beside the tracepoints' directories. */
        if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN)
            continue;
        result = visit(entry->d_name, arg);
    }
    closedir(dir);
    return result;
}
