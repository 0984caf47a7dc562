#!/usr/bin/env python3
"""One-time converter (needs numpy; never used at run time) from the downsampled-ImageNet 16x16
pickles to the record files the engine reads for ImageNet16-120.

Input folder: train_data_batch_1 .. train_data_batch_10 and val_data, each a Python pickle (load with
latin1) of a dict with 'data' (uint8, N x 768: the R, G, B planes of a 16x16 image, row-major) and
'labels' (class ids 1..1000). As the reference (xautodl DownsampledImageNet.py), only classes 1..120 are
kept and the stored label is class - 1; images keep their file order (train batches 1..10 in turn),
which is the order the NAS-Bench-201 split lists index into.

Output: imagenet16-120-train.bin (151,700 records expected) and imagenet16-120-val.bin (6,000), each
record 1 label byte (0..119) + 768 pixel bytes.

usage: convert_imagenet16.py PICKLE_FOLDER OUT_FOLDER
"""
import os
import pickle
import sys

import numpy as np

PARTS = {
    "imagenet16-120-train.bin": ([f"train_data_batch_{i}" for i in range(1, 11)], 151700),
    "imagenet16-120-val.bin": (["val_data"], 6000),
}


def convert(folder, names, out_path):
    n = 0
    with open(out_path, "wb") as out:
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                d = pickle.load(f, encoding="latin1")
            data = np.asarray(d["data"], dtype=np.uint8)
            labels = np.asarray(d["labels"], dtype=np.int64)
            if data.ndim != 2 or data.shape[1] != 768 or len(labels) != len(data):
                sys.exit(f"{name}: expected N x 768 data and N labels, got {data.shape} and {len(labels)}")
            keep = (labels >= 1) & (labels <= 120)
            records = np.empty((int(keep.sum()), 769), dtype=np.uint8)
            records[:, 0] = labels[keep] - 1
            records[:, 1:] = data[keep]
            out.write(records.tobytes())
            n += len(records)
    return n


def main(folder, out_folder):
    for out_name, (names, expected) in PARTS.items():
        n = convert(folder, names, os.path.join(out_folder, out_name))
        note = "" if n == expected else f" (the official ImageNet16-120 has {expected})"
        print(f"{out_name}: {n} images{note}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
