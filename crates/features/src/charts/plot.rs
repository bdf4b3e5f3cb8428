//! The one plot frame every chart draws through: a pixel rectangle inside a plotters
//! [`DrawingArea`] and the data ranges it shows ([`Plot`]), nice ticks ([`ticks`]), the grid and
//! axes ([`Plot::axes`]), and the few plotters elements the charts use (paths, dashed lines,
//! rectangles, circles, polygons, text), in pixels or in data coordinates.
//!
//! The charts draw these elements on the area itself rather than through plotters'
//! `ChartBuilder` and mesh: the layout, the pixel mapping ([`Plot::map`]) and the tick
//! algorithm ([`ticks`]) are plotters' own for an `f64` range, written once here for every chart.
//!
//! Non-finite data never panics: such points are skipped ([`Plot::visible`], [`Plot::inside`])
//! and coordinates far outside the ranges are clamped ([`Plot::clip`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

use super::theme::{ChartTheme, Rgb};
use crate::format::{fmt_price, fmt_tick};

/// The area a chart draws on.
pub type Area<DB> = DrawingArea<DB, Shift>;

/// What a `draw_*` function returns: the plotters error of the backend, if any.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A point in pixels, relative to the area's top-left corner.
pub type Px = (i32, i32);

/// The plotters colour of a theme colour.
pub fn color(rgb: Rgb) -> RGBColor {
    RGBColor(rgb.0, rgb.1, rgb.2)
}

/// A line of `width` px in `rgb`.
pub fn stroke(rgb: Rgb, width: u32) -> ShapeStyle {
    color(rgb).stroke_width(width)
}

/// A fill in `rgb`.
pub fn fill(rgb: Rgb) -> ShapeStyle {
    color(rgb).filled()
}

/// Text in the theme's font at `size` px in `rgb`, anchored at (`h`, `v`). The family is given
/// by name ([`FontFamily::Name`]): plotters' `&str` conversion lowercases it for nothing.
pub fn font(theme: &ChartTheme, size: f64, rgb: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(theme.font), size, FontStyle::Normal)
        .color(&color(rgb))
        .pos(Pos::new(h, v))
}

/// [`font`] at the theme's size: headlines of a part, keys, labels.
pub fn text_style(theme: &ChartTheme, rgb: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
    font(theme, theme.font_size, rgb, h, v)
}

/// [`font`] a pixel under the theme's size: axis values, legends, notes.
pub fn small_style(theme: &ChartTheme, rgb: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
    font(theme, theme.font_size - 1.0, rgb, h, v)
}

/// Estimated width in px of `s` at `size` px (average glyph ≈ 0.55 em); used only to keep
/// labels apart, never for exact layout.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.55
}

