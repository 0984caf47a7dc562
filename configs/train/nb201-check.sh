#!/bin/sh
# The independent check of the engine against the benchmark (search/train/README.md, root README):
# eight cells spanning the table's range trained with the benchmark's 12-epoch recipe on cifar10-valid,
# our final valid accuracy beside the table's 12-epoch cifar10-valid valid accuracy. The cells: the
# ResNet cell 11472 and the best cell 6111 (both near the top, 83.7 / 84.4), all-pooling 7581 (27.1,
# the floor of cells that learn), all-1x1 4317 (66.5), and cells at the 10th, 25th, 50th and 75th
# percentiles of the 12-epoch column (3012 55.0, 48 65.3, 10246 72.4, 11014 76.5).
# Rerunning it skips finished cells and resumes the others. Run from the project root:
#   configs/train/nb201-check.sh [CIFAR-10 folder] [output folder]
set -e
BIN=${SUPERNET:-./build/supernet}
DATA=${1:-../shared/datasets/cifar-10-batches-bin}
OUT=${2:-logs/train/nb201-check}
"$BIN" train --cells 11472,6111,7581,4317,10246,11014,3012,48 --data "$DATA" --dataset cifar10-valid \
    --recipe nb201-12 --logs "$OUT" --threads "${THREADS:-2}" --quiet
"$BIN" train --report "$OUT"
