#!/usr/bin/env bash
# synth-estimate: the per-module estimate on a cold and a warm cache against one flat synth_xilinx run,
# on three designs, and the cell counts of both compared type by type.
# Usage: bench/synth_bench.sh            (lenet5 8-bit M=128, lenet5-classic 8-bit M=32, lenet5 bipolar W1A4 M=32)
set -euo pipefail
source "$(dirname "$0")/common.sh"
lenet5_q=$(ensure_qmodel lenet5 8)
classic_q=$(ensure_qmodel lenet5-classic 8)
bipolar_q="out/qmodels/lenet5-w1a4.qmodel.json"
[ -f "$bipolar_q" ] || "$cli" quantize out/models/lenet5 --weight-bits 1 --act-bits 4 --name lenet5-w1a4 --out out/qmodels --data data/mnist >&2

work=$(mktemp -d /tmp/lenet-synth-bench.XXXX)
cache="$work/cache"   # a cache of this run only: the first per-module run is cold
trap 'rm -rf "$work"' EXIT

compare() {  # compare FLAT.json PER_MODULE.json: equal cell counts by type, or each difference
    python3 - "$1" "$2" <<'EOF'
import json, sys
flat, per = (json.load(open(p))["cells"] for p in sys.argv[1:3])
diff = {t: (flat.get(t, 0), per.get(t, 0)) for t in sorted(set(flat) | set(per)) if flat.get(t, 0) != per.get(t, 0)}
keys = ["LUT", "FD", "DSP48E1", "RAMB18E1", "RAMB36E1", "CARRY4"]
tot = lambda d, k: sum(v for t, v in d.items() if t.startswith(k))
print("  totals flat / per-module: " + ", ".join(f"{k} {tot(flat, k)}/{tot(per, k)}" for k in keys))
print("  cell counts equal for every type" if not diff else "  differences (flat, per-module): " + ", ".join(f"{t} {a}/{b}" for t, (a, b) in diff.items()))
EOF
}

run() {  # run NAME QMODEL M
    local name="$1" q="$2" m="$3" dir="$work/$1"
    "$cli" codegen "$q" --out "$dir" --multipliers "$m" >/dev/null
    echo "== $name (M = $m), load: $(cut -d' ' -f1-3 /proc/loadavg)"
    local start end
    start=$(now); "$cli" synth-estimate "$dir" --cache "$cache" | tail -n 1; end=$(now)
    echo "  per-module, cold cache: $(elapsed "$start" "$end") s wall"
    cp "$dir/synth/resources.json" "$work/$name.per.json"
    start=$(now); "$cli" synth-estimate "$dir" --cache "$cache" | tail -n 1; end=$(now)
    echo "  per-module, warm cache: $(elapsed "$start" "$end") s wall"
    start=$(now); /usr/bin/time -f "  flat: %e s wall, %U s user CPU" "$cli" synth-estimate "$dir" --flat >/dev/null; end=$(now)
    cp "$dir/synth/resources.json" "$work/$name.flat.json"
    compare "$work/$name.flat.json" "$work/$name.per.json"
}

run lenet5-w8a8-m128 "$lenet5_q" 128
run lenet5-classic-w8a8-m32 "$classic_q" 32
run lenet5-w1a4-m32 "$bipolar_q" 32
