#!/usr/bin/env bash
# Issue 17's figures under the honest protocol: every model and setting is chosen on the validation split
# (the last 5,000 training images) or on calibration (training) images, and the test set is read once per
# model, to report it. For seeds 1, 2 and 3:
#   float training (epoch chosen by validation accuracy), 8-bit and 16-bit post-training quantization, for
#   lenet5 and lenet5-classic; QAT W4A4 and W3A3 from lenet5, W2A2 from the W3A3 weights (the recipe of
#   bench/qat_bench.sh, --seed N); the mixed-precision search at 98.8 % validation accuracy. Then the W2A2
#   recipe is chosen again, on validation: the three other recipes docs/qat.md tried (once chosen on the test
#   set) run for RECIPE_SEEDS (default seed 1), and the table names the one with the best validation accuracy.
# Prints mean ± standard deviation over the seeds beside the old single figures of bench/RESULTS.md.
# Every step's log stays in OUTDIR; a rerun skips the steps that finished, so an interrupted run continues.
# Expect about 60 minutes on 2 idle cores (train 10 epochs ×6, QAT ×12, search ×3).
# Usage: bench/honest_accuracy.sh [OUTDIR]   (default out/honest)
#        PHASES="search recipes" WAIT=1 bench/honest_accuracy.sh   (only those phases, waiting for the float
#        models another instance is training: two instances on disjoint phases share the work)
#        bench/honest_accuracy.sh --table [OUTDIR]   (only print the table of what has finished)
set -euo pipefail
table_only=0
if [ "${1:-}" = "--table" ]; then table_only=1; shift; fi
here="$(cd "$(dirname "$0")/.." && pwd)"
# A separate build folder: rebuilding the worktree while this long run goes on must not swap its binary.
export LENET_ARTIFACTS="${LENET_ARTIFACTS:-$here/out/honest-artifacts}"
out="${1:-out/honest}"
seeds="${SEEDS:-1 2 3}"
recipe_seeds="${RECIPE_SEEDS:-1}"
# The W2A2 recipes run in the recipes phase (all three by default); the chosen one can then run for more seeds.
recipes="${RECIPES:-qat-w2a2-float qat-w2a2-float-lr qat-w2a2-float-refine}"
phases="${PHASES:-float qat search recipes}"
wait_for_others="${WAIT:-0}"

