/*
 * test_epoch_record.c: the per-epoch record of a search run (run/epoch_record.h) through its files.
 *   - run_log writes epochs.csv and epochs.jsonl exactly as documented (header, a full record, a
 *     record with missing values: empty fields, JSON null, "p": null);
 *   - epochs_csv_read gives back every value of every record the writer wrote;
 *   - a file without an optional column (seconds, lr, ..., index) still reads, the column's values
 *     missing; run_log_truncate keeps the header and the first n records.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/epochs_csv.h"
#include "run/run_log.h"
#include "test_util.h"
#include "testlib.h"

#define RESNET "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"

static const char FULL_CSV[] =
    "3,12.500,0.025,4.5,1.25,50,1.5,40.625,2,30,0.5,0.625," RESNET ",11472,90.8,93.9,70.5,70.9,44.1,44.2,"
    "0,0.03125,0.0625,0.09375,0.125,0.15625,0.1875,0.21875,0.25,0.28125,0.3125,0.34375,0.375,0.40625,0.4375,"
    "0.46875,0.5,0.53125,0.5625,0.59375,0.625,0.65625,0.6875,0.71875,0.75,0.78125,0.8125,0.84375,0.875,0.90625\n";
static const char FULL_JSON[] =
    "{\"epoch\": 3, \"seconds\": 12.500, \"lr\": 0.025, \"tau\": 4.5, \"train_loss\": 1.25, \"train_acc\": 50, "
    "\"arch_loss\": 1.5, \"arch_acc\": 40.625, \"valid_loss\": 2, \"valid_acc\": 30, \"kendall_tau\": 0.5, "
    "\"spearman_rho\": 0.625, \"arch\": \"" RESNET "\", "
    "\"index\": 11472, \"cifar10_valid\": 90.8, \"cifar10_test\": 93.9, \"cifar100_valid\": 70.5, \"cifar100_test\": 70.9, "
    "\"imagenet16_valid\": 44.1, \"imagenet16_test\": 44.2, \"p\": [[0, 0.03125, 0.0625, 0.09375, 0.125], "
    "[0.15625, 0.1875, 0.21875, 0.25, 0.28125], [0.3125, 0.34375, 0.375, 0.40625, 0.4375], "
    "[0.46875, 0.5, 0.53125, 0.5625, 0.59375], [0.625, 0.65625, 0.6875, 0.71875, 0.75], "
    "[0.78125, 0.8125, 0.84375, 0.875, 0.90625]]}\n";
/* A method without arch step, temperature, valid pass or probabilities (RSPS-like). */
static const char SPARSE_CSV[] =
    "4,20.250,0.0125,,1,60,,,,,,," RESNET ",11472,90.8,93.9,70.5,70.9,44.1,44.2,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n";
static const char SPARSE_JSON[] =
    "{\"epoch\": 4, \"seconds\": 20.250, \"lr\": 0.0125, \"tau\": null, \"train_loss\": 1, \"train_acc\": 60, "
    "\"arch_loss\": null, \"arch_acc\": null, \"valid_loss\": null, \"valid_acc\": null, \"kendall_tau\": null, "
    "\"spearman_rho\": null, \"arch\": \"" RESNET "\", "
    "\"index\": 11472, \"cifar10_valid\": 90.8, \"cifar10_test\": 93.9, \"cifar100_valid\": 70.5, \"cifar100_test\": 70.9, "
    "\"imagenet16_valid\": 44.1, \"imagenet16_test\": 44.2, \"p\": null}\n";

static char dir[64];

static EpochRecord full_record(void) {
    static const double acc[TABLE_N_COLS] = {90.8, 93.9, 70.5, 70.9, 44.1, 44.2};
    EpochRecord r = {.epoch = 3, .seconds = 12.5, .lr = 0.025, .tau = 4.5, .train_loss = 1.25, .train_acc = 50,
                     .arch_loss = 1.5, .arch_acc = 40.625, .valid_loss = 2, .valid_acc = 30, .kendall_tau = 0.5, .spearman_rho = 0.625,
                     .index = 11472};
    Arch a;
    char err[128];
    CHECK(arch_parse(RESNET, &a, err, sizeof err) == 0, "%s", err);
    r.code = arch_to_code(&a);
    memcpy(r.acc, acc, sizeof acc);
    for (int k = 0; k < ARCH_N_EDGES * ARCH_N_OPS; k++) r.p[k / ARCH_N_OPS][k % ARCH_N_OPS] = k / 32.0;
    return r;
}

