//! The statistics of overfitting: the probability of backtest overfitting by combinatorially
//! symmetric cross-validation (Bailey, Borwein, López de Prado, Zhu 2015), the probabilistic and
//! deflated Sharpe ratios (Bailey, López de Prado 2012, 2014), and the normal distribution they
//! need. Written here because no small crate has CSCV or DSR; the normal CDF is `libm`'s `erfc`,
//! its inverse Wichura's AS 241 (about 1e-16 relative), since `std` has neither.

use serde::Serialize;

/// Euler–Mascheroni constant γ.
pub const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// The standard normal CDF Φ(x) = ½·erfc(−x/√2).
///
/// ```
/// use harvest_features::research::stats::norm_cdf;
/// assert!((norm_cdf(1.959963984540054) - 0.975).abs() < 1e-15);
/// assert_eq!(norm_cdf(0.0), 0.5);
/// ```
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile Φ⁻¹(p) for 0 < p < 1 (Wichura's AS 241, PPND16); −∞ at 0, +∞
/// at 1, NaN outside [0, 1].
///
/// ```
/// use harvest_features::research::stats::{norm_cdf, norm_ppf};
/// assert!((norm_ppf(0.975) - 1.959963984540054).abs() < 1e-14);
/// assert!((norm_cdf(norm_ppf(0.01)) - 0.01).abs() < 1e-16);
/// ```
// The coefficients as AS 241 publishes them (a digit or two past f64's precision).
#[allow(clippy::excessive_precision)]
pub fn norm_ppf(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.0809287301227 * r + 33430.575583588128) * r + 67265.7709270087) * r
                + 45921.95393154987)
                * r
                + 13731.693765509461)
                * r
                + 1971.5909503065513)
                * r
                + 133.14166789178438)
                * r
                + 3.3871328727963665)
            / (((((((5226.495278852545 * r + 28729.085735721943) * r + 39307.89580009271) * r
                + 21213.794301586597)
                * r
                + 5394.196021424751)
                * r
                + 687.1870074920579)
                * r
                + 42.31333070160091)
                * r
                + 1.0);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        (((((((7.745450142783414e-4 * r + 0.022723844989269184) * r + 0.2417807251774506) * r
            + 1.2704582524523684)
            * r
            + 3.6478483247632045)
            * r
            + 5.769497221460691)
            * r
            + 4.630337846156546)
            * r
            + 1.4234371107496835)
            / (((((((1.0507500716444169e-9 * r + 5.475938084995345e-4) * r
                + 0.015198666563616457)
                * r
                + 0.14810397642748008)
                * r
                + 0.6897673349851)
                * r
                + 1.6763848301838038)
                * r
                + 2.053191626637759)
                * r
                + 1.0)
    } else {
        let r = r - 5.0;
        (((((((2.0103343992922881e-7 * r + 2.7115555687434876e-5) * r + 0.0012426609473880784)
            * r
            + 0.026532189526576124)
            * r
            + 0.2965605718285049)
            * r
            + 1.7848265399172913)
            * r
            + 5.463784911164114)
            * r
            + 6.657904643501103)
            / (((((((2.0442631033899397e-15 * r + 1.421511758316446e-7) * r
                + 1.8463183175100548e-5)
                * r
                + 7.868691311456133e-4)
                * r
                + 0.014875361290850615)
                * r
                + 0.1369298809227358)
                * r
                + 0.599832206555888)
                * r
                + 1.0)
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

/// The moments of a sample the Sharpe-ratio statistics need.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Moments {
    /// Observations.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Standard deviation with n − 1 in the denominator.
    pub std: f64,
    /// Skewness γ₃ (the adjusted Fisher–Pearson coefficient, as pandas' `skew`).
    pub skew: f64,
    /// Kurtosis γ₄, not excess (pandas' bias-corrected excess `kurt` + 3; 3 for a normal).
    pub kurtosis: f64,
}