print_table() {
python3 - "$out" "$seeds" "$recipe_seeds" <<'PY'
import json, os, re, statistics, sys
out, seeds, recipe_seeds = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()

def read(path):
    return open(path).read() if os.path.exists(path) and os.path.exists(path + ".done") else None

def count(text, pattern):
    """Accuracy in percent from the (correct/total) of the first line matching pattern."""
    if text is None: return None
    for line in text.splitlines():
        if re.search(pattern, line):
            m = re.search(r"(\d+)/(\d+)", line)
            if m: return 100.0 * int(m.group(1)) / int(m.group(2))
    return None

def kept_validation(seed, preset):
    """Validation accuracy of the kept epoch, from the training log the model was written with."""
    if read(f"{out}/s{seed}/logs/train-{preset}.log") is None: return None
    kept = [l.split() for l in open(f"{out}/s{seed}/models/{preset}.log") if l.rstrip().endswith("kept")]
    return float(kept[-1][4]) if kept else None

def trained(seed, preset):
    """The train run's own log: its last line is the test accuracy, read once."""
    if read(f"{out}/s{seed}/logs/train-{preset}.log") is None: return None
    return open(f"{out}/s{seed}/models/{preset}.log").read()

def search(seed, key):
    path = f"{out}/s{seed}/qmodels/lenet5-mixed-search.json"
    if read(f"{out}/s{seed}/logs/search.log") is None or not os.path.exists(path): return None
    s = json.load(open(path))
    c = s.get("chosen")
    if c is None: return None
    if key == "rom":
        eight = [x["weightRomBits"] for x in s["candidates"] if all(b == 8 for b in x["weightBits"])]
        return eight[0] / c["weightRomBits"] if eight else None
    return 100.0 * c[key]

def log(seed, name): return read(f"{out}/s{seed}/logs/{name}.log")

rows = [  # label, old single figure, target, value(seed)
    ("lenet5 float (test)", "99.38", "≥ 99.0", lambda s: count(trained(s, "lenet5"), r"^# test accuracy of the kept model")),
    ("lenet5 float (validation, kept epoch)", "–", "", lambda s: kept_validation(s, "lenet5")),
    ("lenet5 8-bit post-training", "99.37", "float − 0.2", lambda s: count(log(s, "quantize-lenet5-8"), r"^fixed accuracy")),
    ("lenet5 16-bit post-training", "99.38", "", lambda s: count(log(s, "quantize-lenet5-16"), r"^fixed accuracy")),
    ("lenet5-classic float (test)", "99.21", "≥ 98.5", lambda s: count(trained(s, "lenet5-classic"), r"^# test accuracy of the kept model")),
    ("lenet5-classic 8-bit post-training", "99.18", "", lambda s: count(log(s, "quantize-lenet5-classic-8"), r"^fixed accuracy")),
    ("lenet5-classic 16-bit post-training", "99.21", "", lambda s: count(log(s, "quantize-lenet5-classic-16"), r"^fixed accuracy")),
    ("QAT W4A4 (lenet5)", "99.29", "≥ 99.0", lambda s: count(log(s, "qat-w4a4"), r"on the test set")),
    ("QAT W3A3 (lenet5)", "98.99", "≥ 98.7", lambda s: count(log(s, "qat-w3a3"), r"on the test set")),
    ("QAT W2A2 (lenet5, from W3A3)", "98.02", "≥ 98.0", lambda s: count(log(s, "qat-w2a2"), r"on the test set")),
    ("search 98.8: test", "98.87", "", lambda s: search(s, "testAccuracy")),
    ("search 98.8: validation", "99.12", "≥ 98.8", lambda s: search(s, "validationAccuracy")),
    ("search 98.8: 8-bit weight ROM / chosen", "7.7", "≥ 6", lambda s: search(s, "rom")),
]
print(f"| figure | old (single run) | new: mean ± std | seeds | per seed | target |")
print(f"|---|---:|---:|---:|---|---|")
for label, old, target, value in rows:
    values = [(s, value(s)) for s in seeds]
    got = [v for _, v in values if v is not None]
    if not got: mean = "not run"
    elif len(got) == 1: mean = f"{got[0]:.2f}"
    else: mean = f"**{statistics.mean(got):.2f} ± {statistics.stdev(got):.2f}**"
    per = ", ".join(f"s{s} {v:.2f}" for s, v in values if v is not None)
    print(f"| {label} | {old} | {mean} | {len(got)} | {per} | {target} |")

recipes = [("qat-w2a2", "from the W3A3 QAT weights, 5 epochs, --refine-scales", "98.02"),
           ("qat-w2a2-float", "from float, 5 epochs, lr 5e-4", "97.85"),
           ("qat-w2a2-float-lr", "from float, 8 epochs, lr 1e-3", "97.73"),
           ("qat-w2a2-float-refine", "from float, 5 epochs, --refine-scales", "97.98")]
for s in recipe_seeds[:1]:
    runs = [(name, what, old, count(log(s, name), r"on the validation split"), count(log(s, name), r"on the test set")) for name, what, old in recipes]
    done = [r for r in runs if r[3] is not None]
    if not done: continue
    chosen = max(done, key=lambda r: r[3])[0]
    print(f"\nW2A2 recipe, chosen on validation (seed {s}; the old choice was the best test accuracy of the four):\n")
    print("| recipe | old test (seed 1) | validation | test | chosen |")
    print("|---|---:|---:|---:|---|")
    for name, what, old, val, test in runs:
        f = lambda v: "not run" if v is None else f"{v:.2f}"
        print(f"| {what} | {old} | {f(val)} | {f(test)} | {'**chosen**' if name == chosen else ''} |")
    what = next(w for n, w, _, _ in [(n, w, o, None) for n, w, o in recipes] if n == chosen)
    values = [(t, count(log(t, chosen), r"on the test set")) for t in seeds]
    got = [v for _, v in values if v is not None]
    if len(got) > 1:
        print(f"\nThe chosen W2A2 recipe ({what}) over the seeds, test: **{statistics.mean(got):.2f} ± {statistics.stdev(got):.2f}** "
              f"({', '.join(f's{t} {v:.2f}' for t, v in values if v is not None)}); target ≥ 98.0")
PY
}

