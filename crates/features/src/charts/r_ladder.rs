//! The R ladder: R_net against the tranche triggers `T1_R < T2_R < T3_R` (the NONE / 25 % /
//! 50 % / 75 % bands of the cascade) and the profit-lock line `lock_R` ([`r_ladder`],
//! [`draw_r_ladder`]). R_net and the actions are the kernel's ([`HarvestInput::evaluate`]).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, clamp_to, fill, font, headline, polygon, spread_intervals, steady_range, stroke,
    text_width, Area, Axes, DrawResult, Plot, TickText,
};
use super::theme::{action_short, ChartTheme};
use crate::format::fmt_r;
use harvest_kernel::{HarvestAction, HarvestInput};

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
            s.push_str(&format!(" · {} in {dist} R", action_short(a)));
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
    r_ladder_within(input, None)
}

/// [`r_ladder`] with its range steadied against the range shown before ([`steady_range`]): the
/// axis does not move with every step of a drag.
///
/// ```
/// use harvest_features::charts::{r_ladder, r_ladder_within};
/// use harvest_kernel::HarvestInput;
/// let mut input = HarvestInput::default();
/// let start = r_ladder(&input).range;
/// input.position.unrealized_pnl = -1.0; // R_net below 0: the range widens, ahead of it
/// let widened = r_ladder_within(&input, Some(start)).range;
/// assert!(widened.0 < -2.0 && widened.0 < start.0);
/// input.position.unrealized_pnl = -2.0; // further down: the axis stays
/// assert_eq!(r_ladder_within(&input, Some(widened)).range, widened);
/// input.position.unrealized_pnl = 0.0; // back: still the same axis
/// assert_eq!(r_ladder_within(&input, Some(widened)).range, widened);
/// ```
pub fn r_ladder_within(input: &HarvestInput, prev: Option<(f64, f64)>) -> RLadder {
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
    let range = steady_range(prev, (lo, hi), pad, (-1.0, 7.0));
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

/// Draws the R ladder: the NONE / 25 % / 50 % / 75 % bands of the R_net cascade along an R axis,
/// the triggers `T1_R`, `T2_R`, `T3_R` (labelled with their values), the dashed `lock_R` line
/// and the R_net marker. Headline: [`RLadder::headline`] plus the distance to the next tranche.
///
/// # Errors
/// Whatever the backend reports.
///
/// ```
/// use harvest_features::charts::{draw_r_ladder, r_ladder, ChartTheme};
/// use harvest_kernel::HarvestInput;
/// use plotters::prelude::*;
/// let mut input = HarvestInput::default();
/// input.position.unrealized_pnl = 5.0;
/// let mut svg = String::new();
/// {
///     let root = SVGBackend::with_string(&mut svg, (480, 160)).into_drawing_area();
///     draw_r_ladder(&root, &r_ladder(&input), &ChartTheme::light()).unwrap();
/// }
/// assert!(svg.contains("R_net 2.45"));
/// ```
pub fn draw_r_ladder<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &RLadder,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    begin(area, theme)?;
    let killed = data.action == HarvestAction::FullCloseProposed;
    let head = data.full_headline();
    headline(area, &head, theme, theme.ink(killed))?;
    let (lo, hi) = data.range;
    let plot = Plot::on(area, [26, 14, 4, 14], (34, 0), (lo, hi), (0.0, 1.0));
    plot.axes(
        area,
        theme,
        &Axes {
            x_desc: "R_net (multiples of the risk unit R)",
            y_desc: "",
            x_ticks: 10,
            y_ticks: 0,
            x_grid: true,
            y_grid: false,
            y_text: TickText::Compact,
        },
    )?;

    let (b0, b1) = (0.34, 0.70);
    let px_per_r = f64::from(plot.r - plot.l) / (hi - lo);
    let fs = theme.font_size;
    for band in &data.bands {
        let band_color = theme.action_color(band.action);
        plot.rect(area, (band.lo, b0), (band.hi, b1), fill(band_color))?;
        let name = action_short(band.action);
        if (band.hi - band.lo) * px_per_r > text_width(name, fs) + 6.0 {
            plot.label(
                area,
                ((band.lo + band.hi) / 2.0, (b0 + b1) / 2.0),
                (0, 0),
                name,
                &font(theme, fs, band_color.ink_on(), HPos::Center, VPos::Center),
            )?;
        }
    }
    // Triggers, labelled above the bands.
    let trigger_label = font(theme, fs - 1.0, theme.muted, HPos::Center, VPos::Bottom);
    for (i, &t) in data.triggers.iter().enumerate() {
        if t.is_finite() && t >= lo && t <= hi {
            plot.line(
                area,
                (t, b0 - 0.06),
                (t, b1 + 0.06),
                stroke(theme.foreground, 1),
            )?;
            plot.label(
                area,
                (t, b1 + 0.08),
                (0, -2),
                &format!("T{} {}", i + 1, fmt_r(t)),
                &trigger_label,
            )?;
        }
    }
    // lock_R and the R_net marker share the bottom row: spread their labels.
    let lock_label = format!("lock {}", fmt_r(data.lock_r));
    let r_label = format!("R_net {}", fmt_r(data.r_net));
    let to_px = |v: f64| (v - lo) * px_per_r;
    let centres = [to_px(data.lock_r), to_px(clamp_to(data.r_net, (lo, hi)))];
    let halves = [
        text_width(&lock_label, fs - 1.0) / 2.0,
        text_width(&r_label, fs + 1.0) / 2.0,
    ];
    let spread = spread_intervals(&centres, &halves, 6.0, 0.0, f64::from(plot.r - plot.l));
    let from_px = |p: f64| lo + p / px_per_r;
    if data.lock_r.is_finite() && data.lock_r >= lo && data.lock_r <= hi {
        plot.dashed(
            area,
            (data.lock_r, 0.22),
            (data.lock_r, b1 + 0.04),
            stroke(theme.lock, 2),
        )?;
        plot.label(
            area,
            (from_px(spread[0]), 0.16),
            (0, 0),
            &lock_label,
            &font(theme, fs - 1.0, theme.lock, HPos::Center, VPos::Center),
        )?;
    }
    if data.r_net.is_finite() {
        let r = clamp_to(data.r_net, (lo, hi));
        let ink = theme.ink(killed);
        plot.line(area, (r, 0.24), (r, b1 + 0.02), stroke(ink, 3))?;
        if plot.inside((r, b1 + 0.02)) {
            let (x, y) = plot.map((r, b1 + 0.02));
            polygon(
                area,
                vec![(x, y), (x - 6, y - 9), (x + 6, y - 9)],
                fill(ink),
            )?;
        }
        plot.label(
            area,
            (from_px(spread[1]), 0.02),
            (0, 0),
            &r_label,
            &font(theme, fs + 1.0, ink, HPos::Center, VPos::Bottom),
        )?;
    }
    Ok(())
}