/// The moments of `xs` (non-finite values left out); skewness and kurtosis are 0 and 3 when
/// there are too few observations (fewer than 3 and 4) or no spread.
///
/// ```
/// use harvest_features::research::stats::moments;
/// let m = moments(&[1.0, 2.0, 3.0, 4.0, 10.0]);
/// assert_eq!((m.n, m.mean), (5, 4.0));
/// assert!((m.std - 3.5355339059327378).abs() < 1e-15);
/// assert!((m.skew - 1.697056274847714).abs() < 1e-12); // pandas: Series.skew()
/// assert!((m.kurtosis - (3.1519999999999984 + 3.0)).abs() < 1e-12); // pandas: kurt() + 3
/// ```
pub fn moments(xs: &[f64]) -> Moments {
    let v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        return Moments {
            kurtosis: 3.0,
            ..Moments::default()
        };
    }
    let nf = n as f64;
    let mean = v.iter().sum::<f64>() / nf;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &x in &v {
        let d = x - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    let std = if n > 1 { (m2 / (nf - 1.0)).sqrt() } else { 0.0 };
    let (b2, b3, b4) = (m2 / nf, m3 / nf, m4 / nf);
    let flat = b2 <= 1e-300;
    let skew = if n >= 3 && !flat {
        let g1 = b3 / b2.powf(1.5);
        g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0)
    } else {
        0.0
    };
    let kurtosis = if n >= 4 && !flat {
        let g2 = b4 / (b2 * b2) - 3.0;
        ((nf + 1.0) * g2 + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0)) + 3.0
    } else {
        3.0
    };
    Moments {
        n,
        mean,
        std,
        skew,
        kurtosis,
    }
}

/// The per-observation Sharpe ratio mean / std (std with n − 1); 0 without spread.
///
/// ```
/// use harvest_features::research::stats::sharpe;
/// assert!((sharpe(&[1.0, -1.0, 2.0, 0.0]) - 0.5 / 1.2909944487358056).abs() < 1e-15);
/// assert_eq!(sharpe(&[1.0, 1.0]), 0.0);
/// ```
pub fn sharpe(xs: &[f64]) -> f64 {
    let m = moments(xs);
    if m.std > 0.0 {
        m.mean / m.std
    } else {
        0.0
    }
}

/// The probabilistic Sharpe ratio: the probability that the true Sharpe ratio exceeds
/// `benchmark`, given the observed `sr` over `t` observations with skewness `skew` and kurtosis
/// `kurtosis` (not excess):
///
/// PSR = Φ( (SR − SR*) · √(T − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4 · SR²) ).
///
/// NaN with fewer than two observations or a non-positive variance term.
///
/// ```
/// use harvest_features::research::stats::psr;
/// assert_eq!(psr(0.0, 100, 0.0, 3.0, 0.0), 0.5);
/// assert!(psr(0.2, 250, 0.0, 3.0, 0.0) > 0.99);
/// ```
pub fn psr(sr: f64, t: usize, skew: f64, kurtosis: f64, benchmark: f64) -> f64 {
    let var = 1.0 - skew * sr + (kurtosis - 1.0) / 4.0 * sr * sr;
    if t < 2 || var.is_nan() || var <= 0.0 {
        return f64::NAN;
    }
    norm_cdf((sr - benchmark) * ((t - 1) as f64).sqrt() / var.sqrt())
}

/// The expected maximum of `n` independent standard normal draws (the paper's approximation,
/// good for large n): (1 − γ)·Φ⁻¹(1 − 1/n) + γ·Φ⁻¹(1 − 1/(n·e)); 0 for one trial.
///
/// ```
/// use harvest_features::research::stats::expected_max;
/// assert!((expected_max(100) - 2.5306028932016846).abs() < 1e-12); // numpy/scipy
/// assert_eq!(expected_max(1), 0.0);
/// ```
pub fn expected_max(n: usize) -> f64 {
    if n <= 1 {
        return 0.0;
    }
    let n = n as f64;
    (1.0 - EULER_GAMMA) * norm_ppf(1.0 - 1.0 / n)
        + EULER_GAMMA * norm_ppf(1.0 - 1.0 / (n * std::f64::consts::E))
}

