//! Chart data: plain structs built from kernel outputs, one per chart. Pure (no plotters, no
//! browser), so every number a chart shows is testable natively.
//!
//! Nothing here re-implements a kernel formula: z, K, R_net, the components, the BE+ level and the
//! action all come from [`evaluate`](harvest_kernel::evaluate) (via [`HarvestInput::evaluate`]),
//! [`contributions`], [`sigmoid`], [`logit`] and [`Position::implied_price`](harvest_kernel::Position::implied_price).

use harvest_kernel::{
    contributions, logit, sigmoid, Axis, HarvestAction, HarvestInput, Side, Theta,
};

use super::theme::{action_index, Rgb};
use crate::explorer::params::domain;
use crate::format::format_sig;

// ---------------------------------------------------------------------------------------------
// Number formatting shared by the charts (and usable by the UI for matching labels).

use crate::format::fixed_trim;

/// A kill score or probability: 3 decimals (`0.503`).
pub fn fmt_k(v: f64) -> String {
    fixed_trim(v, 3)
}

/// A risk multiple: 2 decimals (`2.45`).
pub fn fmt_r(v: f64) -> String {
    fixed_trim(v, 2)
}

/// A price: 6 significant digits, trailing zeros trimmed (`100.2`, `43251.4`); [`DASH`](crate::format::DASH) if not finite.
///
/// ```
/// use harvest_features::charts::fmt_price;
/// assert_eq!(fmt_price(100.0 * 1.002), "100.2");
/// assert_eq!(fmt_price(99.0), "99");
/// ```
pub fn fmt_price(v: f64) -> String {
    if v.is_finite() {
        format_sig(v, 6)
    } else {
        crate::format::DASH.to_string()
    }
}

/// A compact tick label: `k`/`M` suffixes from 10 000 up, otherwise 3 significant digits
/// (`108000` → `"108k"`, `0.0125` → `"0.0125"`).
///
/// ```
/// use harvest_features::charts::fmt_tick;
/// assert_eq!(fmt_tick(108000.0), "108k");
/// assert_eq!(fmt_tick(2.5e6), "2.5M");
/// assert_eq!(fmt_tick(0.025), "0.025");
/// assert_eq!(fmt_tick(-4.0), "-4");
/// ```
pub fn fmt_tick(v: f64) -> String {
    if !v.is_finite() {
        return crate::format::DASH.to_string();
    }
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", format_sig(v / 1e6, 3))
    } else if a >= 1e4 {
        format!("{}k", format_sig(v / 1e3, 3))
    } else if a < 1e-9 {
        "0".to_string()
    } else {
        format_sig(v, 3)
    }
}

/// A value on an axis, for annotations: PnL with 2 decimals, probabilities and TS with 3, σ with
/// 4 significant digits, age in hours when ≥ 1 h (`"27.8 h"`), tunables with 4 significant digits.
///
/// ```
/// use harvest_features::charts::fmt_axis_value;
/// use harvest_kernel::Axis;
/// assert_eq!(fmt_axis_value(Axis::AgeSec, 100000.0), "27.8 h");
/// assert_eq!(fmt_axis_value(Axis::Sigma, 0.0227), "0.0227");
/// ```
pub fn fmt_axis_value(axis: Axis, v: f64) -> String {
    match axis {
        Axis::Pnl => fixed_trim(v, 2),
        Axis::PTrend | Axis::Ts => fixed_trim(v, 3),
        Axis::AgeSec if v.abs() >= 3600.0 => format!("{} h", fixed_trim(v / 3600.0, 1)),
        Axis::AgeSec => format!("{} s", fixed_trim(v, 0)),
        Axis::Sigma | Axis::Theta(_) => {
            if v.is_finite() {
                format_sig(v, 4)
            } else {
                crate::format::DASH.to_string()
            }
        }
    }
}

/// Axis title with unit: `"PnL (quote)"`, `"age (s)"`, `"σ (volatility)"`,
/// `"p_trend (probability)"`, `"kill_threshold (K)"`.
///
/// ```
/// use harvest_features::charts::axis_title;
/// use harvest_kernel::Axis;
/// assert_eq!(axis_title(Axis::Pnl), "PnL (quote)");
/// assert_eq!(axis_title(Axis::AgeSec), "age (s)");
/// assert_eq!(axis_title(Axis::Sigma), "σ (volatility)");
/// ```
pub fn axis_title(axis: Axis) -> String {
    match axis {
        Axis::Sigma => "σ (volatility)".to_string(),
        Axis::Ts => "TS (trend strength)".to_string(),
        Axis::PTrend => "p_trend (probability)".to_string(),
        _ => {
            let unit = axis.unit();
            if unit.is_empty() || unit == axis.label() {
                axis.label().to_string()
            } else {
                format!("{} ({})", axis.label(), unit)
            }
        }
    }
}

/// `n` evenly spaced values from `lo` to `hi` inclusive (`n ≥ 2`; fewer gives `[lo, hi]`).
fn linspace(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
    let n = n.max(2);
    (0..n).map(move |i| {
        if i + 1 == n {
            hi
        } else {
            lo + (hi - lo) * (i as f64 / (n - 1) as f64)
        }
    })
}

