"""PBO (CSCV) and DSR: Harvest Lab's implementation side by side with pypbo from PyPI
(`pip install rltrade-pypbo seaborn matplotlib joblib statsmodels psutil`; esvhd's pypbo), on
random return matrices and on the papers' worked example, and writes the reference fixture the
Rust tests compare against (crates/features/tests/fixtures/pbo_dsr_reference.json).

Run from the repository root: python3 bench/pbo_dsr_check.py [--write-fixture]
"""
import json
import subprocess
import sys

import numpy as np
import pypbo

ROOT = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True).stdout.strip()
subprocess.run(["cargo", "build", "--release", "-q", "-p", "harvest-features", "--example", "cscv"], cwd=ROOT, check=True)
EXE = f"{ROOT}/target/release/examples/cscv"


def ours(case):
    r = subprocess.run([EXE], input=json.dumps(case), capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def mean(x):
    return x.mean(axis=0)


def sharpe(x):
    return x.mean(axis=0) / x.std(axis=0, ddof=1)


cases = []
rng = np.random.default_rng(20260101)
for (t, n, s, metric, skill) in [
    (96, 6, 8, "mean", 0.0),
    (160, 12, 16, "mean", 0.0),
    (200, 10, 16, "sharpe", 0.0),
    (160, 8, 16, "mean", 0.6),  # one configuration with a real edge: PBO near 0
    (101, 5, 10, "sharpe", 0.0),  # T mod S = 1: the first row is left out
]:
    m = np.round(rng.normal(0.0, 1.0, size=(t, n)), 6)
    m[:, 0] += skill
    fn = mean if metric == "mean" else sharpe
    ref = pypbo.pbo(m, S=s, metric_func=fn, threshold=0, n_jobs=1)
    mine = ours({"pbo": {"columns": m.T.tolist(), "blocks": s, "metric": metric}})
    d_logit = max(abs(a - b) for a, b in zip(ref.logits, mine["logits"]))
    print(f"PBO T={t} N={n} S={s} {metric:6}: pypbo {ref.pbo:.6f}  ours {mine['pbo']:.6f}  "
          f"P(OOS loss) {ref.prob_oos_loss:.6f} / {mine['prob_oos_loss']:.6f}  max |Δ logit| {d_logit:.1e}  "
          f"{len(ref.logits)} combinations")
    assert abs(ref.pbo - mine["pbo"]) < 1e-12
    assert d_logit < 1e-9
    cases.append({"columns": m.T.tolist(), "blocks": s, "metric": metric,
                  "pbo": float(ref.pbo), "prob_oos_loss": float(ref.prob_oos_loss),
                  # The first 300 logits in combination order and a checksum of all (the full
                  # lists of C(16, 8) = 12,870 would make the fixture large).
                  "logits_head": [float(x) for x in ref.logits[:300]],
                  "logits_count": len(ref.logits),
                  "logits_sum": float(np.sum(ref.logits)),
                  "logits_abs_sum": float(np.sum(np.abs(ref.logits)))})

dsr_cases = []
# The DSR paper's example (annual SR 2.5 over 1,250 days, 100 trials with annual V[SR] = 1/2,
# skew -3, kurtosis 10): DSR ≈ 0.9004.
paper = dict(sr=2.5 / np.sqrt(250), t=1250, skew=-3.0, kurtosis=10.0, trials=100, sr_std=np.sqrt(0.5 / 250))
for c in [paper,
          dict(sr=0.08, t=400, skew=0.3, kurtosis=4.5, trials=25, sr_std=0.05),
          dict(sr=0.02, t=1500, skew=-0.8, kurtosis=6.0, trials=400, sr_std=0.02),
          dict(sr=0.3, t=60, skew=1.2, kurtosis=3.5, trials=9, sr_std=0.1)]:
    ref = pypbo.dsr(c["sr"], c["sr_std"], c["trials"], c["t"], c["skew"], c["kurtosis"])
    mine = ours({"dsr": c})
    print(f"DSR {c['trials']:>3} trials T={c['t']:>5}: pypbo {ref:.10f}  ours {mine['dsr']:.10f}  Δ {abs(ref - mine['dsr']):.1e}")
    assert abs(ref - mine["dsr"]) < 1e-9
    dsr_cases.append({**{k: float(v) for k, v in c.items()}, "dsr": float(ref)})

if "--write-fixture" in sys.argv:
    path = f"{ROOT}/crates/features/tests/fixtures/pbo_dsr_reference.json"
    with open(path, "w") as f:
        json.dump({"source": "pypbo (rltrade-pypbo 0.0.3 on PyPI) via bench/pbo_dsr_check.py",
                   "pbo": cases, "dsr": dsr_cases}, f)
    print(f"wrote {path}")