/// The deflated Sharpe ratio and what went into it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dsr {
    /// The observed Sharpe ratio, per observation (here: per trade).
    pub sr: f64,
    /// Observations (trades).
    pub t: usize,
    /// Skewness of the observations.
    pub skew: f64,
    /// Kurtosis of the observations (not excess).
    pub kurtosis: f64,
    /// Number of trials (the configurations tried).
    pub trials: usize,
    /// Standard deviation of the trials' Sharpe ratios.
    pub sr_std: f64,
    /// The deflated benchmark SR₀ = sr_std · E[max of `trials` standard normals].
    pub sr0: f64,
    /// DSR = PSR(SR₀): the probability that the true Sharpe ratio is above SR₀.
    pub dsr: f64,
}

/// The deflated Sharpe ratio (Bailey, López de Prado 2014): the PSR of `sr` against the
/// expected maximum Sharpe ratio of `trials` configurations whose Sharpe ratios have standard
/// deviation `sr_std`, SR₀ = sr_std · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))).
///
/// The paper's numerical example: N = 100 trials with V[SR] = ½ a year, SR = 2.5 a year over
/// T = 1,250 days, γ₃ = −3, γ₄ = 10 gives SR₀ ≈ 0.1132 a day and DSR ≈ 0.9004:
///
/// ```
/// use harvest_features::research::stats::dsr;
/// let d = dsr(2.5 / 250f64.sqrt(), 1250, -3.0, 10.0, 100, (0.5f64 / 250.0).sqrt());
/// assert!((d.sr0 - 0.1132).abs() < 5e-5);
/// assert!((d.dsr - 0.9004).abs() < 5e-4);
/// ```
pub fn dsr(sr: f64, t: usize, skew: f64, kurtosis: f64, trials: usize, sr_std: f64) -> Dsr {
    let sr0 = sr_std * expected_max(trials);
    Dsr {
        sr,
        t,
        skew,
        kurtosis,
        trials,
        sr_std,
        sr0,
        dsr: psr(sr, t, skew, kurtosis, sr0),
    }
}

/// Average ranks from 1 (ties share the mean of their ranks), as `scipy.stats.rankdata`.
///
/// ```
/// use harvest_features::research::stats::rank_average;
/// assert_eq!(rank_average(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
/// ```
pub fn rank_average(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; xs.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && xs[idx[j + 1]] == xs[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// The probability of backtest overfitting and the distribution it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pbo {
    /// Blocks the observations were split into (S, even).
    pub blocks: usize,
    /// Observations a block.
    pub block_len: usize,
    /// Observations used (`blocks · block_len`).
    pub rows: usize,
    /// Leading observations left out so the rest splits evenly (as the reference
    /// implementation does).
    pub dropped: usize,
    /// Strategies (configurations) compared.
    pub strategies: usize,
    /// Combinations evaluated, C(S, S/2).
    pub combinations: usize,
    /// PBO: the share of combinations whose in-sample best ranks at or below the out-of-sample
    /// median (logit λ ≤ 0).
    pub pbo: f64,
    /// The share of combinations whose in-sample best has an out-of-sample metric below 0.
    pub prob_oos_loss: f64,
    /// The logit λ = ln(ω / (1 − ω)) of each combination (ω: the in-sample best's
    /// out-of-sample rank over N + 1), in combination order.
    pub logits: Vec<f64>,
    /// The in-sample best's metric in and out of sample, each combination.
    pub is_best: Vec<f64>,
    /// The same configuration's metric out of sample.
    pub oos_of_best: Vec<f64>,
}

/// Why a PBO could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PboError {
    /// S is odd or below 2.
    #[error("cscv blocks = {0}: expected an even number ≥ 2 (16 is the paper's choice)")]
    Blocks(usize),
    /// Fewer rows than blocks.
    #[error("{rows} observations cannot be split into {blocks} blocks")]
    TooFewRows {
        /// Observations.
        rows: usize,
        /// Blocks asked for.
        blocks: usize,
    },
    /// Fewer than two strategies.
    #[error("{0} configurations: PBO compares at least 2")]
    TooFewStrategies(usize),
}

