//! The theta sweep as a heatmap: expectancy (mean R per trade) in each cell of two theta axes
//! on a colour-blind-safe diverging scale (orange below 0, blue above, the background at 0) with
//! its legend, the current theta ringed, the best cell and the keyboard's cell outlined
//! ([`sweep_map`], [`draw_sweep_map`]); the cell under a pointer ([`cell_index_at`]), its
//! readout ([`cell_readout`]), and the keyboard's cursor cell ([`key_cell`], [`cell_text`]).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, circle, dashed, fill, font, headline, rect, small_style, stroke, text, text_style,
    text_width, Area, DrawResult, Plot, Px,
};
use super::theme::{ChartTheme, Rgb};
use crate::format::{fixed, fmt_tick, format_sig};
use crate::replay::{SweepAxis, ThetaSweep};

/// The largest grid the Replay view sweeps: values per axis.
pub const SWEEP_MAX_N: usize = 20;

/// The heatmap's data.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepMap {
    /// Horizontal axis.
    pub x: SweepAxis,
    /// Vertical axis.
    pub y: SweepAxis,
    /// Expectancy per cell, row by row (y outer), `None` where theta is invalid or not done.
    pub values: Vec<Option<f64>>,
    /// Trades behind each cell (0 where not done or invalid).
    pub trades: Vec<usize>,
    /// Cells done (valid or not).
    pub done: usize,
    /// The current theta's (x, y), marked.
    pub current: (f64, f64),
    /// Largest |expectancy| (the colour scale's end).
    pub scale: f64,
    /// The best cell: (x, y, expectancy).
    pub best: Option<(f64, f64, f64)>,
    /// The cell the keyboard is on (outlined), if any.
    pub focus: Option<usize>,
}

/// The heatmap of `sweep` (cells not done yet are empty), marking `current`.
pub fn sweep_map(sweep: &ThetaSweep, current: (f64, f64)) -> SweepMap {
    let total = sweep.total();
    let mut values = vec![None; total];
    let mut trades = vec![0; total];
    let mut best: Option<(f64, f64, f64)> = None;
    for (k, c) in sweep.cells.iter().enumerate().take(total) {
        let v = c
            .summary
            .as_ref()
            .filter(|s| s.trades > 0)
            .map(|s| s.expectancy);
        values[k] = v;
        trades[k] = c.summary.as_ref().map_or(0, |s| s.trades);
        if let Some(v) = v {
            if best.is_none_or(|b| v > b.2) {
                best = Some((c.x, c.y, v));
            }
        }
    }
    let scale = values
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-9);
    SweepMap {
        x: sweep.x,
        y: sweep.y,
        values,
        trades,
        done: sweep.cells.len().min(total),
        current,
        scale,
        best,
        focus: None,
    }
}

/// Below 0: orange; above: blue (the ends of ColorBrewer's PuOr/RdBu family, told apart with
/// every common colour-vision deficiency and in grey).
pub const HEAT_NEGATIVE: Rgb = Rgb::hex(0xd66000);
/// Above 0.
pub const HEAT_POSITIVE: Rgb = Rgb::hex(0x2166ac);