static EpochRecord sparse_record(void) {
    EpochRecord full = full_record(), r;
    epoch_record_clear(&r);
    r.epoch = 4, r.seconds = 20.25, r.lr = 0.0125, r.train_loss = 1, r.train_acc = 60;
    r.code = full.code, r.index = full.index;
    memcpy(r.acc, full.acc, sizeof r.acc);
    return r;
}

/* Two doubles are the same value, NaN included. */
static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void check_same_record(const EpochRecord *got, const EpochRecord *want, const char *what) {
    CHECK(got->epoch == want->epoch && got->code == want->code && got->index == want->index, "%s: epoch/code/index", what);
    const double g[] = {got->seconds, got->lr, got->tau, got->train_loss, got->train_acc,
                        got->arch_loss, got->arch_acc, got->valid_loss, got->valid_acc, got->kendall_tau, got->spearman_rho};
    const double w[] = {want->seconds, want->lr, want->tau, want->train_loss, want->train_acc,
                        want->arch_loss, want->arch_acc, want->valid_loss, want->valid_acc, want->kendall_tau, want->spearman_rho};
    for (size_t k = 0; k < sizeof g / sizeof g[0]; k++)
        CHECK(same(g[k], w[k]), "%s: scalar %zu: %.9g, want %.9g", what, k, g[k], w[k]);
    for (int k = 0; k < TABLE_N_COLS; k++) CHECK(same(got->acc[k], want->acc[k]), "%s: acc %d", what, k);
    for (int k = 0; k < ARCH_N_EDGES * ARCH_N_OPS; k++)
        CHECK(same(got->p[k / ARCH_N_OPS][k % ARCH_N_OPS], want->p[k / ARCH_N_OPS][k % ARCH_N_OPS]), "%s: p %d", what, k);
}

static void file_path(char *out, size_t len, const char *file) { snprintf(out, len, "%s/%s", dir, file); }

/* A run begun before kendall_tau / spearman_rho existed: truncation on resume rewrites epochs.csv with
 * this version's header, the kept record unchanged, so the records appended next match it. */
static void test_resume_upgrades_header(void) {
    char path[128], want[1 << 13], old[1 << 13];
    epochs_csv_header(want, sizeof want);
    const char *from = strstr(want, "kendall_tau,spearman_rho,");
    snprintf(old, sizeof old, "%.*s%s", (int)(from - want), want, from + strlen("kendall_tau,spearman_rho,"));
    char row[sizeof FULL_CSV];
    const char *cut = strstr(FULL_CSV, "0.5,0.625,");
    snprintf(row, sizeof row, "%.*s%s", (int)(cut - FULL_CSV), FULL_CSV, cut + strlen("0.5,0.625,"));
    strcat(old, row), strcat(old, row);
    file_path(path, sizeof path, "epochs.csv");
    FILE *f = fopen(path, "w");
    fputs(old, f), fclose(f);
    run_log_truncate(dir, 1);
    EpochRecord kept = full_record(), next = full_record();
    kept.kendall_tau = kept.spearman_rho = NAN;
    next.epoch = kept.epoch + 1;
    run_log_append(dir, &next);
    RunEpochs log;
    char err[600];
    CHECK(epochs_csv_read(dir, &log, err, sizeof err) == 0 && log.n == 2, "an old-format run after resume: %s", err);
    if (log.n == 2) check_same_record(&log.rec[0], &kept, "old-format record"), check_same_record(&log.rec[1], &next, "appended record");
    run_epochs_free(&log);
}

