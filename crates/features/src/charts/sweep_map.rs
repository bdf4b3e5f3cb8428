//! The theta sweep as a heatmap: expectancy (mean R per trade) in each cell of two theta axes,
//! red below 0, green above, the current theta marked ([`sweep_map`], [`draw_sweep_map`]).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{begin, font, rect, text, Area, Frame, Res};
use super::theme::{ChartTheme, Rgb};
use crate::format::fixed;
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
) -> Res<DB> {
    let (w, h, head) = begin(area, theme)?;
    let headline = match d.best {
        Some((x, y, v)) => format!(
            "Expectancy (R per trade); best {} R at {} {}, {} {}",
            fixed(v, 3),
            d.x.field.key(),
            crate::format::shortest(x),
            d.y.field.key(),
            crate::format::shortest(y)
        ),
        None => "Expectancy (R per trade): no cell done yet".to_string(),
    };
    text(area, &headline, (8, 5), &head)?;
    let (nx, ny) = (d.x.n.max(1), d.y.n.max(1));
    let f = Frame::new(
        70,
        28,
        w - 12,
        h - 40,
        (-0.5, nx as f64 - 0.5),
        (-0.5, ny as f64 - 0.5),
    );
    let cw = f64::from(f.r - f.l) / nx as f64;
    let val = font(
        theme,
        theme.font_size - 1.0,
        theme.foreground,
        HPos::Center,
        VPos::Center,
    );
    for (k, v) in d.values.iter().enumerate() {
        let (i, j) = (k % nx, k / nx);
        let a = f.p(i as f64 - 0.5, j as f64 - 0.5);
        let b = f.p(i as f64 + 0.5, j as f64 + 0.5);
        match v {
            Some(v) => {
                let c = heat(theme, *v, d.scale);
                rect(area, a, b, c, true)?;
                if cw > 34.0 {
                    let ink = c.ink_on();
                    let s = font(
                        theme,
                        theme.font_size - 1.0,
                        ink,
                        HPos::Center,
                        VPos::Center,
                    );
                    text(area, &fixed(*v, 2), f.p(i as f64, j as f64), &s)?;
                }
            }
            None => {
                rect(area, a, b, theme.grid_light, true)?;
                if k < d.values.len() && cw > 34.0 {
                    text(area, "–", f.p(i as f64, j as f64), &val)?;
                }
            }
        }
        rect(area, a, b, theme.grid, false)?;
    }
    if let Some((bx, by, _)) = d.best {
        let i = index_of(&d.x, bx);
        let j = index_of(&d.y, by);
        rect(
            area,
            f.p(i as f64 - 0.5, j as f64 - 0.5),
            f.p(i as f64 + 0.5, j as f64 + 0.5),
            theme.foreground,
            false,
        )?;
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
        let p = f.p(cx, cy);
        area.draw(&Circle::new(
            p,
            6,
            super::frame::rgb(theme.foreground).stroke_width(2),
        ))?;
    }
    let xl = font(
        theme,
        theme.font_size - 1.0,
        theme.muted,
        HPos::Center,
        VPos::Top,
    );
    let yl = font(
        theme,
        theme.font_size - 1.0,
        theme.muted,
        HPos::Right,
        VPos::Center,
    );
    let step_x = ((40.0 / cw).ceil() as usize).max(1);
    for i in (0..nx).step_by(step_x) {
        text(
            area,
            &crate::charts::fmt_tick(d.x.value(i)),
            (f.px(i as f64), f.b + 4),
            &xl,
        )?;
    }
    let ch = f64::from(f.b - f.t) / ny as f64;
    let step_y = ((16.0 / ch).ceil() as usize).max(1);
    for j in (0..ny).step_by(step_y) {
        text(
            area,
            &crate::charts::fmt_tick(d.y.value(j)),
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
    text(area, d.x.field.key(), ((f.l + f.r) / 2, h - 4), &key)?;
    let keyl = font(
        theme,
        theme.font_size,
        theme.foreground,
        HPos::Left,
        VPos::Bottom,
    );
    text(area, d.y.field.key(), (4, f.t - 2), &keyl)?;
    Ok(())
}

fn index_of(a: &SweepAxis, v: f64) -> usize {
    (0..a.n)
        .min_by(|&i, &j| (a.value(i) - v).abs().total_cmp(&(a.value(j) - v).abs()))
        .unwrap_or(0)
}

/// The cell under pixel (`px`, `py`) of a canvas `w` × `h` px drawn by [`draw_sweep_map`]:
/// its (x, y) theta values.
pub fn cell_at(d: &SweepMap, w: f64, h: f64, px: f64, py: f64) -> Option<(f64, f64)> {
    let (l, t, r, b) = (70.0, 28.0, w - 12.0, h - 40.0);
    if px < l || px > r || py < t || py > b || r <= l || b <= t {
        return None;
    }
    let i = (((px - l) / (r - l)) * d.x.n as f64).floor() as usize;
    let j = (((b - py) / (b - t)) * d.y.n as f64).floor() as usize;
    (i < d.x.n && j < d.y.n).then(|| (d.x.value(i), d.y.value(j)))
}
