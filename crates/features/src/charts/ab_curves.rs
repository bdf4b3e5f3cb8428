//! Theta A against theta B on the same trades, as curves: the cumulative R of each, trade by
//! trade, with each one's drawdown under it ([`ab_curves`], [`draw_ab_curves`]); and the two R
//! histograms overlaid, bin by bin ([`draw_ab_hist`]). With no B, A's curve alone.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, dashed, fill, font, headline, headline_wrapped, legend_row, path, polygon, rect,
    small_style, stroke, text, Area, Axes, DrawResult, Plot, Px,
};
use super::sweep_map::{HEAT_NEGATIVE, HEAT_POSITIVE};
use super::theme::{ChartTheme, Rgb};
use crate::format::fixed;
use crate::replay::{hist_label, summarize, Summary, TradeRow};
use harvest_kernel::Side;

/// A's colour (blue) and B's (orange): told apart with every common colour-vision deficiency.
pub const AB_COLORS: [Rgb; 2] = [HEAT_POSITIVE, HEAT_NEGATIVE];

/// One theta's curves.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Cumulative R after each trade (trade order).
    pub equity: Vec<f64>,
    /// Drawdown after each trade: cumulative R minus its running peak (≤ 0; the peak starts at 0).
    pub drawdown: Vec<f64>,
    /// The trades' summary.
    pub summary: Summary,
}

impl Curve {
    /// The curves of `rs` (R per trade, in order; non-finite values count as 0).
    ///
    /// ```
    /// use harvest_features::charts::ab_curves::Curve;
    /// let c = Curve::of(&[1.0, -2.0, 0.5, 2.0]);
    /// assert_eq!(c.equity, vec![1.0, -1.0, -0.5, 1.5]);
    /// assert_eq!(c.drawdown, vec![0.0, -2.0, -1.5, 0.0]);
    /// ```
    pub fn of(rs: &[f64]) -> Curve {
        let (mut cum, mut peak) = (0.0f64, 0.0f64);
        let mut equity = Vec::with_capacity(rs.len());
        let mut drawdown = Vec::with_capacity(rs.len());
        for &r in rs {
            cum += if r.is_finite() { r } else { 0.0 };
            peak = peak.max(cum);
            equity.push(cum);
            drawdown.push(cum - peak);
        }
        Curve {
            equity,
            drawdown,
            summary: summarize(rs),
        }
    }
}

/// A's and B's curves over the same trades.
#[derive(Debug, Clone, PartialEq)]
pub struct AbCurves {
    /// Theta A (or the only theta).
    pub a: Curve,
    /// Theta B, on the trades of A matched by entry bar and side.
    pub b: Option<Curve>,
}

/// The curves of `a`'s trades and, when given, `b`'s on the same entries (matched by entry bar
/// and side, in A's order; trades of A with no match in B are left out of both).
///
/// ```
/// use harvest_features::charts::ab_curves::ab_curves;
/// let c = ab_curves(&[], None);
/// assert!(c.a.equity.is_empty() && c.b.is_none());
/// ```
pub fn ab_curves(a: &[TradeRow], b: Option<&[TradeRow]>) -> AbCurves {
    match b {
        None => AbCurves {
            a: Curve::of(&a.iter().map(|t| t.r).collect::<Vec<_>>()),
            b: None,
        },
        Some(b) => {
            let by: std::collections::HashMap<(usize, Side), f64> =
                b.iter().map(|t| ((t.entry_index, t.side), t.r)).collect();
            let (ra, rb): (Vec<f64>, Vec<f64>) = a
                .iter()
                .filter_map(|t| by.get(&(t.entry_index, t.side)).map(|&r| (t.r, r)))
                .unzip();
            AbCurves {
                a: Curve::of(&ra),
                b: Some(Curve::of(&rb)),
            }
        }
    }
}

impl AbCurves {
    /// What the curves say, in words.
    ///
    /// ```
    /// use harvest_features::charts::ab_curves::{AbCurves, Curve};
    /// let c = AbCurves { a: Curve::of(&[1.0, -2.0]), b: Some(Curve::of(&[1.0, 0.5])) };
    /// assert_eq!(c.headline(), "Cumulative R over 2 trades: A -1.00 R (worst drawdown 2.00 R), B +1.50 R (worst drawdown 0.00 R)");
    /// ```
    pub fn headline(&self) -> String {
        let one = |c: &Curve| {
            let end = c.equity.last().copied().unwrap_or(0.0);
            format!(
                "{}{} R (worst drawdown {} R)",
                if end > 0.0 { "+" } else { "" },
                fixed(end, 2),
                fixed(c.summary.max_drawdown_r, 2)
            )
        };
        match &self.b {
            Some(b) => format!(
                "Cumulative R over {} trades: A {}, B {}",
                self.a.equity.len(),
                one(&self.a),
                one(b)
            ),
            None => format!(
                "Cumulative R over {} trades: {}",
                self.a.equity.len(),
                one(&self.a)
            ),
        }
    }

