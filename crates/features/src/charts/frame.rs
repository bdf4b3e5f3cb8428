//! A small plot frame for the replay charts: a pixel rectangle, the data ranges it shows, nice
//! ticks, and the few plotters elements the charts draw (the explorer's frame in `draw.rs` is
//! private to it; this one is the replay's, kept apart so neither view's wasm carries the other's).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{ChartTheme, Rgb};

/// The area the charts draw on.
pub type Area<DB> = DrawingArea<DB, Shift>;
/// What drawing returns: the backend's error, if any.
pub type Res<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The plotters colour of a theme colour.
pub fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Text in the theme's font at `size` px, anchored at (`h`, `v`).
pub fn font(theme: &ChartTheme, size: f64, c: Rgb, h: HPos, v: VPos) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(theme.font), size, FontStyle::Normal)
        .color(&rgb(c))
        .pos(Pos::new(h, v))
}

/// Starts a chart: fills `area` with the theme's background; returns the area's size in pixels
/// and the headline's text style (caption size, anchored top left).
///
/// # Errors
/// The backend's drawing errors.
#[allow(clippy::type_complexity)]
pub fn begin<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: &ChartTheme,
) -> Result<(i32, i32, TextStyle<'static>), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&rgb(theme.background))?;
    let (w, h) = area.dim_in_pixel();
    let head = font(
        theme,
        theme.caption_size,
        theme.foreground,
        HPos::Left,
        VPos::Top,
    );
    Ok((w as i32, h as i32, head))
}

/// "Nice" ticks (1, 2, 5 × 10ⁿ) inside `lo..=hi`, about `n` of them.
///
/// ```
/// use harvest_features::charts::frame::nice_ticks;
/// assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
/// assert_eq!(nice_ticks(9650.0, 10420.0, 4), vec![9800.0, 10000.0, 10200.0, 10400.0]);
/// ```
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || n == 0 {
        return Vec::new();
    }
    let raw = (hi - lo) / n as f64;
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A plotting rectangle (pixels, relative to the area) and the data ranges it shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Left edge, px.
    pub l: i32,
    /// Top edge, px.
    pub t: i32,
    /// Right edge, px.
    pub r: i32,
    /// Bottom edge, px.
    pub b: i32,
    /// x range shown.
    pub x: (f64, f64),
    /// y range shown.
    pub y: (f64, f64),
}

impl Frame {
    /// The frame `l..r × t..b` showing `x × y` (degenerate ranges are widened).
    pub fn new(l: i32, t: i32, r: i32, b: i32, x: (f64, f64), y: (f64, f64)) -> Frame {
        let widen = |(a, c): (f64, f64)| {
            if !(a.is_finite() && c.is_finite()) {
                (0.0, 1.0)
            } else if c > a {
                (a, c)
            } else {
                let d = a.abs().max(1.0) * 1e-3;
                (a - d, a + d)
            }
        };
        Frame {
            l,
            t,
            r: r.max(l + 1),
            b: b.max(t + 1),
            x: widen(x),
            y: widen(y),
        }
    }

    /// x in pixels.
    pub fn px(&self, x: f64) -> i32 {
        let f = (x - self.x.0) / (self.x.1 - self.x.0);
        (f64::from(self.l) + f.clamp(-1.0, 2.0) * f64::from(self.r - self.l)).round() as i32
    }

    /// y in pixels.
    pub fn py(&self, y: f64) -> i32 {
        let f = (y - self.y.0) / (self.y.1 - self.y.0);
        (f64::from(self.b) - f.clamp(-1.0, 2.0) * f64::from(self.b - self.t)).round() as i32
    }

    /// A data point in pixels.
    pub fn p(&self, x: f64, y: f64) -> (i32, i32) {
        (self.px(x), self.py(y))
    }

    /// The finite points `(xs[i], ys[i])` in pixels (a series' line; gaps are skipped).
    pub fn path(&self, xs: &[usize], ys: &[f64]) -> Vec<(i32, i32)> {
        xs.iter()
            .zip(ys)
            .filter(|(_, y)| y.is_finite())
            .map(|(&x, &y)| self.p(x as f64, y))
            .collect()
    }