/// The colour of expectancy `v` on a scale of ±`scale`: orange … background … blue, the
/// strength growing with |v| (a cell near 0 is still tinted, so done cells differ from empty).
///
/// ```
/// use harvest_features::charts::{heat, ChartTheme, HEAT_NEGATIVE, HEAT_POSITIVE};
/// let t = ChartTheme::light();
/// assert_eq!(heat(&t, 1.0, 1.0), HEAT_POSITIVE);
/// assert_eq!(heat(&t, -2.0, 1.0), HEAT_NEGATIVE);
/// assert_ne!(heat(&t, 0.0, 1.0), t.background);
/// ```
pub fn heat(theme: &ChartTheme, v: f64, scale: f64) -> Rgb {
    let t = if scale > 0.0 {
        (v / scale).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let t = if t.is_nan() { 0.0 } else { t };
    if t >= 0.0 {
        theme.background.mix(HEAT_POSITIVE, 0.12 + 0.88 * t)
    } else {
        theme.background.mix(HEAT_NEGATIVE, 0.12 + 0.88 * -t)
    }
}

/// Width of the legend right of the cells, px.
const LEGEND_W: i32 = 64;

/// The plot of the heatmap in an area `size` px large: cell `(i, j)` is centred on `(i, j)`.
fn sweep_plot(d: &SweepMap, size: Px) -> Plot {
    let (nx, ny) = (d.x.n.max(1), d.y.n.max(1));
    Plot::new(
        size,
        [28, 12 + LEGEND_W, 40, 0],
        (0, 70),
        (-0.5, nx as f64 - 0.5),
        (-0.5, ny as f64 - 0.5),
    )
}

/// A tunable's value as the heatmap labels it: 4 significant digits (`0.9`, not
/// `0.8999999999999999`; `0.3316`).
///
/// ```
/// use harvest_features::charts::axis_label;
/// assert_eq!(axis_label(0.8999999999999999), "0.9");
/// assert_eq!(axis_label(0.33157894736842), "0.3316");
/// ```
pub fn axis_label(v: f64) -> String {
    format_sig(v, 4)
}

/// Draws the heatmap: one rectangle per cell coloured by expectancy with its value when the
/// cell is wide enough, the axes' values and keys, the legend (the scale from −`scale` to
/// +`scale`), the best cell outlined, the keyboard's cell outlined dashed and the current
/// theta as a ring.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_sweep_map<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &SweepMap,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let size = begin(area, theme)?;
    let at = |x: f64, y: f64| {
        format!(
            "{} {}, {} {}",
            d.x.field.key(),
            axis_label(x),
            d.y.field.key(),
            axis_label(y)
        )
    };
    let title = match d.best {
        Some((x, y, v)) => format!(
            "Expectancy (R per trade); best {} R at {}",
            fixed(v, 3),
            at(x, y)
        ),
        None => "Expectancy (R per trade): no cell done yet".to_string(),
    };
    // On a narrow canvas (a phone) the short form, so it stays clear of the y axis's key.
    let title = match d.best {
        Some((x, y, v)) if text_width(&title, theme.caption_size) > f64::from(size.0 - 16) => {
            format!("Best {} R: {}", fixed(v, 3), at(x, y))
        }
        _ => title,
    };
    headline(area, &title, theme, theme.foreground)?;
    let (nx, ny) = (d.x.n.max(1), d.y.n.max(1));
    let f = sweep_plot(d, size);
    let cw = f64::from(f.r - f.l) / nx as f64;
    let ch = f64::from(f.b - f.t) / ny as f64;
    let small = theme.font_size - 1.0;
    let cell = |i: usize, j: usize| {
        let (i, j) = (i as f64, j as f64);
        (f.at((i - 0.5, j - 0.5)), f.at((i + 0.5, j + 0.5)))
    };
    let labels_fit = cw > 34.0 && ch > 14.0;
    for (k, v) in d.values.iter().enumerate() {
        let (i, j) = (k % nx, k / nx);
        let (a, b) = cell(i, j);
        let centre = f.at((i as f64, j as f64));
        match v {
            Some(v) => {
                let c = heat(theme, *v, d.scale);
                rect(area, a, b, fill(c))?;
                if labels_fit {
                    let s = font(theme, small, c.ink_on(), HPos::Center, VPos::Center);
                    text(area, &fixed(*v, 2), centre, &s)?;
                }
            }
            None => {
                rect(area, a, b, fill(theme.grid_light))?;
                if labels_fit {
                    let s = font(theme, small, theme.foreground, HPos::Center, VPos::Center);
                    text(area, crate::format::DASH, centre, &s)?;
                }
            }
        }
        rect(area, a, b, stroke(theme.grid, 1))?;
    }
    if let Some((bx, by, _)) = d.best {
        let (a, b) = cell(index_of(&d.x, bx), index_of(&d.y, by));
        rect(area, a, b, stroke(theme.foreground, 2))?;
    }
    if let Some(k) = d.focus.filter(|&k| k < nx * ny) {
        let (a, b) = cell(k % nx, k / nx);
        let (a, b) = ((a.0 + 2, a.1 - 2), (b.0 - 2, b.1 + 2));
        let st = stroke(theme.foreground, 2);
        dashed(area, (a.0, a.1), (b.0, a.1), st)?;
        dashed(area, (b.0, a.1), (b.0, b.1), st)?;
        dashed(area, (b.0, b.1), (a.0, b.1), st)?;
        dashed(area, (a.0, b.1), (a.0, a.1), st)?;
    }
    // The current theta, where it falls on the grid.
    let pos = |a: &SweepAxis, v: f64| {
        if a.n < 2 || a.hi <= a.lo {
            return None;
        }
        let t = (v - a.lo) / (a.hi - a.lo) * (a.n - 1) as f64;
        (t >= -0.5 && t <= (a.n as f64 - 0.5)).then_some(t)
    };
    if let (Some(cx), Some(cy)) = (pos(&d.x, d.current.0), pos(&d.y, d.current.1)) {
        let r = (cw.min(ch) * 0.3).clamp(3.0, 6.0) as i32;
        circle(area, f.at((cx, cy)), r, stroke(theme.foreground, 2))?;
    }
    let xl = font(theme, small, theme.muted, HPos::Center, VPos::Top);
    let yl = font(theme, small, theme.muted, HPos::Right, VPos::Center);
    let step_x = ((44.0 / cw).ceil() as usize).max(1);
    for i in (0..nx).step_by(step_x) {
        text(
            area,
            &axis_label(d.x.value(i)),
            (f.px(i as f64), f.b + 4),
            &xl,
        )?;
    }
    let step_y = ((16.0 / ch).ceil() as usize).max(1);
    for j in (0..ny).step_by(step_y) {
        text(
            area,
            &axis_label(d.y.value(j)),
            (f.l - 4, f.py(j as f64)),
            &yl,
        )?;
    }
    let key = text_style(theme, theme.foreground, HPos::Center, VPos::Bottom);
    text(area, d.x.field.key(), ((f.l + f.r) / 2, size.1 - 4), &key)?;
    let key = text_style(theme, theme.foreground, HPos::Left, VPos::Bottom);
    text(area, d.y.field.key(), (4, f.t - 2), &key)?;
    legend(area, d, &f, theme)
}