/// A block's summary that concatenates: what every metric of [`CscvMetric`] needs of a run of
/// observations in order.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Run {
    /// Observations.
    pub n: f64,
    /// Their sum.
    pub sum: f64,
    /// Sum of squares.
    pub sum_sq: f64,
    /// Highest running sum (≥ 0: the empty prefix counts).
    pub max_prefix: f64,
    /// Lowest running sum (≤ 0).
    pub min_prefix: f64,
    /// Worst peak-to-trough fall of the running sum (≥ 0).
    pub max_dd: f64,
}

impl Run {
    /// The run of `xs` in order.
    pub fn of(xs: &[f64]) -> Run {
        xs.iter().fold(Run::default(), |r, &x| r.then(&Run::one(x)))
    }

    /// One observation.
    pub fn one(x: f64) -> Run {
        Run {
            n: 1.0,
            sum: x,
            sum_sq: x * x,
            max_prefix: x.max(0.0),
            min_prefix: x.min(0.0),
            max_dd: (-x).max(0.0),
        }
    }

    /// `self` followed by `b`.
    pub fn then(&self, b: &Run) -> Run {
        Run {
            n: self.n + b.n,
            sum: self.sum + b.sum,
            sum_sq: self.sum_sq + b.sum_sq,
            max_prefix: self.max_prefix.max(self.sum + b.max_prefix),
            min_prefix: self.min_prefix.min(self.sum + b.min_prefix),
            max_dd: self
                .max_dd
                .max(b.max_dd)
                .max(self.max_prefix - (self.sum + b.min_prefix)),
        }
    }
}

/// The metric CSCV ranks configurations by, computed from a [`Run`] (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CscvMetric {
    /// The mean.
    Mean,
    /// The sum.
    Sum,
    /// Minus the worst drawdown of the running sum.
    NegDrawdown,
    /// mean / std (n − 1).
    Sharpe,
}

impl CscvMetric {
    /// The metric of a run.
    pub fn of(self, r: &Run) -> f64 {
        match self {
            CscvMetric::Mean => {
                if r.n > 0.0 {
                    r.sum / r.n
                } else {
                    f64::NAN
                }
            }
            CscvMetric::Sum => r.sum,
            CscvMetric::NegDrawdown => -r.max_dd,
            CscvMetric::Sharpe => {
                if r.n < 2.0 {
                    return f64::NAN;
                }
                let mean = r.sum / r.n;
                let var = ((r.sum_sq - r.n * mean * mean) / (r.n - 1.0)).max(0.0);
                if var > 0.0 {
                    mean / var.sqrt()
                } else {
                    0.0
                }
            }
        }
    }
}

