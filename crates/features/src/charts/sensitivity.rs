//! Sensitivity small multiples: K (or R_net) as a function of each of the five inputs, the others
//! fixed, with the thresholds as lines and the action along the bottom ([`sensitivity`],
//! [`draw_sensitivity`]). Every sample is the kernel's fast path on a copy of the input.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, circle, fill, finite2, font, headline, linspace, path, rect, sane_range,
    spread_intervals, stroke, text, text_style, text_width, Area, Axes, DrawResult, Plot, TickText,
};
use super::theme::{ChartTheme, Rgb};
use crate::format::{axis_title, fmt_axis_value, fmt_k, fmt_r};
use harvest_kernel::{Axis, HarvestAction, HarvestInput, Theta};

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
    let domain = sane_range(axis.domain(input), (0.0, 1.0));
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
        points.sort_by(|a, b| a.x.total_cmp(&b.x));
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

/// Rows and columns of the sensitivity small multiples for an area `width_px` wide: 3 columns
/// from 720 px, 2 from 400 px, else 1; always 6 cells (5 inputs and a legend). Size the canvas
/// about 170 px per row.
///
/// ```
/// use harvest_features::charts::sensitivity_grid;
/// assert_eq!(sensitivity_grid(600), (3, 2));
/// assert_eq!(sensitivity_grid(360), (6, 1));
/// ```
pub fn sensitivity_grid(width_px: u32) -> (usize, usize) {
    let cols = if width_px >= 720 {
        3
    } else if width_px >= 400 {
        2
    } else {
        1
    };
    (6usize.div_ceil(cols), cols)
}

/// Draws the small multiples: one [`draw_sensitivity_panel`] per curve in a
/// [`sensitivity_grid`] layout, the last cell holding the action colour legend.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_sensitivity<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &Sensitivity,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    begin(area, theme)?;
    let (w, _) = area.dim_in_pixel();
    let (rows, cols) = sensitivity_grid(w);
    let cells = area.split_evenly((rows, cols));
    for (cell, curve) in cells.iter().zip(&data.curves) {
        draw_sensitivity_panel(cell, curve, theme)?;
    }
    if let Some(cell) = cells.get(data.curves.len()) {
        draw_action_legend(cell, theme)?;
    }
    Ok(())
}

/// The action colour legend, one action per line, as in every chart.
///
/// # Errors
/// Whatever the backend reports.
pub fn draw_action_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    begin(area, theme)?;
    text(
        area,
        "action (strip under each curve)",
        (12, 10),
        &text_style(theme, theme.muted, HPos::Left, VPos::Top),
    )?;
    let lh = (theme.font_size + 9.0) as i32;
    let name = text_style(theme, theme.foreground, HPos::Left, VPos::Center);
    for (i, a) in HarvestAction::ALL.into_iter().enumerate() {
        let y = 36 + i as i32 * lh;
        rect(area, (14, y - 6), (30, y + 6), fill(theme.action_color(a)))?;
        text(area, a.as_str(), (38, y), &name)?;
    }
    Ok(())
}

