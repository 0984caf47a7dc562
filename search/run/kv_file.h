/*
 * kv_file.h: the reader of `key = value` files, line by line: the search configurations (config.h)
 * and the ablation files (ablation.h). Their common syntax:
 *   - `#` starts a comment that runs to the end of the line; blank lines are skipped;
 *   - every other line is `key = value`, split at its first `=`, both sides trimmed of white space
 *     (the value may be empty and may hold further `=`);
 *   - a `[name]` line is a section header: with KV_SECTIONS it is skipped (sections only group keys
 *     for the reader), with KV_SECTION_LINES it is handed to the caller (whose sections mean
 *     something, e.g. an ablation file's `[grid]`), with KV_PLAIN it is an error like any other line
 *     without `=`.
 * Every error is one line naming file:line, exit status 2. What keys and sections exist and what
 * they mean is the caller's: it gets every `key = value` line (and `[name]` line) in order.
 */
#ifndef SN_KV_FILE_H
#define SN_KV_FILE_H

#include <stdnoreturn.h>

typedef enum { KV_PLAIN, KV_SECTIONS, KV_SECTION_LINES } KvSyntax;

/* Where a line is, for messages. */
typedef struct {
    const char *file;
    int line; /* 1-based */
} KvWhere;

/* Called for each `key = value` line; key and value are trimmed and may be modified in place. With
 * KV_SECTION_LINES also for each `[name]` line, with key = name (trimmed) and value = NULL. */
typedef void (*KvHandler)(void *ctx, const KvWhere *where, char *key, char *value);

/* Parses text (modified in place) as if it were the file named `file`. */
void kv_parse_text(char *text, const char *file, KvSyntax syntax, KvHandler handle, void *ctx);
/* Reads the file at path (a text file of at most 1 MiB) and parses it. */
void kv_parse_file(const char *path, KvSyntax syntax, KvHandler handle, void *ctx);

/* Splits "key = value" in place at its first `=` into the trimmed key and value; returns -1 and
 * leaves line untouched if it has no `=`. */
int kv_split(char *line, char **key, char **value);
/* s without its leading and trailing white space (the trailing part is cut off in place). */
char *kv_trim(char *s);

/* A user error at `where`: "file:line: message" on stderr, exit 2. */
noreturn void kv_error(const KvWhere *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
