#!/usr/bin/env bash
# Side-by-side training throughput, Depth vs PyTorch, for bench workloads W2 (MLP) and W3 (CNN).
# Runs the two systems alternately (A B A B ...) under flock /tmp/bench.lock and prints the median
# samples/s of each and their ratio. Usage: bench/compare-training.sh [REPEATS] [W2|W3 ...]
# Needs Debian's python3-torch and libopenblas0-openmp (apt-get install python3-torch libopenblas0-openmp).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${1:-3}"; shift || true
WORKLOADS=("${@:-W2 W3}"); WORKLOADS=(${WORKLOADS[@]})
# PyTorch with the OpenMP OpenBLAS, 2 threads, and OpenBLAS free to pick its own kernel for this CPU.
torch_run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
  flock /tmp/bench.lock /usr/bin/python3 "$ROOT/bench/pytorch/train_workloads.py" "$1" --steps "$2" | sed -n 's/.*"samples_per_s": \([0-9.]*\).*/\1/p'; }
depth_run() { local model=mlp; [ "$1" = W3 ] && model=cnn
  flock /tmp/bench.lock "$ROOT/depth" train --model "$model" --epochs 1 --limit-train "$3" --limit-test 1000 --json --out /tmp/depth-bench-run 2>/dev/null \
    | tail -1 | sed -n 's/.*"samples_per_s":\([0-9.]*\).*/\1/p'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
"$ROOT/depth" --version >/dev/null   # build once before timing
for w in "${WORKLOADS[@]}"; do
  if [ "$w" = W2 ]; then steps=469; limit=60000; else steps=400; limit=25600; fi
  d=(); t=()
  for ((i = 1; i <= REPEATS; i++)); do
    d+=("$(depth_run "$w" "$steps" "$limit")"); t+=("$(torch_run "$w" "$steps")")
    echo "$w run $i: depth ${d[-1]} samples/s, pytorch ${t[-1]} samples/s" >&2
  done
  dm=$(printf '%s\n' "${d[@]}" | median); tm=$(printf '%s\n' "${t[@]}" | median)
  printf '%s  depth %8.0f  pytorch %8.0f  ratio %.2fx  (samples/s, median of %d, %s)\n' "$w" "$dm" "$tm" "$(echo "$dm / $tm" | bc -l)" "$REPEATS" "$(date -u +%FT%TZ)"
done
