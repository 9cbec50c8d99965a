/*
 * Subcommands of the ehshim tool. Each takes the arguments after its own
 * name (argv[0] is the subcommand name) and returns the process exit status:
 * 0 success, 1 failure of the work, 2 bad usage.
 */
#ifndef EHSHIM_TOOLS_COMMANDS_H
#define EHSHIM_TOOLS_COMMANDS_H

int cmd_check(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif
