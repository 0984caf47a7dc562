/* test_one_cell_net.c: the benchmark's evaluation network of one cell (SupernetConfig.single_cell).
 * Its parameter count against the table's `params` column for every cell and all three datasets (equal
 * except on the 150 cells of the benchmark's quirk list), the networks really built against that count
 * and holding no weight of an op the cell lacks, and evaluation with the running statistics of its
 * affine cell BNs. supernet_reset_for_cell: a network re-initialised for another cell with its
 * convolutions on the same edges equals a freshly built one (weights, statistics, evaluation), and one
 * whose convolutions differ is refused. Its gradients are checked by finite differences in
 * test_supernet_grad.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "supernet.h"
#include "table.h"
#include "test_util.h"
#include "testlib.h"

static SupernetConfig one_cell_config(Arch cell, int classes, int image_size, int batch) {
    return (SupernetConfig){.channels = 16, .cells = 5, .classes = classes, .in_channels = 3, .image_size = image_size,
                            .max_batch = batch, .max_eval_batch = batch, .seed = 3, .single_cell = 1, .cell = cell};
}

static int read_quirks(int *listed, int cap) {
    FILE *f = fopen(fixture_file("params_formula_mismatch.csv"), "r");
    CHECK(f != NULL, "cannot open the params quirk list");
    if (!f) return 0;
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < cap)
        if (line[0] >= '0' && line[0] <= '9') listed[n++] = atoi(line);
    fclose(f);
    return n;
}

static void test_counts_match_table(const Table *t) {
    int quirks[200], n_quirks = read_quirks(quirks, 200);
    char *quirk = calloc(TABLE_N_ARCHS, 1);
    for (int k = 0; k < n_quirks; k++) quirk[quirks[k]] = 1;
    const int classes[TABLE_N_NETS] = {10, 100, 120}, sizes[TABLE_N_NETS] = {32, 32, 16};
    int equal = 0, differ_listed = 0, differ_unlisted = 0;
    for (int i = 0; i < TABLE_N_ARCHS; i++) {
        const TableArch *r = table_arch(t, i);
        int differs = 0;
        for (int net = 0; net < TABLE_N_NETS; net++) {
            SupernetConfig cfg = one_cell_config(arch_from_code(r->code), classes[net], sizes[net], 1);
            differs |= fabs((double)supernet_count_weights(&cfg) / 1e6 - r->params_m[net]) > 5e-7;
        }
        equal += !differs;
        differ_listed += differs && quirk[i];
        differ_unlisted += differs && !quirk[i];
    }
    CHECK(n_quirks == 150 && equal == TABLE_N_ARCHS - 150 && differ_listed == 150 && differ_unlisted == 0,
          "params: %d cells equal the table, %d listed quirks differ, %d unlisted cells differ", equal, differ_listed,
          differ_unlisted);
    free(quirk);
}

static int has_tensor_with(const Supernet *net, const char *part) {
    for (int i = 0; i < supernet_num_tensors(net); i++)
        if (strstr(supernet_tensor(net, i)->name, part)) return 1;
    return 0;
}

/* Built networks hold exactly the counted weights, and only the ops of their cell. */
static void test_built_networks(void) {
    const char *cells[] = {"303101", "444444", "333333", "222222", "000000", "311401"};
    for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
        Arch a = arch_from_code((int)strtol(cells[k], NULL, 5));
        SupernetConfig cfg = one_cell_config(a, 10, 32, 2);
        Supernet *net = supernet_create(&cfg);
        int has1 = 0, has3 = 0;
        for (int e = 0; e < ARCH_N_EDGES; e++) has1 |= a.op[e] == OP_CONV1, has3 |= a.op[e] == OP_CONV3;
        CHECK(supernet_num_weights(net) == supernet_count_weights(&cfg), "cell %s: built %zu weights, counted %zu",
              cells[k], supernet_num_weights(net), supernet_count_weights(&cfg));
        CHECK(has_tensor_with(net, "conv1x1.weight") == has1 && has_tensor_with(net, "conv3x3.weight") == has3,
              "cell %s: its conv tensors do not match its ops", cells[k]);
        CHECK(has_tensor_with(net, "_bn.running_var") == (has1 || has3) && has_tensor_with(net, "_bn.bias") == (has1 || has3),
              "cell %s: cell BNs without affine parameters or running statistics", cells[k]);
        supernet_free(net);
    }
}

/* max |got - want| relative to max |want| */
static double relative_gap(const float *got, const float *want, size_t n) {
    double gap = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        gap = fmax(gap, fabs((double)got[i] - want[i]));
        scale = fmax(scale, fabs((double)want[i]));
    }
    return gap / scale;
}

