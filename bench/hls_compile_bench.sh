#!/usr/bin/env bash
# g++ compile time of the generated HLS C++ per model, with Xilinx's real ap_int headers and with the
# fallback integer types (target: <= 15 s each with the real headers on 2 cores), and, with --csim,
# lenet-hls csim on all 10,000 MNIST test images in both type worlds (bit-exact or the script fails).
#
# Usage: bench/hls_compile_bench.sh [--csim]
# The real headers: $LENET_AP_INCLUDE, else $XILINX_HLS/include, else ../shared/third_party/xilinx-ap-types/include.
# Models: lenet5 and lenet5-classic at 8 bits, and a bipolar mixed-width lenet5 (conv1 4-bit, conv2/fc1/fc2
# bipolar, fc3 8-bit weights; 4-bit activations), quantized from 1-epoch models trained into out/hls-bench
# when missing: compile time and bit-exactness do not depend on accuracy.
set -euo pipefail

run_csim=false
[ "${1:-}" = "--csim" ] && run_csim=true

ap="${LENET_AP_INCLUDE:-}"
[ -z "$ap" ] && [ -n "${XILINX_HLS:-}" ] && ap="$XILINX_HLS/include"
[ -z "$ap" ] && ap="$(dirname "$0")/../../shared/third_party/xilinx-ap-types/include"
if [ ! -f "$ap/ap_int.h" ]; then
    echo "hls_compile_bench: no ap_int.h in $ap (set LENET_AP_INCLUDE or XILINX_HLS)" >&2
    exit 2
fi
ap="$(cd "$ap" && pwd)"

source "$(dirname "$0")/common.sh"

work="out/hls-bench"
mkdir -p "$work/models" "$work/qmodels"
for preset in lenet5 lenet5-classic; do
    if [ ! -f "$work/models/$preset.modelstruct" ]; then
        "$cli" train --preset "$preset" --epochs 1 --out "$work/models/$preset" --data data/mnist >&2
    fi
done
quantize() {  # quantize NAME PRESET ARGS... -> prints the qmodel path
    local name="$1" preset="$2"; shift 2
    local q="$work/qmodels/$name.qmodel.json"
    if [ ! -f "$q" ]; then
        "$cli" quantize "$work/models/$preset" "$@" --out "$work/qmodels/$name.tmp" --data data/mnist >/dev/null
        mv "$(ls "$work/qmodels/$name.tmp"/*.qmodel.json)" "$q"
        rm -rf "$work/qmodels/$name.tmp"
    fi
    echo "$q"
}
printf '{ "conv1": {"weights": {"bits": 4}}, "fc3": {"weights": {"bits": 8}} }\n' > "$work/bipolar-mixed.override.json"
models=(
    "lenet5-w8a8=$(quantize lenet5-w8a8 lenet5 --bits 8)"
    "lenet5-classic-w8a8=$(quantize lenet5-classic-w8a8 lenet5-classic --bits 8)"
    "lenet5-bipolar-mixed=$(quantize lenet5-bipolar-mixed lenet5 --weight-bits 1 --act-bits 4 --override "$work/bipolar-mixed.override.json")"
)

flags=(-std=c++14 -O2 -Wall -Wextra -Werror -Wno-unknown-pragmas -I.)
timed_compile() {  # timed_compile HLS_DIR WORLD_FLAGS... -> "wall_s cpu_s max_rss_MB" for lenet5.cpp alone
    local hls="$1"; shift
    local log; log=$(mktemp)
    (cd "$hls" && /usr/bin/time -f '%e %U %S %M' -o "$log" g++ "${flags[@]}" "$@" -c lenet5.cpp -o /dev/null)
    awk '{ printf "%s %.2f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$log"
    rm -f "$log"
}

echo "g++ $(g++ -dumpfullversion), $(nproc) cores, real headers: $ap"
# CPU seconds (user + sys) are what the load of other processes disturbs least; wall is what a user waits.
printf '%-22s %14s %14s %14s %14s %14s\n' model "real wall (s)" "real CPU (s)" "real RSS (MB)" "fallback wall" "fallback CPU"
for entry in "${models[@]}"; do
    name="${entry%%=*}" q="${entry#*=}"
    dir="$work/gen/$name"
    "$cli" codegen "$q" --out "$dir" >/dev/null
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    read -r real_s real_cpu real_mb < <(timed_compile "$dir/hls" -DLENET_USE_AP_INT -isystem "$ap")
    read -r std_s std_cpu _ < <(timed_compile "$dir/hls" -DLENET_NO_AP_INT)
    printf '%-22s %14s %14s %14s %14s %14s   (load %s)\n' "$name" "$real_s" "$real_cpu" "$real_mb" "$std_s" "$std_cpu" "$load_before"
done
echo "uptime: $(uptime)"

if $run_csim; then
    for entry in "${models[@]}"; do
        name="${entry%%=*}"
        dir="$work/gen/$name"
        echo "== $name, real Xilinx headers"
        "$cli" csim "$dir" --images all --ap-include "$ap"
        echo "== $name, fallback integer types"
        env -u LENET_AP_INCLUDE -u XILINX_HLS "$cli" csim "$dir" --images all
    done
    echo "uptime: $(uptime)"
fi
