#!/usr/bin/env python3
"""`harvest propose` against the plain Python reference, side by side in one run (BENCHMARKS.md,
"CLI on mixed lines"). Standard library only.

    cargo build --release -p harvest-cli
    cargo run --release -p harvest-cli --example gen_inputs -- 100000 mixed > /tmp/mixed.jsonl
    python3 bench/propose_side_by_side.py /tmp/mixed.jsonl [runs]

Runs the commands alternately `runs` times (default 5), each with the corpus on stdin and its
output to a file; prints the median wall time and CPU time (user + sys) of each and the ratios.
First checks that both outputs are the same proposals (line by line, as parsed JSON).
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
COMMANDS = {
    "python": [sys.executable, os.path.join(HERE, "propose_ref.py")],
    "harvest": [os.path.join(ROOT, "target", "release", "harvest"), "propose"],
    "harvest --threads 1": [os.path.join(ROOT, "target", "release", "harvest"), "propose", "--threads", "1"],
}


def run(cmd, corpus, out_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(corpus, "rb") as stdin, open(out_path, "wb") as stdout:
        t0 = time.perf_counter()
        subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    corpus = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    outs = {name: f"/tmp/side_by_side.{i}.jsonl" for i, name in enumerate(COMMANDS)}
    results = {name: [] for name in COMMANDS}
    for r in range(runs):
        for name, cmd in COMMANDS.items():
            results[name].append(run(cmd, corpus, outs[name]))
        if r == 0:
            with open(outs["python"]) as a, open(outs["harvest"]) as b:
                pairs = list(zip(a, b))
            same = sum(json.loads(x) == json.loads(y) for x, y in pairs)
            print(f"outputs: {same} of {len(pairs)} lines the same proposals")
    with open(corpus, "rb") as f:
        lines = sum(1 for _ in f)
    print(f"corpus: {corpus}, {lines} lines, {os.path.getsize(corpus)} bytes; {runs} runs each; "
          f"load average before/after: {os.getloadavg()[0]:.1f}")
    med = {}
    for name, rs in results.items():
        walls = [w for w, _ in rs]
        cpus = [c for _, c in rs]
        med[name] = (statistics.median(walls), statistics.median(cpus))
        print(f"{name:22} wall {' '.join(f'{w:.2f}' for w in walls)} s, median {med[name][0]:.2f} s; "
              f"cpu median {med[name][1]:.2f} s; {lines / med[name][0]:,.0f} lines/s")
    py_wall, py_cpu = med["python"]
    for name in COMMANDS:
        if name != "python":
            w, c = med[name]
            print(f"python / {name}: {py_wall / w:.1f}x wall, {py_cpu / c:.1f}x cpu")


if __name__ == "__main__":
    main()
