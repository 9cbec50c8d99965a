/* ehshim: the command line tool; dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef EHSHIM_VERSION
#define EHSHIM_VERSION "0.1.0"
#endif

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis; /* the command's usage line, without "ehshim " */
    const char *summary;
};

static const struct command commands[] = {
    { "check", cmd_check, "check CONFIG",
      "validate a config; FILE:LINE:COL: messages on errors and warnings" },
    { "decode", cmd_decode, "decode [--no-stamp] [FILE.dat ...]", "print every record as a JSON line" },
    { "learn", cmd_learn,
      "learn [-c EXISTING] [-o CONFIG] [--provider NAME] [--source syslog|stderr] [--ident NAME] "
      "[FILE ...]",
      "write a config, a rule per message template, from logs or captures" },
    { "listen", cmd_listen, "listen [-c CONFIG] [-o FILE.dat] [PROVIDER ...]",
      "collect live events from user_events" },
    { "parse", cmd_parse,
      "parse [-c CONFIG] [--source stderr|stdout|syslog|journal] [--ident NAME] [--exe NAME] [--priority N] "
      "[--backend capture|user_events] [FILE|-]",
      "print the event the shim would emit for each line (or journal entry)" },
    { "run", cmd_run, "run [-c CONFIG] [-o FILE.dat] [--] PROGRAM [ARGS]",
      "run PROGRAM with the shim preloaded" },
    { "status", cmd_status, "status",
      "say whether this machine can carry events, and what is missing" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: ehshim COMMAND [ARGS]\n"
                 "       ehshim --help | --version\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n      %s\n", commands[i].synopsis, commands[i].summary);
    fprintf(out, "\n"
                 "options:\n"
                 "  -h, --help   show this help\n"
                 "  --version    print the version\n"
                 "\n"
                 "ehshim COMMAND --help shows a command's options; ehshim(1) and\n"
                 "ehshim.json(5) describe the commands and the config file.\n"
                 "\n"
                 "exit status: the command's; 2 bad usage.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ehshim %s\n", EHSHIM_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        fprintf(stderr, "ehshim: unknown option '%s'\n", argv[1]);
    else
        fprintf(stderr, "ehshim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
