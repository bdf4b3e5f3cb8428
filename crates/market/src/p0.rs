//! P0: the market state (volatility σ, drift μ, trend strength TS, regime probabilities) from a
//! series of closes, exactly as the P2 system's P0 stage computes it (numpy/scipy semantics).
//!
//! The formulas, with the defaults of [`P0Params`] (`eps = 1e-12`, `lp = ln(close + eps)`,
//! `r = diff(lp)`):
//! - **σ**: the last 256 returns clipped to their 0.01 / 0.99 quantiles (numpy's linear
//!   interpolation) → `r_w`; an EWMA variance (λ = 0.94) seeded with the population variance of
//!   the first 10 of `r_w` → `σ_ewma`; `σ_mad = 1.4826 · median(|r_w − median(r_w)|)`;
//!   `spike_proxy = clip(σ_mad/(σ_ewma+eps), 0, 5)`; `w = sigmoid(clip((spike_proxy−1.2)/0.3, ±50))`;
//!   `σ = max(1e-6, (1−w)·σ_ewma + w·σ_mad)`.
//! - **μ**: Theil–Sen slopes (median of pairwise slopes, as `scipy.stats.theilslopes`) of the last
//!   64, 128 and 256 log prices, weighted 0.5 / 0.3 / 0.2; **TS** `= |μ|/(σ+eps)`.
//! - **dp**: share of consecutive returns with the same sign (sign(0) = 0) over the last 256.
//! - **vr**: variance ratio with k = 5 over the same returns.
//! - **regimes**: softmax of `s_trend = ts + dp − |vr−1|`, `s_mr = |vr−1| − ts − |dp|`,
//!   `s_chop = (1−|dp|) + (1−min(ts,1)) − |vr−1|` at temperature 1.

use serde::{Deserialize, Serialize};

use crate::error::{check, count, finite, non_negative, positive, unit, MarketError};

mod window;
pub use window::P0Window;

/// Closes a market state needs with the default parameters: 256 returns and 256 log prices.
pub const MIN_CLOSES: usize = 257;

/// The largest window any parameter may ask for (a Theil–Sen window of `n` log prices has
/// `n·(n−1)/2` pairwise slopes).
pub const MAX_WINDOW: usize = 4096;

/// P0's tunables. `Default` is the P2 system's P0; every constant of the formulas is a field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct P0Params {
    /// Guard added to closes before the logarithm and to denominators (`1e-12`).
    pub eps: f64,
    /// Returns in the volatility window (256).
    pub vol_window: usize,
    /// Lower clipping quantile of the volatility window's returns (0.01).
    pub clip_q_lo: f64,
    /// Upper clipping quantile of the volatility window's returns (0.99).
    pub clip_q_hi: f64,
    /// Returns whose population variance seeds the EWMA (10).
    pub ewma_init: usize,
    /// EWMA decay λ: `v = λ·v + (1−λ)·x²` (0.94).
    pub ewma_lambda: f64,
    /// Scale of the median absolute deviation (1.4826, normal consistency).
    pub mad_scale: f64,
    /// Upper clip of `spike_proxy` (5).
    pub spike_cap: f64,
    /// `spike_proxy` at which σ_ewma and σ_mad weigh equally (1.2).
    pub spike_center: f64,
    /// Width of the blend's logistic (0.3).
    pub spike_width: f64,
    /// Clip of the blend's logit (50).
    pub spike_logit_clip: f64,
    /// Floor of σ (1e-6).
    pub sigma_floor: f64,
    /// Log prices in the three Theil–Sen windows (64, 128, 256).
    pub mu_windows: [usize; 3],
    /// Weights of the three slopes, divided by their sum (0.5, 0.3, 0.2).
    pub mu_weights: [f64; 3],
    /// Returns in the dp and vr window (256).
    pub regime_window: usize,
    /// Horizon of the variance ratio (5).
    pub vr_k: usize,
    /// Coefficient of `ts` in `s_trend` (1).
    pub trend_ts: f64,
    /// Coefficient of `dp` in `s_trend` (1).
    pub trend_dp: f64,
    /// Coefficient of `|vr−1|` in `s_trend` (1, subtracted).
    pub trend_vr: f64,
    /// Coefficient of `|vr−1|` in `s_mr` (1).
    pub mr_vr: f64,
    /// Coefficient of `ts` in `s_mr` (1, subtracted).
    pub mr_ts: f64,
    /// Coefficient of `|dp|` in `s_mr` (1, subtracted).
    pub mr_dp: f64,
    /// Coefficient of `1−|dp|` in `s_chop` (1).
    pub chop_dp: f64,
    /// Coefficient of `1−min(ts, chop_ts_cap)` in `s_chop` (1).
    pub chop_ts: f64,
    /// Coefficient of `|vr−1|` in `s_chop` (1, subtracted).
    pub chop_vr: f64,
    /// Cap of `ts` in `s_chop` (1).
    pub chop_ts_cap: f64,
    /// Softmax temperature of the regime scores (1).
    pub temperature: f64,
}

impl Default for P0Params {
    /// The P2 system's P0 constants.
    fn default() -> Self {
        P0Params {
            eps: 1e-12,
            vol_window: 256,
            clip_q_lo: 0.01,
            clip_q_hi: 0.99,
            ewma_init: 10,
            ewma_lambda: 0.94,
            mad_scale: 1.4826,
            spike_cap: 5.0,
            spike_center: 1.2,
            spike_width: 0.3,
            spike_logit_clip: 50.0,
            sigma_floor: 1e-6,
            mu_windows: [64, 128, 256],
            mu_weights: [0.5, 0.3, 0.2],
            regime_window: 256,
            vr_k: 5,
            trend_ts: 1.0,
            trend_dp: 1.0,
            trend_vr: 1.0,
            mr_vr: 1.0,
            mr_ts: 1.0,
            mr_dp: 1.0,
            chop_dp: 1.0,
            chop_ts: 1.0,
            chop_vr: 1.0,
            chop_ts_cap: 1.0,
            temperature: 1.0,
        }
    }
}

