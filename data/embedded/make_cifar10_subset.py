#!/usr/bin/env python3
"""One-time generator (not used at run time) of the embedded default dataset cifar10-subset.bin.

From a CIFAR-10 binary folder it takes, in file order, the first 250 images of each class in
data_batch_1.bin as the search-train part, the next 250 of each class as the search-valid part, and
the first 100 of each class in test_batch.bin as the test part. It writes them as 6,000 CIFAR-10
records (1 label byte + 3,072 pixel bytes): records 0..2499 train, 2500..4999 valid, 5000..5999 test,
and cifar10-subset.sources.txt naming the source record (and upstream file, when the folder has a
source-order.txt.gz) of every record.

usage: make_cifar10_subset.py CIFAR10_BIN_FOLDER OUT_FOLDER
"""
import gzip
import os
import sys

RECORD = 3073
PER_CLASS = {"train": 250, "valid": 250, "test": 100}


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    return [data[i:i + RECORD] for i in range(0, len(data), RECORD)]


def upstream_names(folder):
    path = os.path.join(folder, "source-order.txt.gz")
    if not os.path.exists(path):
        return {}
    with gzip.open(path, "rt") as f:
        return {(a, int(b)): c for a, b, c in (line.split() for line in f)}


def pick(recs, parts):
    counts = {p: [0] * 10 for p in parts}
    chosen = {p: [] for p in parts}
    for i, r in enumerate(recs):
        for p in parts:
            if counts[p][r[0]] < PER_CLASS[p]:
                counts[p][r[0]] += 1
                chosen[p].append(i)
                break
    return chosen


def main(folder, out):
    train_recs = records(os.path.join(folder, "data_batch_1.bin"))
    test_recs = records(os.path.join(folder, "test_batch.bin"))
    a = pick(train_recs, ["train", "valid"])
    b = pick(test_recs, ["test"])
    names = upstream_names(folder)
    plan = [("data_batch_1.bin", train_recs, i) for i in a["train"] + a["valid"]]
    plan += [("test_batch.bin", test_recs, i) for i in b["test"]]
    with open(os.path.join(out, "cifar10-subset.bin"), "wb") as f:
        for _, recs, i in plan:
            f.write(recs[i])
    with open(os.path.join(out, "cifar10-subset.sources.txt"), "w") as f:
        f.write("# record source_file source_record upstream_jpeg label\n")
        for k, (name, recs, i) in enumerate(plan):
            f.write(f"{k} {name} {i} {names.get((name, i), '-')} {recs[i][0]}\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
