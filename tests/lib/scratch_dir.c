/* Scratch directories for tests; see scratch_dir.h. */
#include "scratch_dir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int scratch_dir_make(scratch_dir *dir, const char *prefix, const char *file_name)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    int n = snprintf(dir->path, sizeof dir->path, "%s/%s-XXXXXX", tmp, prefix);
    if (n < 0 || (size_t)n >= sizeof dir->path)
        return ENAMETOOLONG;
    n = snprintf(dir->file, sizeof dir->file, "%s/%s", dir->path, file_name);
    if (n < 0 || (size_t)n >= sizeof dir->file)
        return ENAMETOOLONG;
    if (mkdtemp(dir->path) == NULL)
        return errno;
    /* mkdtemp replaced the X's in place: the file's path has them still. */
    snprintf(dir->file, sizeof dir->file, "%s/%s", dir->path, file_name);
    return 0;
}

int scratch_dir_remove(const scratch_dir *dir)
{
    if (unlink(dir->file) != 0 && errno != ENOENT)
        return errno;
    return rmdir(dir->path) == 0 ? 0 : errno;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path) == 0 ? 0 : errno;
}

int scratch_dir_remove_all(const scratch_dir *dir)
{
    /* Depth first, so that each directory is empty when its turn comes. */
    int err = nftw(dir->path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return err < 0 ? errno : err;
}
