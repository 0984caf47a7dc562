#!/usr/bin/python3
"""Independent PyTorch reference for the C supernet: run once, its output committed as a fixture.

Builds the NAS-Bench-201 search network of REFERENCE.md section 1 from torch.nn.functional calls,
in float64, on a small configuration (C=16, one cell per stage, 8x8 RGB inputs, 10 classes, batch 4),
and records, for the same weights and batch:
  darts     training forward/backward with softmax(alpha) edge weights: logits, loss, d alpha, all weight grads
  gdas      training forward/backward with a given Gumbel draw (tau 10), hard one-hot straight-through
  discrete  training forward/backward of a fixed architecture
  zeronode  the same for a cell whose node 1 is all-`none` (the engine skips the ops leaving it)
  gdaszero* GDAS passes whose draws (forced by large gumbels) leave zero nodes read by skip / pooling
  eval      after the discrete training forward (which moves the running statistics), an evaluation
            forward: non-cell BNs use running statistics, cell BNs batch statistics
Tensor names match the C engine's (supernet_find_tensor). Output: supernet_fixture.bin
  magic "SNFX", u32 version 1, u32 count, then per tensor: u32 name length, name, u32 ndims,
  u32 dims[ndims], float32 data (little-endian, PyTorch order).
Run: /usr/bin/python3 tests/reference/make_supernet_fixture.py  (needs Debian's python3-torch)
"""
import struct
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(20261122)
DT = torch.float64
C, N, HW, CLASSES, BATCH, IN_CH = 16, 1, 8, 10, 4, 3
EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
NONE, SKIP, CONV1, CONV3, POOL = range(5)
EPS, MOMENTUM = 1e-5, 0.1


def uniform(shape, fan_in):
    bound = fan_in ** -0.5
    return ((torch.rand(shape, dtype=torch.float32) * 2 - 1) * bound).to(DT)


def make_weights():
    w = {}
    w["stem.conv.weight"] = uniform((C, IN_CH, 3, 3), IN_CH * 9)
    w["stem.bn.weight"] = 1 + 0.1 * torch.randn(C, dtype=DT)
    w["stem.bn.bias"] = 0.1 * torch.randn(C, dtype=DT)
    cell = 0
    for stage in range(3):
        c = C << stage
        if stage > 0:
            r, cin = stage - 1, c // 2
            w[f"reduce.{r}.conv_a.weight"] = uniform((c, cin, 3, 3), cin * 9)
            w[f"reduce.{r}.bn_a.weight"] = 1 + 0.1 * torch.randn(c, dtype=DT)
            w[f"reduce.{r}.bn_a.bias"] = 0.1 * torch.randn(c, dtype=DT)
            w[f"reduce.{r}.conv_b.weight"] = uniform((c, c, 3, 3), c * 9)
            w[f"reduce.{r}.bn_b.weight"] = 1 + 0.1 * torch.randn(c, dtype=DT)
            w[f"reduce.{r}.bn_b.bias"] = 0.1 * torch.randn(c, dtype=DT)
            w[f"reduce.{r}.shortcut.weight"] = uniform((c, cin, 1, 1), cin)
        for _ in range(N):
            for e in range(6):
                w[f"cells.{cell}.edges.{e}.conv1x1.weight"] = uniform((c, c, 1, 1), c)
                w[f"cells.{cell}.edges.{e}.conv3x3.weight"] = uniform((c, c, 3, 3), c * 9)
            cell += 1
    w["head.bn.weight"] = 1 + 0.1 * torch.randn(4 * C, dtype=DT)
    w["head.bn.bias"] = 0.1 * torch.randn(4 * C, dtype=DT)
    w["classifier.weight"] = uniform((CLASSES, 4 * C), 4 * C)
    w["classifier.bias"] = uniform((CLASSES,), 4 * C)
    # the values the C side receives are float32
    return {k: v.to(torch.float32).to(DT) for k, v in w.items()}


