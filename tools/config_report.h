/*
 * Loading a config for a subcommand: check, parse, run and listen all load
 * one the way the shim will and print its problems the same way.
 */
#ifndef EHSHIM_TOOLS_CONFIG_REPORT_H
#define EHSHIM_TOOLS_CONFIG_REPORT_H

#include "ehs/ehs_config.h"

/*
 * Loads the config at `path` and prints every problem on stderr, one
 * "FILE:LINE:COL: message" line each as the loader words them (warnings
 * are for the caller to add). When the load fails without a problem line
 * (out of memory), prints "PATH: cannot load: <reason>". Returns the config,
 * owned by the caller (ehs_config_free), or NULL when it is invalid or
 * could not be loaded. Not thread-safe (writes stderr).
 */
ehs_config *config_load_reporting(const char *path);

#endif
