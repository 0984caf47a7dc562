/* arch.c: the NAS-Bench-201 cell: string parsing and formatting, base-5 codes (see arch.h). */
#include "arch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

const char *const ARCH_OP_NAMES[ARCH_N_OPS] = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                               "avg_pool_3x3"};

/* Edge e = i<-j listed node by node: node 1 owns edge 0, node 2 edges 1-2, node 3 edges 3-5. */
static const int EDGE_FROM[ARCH_N_EDGES] = {0, 0, 1, 0, 1, 2};
static const int EDGE_TO[ARCH_N_EDGES] = {1, 2, 2, 3, 3, 3};

int arch_edge_from(int edge) { return EDGE_FROM[edge]; }
int arch_edge_to(int edge) { return EDGE_TO[edge]; }

/* ---------------------------------------------------------------------------------------------
 * Parsing: a cursor over the text that records the first error. */

typedef struct {
    const char *text;
    size_t pos;
    char *err;
    size_t err_len;
} Parser;

static int fail(Parser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Parser *p, size_t at, const char *fmt, ...) {
    va_list ap;
    char what[160];
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (p->err && p->err_len) snprintf(p->err, p->err_len, "%s at offset %zu", what, at);
    return -1;
}

static char peek(const Parser *p) { return p->text[p->pos]; }

static int expect(Parser *p, char c, const char *context) {
    char got = peek(p);
    if (got == c) {
        p->pos++;
        return 0;
    }
    if (got == '\0') return fail(p, p->pos, "string ends where '%c' %s was expected", c, context);
    return fail(p, p->pos, "expected '%c' %s, found '%c'", c, context, got);
}

/* Op name: everything up to the next '~', '|' or '+'. */
static int parse_op(Parser *p, int node, int input) {
    size_t start = p->pos;
    while (peek(p) && !strchr("~|+", peek(p))) p->pos++;
    size_t len = p->pos - start;
    if (len == 0) {
        if (peek(p) == '\0') return fail(p, start, "string ends inside node %d (edge from node %d missing)", node, input);
        return fail(p, start, "missing op name for edge %d<-%d", node, input);
    }
    if (peek(p) == '\0') return fail(p, start, "string ends inside node %d, in op name '%.*s'", node, (int)(len > 40 ? 40 : len), p->text + start);
    for (int op = 0; op < ARCH_N_OPS; op++)
        if (strlen(ARCH_OP_NAMES[op]) == len && strncmp(p->text + start, ARCH_OP_NAMES[op], len) == 0) return op;
    return fail(p, start, "unknown op '%.*s' on edge %d<-%d", (int)(len > 40 ? 40 : len), p->text + start, node, input);
}

static int parse_input_index(Parser *p, int node, int input) {
    size_t start = p->pos;
    long v = 0;
    while (peek(p) >= '0' && peek(p) <= '9' && p->pos - start < 6) v = v * 10 + (p->text[p->pos++] - '0');
    if (p->pos == start) {
        if (peek(p) == '\0') return fail(p, start, "string ends where the input index of edge %d<-%d was expected", node, input);
        return fail(p, start, "expected an input index digit after '~', found '%c'", peek(p));
    }
    if (p->pos - start > 1) return fail(p, start, "input index '%.*s' of node %d is not a single digit", (int)(p->pos - start), p->text + start, node);
    if (v != input) return fail(p, start, "node %d lists input %ld where input %d was expected (inputs go 0..%d in order)", node, v, input, node - 1);
    return 0;
}

/* After an edge's closing '|': is the node finished, and is that what we expected? */
static int check_edge_count(Parser *p, int node, int edges_read) {
    char c = peek(p);
    int at_boundary = (c == '+' || c == '\0');
    if (edges_read < node && at_boundary)
        return fail(p, p->pos, "node %d has %d edge(s), expected %d", node, edges_read, node);
    if (edges_read == node && !at_boundary) {
        int op_like = (c >= 'a' && c <= 'z') || c == '_' || c == '|';
        if (op_like && strchr(p->text + p->pos, '~')) return fail(p, p->pos, "node %d has more than %d edge(s)", node, node);
        if (node < ARCH_N_NODES - 1) return fail(p, p->pos, "expected '+' between nodes, found '%c'", c);
        return fail(p, p->pos, "stray character '%c' after node %d", c, node);
    }
    return 0;
}

static int parse_node(Parser *p, int node, Arch *out) {
    if (node > 1) {
        if (peek(p) == '\0') return fail(p, p->pos, "string has %d node(s), expected 3", node - 1);
        if (expect(p, '+', "between nodes") != 0) return -1;
    }
    if (expect(p, '|', "to open a node") != 0) return -1;
    for (int input = 0; input < node; input++) {
        int op = parse_op(p, node, input);
        if (op < 0) return -1;
        if (expect(p, '~', "after an op name") != 0) return -1;
        if (parse_input_index(p, node, input) != 0) return -1;
        if (expect(p, '|', "after an input index") != 0) return -1;
        int edge = (node - 1) * node / 2 + input;
        out->op[edge] = (uint8_t)op;
        if (check_edge_count(p, node, input + 1) != 0) return -1;
    }
    return 0;
}

int arch_parse(const char *text, Arch *out, char *err, size_t err_len) {
    Parser p = {.text = text, .pos = 0, .err = err, .err_len = err_len};
    Arch a = {{0}};
    if (text[0] == '\0') return fail(&p, 0, "empty architecture string");
    for (int node = 1; node < ARCH_N_NODES; node++)
        if (parse_node(&p, node, &a) != 0) return -1;
    if (peek(&p) == '+') return fail(&p, p.pos, "string has more than 3 nodes");
    *out = a;
    return 0;
}

void arch_format(const Arch *a, char out[ARCH_STR_MAX]) {
    size_t n = 0;
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        if (EDGE_FROM[e] == 0) n += (size_t)snprintf(out + n, ARCH_STR_MAX - n, e ? "+|" : "|");
        n += (size_t)snprintf(out + n, ARCH_STR_MAX - n, "%s~%d|", ARCH_OP_NAMES[a->op[e]], EDGE_FROM[e]);
    }
}

void arch_format_code(int code, char out[ARCH_STR_MAX]) {
    Arch a = arch_from_code(code);
    arch_format(&a, out);
}

/* ---------------------------------------------------------------------------------------------
 * Codes: the first edge is the most significant base-5 digit, so the digit string reads like the
 * op_e columns of the table. */

int arch_to_code(const Arch *a) {
    int code = 0;
    for (int e = 0; e < ARCH_N_EDGES; e++) code = code * ARCH_N_OPS + a->op[e];
    return code;
}

Arch arch_from_code(int code) {
    SN_ASSERT(code >= 0 && code < ARCH_N_CELLS, "arch code %d out of range", code);
    Arch a;
    for (int e = ARCH_N_EDGES - 1; e >= 0; e--) {
        a.op[e] = (uint8_t)(code % ARCH_N_OPS);
        code /= ARCH_N_OPS;
    }
    return a;
}

void arch_code_digits(int code, char out[ARCH_N_EDGES + 1]) {
    Arch a = arch_from_code(code);
    for (int e = 0; e < ARCH_N_EDGES; e++) out[e] = (char)('0' + a.op[e]);
    out[ARCH_N_EDGES] = '\0';
}

int arch_code_parse(const char *digits) {
    int code = 0;
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        if (digits[e] < '0' || digits[e] >= '0' + ARCH_N_OPS) return -1;
        code = code * ARCH_N_OPS + (digits[e] - '0');
    }
    return digits[ARCH_N_EDGES] == '\0' ? code : -1;
}