def running_stats():
    stats = {}
    for name, c in [("stem.bn", C), ("reduce.0.bn_a", 2 * C), ("reduce.0.bn_b", 2 * C),
                    ("reduce.1.bn_a", 4 * C), ("reduce.1.bn_b", 4 * C), ("head.bn", 4 * C)]:
        stats[name] = [torch.zeros(c, dtype=DT), torch.ones(c, dtype=DT)]
    return stats


def bn(x, w, stats, name, train, affine=True):
    gamma = w[name + ".weight"] if affine else None
    beta = w[name + ".bias"] if affine else None
    if name in stats:
        rm, rv = stats[name]
        return F.batch_norm(x, rm, rv, gamma, beta, training=train, momentum=MOMENTUM, eps=EPS)
    return F.batch_norm(x, None, None, gamma, beta, training=True, eps=EPS)  # cell BN: batch statistics


def relu_conv_bn(x, weight, stride, pad, w, stats, bn_name, train, affine):
    return bn(F.conv2d(F.relu(x), weight, stride=stride, padding=pad), w, stats, bn_name, train, affine)


def edge_op(op, x, w, stats, prefix, train):
    if op == SKIP:
        return x
    if op == POOL:
        return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    if op == CONV1:
        return relu_conv_bn(x, w[prefix + ".conv1x1.weight"], 1, 0, w, stats, prefix + ".bn1", train, False)
    if op == CONV3:
        return relu_conv_bn(x, w[prefix + ".conv3x3.weight"], 1, 1, w, stats, prefix + ".bn3", train, False)
    raise ValueError(op)


def cell(x, w, stats, index, train, mode, edge_w, ops):
    nodes = [x]
    for i in range(1, 4):
        total = torch.zeros_like(x)
        for e, (dst, src) in enumerate(EDGES):
            if dst != i:
                continue
            prefix = f"cells.{index}.edges.{e}"
            if mode == "darts":
                for op in (SKIP, CONV1, CONV3, POOL):
                    total = total + edge_w[e, op] * edge_op(op, nodes[src], w, stats, prefix, train)
            else:
                s = ops[e]
                if s != NONE:
                    out = edge_op(s, nodes[src], w, stats, prefix, train)
                    total = total + (edge_w[e, s] * out if edge_w is not None else out)
                if edge_w is not None:  # GDAS: the unselected weights enter as scalars
                    total = total + sum(edge_w[e, k] for k in range(5) if k != s)
        nodes.append(total)
    return nodes[3]


def reduce_block(x, w, stats, r, train):
    p = f"reduce.{r}"
    a = relu_conv_bn(x, w[p + ".conv_a.weight"], 2, 1, w, stats, p + ".bn_a", train, True)
    b = relu_conv_bn(a, w[p + ".conv_b.weight"], 1, 1, w, stats, p + ".bn_b", train, True)
    shortcut = F.conv2d(F.avg_pool2d(x, 2, 2), w[p + ".shortcut.weight"])
    return shortcut + b


def network(images, w, stats, train, mode, edge_w=None, ops=None):
    x = bn(F.conv2d(images, w["stem.conv.weight"], padding=1), w, stats, "stem.bn", train)
    index = 0
    for stage in range(3):
        if stage > 0:
            x = reduce_block(x, w, stats, stage - 1, train)
        for _ in range(N):
            x = cell(x, w, stats, index, train, mode, edge_w, ops)
            index += 1
    x = F.relu(bn(x, w, stats, "head.bn", train))
    return F.linear(x.mean(dim=(2, 3)), w["classifier.weight"], w["classifier.bias"])


# Zero nodes on the GDAS path: their value is 0, but skip and pooling pass their gradient on, and its
# sum reaches the alphas of the edges entering them through the scalar terms.
GDAS_ZERO_CASES = {
    "gdaszero1": [NONE, CONV3, POOL, SKIP, SKIP, CONV3],  # node 1 zero, read by pooling and skip
    "gdaszero2": [NONE, NONE, SKIP, CONV1, POOL, POOL],  # nodes 1 and 2 zero, node 2 a skip of node 1
    "gdaszero3": [NONE, POOL, SKIP, NONE, POOL, SKIP],  # node 1 zero, skip into node 2, pooled into node 3
}