/// The legend right of the cells: the scale from +`scale` (top) through 0 to −`scale`, and the
/// colour of a cell not done.
fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &SweepMap,
    f: &Plot,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let (x0, x1) = (f.r + 14, f.r + 26);
    let (t, b) = (f.t + 14, f.b - 22);
    if b <= t + 4 {
        return Ok(());
    }
    let h = b - t;
    for y in t..b {
        let v = d.scale * (1.0 - 2.0 * f64::from(y - t) / f64::from(h - 1).max(1.0));
        rect(area, (x0, y), (x1, y + 1), fill(heat(theme, v, d.scale)))?;
    }
    rect(area, (x0, t), (x1, b), stroke(theme.grid, 1))?;
    let s = small_style(theme, theme.muted, HPos::Left, VPos::Center);
    let mid = (t + b) / 2;
    let signed = |v: f64| {
        if v > 0.0 {
            format!("+{}", fmt_tick(v))
        } else {
            fmt_tick(v)
        }
    };
    text(area, &signed(d.scale), (x1 + 4, t), &s)?;
    text(area, "0", (x1 + 4, mid), &s)?;
    text(area, &signed(-d.scale), (x1 + 4, b - 1), &s)?;
    let top = small_style(theme, theme.muted, HPos::Left, VPos::Bottom);
    text(area, "R/trade", (x0 - 4, t - 3), &top)?;
    rect(area, (x0, b + 8), (x1, b + 18), fill(theme.grid_light))?;
    rect(area, (x0, b + 8), (x1, b + 18), stroke(theme.grid, 1))?;
    text(area, "none", (x1 + 4, b + 13), &s)
}

/// The cell of the heatmap's keyboard cursor after `key`, `(i, j)` with `j` counted upwards:
/// the arrow keys move one cell (up is up), Home / End go to the row's ends; starting at the
/// current theta's cell; `None` for any other key.
///
/// ```
/// use harvest_features::charts::{key_cell, SweepMap};
/// use harvest_features::replay::SweepAxis;
/// use harvest_kernel::ThetaField;
/// let ax = |f, lo, hi| SweepAxis { field: f, lo, hi, n: 5 };
/// let d = SweepMap {
///     x: ax(ThetaField::KillThreshold, 0.4, 0.8),
///     y: ax(ThetaField::T1R, 1.0, 3.0),
///     values: vec![None; 25],
///     trades: vec![0; 25],
///     done: 0,
///     current: (0.6, 2.0),
///     scale: 1.0,
///     best: None,
///     focus: None,
/// };
/// assert_eq!(key_cell(&d, None, "ArrowRight"), Some((3, 2)));
/// assert_eq!(key_cell(&d, Some((4, 4)), "ArrowUp"), Some((4, 4)));
/// assert_eq!(key_cell(&d, Some((2, 2)), "Home"), Some((0, 2)));
/// assert_eq!(key_cell(&d, Some((2, 2)), "Enter"), None);
/// ```
pub fn key_cell(d: &SweepMap, at: Option<(usize, usize)>, key: &str) -> Option<(usize, usize)> {
    let (nx, ny) = (d.x.n, d.y.n);
    if nx == 0 || ny == 0 {
        return None;
    }
    let (i, j) = at.unwrap_or_else(|| current_cell(d));
    let (i, j) = (i.min(nx - 1), j.min(ny - 1));
    match key {
        "ArrowLeft" => Some((i.saturating_sub(1), j)),
        "ArrowRight" => Some(((i + 1).min(nx - 1), j)),
        "ArrowDown" => Some((i, j.saturating_sub(1))),
        "ArrowUp" => Some((i, (j + 1).min(ny - 1))),
        "Home" => Some((0, j)),
        "End" => Some((nx - 1, j)),
        _ => None,
    }
}

