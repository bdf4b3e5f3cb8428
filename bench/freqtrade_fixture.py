"""Writes the freqtrade fixtures of crates/cli/tests/fixtures/freqtrade/ the way freqtrade's data
handlers store candles (pandas and pyarrow from PyPI; no freqtrade code): one synthetic hourly
ETH/USDT series of 700 bars as
  ETH_USDT-1h.feather   DataFrame.to_feather(compression_level=9, compression="lz4"),
                        date as datetime64[ms, UTC] (FeatherDataHandler.ohlcv_store)
  ETH_USDT-1h.json      date as int64 milliseconds, to_json(orient="values") (JsonDataHandler)
  ETH_USDT-1h.json.gz   the same, compression="gzip" (JsonGzDataHandler)
and a trades file that must be skipped. Run: python3 bench/freqtrade_fixture.py DIR
"""
import math
import sys
from pathlib import Path

import pandas as pd

out = Path(sys.argv[1] if len(sys.argv) > 1 else "crates/cli/tests/fixtures/freqtrade")
out.mkdir(parents=True, exist_ok=True)
rows = []
c = 2000.0
for i in range(700):
    o = c
    c = c * (1 + 0.006 * math.sin(i * 0.21) + 0.004 * math.cos(i * 1.7) + 0.0003)
    hi, lo = max(o, c) * 1.002, min(o, c) * 0.998
    rows.append((1_600_000_000_000 + 3_600_000 * i, o, hi, lo, c, 10.0 + i % 7))
df = pd.DataFrame(rows, columns=["date", "open", "high", "low", "close", "volume"])
df["date"] = pd.to_datetime(df["date"], unit="ms", utc=True).dt.as_unit("ms")
df.reset_index(drop=True).to_feather(out / "ETH_USDT-1h.feather", compression_level=9, compression="lz4")
js = df.copy()
js["date"] = js["date"].dt.as_unit("ms").astype("int64")
js.to_json(out / "ETH_USDT-1h.json", orient="values")
js.to_json(out / "ETH_USDT-1h.json.gz", orient="values", compression="gzip")
(out / "ETH_USDT-trades.json").write_text("[]")
print(f"wrote {out}")