/// `(lo, hi)` made finite, ordered, non-degenerate and with a finite span (`fallback` when not
/// finite), so plotting code can divide by `hi − lo`.
pub(crate) fn sane_range(r: (f64, f64), fallback: (f64, f64)) -> (f64, f64) {
    let (mut lo, mut hi) = r;
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = fallback;
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    if !(hi - lo).is_finite() {
        (lo, hi) = (lo.max(-1e300), hi.min(1e300));
    }
    if hi - lo <= f64::EPSILON * lo.abs().max(hi.abs()).max(1.0) {
        let pad = (lo.abs() * 0.05).max(0.5);
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}

// ---------------------------------------------------------------------------------------------
// Kill-score explainer.

/// One kill component: its raw value, its weight and what it adds to z.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KillComponent {
    /// JSON key, e.g. `"sigma_spike"`.
    pub key: &'static str,
    /// Short label for the chart, e.g. `"σ spike"`.
    pub label: &'static str,
    /// The raw component (from [`k_components`](harvest_kernel::k_components)).
    pub raw: f64,
    /// Its weight in theta (`k_regime_flip`, …).
    pub weight: f64,
    /// `weight · raw`, from [`contributions`].
    pub contribution: f64,
}

/// Everything the kill-score explainer shows: z as a sum of weighted components, the sigmoid
/// `K(z) = 1/(1+e^−z)` around it, the current point and the threshold `K = kill_threshold`
/// (at `z* = logit(kill_threshold)`).
#[derive(Debug, Clone, PartialEq)]
pub struct KillExplainer {
    /// Regime flip, σ spike, TS drop, age penalty, in z's summation order.
    pub components: [KillComponent; 4],
    /// The kill logit z (the kernel's, summed in the kernel's order).
    pub z: f64,
    /// `K = sigmoid(z)`.
    pub k: f64,
    /// `kill_threshold`.
    pub threshold: f64,
    /// `z* = logit(kill_threshold)`: the z at which K reaches the threshold.
    pub z_threshold: f64,
    /// `kill_threshold − K`: how much K may still rise (negative when over).
    pub margin_k: f64,
    /// `z* − z`: how much z may still rise (negative when over).
    pub margin_z: f64,
    /// `K ≥ kill_threshold` (the kernel's verdict).
    pub killed: bool,
    /// The z range the curve covers: holds 0, z, z* and 3 units either side.
    pub z_range: (f64, f64),
    /// `(z, sigmoid(z))` samples over `z_range`, sorted by z; includes the exact current point
    /// and the threshold point.
    pub curve: Vec<(f64, f64)>,
}

impl KillExplainer {
    /// `"K 0.503 < 0.6: margin 0.097"`, or `"K 0.734 ≥ 0.6: over by 0.134"`.
    ///
    /// ```
    /// use harvest_features::charts::kill_explainer;
    /// use harvest_kernel::HarvestInput;
    /// let k = kill_explainer(&HarvestInput::default(), 64);
    /// assert_eq!(k.headline(), "K 0.503 < 0.6: margin 0.097");
    /// ```
    pub fn headline(&self) -> String {
        if self.killed {
            format!(
                "K {} ≥ {}: over by {}",
                fmt_k(self.k),
                fmt_k(self.threshold),
                fmt_k(-self.margin_k)
            )
        } else {
            format!(
                "K {} < {}: margin {}",
                fmt_k(self.k),
                fmt_k(self.threshold),
                fmt_k(self.margin_k)
            )
        }
    }

    /// `"z 0.0125 = 0 + 0 + 0 + 0.0125"`: z and its four contributions in order.
    pub fn z_sum(&self) -> String {
        let parts: Vec<String> = self
            .components
            .iter()
            .map(|c| fmt_tick(c.contribution))
            .collect();
        format!("z {} = {}", fmt_tick(self.z), parts.join(" + "))
    }
}