/// The cell nearest to the current theta.
pub fn current_cell(d: &SweepMap) -> (usize, usize) {
    (index_of(&d.x, d.current.0), index_of(&d.y, d.current.1))
}

/// What the keyboard cursor's cell holds, in words: `kill_threshold 0.55, T1_R 1.8: expectancy
/// 0.123 R (cell 3, 5 of 9 × 9); Enter uses these values`.
pub fn cell_text(d: &SweepMap, (i, j): (usize, usize)) -> String {
    let (vx, vy) = (d.x.value(i), d.y.value(j));
    let value = d.values.get(j * d.x.n + i).copied().flatten().map_or_else(
        || "no trades".to_string(),
        |v| format!("expectancy {} R", fmt_tick(v)),
    );
    format!(
        "{} {}, {} {}: {value} (cell {}, {} of {} × {}); Enter uses these values",
        d.x.field.key(),
        fmt_tick(vx),
        d.y.field.key(),
        fmt_tick(vy),
        i + 1,
        j + 1,
        d.x.n,
        d.y.n
    )
}

fn index_of(a: &SweepAxis, v: f64) -> usize {
    (0..a.n)
        .min_by(|&i, &j| (a.value(i) - v).abs().total_cmp(&(a.value(j) - v).abs()))
        .unwrap_or(0)
}

/// The index (row by row, y outer) of the cell under pixel (`px`, `py`) of a canvas `w` × `h`
/// CSS px drawn by [`draw_sweep_map`], `None` outside the cells.
pub fn cell_index_at(d: &SweepMap, w: f64, h: f64, px: f64, py: f64) -> Option<usize> {
    let size = (w.round() as i32, h.round() as i32);
    let f = sweep_plot(d, size);
    let (l, t, r, b) = (
        f64::from(f.l),
        f64::from(f.t),
        f64::from(f.r),
        f64::from(f.b),
    );
    if px < l || px > r || py < t || py > b || r <= l || b <= t {
        return None;
    }
    let i = (((px - l) / (r - l)) * d.x.n as f64).floor() as usize;
    let j = (((b - py) / (b - t)) * d.y.n as f64).floor() as usize;
    (i < d.x.n && j < d.y.n).then_some(j * d.x.n + i)
}

/// The cell under pixel (`px`, `py`) of a canvas `w` × `h` px drawn by [`draw_sweep_map`]:
/// its (x, y) theta values.
pub fn cell_at(d: &SweepMap, w: f64, h: f64, px: f64, py: f64) -> Option<(f64, f64)> {
    cell_index_at(d, w, h, px, py).map(|k| cell_values(d, k))
}

/// The theta values (x, y) of cell `k`.
pub fn cell_values(d: &SweepMap, k: usize) -> (f64, f64) {
    let nx = d.x.n.max(1);
    (d.x.value(k % nx), d.y.value(k / nx))
}

/// What cell `k` holds, in words: its two values and its expectancy with the trades behind it.
///
/// ```
/// use harvest_features::charts::{cell_readout, SweepMap};
/// use harvest_features::replay::SweepAxis;
/// use harvest_kernel::ThetaField;
/// let x = SweepAxis { field: ThetaField::KillThreshold, lo: 0.3, hi: 0.9, n: 2 };
/// let y = SweepAxis { field: ThetaField::T1R, lo: 1.0, hi: 3.0, n: 2 };
/// let d = SweepMap { x, y, values: vec![Some(0.1234), None, None, None], trades: vec![300, 0, 0, 0],
///                    done: 2, current: (0.6, 2.0), scale: 0.1234, best: None, focus: None };
/// assert_eq!(cell_readout(&d, 0), "kill_threshold 0.3, T1_R 1: +0.123 R per trade over 300 trades");
/// assert_eq!(cell_readout(&d, 1), "kill_threshold 0.9, T1_R 1: no trades (theta not valid)");
/// assert_eq!(cell_readout(&d, 3), "kill_threshold 0.9, T1_R 3: not run yet");
/// ```
pub fn cell_readout(d: &SweepMap, k: usize) -> String {
    let (x, y) = cell_values(d, k);
    let at = format!(
        "{} {}, {} {}",
        d.x.field.key(),
        axis_label(x),
        d.y.field.key(),
        axis_label(y)
    );
    match d.values.get(k).copied().flatten() {
        Some(v) => format!(
            "{at}: {}{} R per trade over {} trades",
            if v > 0.0 { "+" } else { "" },
            fixed(v, 3),
            crate::format::fmt_count(d.trades.get(k).copied().unwrap_or(0))
        ),
        None if k < d.done => format!("{at}: no trades (theta not valid)"),
        None => format!("{at}: not run yet"),
    }
}
