#!/usr/bin/env bash
# The default regression matrix with --jobs 1 and --jobs 2 (fresh output folders, so nothing is skipped).
# Usage: bench/regress_bench.sh [IMAGES per case, default: the matrix's]
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_qmodel lenet5 8 >/dev/null
ensure_qmodel lenet5-classic 8 >/dev/null
extra=(); [ -n "${1:-}" ] && extra=(--images "$1")
for jobs in 1 2; do
    out=$(mktemp -d "/tmp/lenet-regress-j$jobs.XXXX")
    start=$(now)
    "$cli" regress --jobs "$jobs" --out "$out" --junit "$out/junit.xml" "${extra[@]}" | tail -n 1
    end=$(now)
    printf 'regress --jobs %s: %s s wall (%s cores)\n' "$jobs" "$(elapsed "$start" "$end")" "$(nproc)"
done
