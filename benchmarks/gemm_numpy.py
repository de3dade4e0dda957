#!/usr/bin/python3
"""SGEMM throughput of numpy (OpenBLAS underneath), the peer Myelin's CPU GEMM is measured against.

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/gemm_numpy.py [--reps 7] [SHAPE ...]
A SHAPE is N (square) or MxNxK[:OP], OP being NN, NT, TN or TT (op(A) [M,K] times op(B) [K,N]),
e.g. 128x512x784:NT. Prints one line per shape: shape, median seconds, GFLOP/s = 2*M*N*K / t, and GFLOP per second of
process CPU time (all threads), which time-slicing on a shared machine does not dilute; with one
thread and an idle machine the two agree.
Needs numpy on OpenBLAS (Debian: apt-get install python3-numpy libopenblas0-pthread), else it
measures the reference BLAS (about 5 GFLOP/s). Set the thread count with OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS) before starting Python:
OpenBLAS reads it once, at load time.
"""
import argparse
import os
import statistics
import time

import numpy as np

DEFAULT_SHAPES = ["512", "1024", "2048"]


def parse(shape):
    spec, _, op = shape.partition(":")
    dims = [int(d) for d in spec.split("x")]
    m, n, k = (dims * 3) if len(dims) == 1 else dims
    op = (op or "NN").upper()
    return m, n, k, op


def operands(m, n, k, op, rng):
    # Build the stored layout, then take .T views so numpy passes BLAS the transpose flag
    # instead of copying.
    a = rng.standard_normal((k, m) if op[0] == "T" else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if op[1] == "T" else (k, n), dtype=np.float32)
    return (a.T if op[0] == "T" else a), (b.T if op[1] == "T" else b)


def bench(m, n, k, op, reps, rng):
    a, b = operands(m, n, k, op, rng)
    c = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    # Each timed sample runs long enough (>= ~50 ms) for the timer and call overhead to vanish.
    inner = max(1, int(5e9 / flops))
    for _ in range(3):
        np.matmul(a, b, out=c)
    times, cpu_times = [], []
    for _ in range(reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(a, b, out=c)
        times.append((time.perf_counter() - t0) / inner)
        cpu_times.append((time.process_time() - c0) / inner)
    t = statistics.median(times)
    return t, flops / t / 1e9, flops / statistics.median(cpu_times) / 1e9


def blas_library():
    """The BLAS shared object actually mapped into this process: Debian's numpy links the generic
    libblas.so.3, which is the slow reference BLAS unless libopenblas0-pthread is installed."""
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    return ", ".join(sorted(os.path.realpath(lib) for lib in libs)) or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shapes", nargs="*", default=DEFAULT_SHAPES)
    parser.add_argument("--reps", type=int, default=7, help="timed samples; the median is reported (>= 5)")
    args = parser.parse_args()
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    print(f"# numpy {np.__version__}, float32, threads={threads}, median of {max(5, args.reps)}")
    print(f"# BLAS: {blas_library()}")
    rng = np.random.default_rng(0)
    for shape in args.shapes:
        m, n, k, op = parse(shape)
        t, gflops, per_cpu = bench(m, n, k, op, max(5, args.reps), rng)
        print(f"{m}x{n}x{k}:{op}\t{t * 1e3:.3f} ms\t{gflops:.1f} GFLOP/s\t{per_cpu:.1f} GFLOP/cpu-s", flush=True)


if __name__ == "__main__":
    main()