    fn curves(&self) -> Vec<(&Curve, Rgb, &'static str)> {
        let mut v = vec![(
            &self.a,
            AB_COLORS[0],
            if self.b.is_some() { "A" } else { "theta" },
        )];
        if let Some(b) = &self.b {
            v.push((b, AB_COLORS[1], "B"));
        }
        v
    }
}

/// Draws the cumulative R of A (and B) trade by trade, and under it their drawdowns.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_ab_curves<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &AbCurves,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let size = begin(area, theme)?;
    // The headline wraps on a narrow canvas; the legend and the plot start below it.
    let below = headline_wrapped(area, &d.headline(), theme, theme.foreground)?;
    let curves = d.curves();
    let items: Vec<(&str, Rgb)> = curves.iter().map(|(_, c, l)| (*l, *c)).collect();
    legend_row(area, theme, (60, below + 12), &items)?;
    draw_equity_panels(
        area,
        theme,
        size,
        &EquityPanels {
            curves: curves
                .iter()
                .map(|(c, col, _)| (&c.equity[..], *col, 2))
                .collect(),
            drawdowns: curves
                .iter()
                .map(|(c, col, _)| (&c.drawdown[..], *col))
                .collect(),
            fill_drawdown: false,
            top: below + 26,
            y_labels: 56,
            split: 64,
            x_desc: "trade",
            marks: Vec::new(),
            dd_ticks: 3,
            dd_note: "drawdown, R".to_string(),
        },
    )
}

