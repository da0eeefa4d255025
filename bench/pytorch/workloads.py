#!/usr/bin/python3
"""PyTorch side of the benchmark workloads W1-W6 of ../shared/bench/WORKLOADS.md (Depth's side: `./depth bench`).

Run with Debian's python3-torch and the OpenMP OpenBLAS, 2 threads (see ../shared/bench/PYTORCH.md):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
      /usr/bin/python3 bench/pytorch/workloads.py W1 W6 [--repeats N] [--sizes 128,256] [--steps N] [--epochs N]
bench/compare.sh does that for you, alternating with Depth. Prints one JSON line per workload with the keys
Depth's `depth bench --json` uses: W1 "sizes": {"n": {"median", "min", "max"}} in GFLOP/s; W2, W3 "samples_per_s";
W4, W5 "tokens_per_s"; W6 "b1_latency_us" and "b256_samples_per_s"; every workload "peak_rss_mb" (VmHWM, the process's
peak resident memory at the workload's end: with several workloads in one process it covers the earlier ones too).

Timing rules (the same as dev.depth.bench.Workloads):
- W1: C = A B with torch.mm(out=C); per size at least 1 s (and 10 calls, and until two rounds of calls agree within 5%) of warm-up, then --repeats repetitions, each timing
  enough back-to-back calls to last >= 10 ms; GFLOP/s = 2n^3/t; median, min, max over the repetitions.
- W2, W3: real Fashion-MNIST, x/255, seed 42, reshuffled each epoch, Adam 1e-3, batch 128 / 64; samples/s over
  the steps after the first 50; 469 (W2, one epoch) and 400 (W3) steps in all by default. With --epochs N (or
  --steps 0), N whole epochs run and epoch_seconds and test_accuracy are reported as well (as `depth bench --epochs N`).
- W4, W5: random token ids in [0, 96); tokens/s (batch x sequence per step) over the steps after the first 10;
  W4 110 and W5 60 steps in all by default.
- W6: W2's MLP in eval mode under torch.no_grad(); batch-1 latency: the median of --latency-calls calls, each
  timed alone, after the same warm-up; batch-256 samples/s: median of --repeats repetitions.
"""
import argparse, gzip, json, math, os, platform, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
WARMUP_CALLS, MIN_REP_S = 10, 0.01


