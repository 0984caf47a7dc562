#!/usr/bin/env python3
"""train_cell_torch.py: an independent PyTorch training of one NAS-Bench-201 cell with the benchmark's
recipe, written from REFERENCE.md 1.4 / 2.1 and search/train/README.md (not from the engine), for
cross-checking `supernet train` on the same CIFAR-10 files: when the two agree, a gap between the engine
and the table is the data's or the table's, not the engine's. Debian's python3-torch; run once by hand,
never by the engine or the tests.

    /usr/bin/python3 tests/reference/train_cell_torch.py --arch 303101 --data ../shared/datasets/cifar-10-batches-bin \
        --epochs 3 --train-images 10000 --valid-images 5000 --threads 1

Trains on a seeded random `--train-images` of the 50k training images and evaluates on `--valid-images`
others (the benchmark's cifar10-valid halves are such a split); prints one JSON line per epoch.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn

MEAN = np.array([125.3, 123.0, 113.9]) / 255
STD = np.array([63.0, 62.1, 66.7]) / 255


def read_cifar(folder):
    xs, ys = [], []
    for k in range(1, 6):
        raw = np.fromfile(os.path.join(folder, f"data_batch_{k}.bin"), dtype=np.uint8).reshape(-1, 3073)
        ys.append(raw[:, 0].astype(np.int64))
        xs.append(raw[:, 1:].reshape(-1, 3, 32, 32))
    return np.concatenate(xs), np.concatenate(ys)


def normalise(x):
    x = torch.from_numpy(x).float() / 255
    return (x - torch.tensor(MEAN).float().view(1, 3, 1, 1)) / torch.tensor(STD).float().view(1, 3, 1, 1)


def augment(x, gen):
    """Flip with p = 0.5, zero padding by 4 in pixel space (normalised: -mean/std), a random 32x32 crop."""
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip.view(n, 1, 1, 1), x.flip(3), x)
    pad = torch.nn.functional.pad(x, (4, 4, 4, 4))
    fill = (-torch.tensor(MEAN) / torch.tensor(STD)).float().view(1, 3, 1, 1)
    border = torch.ones_like(x[:, :1])
    mask = torch.nn.functional.pad(border, (4, 4, 4, 4))
    pad = pad * mask + fill * (1 - mask)
    top = torch.randint(0, 9, (n,), generator=gen)
    left = torch.randint(0, 9, (n,), generator=gen)
    return torch.stack([pad[i, :, top[i]:top[i] + 32, left[i]:left[i] + 32] for i in range(n)])


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, stride, pad):
        super().__init__(nn.ReLU(), nn.Conv2d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm2d(cout))


def edge_op(op, c):
    if op == 1:
        return nn.Identity()
    if op == 2:
        return ReLUConvBN(c, c, 1, 1, 0)
    if op == 3:
        return ReLUConvBN(c, c, 3, 1, 1)
    if op == 4:
        return nn.AvgPool2d(3, 1, 1, count_include_pad=False)
    return None  # none: contributes nothing


EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


class Cell(nn.Module):
    def __init__(self, ops, c):
        super().__init__()
        self.ops = ops
        self.layers = nn.ModuleList([edge_op(op, c) or nn.Identity() for op in ops])

    def forward(self, x):
        nodes = [x]
        for i in range(1, 4):
            terms = [self.layers[e](nodes[j]) for e, (t, j) in enumerate(EDGES) if t == i and self.ops[e] != 0]
            nodes.append(sum(terms) if terms else torch.zeros_like(x))
        return nodes[3]


class Reduction(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = ReLUConvBN(cin, cout, 3, 2, 1)
        self.b = ReLUConvBN(cout, cout, 3, 1, 1)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(cin, cout, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.shortcut(x) + self.b(self.a(x))


class Net(nn.Module):
    def __init__(self, ops, c=16, n=5, classes=10):
        super().__init__()
        layers = [nn.Conv2d(3, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c)]
        for stage in range(3):
            if stage:
                layers.append(Reduction(c, 2 * c))
                c *= 2
            layers += [Cell(ops, c) for _ in range(n)]
        layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)


def evaluate(net, x, y, batch):
    net.eval()
    loss, hits = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(y), batch):
            out = net(x[s:s + batch])
            loss += nn.functional.cross_entropy(out, y[s:s + batch], reduction="sum").item()
            hits += (out.argmax(1) == y[s:s + batch]).sum().item()
    return loss / len(y), 100.0 * hits / len(y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", required=True, help="6 op digits in edge order (0 none .. 4 avg_pool_3x3)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--train-images", type=int, default=25000)
    ap.add_argument("--valid-images", type=int, default=25000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    x, y = read_cifar(args.data)
    order = np.random.default_rng(args.seed).permutation(len(y))
    tr, va = order[:args.train_images], order[len(y) - args.valid_images:]
    xtr, ytr = normalise(x[tr]), torch.from_numpy(y[tr])
    xva, yva = normalise(x[va]), torch.from_numpy(y[va])
    net = Net([int(d) for d in args.arch])
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    t0 = time.time()
    for epoch in range(args.epochs):
        for g in opt.param_groups:
            g["lr"] = 0.05 * (1 + math.cos(math.pi * epoch / args.epochs))
        net.train()
        perm = torch.randperm(len(ytr), generator=gen)
        loss_sum, hits = 0.0, 0
        for s in range(0, len(ytr), args.batch):
            idx = perm[s:s + args.batch]
            out = net(augment(xtr[idx], gen))
            loss = nn.functional.cross_entropy(out, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            hits += (out.argmax(1) == ytr[idx]).sum().item()
        vl, va_acc = evaluate(net, xva, yva, args.batch)
        print(json.dumps({"epoch": epoch, "seconds": round(time.time() - t0, 1), "lr": opt.param_groups[0]["lr"],
                          "train_loss": loss_sum / len(ytr), "train_acc": 100.0 * hits / len(ytr),
                          "valid_loss": vl, "valid_acc": va_acc}), flush=True)


if __name__ == "__main__":
    main()