/// Whether both coordinates are finite.
pub fn finite2(p: (f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

/// `v` clamped into `r`.
pub fn clamp_to(v: f64, r: (f64, f64)) -> f64 {
    v.max(r.0).min(r.1)
}

/// `n` evenly spaced values from `lo` to `hi` inclusive (`n ≥ 2`; fewer gives `[lo, hi]`).
pub(crate) fn linspace(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
    let n = n.max(2);
    (0..n).map(move |i| {
        if i + 1 == n {
            hi
        } else {
            lo + (hi - lo) * (i as f64 / (n - 1) as f64)
        }
    })
}

/// The range a chart shows while its values move (a slider dragged): the values' range
/// `values` with `pad` either side ([`sane_range`] with `fallback` where that is not usable),
/// steadied against the range shown before:
/// - while every value is still inside the previous range (an eighth of its padding from the
///   edges) and
///   that range is at most 16 times as wide as what is needed now, the previous range: the axis
///   stays put;
/// - where a value left it, that side moves out by three times the needed width (the values are
///   moving that way: the axis makes room ahead of them), rounded out to a 1-2-5 step; the other
///   side keeps its edge where that still holds the padded values and the range is at most 16
///   times as wide as needed, else it is the needed edge;
/// - a previous range more than 16 times too wide gives way to the needed one, with room for
///   three widths on the side of the old range the values are nearer to (they are heading
///   there).
///
/// Only the values decide whether the axis moves, not their padding (which grows with their
/// spread): a drag across the whole span of an input rescales the axis a few times, not at
/// every step. Without a previous range, the needed range itself.
///
/// ```
/// use harvest_features::charts::steady_range;
/// let fallback = (0.0, 1.0);
/// assert_eq!(steady_range(None, (0.0, 6.0), 0.5, fallback), (-0.5, 6.5));
/// // Still inside: the axis stays.
/// assert_eq!(steady_range(Some((-0.5, 6.5)), (-0.2, 6.0), 0.5, fallback), (-0.5, 6.5));
/// // A value left below: room for three widths below, rounded to the step (2); the top stays.
/// assert_eq!(steady_range(Some((-0.5, 6.5)), (-0.6, 6.0), 0.5, fallback), (-24.0, 6.5));
/// // Far too wide for what is shown now: what is needed, with room above (the values came down
/// // from there to the top of the old range and go on).
/// assert_eq!(steady_range(Some((-200.0, 6.5)), (0.0, 6.0), 0.5, fallback), (-0.5, 28.0));
/// ```
pub fn steady_range(
    prev: Option<(f64, f64)>,
    values: (f64, f64),
    pad: f64,
    fallback: (f64, f64),
) -> (f64, f64) {
    const MAX_WIDER: f64 = 16.0;
    let needed = sane_range((values.0 - pad, values.1 + pad), fallback);
    let Some(prev) = prev.filter(|p| finite2(*p) && p.1 > p.0) else {
        return needed;
    };
    let (lo, hi) = needed;
    let width = hi - lo;
    if !(finite2(values) && finite2(needed) && width > 0.0) {
        return needed;
    }
    // A value closer to an edge than an eighth of its padding is (nearly) off the chart.
    let below = values.0 < prev.0 + pad / 8.0;
    let above = values.1 > prev.1 - pad / 8.0;
    let step = nice_step(width / 4.0);
    if !below && !above {
        if prev.1 - prev.0 <= MAX_WIDER * width {
            return prev;
        }
        // Far too wide: the needed range, with room for three widths on the side of the old
        // range the values are nearer to (they came from the other: they are heading there).
        return if values.0 - prev.0 < prev.1 - values.1 {
            (((lo - 3.0 * width) / step).floor() * step, hi)
        } else {
            (lo, ((hi + 3.0 * width) / step).ceil() * step)
        };
    }
    let mut lo2 = if below {
        ((lo - 3.0 * width) / step).floor() * step
    } else {
        prev.0.min(lo)
    };
    let mut hi2 = if above {
        ((hi + 3.0 * width) / step).ceil() * step
    } else {
        prev.1.max(hi)
    };
    if hi2 - lo2 > MAX_WIDER * width {
        if !below {
            lo2 = lo;
        }
        if !above {
            hi2 = hi;
        }
    }
    (lo2, hi2)
}

/// The 1-2-5 step at or above `v > 0` (`0.3` → `0.5`, `1.9` → `2`, `7` → `10`).
fn nice_step(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    let f = v / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
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
// Pixel primitives: the only plotters elements the charts draw.

/// A polyline in pixels (nothing for fewer than two points).
///
/// # Errors
/// The backend's drawing errors (so for every drawing function here).
pub fn path<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: Vec<Px>,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    if pts.len() < 2 {
        return Ok(());
    }
    area.draw(&PathElement::new(pts, style))
}

/// A straight line in pixels.
pub fn line<DB: DrawingBackend>(
    area: &Area<DB>,
    a: Px,
    b: Px,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    path(area, vec![a, b], style)
}

/// A rectangle between two corners in pixels, filled or outlined as `style` says.
pub fn rect<DB: DrawingBackend>(
    area: &Area<DB>,
    a: Px,
    b: Px,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    let ul = (a.0.min(b.0), a.1.min(b.1));
    let br = (a.0.max(b.0), a.1.max(b.1));
    area.draw(&Rectangle::new([ul, br], style))
}

/// A circle of radius `r` px around `c`.
pub fn circle<DB: DrawingBackend>(
    area: &Area<DB>,
    c: Px,
    r: i32,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    area.draw(&Circle::new(c, r, style))
}

/// A filled polygon in pixels (nothing for fewer than three points).
pub fn polygon<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: Vec<Px>,
    style: ShapeStyle,
) -> DrawResult<(), DB> {
    if pts.len() < 3 {
        return Ok(());
    }
    area.draw(&Polygon::new(pts, style))
}

/// Text at a pixel, placed by `style`'s anchor.
pub fn text<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    at: Px,
    style: &TextStyle,
) -> DrawResult<(), DB> {
    area.draw_text(s, style, at)
}

