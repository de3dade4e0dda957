#!/usr/bin/python3
"""PyTorch side of the side-by-side MLP comparison (W2 and W4 of benchmarks/compare.sh).

Trains the same network as `myelin train --model mlp` (784-512-256-10 ReLU, He-uniform weights, zero
biases, pixels scaled to [0, 1], shuffled batches) and prints one JSON line per run. W2 times one or
more epochs (data loading excluded: the whole set is a tensor before the clock starts) and reports
test accuracy; W4 times 100 SGD steps of the 784-4096-4096-10 MLP at batch 256.
"""
import argparse
import gzip
import json
import math
import os
import struct
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def find(data_dir, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    raise SystemExit(f"{name}(.gz) not found in {data_dir}")


def load(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(find(data_dir, f"{prefix}-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(find(data_dir, f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        linear = nn.Linear(widths[i], widths[i + 1])
        bound = math.sqrt(6.0 / widths[i])  # He uniform, as Myelin's Linear
        nn.init.uniform_(linear.weight, -bound, bound)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i + 2 < len(widths):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def w2(args):
    x, y = load(args.data, "train")
    xt, yt = load(args.data, "test")
    if args.limit:
        x, y = x[:args.limit], y[:args.limit]
    torch.manual_seed(args.seed)
    model = mlp([784, 512, 256, 10])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    epochs = []
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            opt.zero_grad(set_to_none=False)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            accuracy = (model(xt).argmax(1) == yt).float().mean().item()
        epochs.append({"epoch": epoch + 1, "seconds": seconds, "test_accuracy": accuracy})
    return {"workload": "W2", "epochs": epochs, "test_accuracy": epochs[-1]["test_accuracy"]}


def w4(args):
    torch.manual_seed(args.seed)
    model = mlp([784, 4096, 4096, 10])
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(256, 784)
    y = torch.randint(0, 10, (256,))

    def step():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    return {"workload": "W4", "steps": args.steps, "seconds": time.perf_counter() - start}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["w2", "w4"])
    parser.add_argument("--data", default=os.environ.get("MYELIN_DATA", "../shared/data/mnist"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = w2(args) if args.workload == "w2" else w4(args)
    result.update({"peer": "pytorch", "torch": torch.__version__, "threads": args.threads,
                   "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
