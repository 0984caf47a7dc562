/* fixture.h: reader for the reference fixtures written by the scripts in tests/reference: named float32 tensors
 * (format in tests/reference/make_supernet_fixture.py). */
#ifndef SN_FIXTURE_H
#define SN_FIXTURE_H

#include <stddef.h>

typedef struct {
    char name[96];
    int ndims, dims[4];
    size_t count;
    float *data;
} FixtureTensor;

typedef struct {
    FixtureTensor *tensors;
    int count;
} Fixture;

/* Loads the file; a missing or malformed file is a test failure reported by the caller (returns 0). */
int fixture_load(Fixture *f, const char *path);
const FixtureTensor *fixture_get(const Fixture *f, const char *name); /* NULL if absent */
void fixture_free(Fixture *f);

#endif