/// A dashed segment in pixels: 5 px dashes, 4 px gaps (as plotters' `DashedLineSeries`); a
/// solid line when the segment is empty or absurdly long.
pub fn dashed<DB: DrawingBackend>(
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
        return line(area, a, b, style);
    }
    let at = |s: f64| {
        (
            a.0 + (dx * s / len).round() as i32,
            a.1 + (dy * s / len).round() as i32,
        )
    };
    let mut s = 0.0;
    while s < len {
        line(area, at(s), at((s + 5.0).min(len)), style)?;
        s += 9.0;
    }
    Ok(())
}

/// A row of legend keys, the first from `at` (its left edge and the row's centre): a swatch and
/// its words each.
pub fn legend_row<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &ChartTheme,
    at: Px,
    items: &[(&str, Rgb)],
) -> DrawResult<(), DB> {
    let s = text_style(theme, theme.foreground, HPos::Left, VPos::Center);
    let mut x = at.0;
    for (label, c) in items {
        rect(area, (x, at.1 - 2), (x + 14, at.1 + 2), fill(*c))?;
        text(area, label, (x + 18, at.1), &s)?;
        x += 28 + 7 * label.chars().count() as i32;
    }
    Ok(())
}

/// Starts a chart: fills `area` with the theme's background and returns its size in pixels.
pub fn begin<DB: DrawingBackend>(area: &Area<DB>, theme: &ChartTheme) -> DrawResult<Px, DB> {
    area.fill(&color(theme.background))?;
    let (w, h) = area.dim_in_pixel();
    Ok((
        i32::try_from(w).unwrap_or(i32::MAX),
        i32::try_from(h).unwrap_or(i32::MAX),
    ))
}

/// A headline in the caption size at `at` (the top-left corner of its text) in `rgb`.
pub fn headline_at<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    at: Px,
    theme: &ChartTheme,
    rgb: Rgb,
) -> DrawResult<(), DB> {
    let style = font(theme, theme.caption_size, rgb, HPos::Left, VPos::Top);
    text(area, s, at, &style)
}

/// The chart's headline at the top-left of `area`.
pub fn headline<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    theme: &ChartTheme,
    rgb: Rgb,
) -> DrawResult<(), DB> {
    headline_at(area, s, (8, 5), theme, rgb)
}

/// `s` broken at spaces into lines at most `width` px wide at `size` px ([`text_width`]'s
/// estimate; a word wider than a line stands alone on its line).
///
/// ```
/// use harvest_features::charts::plot::wrap;
/// assert_eq!(wrap("a bb ccc", 12.0, 1000.0), vec!["a bb ccc"]);
/// assert_eq!(wrap("a bb ccc", 12.0, 30.0), vec!["a bb", "ccc"]);
/// assert_eq!(wrap("", 12.0, 10.0), vec![""]);
/// ```
pub fn wrap(s: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let next = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if !cur.is_empty() && text_width(&next, size) > width {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        } else {
            cur = next;
        }
    }
    lines.push(cur);
    lines
}