/// Builds the [`KillExplainer`] for `input` with about `n` curve samples (at least 2, plus the
/// current and threshold points).
///
/// `z`, `K`, the components and the verdict come from the kernel's fast path; the contributions
/// from [`contributions`]; `z* = logit(kill_threshold)`; the curve is [`sigmoid`] over
/// `[min(0, z, z*) − 3, max(0, z, z*) + 3]`.
///
/// ```
/// use harvest_features::charts::kill_explainer;
/// use harvest_kernel::HarvestInput;
/// let k = kill_explainer(&HarvestInput::default(), 64);
/// let sum: f64 = k.components.iter().map(|c| c.contribution).sum();
/// assert!((sum - k.z).abs() < 1e-12);
/// assert!(k.curve.contains(&(k.z, k.k)));
/// ```
pub fn kill_explainer(input: &HarvestInput, n: usize) -> KillExplainer {
    let theta = input.theta.unwrap_or_default();
    let e = input.evaluate();
    let c = contributions(&e.k, &theta);
    let raw = [
        e.k.regime_flip,
        e.k.sigma_spike,
        e.k.ts_drop,
        e.k.age_penalty,
    ];
    let weights = [
        theta.k_regime_flip,
        theta.k_sigma_spike,
        theta.k_ts_drop,
        theta.k_age_penalty,
    ];
    const KEYS: [(&str, &str); 4] = [
        ("regime_flip", "regime flip"),
        ("sigma_spike", "σ spike"),
        ("ts_drop", "TS drop"),
        ("age_penalty", "age"),
    ];
    let components = std::array::from_fn(|i| KillComponent {
        key: KEYS[i].0,
        label: KEYS[i].1,
        raw: raw[i],
        weight: weights[i],
        contribution: c[i],
    });
    let threshold = theta.kill_threshold;
    let z_threshold = logit(threshold);
    let finite = |v: f64| v.is_finite().then_some(v);
    let anchors: Vec<f64> = [finite(e.z), finite(z_threshold)]
        .into_iter()
        .flatten()
        .collect();
    // z ≥ 0 for a valid theta; 0 stays in view so the stacked contributions start on screen.
    let lo = anchors.iter().copied().fold(0.0_f64, f64::min) - 3.0;
    let hi = anchors.iter().copied().fold(0.0_f64, f64::max) + 3.0;
    let z_range = sane_range((lo, hi), (-4.0, 4.0));
    let mut curve: Vec<(f64, f64)> = linspace(z_range.0, z_range.1, n)
        .chain(anchors.iter().copied())
        .map(|z| (z, sigmoid(z)))
        .collect();
    crate::sort::sort_by(&mut curve, |a, b| a.0.total_cmp(&b.0));
    curve.dedup_by(|a, b| a.0 == b.0);
    KillExplainer {
        components,
        z: e.z,
        k: e.kill_score,
        threshold,
        z_threshold,
        margin_k: threshold - e.kill_score,
        margin_z: z_threshold - e.z,
        killed: e.killed,
        z_range,
        curve,
    }
}

// ---------------------------------------------------------------------------------------------
// R ladder.

/// One band of the R ladder: R_net in `[lo, hi)` gives `action` (from the cascade alone).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RBand {
    /// Lower edge (inclusive), clipped to the visible range.
    pub lo: f64,
    /// Upper edge (exclusive), clipped to the visible range.
    pub hi: f64,
    /// The cascade's action in this band.
    pub action: HarvestAction,
}

/// R_net against the tranche triggers `T1_R < T2_R < T3_R` and the profit-lock line `lock_R`.
#[derive(Debug, Clone, PartialEq)]
pub struct RLadder {
    /// The cost-aware risk multiple.
    pub r_net: f64,
    /// `T1_R`, `T2_R`, `T3_R`.
    pub triggers: [f64; 3],
    /// `lock_R`.
    pub lock_r: f64,
    /// Visible R range: holds 0, every trigger, `lock_R` and R_net, with padding.
    pub range: (f64, f64),
    /// NONE / 25 % / 50 % / 75 % bands clipped to `range` (empty bands dropped).
    pub bands: Vec<RBand>,
    /// The cascade's action (what the partial would be without the kill score).
    pub harvest: HarvestAction,
    /// The final action (FULL_CLOSE_PROPOSED when K triggered).
    pub action: HarvestAction,
    /// `R_net ≥ lock_R`.
    pub lock_reached: bool,
    /// The next trigger above R_net and the R still needed to reach it, if any.
    pub next: Option<(HarvestAction, f64)>,
}

impl RLadder {
    /// `"R_net 2.45 → PARTIAL_25"`, with `" (K: FULL_CLOSE_PROPOSED)"` when the kill score
    /// overrides the partial.
    ///
    /// ```
    /// use harvest_features::charts::r_ladder;
    /// use harvest_kernel::{HarvestInput, Position};
    /// let mut input = HarvestInput::default();
    /// input.position.unrealized_pnl = 5.0;
    /// assert_eq!(r_ladder(&input).headline(), "R_net 2.45 → PARTIAL_25");
    /// ```
    pub fn headline(&self) -> String {
        let mut s = format!("R_net {} → {}", fmt_r(self.r_net), self.harvest);
        if self.action != self.harvest {
            s.push_str(&format!(" (K: {})", self.action));
        }
        s
    }

    /// The headline the chart prints (and reads out): [`headline`](Self::headline) and, unless
    /// the kill score closes everything, how far R_net is from the next tranche. A distance that
    /// rounds to 0 is still one: R_net (4.1 − 0.1) / 2 = 1.9999999999999998 is below T1_R 2, so
    /// it reads "< 0.01 R", not "0 R".
    ///
    /// ```
    /// use harvest_features::charts::r_ladder;
    /// use harvest_kernel::{HarvestInput, P1Proposal};
    /// let mut input = HarvestInput::default();
    /// input.p1_proposal = Some(P1Proposal::default());
    /// input.position.unrealized_pnl = 1.0;
    /// assert_eq!(r_ladder(&input).full_headline(), "R_net 0.45 → NONE · 25 % in 1.55 R");
    /// input.position.unrealized_pnl = 4.1;
    /// assert_eq!(r_ladder(&input).full_headline(), "R_net 2 → NONE · 25 % in < 0.01 R");
    /// ```
    pub fn full_headline(&self) -> String {
        let mut s = self.headline();
        if let (Some((a, d)), false) = (self.next, self.action == HarvestAction::FullCloseProposed)
        {
            let dist = fmt_r(d);
            let dist = if d > 0.0 && dist == "0" {
                "< 0.01"
            } else {
                &dist
            };
            s.push_str(&format!(" · {} in {dist} R", super::theme::action_short(a)));
        }
        s
    }
}

