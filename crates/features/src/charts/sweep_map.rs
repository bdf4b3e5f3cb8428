//! The theta sweep as a heatmap: expectancy (mean R per trade) in each cell of two theta axes,
//! red below 0, green above, the current theta marked ([`sweep_map`], [`draw_sweep_map`]).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, circle, fill, font, headline, rect, stroke, text, Area, DrawResult, Plot, Px,
};
use super::theme::{ChartTheme, Rgb};
use crate::format::{fixed, fmt_tick, shortest};
use crate::replay::{SweepAxis, ThetaSweep};

/// The heatmap's data.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepMap {
    /// Horizontal axis.
    pub x: SweepAxis,
    /// Vertical axis.
    pub y: SweepAxis,
    /// Expectancy per cell, row by row (y outer), `None` where theta is invalid or not done.
    pub values: Vec<Option<f64>>,
    /// The current theta's (x, y), marked.
    pub current: (f64, f64),
    /// Largest |expectancy| (the colour scale's end).
    pub scale: f64,
    /// The best cell: (x, y, expectancy).
    pub best: Option<(f64, f64, f64)>,
}

/// The heatmap of `sweep` (cells not done yet are empty), marking `current`.
pub fn sweep_map(sweep: &ThetaSweep, current: (f64, f64)) -> SweepMap {
    let total = sweep.total();
    let mut values = vec![None; total];
    let mut best: Option<(f64, f64, f64)> = None;
    for (k, c) in sweep.cells.iter().enumerate() {
        let v = c
            .summary
            .as_ref()
            .filter(|s| s.trades > 0)
            .map(|s| s.expectancy);
        values[k] = v;
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
        current,
        scale,
        best,
    }
}

/// The colour of expectancy `v` on a scale of ±`scale`: red … background … green.
pub fn heat(theme: &ChartTheme, v: f64, scale: f64) -> Rgb {
    let t = (v / scale).clamp(-1.0, 1.0);
    if t >= 0.0 {
        theme.background.mix(theme.proposed, 0.15 + 0.85 * t)
    } else {
        theme.background.mix(theme.danger, 0.15 + 0.85 * -t)
    }
}

/// The plot of the heatmap in an area `size` px large: cell `(i, j)` is centred on `(i, j)`.
fn sweep_plot(d: &SweepMap, size: Px) -> Plot {
    let (nx, ny) = (d.x.n.max(1), d.y.n.max(1));
    Plot::new(
        size,
        [28, 12, 40, 0],
        (0, 70),
        (-0.5, nx as f64 - 0.5),
        (-0.5, ny as f64 - 0.5),
    )
}

/// Draws the heatmap: one rectangle per cell coloured by expectancy with its value when the
/// cell is wide enough, the axes' values and keys, the best cell outlined and the current
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
    let title = match d.best {
        Some((x, y, v)) => format!(
            "Expectancy (R per trade); best {} R at {} {}, {} {}",
            fixed(v, 3),
            d.x.field.key(),
            shortest(x),
            d.y.field.key(),
            shortest(y)
        ),
        None => "Expectancy (R per trade): no cell done yet".to_string(),
    };
    headline(area, &title, theme, theme.foreground)?;
    let (nx, ny) = (d.x.n.max(1), d.y.n.max(1));
    let f = sweep_plot(d, size);
    let cw = f64::from(f.r - f.l) / nx as f64;
    let small = theme.font_size - 1.0;
    let cell = |i: usize, j: usize| {
        let (i, j) = (i as f64, j as f64);
        (f.at((i - 0.5, j - 0.5)), f.at((i + 0.5, j + 0.5)))
    };
    for (k, v) in d.values.iter().enumerate() {
        let (i, j) = (k % nx, k / nx);
        let (a, b) = cell(i, j);
        let centre = f.at((i as f64, j as f64));
        match v {
            Some(v) => {
                let c = heat(theme, *v, d.scale);
                rect(area, a, b, fill(c))?;
                if cw > 34.0 {
                    let s = font(theme, small, c.ink_on(), HPos::Center, VPos::Center);
                    text(area, &fixed(*v, 2), centre, &s)?;
                }
            }
            None => {
                rect(area, a, b, fill(theme.grid_light))?;
                if cw > 34.0 {
                    let s = font(theme, small, theme.foreground, HPos::Center, VPos::Center);
                    text(area, crate::format::DASH, centre, &s)?;
                }
            }
        }
        rect(area, a, b, stroke(theme.grid, 1))?;
    }
    if let Some((bx, by, _)) = d.best {
        let (a, b) = cell(index_of(&d.x, bx), index_of(&d.y, by));
        rect(area, a, b, stroke(theme.foreground, 1))?;
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
        circle(area, f.at((cx, cy)), 6, stroke(theme.foreground, 2))?;
    }
    let xl = font(theme, small, theme.muted, HPos::Center, VPos::Top);
    let yl = font(theme, small, theme.muted, HPos::Right, VPos::Center);
    let step_x = ((40.0 / cw).ceil() as usize).max(1);
    for i in (0..nx).step_by(step_x) {
        text(
            area,
            &fmt_tick(d.x.value(i)),
            (f.px(i as f64), f.b + 4),
            &xl,
        )?;
    }
    let ch = f64::from(f.b - f.t) / ny as f64;
    let step_y = ((16.0 / ch).ceil() as usize).max(1);
    for j in (0..ny).step_by(step_y) {
        text(
            area,
            &fmt_tick(d.y.value(j)),
            (f.l - 4, f.py(j as f64)),
            &yl,
        )?;
    }
    let key = font(
        theme,
        theme.font_size,
        theme.foreground,
        HPos::Center,
        VPos::Bottom,
    );
    text(area, d.x.field.key(), ((f.l + f.r) / 2, size.1 - 4), &key)?;
    let key = font(
        theme,
        theme.font_size,
        theme.foreground,
        HPos::Left,
        VPos::Bottom,
    );
    text(area, d.y.field.key(), (4, f.t - 2), &key)?;
    Ok(())
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
///     current: (0.6, 2.0),
///     scale: 1.0,
///     best: None,
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

/// The cell under pixel (`px`, `py`) of a canvas `w` × `h` px drawn by [`draw_sweep_map`]:
/// its (x, y) theta values.
pub fn cell_at(d: &SweepMap, w: f64, h: f64, px: f64, py: f64) -> Option<(f64, f64)> {
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
    (i < d.x.n && j < d.y.n).then(|| (d.x.value(i), d.y.value(j)))
}
