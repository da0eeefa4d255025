#!/usr/bin/env bash
# Depth vs PyTorch on the workloads of bench/WORKLOADS.md, side by side: the two systems run alternately
# (depth, pytorch, depth, pytorch, ...), each timed run under flock /tmp/bench.lock, and every figure is
# printed as a speed ratio Depth/PyTorch (> 1: Depth is faster; for W6's latency that is pytorch_us / depth_us)
# with each system's median and min-max over the runs. Each run is a process of its own, so every workload's
# peak resident memory (peak_rss_mb, VmHWM) is its own; compare.sh prints it too, as Depth/PyTorch (lower: Depth uses less).
#   bench/compare.sh [REPEATS] [W1 ... W6 | all]         (default: 3 runs each of all)
# Environment: BENCH_SIZES=128,256 (W1 sizes), BENCH_ARGS="--steps 200" (extra arguments for both systems),
# BENCH_OUT=FILE (also append every raw JSON line there).
# Needs Debian's python3-torch and libopenblas0-openmp (apt-get install python3-torch libopenblas0-openmp).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec /usr/bin/python3 "$ROOT/bench/compare.py" "$@"
