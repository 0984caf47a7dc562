/* json_fields.c: flat JSON fields by key (see json_fields.h). */
#include "run/json_fields.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the value of "key" starts (after the colon and any blanks), or NULL. */
static const char *value_of(const char *text, const char *key) {
    char pattern[96];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *k = strstr(text, pattern);
    if (!k) return NULL;
    k += strlen(pattern);
    k += strspn(k, " \t\r\n");
    if (*k != ':') return NULL;
    return k + 1 + strspn(k + 1, " \t\r\n");
}

double json_field_number(const char *text, const char *key) {
    const char *v = value_of(text, key);
    char *end = NULL;
    double x = v ? strtod(v, &end) : NAN;
    return v && end != v && isfinite(x) ? x : NAN;
}

int json_field_text(const char *text, const char *key, char *out, size_t n) {
    const char *v = value_of(text, key);
    out[0] = '\0';
    if (!v || *v != '"') return -1;
    size_t len = strcspn(v + 1, "\"");
    if (v[1 + len] != '"') return -1;
    if (len >= n) len = n - 1;
    memcpy(out, v + 1, len);
    out[len] = '\0';
    return 0;
}
