# Sourced by the bench scripts: builds the Release CLI once and makes sure a trained lenet5 and its
# 8-bit qmodel exist (training or quantizing them when missing).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export LENET_ARTIFACTS="${LENET_ARTIFACTS:-$root/artifacts}"
dotnet build src/Cli -c Release -v quiet -nologo -clp:ErrorsOnly >/dev/null
cli="$LENET_ARTIFACTS/bin/Cli/release/lenet-hls"
"$cli" data fetch --data data/mnist >/dev/null

ensure_qmodel() {  # ensure_qmodel PRESET BITS -> prints the qmodel path
    local preset="$1" bits="$2"
    local q="out/qmodels/$preset-w${bits}a${bits}.qmodel.json"
    if [ ! -f "out/models/$preset.modelstruct" ]; then
        "$cli" train --preset "$preset" --out "out/models/$preset" --data data/mnist >&2
    fi
    if [ ! -f "$q" ]; then
        "$cli" quantize "out/models/$preset" --bits "$bits" --out out/qmodels --data data/mnist >&2
    fi
    echo "$q"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
