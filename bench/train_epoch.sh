#!/usr/bin/env bash
# Times one lenet5 training epoch (60,000 MNIST images, batch 64) and float inference over the
# 10,000 test images. Usage: bench/train_epoch.sh [PRESET] [BATCH] [THREADS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export LENET_ARTIFACTS="${LENET_ARTIFACTS:-$root/artifacts}"
dotnet build "$root/bench/TrainBench" -c Release -v quiet -nologo >/dev/null
exec dotnet "$LENET_ARTIFACTS/bin/TrainBench/release/train-bench.dll" "$root/data/mnist" "${1:-lenet5}" "${2:-64}" "${3:-$(nproc)}"
