#!/usr/bin/env bash
# codegen + g++ C simulation over all 10,000 MNIST test images, bit-exact check included.
# Usage: bench/csim_bench.sh [QMODEL]   (default: lenet5 at 8 bits)
set -euo pipefail
source "$(dirname "$0")/common.sh"
q="${1:-$(ensure_qmodel lenet5 8)}"
dir=$(mktemp -d /tmp/lenet-csim-bench.XXXX)
start=$(now)
"$cli" codegen "$q" --out "$dir"
"$cli" csim "$dir" --images all
end=$(now)
printf 'codegen + csim, 10,000 images: %s s wall (%s, %s cores)\n' "$(elapsed "$start" "$end")" "$(basename "$q")" "$(nproc)"
