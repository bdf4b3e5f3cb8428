//! The kill score K: four raw components, their weighted sum z, and the sigmoid.

use super::theta::Theta;
use super::types::{KComponents, MarketState};

/// `max(lo, min(hi, x))`, written out: `f64::clamp` panics on bad bounds, this never does.
#[inline]
pub(crate) fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    x.min(hi).max(lo)
}

/// The raw components, exactly as the P2 system computes them:
///
/// - `regime_flip = 1` if `p_trend < trend_min` and `p_chop + p_mr > 0.5`, else `0`
/// - `sigma_spike = clamp(sigma / sigma_ref − 1, 0, sigma_spike_cap)`
/// - `ts_drop = clamp(ts_ref − ts, 0, ts_drop_cap)`
/// - `age_penalty = clamp(age_sec / max_age_sec, 0, 1)`
///
/// ```
/// use harvest_kernel::{k_components, MarketState, Theta};
/// let ms = MarketState { sigma: 0.03, ts: 0.1, ..MarketState::default() };
/// let k = k_components(&ms, 43200.0, &Theta::default());
/// assert_eq!((k.regime_flip, k.sigma_spike, k.age_penalty), (0.0, 2.0, 0.5));
/// assert_eq!(k.ts_drop, 0.3 - 0.1); // 0.19999999999999998, as the P2 system has it
/// ```
#[inline]
pub fn k_components(ms: &MarketState, age_sec: f64, theta: &Theta) -> KComponents {
    let regime_flip = if ms.p_trend < theta.trend_min && ms.p_chop + ms.p_mr > 0.5 {
        1.0
    } else {
        0.0
    };
    KComponents {
        regime_flip,
        sigma_spike: clamp(ms.sigma / theta.sigma_ref - 1.0, 0.0, theta.sigma_spike_cap),
        ts_drop: clamp(theta.ts_ref - ms.ts, 0.0, theta.ts_drop_cap),
        age_penalty: clamp(age_sec / theta.max_age_sec, 0.0, 1.0),
    }
}

/// `z = k_regime_flip·regime_flip + k_sigma_spike·sigma_spike + k_ts_drop·ts_drop +
/// k_age_penalty·age_penalty`, summed in this order.
///
/// ```
/// use harvest_kernel::{kill_z, KComponents, Theta};
/// let k = KComponents { regime_flip: 1.0, ..KComponents::default() };
/// assert_eq!(kill_z(&k, &Theta::default()), 1.0);
/// ```
#[inline]
pub fn kill_z(k: &KComponents, theta: &Theta) -> f64 {
    theta.k_regime_flip * k.regime_flip
        + theta.k_sigma_spike * k.sigma_spike
        + theta.k_ts_drop * k.ts_drop
        + theta.k_age_penalty * k.age_penalty
}

/// The weighted contributions of each component to z, in component order.
pub fn contributions(k: &KComponents, theta: &Theta) -> [f64; 4] {
    [
        theta.k_regime_flip * k.regime_flip,
        theta.k_sigma_spike * k.sigma_spike,
        theta.k_ts_drop * k.ts_drop,
        theta.k_age_penalty * k.age_penalty,
    ]
}

/// `K = 1 / (1 + exp(−z))`.
///
/// ```
/// use harvest_kernel::sigmoid;
/// assert_eq!(sigmoid(0.0), 0.5);
/// ```
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The z at which `K = k`: `ln(k / (1 − k))` (the threshold line of the explainer).
///
/// ```
/// use harvest_kernel::{logit, sigmoid};
/// assert!((sigmoid(logit(0.6)) - 0.6).abs() < 1e-15);
/// ```
pub fn logit(k: f64) -> f64 {
    (k / (1.0 - k)).ln()
}