/// Draws one sensitivity curve: K against the input (or R_net when only R_net varies, e.g. for
/// PnL), the relevant thresholds as dashed lines (`kill_threshold`; or `T1_R`, `T2_R`, `T3_R`,
/// `lock_R`), the current point, and an action strip along the bottom coloured by the action at
/// each x. Headline: e.g. `σ 0.01 → K 0.503 (NONE)`.
///
/// # Errors
/// Whatever the backend reports.
///
/// ```
/// use harvest_features::charts::{draw_sensitivity_panel, sensitivity_curve, ChartTheme};
/// use harvest_kernel::{Axis, HarvestInput};
/// use plotters::prelude::*;
/// let mut svg = String::new();
/// {
///     let root = SVGBackend::with_string(&mut svg, (320, 170)).into_drawing_area();
///     let c = sensitivity_curve(&HarvestInput::default(), Axis::Sigma, 80);
///     draw_sensitivity_panel(&root, &c, &ChartTheme::light()).unwrap();
/// }
/// assert!(svg.contains("σ 0.01 → K 0.503"));
/// ```
pub fn draw_sensitivity_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    curve: &SensitivityCurve,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    begin(area, theme)?;
    let show_r = curve.r_varies && !curve.k_varies;
    let axis = curve.axis;
    let cur = curve.current;
    let head = if show_r {
        format!(
            "{} {} → R_net {} ({})",
            axis.label(),
            fmt_axis_value(axis, cur.x),
            fmt_r(cur.r_net),
            cur.action
        )
    } else {
        format!(
            "{} {} → K {} ({})",
            axis.label(),
            fmt_axis_value(axis, cur.x),
            fmt_k(cur.k),
            cur.action
        )
    };
    let killed = cur.action == HarvestAction::FullCloseProposed;
    headline(area, &head, theme, theme.ink(killed))?;
    let value = |p: &SensPoint| if show_r { p.r_net } else { p.k };
    let (ylo, yhi) = if show_r {
        let t = &curve.thresholds;
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in curve
            .points
            .iter()
            .map(|p| p.r_net)
            .chain(t.triggers)
            .chain([t.lock_r])
        {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        let pad = (hi - lo) * 0.05;
        sane_range((lo - pad, hi + pad), (-1.0, 7.0))
    } else {
        (0.0, 1.0)
    };
    let (xlo, xhi) = curve.domain;
    let plot = Plot::on(area, [24, 12, 2, 2], (32, 40), (xlo, xhi), (ylo, yhi));
    plot.axes(
        area,
        theme,
        &Axes {
            x_desc: &axis_title(axis),
            y_desc: if show_r { "R_net (R)" } else { "K" },
            x_ticks: 5,
            y_ticks: 5,
            x_grid: true,
            y_grid: true,
            y_text: TickText::Compact,
        },
    )?;

    // Action strip along the bottom.
    let strip = (yhi - ylo) * 0.06;
    for w in curve.points.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.x.is_finite() && b.x.is_finite() {
            plot.rect(
                area,
                (a.x, ylo),
                (b.x, ylo + strip),
                fill(theme.action_color(a.action)),
            )?;
        }
    }
    // Thresholds.
    let fs = theme.font_size - 1.0;
    if show_r {
        // T1/T2/T3 and lock_R: labels at the left pushed apart vertically, each joined by a
        // short leader to its dashed line, which starts right of the labels.
        let t = &curve.thresholds;
        let mut items: Vec<(f64, String, Rgb)> = t
            .triggers
            .iter()
            .enumerate()
            .map(|(i, &v)| (v, format!("T{} {}", i + 1, fmt_r(v)), theme.muted))
            .collect();
        items.push((t.lock_r, format!("lock {}", fmt_r(t.lock_r)), theme.lock));
        items.retain(|(v, _, _)| v.is_finite() && *v >= ylo && *v <= yhi);
        let label_w = items
            .iter()
            .map(|(_, s, _)| text_width(s, fs))
            .fold(0.0, f64::max);
        let left = plot.l + 4;
        let line_px = left + label_w as i32 + 12;
        let px_per_x = f64::from((plot.r - plot.l).max(1)) / (xhi - xlo);
        let line_x = xlo + f64::from(line_px - plot.l) / px_per_x;
        let centres: Vec<f64> = items
            .iter()
            .map(|(v, _, _)| f64::from(plot.map((xlo, *v)).1))
            .collect();
        let halves = vec![(fs + 2.0) / 2.0; items.len()];
        let ys = spread_intervals(&centres, &halves, 0.0, f64::from(plot.t), f64::from(plot.b));
        for (((v, s, ink), y), c) in items.into_iter().zip(ys).zip(centres) {
            plot.dashed(area, (line_x.min(xhi), v), (xhi, v), stroke(ink, 1))?;
            let y = y.round() as i32;
            path(
                area,
                vec![(line_px - 8, y), (line_px, c.round() as i32)],
                stroke(ink, 1),
            )?;
            text(
                area,
                &s,
                (left, y),
                &font(theme, fs, ink, HPos::Left, VPos::Center),
            )?;
        }
    } else {
        let k = curve.thresholds.kill;
        plot.dashed(area, (xlo, k), (xhi, k), stroke(theme.danger, 1))?;
        plot.label(
            area,
            (xlo, k),
            (4, -2),
            &format!("threshold {}", fmt_k(k)),
            &font(theme, fs, theme.danger, HPos::Left, VPos::Bottom),
        )?;
    }
    // The curve and the current point.
    path(
        area,
        curve
            .points
            .iter()
            .map(|p| (p.x, value(p)))
            .filter(|p| finite2(*p))
            .map(|p| plot.at(p))
            .collect(),
        stroke(theme.accent, 2),
    )?;
    let cp = (cur.x, value(&cur));
    if plot.inside(cp) {
        plot.dashed(area, (cur.x, ylo), (cur.x, yhi), stroke(theme.muted, 1))?;
        circle(area, plot.map(cp), 4, fill(theme.ink(killed)))?;
    }
    Ok(())
}
