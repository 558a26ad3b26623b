#!/usr/bin/env bash
# The regression through a real Slurm: installs slurm-wlm and munge when missing (apt, needs root), brings up
# a single-node cluster on localhost (munge key, slurm.conf, munged, slurmctld, slurmd, all in a scratch
# folder), submits the array job `lenet-hls regress emit slurm` wrote, waits, checks the merged report
# against a local run of the same matrix, and tears everything down. A benchmark, not part of `make test`.
# Usage: bench/slurm_regress.sh [IMAGES per case, default 20] [SHARDS, default 4] [MATRIX.json, default built-in]
# The full run: bench/slurm_regress.sh all 8
set -euo pipefail
images="${1:-20}"
shards="${2:-4}"
matrix="${3:-}"
[ -n "$matrix" ] && matrix="$(realpath "$matrix")"
source "$(dirname "$0")/common.sh"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    start=$(now)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
    echo "apt-get install slurm-wlm munge: $(elapsed "$start" "$(now)") s"
fi
# The float models must exist before the shards start, or every shard would train its own.
ensure_qmodel lenet5 8 >/dev/null
ensure_qmodel lenet5-classic 8 >/dev/null

work=$(mktemp -d /tmp/lenet-slurm.XXXX)
chmod 755 "$work"
mkdir -p "$work"/munge "$work"/slurm/state "$work"/slurm/spool
pids=()
teardown() {
    set +e
    [ -n "${SLURM_CONF:-}" ] && scancel --quiet --user "$(id -un)" 2>/dev/null
    for pidfile in "$work/slurm/slurmd.pid" "$work/slurm/slurmctld.pid" "$work/munge/munged.pid"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
    done
    sleep 1
    echo "torn down; scratch folder kept for inspection: $work"
}
trap teardown EXIT

# munge: a fresh key, its own socket.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
       --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"

# slurm: one node (this machine, all its cores), one partition, no accounting, no cgroups.
export SLURM_CONF="$work/slurm/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=lenet-bench
SlurmctldHost=localhost
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/slurm/state
SlurmdSpoolDir=$work/slurm/spool
SlurmctldPidFile=$work/slurm/slurmctld.pid
SlurmdPidFile=$work/slurm/slurmd.pid
SlurmctldLogFile=$work/slurm/slurmctld.log
SlurmdLogFile=$work/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=bench Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -i -f "$SLURM_CONF"
slurmd -N localhost -f "$SLURM_CONF"
for _ in $(seq 1 60); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && break
    sleep 1
done
sinfo -h -o %T | grep -q idle || { echo "the Slurm node did not come up; see $work/slurm/*.log" >&2; exit 1; }
echo "single-node Slurm up: $(sinfo -h -o '%P %D %c %T')"

# The emitted job: n shards (each on 1 core, so the node runs as many at once as it has cores) and the merge.
matrix_args=(); [ -n "$matrix" ] && matrix_args=(--matrix "$matrix")
"$cli" regress emit slurm --shards "$shards" --images "$images" --jobs 1 "${matrix_args[@]}" \
       --workdir "$root" --models out/models --data data/mnist --out "$work/job" >/dev/null
start=$(now)
ids=$("$work/job/submit.sh")
echo "submitted: $ids"
array_id=$(echo "$ids" | sed -E 's/array job ([0-9]+), merge job ([0-9]+)/\1/')
merge_id=$(echo "$ids" | sed -E 's/array job ([0-9]+), merge job ([0-9]+)/\2/')
while squeue -h -j "$array_id,$merge_id" 2>/dev/null | grep -q .; do sleep 5; done
slurm_seconds=$(elapsed "$start" "$(now)")
echo "Slurm array of $shards shards + merge: $slurm_seconds s wall ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
tail -n 1 "$work/job/logs/merge.out"
[ -f "$work/job/merged/junit.xml" ] || { echo "no merged report: see $work/job/logs" >&2; exit 1; }

# The same matrix locally, one process, --jobs = cores.
start=$(now)
"$cli" regress --images "$images" --jobs "$(nproc)" "${matrix_args[@]}" --models out/models --data data/mnist \
       --out "$work/local" --junit "$work/local.xml" | tail -n 1 || true
echo "local run: $(elapsed "$start" "$(now)") s wall"
"$cli" regress merge "$work/local.xml" "${matrix_args[@]}" --out "$work/local-merged" >/dev/null || true

# Identical results: every case, its verdict and its detail (images compared, mismatches).
python3 - "$work/job/merged/junit.xml" "$work/local-merged/junit.xml" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
# A failure names its case's log under the run's own work folder; that folder differs between the runs.
def same_paths(text):
    return re.sub(r"\S*/cases/", "…/cases/", text or "")
def cases(path):
    return {t.get("name"): same_paths(("FAIL: " + t.find("failure").get("message")) if t.find("failure") is not None else t.findtext("system-out"))
            for t in ET.parse(path).iter("testcase")}
slurm, local = cases(sys.argv[1]), cases(sys.argv[2])
same = slurm == local
print(f"{len(slurm)} cases through Slurm, {len(local)} locally: {'identical verdicts and details' if same else 'DIFFERENT'}")
for name in sorted(set(slurm) | set(local)):
    if slurm.get(name) != local.get(name): print(f"  {name}: slurm {slurm.get(name)!r}, local {local.get(name)!r}")
sys.exit(0 if same else 1)
EOF
