/*
 * run_folder.h: a run folder is one run. The one place that names a new run folder, claims it, and
 * checks an existing one on resume, for `supernet search` and `supernet train` alike:
 *   - names given with --run are one plain path component, --logs is a folder name (never '' or '..');
 *   - default names carry the UTC time and, when that folder exists already, -2, -3, ...: two runs
 *     started in the same second get two folders;
 *   - a folder that holds a checkpoint is a run to --resume; one that stopped before its first
 *     checkpoint holds nothing to keep, and the same command starts it again;
 *   - a checkpoint resumes only in the folder whose config.cfg it was made with;
 *   - temporary files a killed process left are removed.
 */
#ifndef SN_RUN_FOLDER_H
#define SN_RUN_FOLDER_H

#include <stddef.h>

/* Exit 2 with one line naming the flag unless logs (--logs) and name (--run; NULL: a default name
 * follows) are acceptable. */
void run_folder_check_names(const char *logs, const char *name);

/* "<stem>-<YYYYmmdd-HHMMSS UTC>", made unique in logs by -2, -3, ... The folder <logs>/<out> is
 * created (mkdir's exclusivity makes the name this process's). */
void run_folder_default_name(const char *logs, const char *stem, char *out, size_t n);

/* Makes dir ready for a new run: exit 2 if it holds a checkpoint (a run to resume); otherwise the
 * files of a run that stopped before its first checkpoint (`files`, NULL-terminated) and any
 * temporary files are removed. */
void run_folder_claim(const char *dir, const char *const *files);

/* Before resuming dir from checkpoint `ckpt_path`, whose saved configuration is `ckpt_config`: exit 2
 * unless dir/config.cfg holds the same configuration (compared key by key, keys a file lacks at their
 * defaults, over the command's keys `only`, NULL: all; the first differing line is named); removes the
 * temporary files a kill left. */
void run_folder_check_resume(const char *dir, const char *ckpt_path, const char *ckpt_config, const char *const *only);

/* The one-line error for --resume of a folder without a checkpoint: whether it is a run that stopped
 * before its first checkpoint (restart it with its command) or no run at all. Does not return. */
void run_folder_no_checkpoint(const char *dir, const char *ckpt_path, const char *why) __attribute__((__noreturn__));

#endif
