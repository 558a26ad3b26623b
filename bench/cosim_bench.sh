#!/usr/bin/env bash
# RTL at several multiplier budgets: codegen, Verilator co-simulation over all 10,000 test images
# (Verilator build included, in a fresh folder), optional random stalls, and the yosys resource estimate.
# The 10,000 images run as several simulator processes over image ranges (--processes, 0 = one per
# core); II and latency come from the first range's back-to-back stream, as the cosim output says.
# Records wall and CPU time with the load average, since other jobs may share the machine.
# Usage: bench/cosim_bench.sh [QMODEL] [M list, default "8 32 128"] [STALL_PROB, default 0] [--no-synth]
#        HOSTS="hold handshake sequential" PROCESSES=0 bench/cosim_bench.sh ...
set -euo pipefail
source "$(dirname "$0")/common.sh"
q="${1:-$(ensure_qmodel lenet5 8)}"
budgets="${2:-8 32 128}"
stall="${3:-0}"
synth=1; [ "${4:-}" = "--no-synth" ] && synth=0
hosts="${HOSTS:-hold}"
processes="${PROCESSES:-0}"
for m in $budgets; do
    dir=$(mktemp -d "/tmp/lenet-cosim-bench-m$m.XXXX")
    "$cli" codegen "$q" --out "$dir" --multipliers "$m" >/dev/null
    for host in $hosts; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        start=$(now)
        /usr/bin/time -f "%U %S" -o "$dir/cpu.txt" \
            "$cli" cosim "$dir" --images all --stall-prob "$stall" --host "$host" --processes "$processes"
        end=$(now)
        read -r user sys < "$dir/cpu.txt"
        printf 'M=%s host=%s: cosim of 10,000 images incl. Verilator build (first host only): %s s wall, %s s CPU (user+sys), load %s at start (stall %s, %s cores)\n' \
            "$m" "$host" "$(elapsed "$start" "$end")" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')" "$load" "$stall" "$(nproc)"
    done
    [ "$synth" = 1 ] && "$cli" synth-estimate "$dir"
    rm -rf "$dir"
done