if [ "$table_only" = 1 ]; then cd "$here"; print_table; exit 0; fi
source "$here/bench/common.sh"
mkdir -p "$out"

step() {  # step SEED NAME COMMAND... : runs once; its output in OUTDIR/sSEED/logs/NAME.log, NAME.log.done when it finished
    local seed="$1" name="$2"; shift 2
    local logs="$out/s$seed/logs"
    mkdir -p "$logs"
    if [ -f "$logs/$name.log.done" ]; then echo "s$seed $name: done earlier"; return; fi
    local start end
    start=$(now)
    if "$@" >"$logs/$name.log" 2>&1; then
        end=$(now)
        printf 's%s %s: %s s wall, load %s\n' "$seed" "$name" "$(elapsed "$start" "$end")" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee "$logs/$name.log.done"
    else
        echo "s$seed $name: FAILED, see $logs/$name.log"; tail -n 3 "$logs/$name.log"
    fi
}

has_phase() { case " $phases " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
needs() {  # needs SEED NAME: with WAIT=1, wait until another instance has finished that step
    local done="$out/s$1/logs/$2.log.done"
    if [ "$wait_for_others" = 1 ]; then
        while [ ! -f "$done" ]; do sleep 30; done
    fi
}

echo "honest accuracy: phases $phases, seeds $seeds -> $out ($(nproc) cores, $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
has_phase float && for seed in $seeds; do  # float models first: every later figure starts from them
    for preset in lenet5 lenet5-classic; do
        step "$seed" "train-$preset" "$cli" train --preset "$preset" --seed "$seed" --out "$out/s$seed/models/$preset" --data data/mnist
        for bits in 8 16; do
            step "$seed" "quantize-$preset-$bits" "$cli" quantize "$out/s$seed/models/$preset" --bits "$bits" --out "$out/s$seed/qmodels" --data data/mnist
        done
    done
done
has_phase qat && for seed in $seeds; do
    needs "$seed" train-lenet5
    q="$out/s$seed/qmodels"
    step "$seed" qat-w4a4 "$cli" qat "$out/s$seed/models/lenet5" --bits 4 --epochs 3 --seed "$seed" --name lenet5-qat-w4a4 --out "$q" --data data/mnist
    step "$seed" qat-w3a3 "$cli" qat "$out/s$seed/models/lenet5" --bits 3 --epochs 3 --seed "$seed" --name lenet5-qat-w3a3 --out "$q" --data data/mnist
    step "$seed" qat-w2a2 "$cli" qat "$q/lenet5-qat-w3a3" --bits 2 --epochs 5 --refine-scales --seed "$seed" --name lenet5-qat-w2a2 --out "$q" --data data/mnist
done
has_phase search && for seed in $seeds; do
    needs "$seed" train-lenet5
    step "$seed" search "$cli" search "$out/s$seed/models/lenet5" --target-accuracy 98.8 --name lenet5-mixed --out "$out/s$seed/qmodels" --data data/mnist
done
has_phase recipes && for seed in $recipe_seeds; do  # the W2A2 recipes the old protocol compared on the test set
    needs "$seed" train-lenet5
    q="$out/s$seed/qmodels"
    m="$out/s$seed/models/lenet5"
    for recipe in $recipes; do
        case "$recipe" in
            qat-w2a2-float) args=(--epochs 5) ;;
            qat-w2a2-float-lr) args=(--epochs 8 --lr 0.001) ;;
            qat-w2a2-float-refine) args=(--epochs 5 --refine-scales) ;;
            *) echo "unknown recipe $recipe"; exit 2 ;;
        esac
        step "$seed" "$recipe" "$cli" qat "$m" --bits 2 "${args[@]}" --seed "$seed" --name "lenet5-$recipe" --out "$q" --data data/mnist
    done
done
echo
print_table
