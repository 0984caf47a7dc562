/* train_setting.c: the benchmark's dataset settings for training one cell (see train_setting.h). */
#include "train/train_setting.h"

#include <string.h>
#include <strings.h>

#include "splits.h"

const char *const TRAIN_EVAL_NAMES[TRAIN_N_EVALS] = {"valid", "test"};

static const TrainSetting SETTINGS[] = {
    {"cifar10-valid", DATASET_CIFAR10, 0, 0, {1, 1}},
    {"cifar10", DATASET_CIFAR10, 0, 1, {0, 1}},
    {"cifar100", DATASET_CIFAR100, 0, 0, {1, 1}},
    {"ImageNet16-120", DATASET_IMAGENET16_120, 0, 0, {1, 1}},
    {"fashion-mnist", DATASET_FASHION_MNIST, 0, 1, {0, 1}},
    {"embedded", DATASET_CIFAR10, 1, 0, {1, 1}},
};
#define N_SETTINGS ((int)(sizeof SETTINGS / sizeof SETTINGS[0]))

int train_setting_column(const TrainSetting *s, int k) {
    return s->embedded ? -1 : table_column_find(s->name, TRAIN_EVAL_NAMES[k]);
}

double train_table_accuracy(const TableArch *cell, const char *recipe, int column) {
    return strcmp(recipe, "nb201-12") == 0 ? cell->acc12[column] : cell->acc200[column];
}

const TrainSetting *train_setting_find(const char *name) {
    for (int i = 0; i < N_SETTINGS; i++)
        if (strcasecmp(SETTINGS[i].name, name) == 0) return &SETTINGS[i];
    return NULL;
}

const TrainSetting *train_setting_default(DatasetKind kind, int embedded) {
    for (int i = 0; i < N_SETTINGS; i++)
        if (SETTINGS[i].kind == kind && SETTINGS[i].embedded == embedded) return &SETTINGS[i];
    return NULL;
}

void train_setting_subsets(const TrainSetting *s, const Dataset *d, Subset *train, Subset eval[TRAIN_N_EVALS]) {
    if (s->train_all) subset_range(train, &d->train, 0, d->train.n);
    else *train = d->search_train;
    const Subset *from[TRAIN_N_EVALS] = {&d->search_valid, &d->eval_test};
    for (int k = 0; k < TRAIN_N_EVALS; k++) {
        eval[k] = *from[k];
        if (!s->eval[k]) eval[k].n = 0;
    }
}