/// The probability of backtest overfitting by combinatorially symmetric cross-validation.
///
/// `columns[n]` holds configuration n's observations (all the same length T, in time order).
/// The first T mod S observations are left out; the rest split into S blocks of equal length;
/// for every choice of S/2 blocks as the training set (the rest, in order, as the test set) the
/// configuration with the best training `metric` (the first on ties) is found, its test rank ω
/// (average ranks 1 … N) over N + 1 gives the logit λ = ln(ω / (1 − ω)); PBO is the share of
/// combinations with λ ≤ 0.
///
/// # Errors
/// [`PboError`] for an odd S, fewer observations than blocks, or fewer than 2 configurations.
///
/// ```
/// use harvest_features::research::stats::{pbo, CscvMetric};
/// // Configuration 1 is better in every block: never overfitted.
/// let a = vec![0.0, 0.1, 0.0, 0.1];
/// let b = vec![1.0, 1.1, 1.0, 1.1];
/// let p = pbo(&[a, b], 4, CscvMetric::Mean).unwrap();
/// assert_eq!((p.combinations, p.pbo), (6, 0.0));
/// ```
pub fn pbo(columns: &[Vec<f64>], blocks: usize, metric: CscvMetric) -> Result<Pbo, PboError> {
    if blocks < 2 || blocks % 2 == 1 {
        return Err(PboError::Blocks(blocks));
    }
    let n = columns.len();
    if n < 2 {
        return Err(PboError::TooFewStrategies(n));
    }
    let t = columns.iter().map(Vec::len).min().unwrap_or(0);
    if t < blocks {
        return Err(PboError::TooFewRows { rows: t, blocks });
    }
    let dropped = t % blocks;
    let len = t / blocks;
    // runs[n][b]: configuration n's block b.
    let runs: Vec<Vec<Run>> = columns
        .iter()
        .map(|c| {
            let c = &c[c.len() - t + dropped..];
            (0..blocks)
                .map(|b| Run::of(&c[b * len..(b + 1) * len]))
                .collect()
        })
        .collect();
    let half = blocks / 2;
    let mut logits = Vec::new();
    let (mut is_best, mut oos_of_best) = (Vec::new(), Vec::new());
    let mut train = vec![false; blocks];
    let mut is_m = vec![0.0; n];
    let mut oos_m = vec![0.0; n];
    for combo in Combinations::new(blocks, half) {
        train.iter_mut().for_each(|x| *x = false);
        for &b in &combo {
            train[b] = true;
        }
        for (k, r) in runs.iter().enumerate() {
            let (mut a, mut o) = (Run::default(), Run::default());
            for (b, run) in r.iter().enumerate() {
                if train[b] {
                    a = a.then(run);
                } else {
                    o = o.then(run);
                }
            }
            is_m[k] = metric.of(&a);
            oos_m[k] = metric.of(&o);
        }
        let is_rank = rank_average(&is_m);
        let best = (0..n).fold(0, |b, k| if is_rank[k] > is_rank[b] { k } else { b });
        let oos_rank = rank_average(&oos_m);
        let w = oos_rank[best] / (n as f64 + 1.0);
        logits.push((w / (1.0 - w)).ln());
        is_best.push(is_m[best]);
        oos_of_best.push(oos_m[best]);
    }
    let c = logits.len() as f64;
    Ok(Pbo {
        blocks,
        block_len: len,
        rows: len * blocks,
        dropped,
        strategies: n,
        combinations: logits.len(),
        pbo: logits.iter().filter(|&&l| l <= 0.0).count() as f64 / c,
        prob_oos_loss: oos_of_best.iter().filter(|&&x| x < 0.0).count() as f64 / c,
        logits,
        is_best,
        oos_of_best,
    })
}

/// The k-subsets of 0 … n−1 in lexicographic order (as Python's `itertools.combinations`).
#[derive(Debug, Clone)]
pub struct Combinations {
    n: usize,
    cur: Vec<usize>,
    done: bool,
}

impl Combinations {
    /// The k-subsets of `0..n`.
    pub fn new(n: usize, k: usize) -> Combinations {
        Combinations {
            n,
            cur: (0..k).collect(),
            done: k > n,
        }
    }
}

