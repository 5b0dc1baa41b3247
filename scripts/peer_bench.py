"""tkeras against what a user would pick instead, measured in one run: Keras 3 and plain PyTorch.

Trains the course's MLP (Flatten, Dense 128 relu, Dense 10 softmax) and CNN (two Conv2D 64 3x3
relu, each with 2x2 max pooling, then the MLP's head) on Fashion-MNIST with the same data, batch,
optimizer (Adam, learning rate 1e-3, epsilon 1e-7), loss (sparse categorical cross-entropy) and
thread count on three sides, each in a process of its own, alternating which runs first:

- tkeras: `fit` (tkeras-bench --only tkeras);
- Keras 3 on the torch backend: `model.fit` (verbose 0), from the project's Python environment;
- PyTorch: the eager loop its tutorials teach (randperm, index, zero_grad, backward, step, the loss
  and accuracy summed as fit logs them).

Prints each side's median epoch seconds (epochs 2 and later: the first one warms up), and how many
times faster tkeras is than each peer (the median of per-repeat ratios).

Usage: scripts/peer_bench.py --bench build/apps/bench/tkeras-bench [--model mlp|cnn|both]
       [--samples N] [--epochs E] [--batch-size B] [--threads T] [--repeats R]
"""
import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import time

DATA = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist, as tkeras reads it
EPOCH = re.compile(r"epoch (\d+):\s+([0-9.]+) s")


def load_images(samples):
    import numpy as np

    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    if samples:
        x, y = x[:samples], y[:samples]
    return (x.astype(np.float32) / 255.0), y.astype(np.int64)


def run_keras(args):
    os.environ["KERAS_BACKEND"] = "torch"
    import torch

    torch.set_num_threads(args.threads)
    import keras

    keras.utils.set_random_seed(1)
    x, y = load_images(args.samples)
    layers = [keras.Input((28, 28))]
    if args.model == "cnn":
        layers += [keras.layers.Reshape((28, 28, 1)),
                   keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(2),
                   keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(2)]
    layers += [keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
               keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(1e-3, epsilon=1e-7),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            print(f"keras epoch {epoch + 1}: {time.perf_counter() - self.start:.3f} s, "
                  f"accuracy {logs['accuracy']:.4f}", flush=True)

    model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, verbose=0, callbacks=[Timer()])


def run_torch(args):
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x_np, y_np = load_images(args.samples)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    layers = []
    features = 28 * 28
    if args.model == "cnn":
        layers += [nn.Unflatten(1, (1, 28)), nn.Conv2d(1, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                   nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2)]
        features = 64 * 5 * 5
    layers += [nn.Flatten(), nn.Linear(features, 128), nn.ReLU(), nn.Linear(128, 10)]
    model = nn.Sequential(*layers)
    for p in model.parameters():  # Keras's initial weights: Glorot-uniform kernels, zero biases
        nn.init.xavier_uniform_(p) if p.dim() > 1 else nn.init.zeros_(p)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    samples = x.shape[0]
    for epoch in range(args.epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(samples)
        loss_sum, correct = 0.0, 0
        for begin in range(0, samples, args.batch_size):
            index = order[begin:begin + args.batch_size]
            xb, yb = x[index], y[index]
            optimizer.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * xb.shape[0]
            correct += (logits.argmax(1) == yb).sum().item()
        print(f"torch epoch {epoch + 1}: {time.perf_counter() - start:.3f} s, "
              f"accuracy {correct / samples:.4f}", flush=True)


def side_command(side, args, model):
    common = ["--samples", str(args.samples), "--epochs", str(args.epochs), "--batch-size", str(args.batch_size),
              "--threads", str(args.threads)]
    if side == "tkeras":
        return [os.path.abspath(args.bench), "--only", "tkeras", "--repeats", "1",
                "--model", "dense" if model == "mlp" else "cnn"] + common
    return [sys.executable, os.path.abspath(__file__), "--side", side, "--model", model] + common


def epoch_seconds(side, args, model):
    command = side_command(side, args, model)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), CUDA_VISIBLE_DEVICES="")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = [float(m.group(2)) for m in EPOCH.finditer(result.stdout)]
    if result.returncode != 0 or len(seconds) != args.epochs:
        sys.exit(f"peer_bench: {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    timed = seconds[1:] if len(seconds) > 1 else seconds
    return statistics.median(timed)


def compare(args, model):
    sides = ["tkeras", "keras", "torch"]
    times = {side: [] for side in sides}
    for repeat in range(args.repeats):
        order = sides[repeat % 3:] + sides[:repeat % 3]  # each side first in turn
        for side in order:
            times[side].append(epoch_seconds(side, args, model))
        print(f"{model} repeat {repeat + 1}: " + ", ".join(f"{s} {times[s][-1]:.3f} s/epoch" for s in sides),
              flush=True)
    median = {side: statistics.median(t) for side, t in times.items()}
    print(f"{model}: median epoch seconds: tkeras {median['tkeras']:.3f}, Keras 3 (torch backend) "
          f"{median['keras']:.3f}, PyTorch eager loop {median['torch']:.3f}")
    for peer, label in (("keras", "Keras 3"), ("torch", "PyTorch")):
        ratios = [p / t for p, t in zip(times[peer], times["tkeras"])]
        print(f"{model}: tkeras is {statistics.median(ratios):.2f}x {label} "
              f"(per repeat: {' '.join(f'{r:.2f}' for r in ratios)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", help="the tkeras-bench program (build/apps/bench/tkeras-bench)")
    parser.add_argument("--side", choices=["keras", "torch"], help=argparse.SUPPRESS)  # one peer's run
    parser.add_argument("--model", choices=["mlp", "cnn", "both"], default="both")
    parser.add_argument("--samples", type=int, default=0, help="training images (0: all 60,000)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.side:
        (run_keras if args.side == "keras" else run_torch)(args)
        return
    if not args.bench:
        parser.error("--bench is required")
    print(f"peer_bench: {args.samples or 60000} images, batch {args.batch_size}, {args.threads} thread(s), "
          f"{args.epochs} epochs x {args.repeats} repeats, CPU: {cpu_name()}", flush=True)
    for model in (["mlp", "cnn"] if args.model == "both" else [args.model]):
        compare(args, model)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
