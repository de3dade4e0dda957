#!/usr/bin/python3
"""PyTorch side of the character language-model comparison (W5 char-lstm, W6 char-transformer).

Trains the same networks as `myelin train --model char-lstm|char-transformer` on the same text, in
the same data order, with the same optimizer, learning-rate schedule, gradient clipping and
initialisation distributions, for a fixed number of steps, and prints one JSON line: milliseconds
per training step (the mean over the steps after the first 10, as Myelin's ms_per_step_after_warmup)
and the validation loss in nats per character after those steps.

Data, as Myelin's CharText and CharBatches: the UTF-8 text (plain or gzip), cut to its first --limit
characters; the vocabulary is the sorted distinct code points; the last floor(n * --val-fraction)
characters are the validation split. The training text is cut into --batch equal parallel streams
of n // B characters; chunk k reads inputs [B, T] from position k*T of every stream and the targets
one character later, (L - 1) // T chunks per pass, so the order does not depend on any seed and a
recurrent state carries across chunks (truncated BPTT). The validation text is read the same way
with min(B, (n_val - 1) // T) streams, the state starting from zero.

Initialisation is PyTorch's own for every layer (Myelin copies it), except the learned positional
table, N(0, 1) in both. The learning rate follows Myelin's default cosine schedule over the run,
lr * (1 + cos(pi t / steps)) / 2 before step t, with Adam and clipping at global norm 1.
"""
import argparse
import gzip
import json
import math
import os
import statistics
import time

import torch
from torch import nn


def read_text(path, limit):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8")
    return text[:limit] if limit else text


def streams(ids, batch):
    """[B, L]: B contiguous streams of L = n // B ids (the last n mod B ids dropped)."""
    length = len(ids) // batch
    return ids[: batch * length].view(batch, length)


def chunks(stream, context):
    count = (stream.shape[1] - 1) // context
    for k in range(count):
        x = stream[:, k * context: k * context + context]
        y = stream[:, k * context + 1: k * context + context + 1]
        yield x, y


class CharLstm(nn.Module):
    def __init__(self, vocab, embedding, hidden, layers, kind):
        super().__init__()
        self.embed = nn.Embedding(vocab, embedding)
        cell = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind]
        self.rnn = cell(embedding, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state):
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)
        self.gelu = nn.GELU(approximate="tanh")

    def forward(self, x):
        b, t, c = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, h, c // h).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // h))
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        att = scores.masked_fill(mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.proj(y)
        return x + self.fc2(self.gelu(self.fc1(self.ln2(x))))


class CharTransformer(nn.Module):
    def __init__(self, vocab, dim, heads, layers, context):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.empty(context, dim))
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, x, state):
        h = self.embed(x) + self.pos[: x.shape[1]]
        for block in self.blocks:
            h = block(h)
        return self.head(self.ln(h)), None


def init_like_myelin(model):
    """PyTorch's default initialisation everywhere, which Myelin's layers copy; the positional table is N(0, 1)."""
    if isinstance(model, CharTransformer):
        nn.init.normal_(model.pos, 0.0, 1.0)


def detach(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=["lstm", "gru", "rnn", "transformer"])
    parser.add_argument("--data", default=os.environ.get("MYELIN_TEXT", "../shared/data/text/moby-dick.txt.gz"))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--val-fraction", type=float, default=0.1)
    parser.add_argument("--layers", type=int)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--embedding", type=int, default=64)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--context", type=int, default=128)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--clip", type=float, default=1.0, help="gradient clipping by global norm; 0 for none")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10, help="steps left out of the mean time per step")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    text = read_text(args.data, args.limit)
    vocab = sorted(set(text))
    index = {ch: i for i, ch in enumerate(vocab)}
    ids = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    split = len(ids) - int(len(ids) * args.val_fraction)
    val_streams = min(args.batch, (len(ids) - split - 1) // args.context)
    train, val = streams(ids[:split], args.batch), streams(ids[split:], val_streams)

    if args.model == "transformer":
        layers = args.layers or 4
        model = CharTransformer(len(vocab), args.dim, args.heads, layers, args.context)
        lr = args.lr or 4e-3
    else:
        layers = args.layers or 2
        model = CharLstm(len(vocab), args.embedding, args.hidden, layers, args.model)
        lr = args.lr or 8e-3
    init_like_myelin(model)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5 * (1 + math.cos(math.pi * t / args.steps)))
    loss_fn = nn.CrossEntropyLoss()

    times, all_times = [], []
    state = None
    steps = 0
    batches = chunks(train, args.context)
    while steps < args.steps:
        try:
            x, y = next(batches)
        except StopIteration:  # a new epoch: the state starts again from zero
            batches, state = chunks(train, args.context), None
            continue
        start = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, len(vocab)), y.reshape(-1))
        loss.backward()
        if args.clip:
            nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        schedule.step()
        state = detach(state)
        elapsed = time.perf_counter() - start
        steps += 1
        all_times.append(elapsed)
        if steps > args.warmup:
            times.append(elapsed)

    model.eval()
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for x, y in chunks(val, args.context):
            logits, state = model(x, state)
            total += loss_fn(logits.reshape(-1, len(vocab)), y.reshape(-1)).item() * y.numel()
            count += y.numel()
    val_loss = total / count
    print(json.dumps({
        "workload": "W5" if args.model != "transformer" else "W6", "peer": "pytorch", "model": args.model,
        "steps": args.steps, "lr": lr, "ms_per_step": 1000 * statistics.mean(all_times),
        "ms_per_step_after_warmup": 1000 * statistics.mean(times or all_times),
        "val_loss": val_loss, "val_bpc": val_loss / math.log(2), "vocab": len(vocab),
        "train_chars": split, "torch": torch.__version__, "threads": args.threads,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}))


if __name__ == "__main__":
    main()
