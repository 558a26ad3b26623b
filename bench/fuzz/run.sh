#!/usr/bin/env bash
# Fuzzes the real lenet-hls CLI: damaged model, weight, qmodel and MNIST files, and bad command lines.
# Every run is classified as clean error / legitimate accept / wrong accept / crash / hang and the
# table is printed as Markdown (for bench/RESULTS.md).
#   bench/fuzz/run.sh [FILES [COMMANDS]]   defaults: 520 fuzzed files, all (>= 100) bad command lines
# FUZZ_SEED, FUZZ_TIMEOUT (s per run, default 120) and FUZZ_WORK (scratch folder) can be set.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export LENET_ARTIFACTS="${LENET_ARTIFACTS:-$root/artifacts}"
dotnet build src/Cli -c Release -v quiet -nologo -clp:ErrorsOnly >/dev/null
cli="$LENET_ARTIFACTS/bin/Cli/release/lenet-hls"
[ -f data/mnist/t10k-labels-idx1-ubyte ] || "$cli" data fetch --data data/mnist >/dev/null
echo "load before: $(uptime)" >&2
exec python3 "$root/bench/fuzz/fuzz.py" --cli "$cli" --data "$root/data/mnist" --files "${1:-520}" --commands "${2:-0}" \
    --seed "${FUZZ_SEED:-1}" --timeout "${FUZZ_TIMEOUT:-120}" --work "${FUZZ_WORK:-$(mktemp -d /tmp/lenet-fuzz.XXXXXX)}"
