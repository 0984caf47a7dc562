/*
 * arch_iso.c: the canonical form of a cell (README "Isomorphism"). Each node is written as the
 * expression it computes: node 0 is "0"; an edge j->i contributes "(<node j>)@<op>", except that
 * skip_connect contributes <node j> itself and, when zeros are folded, none (or a source node whose
 * expression is exactly "#") contributes "#". A node is its contributions sorted bytewise and joined
 * with "+". The cell's form is node 3's expression. This reproduces the benchmark's UniqueString.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "common.h"

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void edge_term(const char *source, int op, int with_none, char *out) {
    if (with_none && (op == OP_NONE || strcmp(source, "#") == 0))
        snprintf(out, ARCH_CANON_MAX, "#");
    else if (op == OP_SKIP)
        snprintf(out, ARCH_CANON_MAX, "%s", source);
    else
        snprintf(out, ARCH_CANON_MAX, "(%s)@%s", source, ARCH_OP_NAMES[op]);
}

void arch_canonical(const Arch *a, int with_none, char out[ARCH_CANON_MAX]) {
    static const size_t N = ARCH_N_NODES;
    char node[ARCH_N_NODES][ARCH_CANON_MAX];
    char term[ARCH_N_NODES - 1][ARCH_CANON_MAX];
    snprintf(node[0], ARCH_CANON_MAX, "0");
    for (size_t i = 1, edge = 0; i < N; i++) {
        char *sorted[ARCH_N_NODES - 1];
        for (size_t j = 0; j < i; j++, edge++) {
            edge_term(node[j], a->op[edge], with_none, term[j]);
            sorted[j] = term[j];
        }
        qsort(sorted, i, sizeof sorted[0], compare_strings);
        size_t n = 0;
        for (size_t j = 0; j < i; j++) n += (size_t)snprintf(node[i] + n, ARCH_CANON_MAX - n, j ? "+%s" : "%s", sorted[j]);
    }
    snprintf(out, ARCH_CANON_MAX, "%s", node[N - 1]);
}

typedef struct {
    char *form;
    int code;
} CodeForm;

static int compare_forms(const void *a, const void *b) {
    const CodeForm *x = a, *y = b;
    int c = strcmp(x->form, y->form);
    return c ? c : x->code - y->code;
}

int arch_iso_classes(int with_none, int32_t class_of_code[ARCH_N_CELLS]) {
    CodeForm *forms = sn_alloc(sizeof(CodeForm) * ARCH_N_CELLS);
    int32_t *group_of_code = sn_alloc(sizeof(int32_t) * ARCH_N_CELLS);
    int32_t *renumber = sn_alloc(sizeof(int32_t) * ARCH_N_CELLS);
    char buf[ARCH_CANON_MAX];
    for (int code = 0; code < ARCH_N_CELLS; code++) {
        Arch a = arch_from_code(code);
        arch_canonical(&a, with_none, buf);
        forms[code] = (CodeForm){sn_strdup(buf), code};
    }
    qsort(forms, ARCH_N_CELLS, sizeof forms[0], compare_forms);
    int groups = 0;
    for (int k = 0; k < ARCH_N_CELLS; k++) {
        if (k == 0 || strcmp(forms[k].form, forms[k - 1].form) != 0) renumber[groups++] = -1;
        group_of_code[forms[k].code] = groups - 1;
    }
    int classes = 0; /* renumber groups in order of their smallest code */
    for (int code = 0; code < ARCH_N_CELLS; code++) {
        int32_t *id = &renumber[group_of_code[code]];
        if (*id < 0) *id = classes++;
        class_of_code[code] = *id;
    }
    for (int k = 0; k < ARCH_N_CELLS; k++) sn_free(forms[k].form);
    sn_free(forms);
    sn_free(group_of_code);
    sn_free(renumber);
    return classes;
}

void arch_live_edges(const Arch *a, int live[ARCH_N_EDGES]) {
    int from_input[ARCH_N_NODES] = {1, 0, 0, 0}, to_output[ARCH_N_NODES] = {0, 0, 0, 1};
    for (int e = 0; e < ARCH_N_EDGES; e++) /* edges are in order of their target node */
        if (a->op[e] != OP_NONE && from_input[arch_edge_from(e)]) from_input[arch_edge_to(e)] = 1;
    for (int e = ARCH_N_EDGES - 1; e >= 0; e--)
        if (a->op[e] != OP_NONE && to_output[arch_edge_to(e)]) to_output[arch_edge_from(e)] = 1;
    for (int e = 0; e < ARCH_N_EDGES; e++) live[e] = from_input[arch_edge_from(e)] && to_output[arch_edge_to(e)];
}