    /// A dashed horizontal line across the frame at `y` (an entry price, a threshold).
    pub fn level<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        y: f64,
        c: Rgb,
        width: u32,
    ) -> Res<DB> {
        dashed(area, self.p(self.x.0, y), self.p(self.x.1, y), c, width)
    }

    /// The scrubber's bar: a dashed vertical line through the frame at bar `index`, if any.
    pub fn scrubber<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        index: Option<usize>,
        theme: &ChartTheme,
    ) -> Res<DB> {
        let Some(i) = index else { return Ok(()) };
        let x = self.px(i as f64);
        dashed(area, (x, self.t), (x, self.b), theme.foreground, 1)
    }

    /// Pixels per x unit.
    pub fn x_scale(&self) -> f64 {
        f64::from(self.r - self.l) / (self.x.1 - self.x.0)
    }

    /// Horizontal grid lines and y labels (left of the frame), formatted by `fmt`.
    pub fn y_axis<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        theme: &ChartTheme,
        ticks: usize,
        fmt: impl Fn(f64) -> String,
    ) -> Res<DB> {
        let label = font(
            theme,
            theme.font_size - 1.0,
            theme.muted,
            HPos::Right,
            VPos::Center,
        );
        for v in nice_ticks(self.y.0, self.y.1, ticks) {
            let y = self.py(v);
            line(area, (self.l, y), (self.r, y), theme.grid, 1)?;
            area.draw_text(&fmt(v), &label, (self.l - 4, y))?;
        }
        polyline(
            area,
            vec![(self.l, self.t), (self.l, self.b), (self.r, self.b)],
            theme.muted,
            1,
        )
    }
}

/// A straight line in pixels.
pub fn line<DB: DrawingBackend>(
    area: &Area<DB>,
    a: (i32, i32),
    b: (i32, i32),
    c: Rgb,
    width: u32,
) -> Res<DB> {
    polyline(area, vec![a, b], c, width)
}

/// A polyline in pixels (nothing for fewer than two points).
pub fn polyline<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: Vec<(i32, i32)>,
    c: Rgb,
    width: u32,
) -> Res<DB> {
    if pts.len() < 2 {
        return Ok(());
    }
    area.draw(&PathElement::new(pts, rgb(c).stroke_width(width)))
}

/// A dashed horizontal or sloped line: 5 px dashes, 4 px gaps.
pub fn dashed<DB: DrawingBackend>(
    area: &Area<DB>,
    a: (i32, i32),
    b: (i32, i32),
    c: Rgb,
    width: u32,
) -> Res<DB> {
    let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
    let len = (dx * dx + dy * dy).sqrt();
    if !(len > 0.0 && len < 1e5) {
        return Ok(());
    }
    let at = |s: f64| {
        (
            a.0 + (dx * s / len).round() as i32,
            a.1 + (dy * s / len).round() as i32,
        )
    };
    let mut s = 0.0;
    while s < len {
        line(area, at(s), at((s + 5.0).min(len)), c, width)?;
        s += 9.0;
    }
    Ok(())
}

/// A rectangle in pixels, filled or outlined.
pub fn rect<DB: DrawingBackend>(
    area: &Area<DB>,
    a: (i32, i32),
    b: (i32, i32),
    c: Rgb,
    filled: bool,
) -> Res<DB> {
    let ul = (a.0.min(b.0), a.1.min(b.1));
    let br = (a.0.max(b.0), a.1.max(b.1));
    let style = if filled {
        rgb(c).filled()
    } else {
        rgb(c).stroke_width(1)
    };
    area.draw(&Rectangle::new([ul, br], style))
}

/// A filled polygon in pixels.
pub fn polygon<DB: DrawingBackend>(area: &Area<DB>, pts: Vec<(i32, i32)>, c: Rgb) -> Res<DB> {
    if pts.len() < 3 {
        return Ok(());
    }
    area.draw(&Polygon::new(pts, rgb(c).filled()))
}

/// Text at a pixel.
pub fn text<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    at: (i32, i32),
    style: &TextStyle,
) -> Res<DB> {
    area.draw_text(s, style, at)
}
