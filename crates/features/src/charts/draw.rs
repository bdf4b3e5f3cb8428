//! Drawing: each chart of [`data`](super::data) on any plotters [`DrawingArea`] (SVG natively,
//! `<canvas>` in the browser). Every chart fills its area with the theme background, writes a
//! headline saying what it shows (e.g. `K 0.503 < 0.6: margin 0.097`), labels its axes with
//! units and annotates thresholds and the current point. Sized for ~360–600 px wide and ~220 px
//! tall (the sensitivity small multiples want ~170 px per row, see [`sensitivity_grid`]).
//!
//! The charts draw plotters elements (paths, rectangles, circles, polygons, text) on the pixel
//! area itself: a small [`Plot`] maps data onto its plotting rectangle and draws the grid, axes,
//! ticks and axis titles (the same layout, ticks and pixel mapping as plotters' `ChartBuilder`
//! and mesh, without their per-coordinate-type generic code, which is most of a chart's size in
//! the browser build).
//!
//! Non-finite data never panics: such points are skipped and labels show `–` (format::DASH).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

use super::data::{
    axis_title, fmt_axis_value, fmt_k, fmt_price, fmt_r, fmt_tick, sane_range, ActionMap,
    KillExplainer, LevelKind, RLadder, Sensitivity, SensitivityCurve, StopLadder,
};
use super::theme::{action_short, ChartTheme, Rgb};
use harvest_kernel::{logit, HarvestAction};

/// What a `draw_*` function returns: the plotters error of the backend, if any.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

type Area<DB> = DrawingArea<DB, Shift>;
type Px = (i32, i32);

/// The plotters colour of a theme colour.
pub fn color(rgb: Rgb) -> RGBColor {
    RGBColor(rgb.0, rgb.1, rgb.2)
}

/// A text style in the theme's font. The family is given by name: plotters' `&str` → family
/// conversion lowercases it, which links Unicode case tables into the wasm.
fn text(theme: &ChartTheme, size: f64, rgb: Rgb) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(theme.font), size, FontStyle::Normal).color(&color(rgb))
}

fn text_at(theme: &ChartTheme, size: f64, rgb: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
    text(theme, size, rgb).pos(Pos::new(h, v))
}

/// Estimated width in px of `s` at `size` px (average glyph ≈ 0.55 em); used only to keep
/// labels apart, never for exact layout.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.55
}

fn finite2(p: (f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

// ---------------------------------------------------------------------------------------------
// Pixel primitives: the only plotters elements the charts draw (one instance each per backend).

fn path<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: Vec<Px>,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    if pts.len() < 2 {
        return Ok(());
    }
    area.draw(&PathElement::new(pts, style))
}

fn rect<DB: DrawingBackend>(
    area: &Area<DB>,
    a: Px,
    b: Px,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    let ul = (a.0.min(b.0), a.1.min(b.1));
    let br = (a.0.max(b.0), a.1.max(b.1));
    area.draw(&Rectangle::new([ul, br], style))
}

fn circle<DB: DrawingBackend>(
    area: &Area<DB>,
    c: Px,
    r: i32,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    area.draw(&Circle::new(c, r, style))
}

fn polygon<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: Vec<Px>,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    area.draw(&Polygon::new(pts, style))
}

fn write<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    at: Px,
    style: &TextStyle,
) -> DrawResult<(), DB> {
    area.draw_text(s, style, at)
}

