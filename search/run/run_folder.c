/* run_folder.c: naming, claiming and checking run folders (see run_folder.h). */
#define _POSIX_C_SOURCE 200809L
#include "run/run_folder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "common.h"
#include "run/config.h"
#include "run/run_dir.h"
#include "whole_file.h"

enum { CONFIG_TEXT_MAX_BYTES = 1 << 20 };

static int plain_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._-+=,@%", c);
}

void run_folder_check_names(const char *logs, const char *name) {
    if (!logs[0]) sn_die(SN_EXIT_USAGE, "--logs '': the folder of run directories needs a name");
    for (const char *p = logs; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) sn_die(SN_EXIT_USAGE, "--logs: a control character at offset %td", p - logs);
    if (!name) return;
    if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
        sn_die(SN_EXIT_USAGE, "--run '%s': a run name must name a new folder inside --logs", name);
    for (const char *p = name; *p; p++)
        if (!plain_name_char(*p))
            sn_die(SN_EXIT_USAGE, "--run: the character at offset %td is not allowed in a run name (letters, digits and "
                   "._-+=,@%% only)", p - name);
}

void run_folder_default_name(const char *logs, const char *stem, char *out, size_t n) {
    char stamp[32], dir[4400];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    make_directories(logs);
    for (int k = 1;; k++) {
        if (k == 1) snprintf(out, n, "%s-%s", stem, stamp);
        else snprintf(out, n, "%s-%s-%d", stem, stamp, k);
        snprintf(dir, sizeof dir, "%s/%s", logs, out);
        if (mkdir(dir, 0755) == 0) return;
        if (errno != EEXIST) sn_die(SN_EXIT_USAGE, "cannot create directory %s: %s", dir, strerror(errno));
    }
}

static void in_dir(char *out, size_t n, const char *dir, const char *file) { snprintf(out, n, "%s/%s", dir, file); }

void run_folder_claim(const char *dir, const char *const *files) {
    char path[4400];
    in_dir(path, sizeof path, dir, RUN_CHECKPOINT_FILE);
    if (access(path, F_OK) == 0) sn_die(SN_EXIT_USAGE, "run directory %s already holds a run (use --resume %s)", dir, dir);
    for (int i = 0; files[i]; i++) in_dir(path, sizeof path, dir, files[i]), unlink(path);
    remove_atomic_leftovers(dir);
}

/* The first line where a and b differ, into out. */
static void first_difference(const char *a, const char *b, char *out, size_t n) {
    int line = 1;
    const char *la = a, *lb = b;
    for (; *a && *a == *b; a++, b++)
        if (*a == '\n') line++, la = a + 1, lb = b + 1;
    snprintf(out, n, "line %d: '%.*s' in the checkpoint, '%.*s' in config.cfg", line, (int)strcspn(la, "\n"), la,
             (int)strcspn(lb, "\n"), lb);
}

/* Every key's value as config.h writes them: text whose keys are missing or in another order compares equal. */
static char *normalised(const char *text, const char *label, const char *const *only) {
    ConfigState s;
    config_init(&s);
    s.only = only;
    config_load_text(&s, text, label);
    char *out = config_text(&s);
    config_free(&s);
    return out;
}

void run_folder_check_resume(const char *dir, const char *ckpt_path, const char *ckpt_config, const char *const *only) {
    char path[4400], why[256];
    size_t len;
    in_dir(path, sizeof path, dir, RUN_CONFIG_FILE);
    char *folder_text = read_whole_file(path, CONFIG_TEXT_MAX_BYTES, &len, why, sizeof why);
    if (!folder_text) sn_die(SN_EXIT_USAGE, "%s: %s (every run folder holds its configuration)", path, why);
    char *folder = normalised(folder_text, path, only), *saved = normalised(ckpt_config, ckpt_path, only);
    if (strcmp(folder, saved) != 0) {
        char diff[600];
        first_difference(saved, folder, diff, sizeof diff);
        sn_die(SN_EXIT_USAGE, "%s was not made by the run of %s (%s): a run folder is one run", ckpt_path, path, diff);
    }
    free(folder_text), free(folder), free(saved);
    remove_atomic_leftovers(dir);
}

void run_folder_no_checkpoint(const char *dir, const char *ckpt_path, const char *why) {
    char path[4400];
    in_dir(path, sizeof path, dir, RUN_CONFIG_FILE);
    if (access(path, F_OK) == 0)
        sn_die(SN_EXIT_USAGE, "%s: %s: the run stopped before its first checkpoint; start it again with the command "
               "that started it (the same --logs and --run)", ckpt_path, why);
    sn_die(SN_EXIT_USAGE, "%s: %s (is %s a run folder?)", ckpt_path, why, dir);
}
