#!/usr/bin/python3
"""Turns the JSON lines compare.sh wrote into one table of medians and ratios."""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    values = defaultdict(list)
    config = {}
    for row in rows:
        w, side, r = row["workload"], row["side"], row["result"]
        if w == "machine":
            print(f"machine: {r['cpu']}, {r['cores']} cores, caches L1d {r['l1d']}, L2 {r['l2']}, L3 {r['l3']}; {r['java']}")
            continue
        if w == "W1":
            n = r.get("n") or r.get("m")
            key = (f"W1 SGEMM N={n} (GFLOP/s)", side)
            values[key].append(r["gflops"] if side == "numpy" else r["gflops_median"])
        elif w in ("W2", "W3"):
            epoch = r["epochs"][0]
            what = "MLP" if w == "W2" else "CNN"
            values[(f"{w} {what} epoch (s)", side)].append(epoch["seconds"])
            values[(f"{w} test accuracy (%)", side)].append(100 * (epoch["test_accuracy"]))
            if w == "W2" and side == "myelin" and r.get("startup_seconds") is not None:
                values[("W2 JVM start to first step (s)", side)].append(r["startup_seconds"])
        elif w == "W4":
            seconds = r["seconds"] if side == "pytorch" else 100 / r["steps_per_second_median"]
            values[("W4 100 steps (s)", side)].append(seconds)
        elif w in ("W5", "W6"):
            what = "char-lstm" if w == "W5" else "char-transformer"
            values[(f"{w} {what} ms/step", side)].append(r["ms_per_step_after_warmup"])
            values[(f"{w} {what} val loss (nats, mean)", side)].append(r["val_loss"])
        config[(w, side)] = row["config"]
    workloads = []
    for (name, _side) in values:
        if name not in workloads:
            workloads.append(name)
    print(f"{'workload':34} {'Myelin':>10} {'peer':>10} {'ratio':>8}  peer, runs")
    for name in workloads:
        mine = values.get((name, "myelin"), [])
        peer_side = next((s for (n, s) in values if n == name and s != "myelin"), None)
        peer = values.get((name, peer_side), []) if peer_side else []
        # A loss after a fixed number of steps depends on the seed: compare the mean over seeds.
        centre = statistics.mean if "val loss" in name else statistics.median
        m = centre(mine) if mine else float("nan")
        p = centre(peer) if peer else float("nan")
        if "GFLOP" in name:
            ratio = f"{m / p:.2f}x"          # higher is better: Myelin / peer
        elif "accuracy" in name:
            ratio = f"{m - p:+.2f} pt"
        elif "val loss" in name:
            ratio = f"{m - p:+.3f}"
        elif peer:
            ratio = f"{m / p:.2f}x"          # time: lower is better, Myelin / peer
        else:
            ratio = ""
        peer_text = f"{p:10.2f}" if peer else f"{'':>10}"
        print(f"{name:34} {m:10.2f} {peer_text} {ratio:>8}  {peer_side or ''}, {len(mine)}/{len(peer)}")
    print("ratio: Myelin / peer (GFLOP/s: higher is better; seconds: lower is better); medians of the runs,"
          " except val loss: mean over the runs' seeds")


if __name__ == "__main__":
    main(sys.argv[1])
