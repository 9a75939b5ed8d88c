/* cli.h - the offline subcommands: `verrijk replay` and `verrijk export` on a session log file. */
#ifndef VERRIJK_CLI_H
#define VERRIJK_CLI_H

/* Runs a subcommand; argv[0] is its name ("replay" or "export"). The log
 * file is only read (never repaired), no data directory is needed, and
 * every record goes through record.c and game_apply, as in live play.
 * Returns the process exit code: 0 done, 1 the log is bad or the output
 * cannot be made, 2 a bad command line. */
int cli_main(int argc, char **argv);

#endif