impl P0Params {
    /// Closes a state needs with these parameters: `max(vol_window+1, regime_window+1,
    /// max(mu_windows))` (257 with the defaults).
    ///
    /// ```
    /// use harvest_market::p0::{P0Params, MIN_CLOSES};
    /// assert_eq!(P0Params::default().min_closes(), MIN_CLOSES);
    /// ```
    pub fn min_closes(&self) -> usize {
        let mu = self.mu_windows.iter().copied().max().unwrap_or(2);
        (self.vol_window + 1).max(self.regime_window + 1).max(mu)
    }

    /// Checks every field.
    ///
    /// # Errors
    /// The first field out of its range, as [`MarketError::OutOfRange`] or
    /// [`MarketError::NonFinite`] naming `params.<field>`.
    ///
    /// ```
    /// use harvest_market::p0::P0Params;
    /// let bad = P0Params { ewma_lambda: 1.5, ..P0Params::default() };
    /// assert_eq!(bad.validate().unwrap_err().field(), "params.ewma_lambda");
    /// ```
    pub fn validate(&self) -> Result<(), MarketError> {
        let f = |name: &str| {
            let s = format!("params.{name}");
            move || s
        };
        check(f("eps"), self.eps, 0.0, true, 1e-3, false)?;
        count("params.vol_window", self.vol_window, 2, MAX_WINDOW)?;
        unit(f("clip_q_lo"), self.clip_q_lo)?;
        unit(f("clip_q_hi"), self.clip_q_hi)?;
        if self.clip_q_lo > self.clip_q_hi {
            return Err(MarketError::OutOfRange {
                field: "params.clip_q_lo".into(),
                value: self.clip_q_lo,
                expected: format!(
                    "at most clip_q_hi = {}",
                    harvest_kernel::num::Short(self.clip_q_hi)
                ),
            });
        }
        count("params.ewma_init", self.ewma_init, 1, MAX_WINDOW)?;
        unit(f("ewma_lambda"), self.ewma_lambda)?;
        non_negative(f("mad_scale"), self.mad_scale)?;
        non_negative(f("spike_cap"), self.spike_cap)?;
        finite(f("spike_center"), self.spike_center)?;
        positive(f("spike_width"), self.spike_width)?;
        check(
            f("spike_logit_clip"),
            self.spike_logit_clip,
            0.0,
            true,
            700.0,
            false,
        )?;
        positive(f("sigma_floor"), self.sigma_floor)?;
        for (i, &w) in self.mu_windows.iter().enumerate() {
            count(&format!("params.mu_windows[{i}]"), w, 2, MAX_WINDOW)?;
        }
        for (i, &w) in self.mu_weights.iter().enumerate() {
            non_negative(|| format!("params.mu_weights[{i}]"), w)?;
        }
        let sum: f64 = self.mu_weights.iter().sum();
        if sum <= 0.0 {
            return Err(MarketError::OutOfRange {
                field: "params.mu_weights".into(),
                value: sum,
                expected: "weights summing to more than 0".into(),
            });
        }
        count("params.regime_window", self.regime_window, 2, MAX_WINDOW)?;
        count("params.vr_k", self.vr_k, 1, MAX_WINDOW)?;
        for (name, v) in [
            ("trend_ts", self.trend_ts),
            ("trend_dp", self.trend_dp),
            ("trend_vr", self.trend_vr),
            ("mr_vr", self.mr_vr),
            ("mr_ts", self.mr_ts),
            ("mr_dp", self.mr_dp),
            ("chop_dp", self.chop_dp),
            ("chop_ts", self.chop_ts),
            ("chop_vr", self.chop_vr),
            ("chop_ts_cap", self.chop_ts_cap),
        ] {
            check(f(name), v, -1e6, false, 1e6, false)?;
        }
        check(f("temperature"), self.temperature, 0.0, true, 1e6, false)?;
        Ok(())
    }
}

/// The market state P0 publishes for the last close of a series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct MarketState {
    /// Volatility of log returns per bar (≥ `sigma_floor`).
    pub sigma: f64,
    /// Drift: weighted Theil–Sen slope of log prices per bar.
    #[serde(default)]
    pub mu: f64,
    /// Trend strength `|μ|/(σ+eps)` (≥ 0).
    pub ts: f64,
    /// Probability of the trend regime.
    pub p_trend: f64,
    /// Probability of the mean-reversion regime.
    pub p_mr: f64,
    /// Probability of the chop regime.
    pub p_chop: f64,
    /// Directional persistence: share of consecutive returns with the same sign, in [0, 1]
    /// (not used by P1; 0 when absent on the wire).
    #[serde(default)]
    pub dp: f64,
    /// Variance ratio at horizon k (not used by P1; 0 when absent on the wire).
    #[serde(default)]
    pub vr: f64,
    /// `clip(σ_mad/(σ_ewma+eps), 0, 5)` (not used by P1; 0 when absent on the wire).
    #[serde(default)]
    pub spike_proxy: f64,
}

