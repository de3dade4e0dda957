#!/usr/bin/env python3
"""Loads a Myelin checkpoint (safetensors layout) into the equivalent torch.nn.Sequential with
load_state_dict(strict=True), without the safetensors package, and checks the test accuracy.

usage: load_checkpoint_in_pytorch.py CHECKPOINT [MNIST_DIR]
"""
import gzip, json, struct, sys
import numpy as np
import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = memoryview(blob)[8 + n:]
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return meta, tensors


def idx(path):
    with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def main():
    meta, tensors = read_safetensors(sys.argv[1])
    print("metadata:", json.dumps(meta, indent=None))
    state = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    print("optimizer state tensors:", sorted(k for k in tensors if k.startswith("optimizer."))[:4], "...")
    # Rebuild nn.Sequential from the weight shapes: Linear, ReLU, Linear, ReLU, ..., Linear.
    layers, i = [], 0
    while f"{i}.weight" in state:
        out_f, in_f = state[f"{i}.weight"].shape
        if layers:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(in_f, out_f))
        i += 2
    model = nn.Sequential(*layers)
    print(model)
    result = model.load_state_dict(state, strict=True)
    print("load_state_dict(strict=True):", result)
    if len(sys.argv) > 2:
        x = torch.from_numpy(idx(sys.argv[2] + "/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
        y = torch.from_numpy(idx(sys.argv[2] + "/t10k-labels-idx1-ubyte.gz").astype(np.int64))
        with torch.no_grad():
            accuracy = (model(x).argmax(1) == y).double().mean().item()
        print(f"PyTorch test accuracy {100 * accuracy:.2f} % (checkpoint says {100 * float(meta.get('test_accuracy', 'nan')):.2f} %)")


if __name__ == "__main__":
    main()
