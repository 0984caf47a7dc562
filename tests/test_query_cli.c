/* test_query_cli.c: `supernet query` as a user runs it: the ResNet cell's values against its CSV row
 * (tests/fixtures/nb201_sample_rows.csv), the same cell by index and by op code, --best per dataset,
 * and one-line errors with status 2 (also table-build's, for a bad value and a bad header). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"
#include "testlib.h"

#define RESNET "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"

static char out[1 << 16];

/* Runs `supernet <args>` (stderr folded into stdout); returns the exit status. */
static int run(const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", supernet_bin(), args);
    return run_command(cmd, out, sizeof out);
}

/* The number after "key": inside the JSON object that follows "section": in out. */
static double json_number(const char *section, const char *key) {
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": {", section);
    const char *s = strstr(out, pat);
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *k = s ? strstr(s, pat) : NULL;
    return k ? strtod(k + strlen(pat), NULL) : -1;
}

/* Values from column 9 on of cell `index`'s row in tests/fixtures/nb201_sample_rows.csv (verbatim rows of
 * the benchmark's main CSV). */
static void csv_row(int index, double *values, int n_values) {
    const char *path = fixture_file("nb201_sample_rows.csv");
    char line[4096];
    int found = 0;
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    while (f && !found && fgets(line, sizeof line, f)) {
        if (atoi(line) != index || line[0] < '0' || line[0] > '9') continue;
        char *p = line;
        for (int k = 0; k < 8; k++) p = strchr(p, ',') + 1;
        for (int k = 0; k < n_values; k++, p = strchr(p, ',') + 1) values[k] = strtod(p, NULL);
        found = 1;
    }
    if (f) fclose(f);
    CHECK(found, "cell %d is not in %s", index, path);
}

static void test_resnet(void) {
    static const char *const keys[6] = {"cifar10_valid", "cifar10_test", "cifar100_valid", "cifar100_test", "imagenet16_valid", "imagenet16_test"};
    double csv[13] = {0};
    csv_row(11472, csv, 13);
    CHECK(run("query '" RESNET "' --json") == 0, "query ResNet --json failed: %s", out);
    CHECK(strstr(out, "\"index\": 11472") && strstr(out, "\"code\": \"303101\"") && strstr(out, "\"n_seeds_200\": 2"), "ResNet identity: %s", out);
    for (int k = 0; k < 6; k++) {
        CHECK_CLOSE(json_number("acc_200", keys[k]), csv[k], 1e-9, 1e-12, keys[k]);
        CHECK_CLOSE(json_number("acc_12", keys[k]), csv[7 + k], 1e-9, 1e-12, keys[k]);
    }
    CHECK_CLOSE(json_number("params_m", "cifar10"), 0.559386, 1e-12, 0, "ResNet params");
    CHECK_CLOSE(json_number("flops_m", "cifar10"), 78.56193, 1e-9, 0, "ResNet FLOPs");
    CHECK(strstr(out, "\"iso_skip_none\": {\"form\": \"#+#+((0)@nor_conv_3x3)@nor_conv_3x3+0\", \"class_size\": 3, \"class_min_index\": 2528}") != NULL, "iso class: %s", out);
    char json_by_string[sizeof out];
    strcpy(json_by_string, out);
    CHECK(run("query 11472 --json") == 0 && strcmp(out, json_by_string) == 0, "query by index differs");
    CHECK(run("query 303101 --json") == 0 && strcmp(out, json_by_string) == 0, "query by op code differs");
    CHECK(run("query '" RESNET "'") == 0, "text query failed");
    CHECK(strstr(out, "90.86     93.91     70.50     70.89     44.10     44.23") != NULL, "text values: %s", out);
}

