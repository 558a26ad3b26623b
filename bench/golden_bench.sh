#!/usr/bin/env bash
# Times the bit-exact golden model over the 10,000 MNIST test images and prints images/s (wall
# clock on all cores, and per CPU-second, which does not depend on other load on the machine).
# Usage: bench/golden_bench.sh [QMODEL]
#   QMODEL defaults to out/qmodels/lenet5-w8a8.qmodel.json; if it is missing it is quantized
#   (8 bits) from the trained out/models/lenet5 first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export LENET_ARTIFACTS="${LENET_ARTIFACTS:-$root/artifacts}"
dotnet build src/Cli -c Release -v quiet -nologo -clp:ErrorsOnly >/dev/null
cli="$LENET_ARTIFACTS/bin/Cli/release/lenet-hls"
qmodel="${1:-out/qmodels/lenet5-w8a8.qmodel.json}"
if [ ! -f "$qmodel" ]; then
    model=out/models/lenet5.modelstruct
    if [ ! -f "$model" ]; then
        echo "golden_bench: $qmodel not found, and there is no trained $model to quantize (run: lenet-hls train lenet5)" >&2
        exit 1
    fi
    "$cli" quantize "$model" --bits 8 --data data/mnist --out "$(dirname "$qmodel")" --name "$(basename "$qmodel" .qmodel.json)"
fi
exec "$cli" golden bench "$qmodel" --data data/mnist --repeat 3
