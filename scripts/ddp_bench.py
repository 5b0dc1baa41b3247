"""Data-parallel training on the 2-core machine, measured in one run: tkeras against PyTorch DDP.

Trains the course's CNN on Fashion-MNIST (tkeras-ddp-bench, and scripts/ddp_bench_torch.py for
PyTorch's DistributedDataParallel on Gloo) on 1 and on 2 processes of one thread each, at the
same global batch, started by torchrun, and alternates the four runs --repeats times. Prints each
side's samples per second (median over repeats), its speed-up from 1 to 2 processes, and tkeras's
speed against PyTorch's at 2 processes.

Usage: scripts/ddp_bench.py --bench build/apps/bench/tkeras-ddp-bench [--samples N] [--epochs E]
       [--batch-size B] [--repeats R]
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command, processes):
    torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
    full = [torchrun, "--nproc-per-node", str(processes), "--master-port", str(free_port())]
    # A Python script runs under torchrun's Python; a program with --no-python.
    full += command[1:] if command[0] == sys.executable else ["--no-python"] + command
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run(full, capture_output=True, text=True, env=env, check=False)
    match = re.search(r"processes (\d+) samples/s ([0-9.]+) loss ([0-9.]+) accuracy ([0-9.]+)", result.stdout)
    if result.returncode != 0 or not match:
        sys.exit(f"ddp_bench: {' '.join(full)} failed:\n{result.stdout}\n{result.stderr}")
    return float(match.group(2)), float(match.group(3)), float(match.group(4))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True, help="the tkeras-ddp-bench program")
    parser.add_argument("--samples", type=int, default=12800)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    common = ["--samples", str(args.samples), "--epochs", str(args.epochs), "--batch-size", str(args.batch_size)]
    sides = {
        "tkeras": [os.path.abspath(args.bench)] + common,
        "PyTorch DDP": [sys.executable, os.path.join(HERE, "ddp_bench_torch.py")] + common,
    }
    speeds = {(side, n): [] for side in sides for n in (1, 2)}
    last = {}
    for _ in range(args.repeats):
        for side, command in sides.items():
            for processes in (1, 2):
                speed, loss, accuracy = run(command, processes)
                speeds[(side, processes)].append(speed)
                last[(side, processes)] = (loss, accuracy)
    print(f"the course's CNN on {args.samples} Fashion-MNIST images, global batch {args.batch_size}, "
          f"1 thread per process, median of {args.repeats} repeats of {args.epochs - 1} timed epochs")
    median = {key: statistics.median(values) for key, values in speeds.items()}
    for side in sides:
        one, two = median[(side, 1)], median[(side, 2)]
        loss, accuracy = last[(side, 2)]
        print(f"{side}: 1 process {one:.1f} samples/s, 2 processes {two:.1f} samples/s, "
              f"ratio 2 / 1 processes: {two / one:.2f} (2 processes' last epoch: loss {loss:.4f}, accuracy {accuracy:.4f})")
    print(f"ratio tkeras / PyTorch DDP at 2 processes: {median[('tkeras', 2)] / median[('PyTorch DDP', 2)]:.2f}, "
          f"at 1 process: {median[('tkeras', 1)] / median[('PyTorch DDP', 1)]:.2f}")


if __name__ == "__main__":
    main()
