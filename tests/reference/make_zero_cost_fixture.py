#!/usr/bin/python3
"""Independent PyTorch reference for the zero-cost proxies of `supernet rank`: run once, output committed.

The one-cell evaluation network of train_cell_torch.py (NAS-Bench-201's cell_infers: affine, tracked BNs,
one nn.ReLU module per layer) at C = 16, one cell per stage, 8x8 RGB inputs, 10 classes, in float64, for
three cells chosen for what they exercise: a general cell; a cell whose node 1 is all-`none` and read by
a convolution; a cell whose nodes 1 and 2 cannot reach the output. Weights are PyTorch's default
initialisation with BN gamma drawn around 1 (beta 0 and running statistics 0 / 1, as at initialisation).
For each cell and one batch of 6 images, the five proxies as zero-cost-nas / NASLib / the SynFlow and
NASWOT papers define them:
  grad_norm  sum over Conv2d and Linear layers of ||dL/dw||, L the mean cross-entropy, train mode
  snip       sum of |w * dL/dw| over the same layers (the weight-mask gradient), train mode
  synflow    every state_dict entry replaced by its absolute value, eval mode (SynFlow's), R = sum of
             the logits of one all-ones image, sum of |w * dR/dw| over Conv2d and Linear weights
  jacob_cov  -sum(log(v + 1e-5) + 1 / (v + 1e-5)), v the eigenvalues of numpy.corrcoef of the input
             gradients of the summed logits, train mode
  naswot     log|det K| of K = sum over every nn.ReLU call of c c^T + (1 - c)(1 - c)^T, c = (input > 0)
             per image, train mode
Tensor names match the C engine's, prefixed "<cell tag>." (the weights) and "<cell tag>.score.<proxy>";
"images", "labels" and "<tag>.arch" (op codes) are shared. Format: tests/reference/make_supernet_fixture.py.
Run: /usr/bin/python3 tests/reference/make_zero_cost_fixture.py tests/reference/zero_cost_fixture.bin
"""
import copy
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_supernet_fixture import write_fixture  # noqa: E402
from train_cell_torch import Cell, Net, Reduction  # noqa: E402

torch.manual_seed(20261203)
C, HW, CLASSES, BATCH = 16, 8, 10, 6
NONE, SKIP, CONV1, CONV3, POOL = range(5)
CELLS = {
    "general": [CONV3, CONV1, POOL, SKIP, NONE, CONV3],
    "zeronode": [NONE, CONV3, CONV1, SKIP, NONE, POOL],
    "deadnodes": [CONV1, CONV3, SKIP, CONV3, NONE, NONE],
}


def engine_names(net):
    """(engine tensor name, torch tensor) for every parameter and running statistic."""
    out, body, cell, reduce = [], list(net.body), 0, 0

    def bn(prefix, m):
        out.extend([(prefix + ".weight", m.weight), (prefix + ".bias", m.bias),
                    (prefix + ".running_mean", m.running_mean), (prefix + ".running_var", m.running_var)])

    out.append(("stem.conv.weight", body[0].weight))
    bn("stem.bn", body[1])
    for m in body[2:]:
        if isinstance(m, Reduction):
            r = f"reduce.{reduce}"
            out.append((r + ".conv_a.weight", m.a[1].weight))
            bn(r + ".bn_a", m.a[2])
            out.append((r + ".conv_b.weight", m.b[1].weight))
            bn(r + ".bn_b", m.b[2])
            out.append((r + ".shortcut.weight", m.shortcut[1].weight))
            reduce += 1
        elif isinstance(m, Cell):
            for e, op in enumerate(m.ops):
                if op in (CONV1, CONV3):
                    name = f"cells.{cell}.edges.{e}.conv{'1x1' if op == CONV1 else '3x3'}"
                    out.append((name + ".weight", m.layers[e][1].weight))
                    bn(name + "_bn", m.layers[e][2])
            cell += 1
    bn("head.bn", body[-5])
    out.extend([("classifier.weight", body[-1].weight), ("classifier.bias", body[-1].bias)])
    return out


def make_net(ops):
    net = Net(ops, c=C, n=1, classes=CLASSES)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.1 * torch.randn(m.weight.shape))
        for _, t in engine_names(net):  # the C side receives float32
            t.copy_(t.to(torch.float32))
    return net.double()


def layers(net):
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def loss_grads(net, images, labels):
    net.train()
    net.zero_grad()
    nn.functional.cross_entropy(net(images), labels).backward()
    return layers(net)


def grad(m):
    """A layer's weight gradient; a layer the output does not depend on has none (zero-cost-nas: zeros)."""
    return m.weight.grad if m.weight.grad is not None else torch.zeros_like(m.weight)


def grad_norm(net, images, labels):
    return sum(grad(m).norm().item() for m in loss_grads(net, images, labels))


def snip(net, images, labels):
    return sum((m.weight * grad(m)).abs().sum().item() for m in loss_grads(net, images, labels))


def synflow(net, images, labels):
    with torch.no_grad():
        for t in net.state_dict().values():
            if t.is_floating_point():
                t.abs_()
    net.eval()
    net.zero_grad()
    net(torch.ones(1, 3, HW, HW, dtype=torch.float64)).sum().backward()
    return sum((m.weight * grad(m)).abs().sum().item() for m in layers(net))


def jacob_cov(net, images, labels):
    net.train()
    x = images.clone().requires_grad_(True)
    y = net(x)
    y.backward(torch.ones_like(y))
    v = np.linalg.eigvalsh(np.corrcoef(x.grad.reshape(BATCH, -1).numpy()))
    return float(-np.sum(np.log(v + 1e-5) + 1.0 / (v + 1e-5)))


def naswot(net, images, labels):
    net.train()
    k = np.zeros((BATCH, BATCH))

    def hook(module, inputs, output):
        c = (inputs[0].reshape(BATCH, -1) > 0).double().numpy()
        k[:] += c @ c.T + (1 - c) @ (1 - c).T

    for m in net.modules():
        if isinstance(m, nn.ReLU):
            m.register_forward_hook(hook)
    with torch.no_grad():
        net(images)
    return float(np.linalg.slogdet(k)[1])


PROXIES = {"grad_norm": grad_norm, "snip": snip, "synflow": synflow, "jacob_cov": jacob_cov, "naswot": naswot}


def main(path):
    images = torch.randn(BATCH, 3, HW, HW).to(torch.float32).double()
    labels = torch.tensor([3, 7, 0, 7, 1, 9])
    fixture = {"images": images, "labels": labels.double()}
    for tag, ops in CELLS.items():
        net = make_net(ops)
        fixture[tag + ".arch"] = torch.tensor(ops, dtype=torch.float64)
        for name, t in engine_names(net):
            fixture[f"{tag}.{name}"] = t.detach().clone()
        for proxy, fn in PROXIES.items():
            score = fn(copy.deepcopy(net), images, labels)
            fixture[f"{tag}.score.{proxy}"] = torch.tensor([score], dtype=torch.float64)
            print(f"{tag:10s} {proxy:10s} {score:.8g}")
    write_fixture(path, fixture)

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "zero_cost_fixture.bin")
