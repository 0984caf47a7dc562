/* test_arch.c: the NAS-Bench-201 cell: malformed strings, string <-> code round trips for all
 * 15,625 cells, canonical forms against the benchmark's UniqueString, and the isomorphism counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "arch.h"
#include "common.h"
#include "test_util.h"
#include "testlib.h"

#define RESNET "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"

typedef struct {
    const char *text, *message;
} BadString;

static const BadString BAD[] = {
    {"", "empty architecture string at offset 0"},
    {"|nor_conv_3x3~0|", "string has 1 node(s), expected 3 at offset 16"},
    {"|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|", "string has 2 node(s), expected 3 at offset 40"},
    {"nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "expected '|' to open a node, found 'n' at offset 0"},
    {" |nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "expected '|' to open a node, found ' ' at offset 0"},
    {"|conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "unknown op 'conv_3x3' on edge 1<-0 at offset 1"},
    {"|Nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "unknown op 'Nor_conv_3x3' on edge 1<-0 at offset 1"},
    {"|nor_conv_3x3-0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "unknown op 'nor_conv_3x3-0' on edge 1<-0 at offset 1"},
    {"|~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "missing op name for edge 1<-0 at offset 1"},
    {"|nor_conv_3x3~1|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "node 1 lists input 1 where input 0 was expected (inputs go 0..0 in order) at offset 14"},
    {"|nor_conv_3x3~0|+|none~0|nor_conv_3x3~2|+|skip_connect~0|none~1|skip_connect~2|", "node 2 lists input 2 where input 1 was expected (inputs go 0..1 in order) at offset 38"},
    {"|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~3|", "node 3 lists input 3 where input 2 was expected (inputs go 0..2 in order) at offset 77"},
    {"|nor_conv_3x3~00|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "input index '00' of node 1 is not a single digit at offset 14"},
    {"|nor_conv_3x3~|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "expected an input index digit after '~', found '|' at offset 14"},
    {"|nor_conv_3x3~a|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "expected an input index digit after '~', found 'a' at offset 14"},
    {"|nor_conv_3x3~0+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "expected '|' after an input index, found '+' at offset 15"},
    {"|nor_conv_3x3~0|+|none~0|+|skip_connect~0|none~1|skip_connect~2|", "node 2 has 1 edge(s), expected 2 at offset 25"},
    {"|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|", "node 3 has 2 edge(s), expected 3 at offset 64"},
    {"|nor_conv_3x3~0|+|none~0|none~1|none~2|+|skip_connect~0|none~1|skip_connect~2|", "node 2 has more than 2 edge(s) at offset 32"},
    {"|nor_conv_3x3~0|none~1|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "node 1 has more than 1 edge(s) at offset 16"},
    {RESNET "+|none~0|", "string has more than 3 nodes at offset 79"},
    {RESNET "x", "stray character 'x' after node 3 at offset 79"},
    {"|nor_conv_3x3~0|-|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "expected '+' between nodes, found '-' at offset 16"},
    {"|nor_conv_3x3~0|+none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|", "expected '|' to open a node, found 'n' at offset 17"},
    {"|nor_conv_3x3~0|+|none~0|nor_co", "string ends inside node 2, in op name 'nor_co' at offset 25"},
    {"|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2", "string ends where '|' after an input index was expected at offset 78"},
    {"|nor_conv_3x3~0|+|none~0|nor_conv_3x3", "string ends inside node 2, in op name 'nor_conv_3x3' at offset 25"},
    {"|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|;", "stray character ';' after node 3 at offset 79"},
    {"|nor_conv_3x3~0|+|", "string ends inside node 2 (edge from node 0 missing) at offset 18"},
};

static void test_malformed(void) {
    int n = (int)(sizeof BAD / sizeof BAD[0]);
    CHECK(n >= 20, "only %d malformed strings", n);
    for (int i = 0; i < n; i++) {
        Arch a;
        char err[256] = "";
        int status = arch_parse(BAD[i].text, &a, err, sizeof err);
        CHECK(status == -1, "'%s' was accepted", BAD[i].text);
        CHECK(strcmp(err, BAD[i].message) == 0, "'%s': got message '%s', expected '%s'", BAD[i].text, err, BAD[i].message);
    }
}

static void test_round_trips(void) {
    int failures = 0;
    for (int code = 0; code < ARCH_N_CELLS; code++) {
        Arch a = arch_from_code(code), b;
        char s[ARCH_STR_MAX], err[256], digits[ARCH_N_EDGES + 1];
        arch_format(&a, s);
        arch_code_digits(code, digits);
        int ok = arch_parse(s, &b, err, sizeof err) == 0 && arch_to_code(&b) == code && arch_code_parse(digits) == code;
        failures += !ok;
    }
    CHECK(failures == 0, "%d of %d codes do not round-trip string <-> code <-> digits", failures, ARCH_N_CELLS);
    Arch r;
    char err[256], digits[ARCH_N_EDGES + 1];
    CHECK(arch_parse(RESNET, &r, err, sizeof err) == 0, "ResNet rejected: %s", err);
    arch_code_digits(arch_to_code(&r), digits);
    CHECK(strcmp(digits, "303101") == 0, "ResNet code %s, expected 303101 (op_e columns of row 11472)", digits);
    CHECK(arch_code_parse("303105") == -1 && arch_code_parse("30310") == -1 && arch_code_parse("3031011") == -1, "bad codes accepted");
    CHECK(arch_edge_from(4) == 1 && arch_edge_to(4) == 3, "edge 4 is 3<-1");
}

static void test_iso_counts(void) {
    int32_t *cls = malloc(sizeof(int32_t) * ARCH_N_CELLS);
    CHECK(arch_iso_classes(0, cls) == 12751, "skip-only classes");
    CHECK(arch_iso_classes(1, cls) == 6466, "skip+none classes");
    Arch skip3 = arch_from_code(arch_code_parse("111111"));
    CHECK(cls[arch_to_code(&skip3)] == cls[arch_code_parse("111111")], "class lookup");
    free(cls);
}

/* arch_live_edges against the cell's four input-to-output paths, over all 15,625 cells: an edge is
 * live exactly when it lies on a path whose other edges are all ops other than none. */
