#!/usr/bin/python3
"""Runs Depth (./depth bench) and PyTorch (bench/pytorch/workloads.py) alternately and prints ratios; see compare.sh."""
import json, os, shlex, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALL = ["W1", "W2", "W3", "W4", "W5", "W6"]
LOCK = "/tmp/bench.lock"


def torch_env():
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)  # this machine sets Haswell, which makes OpenBLAS slow here
    env.pop("OPENBLAS_L2_SIZE", None)
    env["LD_LIBRARY_PATH"] = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
    return env


def run(system, workload, extra):
    if system == "depth":
        cmd, env = [os.path.join(ROOT, "depth"), "bench", workload, "--json"], dict(os.environ)
    else:
        cmd, env = ["/usr/bin/python3", os.path.join(ROOT, "bench/pytorch/workloads.py"), workload], torch_env()
    cmd += extra
    p = subprocess.run(["flock", LOCK] + cmd, env=env, capture_output=True, text=True)
    load = os.getloadavg()[0]  # 1-minute load average at the end of the run: above ~2.5, something else shared the 2 cores
    if p.returncode != 0:
        sys.exit(f"compare: {system} {workload} failed (exit {p.returncode}): {shlex.join(cmd)}\n{p.stderr.strip()[-2000:]}")
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            m = json.loads(line)
            if m.get("workload") == workload:
                m["load_after"] = round(load, 2)
                return m
    sys.exit(f"compare: {system} {workload} printed no JSON line for {workload}:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")


def figures(m):
    """(name, value, higher_is_better) for each figure of one run; None when the system cannot run it."""
    if not m.get("available", True):
        return None
    w = m["workload"]
    if w == "W1":
        return [(f"sgemm n={n} GFLOP/s", s["median"], True) for n, s in m["sizes"].items()]
    if w in ("W2", "W3"):
        return [("training samples/s", m["samples_per_s"], True)]
    if w in ("W4", "W5"):
        return [("training tokens/s", m["tokens_per_s"], True)]
    # Depth's W6 figures are its frozen model's (Sequential.freeze); its model as it is gives b256_samples_per_s_unfrozen.
    # PyTorch's one model stands against both.
    return [("batch-1 latency us", m["b1_latency_us"], False), ("batch-256 samples/s", m["b256_samples_per_s"], True),
            ("b256, not frozen", m.get("b256_samples_per_s_unfrozen", m["b256_samples_per_s"]), True)]


def fmt(v):
    return f"{v:,.0f}" if v >= 1000 else f"{v:.1f}"


def spread(vals):
    return f"{fmt(statistics.median(vals))} ({fmt(min(vals))}-{fmt(max(vals))})"