/* Training on one batch over and over moves the running statistics to that batch's; evaluation with
 * them then gives nearly the training pass's logits, and with batch statistics exactly them. */
static void test_running_statistics(void) {
    enum { B = 8, HW = 32, CLASSES = 10 }; /* 8 x 8 x 8 values per channel in the last stage: its unbiased
                                            * running variance is within 0.2 % of the batch's */
    Arch a = arch_from_code((int)strtol("313241", NULL, 5));
    SupernetConfig cfg = one_cell_config(a, CLASSES, HW, B);
    cfg.cells = 1;
    Supernet *net = supernet_create(&cfg);
    Rng rng;
    rng_seed(&rng, 5, 0);
    float *images = random_array((size_t)B * 3 * HW * HW, &rng, -2, 2);
    int32_t labels[B] = {0, 1, 2, 3, 4, 5, 6, 7};
    NetSelection sel = {&a, NULL};
    float train_logits[B * CLASSES], eval_logits[B * CLASSES];
    supernet_evaluate(net, images, labels, B, sel, NULL, eval_logits);
    supernet_forward(net, images, labels, B, sel, NULL);
    memcpy(train_logits, supernet_logits(net), sizeof train_logits);
    double before = relative_gap(eval_logits, train_logits, B * CLASSES);
    for (int i = 0; i < 150; i++) supernet_forward(net, images, labels, B, sel, NULL);
    supernet_evaluate(net, images, labels, B, sel, NULL, eval_logits);
    double after = relative_gap(eval_logits, train_logits, B * CLASSES);
    CHECK(before > 0.1 && after < 0.02, "running statistics: eval vs train logits %.4g before, %.4g after", before, after);
    supernet_set_eval_batch_stats(net, 1);
    supernet_evaluate(net, images, labels, B, sel, NULL, eval_logits);
    double batch_stats = relative_gap(eval_logits, train_logits, B * CLASSES);
    CHECK(batch_stats < 1e-5, "batch statistics in evaluation: logits differ from training's by %.3g", batch_stats);
    sn_free(images);
    supernet_free(net);
}

static void test_reset_for_cell(void) {
    Arch first = {{OP_CONV3, OP_SKIP, OP_CONV1, OP_NONE, OP_POOL, OP_CONV3}};
    Arch second = {{OP_CONV3, OP_POOL, OP_CONV1, OP_SKIP, OP_NONE, OP_CONV3}}; /* the same convolutions */
    Arch other = {{OP_CONV1, OP_POOL, OP_CONV1, OP_SKIP, OP_NONE, OP_CONV3}};
    SupernetConfig a = one_cell_config(first, 10, 16, 4), b = one_cell_config(second, 10, 16, 4);
    a.image_size = b.image_size = 16;
    Supernet *reused = supernet_create(&a), *fresh = supernet_create(&b);
    Rng rng;
    rng_seed(&rng, 8, 0);
    float *images = random_array(4 * 3 * 16 * 16, &rng, -1, 1), logits[2][40];
    int32_t labels[4] = {1, 2, 3, 4};
    supernet_forward(reused, images, labels, 4, (NetSelection){&first, NULL}, NULL); /* moves its statistics */
    supernet_set_bn_frozen(reused, 1);
    CHECK(supernet_reset_for_cell(reused, &other) == -1, "a cell with other convolutions was accepted");
    CHECK(supernet_reset_for_cell(reused, &second) == 0, "a cell with the same convolutions was refused");
    size_t n = supernet_weights_floats(fresh);
    CHECK(n == supernet_weights_floats(reused) && memcmp(supernet_weights(fresh), supernet_weights(reused), n * sizeof(float)) == 0,
          "the re-initialised weights differ from a fresh network's");
    supernet_evaluate(reused, images, labels, 4, (NetSelection){&second, NULL}, NULL, logits[0]);
    supernet_evaluate(fresh, images, labels, 4, (NetSelection){&second, NULL}, NULL, logits[1]);
    CHECK(memcmp(logits[0], logits[1], sizeof logits[0]) == 0, "the re-initialised network evaluates differently");
    sn_free(images);
    supernet_free(reused), supernet_free(fresh);
}

int main(void) {
    char path[4096], err[512];
    const char *root = getenv("SUPERNET_ROOT");
    snprintf(path, sizeof path, "%s/data/nasbench201.sntab", root ? root : "..");
    Table *t = NULL;
    CHECK(table_load_checked(path, &t, err, sizeof err) == 0, "%s", err);
    if (!t) TEST_EXIT();
    test_counts_match_table(t);
    test_built_networks();
    test_running_statistics();
    test_reset_for_cell();
    table_free(t);
    TEST_EXIT();
}
