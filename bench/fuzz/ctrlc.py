"""Measures how long each long command takes to exit after SIGINT (run: python3 bench/fuzz/ctrlc.py CLI MODEL QMODEL GEN DATA).
Each command runs as a terminal would start it (SIGINT not ignored), gets SIGINT after a warm-up, and
the seconds to exit, the exit code and any surviving child process are printed as a Markdown table."""
import os, signal, subprocess, sys, tempfile, time

cli, model, qmodel, gen, data = sys.argv[1:6]


def descendants(root):
    parents = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
            parents[int(pid)] = int(stat[stat.rindex(")") + 2:].split()[1])
        except OSError:
            pass
    found, frontier = [], [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, parent in parents.items() if parent == p]
        found += kids
        frontier += kids
    return found


out = tempfile.mkdtemp()
commands = [
    ("quantize", [cli, "quantize", model, "--name", "q", "--data", data, "--out", out], 2.0),
    ("report accuracy (sweep)", [cli, "report", "accuracy", model, "--sweep", "8,6", "--data", data, "--out", out + "/sw"], 3.0),
    ("search", [cli, "search", model, "--target-accuracy", "50", "--data", data, "--out", out], 3.0),
    ("qat", [cli, "qat", model, "--bits", "4", "--epochs", "1", "--data", data, "--out", out], 3.0),
    ("csim", [cli, "csim", gen, "--images", "200", "--data", data], 1.0),
    ("cosim", [cli, "cosim", gen, "--images", "50", "--data", data], 3.0),
    ("synth-estimate", [cli, "synth-estimate", gen], 3.0),
]
print("| command | SIGINT after (s) | exit | seconds to exit | surviving children |")
print("|---|---:|---:|---:|---:|")
for name, args, warm in commands:
    p = subprocess.Popen(["env", "--default-signal=INT"] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(warm)
    if p.poll() is not None:
        print(f"| {name} | {warm} | {p.returncode} | finished before the signal | - |")
        continue
    kids = descendants(p.pid)
    t = time.time()
    p.send_signal(signal.SIGINT)
    p.wait(timeout=120)
    took = time.time() - t
    time.sleep(0.3)
    alive = [k for k in kids if os.path.exists(f"/proc/{k}") and ") Z " not in open(f"/proc/{k}/stat").read()]
    print(f"| {name} | {warm} | {p.returncode} | {took:.2f} | {len(alive)} |")
print(f"\nload: {os.getloadavg()}")