impl Iterator for Combinations {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        if self.done {
            return None;
        }
        let out = self.cur.clone();
        let k = self.cur.len();
        let mut i = k;
        loop {
            if i == 0 {
                self.done = true;
                break;
            }
            i -= 1;
            if self.cur[i] < self.n - k + i {
                self.cur[i] += 1;
                for j in i + 1..k {
                    self.cur[j] = self.cur[j - 1] + 1;
                }
                break;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_round_trip_and_match_tables() {
        for &(p, z) in &[
            (0.5, 0.0),
            (0.8413447460685429, 1.0),
            (0.99, 2.3263478740408408),
            (0.001, -3.090232306167813),
            (1e-10, -6.361340902404056),
        ] {
            assert!((norm_ppf(p) - z).abs() < 1e-13 * z.abs().max(1.0), "{p}");
        }
        for k in 1..999 {
            let p = k as f64 / 1000.0;
            assert!((norm_cdf(norm_ppf(p)) - p).abs() < 1e-15, "{p}");
        }
        assert!(norm_ppf(-0.1).is_nan());
        assert_eq!(norm_ppf(1.0), f64::INFINITY);
    }

    #[test]
    fn combinations_are_lexicographic_and_complete() {
        let all: Vec<Vec<usize>> = Combinations::new(4, 2).collect();
        assert_eq!(
            all,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(Combinations::new(16, 8).count(), 12870);
    }

    #[test]
    fn runs_concatenate_like_the_whole() {
        let xs = [1.0, -2.0, 0.5, 3.0, -4.0, -1.0, 2.0];
        for cut in 0..xs.len() {
            let a = Run::of(&xs[..cut]).then(&Run::of(&xs[cut..]));
            let w = Run::of(&xs);
            assert_eq!((a.n, a.max_dd), (w.n, w.max_dd), "{cut}");
            assert!((a.sum - w.sum).abs() < 1e-12);
            assert_eq!(a.max_prefix, w.max_prefix);
        }
        // Drawdown: peak 2.5 after three, trough -2.5 after six.
        assert_eq!(Run::of(&xs).max_dd, 5.0);
    }

    /// A hand-worked CSCV: S = 4 blocks of one observation, three configurations.
    ///
    /// Blocks (rows) of A, B, C: A = [3, 0, 0, 0], B = [0, 1, 1, 1], C = [0, 0, 2, 0] with the
    /// mean as the metric. The six training pairs and their in-sample best, its test rank:
    /// {0,1}: A (1.5) → test {2,3}: A 0, B 1, C 1 → A ranks 1 → ω = 1/4, λ = ln(1/3) < 0;
    /// {0,2}: A (1.5, C 1) → test {1,3}: A 0, B 1, C 0 → A ranks 1.5 → λ < 0;
    /// {0,3}: A (1.5) → test {1,2}: A 0, B 1, C 1 → A 1 → λ < 0;
    /// {1,2}: B/C tie 1 → first best is B (rank 2.5 each; B first) → test {0,3}: A 1.5, B 0.5,
    ///        C 0 → B ranks 2 → ω = 2/4 → λ = 0 (counts as overfit);
    /// {1,3}: B (1) → test {0,2}: A 1.5, B 0.5, C 1 → B ranks 1 → λ < 0;
    /// {2,3}: C (1, B 1 tie → B first) → B → test {0,1}: A 1.5, B 0.5, C 0 → B 2 → λ = 0.
    /// PBO = 6/6 = 1.
    #[test]
    fn cscv_by_hand() {
        let cols = vec![
            vec![3.0, 0.0, 0.0, 0.0],
            vec![0.0, 1.0, 1.0, 1.0],
            vec![0.0, 0.0, 2.0, 0.0],
        ];
        let p = pbo(&cols, 4, CscvMetric::Mean).unwrap();
        assert_eq!(p.combinations, 6);
        let w: Vec<f64> = p.logits.iter().map(|l| 1.0 / (1.0 + (-l).exp())).collect();
        let want = [0.25, 0.375, 0.25, 0.5, 0.25, 0.5];
        for (a, b) in w.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{w:?}");
        }
        assert_eq!(p.pbo, 1.0);
    }

    #[test]
    fn pbo_refuses_what_it_cannot_do() {
        let c = vec![vec![0.0; 10], vec![1.0; 10]];
        assert_eq!(pbo(&c, 3, CscvMetric::Mean), Err(PboError::Blocks(3)));
        assert_eq!(
            pbo(&c, 16, CscvMetric::Mean),
            Err(PboError::TooFewRows {
                rows: 10,
                blocks: 16
            })
        );
        assert_eq!(
            pbo(&c[..1], 4, CscvMetric::Mean),
            Err(PboError::TooFewStrategies(1))
        );
        // Leading rows that do not fill a block are left out.
        let p = pbo(&c, 4, CscvMetric::Mean).unwrap();
        assert_eq!((p.dropped, p.rows, p.block_len), (2, 8, 2));
    }

    #[test]
    fn metrics_of_runs() {
        let r = Run::of(&[1.0, -1.0, 2.0, 0.0]);
        assert_eq!(CscvMetric::Mean.of(&r), 0.5);
        assert_eq!(CscvMetric::Sum.of(&r), 2.0);
        assert_eq!(CscvMetric::NegDrawdown.of(&r), -1.0);
        assert!((CscvMetric::Sharpe.of(&r) - sharpe(&[1.0, -1.0, 2.0, 0.0])).abs() < 1e-15);
    }
}
