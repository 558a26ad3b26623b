"""Drives bench/fuzz/run.sh: see there. Python only generates inputs and judges outputs; every run is the real CLI."""
import argparse, collections, copy, json, os, random, re, shutil, subprocess, sys, time

CATEGORIES = ["clean error", "legitimate accept", "wrong accept", "crash", "hang"]
MUTATION_VALUES = [0, 1, -1, 2, 31, 33, 64, 2**31 - 1, -2**31, 2**63 - 1, 1.5, "", "x", "relu", "tanh", "none",
                   "avgpool", "maxpool", "conv2d", "dense", "lenet5", "../x", "a\n#define int float", True, False, [], {}]


def run(cli, args, timeout):
    start = time.time()
    try:
        p = subprocess.run([cli] + args, capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return None, "", "", time.time() - start
    return p.returncode, p.stdout, p.stderr, time.time() - start


def is_clean_error(code, out, err):
    errors = [l for l in err.splitlines() if l.startswith("error:")]
    return code not in (0, None) and len(errors) == 1 and "   at " not in out + err and "Exception" not in out + err \
        and "error: internal" not in err


def classify(code, out, err, acceptable):
    """acceptable(out) says whether a success is the correct result; None means any success is wrong."""
    if code is None:
        return "hang"
    if "   at " in out + err or "error: internal" in err or code >= 128 or code == 70 or code < 0:
        return "crash"
    if code == 0:
        return "legitimate accept" if acceptable is not None and acceptable(out) else "wrong accept"
    return "clean error" if is_clean_error(code, out, err) else "crash"


def json_mutation(rng, doc):
    doc = copy.deepcopy(doc)
    places = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                places.append((node, k))
                walk(v)
        elif isinstance(node, list):
            step = max(1, len(node) // 8)
            for i in range(0, len(node), step):
                places.append((node, i))
                walk(node[i])
    walk(doc)
    parent, key = rng.choice(places)
    edit = rng.choice(["remove", "null", "replace", "rename"])
    if edit == "remove" or (edit == "rename" and isinstance(parent, list)):
        del parent[key]
    elif edit == "null":
        parent[key] = None
    elif edit == "replace":
        parent[key] = copy.deepcopy(rng.choice(MUTATION_VALUES))
    else:
        parent[key + "_"] = parent.pop(key)
    return doc


def byte_mutation(rng, data):
    data = bytearray(data)
    at = rng.randrange(max(1, len(data)))
    kind = rng.choice(["flip", "truncate", "insert", "delete", "overwrite"])
    n = rng.randint(1, 64)
    if kind == "flip" and data:
        data[at] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del data[at:]
    elif kind == "insert":
        data[at:at] = bytes([rng.randrange(256)]) * n
    elif kind == "delete":
        del data[at:at + n]
    else:
        data[at:at + n] = bytes([rng.randrange(256)]) * len(data[at:at + n])
    return bytes(data)


QMODEL_REQUIRED = {
    "root": {"format", "version", "name", "sourceSha256", "rounding", "overflow", "inputShape", "input", "layers"},
    "layer": {"name", "kind", "inShape", "outShape", "kernel", "stride", "pad", "activation", "output"},
}
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MODEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


def qmodel_acceptable(doc):
    """A qmodel the tool may accept: every required field present and non-null, names that are safe as code."""
    if not isinstance(doc, dict) or not QMODEL_REQUIRED["root"] <= {k for k, v in doc.items() if v is not None}:
        return False
    if not isinstance(doc.get("name"), str) or not MODEL_NAME.match(doc["name"]):
        return False
    for layer in doc.get("layers") or []:
        if not isinstance(layer, dict) or not QMODEL_REQUIRED["layer"] <= {k for k, v in layer.items() if v is not None}:
            return False
        if not isinstance(layer.get("name"), str) or not IDENT.match(layer["name"]):
            return False
    return True


def main():
    a = argparse.ArgumentParser()
    for name in ["cli", "data", "work"]:
        a.add_argument("--" + name, required=True)
    for name in ["files", "commands", "seed", "timeout"]:
        a.add_argument("--" + name, type=int, required=True)
    o = a.parse_args()
    rng = random.Random(o.seed)
    work = o.work
    os.makedirs(work, exist_ok=True)
    tallies = collections.OrderedDict()
    slowest = collections.defaultdict(float)
    examples = []

    def record(kind, code, out, err, acceptable, seconds, what):
        category = classify(code, out, err, acceptable)
        tallies.setdefault(kind, collections.Counter())[category] += 1
        slowest[kind] = max(slowest[kind], seconds)
        if category in ("wrong accept", "crash", "hang") and len(examples) < 40:
            examples.append(f"{kind}: {category}: {what}: exit {code}: {(err.strip().splitlines() or [''])[-1][:200]}")

    cli = o.cli
    # The originals: a small trained model, its qmodel, and the output every check compares with.
    model = os.path.join(work, "orig", "net")
    os.makedirs(os.path.dirname(model), exist_ok=True)
    code, _, err, _ = run(cli, ["train", "--epochs", "1", "--train-images", "2000", "--out", model, "--data", o.data], 1800)
    assert code == 0, err
    code, _, err, _ = run(cli, ["quantize", model, "--bits", "8", "--name", "net", "--calib-images", "200",
                                "--test-images", "200", "--out", os.path.join(work, "orig"), "--data", o.data], 1800)
    assert code == 0, err
    qmodel = os.path.join(work, "orig", "net.qmodel.json")
    eval_args = lambda m: ["eval", m, "--threads", "1", "--data", o.data]
    code, reference_eval, err, _ = run(cli, eval_args(model), 600)
    assert code == 0, err
    same_eval = lambda out: out == reference_eval
    struct_doc = json.load(open(model + ".modelstruct"))
    struct_bytes = open(model + ".modelstruct", "rb").read()
    bin_bytes = open(model + ".bin", "rb").read()
    qmodel_doc = json.load(open(qmodel))
    labels = "t10k-labels-idx1-ubyte"
    labels_bytes = open(os.path.join(o.data, labels), "rb").read()

    shares = [("modelstruct JSON edit", 0.25), (".modelstruct bytes", 0.1), (".bin bytes", 0.15),
              ("qmodel JSON edit", 0.3), ("qmodel bytes", 0.1), ("IDX bytes", 0.1)]
    plan = [kind for kind, share in shares for _ in range(round(share * o.files))]
    case = os.path.join(work, "case")
    for i, kind in enumerate(plan):
        shutil.rmtree(case, ignore_errors=True)
        os.makedirs(case)
        m = os.path.join(case, "net")
        if kind in ("modelstruct JSON edit", ".modelstruct bytes", ".bin bytes"):
            struct = json.dumps(json_mutation(rng, struct_doc), indent=2).encode() if kind == "modelstruct JSON edit" \
                else byte_mutation(rng, struct_bytes) if kind == ".modelstruct bytes" else struct_bytes
            open(m + ".modelstruct", "wb").write(struct)
            open(m + ".bin", "wb").write(byte_mutation(rng, bin_bytes) if kind == ".bin bytes" else bin_bytes)
            code, out, err, s = run(cli, eval_args(m), o.timeout)
            record(kind, code, out, err, same_eval, s, f"case {i}")
        elif kind.startswith("qmodel"):
            q = os.path.join(case, "q.qmodel.json")
            doc = json_mutation(rng, qmodel_doc) if kind == "qmodel JSON edit" else None
            if doc is not None:
                open(q, "w").write(json.dumps(doc))
            else:
                open(q, "wb").write(byte_mutation(rng, open(qmodel, "rb").read()))
                try:
                    doc = json.load(open(q))
                except Exception:
                    doc = None
            out_dir = os.path.join(case, "gen")
            code, out, err, s = run(cli, ["codegen", q, "--out", out_dir, "--multipliers", "16"], o.timeout)
            ok = doc is not None and qmodel_acceptable(doc)
            record(kind, code, out, err, (lambda _: True) if ok else None, s, f"case {i}")
        else:
            for name in os.listdir(o.data):
                if name != labels and "ubyte" in name and not name.endswith(".gz"):
                    os.symlink(os.path.join(o.data, name), os.path.join(case, name))
            damaged = byte_mutation(rng, labels_bytes)
            open(os.path.join(case, labels), "wb").write(damaged)
            code, out, err, s = run(cli, ["data", "verify", "--data", case], o.timeout)
            record(kind, code, out, err, (lambda _: True) if damaged == labels_bytes else None, s, f"case {i}")
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{len(plan)} files", file=sys.stderr)

    # Bad command lines: every one must fail at once with one error line.
    d, q, m = o.data, qmodel, model
    missing = os.path.join(work, "missing")
    gen = os.path.join(work, "gen-ok")
    run(cli, ["codegen", q, "--out", gen, "--multipliers", "16"], 600)
    not_ours = os.path.join(work, "not-ours")
    os.makedirs(not_ours, exist_ok=True)
    open(os.path.join(not_ours, "notes.txt"), "w").write("mine")
    a_file = os.path.join(work, "a-file")
    open(a_file, "w").write("x")
    bad = []
    for t in ["0", "-1", "100000", "x", "1.5", ""]:
        bad += [["train", "--threads", t, "--out", missing], ["eval", m, "--threads", t], ["qat", m, "--bits", "4", "--threads", t]]
    for n in ["-1", "0", "x", "100001", "-5"]:
        bad += [["csim", gen, "--images", n], ["cosim", gen, "--images", n], ["flow", "--images", n, "--out", missing]]
    for n in ["0", "-3", "x", "4"]:
        bad += [["codegen", q, "--out", missing, "--multipliers", n], ["flow", "--multipliers", n, "--out", missing]]
    for n in ["-5", "-1", "10001", "y"]:
        bad += [["quantize", m, "--test-images", n, "--out", missing]]
    for b in ["0", "1", "33", "-8", "x"]:
        bad += [["quantize", m, "--bits", b, "--out", missing], ["flow", "--bits", b, "--out", missing]]
    bad += [["flow", "--bits", "12", "--qat", "--out", missing], ["flow", "--sweep", "8,x", "--out", missing],
            ["flow", "--sweep", "1,8", "--out", missing], ["flow", "--preset", "resnet", "--out", missing],
            ["flow", "--model", missing, "--out", missing], ["flow", "--epochs", "0", "--out", missing],
            ["train", "--epochs", "0", "--out", missing], ["train", "--batch-size", "0", "--out", missing],
            ["train", "--lr", "-1", "--out", missing], ["train", "--lr", "nan", "--out", missing],
            ["train", "--preset", "x", "--out", missing], ["train", "--optimizer", "lbfgs", "--out", missing],
            ["train", "--resume", missing], ["eval", missing], ["eval", work], ["eval", a_file],
            ["quantize", missing, "--out", missing], ["quantize", m, "--rounding", "up", "--out", missing],
            ["quantize", m, "--overflow", "clip", "--out", missing], ["quantize", m, "--calib-method", "x", "--out", missing],
            ["quantize", m, "--percentile", "0", "--out", missing], ["quantize", m, "--percentile", "101", "--out", missing],
            ["quantize", m, "--name", "../../escape", "--out", missing], ["quantize", m, "--name", "", "--out", missing],
            ["quantize", m, "--name", "a\n#define int float", "--out", missing], ["quantize", m, "--name", "a b", "--out", missing],
            ["quantize", m, "--override", missing, "--out", missing], ["quantize", m, "--out", "/proc/x"],
            ["quantize", m, "--calib-images", "0", "--out", missing], ["quantize", m, "--target-accuracy", "0", "--out", missing],
            ["quantize", m, "--target-accuracy", "150", "--out", missing], ["quantize", m, "--weight-bits", "40", "--out", missing],
            ["codegen", missing, "--out", missing], ["codegen", work, "--out", missing], ["codegen", q, "--out", "/proc/x"],
            ["codegen", q, "--out", not_ours], ["codegen", q, "--out", a_file], ["codegen", q, "--out", missing, "--clock-ns", "0"],
            ["codegen", q, "--out", missing, "--clock-ns", "-1"], ["codegen", q, "--out", missing, "--part", "a;b"],
            ["codegen", q], ["codegen", "--out", missing], ["csim", missing], ["csim", work], ["cosim", missing],
            ["cosim", gen, "--stall-prob", "1"], ["cosim", gen, "--stall-prob", "-0.1"], ["synth-estimate", missing],
            ["report", "accuracy", m, "--sweep", "x", "--out", missing], ["report", "accuracy", missing, "--sweep", "8", "--out", missing],
            ["golden", "bench", missing], ["golden", "bench", q, "--repeat", "0"], ["golden", "trace", missing, "--out", missing],
            ["regress", "--jobs", "0"], ["regress", "--jobs", "100000"], ["regress", "--shard", "3/2"], ["regress", "--matrix", missing],
            ["qat", missing, "--bits", "4"], ["qat", m, "--bits", "40"], ["qat", m, "--bits", "4", "--epochs", "0"],
            ["search", m, "--target-accuracy", "-1"], ["search", m, "--target-accuracy", "98", "--max-candidates", "0"],
            ["data", "verify", "--data", missing], ["data", "nothing"], ["nothing"], [], ["train", "--bogus"],
            ["data", "verify", "--data", a_file]]
    if o.commands:
        bad = bad[:o.commands]
    for i, args in enumerate(bad):
        code, out, err, s = run(cli, args, o.timeout)
        record("bad command line", code, out, err, None, s, " ".join(args)[:120])
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{len(bad)} command lines", file=sys.stderr)

    print("| input | tried | clean error | legitimate accept | wrong accept | crash | hang | slowest run (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total = collections.Counter()
    for kind, c in tallies.items():
        total.update(c)
        print(f"| {kind} | {sum(c.values())} | " + " | ".join(str(c[k]) for k in CATEGORIES) + f" | {slowest[kind]:.1f} |")
    print(f"| **all** | **{sum(total.values())}** | " + " | ".join(f"**{total[k]}**" for k in CATEGORIES) + " | |")
    for e in examples:
        print("- " + e)
    print(f"load after: {os.getloadavg()}", file=sys.stderr)
    return 1 if total["wrong accept"] or total["crash"] or total["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
