//! The research report's charts, drawn on any plotters backend (the HTML report uses SVG): the
//! stitched out-of-sample equity with its drawdown ([`draw_equity`]), in-sample against
//! out-of-sample per fold ([`draw_folds`]), the objective over the grid on the hand-off window
//! with a colour-blind-safe sequential scale and its legend ([`draw_grid_map`]), and the PBO's
//! logit distribution ([`draw_logits`]).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::ab_curves::{draw_equity_panels, EquityPanels};
use super::plot::{
    begin, circle, dashed, fill, font, headline, legend_row, path, rect, small_style, stroke, text,
    text_style, Area, Axes, DrawResult, Plot,
};
use super::theme::{ChartTheme, Rgb};
use crate::format::fmt_time;
use crate::format::{fixed, fmt_tick, shortest};
use crate::research::report::{EquityPoint, ResearchReport, LOGIT_BINS, LOGIT_LO, LOGIT_STEP};

/// The viridis scale's stops (perceptually uniform, readable with every common colour-vision
/// deficiency), low to high.
const VIRIDIS: [u32; 9] = [
    0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaadc32, 0xfde725,
];

/// The colour of `t` in 0 … 1 on the viridis scale (clamped; NaN is the low end).
///
/// ```
/// use harvest_features::charts::research::viridis;
/// use harvest_features::charts::Rgb;
/// assert_eq!(viridis(0.0), Rgb::hex(0x440154));
/// assert_eq!(viridis(1.0), Rgb::hex(0xfde725));
/// ```
pub fn viridis(t: f64) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let k = (x.floor() as usize).min(VIRIDIS.len() - 2);
    Rgb::hex(VIRIDIS[k]).mix(Rgb::hex(VIRIDIS[k + 1]), x - k as f64)
}

/// A plot whose rectangle is `l..r × t..b` px of a `w × h` area (the y labels left of `l`).
#[allow(clippy::too_many_arguments)]
fn frame(w: i32, h: i32, l: i32, t: i32, r: i32, b: i32, x: (f64, f64), y: (f64, f64)) -> Plot {
    Plot::new((w, h), [t, w - r, h - b, 0], (0, l), x, y)
}

/// Horizontal grid lines and y labels (about `n`), the axis line.
fn y_axis<DB: DrawingBackend>(
    p: &Plot,
    area: &Area<DB>,
    theme: &ChartTheme,
    n: usize,
) -> DrawResult<(), DB> {
    p.axes(
        area,
        theme,
        &Axes {
            y_ticks: n,
            y_grid: true,
            ..Axes::default()
        },
    )
}

/// The three curves' colours: the choice, the base theta, P1's trailing stop alone.
fn curve_colors(theme: &ChartTheme) -> [Rgb; 3] {
    [theme.accent, theme.muted, theme.stop]
}

/// The stitched out-of-sample curves of `r`: cumulative R of each fold's choice, the base theta
/// and P1's trailing stop alone, trade by trade (fold starts marked with their dates), and the
/// choice's drawdown below.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_equity<DB: DrawingBackend>(
    area: &Area<DB>,
    r: &ResearchReport,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let (w, h) = begin(area, theme)?;
    let eq = &r.oos.equity;
    headline(
        area,
        &format!(
            "Out of sample, folds stitched: cumulative R over {} trades",
            eq.len()
        ),
        theme,
        theme.foreground,
    )?;
    let cols = curve_colors(theme);
    legend_row(
        area,
        theme,
        (70, 30),
        &[
            ("each fold's choice", cols[0]),
            ("base theta", cols[1]),
            ("P1 trailing alone", cols[2]),
        ],
    )?;
    let series = |get: fn(&EquityPoint) -> f64| eq.iter().map(get).collect::<Vec<f64>>();
    let (chosen, base, trail) = (
        series(|p| p.chosen),
        series(|p| p.base),
        series(|p| p.trail),
    );
    // Drawdown of the choice.
    let mut peak = 0.0f64;
    let dd: Vec<f64> = chosen
        .iter()
        .map(|&c| {
            peak = peak.max(c);
            c - peak
        })
        .collect();
    let worst = dd.iter().copied().fold(0.0f64, f64::min);
    // Fold starts.
    let mut marks = Vec::new();
    for (i, p) in eq.iter().enumerate() {
        if marks
            .last()
            .is_none_or(|(k, _): &(usize, String)| eq[*k].fold != p.fold)
        {
            marks.push((i, format!("fold {} · {}", p.fold, &fmt_time(p.time)[..10])));
        }
    }
    draw_equity_panels(
        area,
        theme,
        (w, h),
        &EquityPanels {
            curves: vec![
                (&trail, cols[2], 1),
                (&base, cols[1], 1),
                (&chosen, cols[0], 2),
            ],
            drawdowns: vec![(&dd, theme.background.mix(theme.danger, 0.35))],
            fill_drawdown: true,
            top: 44,
            y_labels: 64,
            split: 70,
            x_desc: "",
            marks,
            dd_ticks: 2,
            dd_note: format!("drawdown of the choice (worst {} R)", fixed(-worst, 2)),
        },
    )
}

