#!/usr/bin/env bash
# Issue 7's figures: QAT at W4A4, W3A3, W2A2 (from the W3A3 weights, --refine-scales) and W1A4 (bipolar),
# then the mixed-precision search at 98.8 % validation accuracy (signed and --unsigned-relu), and QAT of classic
# LeNet-5 (tanh tables, average pooling), each reported by the golden model on all 10,000 test images.
# Expect about 22 minutes on 2 cores.
# Usage: bench/qat_bench.sh [OUTDIR]   (default out/qmodels)
set -euo pipefail
source "$(dirname "$0")/common.sh"
out="${1:-out/qmodels}"
ensure_qmodel lenet5 8 >/dev/null
if [ ! -f out/models/lenet5-train55k.modelstruct ]; then
    # The search validates on the last 5,000 training images, so its start model must not have seen them.
    "$cli" train --preset lenet5 --train-images 55000 --keep-last --out out/models/lenet5-train55k --data data/mnist
fi
run() {  # run LABEL COMMAND... -> the command's last line and its wall time
    local label="$1"; shift
    local start end
    start=$(now)
    "$@" | tail -n 1
    end=$(now)
    printf '%s: %s s wall (%s cores)\n' "$label" "$(elapsed "$start" "$end")" "$(nproc)"
}
run "qat W4A4" "$cli" qat out/models/lenet5 --bits 4 --epochs 3 --out "$out" --data data/mnist
run "qat W3A3" "$cli" qat out/models/lenet5 --bits 3 --epochs 3 --out "$out" --data data/mnist
run "qat W2A2" "$cli" qat "$out/lenet5-qat-w3a3" --bits 2 --epochs 5 --refine-scales --name lenet5-qat-w2a2 --out "$out" --data data/mnist
run "qat W1A4" "$cli" qat out/models/lenet5 --weight-bits 1 --act-bits 4 --epochs 3 --out "$out" --data data/mnist
start=$(now)
"$cli" search out/models/lenet5-train55k --target-accuracy 98.8 --out "$out" --name lenet5-mixed --data data/mnist | tail -n 2
end=$(now)
printf 'search: %s s wall (%s cores)\n' "$(elapsed "$start" "$end")" "$(nproc)"
run "qat W2A2u" "$cli" qat out/models/lenet5 --bits 2 --unsigned-relu --refine-scales --epochs 3 --out "$out" --data data/mnist
run "qat W1A4u" "$cli" qat out/models/lenet5 --weight-bits 1 --act-bits 4 --unsigned-relu --epochs 3 --out "$out" --data data/mnist
start=$(now)
"$cli" search out/models/lenet5-train55k --target-accuracy 98.8 --unsigned-relu --out "$out" --name lenet5-mixed-u --data data/mnist | tail -n 2
end=$(now)
printf 'search --unsigned-relu: %s s wall (%s cores)\n' "$(elapsed "$start" "$end")" "$(nproc)"
ensure_qmodel lenet5-classic 8 >/dev/null
for bits in 4 3; do
    run "qat classic W${bits}A${bits}" "$cli" qat out/models/lenet5-classic --bits "$bits" --epochs 3 --out "$out" --data data/mnist
done
run "qat classic W2A2" "$cli" qat "$out/lenet5-classic-qat-w3a3" --bits 2 --epochs 5 --name lenet5-classic-qat-w2a2 --out "$out" --data data/mnist
