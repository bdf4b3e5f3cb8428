//! The kill-score explainer: z as the sum of the four weighted kill components, the sigmoid
//! `K(z) = 1/(1+e^−z)` around it, the current point and the threshold `K = kill_threshold` (at
//! `z* = logit(kill_threshold)`) ([`kill_explainer`], [`draw_kill_explainer`]).
//!
//! Nothing here re-implements a kernel formula: z, K and the components come from
//! [`HarvestInput::evaluate`], the contributions from [`contributions`], the curve from
//! [`sigmoid`] and [`logit`].

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, circle, clamp_to, color, fill, finite2, font, headline, linspace, path, rect,
    steady_range, stroke, text, text_style, text_width, Area, Axes, DrawResult, Plot, TickText,
};
use super::theme::{ChartTheme, Rgb};
use crate::format::{fmt_k, fmt_tick};
use harvest_kernel::{contributions, logit, sigmoid, HarvestInput};

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
    kill_explainer_within(input, n, None)
}

/// [`kill_explainer`] with its z range steadied against the range shown before
/// ([`steady_range`]): the axis does not move with every step of a drag.
pub fn kill_explainer_within(
    input: &HarvestInput,
    n: usize,
    prev: Option<(f64, f64)>,
) -> KillExplainer {
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
    let lo = anchors.iter().copied().fold(0.0_f64, f64::min);
    let hi = anchors.iter().copied().fold(0.0_f64, f64::max);
    let z_range = steady_range(prev, (lo, hi), 3.0, (-4.0, 4.0));
    let mut curve: Vec<(f64, f64)> = linspace(z_range.0, z_range.1, n)
        .chain(anchors.iter().copied())
        .map(|z| (z, sigmoid(z)))
        .collect();
    curve.sort_by(|a, b| a.0.total_cmp(&b.0));
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

/// Draws the kill-score explainer: the sigmoid `K(z)`, the threshold lines `K = kill_threshold`
/// and `z = z*` with the FULL CLOSE region shaded, the current point `(z, K)`, the stacked weighted
/// contributions along the z axis (from 0 to z) and a legend `component raw × weight = z part`.
/// Headline: [`KillExplainer::headline`].
///
/// # Errors
/// Whatever the backend reports.
///
/// ```
/// use harvest_features::charts::{draw_kill_explainer, kill_explainer, ChartTheme};
/// use harvest_kernel::HarvestInput;
/// use plotters::prelude::*;
/// let mut svg = String::new();
/// {
///     let root = SVGBackend::with_string(&mut svg, (480, 220)).into_drawing_area();
///     draw_kill_explainer(&root, &kill_explainer(&HarvestInput::default(), 96), &ChartTheme::dark())
///         .unwrap();
/// }
/// assert!(svg.contains("z* 0.405"));
/// ```
pub fn draw_kill_explainer<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &KillExplainer,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    begin(area, theme)?;
    let state = theme.ink(data.killed);
    headline(area, &data.headline(), theme, state)?;
    let (zlo, zhi) = data.z_range;
    let plot = Plot::on(area, [26, 12, 4, 4], (34, 38), (zlo, zhi), (0.0, 1.0));
    plot.axes(
        area,
        theme,
        &Axes {
            x_desc: "z = Σ weight · component (kill logit)",
            y_desc: "K = 1/(1+e^−z)",
            x_ticks: 8,
            y_ticks: 6,
            x_grid: true,
            y_grid: true,
            y_text: TickText::Compact,
        },
    )?;

    let zs = data.z_threshold;
    let thr = data.threshold;
    let small = theme.font_size - 1.0;
    // The region where a full close is proposed.
    if zs.is_finite() && zs < zhi {
        let x0 = zs.max(zlo);
        plot.rect(
            area,
            (x0, 0.0),
            (zhi, 1.0),
            color(theme.danger).mix(0.08).filled(),
        )?;
    }
    let dstyle = stroke(theme.danger, 1);
    if thr.is_finite() {
        plot.dashed(area, (zlo, thr), (zhi, thr), dstyle)?;
        plot.label(
            area,
            (zlo, thr),
            (4, -3),
            &format!("K ≥ {} → FULL CLOSE", fmt_k(thr)),
            &font(theme, small, theme.danger, HPos::Left, VPos::Bottom),
        )?;
    }
    if zs.is_finite() {
        plot.dashed(area, (zs, 0.0), (zs, 1.0), dstyle)?;
        plot.label(
            area,
            (zs, 1.0),
            (-4, 4),
            &format!("z* {}", fmt_tick(zs)),
            &font(theme, small, theme.danger, HPos::Right, VPos::Top),
        )?;
    }

    // Stacked contributions from z = 0: z is their sum.
    let (b0, b1) = (0.025, 0.085);
    let mut start = 0.0_f64;
    for (i, c) in data.components.iter().enumerate() {
        let w = c.contribution;
        if w.is_finite() && w != 0.0 {
            let (a, b) = (clamp_to(start, (zlo, zhi)), clamp_to(start + w, (zlo, zhi)));
            plot.rect(area, (a, b0), (b, b1), fill(theme.components[i]))?;
            start += w;
        }
    }

    // The curve, then the current point with a drop line to the bar.
    path(
        area,
        data.curve
            .iter()
            .filter(|p| finite2(**p))
            .map(|&p| plot.at(p))
            .collect(),
        stroke(theme.accent, 2),
    )?;
    let cur = (data.z, data.k);
    if finite2(cur) {
        plot.dashed(area, (data.z, b1), cur, stroke(theme.muted, 1))?;
        let c = plot.at(cur);
        circle(area, c, 5, fill(state))?;
        circle(area, c, 7, stroke(theme.background, 2))?;
        plot.label(
            area,
            cur,
            (-9, -6),
            &format!("K {}", fmt_k(data.k)),
            &text_style(theme, state, HPos::Right, VPos::Bottom),
        )?;
    }

    // Legend, bottom-right, where the curve is above it (K ≥ 0.5 on the last 3 units of z):
    // `component raw × weight = part` when it fits there, else `component part`.
    let right = plot.r - 6;
    let line_h = (theme.font_size + 3.0) as i32;
    let bottom = plot.b - 22;
    let px_per_z = f64::from(plot.r - plot.l) / (zhi - zlo);
    // The legend's top edge as K; the curve is above it from z = logit(K_top) on.
    let legend_top = bottom - 4 * line_h - line_h / 2 - 2;
    let k_top = f64::from(plot.b - legend_top) / f64::from((plot.b - plot.t).max(1));
    let free_from = logit(k_top.clamp(0.01, 0.99)).max(zlo) + 6.0 / px_per_z;
    let room = (zhi - free_from) * px_per_z - 30.0;
    let legend = |verbose: bool| -> Vec<(Option<Rgb>, String)> {
        let head = if verbose {
            format!("z = {}, the sum of:", fmt_tick(data.z))
        } else {
            format!("z = {}", fmt_tick(data.z))
        };
        std::iter::once((None, head))
            .chain(data.components.iter().enumerate().map(|(i, c)| {
                let s = if verbose {
                    format!(
                        "{} {} × {} = {}",
                        c.label,
                        fmt_tick(c.raw),
                        fmt_tick(c.weight),
                        fmt_tick(c.contribution)
                    )
                } else {
                    format!("{} {}", c.label, fmt_tick(c.contribution))
                };
                (Some(theme.components[i]), s)
            }))
            .collect()
    };
    let widest = |rows: &[(Option<Rgb>, String)]| {
        rows.iter()
            .map(|(_, s)| text_width(s, small))
            .fold(0.0, f64::max)
    };
    let verbose = legend(true);
    let rows = if widest(&verbose) <= room {
        verbose
    } else {
        legend(false)
    };
    let n = rows.len() as i32;
    let widest = widest(&rows) as i32;
    rect(
        area,
        (
            right - 20 - widest,
            bottom - (n - 1) * line_h - line_h / 2 - 2,
        ),
        (right + 3, bottom + line_h / 2 + 2),
        color(theme.background).mix(0.85).filled(),
    )?;
    for (k, (swatch, s)) in rows.into_iter().enumerate() {
        let y = bottom - (n - 1 - k as i32) * line_h;
        let fg = if swatch.is_some() {
            theme.foreground
        } else {
            theme.muted
        };
        text(
            area,
            &s,
            (right - 14, y),
            &font(theme, small, fg, HPos::Right, VPos::Center),
        )?;
        if let Some(sw) = swatch {
            rect(area, (right - 9, y - 4), (right, y + 4), fill(sw))?;
        }
    }
    Ok(())
}
