"""What the side-by-side scripts share (bench/chain_compare.py, chain_speed.py, running_compare.py):
a throwaway redis-server on a free loopback port, the running system's files extracted from the
local mirror of binyaminsemerci-ops/quantum_trader at run time (no code of it is in this folder),
a timed run, and the shipped sample's closes as the running system's 1m candle cache stores them.

    import side_by_side as sbs
    with sbs.redis_server(decode_responses=True) as (port, r), \
            sbs.running_code(sbs.MIRROR, paths) as (qt, commit):
        ...
"""
import contextlib
import csv
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MIRROR = "/work/.mirror/binyaminsemerci-ops+quantum_trader/repo"
SAMPLE = os.path.join(ROOT, "assets/prices/Coinbase_BTCUSD_1h.csv")
# The first candle's open time (ms) of the seeded windows.
T0 = 1_700_000_000_000


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextlib.contextmanager
def redis_server(decode_responses=False):
    """A redis-server on a free 127.0.0.1 port (no persistence, its own temp dir); yields
    (port, client) once it answers PING, and stops it afterwards."""
    port = free_port()
    rdir = tempfile.mkdtemp(prefix="redis-")
    srv = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                            "--save", "", "--appendonly", "no", "--dir", rdir],
                           stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port, decode_responses=decode_responses)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield port, r
    finally:
        srv.kill()
        srv.wait()
        shutil.rmtree(rdir, ignore_errors=True)


@contextlib.contextmanager
def running_code(mirror, paths):
    """The running system's `paths` at the mirror's HEAD (`git archive`), extracted into a temp
    dir; yields (dir, commit) and removes the dir afterwards."""
    qt = tempfile.mkdtemp(prefix="qt-")
    try:
        archive = subprocess.run(["git", "-C", mirror, "archive", "HEAD", *paths],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", qt], input=archive, check=True)
        commit = subprocess.run(["git", "-C", mirror, "rev-parse", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        yield qt, commit
    finally:
        shutil.rmtree(qt, ignore_errors=True)


def timed(cmd, **kw):
    """Runs `cmd` to its end (output captured as text); returns (wall seconds, CompletedProcess)."""
    t = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.time() - t, out


def sample_closes():
    """The shipped BTC/USD sample's closes, oldest first."""
    with open(SAMPLE) as f:
        rows = list(csv.reader(f))[2:]
    rows.reverse()
    return [float(r[5]) for r in rows]


def layer1_member(symbol, t_ms, close):
    """A candle as layer1_data_sink stores it: json.dumps of the market.klines payload."""
    return json.dumps({
        "symbol": symbol, "interval": "1m", "open": close, "high": close * 1.001,
        "low": close * 0.999, "close": close, "volume": 12.5, "open_time": t_ms,
        "close_time": t_ms + 59999, "is_closed": True, "timestamp": t_ms / 1000 + 60.25,
    })
