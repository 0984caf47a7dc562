/* fixture.c: see fixture.h. */
#include "fixture.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static int read_u32(FILE *fp, uint32_t *v) { return fread(v, sizeof *v, 1, fp) == 1; }

static int read_tensor(FILE *fp, FixtureTensor *t) {
    uint32_t len, ndims, dim;
    if (!read_u32(fp, &len) || len >= sizeof t->name || fread(t->name, 1, len, fp) != len) return 0;
    t->name[len] = '\0';
    if (!read_u32(fp, &ndims) || ndims > 4) return 0;
    t->ndims = (int)ndims;
    t->count = 1;
    for (uint32_t d = 0; d < ndims; d++) {
        if (!read_u32(fp, &dim)) return 0;
        t->dims[d] = (int)dim;
        t->count *= dim;
    }
    t->data = sn_alloc(t->count * sizeof(float));
    return fread(t->data, sizeof(float), t->count, fp) == t->count;
}

int fixture_load(Fixture *f, const char *path) {
    memset(f, 0, sizeof *f);
    FILE *fp = fopen(path, "rb");
    char magic[4];
    uint32_t version, count;
    if (!fp) return 0;
    int ok = fread(magic, 1, 4, fp) == 4 && memcmp(magic, "SNFX", 4) == 0 && read_u32(fp, &version) && version == 1 &&
             read_u32(fp, &count);
    if (ok) {
        f->tensors = sn_alloc(sizeof(FixtureTensor) * count);
        for (uint32_t i = 0; i < count && ok; i++, f->count++) ok = read_tensor(fp, &f->tensors[i]);
    }
    fclose(fp);
    return ok;
}

const FixtureTensor *fixture_get(const Fixture *f, const char *name) {
    for (int i = 0; i < f->count; i++)
        if (strcmp(f->tensors[i].name, name) == 0) return &f->tensors[i];
    return NULL;
}

void fixture_free(Fixture *f) {
    for (int i = 0; i < f->count; i++) sn_free(f->tensors[i].data);
    sn_free(f->tensors);
    memset(f, 0, sizeof *f);
}