/// Builds the [`RLadder`] for `input` (R_net and the action from the kernel's fast path).
///
/// The visible range is `[min(0, T1, lock_R, R_net), max(T3, lock_R, R_net)]` padded by
/// `max(8 %, 0.5 R)` each side, so R_net is always visible.
///
/// ```
/// use harvest_features::charts::r_ladder;
/// use harvest_kernel::HarvestInput;
/// let mut input = HarvestInput::default();
/// input.position.unrealized_pnl = 40.0; // R_net 19.95
/// let l = r_ladder(&input);
/// assert!(l.range.0 < l.r_net && l.r_net < l.range.1);
/// ```
pub fn r_ladder(input: &HarvestInput) -> RLadder {
    let theta = input.theta.unwrap_or_default();
    let e = input.evaluate();
    let triggers = [theta.t1_r, theta.t2_r, theta.t3_r];
    let lock_r = theta.lock_r;
    let mut lo = 0.0_f64;
    let mut hi = 1.0_f64;
    for v in triggers.into_iter().chain([lock_r, e.r_net]) {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    let range = sane_range((lo - pad, hi + pad), (-1.0, 7.0));
    let edges = [range.0, triggers[0], triggers[1], triggers[2], range.1];
    let bands = (0..4)
        .filter_map(|i| {
            let lo = edges[i].max(range.0);
            let hi = edges[i + 1].min(range.1);
            (hi > lo).then_some(RBand {
                lo,
                hi,
                action: HarvestAction::ALL[i],
            })
        })
        .collect();
    let next = triggers
        .iter()
        .enumerate()
        .find(|(_, &t)| e.r_net < t)
        .map(|(i, &t)| (HarvestAction::ALL[i + 1], t - e.r_net));
    RLadder {
        r_net: e.r_net,
        triggers,
        lock_r,
        range,
        bands,
        harvest: e.harvest,
        action: e.action,
        lock_reached: e.r_net >= lock_r,
        next,
    }
}

// ---------------------------------------------------------------------------------------------
// Stop ladder.

/// What a price level on the stop ladder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelKind {
    /// The entry price.
    Entry,
    /// The current stop.
    CurrentSl,
    /// The stop the kernel proposes (the BE+ level, only ever tightening).
    ProposedSl,
    /// The break-even-plus level, proposed or not.
    BePlus,
    /// The mark price implied by the PnL ([`Position::implied_price`](harvest_kernel::Position::implied_price)).
    Mark,
}

impl LevelKind {
    /// Short label: `entry`, `SL`, `new SL`, `BE+`, `mark`.
    pub fn label(self) -> &'static str {
        match self {
            LevelKind::Entry => "entry",
            LevelKind::CurrentSl => "SL",
            LevelKind::ProposedSl => "new SL",
            LevelKind::BePlus => "BE+",
            LevelKind::Mark => "mark",
        }
    }
}

/// One level on the price axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceLevel {
    /// What it is.
    pub kind: LevelKind,
    /// The price.
    pub price: f64,
}

impl PriceLevel {
    /// `"BE+ 100.2"`.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind.label(), fmt_price(self.price))
    }
}

/// The stop move: from the current stop to the proposed one. The kernel only ever tightens, so
/// for LONG `to > from` and for SHORT `to < from`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopArrow {
    /// The current stop.
    pub from: f64,
    /// The proposed stop.
    pub to: f64,
}

impl StopArrow {
    /// Whether the arrow points up the price axis (`to > from`; LONG).
    pub fn rises(&self) -> bool {
        self.to > self.from
    }

    /// `"99 → 100.2"`.
    pub fn label(&self) -> String {
        format!("{} → {}", fmt_price(self.from), fmt_price(self.to))
    }
}

/// Entry, stops, BE+ and mark on one price axis, and the stop move.
#[derive(Debug, Clone, PartialEq)]
pub struct StopLadder {
    /// LONG or SHORT.
    pub side: Side,
    /// Entry price.
    pub entry: f64,
    /// Mark price implied by the PnL.
    pub mark: f64,
    /// The current stop, if any.
    pub current_sl: Option<f64>,
    /// The proposed stop, if any.
    pub proposed_sl: Option<f64>,
    /// The BE+ level (proposed or not).
    pub be_plus: f64,
    /// R_net.
    pub r_net: f64,
    /// `lock_R`.
    pub lock_r: f64,
    /// Every finite level, sorted by price (ascending).
    pub levels: Vec<PriceLevel>,
    /// The move from the current stop to the proposed one; `None` when nothing is proposed or
    /// there is no current stop to move from.
    pub arrow: Option<StopArrow>,
    /// Visible price range: every level with 10 % padding (at least 0.1 % of entry).
    pub range: (f64, f64),
}

