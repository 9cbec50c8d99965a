/* For the kernel tests' writers (tests/kernel/ktest_*.c): a provider whose
 * one set they write once a listener has enabled it. */
#ifndef KTEST_WAIT_H
#define KTEST_WAIT_H

#include "ehd/ehd.h"

/*
 * Opens `provider` as `name` (user_events) with the set of level 4,
 * keyword 1; creates `ready_path`; waits up to 60 s until the set is
 * enabled and `go_path` exists. Returns the set, or NULL after saying why
 * on stderr, each message starting with `program`.
 */
ehd_event_set *ktest_open_and_wait(ehd_provider *provider, const char *name,
                                   const char *ready_path, const char *go_path,
                                   const char *program);

#endif