/// Per fold: the choice's objective in-sample and out-of-sample, the base theta's and P1's
/// trailing stop's out of sample, as grouped bars.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_folds<DB: DrawingBackend>(
    area: &Area<DB>,
    r: &ResearchReport,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let (w, h) = begin(area, theme)?;
    headline(
        area,
        &format!(
            "{} per fold: in-sample against out-of-sample",
            r.objective_label
        ),
        theme,
        theme.foreground,
    )?;
    let is_c = theme.accent.mix(theme.background, 0.55);
    let cols = curve_colors(theme);
    legend_row(
        area,
        theme,
        (70, 30),
        &[
            ("choice in-sample", is_c),
            ("choice out of sample", cols[0]),
            ("base theta OOS", cols[1]),
            ("P1 trailing OOS", cols[2]),
        ],
    )?;
    let rows: Vec<[f64; 4]> = r
        .folds
        .iter()
        .map(|f| {
            [
                f.is_value,
                f.oos_value.unwrap_or(f64::NAN),
                f.base_oos_value.unwrap_or(f64::NAN),
                f.trail_oos_value.unwrap_or(f64::NAN),
            ]
        })
        .collect();
    let vals = rows.iter().flatten().filter(|v| v.is_finite());
    let (lo, hi) = vals.fold((0.0f64, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    let pad = (hi - lo).max(1e-6) * 0.08;
    let n = rows.len().max(1);
    let f = frame(
        w,
        h,
        64,
        44,
        w - 12,
        h - 24,
        (0.0, n as f64),
        (lo - pad, hi + pad),
    );
    y_axis(&f, area, theme, 5)?;
    let zero = f.py(0.0);
    super::plot::line(area, (f.l, zero), (f.r, zero), stroke(theme.foreground, 1))?;
    let lab = small_style(theme, theme.muted, HPos::Center, VPos::Top);
    let colors = [is_c, cols[0], cols[1], cols[2]];
    let slot = f64::from(f.r - f.l) / n as f64;
    let bar = (slot * 0.8 / 4.0).max(1.0);
    for (k, row) in rows.iter().enumerate() {
        let x0 = f64::from(f.l) + slot * k as f64 + slot * 0.1;
        for (j, &v) in row.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let a = (x0 + bar * j as f64).round() as i32;
            rect(
                area,
                (a, zero),
                ((x0 + bar * (j + 1) as f64).round() as i32 - 1, f.py(v)),
                fill(colors[j]),
            )?;
        }
        text(
            area,
            &format!("fold {}", r.folds[k].index),
            ((f64::from(f.l) + slot * (k as f64 + 0.5)) as i32, h - 20),
            &lab,
        )?;
    }
    Ok(())
}

