/* kv_file.c: the `key = value` line reader of configurations and ablation files (see kv_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "run/kv_file.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "whole_file.h"

enum { KV_MAX_FILE_BYTES = 1 << 20 };

void kv_error(const KvWhere *where, const char *fmt, ...) {
    char msg[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sn_die(SN_EXIT_USAGE, "%s:%d: %s", where->file, where->line, msg);
}

char *kv_trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

int kv_split(char *line, char **key, char **value) {
    char *eq = strchr(line, '=');
    if (!eq) return -1;
    *eq = '\0';
    *key = kv_trim(line), *value = kv_trim(eq + 1);
    return 0;
}

/* One line, its comment already cut off and trimmed. */
static void parse_line(char *line, const KvWhere *where, KvSyntax syntax, KvHandler handle, void *ctx) {
    size_t n = strlen(line);
    char *key, *value;
    if (syntax != KV_PLAIN && line[0] == '[') {
        if (line[n - 1] != ']' || n < 3) kv_error(where, "malformed section header '%s'", line);
        line[n - 1] = '\0';
        if (syntax == KV_SECTION_LINES) handle(ctx, where, kv_trim(line + 1), NULL);
        return;
    }
    if (kv_split(line, &key, &value) != 0) kv_error(where, "expected 'key = value', got '%s'", line);
    handle(ctx, where, key, value);
}

void kv_parse_text(char *text, const char *file, KvSyntax syntax, KvHandler handle, void *ctx) {
    KvWhere where = {file, 0};
    if (strncmp(text, "\xef\xbb\xbf", 3) == 0)
        sn_die(SN_EXIT_USAGE, "%s:1: starts with a UTF-8 byte-order mark (EF BB BF); save the file without it", file);
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        where.line++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        line = kv_trim(line);
        if (*line) parse_line(line, &where, syntax, handle, ctx);
    }
}

void kv_parse_file(const char *path, KvSyntax syntax, KvHandler handle, void *ctx) {
    char why[256];
    size_t len;
    char *text = read_whole_file(path, KV_MAX_FILE_BYTES, &len, why, sizeof why);
    if (!text) sn_die(SN_EXIT_USAGE, "%s: %s", path, why);
    if (strlen(text) != len) sn_die(SN_EXIT_USAGE, "%s: not a text file (NUL byte at offset %zu)", path, strlen(text));
    kv_parse_text(text, path, syntax, handle, ctx);
    free(text);
}