/// The chart's headline at the top-left of `area`, wrapped to its width: returns the y of the
/// bottom of its last line, px (18 for one line).
pub fn headline_wrapped<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    theme: &ChartTheme,
    rgb: Rgb,
) -> DrawResult<i32, DB> {
    let (w, _) = area.dim_in_pixel();
    let lines = wrap(s, theme.caption_size, f64::from(w) - 16.0);
    let step = (theme.caption_size * 1.25).round() as i32;
    let mut y = 5;
    for line in &lines {
        headline_at(area, line, (8, y), theme, rgb)?;
        y += step;
    }
    Ok(y - step + theme.caption_size.round() as i32)
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
    order.sort_by(|&a, &b| centres[a].total_cmp(&centres[b]));
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

// ---------------------------------------------------------------------------------------------
// Ticks.

/// "Nice" tick values in `range`, at most about `max` of them (steps 1, 2, 5 × 10ⁿ): plotters'
/// key points for an `f64` axis.
///
/// ```
/// use harvest_features::charts::ticks;
/// assert_eq!(ticks((0.0, 1.0), 6), vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
/// assert_eq!(ticks((9650.0, 10420.0), 4), vec![9800.0, 10000.0, 10200.0, 10400.0]);
/// assert!(ticks((0.0, f64::INFINITY), 5).is_empty());
/// ```
pub fn ticks(range: (f64, f64), max: usize) -> Vec<f64> {
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
    // 10^⌊log10(span)⌋ (`powi`: exact for these exponents).
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

// ---------------------------------------------------------------------------------------------
// The plot frame.

/// How a y tick value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickText {
    /// [`fmt_tick`]: `108k`, `0.025`.
    Compact,
    /// [`fmt_price`]: 6 significant digits.
    Price,
}

impl TickText {
    fn of(self, v: f64) -> String {
        match self {
            TickText::Compact => fmt_tick(v),
            TickText::Price => fmt_price(v),
        }
    }
}

/// What [`Plot::axes`] draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axes<'s> {
    /// Title under the x axis (`""`: none).
    pub x_desc: &'s str,
    /// Title left of the y axis, rotated (`""`: none).
    pub y_desc: &'s str,
    /// At most how many x ticks (0: no x axis line, ticks or labels).
    pub x_ticks: usize,
    /// At most how many y ticks (0: no y axis).
    pub y_ticks: usize,
    /// Vertical grid lines at the x ticks.
    pub x_grid: bool,
    /// Horizontal grid lines at the y ticks.
    pub y_grid: bool,
    /// How the y tick labels are written.
    pub y_text: TickText,
}

impl Default for Axes<'_> {
    /// No titles, no ticks, no grid, compact labels.
    fn default() -> Self {
        Axes {
            x_desc: "",
            y_desc: "",
            x_ticks: 0,
            y_ticks: 0,
            x_grid: false,
            y_grid: false,
            y_text: TickText::Compact,
        }
    }
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

/// A plotting rectangle inside a drawing area and the data ranges it shows. Pixels are relative
/// to the area's top-left corner; `l..r` × `t..b` is the plotting rectangle (right and bottom
/// exclusive), with the y-axis label area (`yl` px wide) left of it and the x-axis label area
/// (`xl` px tall) under it, as plotters' `ChartBuilder` lays them out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    /// The x range shown.
    pub x: (f64, f64),
    /// The y range shown.
    pub y: (f64, f64),
    /// Left edge, px.
    pub l: i32,
    /// Top edge, px.
    pub t: i32,
    /// Right edge (exclusive), px.
    pub r: i32,
    /// Bottom edge (exclusive), px.
    pub b: i32,
    /// Height of the x-axis label area under the plot, px.
    pub xl: i32,
    /// Width of the y-axis label area left of the plot, px.
    pub yl: i32,
}

impl Plot {
    /// The plot in an area `size` px large after the margins (`[top, right, bottom, left]`)
    /// and the label areas (`xl` px under the plot, `yl` px left of it), showing `x × y`.
    /// Ranges that are not finite or empty are made usable ([`sane_range`]).
    ///
    /// ```
    /// use harvest_features::charts::Plot;
    /// let p = Plot::new((400, 300), [24, 12, 0, 0], (36, 54), (0.0, 1.0), (5.0, 5.0));
    /// assert_eq!((p.l, p.t, p.r, p.b), (54, 24, 388, 264));
    /// assert!(p.y.0 < 5.0 && 5.0 < p.y.1);
    /// assert_eq!(p.map((0.0, p.y.1)), (54, 24));
    /// ```
    pub fn new(
        size: Px,
        [top, right, bottom, left]: [i32; 4],
        (xl, yl): Px,
        x: (f64, f64),
        y: (f64, f64),
    ) -> Plot {
        let (w, h) = size;
        let (l, t) = (left + yl, top);
        Plot {
            x: sane_range(x, (0.0, 1.0)),
            y: sane_range(y, (0.0, 1.0)),
            l,
            t,
            r: (w - right).max(l + 1),
            b: (h - bottom - xl).max(t + 1),
            xl,
            yl,
        }
    }

    /// [`Plot::new`] on `area`'s size.
    pub fn on<DB: DrawingBackend>(
        area: &Area<DB>,
        margins: [i32; 4],
        labels: Px,
        x: (f64, f64),
        y: (f64, f64),
    ) -> Plot {
        let (w, h) = area.dim_in_pixel();
        let size = (
            i32::try_from(w).unwrap_or(i32::MAX),
            i32::try_from(h).unwrap_or(i32::MAX),
        );
        Plot::new(size, margins, labels, x, y)
    }

