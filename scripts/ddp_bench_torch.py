"""PyTorch's side of scripts/ddp_bench.py: the course's CNN on Fashion-MNIST with DDP.

The model, optimizer, data, global batch and thread count of tkeras-ddp-bench, written as a
PyTorch user writes data-parallel training: torch.distributed on Gloo (started by torchrun),
DistributedDataParallel, a DistributedSampler, and the loss and accuracy summed on the device and
read once per epoch. Epochs after the first are timed; rank 0 prints the median epoch's samples
per second over the whole job.
"""
import argparse
import gzip
import os
import statistics
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class CourseCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 3)
        self.conv2 = nn.Conv2d(64, 64, 3)
        self.dense = nn.Linear(64 * 5 * 5, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.out(F.relu(self.dense(torch.flatten(x, 1))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=12800)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()

    images = read_idx("train-images-idx3-ubyte.gz")[: args.samples]
    labels = read_idx("train-labels-idx1-ubyte.gz")[: args.samples]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    dataset = torch.utils.data.TensorDataset(x, y)
    sampler = torch.utils.data.distributed.DistributedSampler(dataset, shuffle=True, seed=1)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size // world, sampler=sampler)

    torch.manual_seed(1)
    model = nn.parallel.DistributedDataParallel(CourseCNN())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds = []
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        start = time.perf_counter()
        totals = torch.zeros(3, dtype=torch.float64)
        for xb, yb in loader:
            optimizer.zero_grad()
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                totals += torch.stack(
                    [loss.double() * len(yb), (logits.argmax(1) == yb).sum().double(), torch.tensor(len(yb), dtype=torch.float64)]
                )
        dist.all_reduce(totals)
        if epoch > 0:
            seconds.append(time.perf_counter() - start)
    if rank == 0:
        loss, correct, count = totals.tolist()
        print(
            f"pytorch processes {world} samples/s {args.samples / statistics.median(seconds):.1f} "
            f"loss {loss / count:.4f} accuracy {correct / count:.4f}",
            flush=True,
        )
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
