#!/usr/bin/python3
"""PyTorch side of bench workloads W2 (MLP) and W3 (CNN) from ../shared/bench/WORKLOADS.md.

Run with Debian's python3-torch and the OpenMP OpenBLAS (see ../shared/bench/PYTORCH.md):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/pytorch/train_workloads.py W2 [--epochs N] [--steps N]
Prints one JSON line: {"workload": ..., "samples_per_s": ..., "test_accuracy": ... (when whole epochs ran)}.
Training samples/s excludes the first 50 steps (warm-up), as the workload defines.
"""
import argparse, gzip, json, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{DATA}/{name}", "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def models(name):
    if name == "W2":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10)), 128
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10)), 64


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["W2", "W3"])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: whole epochs)")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    xtr = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    ytr = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.int64)
    xte = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    yte = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.int64)
    model, bs = models(a.workload)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    step, samples, t0 = 0, 0, None
    done = False
    for epoch in range(a.epochs):
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), bs):
            if step == 50:
                t0, samples = time.perf_counter(), 0
            idxs = perm[i:i + bs]
            loss = F.cross_entropy(model(xtr[idxs]), ytr[idxs])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            samples += len(idxs)
            if a.steps and step >= a.steps:
                done = True
                break
        if done:
            break
    rate = samples / (time.perf_counter() - t0)
    out = {"workload": a.workload, "system": "pytorch " + torch.__version__, "threads": a.threads, "steps": step,
           "samples_per_s": rate}
    if not a.steps:
        with torch.no_grad():
            model.eval()
            correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, len(xte), 1000))
        out["test_accuracy"] = correct / len(xte)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