/// A dashed segment in pixels: 5 px dashes, 4 px gaps (as plotters' `DashedLineSeries`).
fn dashed_px<DB: DrawingBackend>(
    area: &Area<DB>,
    a: Px,
    b: Px,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    let (dx, dy) = (
        f64::from(b.0) - f64::from(a.0),
        f64::from(b.1) - f64::from(a.1),
    );
    let len = (dx * dx + dy * dy).sqrt();
    if !(len > 0.0 && len < 1e5) {
        return path(area, vec![a, b], style);
    }
    let at = |s: f64| {
        (
            a.0 + (dx * s / len).round() as i32,
            a.1 + (dy * s / len).round() as i32,
        )
    };
    let mut s = 0.0;
    while s < len {
        path(area, vec![at(s), at((s + 5.0).min(len))], style)?;
        s += 9.0;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The plot frame: data ranges onto a pixel rectangle, grid, axes and ticks.

/// A plotting rectangle inside a drawing area and the data ranges it shows. Pixels are relative
/// to the area's top-left corner; `l..r` × `t..b` is the plotting rectangle (right and bottom
/// exclusive), with the y-axis label area (`yl` px wide) left of it and the x-axis label area
/// (`xl` px tall) under it, as plotters' `ChartBuilder` lays them out.
#[derive(Debug, Clone, Copy)]
struct Plot {
    x: (f64, f64),
    y: (f64, f64),
    l: i32,
    t: i32,
    r: i32,
    b: i32,
    xl: i32,
    yl: i32,
}

/// One coordinate onto pixels `a` (at `lo`) … `c` (at `hi`), as plotters maps an `f64` range.
fn map1(v: f64, (lo, hi): (f64, f64), (a, c): Px) -> i32 {
    if hi == lo {
        return a + (c - a) / 2;
    }
    let t = (v - lo) / (hi - lo);
    let len = c - a;
    if len == 0 {
        return c;
    }
    if t.is_infinite() {
        return if t > 0.0 { c } else { a };
    }
    let d = f64::from(len) * t;
    let d = if len > 0 {
        (d + 1e-3).floor()
    } else {
        (d - 1e-3).ceil()
    };
    a.saturating_add(d as i32)
}

/// "Nice" tick values in `range`, at most about `max` of them (steps 1, 2, 5 × 10ⁿ): plotters'
/// key points for an `f64` axis.
fn key_points(range: (f64, f64), max: usize) -> Vec<f64> {
    let (lo, hi) = (range.0.min(range.1), range.0.max(range.1));
    if max == 0 || !(hi - lo).is_finite() {
        return Vec::new();
    }
    if (hi - lo).abs() < f64::EPSILON {
        return vec![lo];
    }
    fn rem(a: f64, b: f64) -> f64 {
        let r = if b > 0.0 {
            a - (a / b).floor() * b
        } else {
            a - (a / b).ceil() * b
        };
        if (r - b).abs() < f64::EPSILON {
            0.0
        } else {
            r
        }
    }
    // 10^⌊log10(span)⌋ (`powi`: exact for these exponents, and no `pow` in the wasm).
    let mut scale = 10f64.powi((hi - lo).log10().floor() as i32);
    let mut granularity = scale / 10.0;
    if 1 + ((hi - lo) / scale).floor() as usize > max {
        scale *= 10.0;
        granularity *= 10.0;
    }
    'outer: for _ in 0..64 {
        let old = scale;
        for nxt in [2.0, 5.0, 10.0] {
            let mut left = lo - rem(lo, old / nxt);
            if left < lo {
                left += old / nxt;
            }
            let right = hi - rem(hi, old / nxt);
            let n = 1.0 + ((right - left) / old * nxt);
            if n.round() as usize > max {
                break 'outer;
            }
            scale = old / nxt;
        }
        scale = old / 10.0;
        granularity /= 10.0;
    }
    let mut left = lo - rem(lo, scale);
    if left < lo {
        left += scale;
    }
    let base = (left / granularity).floor() * granularity;
    let mut rel = left - base;
    let right = hi - rem(hi, scale);
    let mut out = Vec::new();
    while right - rel - base >= -f64::EPSILON && out.len() <= 2 * max {
        if (rel / granularity).round() * granularity < 0.0 {
            rel += granularity;
        }
        out.push(rel + base);
        rel += scale;
    }
    out
}

/// What [`Plot::axes`] draws.
struct Axes<'s> {
    /// Title under the x axis (`""`: none).
    x_desc: &'s str,
    /// Title left of the y axis, rotated (`""`: none).
    y_desc: &'s str,
    /// About how many x ticks (0: no x axis line, ticks or labels).
    x_ticks: usize,
    /// About how many y ticks (0: no y axis).
    y_ticks: usize,
    /// Vertical grid lines at the x ticks.
    x_grid: bool,
    /// Horizontal grid lines at the y ticks.
    y_grid: bool,
    /// y tick labels as prices ([`fmt_price`]) rather than [`fmt_tick`].
    y_price: bool,
}

impl Plot {
    /// The plot in `area` after the margins (`[top, right, bottom, left]`) and the label areas
    /// (`xl` px under the plot, `yl` px left of it).
    fn new<DB: DrawingBackend>(
        area: &Area<DB>,
        [top, right, bottom, left]: [i32; 4],
        (xl, yl): Px,
        x: (f64, f64),
        y: (f64, f64),
    ) -> Plot {
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        Plot {
            x,
            y,
            l: left + yl,
            t: top,
            r: w - right,
            b: h - bottom - xl,
            xl,
            yl,
        }
    }

    /// A data point in pixels.
    fn map(&self, p: (f64, f64)) -> Px {
        (
            map1(p.0, self.x, (self.l, self.r - 1)),
            map1(p.1, self.y, (self.b - 1, self.t)),
        )
    }