impl StopLadder {
    /// `"LONG · SL 99 → 100.2"`, `"LONG · new SL 100.2"`, or
    /// `"LONG · SL stays 99 (BE+ 100.2 at R_net ≥ 1.5)"`.
    pub fn headline(&self) -> String {
        let side = self.side.as_str();
        match (self.arrow, self.proposed_sl, self.current_sl) {
            (Some(a), _, _) => format!("{side} · SL {}", a.label()),
            (None, Some(p), _) => format!("{side} · new SL {}", fmt_price(p)),
            (None, None, Some(sl)) if self.r_net >= self.lock_r => format!(
                "{side} · SL stays {} (BE+ {} would not tighten)",
                fmt_price(sl),
                fmt_price(self.be_plus)
            ),
            (None, None, Some(sl)) => format!(
                "{side} · SL stays {} (BE+ {} at R_net ≥ {})",
                fmt_price(sl),
                fmt_price(self.be_plus),
                fmt_r(self.lock_r)
            ),
            (None, None, None) => format!(
                "{side} · no SL (BE+ {} at R_net ≥ {})",
                fmt_price(self.be_plus),
                fmt_r(self.lock_r)
            ),
        }
    }
}

/// Builds the [`StopLadder`] for `input`: the proposed stop and BE+ level from the kernel's fast
/// path, the mark from [`Position::implied_price`](harvest_kernel::Position::implied_price).
///
/// ```
/// use harvest_features::charts::stop_ladder;
/// use harvest_kernel::HarvestInput;
/// let mut input = HarvestInput::default();
/// input.position.unrealized_pnl = 5.0; // R_net 2.45 ≥ lock_R
/// let s = stop_ladder(&input);
/// assert_eq!(s.arrow.unwrap().label(), "99 → 100.2");
/// assert!(s.arrow.unwrap().rises());
/// ```
pub fn stop_ladder(input: &HarvestInput) -> StopLadder {
    let theta = input.theta.unwrap_or_default();
    let e = input.evaluate();
    let pos = &input.position;
    let mark = pos.implied_price();
    let mut levels = vec![
        PriceLevel {
            kind: LevelKind::Entry,
            price: pos.entry_price,
        },
        PriceLevel {
            kind: LevelKind::BePlus,
            price: e.be_level,
        },
        PriceLevel {
            kind: LevelKind::Mark,
            price: mark,
        },
    ];
    if let Some(sl) = pos.current_sl {
        levels.push(PriceLevel {
            kind: LevelKind::CurrentSl,
            price: sl,
        });
    }
    if let Some(sl) = e.new_sl {
        levels.push(PriceLevel {
            kind: LevelKind::ProposedSl,
            price: sl,
        });
    }
    levels.retain(|l| l.price.is_finite());
    crate::sort::sort_by(&mut levels, |a, b| a.price.total_cmp(&b.price));
    let (lo, hi) = levels
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), l| {
            (lo.min(l.price), hi.max(l.price))
        });
    let entry_pad = if pos.entry_price.is_finite() {
        pos.entry_price.abs() * 0.001
    } else {
        0.0
    };
    let pad = ((hi - lo) * 0.1).max(entry_pad);
    let range = sane_range((lo - pad, hi + pad), (0.0, 1.0));
    let arrow = match (pos.current_sl, e.new_sl) {
        (Some(from), Some(to)) if from.is_finite() && to.is_finite() => {
            Some(StopArrow { from, to })
        }
        _ => None,
    };
    StopLadder {
        side: pos.side,
        entry: pos.entry_price,
        mark,
        current_sl: pos.current_sl,
        proposed_sl: e.new_sl,
        be_plus: e.be_level,
        r_net: e.r_net,
        lock_r: theta.lock_r,
        levels,
        arrow,
        range,
    }
}

// ---------------------------------------------------------------------------------------------
// Sensitivity curves.

/// The thresholds a chart draws as lines (read from the input's theta).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// `kill_threshold` (on K).
    pub kill: f64,
    /// `T1_R`, `T2_R`, `T3_R` (on R_net).
    pub triggers: [f64; 3],
    /// `lock_R` (on R_net).
    pub lock_r: f64,
}

impl Thresholds {
    /// The thresholds of `theta`.
    pub fn of(theta: &Theta) -> Thresholds {
        Thresholds {
            kill: theta.kill_threshold,
            triggers: [theta.t1_r, theta.t2_r, theta.t3_r],
            lock_r: theta.lock_r,
        }
    }
}

/// One sample of a sensitivity curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensPoint {
    /// The axis value.
    pub x: f64,
    /// Kill score at `x`.
    pub k: f64,
    /// R_net at `x`.
    pub r_net: f64,
    /// Final action at `x`.
    pub action: HarvestAction,
}

/// K and R_net as a function of one input, the others fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityCurve {
    /// The input that varies.
    pub axis: Axis,
    /// The swept range ([`Axis::domain`]).
    pub domain: (f64, f64),
    /// The current sample (exact current value, K, R_net, action).
    pub current: SensPoint,
    /// Samples sorted by x, including the current one.
    pub points: Vec<SensPoint>,
    /// Thresholds at the current input.
    pub thresholds: Thresholds,
    /// Whether K changes along the axis (by more than 1e-9).
    pub k_varies: bool,
    /// Whether R_net changes along the axis (by more than 1e-9).
    pub r_varies: bool,
}