impl MarketState {
    /// The fields the P2 kernel reads.
    ///
    /// ```
    /// use harvest_market::MarketState;
    /// let s = MarketState { sigma: 0.02, ts: 0.5, p_trend: 0.5, p_mr: 0.25, p_chop: 0.25, ..MarketState::default() };
    /// assert_eq!(s.to_kernel().sigma, 0.02);
    /// ```
    pub fn to_kernel(&self) -> harvest_kernel::MarketState {
        harvest_kernel::MarketState {
            sigma: self.sigma,
            ts: self.ts,
            p_trend: self.p_trend,
            p_mr: self.p_mr,
            p_chop: self.p_chop,
        }
    }
}

/// The market state of the last close of `closes` (oldest first). Only the last
/// [`P0Params::min_closes`] closes are read.
///
/// # Errors
/// [`MarketError::TooFewCloses`] below `params.min_closes()` (257 by default); a close that is not
/// a finite number > 0 (`closes[i]`); parameters out of range (`params.<field>`).
///
/// ```
/// use harvest_market::p0::{market_state, P0Params};
/// let closes: Vec<f64> = (0..300).map(|i| 100.0 * (1.0 + 0.001 * i as f64)).collect();
/// let s = market_state(&closes, &P0Params::default()).unwrap();
/// assert!(s.mu > 0.0 && s.dp == 1.0); // a steady rise: every return up
/// assert!(s.vr > 4.0); // returns that do not vary: vr → k, read as mean reversion
/// assert!((s.p_trend + s.p_mr + s.p_chop - 1.0).abs() < 1e-12);
/// ```
pub fn market_state(closes: &[f64], params: &P0Params) -> Result<MarketState, MarketError> {
    params.validate()?;
    let need = params.min_closes();
    if closes.len() < need {
        return Err(MarketError::TooFewCloses {
            needed: need,
            got: closes.len(),
        });
    }
    let start = closes.len() - need;
    check_closes(&closes[start..], start)?;
    let lp: Vec<f64> = closes[start..]
        .iter()
        .map(|c| (c + params.eps).ln())
        .collect();
    let r: Vec<f64> = lp.windows(2).map(|w| w[1] - w[0]).collect();
    let mut scratch = Scratch::default();
    let mut slopes = [0.0; 3];
    for (k, &w) in params.mu_windows.iter().enumerate() {
        slopes[k] = theil_sen(&lp[lp.len() - w..], &mut scratch.slopes);
    }
    Ok(state_from_parts(&r, slopes, params, &mut scratch))
}

/// The market state of every bar of a whole series: `None` for the first
/// `params.min_closes() − 1` bars, then the state of each prefix, identical to
/// [`market_state`] on `closes[..=i]`.
///
/// Fast: the three Theil–Sen medians are tracked as the window slides (each bar removes and adds
/// `window − 1` slopes, and the median is kept inside a sorted band of ranks around it), so a bar
/// costs about as much as its 256-return volatility window, not 42,784 slopes and their selection
/// (≈ 35 µs a bar natively against ≈ 180 µs for a fresh [`market_state`]). Equal slopes are
/// counted, not kept one by one, so flat prices and prices on a coarse tick grid cost no more a
/// bar than a random walk (BENCHMARKS.md). For the states of bars
/// `a..=b` of a longer series, pass `&closes[a + 1 − min_closes ..= b]`: its last `b − a + 1`
/// states are those bars'.
///
/// # Errors
/// A close that is not a finite number > 0 (`closes[i]`); parameters out of range. A series
/// shorter than `min_closes` is not an error: all `None`.
///
/// ```
/// use harvest_market::p0::{market_state, market_states, P0Params};
/// let closes: Vec<f64> = (0..300).map(|i| 100.0 + (i as f64 * 0.7).sin()).collect();
/// let p = P0Params::default();
/// let all = market_states(&closes, &p).unwrap();
/// assert!(all[255].is_none());
/// assert_eq!(all[299], Some(market_state(&closes, &p).unwrap()));
/// ```
pub fn market_states(
    closes: &[f64],
    params: &P0Params,
) -> Result<Vec<Option<MarketState>>, MarketError> {
    params.validate()?;
    check_closes(closes, 0)?;
    let need = params.min_closes();
    let mut out = vec![None; closes.len()];
    if closes.len() < need {
        return Ok(out);
    }
    let lp: Vec<f64> = closes.iter().map(|c| (c + params.eps).ln()).collect();
    let r: Vec<f64> = lp.windows(2).map(|w| w[1] - w[0]).collect();
    let mut trackers = params.mu_windows.map(MedianSlopes::new);
    let mut scratch = Scratch::default();
    let ret_window = params.vol_window.max(params.regime_window);
    for (t, slot) in out.iter_mut().enumerate().skip(need - 1) {
        let mut slopes = [0.0; 3];
        for (k, tr) in trackers.iter_mut().enumerate() {
            slopes[k] = tr.advance(&lp, t);
        }
        // Returns r[t−ret_window .. t) are the diffs ending at close t.
        let returns = &r[t - ret_window..t];
        *slot = Some(state_from_parts(returns, slopes, params, &mut scratch));
    }
    Ok(out)
}

fn check_closes(closes: &[f64], offset: usize) -> Result<(), MarketError> {
    for (i, &c) in closes.iter().enumerate() {
        positive(|| format!("closes[{}]", offset + i), c)?;
    }
    Ok(())
}

/// Reusable buffers of one computation.
#[derive(Default)]
struct Scratch {
    sorted: Vec<f64>,
    clipped: Vec<f64>,
    dev: Vec<f64>,
    sums: Vec<f64>,
    slopes: Vec<f64>,
}