    /// The grid, the axis lines with ticks and labels, and the axis titles (as plotters' mesh).
    fn axes<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &ChartTheme,
        a: &Axes,
    ) -> DrawResult<(), DB> {
        let (pw, ph) = (self.r - self.l, self.b - self.t);
        let x_area = self.xl > 0 && pw > 0;
        let y_area = self.yl > 0 && ph > 0;
        let desc = text(theme, theme.font_size, theme.foreground);
        if y_area && !a.y_desc.is_empty() {
            let s = desc
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top));
            write(area, a.y_desc, (self.l - self.yl, self.t + ph / 2), &s)?;
        }
        if x_area && !a.x_desc.is_empty() {
            let s = desc.pos(Pos::new(HPos::Center, VPos::Bottom));
            write(area, a.x_desc, (self.l + pw / 2, self.b + self.xl), &s)?;
        }
        let xs: Vec<(i32, f64)> = key_points(self.x, a.x_ticks)
            .into_iter()
            .map(|v| (self.map((v, self.y.0)).0, v))
            .collect();
        let ys: Vec<(i32, f64)> = key_points(self.y, a.y_ticks)
            .into_iter()
            .map(|v| (self.map((self.x.0, v)).1, v))
            .collect();
        let grid = color(theme.grid).stroke_width(1);
        if a.x_grid {
            for &(x, _) in &xs {
                path(area, vec![(x, self.b - 1), (x, self.t)], grid)?;
            }
        }
        if a.y_grid {
            for &(y, _) in &ys {
                path(area, vec![(self.l, y), (self.r - 1, y)], grid)?;
            }
        }
        let axis = color(theme.muted).stroke_width(1);
        let tick = 5.min((f64::from(pw.min(ph)) * 0.05).round() as i32);
        let label = text(theme, theme.font_size - 1.0, theme.muted);
        if y_area && a.y_ticks > 0 {
            let x = self.l - 1;
            path(area, vec![(x, self.t), (x, self.b - 1)], axis)?;
            let s = label.pos(Pos::new(HPos::Right, VPos::Center));
            for &(y, v) in &ys {
                if y >= self.t && y < self.b {
                    let t = if a.y_price { fmt_price(v) } else { fmt_tick(v) };
                    write(area, &t, (self.l - 2 * tick, y), &s)?;
                    path(area, vec![(x - tick, y), (x, y)], axis)?;
                }
            }
        }
        if x_area && a.x_ticks > 0 {
            let y = self.b;
            path(area, vec![(self.l, y), (self.r - 1, y)], axis)?;
            let s = label.pos(Pos::new(HPos::Center, VPos::Top));
            for &(x, v) in &xs {
                if x >= self.l && x < self.r {
                    write(area, &fmt_tick(v), (x, y + 2 * tick), &s)?;
                    path(area, vec![(x, y), (x, y + tick)], axis)?;
                }
            }
        }
        Ok(())
    }

    /// The segment `a`–`b` clamped to the ranges widened by one span each side (so no
    /// coordinate maps far outside the plot), or `None` when it is not finite or lies entirely
    /// beyond one edge.
    fn visible(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        if !(finite2(a) && finite2(b)) {
            return None;
        }
        let (xr, yr) = (self.x, self.y);
        let beyond = |u: f64, v: f64, lo: f64, hi: f64| (u < lo && v < lo) || (u > hi && v > hi);
        if beyond(a.0, b.0, xr.0, xr.1) || beyond(a.1, b.1, yr.0, yr.1) {
            return None;
        }
        Some((self.clip(a), self.clip(b)))
    }

    /// Whether `p` is finite and inside the ranges.
    fn inside(&self, p: (f64, f64)) -> bool {
        let (xr, yr) = (self.x, self.y);
        finite2(p) && p.0 >= xr.0 && p.0 <= xr.1 && p.1 >= yr.0 && p.1 <= yr.1
    }

    /// `p` clamped to the ranges widened by one span each side (see [`Plot::visible`]).
    fn clip(&self, p: (f64, f64)) -> (f64, f64) {
        let (xr, yr) = (self.x, self.y);
        let (sx, sy) = (xr.1 - xr.0, yr.1 - yr.0);
        (
            p.0.max(xr.0 - sx).min(xr.1 + sx),
            p.1.max(yr.0 - sy).min(yr.1 + sy),
        )
    }

    fn dashed<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        a: (f64, f64),
        b: (f64, f64),
        style: ShapeStyle,
    ) -> DrawResult<(), DB> {
        match self.visible(a, b) {
            Some((a, b)) => dashed_px(area, self.map(a), self.map(b), style),
            None => Ok(()),
        }
    }

    fn line<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        a: (f64, f64),
        b: (f64, f64),
        style: ShapeStyle,
    ) -> DrawResult<(), DB> {
        match self.visible(a, b) {
            Some((a, b)) => path(area, vec![self.map(a), self.map(b)], style),
            None => Ok(()),
        }
    }

    /// A filled rectangle between two data points (clamped as [`Plot::clip`]).
    fn rect<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        a: (f64, f64),
        b: (f64, f64),
        style: ShapeStyle,
    ) -> DrawResult<(), DB> {
        rect(area, self.map(self.clip(a)), self.map(self.clip(b)), style)
    }

    /// Text at a data point (inside the ranges, else nothing) with a pixel offset.
    fn label<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        at: (f64, f64),
        offset: Px,
        s: &str,
        style: &TextStyle,
    ) -> DrawResult<(), DB> {
        if self.inside(at) {
            let p = self.map(at);
            write(area, s, (p.0 + offset.0, p.1 + offset.1), style)?;
        }
        Ok(())
    }
}

