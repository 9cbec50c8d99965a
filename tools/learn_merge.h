/*
 * `ehshim learn -c`: the existing config with the learned rules added.
 *
 * The existing config is kept as its author wrote it, byte for byte - key
 * order, number spellings, escapes, indentation - and the learned rules go
 * in as text after its last rule. Printing a JSON tree of it again would
 * lose the layout and could round large numbers (keywords) through doubles.
 */
#ifndef EHSHIM_TOOLS_LEARN_MERGE_H
#define EHSHIM_TOOLS_LEARN_MERGE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Returns `text` (`len` bytes: a config the loader accepted, so one JSON
 * object) with the rules of the array `rules` appended to its top-level
 * "rules" array (made when there is none), indented as its top-level keys
 * are, and, when `provider` is not NULL, its top-level "provider" set to
 * it. Nothing else changes, but for a final newline when `text` has none:
 * with no rules and no provider it is `text`, a line of output.
 * The result is NUL-terminated and the caller's to free; NULL with errno
 * ENOMEM, or EINVAL when `text` is not a JSON object.
 */
char *learn_merge(const char *text, size_t len, const cJSON *rules, const char *provider);

/* learn_merge of the file at `path`; NULL with errno when it cannot be
 * read, or as learn_merge. */
char *learn_merge_file(const char *path, const cJSON *rules, const char *provider);

#endif /* EHSHIM_TOOLS_LEARN_MERGE_H */
