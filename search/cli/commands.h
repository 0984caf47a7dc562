/*
 * commands.h: every `supernet <command>`. Each takes the words after the command name and returns
 * the process exit status.
 *
 * To add a command: write `int cmd_<name>(int argc, char **argv)` in search/cli/cmd_<name>.c (parse
 * its flags with cli_parse), declare it here, and add a row to COMMANDS in search/cli/main.c.
 */
#ifndef SN_COMMANDS_H
#define SN_COMMANDS_H

int cmd_ablate(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_rank(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_table_build(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
