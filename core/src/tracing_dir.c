/* Finding tracefs through the mounts file; see tracing_dir.h. */
#include "tracing_dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *mounts_path_override;

void ehd__tracing_set_mounts_path(const char *path)
{
    mounts_path_override = path;
}

static bool is_field_separator(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Cuts the next whitespace-separated field out of *cursor, or returns NULL. */
static char *next_field(char **cursor)
{
    char *p = *cursor;
    while (*p != '\0' && is_field_separator(*p))
        p++;
    if (*p == '\0')
        return NULL;
    char *start = p;
    while (*p != '\0' && !is_field_separator(*p))
        p++;
    if (*p != '\0')
        *p++ = '\0';
    *cursor = p;
    return start;
}

static bool is_octal_digit(char c)
{
    return c >= '0' && c <= '7';
}

/* The kernel writes a space in a mount point as \040 (and tab, newline and
 * backslash likewise); turn those back into the characters, in place. */
static void unescape_mount_point(char *text)
{
    char *out = text;
    const char *in = text;
    while (*in != '\0') {
        if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && is_octal_digit(in[2]) &&
            is_octal_digit(in[3])) {
            *out++ = (char)((in[1] - '0') << 6 | (in[2] - '0') << 3 | (in[3] - '0'));
            in += 4;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
}

int ehd__tracing_dir(char **dir, bool *via_debugfs)
{
    const char *mounts_path = mounts_path_override ? mounts_path_override : "/proc/mounts";
    FILE *mounts = fopen(mounts_path, "re");
    if (mounts == NULL)
        return errno;

    char *line = NULL;
    size_t line_capacity = 0;
    char *tracefs_dir = NULL;
    char *debugfs_dir = NULL;
    int err = 0;
    while (tracefs_dir == NULL && err == 0 && getline(&line, &line_capacity, mounts) >= 0) {
        char *cursor = line;
        char *device = next_field(&cursor);
        char *mount_point = next_field(&cursor);
        char *fs_type = next_field(&cursor);
        if (device == NULL || mount_point == NULL || fs_type == NULL)
            continue;
        const char *suffix;
        char **found;
        if (strcmp(fs_type, "tracefs") == 0) {
            suffix = "";
            found = &tracefs_dir;
        } else if (strcmp(fs_type, "debugfs") == 0 && debugfs_dir == NULL) {
            suffix = "/tracing";
            found = &debugfs_dir;
        } else {
            continue;
        }
        unescape_mount_point(mount_point);
        if (asprintf(found, "%s%s", mount_point, suffix) < 0) {
            *found = NULL;
            err = ENOMEM;
        }
    }
    free(line);
    fclose(mounts);

    if (err == 0 && tracefs_dir == NULL && debugfs_dir == NULL)
        err = ENOTSUP;
    if (err != 0) {
        free(tracefs_dir);
        free(debugfs_dir);
        return err;
    }
    /* tracefs is the file system itself; debugfs only mounts it at tracing/. */
    if (via_debugfs != NULL)
        *via_debugfs = tracefs_dir == NULL;
    if (tracefs_dir != NULL) {
        free(debugfs_dir);
        *dir = tracefs_dir;
    } else {
        *dir = debugfs_dir;
    }
    return 0;
}