def idx(directory, name):
    with gzip.open(os.path.join(directory, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def peak_rss_mb():
    """The process's peak resident set (VmHWM of /proc/self/status) in MiB, or None off Linux (as Workloads.peakRssKb)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def stats(values):
    v = sorted(values)
    return {"median": float(np.median(v)), "min": v[0], "max": v[-1]}


def warm_up(body, seconds):
    """At least `seconds` and WARMUP_CALLS calls, then rounds until, after 500 calls, two agree within 5% (as Workloads.warmUp)."""
    t0, calls = time.perf_counter(), 0
    while calls < WARMUP_CALLS or time.perf_counter() - t0 < seconds:
        body()
        calls += 1
    per_call, previous = (time.perf_counter() - t0) / calls, float("nan")
    round_calls = max(WARMUP_CALLS, min(1_000_000, math.ceil(max(0.1 * seconds, MIN_REP_S) / max(per_call, 1e-9))))
    while time.perf_counter() - t0 < 10 * seconds + 2:
        r0 = time.perf_counter()
        for _ in range(round_calls):
            body()
        per_call = (time.perf_counter() - r0) / round_calls
        calls += round_calls
        if calls >= 500 and abs(per_call - previous) <= 0.05 * previous:
            break
        previous = per_call
    return per_call


def time_repeats(body, repeats, warmup_s):
    """Seconds per call, once per repetition, after a warm-up (as Workloads.timeRepeats in Depth)."""
    per_call = warm_up(body, warmup_s)
    n = max(1, min(1_000_000, math.ceil(MIN_REP_S / max(per_call, 1e-9))))
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            body()
        out.append((time.perf_counter() - t) / n)
    return out


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def w1(a, out):
    out["description"] = "sgemm C = A B (torch.mm), row-major square n x n, GFLOP/s = 2n^3/t"
    sizes = {}
    for n in dict.fromkeys(a.sizes):
        g = torch.Generator().manual_seed(1)
        x, y, c = torch.rand(n, n, generator=g) * 2 - 1, torch.rand(n, n, generator=g) * 2 - 1, torch.empty(n, n)
        secs = time_repeats(lambda: torch.mm(x, y, out=c), a.repeats, a.warmup)
        sizes[str(n)] = stats([2.0 * n ** 3 / s / 1e9 for s in secs])
    out["repeats"] = a.repeats
    out["sizes"] = sizes


def train_images(a, name):
    model, bs, default_steps = (mlp(), 128, 469) if name == "W2" else (cnn(), 64, 400)
    steps = (0 if a.epochs else default_steps) if a.steps is None else a.steps
    epochs = a.epochs or 1
    xtr = torch.tensor(idx(a.data, "train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    ytr = torch.tensor(idx(a.data, "train-labels-idx1-ubyte.gz"), dtype=torch.int64)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    step, samples, t0, loss = 0, 0, None, None
    epoch_seconds = []
    for epoch in range(epochs if steps == 0 else 10 ** 9):
        e0 = time.perf_counter()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), bs):
            if step == 50:
                t0, samples = time.perf_counter(), 0
            ids = perm[i:i + bs]
            loss = F.cross_entropy(model(xtr[ids]), ytr[ids])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            samples += len(ids)
            if steps and step >= steps:
                break
        epoch_seconds.append(time.perf_counter() - e0)
        if steps and step >= steps:
            break
    seconds = time.perf_counter() - t0
    out = {"description": f"{'MLP' if name == 'W2' else 'CNN'} on Fashion-MNIST, Adam lr 1e-3, batch {bs}, training samples/s after 50 warm-up steps"
                          + (f", over {epochs} whole epochs" if steps == 0 else ""),
           "samples_per_s": samples / seconds, "steps": step, "warmup_steps": 50, "batch_size": bs, "timed_seconds": seconds,
           "final_loss": loss.item()}
    if steps == 0:
        xte = torch.tensor(idx(a.data, "t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
        yte = torch.tensor(idx(a.data, "t10k-labels-idx1-ubyte.gz"), dtype=torch.int64)
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, len(xte), 1000))
        out["epochs"] = epochs
        out["epoch_seconds"] = epoch_seconds
        out["test_accuracy"] = correct / len(xte)
    return out


class CharLSTM(nn.Module):
    """W4: vocab 96, Embedding 64, LSTM hidden 256 (1 layer), Linear 256-96."""

    def __init__(self):
        super().__init__()
        self.emb, self.lstm, self.head = nn.Embedding(96, 64), nn.LSTM(64, 256, batch_first=True), nn.Linear(256, 96)

    def forward(self, x):
        return self.head(self.lstm(self.emb(x))[0])


class Block(nn.Module):
    """Pre-LayerNorm transformer block: causal self-attention (4 heads) and an MLP 4x with GELU, no dropout."""

    def __init__(self, width=128, heads=4):
        super().__init__()
        self.heads = heads
        self.ln1, self.qkv, self.proj = nn.LayerNorm(width), nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.ln2, self.fc, self.out = nn.LayerNorm(width), nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def forward(self, x, mask):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))  # (b, heads, t, headDim)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        att = att.masked_fill(mask[:t, :t], float("-inf")).softmax(-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, c))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class CharGPT(nn.Module):
    """W5: vocab 96, context 128, 4 layers, 4 heads, width 128, learned positions, final LayerNorm."""

    def __init__(self, vocab=96, context=128, width=128, layers=4, heads=4):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, width), nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln, self.head = nn.LayerNorm(width), nn.Linear(width, vocab)
        self.register_buffer("mask", torch.triu(torch.ones(context, context, dtype=torch.bool), diagonal=1))

    def forward(self, x):
        h = self.tok(x) + self.pos(torch.arange(x.shape[1]))
        for blk in self.blocks:
            h = blk(h, self.mask)
        return self.head(self.ln(h))


def train_tokens(a, name):
    if name == "W4":
        model, seq, opt_fn, default_steps = CharLSTM(), 64, lambda p: torch.optim.Adam(p, 2e-3), 110
        what = "LSTM char LM (vocab 96, Embedding 64, LSTM 256, seq 64, batch 32, Adam 2e-3)"
    else:
        model, seq, opt_fn, default_steps = CharGPT(), 128, lambda p: torch.optim.AdamW(p, 3e-4), 60
        what = "GPT char LM (context 128, 4 layers, 4 heads, width 128, batch 32, AdamW 3e-4)"
    steps, warmup, batch = default_steps if not a.steps else a.steps, 10, 32
    opt = opt_fn(model.parameters())
    g = torch.Generator().manual_seed(42)
    tokens, t0 = 0, None
    for step in range(steps):
        if step == warmup:
            t0, tokens = time.perf_counter(), 0
        ids = torch.randint(0, 96, (batch, seq + 1), generator=g)
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 96), ids[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tokens += batch * seq
    seconds = time.perf_counter() - t0
    return {"description": what + ", training tokens/s after 10 warm-up steps", "tokens_per_s": tokens / seconds, "steps": steps,
            "warmup_steps": warmup, "timed_seconds": seconds, "final_loss": loss.item()}


def w6(a, out):
    out["description"] = "W2's MLP inference (eval, no graph): batch-1 latency, batch-256 samples/s"
    model = mlp().eval()
    g = torch.Generator().manual_seed(42)
    one, batch = torch.rand(1, 784, generator=g), torch.rand(256, 784, generator=g)
    with torch.no_grad():
        warm_up(lambda: model(one), a.warmup)
        lat = []
        for _ in range(a.latency_calls):
            t = time.perf_counter_ns()
            model(one)
            lat.append((time.perf_counter_ns() - t) / 1e3)
        rates = [256 / s for s in time_repeats(lambda: model(batch), a.repeats, a.warmup)]
    b256 = stats(rates)
    out.update({"b1_latency_us": float(np.median(lat)), "b1_latency_us_p10": float(np.quantile(lat, 0.1)),
                "b1_latency_us_p90": float(np.quantile(lat, 0.9)), "b1_calls": a.latency_calls,
                "b256_samples_per_s": b256["median"], "b256_samples_per_s_min": b256["min"], "b256_samples_per_s_max": b256["max"],
                "repeats": a.repeats})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("workloads", nargs="*", default=["all"], help="W1 ... W6 or all")
    p.add_argument("--repeats", type=int, default=10, help="W1 repetitions per size and W6 batch-256 repetitions (default 10)")
    p.add_argument("--sizes", default="128,256,512,1024,2048", help="W1 matrix sizes")
    p.add_argument("--steps", type=int, default=None, help="training steps in all (W2 469, W3 400, W4 110, W5 60); "
                                                            "W2/W3 with 0: whole --epochs and test accuracy")
    p.add_argument("--epochs", type=int, default=None, help="W2/W3: whole epochs instead of --steps, with epoch_seconds and test "
                                                            "accuracy (WORKLOADS.md: W2 5, W3 2)")
    p.add_argument("--latency-calls", type=int, default=10000, help="W6 timed batch-1 calls (default 10000)")
    p.add_argument("--warmup", type=float, default=1.0, help="W1/W6 warm-up seconds per timing (default 1; at least 10 calls too)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default=os.environ.get("DEPTH_DATA", DATA), help="Fashion-MNIST directory (gzipped IDX files)")
    a = p.parse_args()
    if a.epochs is not None and (a.epochs < 1 or (a.steps or 0) != 0):
        p.error("--epochs must be >= 1, and comes without --steps (or with --steps 0)")
    a.sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    ids = []
    for w in a.workloads:
        for part in w.split(","):
            part = part.strip().upper()
            if part == "ALL":
                ids += [x for x in ["W1", "W2", "W3", "W4", "W5", "W6"] if x not in ids]
            elif part in {"W1", "W2", "W3", "W4", "W5", "W6"}:
                ids += [part] if part not in ids else []
            elif part:
                p.error(f"unknown workload '{part}'; expected W1 ... W6 or all")
    torch.set_num_threads(a.threads)
    for before, w in enumerate(ids):
        torch.manual_seed(42)
        out = {"workload": w, "system": "pytorch " + torch.__version__, "available": True,
               "python": platform.python_version(), "threads": torch.get_num_threads(),
               "blas": os.environ.get("LD_LIBRARY_PATH", "default BLAS")}
        if w == "W1":
            w1(a, out)
        elif w in ("W2", "W3"):
            out.update(train_images(a, w))
        elif w in ("W4", "W5"):
            out.update(train_tokens(a, w))
        else:
            w6(a, out)
        rss = peak_rss_mb()
        if rss is not None:
            out["peak_rss_mb"] = rss
            out["peak_rss_workloads_before"] = before
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
