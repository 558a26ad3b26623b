#!/usr/bin/env bash
# RTL at several multiplier budgets: codegen, Verilator co-simulation over all 10,000 test images
# (build included), optional random stalls, and the yosys resource estimate.
# Usage: bench/cosim_bench.sh [QMODEL] [M list, default "8 32 128"] [STALL_PROB, default 0] [--no-synth]
set -euo pipefail
source "$(dirname "$0")/common.sh"
q="${1:-$(ensure_qmodel lenet5 8)}"
budgets="${2:-8 32 128}"
stall="${3:-0}"
synth=1; [ "${4:-}" = "--no-synth" ] && synth=0
for m in $budgets; do
    dir=$(mktemp -d "/tmp/lenet-cosim-bench-m$m.XXXX")
    "$cli" codegen "$q" --out "$dir" --multipliers "$m" >/dev/null
    start=$(now)
    "$cli" cosim "$dir" --images all --stall-prob "$stall"
    end=$(now)
    printf 'M=%s: cosim of 10,000 images incl. Verilator build: %s s wall (stall %s, %s cores)\n' "$m" "$(elapsed "$start" "$end")" "$stall" "$(nproc)"
    [ "$synth" = 1 ] && "$cli" synth-estimate "$dir"
done