/// Everything but μ's slopes, from the returns ending at the state's close (at least
/// `max(vol_window, regime_window)` of them; the last ones are used).
fn state_from_parts(r: &[f64], slopes: [f64; 3], p: &P0Params, s: &mut Scratch) -> MarketState {
    let eps = p.eps;
    let (sigma, spike_proxy) = sigma(&r[r.len() - p.vol_window.min(r.len())..], p, s);
    let wsum: f64 = p.mu_weights.iter().sum();
    let mu: f64 = (0..3).map(|k| p.mu_weights[k] / wsum * slopes[k]).sum();
    let ts = mu.abs() / (sigma + eps);
    let rr = &r[r.len() - p.regime_window.min(r.len())..];
    let dp = dp(rr);
    let vr = vr(rr, p.vr_k, eps, &mut s.sums);
    let a = (vr - 1.0).abs();
    let s_trend = p.trend_ts * ts + p.trend_dp * dp - p.trend_vr * a;
    let s_mr = p.mr_vr * a - p.mr_ts * ts - p.mr_dp * dp.abs();
    let s_chop =
        p.chop_dp * (1.0 - dp.abs()) + p.chop_ts * (1.0 - ts.min(p.chop_ts_cap)) - p.chop_vr * a;
    let [p_trend, p_mr, p_chop] = softmax([s_trend, s_mr, s_chop], p.temperature);
    MarketState {
        sigma,
        mu,
        ts,
        p_trend,
        p_mr,
        p_chop,
        dp,
        vr,
        spike_proxy,
    }
}

/// `exp(z_i − max z) / Σ exp(z_j − max z)` with `z = s / temperature`.
fn softmax(s: [f64; 3], temperature: f64) -> [f64; 3] {
    let z = s.map(|x| x / temperature);
    let m = z[0].max(z[1]).max(z[2]);
    let e = z.map(|x| (x - m).exp());
    let sum = e[0] + e[1] + e[2];
    e.map(|x| x / sum)
}

/// σ and the spike proxy of a window of returns.
fn sigma(w: &[f64], p: &P0Params, s: &mut Scratch) -> (f64, f64) {
    let eps = p.eps;
    s.sorted.clear();
    s.sorted.extend_from_slice(w);
    s.sorted.sort_unstable_by(cmp_finite);
    let lo = quantile_sorted(&s.sorted, p.clip_q_lo);
    let hi = quantile_sorted(&s.sorted, p.clip_q_hi);
    s.clipped.clear();
    s.clipped.extend(w.iter().map(|&x| x.max(lo).min(hi)));
    let rw = &s.clipped;
    let mut v = variance(&rw[..p.ewma_init.min(rw.len())]);
    for &x in rw {
        v = p.ewma_lambda * v + (1.0 - p.ewma_lambda) * x * x;
    }
    let sigma_ewma = v.sqrt();
    // Clipping is monotone, so the clipped window sorted is the sorted window clipped.
    for x in s.sorted.iter_mut() {
        *x = x.max(lo).min(hi);
    }
    let med = median_sorted(&s.sorted);
    s.dev.clear();
    s.dev.extend(rw.iter().map(|&x| (x - med).abs()));
    let sigma_mad = p.mad_scale * median_select(&mut s.dev);
    let spike_proxy = (sigma_mad / (sigma_ewma + eps)).clamp(0.0, p.spike_cap);
    let z = ((spike_proxy - p.spike_center) / p.spike_width)
        .clamp(-p.spike_logit_clip, p.spike_logit_clip);
    let w = 1.0 / (1.0 + (-z).exp());
    let sigma = ((1.0 - w) * sigma_ewma + w * sigma_mad).max(p.sigma_floor);
    (sigma, spike_proxy)
}