impl SensitivityCurve {
    /// The x values where the action changes between consecutive samples, with the actions on
    /// either side (midpoints between samples: a chart-resolution flip, not the kernel's exact
    /// [`flip_along`](harvest_kernel::flip_along)).
    pub fn action_changes(&self) -> Vec<(f64, HarvestAction, HarvestAction)> {
        self.points
            .windows(2)
            .filter(|w| w[0].action != w[1].action)
            .map(|w| ((w[0].x + w[1].x) / 2.0, w[0].action, w[1].action))
            .collect()
    }
}

/// All five input curves ([`Axis::INPUTS`]) for the small multiples.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// One curve per input, in [`Axis::INPUTS`] order.
    pub curves: Vec<SensitivityCurve>,
}

/// K and R_net along `axis` over [`Axis::domain`] with `n` samples (at least 2) plus the current
/// value, every other input fixed; each sample is the kernel's fast path on a copy of `input`
/// with only that axis [`Axis::set`].
///
/// ```
/// use harvest_features::charts::sensitivity_curve;
/// use harvest_kernel::{Axis, HarvestInput};
/// let c = sensitivity_curve(&HarvestInput::default(), Axis::Sigma, 50);
/// assert!(c.k_varies && !c.r_varies);
/// assert!(c.points.windows(2).all(|w| w[1].k >= w[0].k)); // K(σ) never falls
/// ```
pub fn sensitivity_curve(input: &HarvestInput, axis: Axis, n: usize) -> SensitivityCurve {
    let theta = input.theta.unwrap_or_default();
    let domain = sane_range(domain(axis, input), (0.0, 1.0));
    let base_ms = input.market_state;
    let mut probe = input.clone();
    let mut sample = |x: f64| {
        probe.market_state = base_ms;
        axis.set(&mut probe, x);
        let e = probe.evaluate();
        SensPoint {
            x,
            k: e.kill_score,
            r_net: e.r_net,
            action: e.action,
        }
    };
    let cur_x = axis.get(input);
    let current = sample(cur_x);
    let mut points: Vec<SensPoint> = linspace(domain.0, domain.1, n).map(&mut sample).collect();
    if cur_x.is_finite() {
        points.push(current);
        crate::sort::sort_by(&mut points, |a, b| a.x.total_cmp(&b.x));
        points.dedup_by(|a, b| a.x == b.x);
    }
    let spread = |f: fn(&SensPoint) -> f64| {
        let (lo, hi) = points
            .iter()
            .map(f)
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        hi - lo > 1e-9
    };
    let k_varies = spread(|p| p.k);
    let r_varies = spread(|p| p.r_net);
    SensitivityCurve {
        axis,
        domain,
        current,
        points,
        thresholds: Thresholds::of(&theta),
        k_varies,
        r_varies,
    }
}

/// [`sensitivity_curve`] for each of [`Axis::INPUTS`] (PnL, p_trend, σ, TS, age).
pub fn sensitivity(input: &HarvestInput, n: usize) -> Sensitivity {
    Sensitivity {
        curves: Axis::INPUTS
            .into_iter()
            .map(|a| sensitivity_curve(input, a, n))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Action map.

/// Largest grid side [`action_map`] computes (larger requests are clamped).
pub const MAX_GRID: usize = 1024;

/// Which two axes, which ranges, how many cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionMapSpec {
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// Horizontal range `(lo, hi)`.
    pub x_range: (f64, f64),
    /// Vertical range `(lo, hi)`.
    pub y_range: (f64, f64),
    /// Columns (clamped to `2..=MAX_GRID`).
    pub nx: usize,
    /// Rows (clamped to `2..=MAX_GRID`).
    pub ny: usize,
}

impl ActionMapSpec {
    /// A spec over both axes' [`Axis::domain`] around `input`.
    ///
    /// ```
    /// use harvest_features::charts::ActionMapSpec;
    /// use harvest_kernel::{Axis, HarvestInput};
    /// let s = ActionMapSpec::around(&HarvestInput::default(), Axis::Sigma, Axis::AgeSec, 100, 100);
    /// assert_eq!(s.x_range.0, 0.0);
    /// ```
    pub fn around(input: &HarvestInput, x: Axis, y: Axis, nx: usize, ny: usize) -> ActionMapSpec {
        ActionMapSpec {
            x,
            y,
            x_range: domain(x, input),
            y_range: domain(y, input),
            nx,
            ny,
        }
        .sanitized(input)
    }

    /// Ranges made finite, ordered and non-degenerate (falling back to the axis domain), grid
    /// sides clamped to `2..=MAX_GRID`.
    pub fn sanitized(self, input: &HarvestInput) -> ActionMapSpec {
        ActionMapSpec {
            x_range: sane_range(self.x_range, domain(self.x, input)),
            y_range: sane_range(self.y_range, domain(self.y, input)),
            nx: self.nx.clamp(2, MAX_GRID),
            ny: self.ny.clamp(2, MAX_GRID),
            ..self
        }
    }

    /// The x of column `i`'s centre: `x_lo + (i + ½)·(x_hi − x_lo)/nx`.
    #[inline]
    pub fn x_at(&self, i: usize) -> f64 {
        self.x_range.0 + (i as f64 + 0.5) * (self.x_range.1 - self.x_range.0) / self.nx as f64
    }

    /// The y of row `j`'s centre (row 0 is the bottom, `y_lo`).
    #[inline]
    pub fn y_at(&self, j: usize) -> f64 {
        self.y_range.0 + (j as f64 + 0.5) * (self.y_range.1 - self.y_range.0) / self.ny as f64
    }
}

/// One cell of the action map, evaluated at its centre.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MapCell {
    /// Final action.
    pub action: HarvestAction,
    /// R_net.
    pub r_net: f64,
    /// Kill score K.
    pub k: f64,
}