    /// A data point in pixels.
    pub fn map(&self, p: (f64, f64)) -> Px {
        (
            map1(p.0, self.x, (self.l, self.r - 1)),
            map1(p.1, self.y, (self.b - 1, self.t)),
        )
    }

    /// x in pixels (clipped as [`Plot::clip`]).
    pub fn px(&self, x: f64) -> i32 {
        self.at((x, self.y.0)).0
    }

    /// y in pixels (clipped as [`Plot::clip`]).
    pub fn py(&self, y: f64) -> i32 {
        self.at((self.x.0, y)).1
    }

    /// Where x lies in pixels, unrounded (for a line placed over the canvas by CSS).
    pub fn x_at(&self, x: f64) -> f64 {
        let (lo, hi) = self.x;
        f64::from(self.l) + (x - lo) / (hi - lo) * f64::from(self.r - 1 - self.l)
    }

    /// Pixels per x unit.
    pub fn x_scale(&self) -> f64 {
        f64::from(self.r - 1 - self.l) / (self.x.1 - self.x.0)
    }

    /// Pixels per y unit.
    pub fn y_scale(&self) -> f64 {
        f64::from(self.b - 1 - self.t) / (self.y.1 - self.y.0)
    }

    /// The grid, the axis lines with ticks and labels, and the axis titles (as plotters' mesh).
    pub fn axes<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &ChartTheme,
        a: &Axes,
    ) -> DrawResult<(), DB> {
        let (pw, ph) = (self.r - self.l, self.b - self.t);
        let x_area = self.xl > 0 && pw > 0;
        let y_area = self.yl > 0 && ph > 0;
        if y_area && !a.y_desc.is_empty() {
            let s = text_style(theme, theme.foreground, HPos::Center, VPos::Top)
                .transform(FontTransform::Rotate270);
            text(area, a.y_desc, (self.l - self.yl, self.t + ph / 2), &s)?;
        }
        if x_area && !a.x_desc.is_empty() {
            let s = text_style(theme, theme.foreground, HPos::Center, VPos::Bottom);
            text(area, a.x_desc, (self.l + pw / 2, self.b + self.xl), &s)?;
        }
        let xs: Vec<(i32, f64)> = ticks(self.x, a.x_ticks)
            .into_iter()
            .map(|v| (self.map((v, self.y.0)).0, v))
            .collect();
        let ys: Vec<(i32, f64)> = ticks(self.y, a.y_ticks)
            .into_iter()
            .map(|v| (self.map((self.x.0, v)).1, v))
            .collect();
        let grid = stroke(theme.grid, 1);
        if a.x_grid {
            for &(x, _) in &xs {
                line(area, (x, self.b - 1), (x, self.t), grid)?;
            }
        }
        if a.y_grid {
            for &(y, _) in &ys {
                line(area, (self.l, y), (self.r - 1, y), grid)?;
            }
        }
        let axis = stroke(theme.muted, 1);
        let tick = 5.min((f64::from(pw.min(ph)) * 0.05).round() as i32);
        let size = theme.font_size - 1.0;
        if y_area && a.y_ticks > 0 {
            let x = self.l - 1;
            line(area, (x, self.t), (x, self.b - 1), axis)?;
            let s = font(theme, size, theme.muted, HPos::Right, VPos::Center);
            for &(y, v) in &ys {
                if y >= self.t && y < self.b {
                    text(area, &a.y_text.of(v), (self.l - 2 * tick, y), &s)?;
                    line(area, (x - tick, y), (x, y), axis)?;
                }
            }
        }
        if x_area && a.x_ticks > 0 {
            let y = self.b;
            line(area, (self.l, y), (self.r - 1, y), axis)?;
            let s = font(theme, size, theme.muted, HPos::Center, VPos::Top);
            for &(x, v) in &xs {
                if x >= self.l && x < self.r {
                    text(area, &fmt_tick(v), (x, y + 2 * tick), &s)?;
                    line(area, (x, y), (x, y + tick), axis)?;
                }
            }
        }
        Ok(())
    }

    /// The segment `a`–`b` clamped to the ranges widened by one span each side (so no
    /// coordinate maps far outside the plot), or `None` when it is not finite or lies entirely
    /// beyond one edge.
    pub fn visible(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
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
    pub fn inside(&self, p: (f64, f64)) -> bool {
        let (xr, yr) = (self.x, self.y);
        finite2(p) && p.0 >= xr.0 && p.0 <= xr.1 && p.1 >= yr.0 && p.1 <= yr.1
    }

    /// `p` clamped to the ranges widened by one span each side (see [`Plot::visible`]).
    pub fn clip(&self, p: (f64, f64)) -> (f64, f64) {
        let (xr, yr) = (self.x, self.y);
        let (sx, sy) = (xr.1 - xr.0, yr.1 - yr.0);
        (
            p.0.max(xr.0 - sx).min(xr.1 + sx),
            p.1.max(yr.0 - sy).min(yr.1 + sy),
        )
    }

    /// `p` clipped and in pixels.
    pub fn at(&self, p: (f64, f64)) -> Px {
        self.map(self.clip(p))
    }

    /// The finite points of `pts` in pixels (a series' line; gaps are skipped).
    pub fn points(&self, pts: impl IntoIterator<Item = (f64, f64)>) -> Vec<Px> {
        pts.into_iter()
            .filter(|p| finite2(*p))
            .map(|p| self.at(p))
            .collect()
    }

    /// A solid line between two data points (nothing when not [`visible`](Plot::visible)).
    pub fn line<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        a: (f64, f64),
        b: (f64, f64),
        style: ShapeStyle,
    ) -> DrawResult<(), DB> {
        self.segment(area, a, b, style, line)
    }

    /// A dashed line between two data points (nothing when not [`visible`](Plot::visible)).
    pub fn dashed<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        a: (f64, f64),
        b: (f64, f64),
        style: ShapeStyle,
    ) -> DrawResult<(), DB> {
        self.segment(area, a, b, style, dashed)
    }

    /// The visible part of `a`–`b` drawn by `draw` in pixels.
    fn segment<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        a: (f64, f64),
        b: (f64, f64),
        style: ShapeStyle,
        draw: fn(&Area<DB>, Px, Px, ShapeStyle) -> DrawResult<(), DB>,
    ) -> DrawResult<(), DB> {
        match self.visible(a, b) {
            Some((a, b)) => draw(area, self.map(a), self.map(b), style),
            None => Ok(()),
        }
    }

    /// A dashed horizontal line across the plot at `y` (an entry price, a threshold).
    pub fn level<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        y: f64,
        style: ShapeStyle,
    ) -> DrawResult<(), DB> {
        self.dashed(area, (self.x.0, y), (self.x.1, y), style)
    }

    /// A dashed vertical line through the whole plot at `x` (a cursor, a marked bar).
    pub fn cursor<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        x: f64,
        style: ShapeStyle,
    ) -> DrawResult<(), DB> {
        self.dashed(area, (x, self.y.0), (x, self.y.1), style)
    }

    /// A rectangle between two data points (clamped as [`Plot::clip`]).
    pub fn rect<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        a: (f64, f64),
        b: (f64, f64),
        style: ShapeStyle,
    ) -> DrawResult<(), DB> {
        rect(area, self.at(a), self.at(b), style)
    }

    /// Text at a data point (inside the ranges, else nothing) with a pixel offset.
    pub fn label<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        at: (f64, f64),
        offset: Px,
        s: &str,
        style: &TextStyle,
    ) -> DrawResult<(), DB> {
        if self.inside(at) {
            let p = self.map(at);
            text(area, s, (p.0 + offset.0, p.1 + offset.1), style)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{kill_explainer_within, r_ladder_within, stop_ladder_within};
    use crate::explorer::{InputField, UiState};

    /// How often the R ladder's, the stop ladder's and the kill chart's ranges change while
    /// `field`'s slider is dragged through `stops` (shares of its range: 0 its minimum, 1 its
    /// maximum; `None` the default value), 40 steps between two stops; every step checks that
    /// each chart still shows its values.
    fn drag(field: InputField, stops: &[Option<f64>]) -> [usize; 3] {
        let mut s = UiState::default();
        let r = s.slider(field);
        let v0 = s.get(field) / field.spec().scale;
        let at = |x: Option<f64>| x.map_or(v0, |x| r.min + (r.max - r.min) * x);
        let mut prev: [Option<(f64, f64)>; 3] = [None; 3];
        let mut changes = [0; 3];
        for w in stops.windows(2) {
            let (a, b) = (at(w[0]), at(w[1]));
            for i in 0..=40 {
                let v = a + (b - a) * f64::from(i) / 40.0;
                s.set(field, v * field.spec().scale).unwrap();
                let input = s.to_input();
                let r = r_ladder_within(&input, prev[0]);
                let l = stop_ladder_within(&input, prev[1]);
                let k = kill_explainer_within(&input, 8, prev[2]);
                let inside = |v: f64, (lo, hi): (f64, f64)| lo <= v && v <= hi;
                assert!(inside(r.r_net, r.range), "{field:?} {v}: R_net {}", r.r_net);
                for lv in &l.levels {
                    assert!(
                        inside(lv.price, l.range),
                        "{field:?} {v}: {lv:?} {:?}",
                        l.range
                    );
                }
                assert!(inside(k.z, k.z_range), "{field:?} {v}: z {}", k.z);
                let now = [r.range, l.range, k.z_range];
                for c in 0..3 {
                    changes[c] += usize::from(prev[c].is_some_and(|p| p != now[c]));
                    prev[c] = Some(now[c]);
                }
            }
        }
        changes
    }

    #[test]
    fn the_ladders_and_the_kill_chart_keep_their_axes_in_extreme_drags() {
        // (input, the drag, at most this many axis changes: R ladder, stop ladder, kill). Before
        // the values alone decided (not their padding) and the axis made room ahead, the stop
        // ladder changed 4, 6 and 7 times in the three PnL drags from the default and 4, 6 and
        // 10 times in the stop's.
        let (mid, lo, hi, half) = (None, Some(0.0), Some(1.0), Some(0.5));
        type Drag<'a> = (InputField, &'a [Option<f64>], [usize; 3]);
        let table: [Drag; 8] = [
            (InputField::Pnl, &[mid, lo, mid], [1, 1, 0]),
            (InputField::Pnl, &[mid, hi, mid], [1, 3, 0]),
            (InputField::Pnl, &[lo, hi, lo], [1, 3, 0]),
            // From the default to the middle of the track first (where a mouse presses).
            (InputField::Pnl, &[mid, half, lo, half], [1, 4, 0]),
            (InputField::Pnl, &[mid, half, lo, hi, half], [2, 5, 0]),
            (InputField::Sl, &[mid, lo, mid], [0, 3, 0]),
            (InputField::Sl, &[mid, hi, mid], [0, 3, 0]),
            (InputField::Sl, &[lo, hi, lo], [0, 7, 0]),
        ];
        for (field, stops, most) in table {
            let seen = drag(field, stops);
            println!("{field:?} {stops:?}: axis changes {seen:?}");
            for c in 0..3 {
                assert!(
                    seen[c] <= most[c],
                    "{field:?} {stops:?}: {seen:?}, at most {most:?}"
                );
            }
        }
    }

    #[test]
    fn map_puts_the_range_on_the_plot_edges() {
        let p = Plot::new(
            (200, 100),
            [10, 10, 10, 10],
            (0, 0),
            (0.0, 10.0),
            (-1.0, 1.0),
        );
        assert_eq!(p.map((0.0, -1.0)), (10, 89));
        assert_eq!(p.map((10.0, 1.0)), (189, 10));
        // Far outside: clipped, never a panic or an overflow.
        assert_eq!(p.at((1e300, f64::MAX)), p.map((20.0, 3.0)));
        assert!(p.visible((f64::NAN, 0.0), (1.0, 0.0)).is_none());
        assert!(p.visible((11.0, 0.0), (12.0, 0.0)).is_none());
        assert!((p.x_at(5.0) - 99.5).abs() < 1e-9);
    }

    #[test]
    fn ticks_stay_inside_and_are_at_most_about_max() {
        for (lo, hi, max) in [
            (0.0, 1.0, 5),
            (-3.3, 17.0, 8),
            (9650.0, 10420.0, 4),
            (0.0, 1e-7, 6),
        ] {
            let t = ticks((lo, hi), max);
            assert!(!t.is_empty() && t.len() <= max + 1, "{lo} {hi}: {t:?}");
            assert!(
                t.iter().all(|v| *v >= lo - 1e-12 && *v <= hi + 1e-12),
                "{t:?}"
            );
        }
        assert!(ticks((0.0, 1.0), 0).is_empty());
    }
}
