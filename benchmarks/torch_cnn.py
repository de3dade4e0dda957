#!/usr/bin/env python3
"""PyTorch twin of `myelin train --model cnn`: the pytorch/examples MNIST network, same data handling.

conv 1->32 3x3 ReLU, conv 32->64 3x3 ReLU, max-pool 2, dropout 0.25, flatten, dense 9216->128 ReLU,
dropout 0.5, dense 128->10; Adadelta lr 1.0, StepLR gamma 0.7 per epoch, batch 64, inputs normalised
with mean 0.1307 / std 0.3081 once up front. Reads the IDX files directly (no torchvision needed).
Threads: torch.set_num_threads(--threads, default 2) and OPENBLAS_NUM_THREADS=1, so it uses the
same two cores Myelin's CPU backend does.

Prints one JSON object as the last line: per-epoch train loss, test accuracy and seconds (training
only, evaluation excluded, as Myelin reports them).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/torch_cnn.py --data ../shared/data/mnist --epochs 1
"""
import argparse
import gzip
import json
import os
import struct
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(os.path.join(folder, stem) + "[.gz]")


def load(folder, kind, limit=None):
    images = read_idx(find(folder, f"{kind}-images-idx3-ubyte"))
    labels = read_idx(find(folder, f"{kind}-labels-idx1-ubyte"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    x = (x - 0.1307) / 0.3081
    return x, torch.from_numpy(labels.astype(np.int64))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return self.fc2(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data/mnist")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train, y_train = load(args.data, "train", args.limit)
    x_test, y_test = load(args.data, "t10k")
    model = Net()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train))
        start = time.perf_counter()
        loss_sum = 0.0
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(idx)
        seconds = time.perf_counter() - start
        scheduler.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(x_test), 1000):
                correct += (model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
        epochs.append({"epoch": epoch, "train_loss": loss_sum / len(x_train),
                       "test_accuracy": correct / len(x_test), "seconds": seconds,
                       "samples_per_second": len(x_train) / seconds})
        print(f"epoch {epoch}: loss {epochs[-1]['train_loss']:.4f}  test accuracy "
              f"{100 * epochs[-1]['test_accuracy']:.2f} %  {seconds:.1f} s", flush=True)
    print(json.dumps({"framework": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
                      "model": "cnn", "batch_size": args.batch_size, "epochs": epochs,
                      "test_accuracy": epochs[-1]["test_accuracy"]}))


if __name__ == "__main__":
    main()
