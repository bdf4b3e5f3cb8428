"""Writes the three price files of BENCHMARKS.md, "P0 on flat and tied prices": 8,000 hourly
closes each, a random walk, the same walk rounded to a 0.5 tick, and identical closes.

    python3 bench/p0_ties_files.py DIR
    for f in walk grid flat; do /usr/bin/time -f "$f %U s" target/release/harvest market-state DIR/$f.csv > /dev/null; done

The walk is the deterministic sequence the unit test and the criterion bench use:
x <- (x * 9.73 + 0.137) mod 1, close <- close * (1 + (x - 0.5) * 0.004).
"""
import os
import sys


def write(path, closes):
    with open(path, "w") as f:
        f.write("time,open,high,low,close\n")
        for i, c in enumerate(closes):
            f.write(f"{1500000000 + 3600 * i},{c!r},{c!r},{c!r},{c!r}\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    x, level = 0.3172, 100.0
    walk, grid = [], []
    for _ in range(8000):
        x = (x * 9.73 + 0.137) % 1.0
        level *= 1.0 + (x - 0.5) * 0.004
        walk.append(level)
        grid.append(round(level * 2) / 2)
    write(os.path.join(out, "walk.csv"), walk)
    write(os.path.join(out, "grid.csv"), grid)
    write(os.path.join(out, "flat.csv"), [100.0] * 8000)


if __name__ == "__main__":
    main()