/// Order of finite numbers (cheaper than `total_cmp`; every value here is finite).
fn cmp_finite(a: &f64, b: &f64) -> std::cmp::Ordering {
    if a < b {
        std::cmp::Ordering::Less
    } else if a > b {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

/// numpy's `quantile(a, q)` (method `linear`) of a sorted, non-empty slice: index `(n−1)·q`,
/// numpy's `_lerp` between its neighbours.
fn quantile_sorted(a: &[f64], q: f64) -> f64 {
    let n = a.len();
    let vi = (n - 1) as f64 * q;
    let prev = vi.floor();
    let i = (prev as usize).min(n - 1);
    let j = (i + 1).min(n - 1);
    let t = vi - prev;
    let (lo, hi) = (a[i], a[j]);
    let diff = hi - lo;
    if t >= 0.5 {
        hi - diff * (1.0 - t)
    } else {
        lo + diff * t
    }
}

/// Median of a sorted, non-empty slice (mean of the middle two for an even count).
fn median_sorted(a: &[f64]) -> f64 {
    let n = a.len();
    if n % 2 == 1 {
        a[n / 2]
    } else {
        (a[n / 2 - 1] + a[n / 2]) / 2.0
    }
}

/// Median of a non-empty slice by selection (reorders it).
fn median_select(a: &mut [f64]) -> f64 {
    let n = a.len();
    let (left, mid, _) = a.select_nth_unstable_by(n / 2, cmp_finite);
    let upper = *mid;
    if n % 2 == 1 {
        upper
    } else {
        let lower = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

/// Population variance (`numpy.var`): mean of squared deviations from the mean.
fn variance(a: &[f64]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    let n = a.len() as f64;
    let mean = a.iter().sum::<f64>() / n;
    a.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n
}

/// `numpy.sign`: −1, 0 or +1.
fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// Share of `t ≥ 1` with `sign(r_t) = sign(r_{t−1})`; 0.5 below 2 returns.
fn dp(r: &[f64]) -> f64 {
    if r.len() < 2 {
        return 0.5;
    }
    let same = r.windows(2).filter(|w| sign(w[0]) == sign(w[1])).count();
    same as f64 / (r.len() - 1) as f64
}

/// `var(S)/(k·var(r)+eps)`, `S` the sums of every k consecutive returns; 1 below k+1 returns.
fn vr(r: &[f64], k: usize, eps: f64, sums: &mut Vec<f64>) -> f64 {
    if r.len() < k + 1 {
        return 1.0;
    }
    sums.clear();
    sums.extend(r.windows(k).map(|w| w.iter().sum::<f64>()));
    variance(sums) / (k as f64 * variance(r) + eps)
}

/// The Theil–Sen slope of `y` against `0..n`: the median of `(y_j − y_i)/(j − i)` over `i < j`.
fn theil_sen(y: &[f64], buf: &mut Vec<f64>) -> f64 {
    buf.clear();
    for j in 1..y.len() {
        for i in 0..j {
            buf.push((y[j] - y[i]) / (j - i) as f64);
        }
    }
    median_select(buf)
}

/// The median of the pairwise slopes of a sliding window of `n` log prices, tracked exactly.
///
/// Slopes depend only on index differences, so a step of the window removes the `n−1` slopes of
/// the point that leaves and adds the `n−1` of the point that enters (each point's slopes to the
/// points before it are kept in a ring of rows, or recomputed from the log prices where memory
/// matters more: the same divisions, the same bits). We count the slopes below a value band
/// `[lo, hi]` and keep the ones inside it sorted, each distinct value once with its count: a few
/// hundred ranks around the median, from which the median is read through a cursor that follows
/// it. Equal slopes (flat prices, prices on a tick grid) are one entry, so adding or removing a
/// tie costs no more than any other slope. When the median's ranks leave the band, one pass over
/// the window's slopes moves the band (no sorting or selection of all of them).
struct MedianSlopes {
    /// Log prices in the window.
    n: usize,
    /// Index of the window's last point, once started.
    last: Option<usize>,
    /// `rows[(b % n)·(n−1) + d − 1]` = slope from point `b − d` to point `b`, `d = 1..n−1`;
    /// empty when the slopes are recomputed from the log prices ([`MedianSlopes::lean`]).
    rows: Vec<f64>,
    lo: f64,
    hi: f64,
    /// Window slopes below `lo`.
    below: usize,
    /// The distinct window slopes in `[lo, hi]`, sorted.
    vals: Vec<f64>,
    /// How many window slopes have each of `vals`.
    cnts: Vec<u32>,
    /// Window slopes in `[lo, hi]` (the sum of `cnts`).
    in_band: usize,
    /// A band entry near the median and the slopes in the entries before it, kept up to date by
    /// insertions and removals (`None` after the band was moved).
    cursor: Option<(usize, usize)>,
    /// Ranks kept on either side of the median.
    half: usize,
    scratch: Vec<f64>,
    /// Elements moved, scanned or sorted so far (the tests compare the cost of series).
    #[cfg(test)]
    work: u64,
}

impl MedianSlopes {
    fn new(n: usize) -> Self {
        MedianSlopes {
            n,
            last: None,
            rows: vec![0.0; n * (n - 1)],
            lo: 0.0,
            hi: 0.0,
            below: 0,
            vals: Vec::new(),
            cnts: Vec::new(),
            in_band: 0,
            cursor: None,
            half: (3 * (n - 1)).max(8),
            scratch: Vec::new(),
            #[cfg(test)]
            work: 0,
        }
    }

    /// Counts `n` elements of work (tests only).
    #[inline(always)]
    fn tick(&mut self, _n: usize) {
        #[cfg(test)]
        {
            self.work += _n as u64;
        }
    }

    /// Total slopes in a window.
    fn total(&self) -> usize {
        self.n * (self.n - 1) / 2
    }

    /// A tracker that keeps no rows: every slope is recomputed from the log prices (a little
    /// slower a step, `n·(n−1)` fewer doubles held: 510 KiB for a window of 256).
    fn lean(n: usize) -> Self {
        MedianSlopes {
            rows: Vec::new(),
            ..MedianSlopes::new(n)
        }
    }

    /// Fills the row of point `b`: its slopes to the (up to) `n−1` points before it.
    fn fill_row(&mut self, lp: &[f64], b: usize) {
        if self.rows.is_empty() {
            return;
        }
        let w = self.n - 1;
        let row = &mut self.rows[(b % self.n) * w..][..w];
        for (k, slot) in row.iter_mut().enumerate().take(b.min(w)) {
            let d = k + 1;
            *slot = (lp[b] - lp[b - d]) / d as f64;
        }
    }

    /// The slope from point `b − d` to point `b` (from its row, or computed).
    #[inline]
    fn slope(&self, lp: &[f64], b: usize, d: usize) -> f64 {
        if self.rows.is_empty() {
            (lp[b] - lp[b - d]) / d as f64
        } else {
            self.rows[(b % self.n) * (self.n - 1) + d - 1]
        }
    }

    /// Calls `f` on every slope of the window ending at `t`.
    fn for_each(&self, lp: &[f64], t: usize, mut f: impl FnMut(f64)) {
        let (n, w) = (self.n, self.n - 1);
        let start = t + 1 - n;
        for b in start + 1..=t {
            if self.rows.is_empty() {
                for d in 1..=b - start {
                    f((lp[b] - lp[b - d]) / d as f64);
                }
            } else {
                for &s in &self.rows[(b % n) * w..][..b - start] {
                    f(s);
                }
            }
        }
    }

    /// The median slope of the window ending at `t` (`t ≥ n − 1`); steps of 1 after the first.
    fn advance(&mut self, lp: &[f64], t: usize) -> f64 {
        let n = self.n;
        match self.last {
            Some(prev) if prev + 1 == t => {
                let old = t - n; // leaves the window
                for b in old + 1..t {
                    let s = self.slope(lp, b, b - old);
                    self.remove(s);
                }
                self.fill_row(lp, t);
                for d in 1..n {
                    let s = self.slope(lp, t, d);
                    self.insert(s);
                }
            }
            _ => {
                for b in t + 1 - n..=t {
                    self.fill_row(lp, b);
                }
                self.rebuild(lp, t);
            }
        }
        self.last = Some(t);
        let (k1, k2) = ((self.total() - 1) / 2, self.total() / 2);
        // Each try widens the step 4×; a band that still misses the median after 12 (a step
        // 4^11 times the band's density: slopes from ties to ±700 side by side) is rebuilt.
        let mut tries = 0;
        while !(self.below <= k1 && k2 < self.below + self.in_band) {
            tries += 1;
            let factor = 4f64.powi(tries - 1);
            if tries > 12 {
                self.rebuild(lp, t);
            } else if self.below > k1 {
                self.shift_down(lp, t, k1, k2, factor);
            } else {
                self.shift_up(lp, t, k1, k2, factor);
            }
        }
        if self.vals.len() > 8 * self.half {
            self.trim(k1, k2);
        }
        let (i, before) = self.seek(k1 - self.below);
        let lower = self.vals[i];
        // Rank k2 is k1 or the next one: in the same entry or the next.
        let upper = if k2 - self.below < before + self.cnts[i] as usize {
            lower
        } else {
            self.vals[i + 1]
        };
        if k1 == k2 {
            upper
        } else {
            (lower + upper) / 2.0
        }
    }

    /// The band entry holding band rank `r` (0-based from `lo`) and the slopes before it, by
    /// walking the cursor there (or counting from the band's start when it was moved).
    fn seek(&mut self, r: usize) -> (usize, usize) {
        // Without a cursor (the band was moved): from the band's start.
        let (mut i, mut before) = self.cursor.unwrap_or_default();
        let len = self.vals.len();
        if i >= len {
            // The cursor's entry was the last and is gone.
            i = len - 1;
            before -= self.cnts[i] as usize;
        }
        let start = i;
        while r < before {
            i -= 1;
            before -= self.cnts[i] as usize;
        }
        while r >= before + self.cnts[i] as usize {
            before += self.cnts[i] as usize;
            i += 1;
        }
        self.tick(i.abs_diff(start) + 1);
        self.cursor = Some((i, before));
        (i, before)
    }

    fn remove(&mut self, s: f64) {
        if s < self.lo {
            self.below -= 1;
        } else if s <= self.hi {
            let i = self.vals.partition_point(|&x| x < s);
            self.in_band -= 1;
            let gone = self.cnts[i] == 1;
            if gone {
                self.tick(self.vals.len() - i);
                self.vals.remove(i);
                self.cnts.remove(i);
            } else {
                self.cnts[i] -= 1;
            }
            if let Some((c, before)) = &mut self.cursor {
                if i < *c {
                    *before -= 1;
                    *c -= usize::from(gone);
                }
            }
        }
    }

    fn insert(&mut self, s: f64) {
        if s < self.lo {
            self.below += 1;
        } else if s <= self.hi {
            let i = self.vals.partition_point(|&x| x < s);
            self.in_band += 1;
            let new = self.vals.get(i) != Some(&s);
            if new {
                self.tick(self.vals.len() - i);
                self.vals.insert(i, s);
                self.cnts.insert(i, 1);
            } else {
                self.cnts[i] += 1;
            }
            if let Some((c, before)) = &mut self.cursor {
                // A new entry at the cursor's index comes before its value.
                if i < *c || (new && i == *c) {
                    *before += 1;
                    *c += usize::from(new);
                }
            }
        }
    }

    /// A value distance that should span `ranks` ranks, from the band's density.
    fn span(&self, ranks: usize, factor: f64) -> f64 {
        let width = self.hi - self.lo;
        let per_rank = if self.in_band >= 2 && width > 0.0 {
            width / self.in_band as f64
        } else {
            (self.lo.abs().max(self.hi.abs()) * 1e-6).max(1e-15)
        };
        per_rank * (ranks as f64 * 1.5 + 1.0) * factor
    }

    /// Moves the band down to reach rank `k1 − half`: one pass collects the slopes in a value
    /// range `[lo', lo)` below it. Does nothing if `lo'` turned out too high (the caller retries
    /// with a larger `factor`).
    fn shift_down(&mut self, lp: &[f64], t: usize, k1: usize, k2: usize, factor: f64) {
        let want = k1.saturating_sub(self.half);
        let new_lo = self.lo - self.span(self.below - want, factor);
        let (lo, mut count) = (self.lo, 0);
        let mut got = std::mem::take(&mut self.scratch);
        got.clear();
        self.tick(self.total());
        self.for_each(lp, t, |s| {
            // Branch-free count: about half the slopes are below, unpredictably.
            count += usize::from(s < new_lo);
            if s >= new_lo && s < lo {
                got.push(s);
            }
        });
        if count <= want {
            let (mut vals, mut cnts) = self.entries_of(&mut got);
            self.in_band += got.len();
            vals.extend_from_slice(&self.vals);
            cnts.extend_from_slice(&self.cnts);
            (self.vals, self.cnts) = (vals, cnts);
            self.lo = new_lo;
            self.below = count;
            self.cursor = None;
            self.trim(k1, k2);
        }
        self.scratch = got;
    }

    /// Moves the band up to reach rank `k2 + half` (mirror of [`Self::shift_down`]).
    fn shift_up(&mut self, lp: &[f64], t: usize, k1: usize, k2: usize, factor: f64) {
        let total = self.total();
        let want = (k2 + self.half).min(total - 1);
        let top = self.below + self.in_band; // first rank above the band
        let new_hi = self.hi + self.span(want + 1 - top, factor);
        let (hi, mut above) = (self.hi, 0);
        let mut got = std::mem::take(&mut self.scratch);
        got.clear();
        self.tick(self.total());
        self.for_each(lp, t, |s| {
            above += usize::from(s > new_hi);
            if s <= new_hi && s > hi {
                got.push(s);
            }
        });
        if total - above > want {
            let (vals, cnts) = self.entries_of(&mut got);
            self.in_band += got.len();
            self.vals.extend_from_slice(&vals);
            self.cnts.extend_from_slice(&cnts);
            self.hi = new_hi;
            self.trim(k1, k2);
        }
        self.scratch = got;
    }

    /// `values` sorted, as band entries: each distinct value and its count.
    fn entries_of(&mut self, values: &mut [f64]) -> (Vec<f64>, Vec<u32>) {
        self.tick(values.len());
        values.sort_unstable_by(cmp_finite);
        let cap = values.len() + self.vals.len();
        let (mut vals, mut cnts) = (Vec::with_capacity(cap), Vec::<u32>::with_capacity(cap));
        for &v in values.iter() {
            if vals.last() == Some(&v) {
                if let Some(c) = cnts.last_mut() {
                    *c += 1;
                }
            } else {
                vals.push(v);
                cnts.push(1);
            }
        }
        (vals, cnts)
    }

    /// Narrows the band to the ranks `k1 − half ..= k2 + half` (at value boundaries).
    fn trim(&mut self, k1: usize, k2: usize) {
        let keep_to = k2 + self.half; // highest rank kept
        if keep_to < self.below + self.in_band && keep_to >= self.below {
            self.cursor = None;
            let (i, before) = self.seek(keep_to - self.below);
            self.hi = self.vals[i];
            self.in_band = before + self.cnts[i] as usize;
            self.vals.truncate(i + 1);
            self.cnts.truncate(i + 1);
        }
        let keep_from = k1.saturating_sub(self.half); // lowest rank kept
        if keep_from > self.below && keep_from < self.below + self.in_band {
            self.cursor = None;
            let (i, before) = self.seek(keep_from - self.below);
            self.lo = self.vals[i];
            self.tick(self.vals.len());
            self.vals.drain(..i);
            self.cnts.drain(..i);
            self.below += before;
            self.in_band -= before;
        }
        self.cursor = None;
    }

    /// Recomputes the band around the median by selection over all the window's slopes.
    fn rebuild(&mut self, lp: &[f64], t: usize) {
        let mut all = std::mem::take(&mut self.scratch);
        all.clear();
        self.tick(self.total());
        self.for_each(lp, t, |s| all.push(s));
        let total = all.len();
        let k1 = (total - 1) / 2;
        let r_lo = k1.saturating_sub(self.half);
        let r_hi = (total / 2 + self.half).min(total - 1);
        let (_, lo, rest) = all.select_nth_unstable_by(r_lo, cmp_finite);
        let lo = *lo;
        let hi = if r_hi > r_lo {
            *rest.select_nth_unstable_by(r_hi - r_lo - 1, cmp_finite).1
        } else {
            lo
        };
        self.lo = lo;
        self.hi = hi;
        self.below = 0;
        let mut inside = Vec::new();
        for &s in &all {
            if s < lo {
                self.below += 1;
            } else if s <= hi {
                inside.push(s);
            }
        }
        (self.vals, self.cnts) = self.entries_of(&mut inside);
        self.in_band = inside.len();
        self.cursor = None;
        // A lean tracker does not hold on to every slope between rebuilds.
        if !self.rows.is_empty() {
            self.scratch = all;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_matches_numpy_linear() {
        let a = [1.0, 2.0, 3.0, 4.0];
        // numpy.quantile([1,2,3,4], [0, 0.01, 0.5, 0.99, 1]) = 1, 1.03, 2.5, 3.97, 4
        let got = [0.0, 0.01, 0.5, 0.99, 1.0].map(|q| quantile_sorted(&a, q));
        let want = [1.0, 1.03, 2.5, 3.97, 4.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        for (v, want) in [
            (vec![3.0], 3.0),
            (vec![3.0, 1.0], 2.0),
            (vec![5.0, 1.0, 3.0], 3.0),
            (vec![4.0, 1.0, 3.0, 2.0], 2.5),
        ] {
            let mut s = v.clone();
            assert_eq!(median_select(&mut s), want, "{v:?}");
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            assert_eq!(median_sorted(&sorted), want, "{v:?}");
        }
    }

    #[test]
    fn sign_of_zero_is_zero_and_dp_counts_it() {
        assert_eq!(sign(0.0), 0);
        assert_eq!(sign(-0.0), 0);
        // signs 0,0,+,+,-: equal pairs (0,0), (+,+) → 2 of 4
        assert_eq!(dp(&[0.0, 0.0, 1.0, 2.0, -1.0]), 0.5);
        assert_eq!(dp(&[1.0]), 0.5);
    }

    #[test]
    fn vr_of_too_few_returns_is_one() {
        assert_eq!(
            vr(&[0.1, 0.2, 0.3, 0.4, 0.5], 5, 1e-12, &mut Vec::new()),
            1.0
        );
    }

    #[test]
    fn theil_sen_of_a_line_is_its_slope() {
        let y: Vec<f64> = (0..10).map(|i| 2.0 + 0.5 * i as f64).collect();
        assert_eq!(theil_sen(&y, &mut Vec::new()), 0.5);
    }

    /// The sliding medians' work per bar (elements moved, scanned or sorted) on `lp`.
    fn work_per_bar(lp: &[f64], n: usize, lean: bool) -> f64 {
        let mut tr = if lean {
            MedianSlopes::lean(n)
        } else {
            MedianSlopes::new(n)
        };
        for t in n - 1..lp.len() {
            tr.advance(lp, t);
        }
        tr.work as f64 / (lp.len() - n + 1) as f64
    }

    /// Issue 18: flat prices (every slope 0) and prices on a coarse tick grid (a few slopes
    /// repeated thousands of times) cost at most twice a random walk's work per bar; before,
    /// a flat stretch cost ~60× (every tie was moved in the sorted band).
    #[test]
    fn ties_cost_no_more_than_a_random_walk() {
        let bars = 3000;
        let mut x = 0.3172_f64;
        let mut walk = Vec::with_capacity(bars);
        let mut grid = Vec::with_capacity(bars);
        let mut level = 100.0f64;
        for _ in 0..bars {
            x = (x * 9.73 + 0.137).fract();
            level += (x - 0.5) * 0.4;
            walk.push(level.ln());
            // Prices on a 0.5 tick: long runs of equal closes and a handful of steps.
            grid.push(((level * 2.0).round() / 2.0).ln());
        }
        let flat = vec![100.0f64.ln(); bars];
        // Half flat, half walking: the band leaves a tie and comes back to it.
        let mut halves = flat[..bars / 2].to_vec();
        halves.extend(
            walk[bars / 2..]
                .iter()
                .map(|v| v - walk[bars / 2] + flat[0]),
        );
        for n in [64, 128, 256] {
            for lean in [false, true] {
                let base = work_per_bar(&walk, n, lean);
                for (name, lp) in [("flat", &flat), ("grid", &grid), ("halves", &halves)] {
                    let w = work_per_bar(lp, n, lean);
                    assert!(
                        w <= 2.0 * base,
                        "n {n} {name} (lean {lean}): {w:.0} per bar against {base:.0} for a random walk"
                    );
                }
            }
        }
    }

    /// Closes anywhere from 5e-324 to 1.7e308 (half of them below `eps`, so tied at
    /// `ln(1e-12)`): log slopes of ±700 next to ties. The band search widens its step 4× a try;
    /// past 16 tries the step was `1u32 << 32` (a panic in debug builds, a wrong step in release).
    #[test]
    fn extreme_closes_slide_like_fresh_ones() {
        let mut x = 0.3172_f64;
        let closes: Vec<f64> = (0..900)
            .map(|_| {
                x = (x * 9.73 + 0.137).fract();
                10f64.powf(x * 631.0 - 323.0).clamp(5e-324, f64::MAX)
            })
            .collect();
        let p = P0Params::default();
        for start in 0..120 {
            let c = &closes[start..];
            let all = market_states(c, &p).unwrap();
            if start % 17 == 0 {
                for t in (256..c.len()).step_by(29) {
                    let fresh = market_state(&c[..=t], &p).unwrap();
                    assert_eq!(all[t], Some(fresh), "start {start} bar {t}");
                }
            }
        }
    }

    #[test]
    fn sliding_median_equals_fresh_median() {
        // A noisy walk with plateaus (ties) and jumps (band rebuilds).
        let mut x = 1.0f64;
        let lp: Vec<f64> = (0..600)
            .map(|i| {
                x += ((i * 7919 % 23) as f64 - 11.0) * 1e-3 + if i % 97 == 0 { 0.05 } else { 0.0 };
                if i % 13 < 3 {
                    (x * 100.0).round() / 100.0
                } else {
                    x
                }
            })
            .collect();
        // Up, then down, then flat: the band moves both ways and sits on ties.
        let mut lp = lp;
        lp.extend((0..400).map(|i| 1.5 + 0.004 * i as f64 + 0.01 * ((i * 31 % 17) as f64 - 8.0)));
        lp.extend((0..400).map(|i| 3.1 - 0.005 * i as f64 + 0.01 * ((i * 7 % 13) as f64 - 6.0)));
        lp.extend(std::iter::repeat_n(1.0, 300));
        // Prices on a coarse tick grid: a few distinct slopes, each many times.
        let mut level = 100.0f64;
        lp.extend((0..500).map(|i| {
            level += ((i * 7919 % 29) as f64 - 14.0) * 0.03;
            ((level * 2.0).round() / 2.0).ln()
        }));
        lp.extend(std::iter::repeat_n(lp[lp.len() - 1], 150));
        for n in [2, 3, 5, 64, 200] {
            let mut tr = MedianSlopes::new(n);
            let mut lean = MedianSlopes::lean(n);
            for t in n - 1..lp.len() {
                let got = tr.advance(&lp, t);
                let want = theil_sen(&lp[t + 1 - n..=t], &mut Vec::new());
                assert_eq!(got.to_bits(), want.to_bits(), "n {n} t {t}");
                assert_eq!(
                    lean.advance(&lp, t).to_bits(),
                    want.to_bits(),
                    "lean: n {n} t {t}"
                );
            }
        }
    }
}
