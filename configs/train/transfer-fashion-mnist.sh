#!/bin/sh
# The transfer study (root README): does a cell's rank on CIFAR-10 carry over to Fashion-MNIST? Ten
# cells spread over the table's CIFAR-10 ranking (the eight of nb201-check.sh, all-3x3 1462 and 897)
# trained with a reduced recipe on Fashion-MNIST: nb201-12's optimizer and schedule compressed to 3
# epochs on the first 15,000 training images, scored on the 10,000 test images; their accuracies against
# the table's 12-epoch cifar10-valid accuracy (Spearman, Kendall, the scatter plot comparison.png).
# Debian's dataset-fashion-mnist installs the data. Run from the project root:
#   configs/train/transfer-fashion-mnist.sh [Fashion-MNIST folder] [output folder]
set -e
BIN=${SUPERNET:-./build/supernet}
DATA=${1:-/usr/share/datasets/fashion-mnist}
OUT=${2:-logs/train/transfer-fashion-mnist}
"$BIN" train --cells 11472,6111,7581,4317,10246,11014,3012,48,1462,897 --data "$DATA" --dataset fashion-mnist \
    --recipe nb201-12 --epochs 3 --set train_images=15000 --logs "$OUT" --threads "${THREADS:-2}" --quiet
"$BIN" train --report "$OUT" --against cifar10-valid