/// A straight piece of a contour line, in data coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContourSegment {
    /// One end `(x, y)`.
    pub a: (f64, f64),
    /// The other end `(x, y)`.
    pub b: (f64, f64),
}

/// The action over a grid of two inputs, the `K = kill_threshold` boundary and the current point.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionMap {
    /// The grid (sanitized).
    pub spec: ActionMapSpec,
    /// `nx·ny` cells, row-major from the bottom row: cell `(i, j)` is `cells[j·nx + i]`, at
    /// `(spec.x_at(i), spec.y_at(j))`.
    pub cells: Vec<MapCell>,
    /// The input's own `(x, y)`.
    pub current: (f64, f64),
    /// The action at the input itself.
    pub current_action: HarvestAction,
    /// `kill_threshold` of the input.
    pub threshold: f64,
    /// Marching-squares segments of `K − kill_threshold = 0` between cell centres.
    pub contour: Vec<ContourSegment>,
    /// Number of cells per action, in [`HarvestAction::ALL`] order.
    pub counts: [usize; 5],
}

impl ActionMap {
    /// Cell `(i, j)` (column `i` from the left, row `j` from the bottom), if inside the grid.
    pub fn cell(&self, i: usize, j: usize) -> Option<&MapCell> {
        (i < self.spec.nx && j < self.spec.ny)
            .then(|| self.cells.get(j * self.spec.nx + i))
            .flatten()
    }

    /// An empty map (no cells), to be filled by [`action_map_into`].
    pub fn empty() -> ActionMap {
        ActionMap {
            spec: ActionMapSpec {
                x: Axis::Sigma,
                y: Axis::AgeSec,
                x_range: (0.0, 1.0),
                y_range: (0.0, 1.0),
                nx: 0,
                ny: 0,
            },
            cells: Vec::new(),
            current: (f64::NAN, f64::NAN),
            current_action: HarvestAction::None,
            threshold: f64::NAN,
            contour: Vec::new(),
            counts: [0; 5],
        }
    }
}

/// Computes the action map of `input` over `spec` (sanitized first).
///
/// Cell `(i, j)` is the kernel's fast path on `input` with `spec.y` set to `y_at(j)` and then
/// `spec.x` set to `x_at(i)` (the market state is restored before each cell, so p_trend's
/// rebalancing never accumulates). One clone of `input` is mutated in place: the only allocations
/// are the output vectors.
///
/// ```
/// use harvest_features::charts::{action_map, ActionMapSpec};
/// use harvest_kernel::{Axis, HarvestInput};
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::Sigma, Axis::AgeSec, 100, 100));
/// assert_eq!(map.cells.len(), 100 * 100);
/// assert!(!map.contour.is_empty()); // K crosses 0.6 somewhere in σ × age
/// ```
pub fn action_map(input: &HarvestInput, spec: ActionMapSpec) -> ActionMap {
    let mut map = ActionMap::empty();
    action_map_into(input, spec, &mut map);
    map
}

/// [`action_map`] into an existing map, reusing its buffers (no allocation once they are large
/// enough): the per-frame path for a slider drag.
pub fn action_map_into(input: &HarvestInput, spec: ActionMapSpec, out: &mut ActionMap) {
    let spec = spec.sanitized(input);
    let (nx, ny) = (spec.nx, spec.ny);
    let base_ms = input.market_state;
    let mut probe = input.clone();
    out.cells.clear();
    out.cells.reserve(nx * ny);
    let mut counts = [0usize; 5];
    for j in 0..ny {
        let y = spec.y_at(j);
        for i in 0..nx {
            probe.market_state = base_ms;
            spec.y.set(&mut probe, y);
            spec.x.set(&mut probe, spec.x_at(i));
            let e = probe.evaluate();
            counts[action_index(e.action)] += 1;
            out.cells.push(MapCell {
                action: e.action,
                r_net: e.r_net,
                k: e.kill_score,
            });
        }
    }
    let theta = input.theta.unwrap_or_default();
    out.threshold = theta.kill_threshold;
    out.current = (spec.x.get(input), spec.y.get(input));
    out.current_action = input.evaluate().action;
    out.counts = counts;
    out.spec = spec;
    kill_contour_into(&spec, &out.cells, out.threshold, &mut out.contour);
}

