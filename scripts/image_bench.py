"""Image pipeline benchmark: tkeras's image_dataset_from_directory against PyTorch's DataLoader
(num_workers=2, Pillow decoding), on the same folder of JPEGs, alternating in one run.

Writes the folder once (5 classes x 1,000 JPEGs of 200x200, Pillow, quality 90) into --dir, then
for each repeat times one pass (or --passes) of both sides, reading every image into 180x180 float32 batches of 32,
shuffled. Prints images per second for each side and the ratio of the medians, then tkeras's own
report of a CNN step's wait for data with prefetching on and off (tkeras-image-bench).

Usage: python scripts/image_bench.py --bench build/apps/bench/tkeras-image-bench [--dir DIR] [--repeats 3]
"""
import argparse
import os
import re
import statistics
import subprocess
import time

import numpy as np
import torch
from PIL import Image


def write_folder(root, classes=5, per_class=1000, side=200):
    marker = os.path.join(root, f".complete-{classes}x{per_class}x{side}")
    if os.path.exists(marker):
        return
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    for c in range(classes):
        folder = os.path.join(root, f"class_{c}")
        os.makedirs(folder, exist_ok=True)
        for i in range(per_class):
            # A photo-like picture: smooth colour waves and some noise.
            fx, fy, phase = rng.uniform(0.01, 0.08, 3)
            base = np.stack([np.sin(xx * fx + phase + k) * np.cos(yy * fy + c + k) for k in range(3)], axis=-1)
            pixels = np.clip(127 + 100 * base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(os.path.join(folder, f"{i:04}.jpg"), quality=90)
    open(marker, "w").close()


class Folder(torch.utils.data.Dataset):
    """What a PyTorch user writes: Pillow decodes and resizes, numpy makes the tensor."""

    def __init__(self, root, size):
        self.size = size
        classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        self.items = [(os.path.join(root, c, f), k) for k, c in enumerate(classes)
                      for f in sorted(os.listdir(os.path.join(root, c)))]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, label = self.items[i]
        image = Image.open(path).convert("RGB").resize((self.size, self.size), Image.BILINEAR)
        return torch.from_numpy(np.asarray(image, dtype=np.float32)), label


def torch_rate(root, size, batch_size, passes):
    loader = torch.utils.data.DataLoader(Folder(root, size), batch_size=batch_size, shuffle=True, num_workers=2)
    start = time.perf_counter()
    images = 0
    for _ in range(passes):
        for x, _ in loader:
            images += x.shape[0]
    return images / (time.perf_counter() - start)


def tkeras_run(bench, root, size, batch_size, passes, train_steps):
    out = subprocess.run([bench, root, "--image-size", str(size), "--batch-size", str(batch_size), "--passes",
                          str(passes), "--train-steps", str(train_steps)], check=True, capture_output=True,
                         text=True).stdout
    rate = float(re.search(r"([0-9.]+) images/s", out).group(1))
    return rate, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", required=True, help="the tkeras-image-bench program")
    parser.add_argument("--dir", default=os.path.expanduser("~/.tkeras/bench-images"))
    parser.add_argument("--size", type=int, default=180)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--train-steps", type=int, default=40)
    parser.add_argument("--per-class", type=int, default=1000)
    args = parser.parse_args()
    write_folder(args.dir, per_class=args.per_class)
    torch.set_num_threads(1)  # the DataLoader's work is in its workers
    tkeras_rates, torch_rates, report = [], [], ""
    for repeat in range(args.repeats):
        rate, report = tkeras_run(args.bench, args.dir, args.size, args.batch_size, args.passes, args.train_steps)
        tkeras_rates.append(rate)
        torch_rates.append(torch_rate(args.dir, args.size, args.batch_size, args.passes))
        print(f"repeat {repeat + 1}: tkeras {tkeras_rates[-1]:.0f} images/s, "
              f"PyTorch DataLoader (2 workers, Pillow) {torch_rates[-1]:.0f} images/s", flush=True)
    ratio = statistics.median(tkeras_rates) / statistics.median(torch_rates)
    print(f"median: tkeras {statistics.median(tkeras_rates):.0f} images/s, PyTorch "
          f"{statistics.median(torch_rates):.0f} images/s; ratio tkeras / PyTorch: {ratio:.2f}")
    print(report.strip())


if __name__ == "__main__":
    main()