/// A cumulative-R chart's two panels ([`draw_equity_panels`]): curves trade by trade above,
/// drawdowns under them, on one x axis (the trade).
pub(crate) struct EquityPanels<'a> {
    /// The curves: cumulative R after each trade, colour, line width (drawn in this order).
    pub curves: Vec<(&'a [f64], Rgb, u32)>,
    /// The drawdowns (≤ 0) under them: values, colour.
    pub drawdowns: Vec<(&'a [f64], Rgb)>,
    /// Drawdowns filled down from 0 (else lines).
    pub fill_drawdown: bool,
    /// Where the curves' plot starts, px from the top.
    pub top: i32,
    /// Width of the y labels, px.
    pub y_labels: i32,
    /// Where the drawdown panel starts, in % of the height.
    pub split: i32,
    /// The x axis's title under the drawdowns, with ticks (`""`: neither).
    pub x_desc: &'a str,
    /// Marks along x: a dashed line at a trade and its words at the bottom (fold starts).
    pub marks: Vec<(usize, String)>,
    /// About how many y ticks the drawdown panel has.
    pub dd_ticks: usize,
    /// The note at the drawdown panel's top right.
    pub dd_note: String,
}

/// Draws [`EquityPanels`] on an area `(w, h)` px large: the curves over 5 y ticks (0 in view, 5 % padding), the marks behind
/// them, the drawdowns under them down to the worst (and 5 % more); nothing without a trade.
///
/// # Errors
/// The backend's drawing errors.
pub(crate) fn draw_equity_panels<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &ChartTheme,
    (w, h): Px,
    p: &EquityPanels,
) -> DrawResult<(), DB> {
    let n = p.curves.iter().map(|c| c.0.len()).max().unwrap_or(0);
    if n == 0 {
        return Ok(());
    }
    let finite = |v: &&f64| v.is_finite();
    let all = p.curves.iter().flat_map(|c| c.0.iter().filter(finite));
    let (lo, hi) = all.fold((0.0f64, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    let worst = p
        .drawdowns
        .iter()
        .flat_map(|d| d.0.iter().filter(finite))
        .fold(0.0f64, |a, &v| a.min(v))
        .min(-1e-9);
    let pad = (hi - lo).max(1.0) * 0.05;
    let split = h * p.split / 100;
    let x = (0.0, (n - 1).max(1) as f64);
    let f = Plot::new(
        (w, h),
        [p.top, 12, h - split + 6, 0],
        (0, p.y_labels),
        x,
        (lo - pad, hi + pad),
    );
    f.axes(
        area,
        theme,
        &Axes {
            y_ticks: 5,
            y_grid: true,
            ..Axes::default()
        },
    )?;
    let lab = small_style(theme, theme.muted, HPos::Left, VPos::Top);
    for (i, words) in &p.marks {
        let x = f.px(*i as f64);
        dashed(area, (x, f.t), (x, h - 22), stroke(theme.grid, 1))?;
        text(area, words, (x + 3, h - 20), &lab)?;
    }
    for (c, col, width) in &p.curves {
        let pts = c.iter().enumerate().map(|(i, &v)| (i as f64, v));
        path(area, f.points(pts), stroke(*col, *width))?;
    }
    let g = Plot::new(
        (w, h),
        [split + 6, 12, 0, 0],
        (26, p.y_labels),
        x,
        (worst * 1.05, 0.0),
    );
    g.axes(
        area,
        theme,
        &Axes {
            x_desc: p.x_desc,
            x_ticks: if p.x_desc.is_empty() { 0 } else { 8 },
            y_ticks: p.dd_ticks,
            y_grid: true,
            ..Axes::default()
        },
    )?;
    for (d, col) in &p.drawdowns {
        let pts = d.iter().enumerate().map(|(i, &v)| (i as f64, v));
        if p.fill_drawdown {
            let mut poly = vec![g.at((0.0, 0.0))];
            poly.extend(pts.map(|q| g.at(q)));
            poly.push(g.at(((d.len().max(1) - 1) as f64, 0.0)));
            polygon(area, poly, fill(*col))?;
        } else {
            path(area, g.points(pts), stroke(*col, 1))?;
        }
    }
    let s = small_style(theme, theme.muted, HPos::Right, VPos::Top);
    text(area, &p.dd_note, (w - 14, g.t + 2), &s)
}

/// Draws A's and B's R histograms overlaid: per bin, A's bar and B's bar side by side, the bin
/// labels under them (the empty bins at either end left out).
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_ab_hist<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &AbCurves,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let (w, h) = begin(area, theme)?;
    let curves = d.curves();
    headline(area, "Trades by R", theme, theme.foreground)?;
    let items: Vec<(&str, Rgb)> = curves.iter().map(|(_, c, l)| (*l, *c)).collect();
    legend_row(area, theme, (w - 40 - 44 * items.len() as i32, 12), &items)?;
    let bins = d.a.summary.histogram.len();
    let used = |k: usize| {
        curves
            .iter()
            .any(|(c, _, _)| c.summary.histogram.get(k).is_some_and(|&n| n > 0))
    };
    let (Some(first), Some(last)) = (
        (0..bins).find(|&k| used(k)),
        (0..bins).rev().find(|&k| used(k)),
    ) else {
        return Ok(());
    };
    let shown = last - first + 1;
    let max = curves
        .iter()
        .flat_map(|(c, _, _)| c.summary.histogram.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1);
    let f = Plot::new(
        (w, h),
        [30, 12, 0, 0],
        (30, 40),
        (-0.5, shown as f64 - 0.5),
        (0.0, max as f64 * 1.08),
    );
    f.axes(
        area,
        theme,
        &Axes {
            y_ticks: 4,
            y_grid: true,
            ..Axes::default()
        },
    )?;
    let slot = f64::from(f.r - f.l) / shown as f64;
    let bar = (slot * 0.8 / curves.len() as f64).max(1.0);
    for k in first..=last {
        let i = (k - first) as f64;
        let x0 = f64::from(f.l) + slot * i + slot * 0.1;
        for (j, (c, col, _)) in curves.iter().enumerate() {
            let n = c.summary.histogram.get(k).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let a = ((x0 + bar * j as f64).round() as i32, f.py(n as f64));
            let b = ((x0 + bar * (j + 1) as f64).round() as i32 - 1, f.b - 1);
            rect(area, a, b, fill(*col))?;
        }
    }
    let s = font(
        theme,
        theme.font_size - 2.0,
        theme.muted,
        HPos::Center,
        VPos::Top,
    );
    let every = ((58.0 / slot).ceil() as usize).max(1);
    for k in (first..=last).step_by(every) {
        let x = f.px((k - first) as f64);
        text(area, &hist_label(k, bins), (x, f.b + 4), &s)?;
    }
    let key = small_style(theme, theme.muted, HPos::Center, VPos::Bottom);
    text(area, "R per trade", ((f.l + f.r) / 2, h - 2), &key)
}
