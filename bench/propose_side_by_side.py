#!/usr/bin/env python3
"""`harvest propose` against the plain Python reference, side by side in one run (BENCHMARKS.md,
"CLI on mixed lines"). Standard library only.

    cargo build --release -p harvest-cli
    cargo run --release -p harvest-cli --example gen_inputs -- 100000 mixed > /tmp/mixed.jsonl
    python3 bench/propose_side_by_side.py /tmp/mixed.jsonl [runs]

    python3 bench/propose_side_by_side.py /tmp/mixed.jsonl 5 /tmp/harvest-before [...]
    python3 bench/propose_side_by_side.py --no-python inputs.jsonl 5 /tmp/harvest-before

Runs the commands alternately `runs` times (default 5), each with the corpus on stdin and its
output to a file; prints the median wall time and CPU time (user + sys) of each and the ratios.
First checks that all outputs are the same proposals as Python's (line by line, as parsed JSON)
and that every harvest binary writes the same bytes. Further arguments are other `harvest`
binaries (e.g. a build of main) run the same way, 2 threads and `--threads 1`, in the same
alternation; `--no-python` leaves the Python reference out (for the large no-theta corpus);
`--devnull` sends every output to /dev/null (as "CLI: lines per second" measures; no output
checks then: compare the outputs once with `cmp`).
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HARVEST = os.path.join(ROOT, "target", "release", "harvest")


def commands(others, python):
    cmds = {"python": [sys.executable, os.path.join(HERE, "propose_ref.py")]} if python else {}
    for label, path in [("harvest", HARVEST)] + [(p, p) for p in others]:
        cmds[label] = [path, "propose"]
        cmds[f"{label} --threads 1"] = [path, "propose", "--threads", "1"]
    return cmds


def run(cmd, corpus, out_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(corpus, "rb") as stdin, open(out_path, "wb") as stdout:
        t0 = time.perf_counter()
        subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user = after.ru_utime - before.ru_utime
    sys_ = after.ru_stime - before.ru_stime
    return wall, user + sys_, user, sys_


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def main():
    args = sys.argv[1:]
    python = "--no-python" not in args
    devnull = "--devnull" in args
    args = [a for a in args if a not in ("--no-python", "--devnull")]
    corpus = args[0]
    runs = int(args[1]) if len(args) > 1 else 5
    COMMANDS = commands(args[2:], python)
    outs = {name: "/dev/null" if devnull else f"/tmp/side_by_side.{i}.jsonl"
            for i, name in enumerate(COMMANDS)}
    results = {name: [] for name in COMMANDS}
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for r in range(runs):
        for name, cmd in COMMANDS.items():
            results[name].append(run(cmd, corpus, outs[name]))
        if r == 0 and not devnull:
            if python:
                with open(outs["python"]) as a, open(outs["harvest"]) as b:
                    pairs = list(zip(a, b))
                same = sum(json.loads(x) == json.loads(y) for x, y in pairs)
                print(f"outputs: {same} of {len(pairs)} lines the same proposals")
            for name in COMMANDS:
                if name not in ("python", "harvest"):
                    print(f"{name}: {'same bytes' if same_bytes(outs[name], outs['harvest']) else 'DIFFERENT BYTES'} as harvest")
    with open(corpus, "rb") as f:
        lines = sum(1 for _ in f)
    print(f"corpus: {corpus}, {lines} lines, {os.path.getsize(corpus)} bytes; {runs} runs each; "
          f"load average after: {os.getloadavg()[0]:.1f}")
    med = {}
    for name, rs in results.items():
        walls = [r[0] for r in rs]
        cpus = [r[1] for r in rs]
        med[name] = (statistics.median(walls), statistics.median(cpus))
        print(f"{name:22} wall {' '.join(f'{w:.2f}' for w in walls)} s, median {med[name][0]:.2f} s; "
              f"cpu {' '.join(f'{c:.2f}' for c in cpus)} s, median {med[name][1]:.2f} s "
              f"(user {statistics.median(r[2] for r in rs):.2f}, sys {statistics.median(r[3] for r in rs):.2f}); "
              f"{lines / med[name][0]:,.0f} lines/s")
    base = "python" if python else "harvest"
    b_wall, b_cpu = med[base]
    for name in COMMANDS:
        if name != base:
            w, c = med[name]
            print(f"{base} / {name}: {b_wall / w:.2f}x wall, {b_cpu / c:.2f}x cpu")


if __name__ == "__main__":
    main()
