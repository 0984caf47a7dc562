/*
 * json_fields.h: fields of a flat JSON object read back by key: the summary.json files of search and
 * training runs, which this project writes itself (one object, no nesting the readers need, no escapes).
 */
#ifndef SN_JSON_FIELDS_H
#define SN_JSON_FIELDS_H

#include <stddef.h>

/* The number after "key" and its colon, or NaN when the key is missing or its value is not a finite
 * number (null included). */
double json_field_number(const char *text, const char *key);
/* The string after "key" and its colon into out (at most n - 1 bytes); 0, or -1 (out empty) when the
 * key is missing or its value is not a string. */
int json_field_text(const char *text, const char *key, char *out, size_t n);

#endif