/// Pushes intervals apart along one axis: `centres[i] ± half[i]` are moved as little as needed so
/// that neighbours (in sorted order) are `gap` apart, staying inside `[lo, hi]` when there is
/// room (when there is not, they overflow `hi`). Returns the new centres in input order.
///
/// ```
/// use harvest_features::charts::spread_intervals;
/// let c = spread_intervals(&[10.0, 12.0, 50.0], &[5.0, 5.0, 5.0], 2.0, 0.0, 100.0);
/// assert!(c[1] - c[0] >= 12.0 - 1e-9);
/// assert_eq!(c[2], 50.0);
/// ```
pub fn spread_intervals(centres: &[f64], half: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let n = centres.len().min(half.len());
    let mut order: Vec<usize> = (0..n).collect();
    crate::sort::sort_by(&mut order, |&a, &b| centres[a].total_cmp(&centres[b]));
    let mut pos: Vec<f64> = order
        .iter()
        .map(|&i| {
            if centres[i].is_finite() {
                centres[i]
            } else {
                lo
            }
        })
        .collect();
    let h: Vec<f64> = order.iter().map(|&i| half[i]).collect();
    // Backward pass from hi, then forward pass from lo (lo wins when there is no room).
    for k in (0..n).rev() {
        let max = if k + 1 == n {
            hi - h[k]
        } else {
            pos[k + 1] - h[k + 1] - gap - h[k]
        };
        pos[k] = pos[k].min(max);
    }
    for k in 0..n {
        let min = if k == 0 {
            lo + h[k]
        } else {
            pos[k - 1] + h[k - 1] + gap + h[k]
        };
        pos[k] = pos[k].max(min);
    }
    let mut out = vec![0.0; n];
    for (k, &i) in order.iter().enumerate() {
        out[i] = pos[k];
    }
    out
}

/// Pixel-space headline at the top-left of `area`.
fn headline<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    theme: &ChartTheme,
    rgb: Rgb,
) -> DrawResult<(), DB> {
    write(
        area,
        s,
        (8, 5),
        &text_at(theme, theme.caption_size, rgb, HPos::Left, VPos::Top),
    )
}

fn clamp_to(v: f64, r: (f64, f64)) -> f64 {
    v.max(r.0).min(r.1)
}