def main():
    args = sys.argv[1:]
    repeats = 3
    if args and args[0].isdigit():
        repeats = int(args.pop(0))
    if repeats < 1:
        sys.exit("compare: REPEATS must be >= 1")
    wanted = []
    for a in args or ["all"]:
        for part in a.replace(",", " ").split():
            p = part.upper()
            if p == "ALL":
                wanted += [w for w in ALL if w not in wanted]
            elif p in ALL:
                wanted += [p] if p not in wanted else []
            else:
                sys.exit(f"compare: unknown workload '{part}'; usage: bench/compare.sh [REPEATS] [W1 ... W6 | all]")
    extra = shlex.split(os.environ.get("BENCH_ARGS", ""))
    if os.environ.get("BENCH_SIZES"):
        extra += ["--sizes", os.environ["BENCH_SIZES"]]
    out_file = os.environ.get("BENCH_OUT")
    subprocess.run([os.path.join(ROOT, "depth"), "--version"], check=True, capture_output=True)  # build once before timing
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
    print(f"# {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}  {cpu}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}  "
          f"repeats {repeats}  extra args {extra or 'none'}", flush=True)
    print(f"# ratio = Depth speed / PyTorch speed (> 1: Depth faster; latency: pytorch_us / depth_us); "
          f"ratio of the medians, then the min-max of the per-pair ratios", flush=True)
    all_runs = []
    for w in wanted:
        runs = {"depth": [], "pytorch": []}
        all_runs += [runs["depth"], runs["pytorch"]]
        for i in range(repeats):
            for system in ("depth", "pytorch"):
                m = run(system, w, extra)
                runs[system].append(m)
                if out_file:
                    with open(out_file, "a") as f:
                        f.write(json.dumps(m) + "\n")
                f = figures(m)
                shown = "not available: " + m.get("reason", "") if f is None else ", ".join(f"{n} {fmt(v)}" for n, v, _ in f)
                if f is not None and "test_accuracy" in m:
                    shown += f", test accuracy {m['test_accuracy']:.4f} after {m.get('epochs', '?')} epochs"
                if f is not None and "peak_rss_mb" in m:
                    shown += f", peak RSS {m['peak_rss_mb']:,.0f} MB"
                print(f"  {w} run {i + 1} {system:7s}: {shown}  (load {m['load_after']:.2f})", file=sys.stderr, flush=True)
        d_runs = [figures(m) for m in runs["depth"]]
        t_runs = [figures(m) for m in runs["pytorch"]]
        if t_runs[0] is None:
            print(f"{w}  pytorch cannot run it", flush=True)
            continue
        for k, (name, _, higher) in enumerate(t_runs[0]):
            tv = [r[k][1] for r in t_runs]
            if d_runs[0] is None:
                print(f"{w}  {name:24s} depth  n/a ({runs['depth'][0].get('reason', 'not available')})\n"
                      f"{'':4s}{'':24s} pytorch {spread(tv)}", flush=True)
                continue
            dv = [r[k][1] for r in d_runs]
            ratio = statistics.median(dv) / statistics.median(tv) if higher else statistics.median(tv) / statistics.median(dv)
            pairs = [d / t if higher else t / d for d, t in zip(dv, tv)]
            print(f"{w}  {name:24s} depth {spread(dv):>26s}  pytorch {spread(tv):>26s}  ratio {ratio:.2f}x ({min(pairs):.2f}-{max(pairs):.2f})",
                  flush=True)
            for system, v in (("depth", dv), ("pytorch", tv)):
                # One system's runs falling into two groups far apart (PyTorch's W2 ran at 10-14k samples/s in about a
                # third of its runs on these machines one day, 44-56k otherwise, and at 55-68k or 90-97k on another)
                # makes the ratio of the medians depend on how many slow runs a set happened to draw: say so, with the
                # ratio over the fast runs alone.
                if len(v) >= 2 and min(v) > 0 and max(v) / min(v) > 1.5:
                    cut = (min(v) * max(v)) ** 0.5  # between the two groups, whichever is larger
                    fast = [x for x in v if (x > cut if higher else x < cut)]
                    if fast and len(fast) < len(v):
                        fast_pairs = [d / t if higher else t / d for d, t in zip(dv, tv) if (t if system == "pytorch" else d) in fast]
                        print(f"#   {w} {name}: {system}'s runs differ by more than 1.5x ({fmt(min(v))} to {fmt(max(v))}): a slow mode in "
                              f"{len(v) - len(fast)} of {len(v)} runs; over the other pairs the ratio is "
                              f"{min(fast_pairs):.2f}-{max(fast_pairs):.2f}x", flush=True)
        d_rss = [m["peak_rss_mb"] for m in runs["depth"] if "peak_rss_mb" in m]
        t_rss = [m["peak_rss_mb"] for m in runs["pytorch"] if "peak_rss_mb" in m]
        if d_rss and t_rss and d_runs[0] is not None:
            # Memory: lower is better, so this ratio is Depth / PyTorch (< 1: Depth uses less), unlike the speed ratios.
            pairs = [d / t for d, t in zip(d_rss, t_rss)]
            print(f"{w}  {'peak RSS MB (lower=better)':24s} depth {spread(d_rss):>26s}  pytorch {spread(t_rss):>26s}  "
                  f"Depth/PyTorch {statistics.median(d_rss) / statistics.median(t_rss):.2f}x ({min(pairs):.2f}-{max(pairs):.2f})", flush=True)
    loaded = [m for ms in all_runs for m in ms if m.get("load_after", 0) > 2.5]
    if loaded:
        print(f"# WARNING: {len(loaded)} of {sum(map(len, all_runs))} runs ended with a 1-minute load average above 2.5 (max "
              f"{max(m['load_after'] for m in loaded):.1f}): other processes shared the 2 cores, and multi-threaded figures "
              f"(PyTorch's OpenMP above all) suffer badly from that; rerun on a quiet machine or compare with BENCH_ARGS='--threads 1'",
              flush=True)
    print(f"# done {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, load {os.getloadavg()[0]:.2f}; "
          f"depth: {runs['depth'][0].get('jdk', '?')}, {runs['depth'][0].get('kernels', '?')}, GC {runs['depth'][0].get('gc', '?')}; "
          f"{runs['pytorch'][0].get('system', '?')}", flush=True)


if __name__ == "__main__":
    main()