/// Marching squares on `f = K − threshold` sampled at the cell centres of `spec`: one or two
/// segments per 2×2 block whose corners straddle 0, each end linearly interpolated on a block edge.
/// Saddles are resolved by the block's mean. `cells` is row-major from the bottom row, as in
/// [`ActionMap::cells`]; a length mismatch gives no segments.
///
/// ```
/// use harvest_features::charts::{kill_contour, ActionMapSpec, MapCell};
/// use harvest_kernel::Axis;
/// let spec = ActionMapSpec { x: Axis::Sigma, y: Axis::Ts, x_range: (0.0, 2.0), y_range: (0.0, 2.0), nx: 2, ny: 2 };
/// let cell = |k| MapCell { k, ..MapCell::default() };
/// // K rises left → right across 0.6: one vertical segment at x = 1.
/// let segs = kill_contour(&spec, &[cell(0.5), cell(0.7), cell(0.5), cell(0.7)], 0.6);
/// assert_eq!(segs.len(), 1);
/// assert!((segs[0].a.0 - 1.0).abs() < 1e-12 && (segs[0].b.0 - 1.0).abs() < 1e-12);
/// ```
pub fn kill_contour(
    spec: &ActionMapSpec,
    cells: &[MapCell],
    threshold: f64,
) -> Vec<ContourSegment> {
    let mut out = Vec::new();
    kill_contour_into(spec, cells, threshold, &mut out);
    out
}

fn kill_contour_into(
    spec: &ActionMapSpec,
    cells: &[MapCell],
    threshold: f64,
    out: &mut Vec<ContourSegment>,
) {
    out.clear();
    let (nx, ny) = (spec.nx, spec.ny);
    if nx < 2 || ny < 2 || cells.len() != nx * ny || !threshold.is_finite() {
        return;
    }
    let f = |i: usize, j: usize| cells[j * nx + i].k - threshold;
    let inside = |v: f64| v >= 0.0;
    for j in 0..ny - 1 {
        let (y0, y1) = (spec.y_at(j), spec.y_at(j + 1));
        for i in 0..nx - 1 {
            let (x0, x1) = (spec.x_at(i), spec.x_at(i + 1));
            // Corners: 0 bottom-left, 1 bottom-right, 2 top-right, 3 top-left.
            let v = [f(i, j), f(i + 1, j), f(i + 1, j + 1), f(i, j + 1)];
            let s = v.map(inside);
            if s.iter().all(|&b| b == s[0]) {
                continue;
            }
            let p = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
            // Edge e joins corners e and (e+1)%4: 0 bottom, 1 right, 2 top, 3 left.
            let cross = |e: usize| -> Option<(f64, f64)> {
                let (a, b) = (e, (e + 1) % 4);
                if s[a] == s[b] {
                    return None;
                }
                let t = v[a] / (v[a] - v[b]);
                let t = if t.is_finite() {
                    t.clamp(0.0, 1.0)
                } else {
                    0.5
                };
                Some((
                    p[a].0 + t * (p[b].0 - p[a].0),
                    p[a].1 + t * (p[b].1 - p[a].1),
                ))
            };
            let edges: [Option<(f64, f64)>; 4] = std::array::from_fn(cross);
            let n = edges.iter().filter(|e| e.is_some()).count();
            let mut push = |a: Option<(f64, f64)>, b: Option<(f64, f64)>| {
                if let (Some(a), Some(b)) = (a, b) {
                    out.push(ContourSegment { a, b });
                }
            };
            if n == 2 {
                let mut it = edges.iter().flatten();
                let (a, b) = (it.next().copied(), it.next().copied());
                push(a, b);
            } else if n == 4 {
                // Saddle: cut off the corners whose side differs from the centre's.
                let centre = inside((v[0] + v[1] + v[2] + v[3]) / 4.0);
                for c in 0..4 {
                    if s[c] != centre {
                        // Corner c lies between edge (c+3)%4 and edge c.
                        push(edges[(c + 3) % 4], edges[c]);
                    }
                }
            }
        }
    }
}

/// The RGBA pixel buffer of the map, one pixel per cell coloured by action (`palette` in
/// [`HarvestAction::ALL`] order, e.g. [`ChartTheme::actions`](super::ChartTheme::actions)),
/// row 0 at the top (the highest y), ready for `ImageData`: length `4·nx·ny`.
///
/// ```
/// use harvest_features::charts::{action_map, action_map_rgba, ActionMapSpec, ChartTheme};
/// use harvest_kernel::{Axis, HarvestInput};
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::Pnl, Axis::Sigma, 40, 30));
/// assert_eq!(action_map_rgba(&map, &ChartTheme::light().actions).len(), 4 * 40 * 30);
/// ```
pub fn action_map_rgba(map: &ActionMap, palette: &[Rgb; 5]) -> Vec<u8> {
    let mut out = Vec::new();
    fill_action_map_rgba(map, palette, &mut out);
    out
}

/// [`action_map_rgba`] into an existing buffer (resized to `4·nx·ny`, no allocation once large
/// enough).
pub fn fill_action_map_rgba(map: &ActionMap, palette: &[Rgb; 5], out: &mut Vec<u8>) {
    let (nx, ny) = (map.spec.nx, map.spec.ny);
    out.clear();
    if map.cells.len() != nx * ny {
        return;
    }
    out.reserve(4 * nx * ny);
    let px = palette.map(Rgb::rgba);
    for j in (0..ny).rev() {
        for cell in &map.cells[j * nx..(j + 1) * nx] {
            out.extend_from_slice(&px[action_index(cell.action)]);
        }
    }
}