static void test_live_edges(void) {
    static const int PATHS[4][4] = {{3, -1}, {0, 4, -1}, {1, 5, -1}, {0, 2, 5, -1}}; /* edge lists, -1 ends */
    int wrong = 0;
    for (int code = 0; code < ARCH_N_CELLS; code++) {
        Arch a = arch_from_code(code);
        int live[ARCH_N_EDGES], want[ARCH_N_EDGES] = {0};
        arch_live_edges(&a, live);
        for (int p = 0; p < 4; p++)
            for (int k = 0; PATHS[p][k] >= 0; k++) {
                int others_open = 1;
                for (int m = 0; PATHS[p][m] >= 0; m++) others_open &= m == k || a.op[PATHS[p][m]] != OP_NONE;
                want[PATHS[p][k]] |= others_open;
            }
        for (int e = 0; e < ARCH_N_EDGES; e++)
            if (live[e] != want[e] && wrong++ < 3) fprintf(stderr, "code %d edge %d: live %d, expected %d\n", code, e, live[e], want[e]);
    }
    CHECK(wrong == 0, "%d (cell, edge) pairs where arch_live_edges is wrong", wrong);
}

/* The benchmark's own canonical strings (column UniqueString of raw/vtao_nats_bench.csv, kept in
 * tests/fixtures/nb201_unique_strings.csv.gz with its arch strings), reproduced string for string. */
static void test_unique_strings(void) {
    const char *path = fixture_file("nb201_unique_strings.csv.gz");
    char line[2048];
    gzFile f = gzopen(path, "rb");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f) return;
    int rows = 0, mismatches = 0, code;
    CHECK(gzgets(f, line, sizeof line) && strcmp(line, "ArchitectureString,UniqueString\n") == 0, "%s: bad header", path);
    while (gzgets(f, line, sizeof line)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *arch = strchr(line, '|'), *unique = arch ? strchr(arch, ',') : NULL;
        if (!unique) continue;
        *unique++ = '\0';
        Arch a;
        char err[256], form[ARCH_CANON_MAX];
        CHECK(arch_parse(arch, &a, err, sizeof err) == 0, "row %d: %s", rows, err);
        arch_canonical(&a, 1, form);
        if (strcmp(form, unique) != 0 && mismatches++ < 3) fprintf(stderr, "row %d: %s vs %s\n", rows, form, unique);
        rows++;
    }
    const char *gz_message = gzerror(f, &code);
    CHECK(code == Z_OK, "%s", gz_message); /* zlib names the file */
    gzclose(f);
    CHECK(rows == ARCH_N_CELLS && mismatches == 0, "%d rows, %d canonical forms differ from UniqueString", rows, mismatches);
}

int main(void) {
    test_malformed();
    test_round_trips();
    test_iso_counts();
    test_live_edges();
    test_unique_strings();
    TEST_EXIT();
}
