#!/usr/bin/env bash
# Every benchmark of bench/RESULTS.md, in order. Expect about 40 minutes on 2 cores.
set -euo pipefail
here="$(dirname "$0")"
"$here/train_epoch.sh" lenet5 64
"$here/golden_bench.sh"
"$here/csim_bench.sh"
"$here/cosim_bench.sh"
"$here/cosim_bench.sh" "" 128 0.3 --no-synth
"$here/regress_bench.sh"
