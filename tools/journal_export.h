/*
 * Journal export format (`journalctl -o export`, systemd's
 * docs/JOURNAL_EXPORT_FORMATS.md) for `ehshim parse --source journal`: the
 * native protocol's fields ("NAME=value\n", or "NAME\n" + 64-bit
 * little-endian length + value + "\n"), entries separated by an empty
 * line. Pure functions over the caller's bytes.
 */
#ifndef EHSHIM_JOURNAL_EXPORT_H
#define EHSHIM_JOURNAL_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

enum {
    JOURNAL_EXPORT_NEED_MORE = 0, /* the entry goes on past `len`: read more */
    JOURNAL_EXPORT_ENTRY = 1,     /* an entry: *entry_len bytes, *consumed with its separator */
    JOURNAL_EXPORT_MALFORMED = -1 /* not a field at byte *entry_len */
};

/*
 * Finds the end of the entry at the start of `bytes` (`len` of them; `eof`:
 * no more will come, so an entry that ends without its empty line ends
 * there). Returns JOURNAL_EXPORT_ENTRY with its length (without the empty
 * line) in *entry_len and the bytes it took in *consumed; NEED_MORE; or
 * MALFORMED with the offset of the bad field in *entry_len and, in
 * *consumed, how far to skip (past the next empty line, or everything).
 * An empty input at eof is NEED_MORE: there is no entry.
 */
int journal_export_scan(const char *bytes, size_t len, bool eof, size_t *entry_len,
                        size_t *consumed);

#endif /* EHSHIM_JOURNAL_EXPORT_H */