// ---------------------------------------------------------------------------------------------
// Kill-score explainer.

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
    area: &DrawingArea<DB, Shift>,
    data: &KillExplainer,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    area.fill(&color(theme.background))?;
    let state = if data.killed {
        theme.danger
    } else {
        theme.foreground
    };
    headline(area, &data.headline(), theme, state)?;
    let (zlo, zhi) = data.z_range;
    let plot = Plot::new(area, [26, 12, 4, 4], (34, 38), (zlo, zhi), (0.0, 1.0));
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
            y_price: false,
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
    let dstyle = color(theme.danger).stroke_width(1);
    if thr.is_finite() {
        plot.dashed(area, (zlo, thr), (zhi, thr), dstyle)?;
        plot.label(
            area,
            (zlo, thr),
            (4, -3),
            &format!("K ≥ {} → FULL CLOSE", fmt_k(thr)),
            &text_at(theme, small, theme.danger, HPos::Left, VPos::Bottom),
        )?;
    }
    if zs.is_finite() {
        plot.dashed(area, (zs, 0.0), (zs, 1.0), dstyle)?;
        plot.label(
            area,
            (zs, 1.0),
            (-4, 4),
            &format!("z* {}", fmt_tick(zs)),
            &text_at(theme, small, theme.danger, HPos::Right, VPos::Top),
        )?;
    }

    // Stacked contributions from z = 0: z is their sum.
    let (b0, b1) = (0.025, 0.085);
    let mut start = 0.0_f64;
    for (i, c) in data.components.iter().enumerate() {
        let w = c.contribution;
        if w.is_finite() && w != 0.0 {
            let (a, b) = (clamp_to(start, (zlo, zhi)), clamp_to(start + w, (zlo, zhi)));
            plot.rect(area, (a, b0), (b, b1), color(theme.components[i]).filled())?;
            start += w;
        }
    }

    // The curve, then the current point with a drop line to the bar.
    path(
        area,
        data.curve
            .iter()
            .filter(|p| finite2(**p))
            .map(|&p| plot.map(plot.clip(p)))
            .collect(),
        color(theme.accent).stroke_width(2),
    )?;
    let cur = (data.z, data.k);
    if finite2(cur) {
        plot.dashed(area, (data.z, b1), cur, color(theme.muted).stroke_width(1))?;
        let c = plot.map(plot.clip(cur));
        circle(area, c, 5, color(state).filled())?;
        circle(area, c, 7, color(theme.background).stroke_width(2))?;
        plot.label(
            area,
            cur,
            (-9, -6),
            &format!("K {}", fmt_k(data.k)),
            &text_at(theme, theme.font_size, state, HPos::Right, VPos::Bottom),
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
        write(
            area,
            &s,
            (right - 14, y),
            &text_at(theme, small, fg, HPos::Right, VPos::Center),
        )?;
        if let Some(sw) = swatch {
            rect(area, (right - 9, y - 4), (right, y + 4), color(sw).filled())?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// R ladder.

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
    area: &DrawingArea<DB, Shift>,
    data: &RLadder,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    area.fill(&color(theme.background))?;
    let killed = data.action == HarvestAction::FullCloseProposed;
    let head = data.full_headline();
    headline(
        area,
        &head,
        theme,
        if killed {
            theme.danger
        } else {
            theme.foreground
        },
    )?;
    let (lo, hi) = data.range;
    let plot = Plot::new(area, [26, 14, 4, 14], (34, 0), (lo, hi), (0.0, 1.0));
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
            y_price: false,
        },
    )?;

    let (b0, b1) = (0.34, 0.70);
    let px_per_r = f64::from(plot.r - plot.l) / (hi - lo);
    let fs = theme.font_size;
    for band in &data.bands {
        let fill = theme.action_color(band.action);
        plot.rect(area, (band.lo, b0), (band.hi, b1), color(fill).filled())?;
        let name = action_short(band.action);
        if (band.hi - band.lo) * px_per_r > text_width(name, fs) + 6.0 {
            plot.label(
                area,
                ((band.lo + band.hi) / 2.0, (b0 + b1) / 2.0),
                (0, 0),
                name,
                &text_at(theme, fs, fill.ink_on(), HPos::Center, VPos::Center),
            )?;
        }
    }
    // Triggers, labelled above the bands.
    let trigger_label = text_at(theme, fs - 1.0, theme.muted, HPos::Center, VPos::Bottom);
    for (i, &t) in data.triggers.iter().enumerate() {
        if t.is_finite() && t >= lo && t <= hi {
            plot.line(
                area,
                (t, b0 - 0.06),
                (t, b1 + 0.06),
                color(theme.foreground).stroke_width(1),
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
            color(theme.lock).stroke_width(2),
        )?;
        plot.label(
            area,
            (from_px(spread[0]), 0.16),
            (0, 0),
            &lock_label,
            &text_at(theme, fs - 1.0, theme.lock, HPos::Center, VPos::Center),
        )?;
    }
    if data.r_net.is_finite() {
        let r = clamp_to(data.r_net, (lo, hi));
        let ink = if killed {
            theme.danger
        } else {
            theme.foreground
        };
        plot.line(area, (r, 0.24), (r, b1 + 0.02), color(ink).stroke_width(3))?;
        if plot.inside((r, b1 + 0.02)) {
            let (x, y) = plot.map((r, b1 + 0.02));
            polygon(
                area,
                vec![(x, y), (x - 6, y - 9), (x + 6, y - 9)],
                color(ink).filled(),
            )?;
        }
        plot.label(
            area,
            (from_px(spread[1]), 0.02),
            (0, 0),
            &r_label,
            &text_at(theme, fs + 1.0, ink, HPos::Center, VPos::Bottom),
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Stop ladder.

fn level_color(kind: LevelKind, theme: &ChartTheme) -> Rgb {
    match kind {
        LevelKind::Entry => theme.entry,
        LevelKind::CurrentSl => theme.stop,
        LevelKind::ProposedSl => theme.proposed,
        LevelKind::BePlus => theme.lock,
        LevelKind::Mark => theme.mark,
    }
}

/// Draws the stop ladder: entry, current SL, proposed SL, BE+ and the implied mark price as
/// horizontal lines on one vertical price axis (labels on the right, pushed apart when close;
/// coincident levels share a label such as `BE+ = new SL 100.2`), the profit (or loss) zone
/// between entry and mark shaded, and the stop move as an arrow labelled `99 → 100.2`.
/// Headline: [`StopLadder::headline`].
///
/// # Errors
/// Whatever the backend reports.
///
/// ```
/// use harvest_features::charts::{draw_stop_ladder, stop_ladder, ChartTheme};
/// use harvest_kernel::HarvestInput;
/// use plotters::prelude::*;
/// let mut input = HarvestInput::default();
/// input.position.unrealized_pnl = 5.0;
/// let mut svg = String::new();
/// {
///     let root = SVGBackend::with_string(&mut svg, (420, 220)).into_drawing_area();
///     draw_stop_ladder(&root, &stop_ladder(&input), &ChartTheme::light()).unwrap();
/// }
/// assert!(svg.contains("99 → 100.2"));
/// ```
pub fn draw_stop_ladder<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &StopLadder,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    area.fill(&color(theme.background))?;
    headline(area, &data.headline(), theme, theme.foreground)?;
    let (lo, hi) = data.range;
    let plot = Plot::new(area, [26, 8, 8, 4], (0, 58), (0.0, 1.0), (lo, hi));
    plot.axes(
        area,
        theme,
        &Axes {
            x_desc: "",
            y_desc: "price (quote)",
            x_ticks: 0,
            y_ticks: 6,
            x_grid: false,
            y_grid: true,
            y_price: true,
        },
    )?;

    let line_end = 0.5;
    // Profit (or loss) zone between entry and mark.
    if data.entry.is_finite() && data.mark.is_finite() && data.mark != data.entry {
        let gain = data.side.sign() * (data.mark - data.entry) > 0.0;
        let zone = if gain { theme.proposed } else { theme.danger };
        plot.rect(
            area,
            (0.0, clamp_to(data.entry, (lo, hi))),
            (line_end, clamp_to(data.mark, (lo, hi))),
            color(zone).mix(0.10).filled(),
        )?;
    }
    // Merge coincident levels (e.g. the proposed SL is the BE+ level).
    let mut groups: Vec<(f64, Vec<LevelKind>)> = Vec::new();
    for l in &data.levels {
        let tol = 1e-9 * l.price.abs().max(1.0);
        match groups.last_mut() {
            Some((p, kinds)) if (l.price - *p).abs() <= tol => kinds.push(l.kind),
            _ => groups.push((l.price, vec![l.kind])),
        }
    }
    for (price, kinds) in &groups {
        for &k in kinds {
            let width = match k {
                LevelKind::CurrentSl | LevelKind::ProposedSl => 2,
                _ => 1,
            };
            let st = color(level_color(k, theme)).stroke_width(width);
            if matches!(k, LevelKind::BePlus | LevelKind::Entry) {
                plot.dashed(area, (0.0, *price), (line_end, *price), st)?;
            } else {
                plot.line(area, (0.0, *price), (line_end, *price), st)?;
            }
        }
    }
    // Right-hand labels, spread vertically, with leader lines.
    let (ptop, pbot) = (f64::from(plot.t), f64::from(plot.b));
    let to_py = |p: f64| pbot - (p - lo) / (hi - lo) * (pbot - ptop);
    let from_py = |y: f64| lo + (pbot - y) / (pbot - ptop) * (hi - lo);
    let line_h = theme.font_size + 3.0;
    let centres: Vec<f64> = groups.iter().map(|(p, _)| to_py(*p)).collect();
    let halves = vec![line_h / 2.0; groups.len()];
    let spread = spread_intervals(&centres, &halves, 1.0, ptop, pbot);
    for ((price, kinds), y) in groups.iter().zip(spread) {
        // Strongest kind first: the proposed/current stop, then BE+, mark, entry.
        let mut kinds = kinds.clone();
        crate::sort::sort_by_key(&mut kinds, |k| match k {
            LevelKind::ProposedSl => 0,
            LevelKind::CurrentSl => 1,
            LevelKind::BePlus => 2,
            LevelKind::Mark => 3,
            LevelKind::Entry => 4,
        });
        let mut s = String::new();
        for (i, k) in kinds.iter().enumerate() {
            if i > 0 {
                s.push_str(" = ");
            }
            s.push_str(k.label());
        }
        s.push(' ');
        s.push_str(&fmt_price(*price));
        let ly = from_py(y);
        plot.line(
            area,
            (line_end, *price),
            (line_end + 0.04, ly),
            color(theme.muted).stroke_width(1),
        )?;
        plot.label(
            area,
            (line_end + 0.05, ly),
            (0, 0),
            &s,
            &text_at(
                theme,
                theme.font_size,
                level_color(kinds[0], theme),
                HPos::Left,
                VPos::Center,
            ),
        )?;
    }
    // The stop move.
    let x = 0.2;
    if let Some(a) = data
        .arrow
        .filter(|a| plot.inside((x, a.from)) && plot.inside((x, a.to)))
    {
        let ink = theme.proposed;
        plot.line(area, (x, a.from), (x, a.to), color(ink).stroke_width(3))?;
        let (tx, ty) = plot.map((x, a.to));
        let d = if a.rises() { 10 } else { -10 };
        polygon(
            area,
            vec![(tx, ty), (tx - 6, ty + d), (tx + 6, ty + d)],
            color(ink).filled(),
        )?;
        circle(area, plot.map((x, a.from)), 3, color(theme.stop).filled())?;
        let (mx, my) = plot.map((x, (a.from + a.to) / 2.0));
        let label = a.label();
        let w = text_width(&label, theme.font_size) as i32 + 8;
        let h = line_h as i32;
        rect(
            area,
            (mx + 8, my - h / 2),
            (mx + 8 + w, my + h / 2),
            color(theme.background).mix(0.85).filled(),
        )?;
        write(
            area,
            &label,
            (mx + 12, my),
            &text_at(theme, theme.font_size, ink, HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sensitivity small multiples.

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
    area: &DrawingArea<DB, Shift>,
    data: &Sensitivity,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    area.fill(&color(theme.background))?;
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
    area: &DrawingArea<DB, Shift>,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    area.fill(&color(theme.background))?;
    write(
        area,
        "action (strip under each curve)",
        (12, 10),
        &text_at(theme, theme.font_size, theme.muted, HPos::Left, VPos::Top),
    )?;
    let lh = (theme.font_size + 9.0) as i32;
    let name = text_at(
        theme,
        theme.font_size,
        theme.foreground,
        HPos::Left,
        VPos::Center,
    );
    for (i, a) in HarvestAction::ALL.into_iter().enumerate() {
        let y = 36 + i as i32 * lh;
        rect(
            area,
            (14, y - 6),
            (30, y + 6),
            color(theme.action_color(a)).filled(),
        )?;
        write(area, a.as_str(), (38, y), &name)?;
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
    area: &DrawingArea<DB, Shift>,
    curve: &SensitivityCurve,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    area.fill(&color(theme.background))?;
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
    headline(
        area,
        &head,
        theme,
        if killed {
            theme.danger
        } else {
            theme.foreground
        },
    )?;
    let value = |p: &super::data::SensPoint| if show_r { p.r_net } else { p.k };
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
    let plot = Plot::new(area, [24, 12, 2, 2], (32, 40), (xlo, xhi), (ylo, yhi));
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
            y_price: false,
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
                color(theme.action_color(a.action)).filled(),
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
            plot.dashed(
                area,
                (line_x.min(xhi), v),
                (xhi, v),
                color(ink).stroke_width(1),
            )?;
            let y = y.round() as i32;
            path(
                area,
                vec![(line_px - 8, y), (line_px, c.round() as i32)],
                color(ink).stroke_width(1),
            )?;
            write(
                area,
                &s,
                (left, y),
                &text_at(theme, fs, ink, HPos::Left, VPos::Center),
            )?;
        }
    } else {
        let k = curve.thresholds.kill;
        plot.dashed(
            area,
            (xlo, k),
            (xhi, k),
            color(theme.danger).stroke_width(1),
        )?;
        plot.label(
            area,
            (xlo, k),
            (4, -2),
            &format!("threshold {}", fmt_k(k)),
            &text_at(theme, fs, theme.danger, HPos::Left, VPos::Bottom),
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
            .map(|p| plot.map(plot.clip(p)))
            .collect(),
        color(theme.accent).stroke_width(2),
    )?;
    let cp = (cur.x, value(&cur));
    if plot.inside(cp) {
        plot.dashed(
            area,
            (cur.x, ylo),
            (cur.x, yhi),
            color(theme.muted).stroke_width(1),
        )?;
        circle(
            area,
            plot.map(cp),
            4,
            color(if killed {
                theme.danger
            } else {
                theme.foreground
            })
            .filled(),
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Action map.

/// A rectangle in pixels, relative to the drawing area's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotRect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub w: i32,
    /// Height.
    pub h: i32,
}

const MAP_TOP: i32 = 24;
const MAP_BOTTOM: i32 = 36;
const MAP_LEFT: i32 = 54;
const MAP_RIGHT: i32 = 12;

/// Where [`draw_action_map`] puts the cells in an area `width × height` px: the rectangle the
/// pixel buffer ([`action_map_rgba`](super::action_map_rgba)) is scaled into. Left 54 px
/// (y ticks and title), bottom 36 px (x ticks and title), top 24 px (legend), right 12 px.
///
/// ```
/// use harvest_features::charts::{action_map_plot_rect, PlotRect};
/// assert_eq!(action_map_plot_rect(400, 300), PlotRect { x: 54, y: 24, w: 334, h: 240 });
/// ```
pub fn action_map_plot_rect(width: u32, height: u32) -> PlotRect {
    let (w, h) = (
        i32::try_from(width).unwrap_or(i32::MAX),
        i32::try_from(height).unwrap_or(i32::MAX),
    );
    PlotRect {
        x: MAP_LEFT,
        y: MAP_TOP,
        w: (w - MAP_LEFT - MAP_RIGHT).max(0),
        h: (h - MAP_TOP - MAP_BOTTOM).max(0),
    }
}

/// What [`draw_action_map`] draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapLayer {
    /// Everything: background, cells as rectangles (runs of equal cells merged), axes, legend,
    /// contour and current point. For SVG and tests.
    Full,
    /// Everything but the background and the cells: drawn over the pixel buffer already blitted
    /// into [`action_map_plot_rect`] (the canvas path, see `charts::canvas::paint_action_map`).
    Overlay,
}

/// Draws the action map: cells coloured by action (unless [`MapLayer::Overlay`]), the axes with
/// their titles and units, the `K = kill_threshold` contour, the current point (labelled with
/// its action) and a legend row. Returns the plot rectangle (equal to
/// [`action_map_plot_rect`] of the area's size).
///
/// # Errors
/// Whatever the backend reports.
///
/// ```
/// use harvest_features::charts::{action_map, draw_action_map, ActionMapSpec, ChartTheme, MapLayer};
/// use harvest_kernel::{Axis, HarvestInput};
/// use plotters::prelude::*;
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::Sigma, Axis::AgeSec, 40, 30));
/// let mut svg = String::new();
/// {
///     let root = SVGBackend::with_string(&mut svg, (400, 300)).into_drawing_area();
///     draw_action_map(&root, &map, &ChartTheme::light(), MapLayer::Full).unwrap();
/// }
/// assert!(svg.contains("K = 0.6"));
/// ```
pub fn draw_action_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    map: &ActionMap,
    theme: &ChartTheme,
    layer: MapLayer,
) -> DrawResult<PlotRect, DB> {
    if layer == MapLayer::Full {
        area.fill(&color(theme.background))?;
    }
    let spec = &map.spec;
    let (xlo, xhi) = spec.x_range;
    let (ylo, yhi) = spec.y_range;
    let plot = Plot::new(
        area,
        [MAP_TOP, MAP_RIGHT, 0, 0],
        (MAP_BOTTOM, MAP_LEFT),
        (xlo, xhi),
        (ylo, yhi),
    );
    let (nx, ny) = (spec.nx, spec.ny);
    if layer == MapLayer::Full && map.cells.len() == nx * ny && nx > 0 {
        let dx = (xhi - xlo) / nx as f64;
        let dy = (yhi - ylo) / ny as f64;
        for j in 0..ny {
            let row = &map.cells[j * nx..(j + 1) * nx];
            let mut i = 0;
            while i < nx {
                let a = row[i].action;
                let mut e = i + 1;
                while e < nx && row[e].action == a {
                    e += 1;
                }
                plot.rect(
                    area,
                    (xlo + i as f64 * dx, ylo + j as f64 * dy),
                    (xlo + e as f64 * dx, ylo + (j + 1) as f64 * dy),
                    color(theme.action_color(a)).filled(),
                )?;
                i = e;
            }
        }
    }
    plot.axes(
        area,
        theme,
        &Axes {
            x_desc: &axis_title(spec.x),
            y_desc: &axis_title(spec.y),
            x_ticks: 6,
            y_ticks: 6,
            x_grid: false,
            y_grid: false,
            y_price: false,
        },
    )?;
    // Contour with a halo so it reads on any cell colour.
    for (w, ink) in [(4, theme.background), (2, theme.foreground)] {
        for s in map.contour.iter().filter(|s| finite2(s.a) && finite2(s.b)) {
            path(
                area,
                vec![plot.map(plot.clip(s.a)), plot.map(plot.clip(s.b))],
                color(ink).stroke_width(w),
            )?;
        }
    }
    // The current point.
    let cur = map.current;
    if plot.inside(cur) {
        let fill = theme.action_color(map.current_action);
        let c = plot.map(cur);
        circle(area, c, 8, color(theme.background).filled())?;
        circle(area, c, 6, color(fill).filled())?;
        circle(area, c, 6, color(theme.foreground).stroke_width(2))?;
        let right_half = cur.0 > (xlo + xhi) / 2.0;
        let s = format!("now: {}", action_short(map.current_action));
        let (dx, h) = if right_half {
            (-12, HPos::Right)
        } else {
            (12, HPos::Left)
        };
        let w = text_width(&s, theme.font_size) as i32 + 8;
        let lh = (theme.font_size + 5.0) as i32;
        let (bx0, bx1) = if right_half {
            (dx - w + 4, dx + 4)
        } else {
            (dx - 4, dx + w - 4)
        };
        rect(
            area,
            (c.0 + bx0, c.1 - lh / 2),
            (c.0 + bx1, c.1 + lh / 2),
            color(theme.background).mix(0.85).filled(),
        )?;
        write(
            area,
            &s,
            (c.0 + dx, c.1),
            &text_at(theme, theme.font_size, theme.foreground, h, VPos::Center),
        )?;
    }
    // Legend row.
    let mut x = MAP_LEFT;
    let y = 11;
    let small = text_at(
        theme,
        theme.font_size - 1.0,
        theme.foreground,
        HPos::Left,
        VPos::Center,
    );
    for a in HarvestAction::ALL {
        rect(
            area,
            (x, y - 5),
            (x + 10, y + 5),
            color(theme.action_color(a)).filled(),
        )?;
        let s = if a == HarvestAction::FullCloseProposed {
            "FULL"
        } else {
            action_short(a)
        };
        write(area, s, (x + 14, y), &small)?;
        x += 14 + text_width(s, theme.font_size - 1.0) as i32 + 10;
    }
    path(
        area,
        vec![(x, y), (x + 16, y)],
        color(theme.foreground).stroke_width(2),
    )?;
    write(
        area,
        &format!("K = {}", fmt_k(map.threshold)),
        (x + 20, y),
        &small,
    )?;
    Ok(PlotRect {
        x: plot.l,
        y: plot.t,
        w: plot.r - plot.l,
        h: plot.b - plot.t,
    })
}