def run_training(tag, images, labels, base, mode, alpha=None, gumbel=None, tau=None, ops=None):
    w = {k: v.clone().requires_grad_(True) for k, v in base.items()}
    out = {}
    edge_w = None
    if alpha is not None:
        a = alpha.clone().requires_grad_(True)
        if mode == "darts":
            edge_w = F.softmax(a, dim=-1)
        else:
            probs = F.softmax((F.log_softmax(a, dim=-1) + gumbel) / tau, dim=-1)
            ops = probs.argmax(dim=-1).tolist()
            one_hot = torch.zeros_like(probs).scatter_(-1, probs.argmax(-1, keepdim=True), 1.0)
            edge_w = one_hot - probs.detach() + probs
            out[tag + ".ops"] = torch.tensor(ops, dtype=DT)
    logits = network(images, w, running_stats(), True, mode, edge_w, ops)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    out[tag + ".logits"], out[tag + ".loss"] = logits.detach(), loss.detach().reshape(1)
    if alpha is not None:
        out[tag + ".dalpha"] = a.grad
    for k, v in w.items():
        out[f"{tag}.grad.{k}"] = v.grad if v.grad is not None else torch.zeros_like(v)
    return out


def main(path):
    base = make_weights()
    images = torch.randn(BATCH, IN_CH, HW, HW).to(DT)
    labels = torch.tensor([3, 7, 0, 7])
    alpha = 0.7 * torch.randn(6, 5, dtype=DT)
    gumbel = -torch.log(-torch.log(torch.rand(6, 5, dtype=DT)))
    ops = [CONV3, CONV1, POOL, SKIP, NONE, CONV3]
    fixture = dict(base)
    fixture["images"], fixture["labels"] = images, labels.to(DT)
    fixture["alpha"], fixture["gumbel"], fixture["tau"] = alpha, gumbel, torch.tensor([10.0], dtype=DT)
    fixture["discrete.arch"] = torch.tensor(ops, dtype=DT)
    zero_ops = [NONE, CONV3, SKIP, CONV1, POOL, CONV3]
    fixture["zeronode.arch"] = torch.tensor(zero_ops, dtype=DT)
    fixture.update(run_training("darts", images, labels, base, "darts", alpha=alpha))
    fixture.update(run_training("gdas", images, labels, base, "gdas", alpha=alpha, gumbel=gumbel, tau=10.0))
    fixture.update(run_training("discrete", images, labels, base, "discrete", ops=ops))
    fixture.update(run_training("zeronode", images, labels, base, "discrete", ops=zero_ops))
    for tag, forced in GDAS_ZERO_CASES.items():  # GDAS draws whose cells have all-`none` (zero) nodes
        g = gumbel + 20.0 * F.one_hot(torch.tensor(forced), 5).to(DT)
        fixture[tag + ".gumbel"] = g
        out = run_training(tag, images, labels, base, "gdas", alpha=alpha, gumbel=g, tau=10.0)
        fixture.update({k: v for k, v in out.items() if ".grad." not in k})  # d alpha is what they test
    with torch.no_grad():
        stats = running_stats()
        network(images, base, stats, True, "discrete", ops=ops)  # moves the running statistics
        fixture["eval.logits"] = network(images, base, stats, False, "discrete", ops=ops)
    write_fixture(path, fixture)


def write_fixture(path, fixture):
    """The fixture file (format in the docstring); shared with make_zero_cost_fixture.py."""
    with open(path, "wb") as f:
        f.write(b"SNFX" + struct.pack("<II", 1, len(fixture)))
        for name, t in fixture.items():
            t = t.detach().to(torch.float32).contiguous()
            f.write(struct.pack("<I", len(name)) + name.encode())
            f.write(struct.pack("<I", t.dim()) + struct.pack(f"<{t.dim()}I", *t.shape))
            f.write(t.numpy().astype("<f4").tobytes())
    print(f"wrote {len(fixture)} tensors to {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "supernet_fixture.bin")