/// The objective over the grid on the hand-off window: a heatmap of the first two tunables
/// (the third, if any, at the choice's value), or a line over one tunable; viridis colours
/// (higher is better: for the drawdown, lower drawdowns are brighter) with a legend, the choice
/// outlined.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_grid_map<DB: DrawingBackend>(
    area: &Area<DB>,
    r: &ResearchReport,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let (w, h) = begin(area, theme)?;
    let c = &r.choice;
    let axes = &r.settings.grid;
    let o = r.settings.objective;
    let grid = match crate::research::Grid::new(axes.clone()) {
        Ok(g) => g,
        Err(_) => return Ok(()),
    };
    let at = grid.coords(c.cell);
    let lower_better = o == crate::research::Objective::Drawdown;
    let vals: Vec<f64> = c.values_grid.iter().flatten().copied().collect();
    let (lo, hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let t_of = |v: f64| {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        if lower_better {
            1.0 - t
        } else {
            t
        }
    };
    let title = format!(
        "{} on {} → {} over the grid; the choice outlined ({})",
        o.label(),
        &c.from[..10],
        &c.to[..10],
        fixed(c.value, 3)
    );
    headline(area, &title, theme, theme.foreground)?;
    // Legend: the scale from worst to best.
    let lw = 160;
    let (lx, ly) = (w - lw - 14, 26);
    for k in 0..lw {
        let t = f64::from(k) / f64::from(lw - 1);
        rect(area, (lx + k, ly), (lx + k + 1, ly + 10), fill(viridis(t)))?;
    }
    let small = small_style(theme, theme.muted, HPos::Left, VPos::Top);
    let (worst, best) = if lower_better { (hi, lo) } else { (lo, hi) };
    text(
        area,
        &format!("worst {}", fixed(worst, 3)),
        (lx, ly + 12),
        &small,
    )?;
    let right = small_style(theme, theme.muted, HPos::Right, VPos::Top);
    text(
        area,
        &format!("best {}", fixed(best, 3)),
        (lx + lw, ly + 12),
        &right,
    )?;
    let xa = axes[0];
    let nx = xa.n.max(1);
    let key = text_style(theme, theme.foreground, HPos::Center, VPos::Bottom);
    let xl = small_style(theme, theme.muted, HPos::Center, VPos::Top);
    if axes.len() == 1 {
        let ys: Vec<(usize, f64)> = c
            .values_grid
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect();
        let pad = (hi - lo).max(1e-6) * 0.1;
        let f = frame(
            w,
            h,
            64,
            56,
            w - 12,
            h - 40,
            (0.0, (nx - 1).max(1) as f64),
            (lo - pad, hi + pad),
        );
        y_axis(&f, area, theme, 5)?;
        let pts: Vec<(i32, i32)> = ys.iter().map(|&(i, v)| f.at((i as f64, v))).collect();
        path(area, pts, stroke(theme.accent, 2))?;
        for &(i, v) in &ys {
            let p = f.at((i as f64, v));
            circle(area, p, 4, fill(viridis(t_of(v))))?;
        }
        if let Some(v) = c.values_grid[c.cell] {
            circle(
                area,
                f.at((c.cell as f64, v)),
                7,
                stroke(theme.foreground, 2),
            )?;
        }
        let step = ((nx as f64 * 40.0 / f64::from(f.r - f.l)).ceil() as usize).max(1);
        for i in (0..nx).step_by(step) {
            text(area, &fmt_tick(xa.value(i)), (f.px(i as f64), f.b + 4), &xl)?;
        }
        return text(area, xa.field.key(), ((f.l + f.r) / 2, h - 4), &key);
    }
    let ya = axes[1];
    let ny = ya.n.max(1);
    let f = frame(
        w,
        h,
        70,
        56,
        w - 12,
        h - 40,
        (-0.5, nx as f64 - 0.5),
        (-0.5, ny as f64 - 0.5),
    );
    let cw = f64::from(f.r - f.l) / nx as f64;
    let chh = f64::from(f.b - f.t) / ny as f64;
    for j in 0..ny {
        for i in 0..nx {
            let mut coords = at.clone();
            coords[0] = i;
            coords[1] = j;
            let k = grid.index(&coords);
            let a = f.at((i as f64 - 0.5, j as f64 - 0.5));
            let b = f.at((i as f64 + 0.5, j as f64 + 0.5));
            match c.values_grid.get(k).copied().flatten() {
                Some(v) => {
                    let col = viridis(t_of(v));
                    rect(area, a, b, fill(col))?;
                    if cw > 38.0 && chh > 14.0 {
                        let s = font(
                            theme,
                            theme.font_size - 2.0,
                            col.ink_on(),
                            HPos::Center,
                            VPos::Center,
                        );
                        text(area, &fixed(v, 2), f.at((i as f64, j as f64)), &s)?;
                    }
                }
                None => rect(area, a, b, fill(theme.grid_light))?,
            }
        }
    }
    rect(
        area,
        f.at((at[0] as f64 - 0.5, at[1] as f64 - 0.5)),
        f.at((at[0] as f64 + 0.5, at[1] as f64 + 0.5)),
        stroke(theme.foreground, 3),
    )?;
    rect(
        area,
        f.at((at[0] as f64 - 0.5, at[1] as f64 - 0.5)),
        f.at((at[0] as f64 + 0.5, at[1] as f64 + 0.5)),
        stroke(theme.danger, 2),
    )?;
    let yl = small_style(theme, theme.muted, HPos::Right, VPos::Center);
    let step_x = ((40.0 / cw).ceil() as usize).max(1);
    for i in (0..nx).step_by(step_x) {
        text(area, &fmt_tick(xa.value(i)), (f.px(i as f64), f.b + 4), &xl)?;
    }
    let step_y = ((16.0 / chh).ceil() as usize).max(1);
    for j in (0..ny).step_by(step_y) {
        text(area, &fmt_tick(ya.value(j)), (f.l - 4, f.py(j as f64)), &yl)?;
    }
    text(area, xa.field.key(), ((f.l + f.r) / 2, h - 4), &key)?;
    let keyl = text_style(theme, theme.foreground, HPos::Left, VPos::Bottom);
    let third = if axes.len() == 3 {
        format!(
            "{}   (at {} = {})",
            ya.field.key(),
            axes[2].field.key(),
            shortest(axes[2].value(at[2]))
        )
    } else {
        ya.field.key().to_string()
    };
    text(area, &third, (4, f.t - 4), &keyl)
}