static void test_write_and_read_back(void) {
    char path[128], want[1 << 13];
    EpochRecord full = full_record(), sparse = sparse_record();
    run_log_create(dir);
    run_log_append(dir, &full);
    run_log_append(dir, &sparse);
    epochs_csv_header(want, sizeof want);
    strcat(want, FULL_CSV);
    strcat(want, SPARSE_CSV);
    file_path(path, sizeof path, "epochs.csv");
    CHECK(strcmp(read_text_file(path), want) == 0, "epochs.csv:\n%s\nexpected:\n%s", read_text_file(path), want);
    snprintf(want, sizeof want, "%s%s", FULL_JSON, SPARSE_JSON);
    file_path(path, sizeof path, "epochs.jsonl");
    CHECK(strcmp(read_text_file(path), want) == 0, "epochs.jsonl:\n%s\nexpected:\n%s", read_text_file(path), want);

    RunEpochs log;
    char err[600];
    CHECK(epochs_csv_read(dir, &log, err, sizeof err) == 0, "%s", err);
    CHECK(log.n == 2, "%d records read back", log.n);
    if (log.n == 2) {
        check_same_record(&log.rec[0], &full, "full record");
        check_same_record(&log.rec[1], &sparse, "sparse record");
    }
    run_epochs_free(&log);

    run_log_truncate(dir, 1);
    CHECK(epochs_csv_read(dir, &log, err, sizeof err) == 0 && log.n == 1, "after truncation to 1: %d records (%s)", log.n,
          err);
    run_epochs_free(&log);
    snprintf(want, sizeof want, "%s", FULL_JSON);
    file_path(path, sizeof path, "epochs.jsonl");
    CHECK(strcmp(read_text_file(path), want) == 0, "epochs.jsonl after truncation:\n%s", read_text_file(path));
    test_resume_upgrades_header();
}

/* Only the columns the plots need: the others come back missing. */
static void test_optional_columns(void) {
    char path[128], text[1 << 12];
    snprintf(text, sizeof text,
             "epoch,arch,cifar10_valid,cifar10_test,cifar100_valid,cifar100_test,imagenet16_valid,imagenet16_test");
    append_probability_columns(text, sizeof text);
    strcat(text, "\n7,,1,2,3,4,5,6");
    for (int k = 0; k < 30; k++) strcat(text, ",0.2");
    strcat(text, "\n");
    file_path(path, sizeof path, "epochs.csv");
    CHECK(write_text_file(path, text) == 0, "cannot write %s", path);
    RunEpochs log;
    char err[600];
    CHECK(epochs_csv_read(dir, &log, err, sizeof err) == 0 && log.n == 1, "%s", err);
    if (log.n == 1) {
        const EpochRecord *r = &log.rec[0];
        CHECK(r->epoch == 7 && r->code == -1 && r->index == -1 && isnan(r->seconds) && isnan(r->lr) && isnan(r->valid_acc),
              "missing columns: epoch %d code %d index %d seconds %g", r->epoch, r->code, r->index, r->seconds);
        CHECK(r->acc[COL_IN16_TEST] == 6 && r->p[5][4] == 0.2, "values: %g %g", r->acc[COL_IN16_TEST], r->p[5][4]);
    }
    run_epochs_free(&log);
    /* present but empty: an epoch without its time would make every summary's search time NaN */
    char header[1 << 11];
    snprintf(header, sizeof header, "epoch,seconds,arch,cifar10_valid,cifar10_test,cifar100_valid,cifar100_test,imagenet16_valid,imagenet16_test");
    append_probability_columns(header, sizeof header);
    snprintf(text, sizeof text, "%s\n7,,,1,2,3,4,5,6", header);
    for (int k = 0; k < 30; k++) strcat(text, ",0.2");
    strcat(text, "\n");
    CHECK(write_text_file(path, text) == 0, "cannot write %s", path);
    CHECK(epochs_csv_read(dir, &log, err, sizeof err) != 0 && strstr(err, "epochs.csv:2: column 'seconds' is empty"),
          "an empty seconds field was accepted: %s", err);
}

int main(void) {
    make_temp_dir(dir, sizeof dir, "test_epoch_record");
    test_write_and_read_back();
    test_optional_columns();
    CHECK(remove_tree(dir) == 0, "cleanup");
    TEST_EXIT();
}