static void test_best(void) {
    CHECK(run("query --best --dataset cifar10-valid") == 0 && strstr(out, "   1   6111     91.61") != NULL, "best cifar10-valid: %s", out);
    CHECK(run("query --best --dataset cifar10 --json") == 0 && strstr(out, "\"cifar10_test\": 94.37") != NULL, "best cifar10: %s", out);
    CHECK(run("query --best --dataset cifar100 --top 3 --json") == 0 && strstr(out, "\"rank\": 1, \"index\": 9930") && strstr(out, "\"rank\": 3"), "best cifar100: %s", out);
    CHECK(run("query --best --dataset ImageNet16-120 --metric test") == 0 && strstr(out, "47.31") != NULL, "best IN16 test: %s", out);
}

/* One line on stderr naming the problem, exit status 2. */
static void expect_usage_error(const char *args, const char *message) {
    int status = run(args);
    char *newline = strchr(out, '\n');
    CHECK(status == 2, "'%s': exit status %d", args, status);
    CHECK(strstr(out, message) != NULL, "'%s': message '%s' lacks '%s'", args, out, message);
    CHECK(newline == NULL || newline[1] == '\0', "'%s': more than one line: %s", args, out);
}

static void test_errors(void) {
    expect_usage_error("query '|nor_conv_3x3~0|+|none~0|conv~1|+|skip_connect~0|none~1|skip_connect~2|'", "unknown op 'conv' on edge 2<-1 at offset 25");
    expect_usage_error("query 15625", "index 15625 is out of range 0..15624");
    expect_usage_error("query 303105", "read as an op code");
    expect_usage_error("query abc", "is neither an architecture string");
    expect_usage_error("query", "expected one cell");
    expect_usage_error("query 1 --best", "--best takes no cell argument");
    expect_usage_error("query --best --dataset cifar10-valid --metric test", "cifar10-valid has no test column");
    expect_usage_error("query 1 --table /nonexistent/t.sntab", "table file /nonexistent/t.sntab: cannot open");
}

/* A main CSV that table-build accepts: 15,625 rows of placeholder values under the real header. */
static int write_valid_all_csv(const char *path, const char *header) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(header, f);
    for (int i = 0; i < 15625; i++) {
        fprintf(f, "%d,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,0,0,0,0,0,0,1,1,1,1,1,1,2", i);
        for (int k = 15; k < 31; k++) fputs(",1", f);
        fputs("\n", f);
    }
    return fclose(f);
}

/* table-build names the CSV file, line and column of a bad value. The header is the real one, line 1
 * of tests/fixtures/nb201_sample_rows.csv. */
static void test_table_build_errors(void) {
    const char *sample = fixture_file("nb201_sample_rows.csv");
    char bad[128], good[128], header[2048], args[600];
    snprintf(bad, sizeof bad, "/tmp/sn_test_bad_%d.csv", (int)getpid());
    snprintf(good, sizeof good, "/tmp/sn_test_good_%d.csv", (int)getpid());
    FILE *in = fopen(sample, "r"), *f = fopen(bad, "w");
    CHECK(in && f && fgets(header, sizeof header, in), "cannot prepare %s from %s", bad, sample);
    if (in) fclose(in);
    if (!in || !f) {
        if (f) fclose(f), remove(bad);
        return;
    }
    fputs(header, f);
    fputs("0,|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|,4,2,1,2,1,1,abc", f);
    for (int k = 9; k < 31; k++) fputs(",1", f);
    fputs("\n", f);
    fclose(f);
    CHECK(write_valid_all_csv(good, header) == 0, "cannot write %s", good);
    snprintf(args, sizeof args, "table-build --all %s --seeds %s --out /tmp/never_written.sntab", bad, bad);
    expect_usage_error(args, ":2: column 9: 'abc' is not a number");
    snprintf(args, sizeof args, "table-build --all %s --seeds %s --out /tmp/never_written.sntab", good, bad);
    expect_usage_error(args, ":1: unexpected header");
    remove(bad);
    remove(good);
}

int main(void) {
    test_resnet();
    test_table_build_errors();
    test_best();
    test_errors();
    TEST_EXIT();
}