/// The distribution of the CSCV logits: bins of 0.5, those at or below 0 (the in-sample best
/// at or under the out-of-sample median: overfit) in the danger colour, the PBO written.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_logits<DB: DrawingBackend>(
    area: &Area<DB>,
    r: &ResearchReport,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let (w, h) = begin(area, theme)?;
    let Ok(p) = &r.pbo else {
        return headline(area, "PBO: not computed", theme, theme.foreground);
    };
    headline(
        area,
        &format!(
            "CSCV logits of the in-sample best ({} combinations): PBO = {}",
            p.pbo.combinations,
            fixed(p.pbo.pbo, 3)
        ),
        theme,
        theme.foreground,
    )?;
    let top = p.logit_histogram.iter().copied().max().unwrap_or(1).max(1);
    let f = frame(
        w,
        h,
        54,
        30,
        w - 12,
        h - 24,
        (LOGIT_LO, LOGIT_LO + LOGIT_STEP * LOGIT_BINS as f64),
        (0.0, top as f64 * 1.08),
    );
    y_axis(&f, area, theme, 4)?;
    for (k, &n) in p.logit_histogram.iter().enumerate() {
        let a = LOGIT_LO + LOGIT_STEP * k as f64;
        let c = if a + LOGIT_STEP <= 0.0 {
            theme.danger
        } else {
            theme.accent
        };
        if n > 0 {
            rect(
                area,
                f.at((a, 0.0)),
                (f.px(a + LOGIT_STEP) - 1, f.py(n as f64)),
                fill(c),
            )?;
        }
    }
    let x0 = f.px(0.0);
    dashed(area, (x0, f.t), (x0, f.b), stroke(theme.foreground, 1))?;
    let lab = small_style(theme, theme.muted, HPos::Center, VPos::Top);
    for v in [-4.0, -2.0, 0.0, 2.0, 4.0] {
        text(area, &shortest(v), (f.px(v), f.b + 4), &lab)?;
    }
    let note = small_style(theme, theme.muted, HPos::Right, VPos::Top);
    text(
        area,
        "≤ 0: overfit (≤ −5 and ≥ 5 in the end bins)",
        (w - 14, f.t + 2),
        &note,
    )
}

/// Draws `draw` into an SVG string of `w` × `h` px.
///
/// ```
/// use harvest_features::charts::research::svg;
/// use harvest_features::charts::ChartTheme;
/// use harvest_features::charts::plot::begin;
/// let s = svg(100, 50, |a| begin(a, &ChartTheme::light()).map(|_| ()));
/// assert!(s.starts_with("<svg"));
/// ```
pub fn svg(
    w: u32,
    h: u32,
    draw: impl for<'b> FnOnce(&Area<SVGBackend<'b>>) -> DrawResult<(), SVGBackend<'b>>,
) -> String {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
        // Drawing into a string cannot fail for I/O; an error leaves the chart partly drawn.
        let _ = draw(&root);
        let _ = root.present();
    }
    s
}
