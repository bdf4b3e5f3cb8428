//! The action map: the kernel's action over a grid of two axes (inputs or tunables), the
//! `K = kill_threshold` contour through it and the current point ([`action_map`],
//! [`kill_contour`], [`draw_action_map`]); its RGBA pixel buffer for a canvas blit
//! ([`action_map_rgba`]). Every cell is the kernel's fast path.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, circle, color, fill, finite2, font, path, rect, sane_range, small_style, stroke, text,
    text_width, Area, Axes, DrawResult, Plot, TickText,
};
use super::theme::{action_index, action_short, ChartTheme, Rgb};
use crate::format::{axis_title, fmt_k};
use harvest_kernel::{Axis, HarvestAction, HarvestInput};

/// Largest grid side [`action_map`] computes (larger requests are clamped).
pub const MAX_GRID: usize = 1024;

/// Which two axes, which ranges, how many cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionMapSpec {
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// Horizontal range `(lo, hi)`.
    pub x_range: (f64, f64),
    /// Vertical range `(lo, hi)`.
    pub y_range: (f64, f64),
    /// Columns (clamped to `2..=MAX_GRID`).
    pub nx: usize,
    /// Rows (clamped to `2..=MAX_GRID`).
    pub ny: usize,
}

impl ActionMapSpec {
    /// A spec over both axes' [`Axis::domain`] around `input`.
    ///
    /// ```
    /// use harvest_features::charts::ActionMapSpec;
    /// use harvest_kernel::{Axis, HarvestInput};
    /// let s = ActionMapSpec::around(&HarvestInput::default(), Axis::Sigma, Axis::AgeSec, 100, 100);
    /// assert_eq!(s.x_range.0, 0.0);
    /// ```
    pub fn around(input: &HarvestInput, x: Axis, y: Axis, nx: usize, ny: usize) -> ActionMapSpec {
        ActionMapSpec {
            x,
            y,
            x_range: x.domain(input),
            y_range: y.domain(input),
            nx,
            ny,
        }
        .sanitized(input)
    }

    /// Ranges made finite, ordered and non-degenerate (falling back to the axis domain), grid
    /// sides clamped to `2..=MAX_GRID`.
    pub fn sanitized(self, input: &HarvestInput) -> ActionMapSpec {
        ActionMapSpec {
            x_range: sane_range(self.x_range, self.x.domain(input)),
            y_range: sane_range(self.y_range, self.y.domain(input)),
            nx: self.nx.clamp(2, MAX_GRID),
            ny: self.ny.clamp(2, MAX_GRID),
            ..self
        }
    }

    /// The x of column `i`'s centre: `x_lo + (i + ½)·(x_hi − x_lo)/nx`.
    #[inline]
    pub fn x_at(&self, i: usize) -> f64 {
        self.x_range.0 + (i as f64 + 0.5) * (self.x_range.1 - self.x_range.0) / self.nx as f64
    }

    /// The y of row `j`'s centre (row 0 is the bottom, `y_lo`).
    #[inline]
    pub fn y_at(&self, j: usize) -> f64 {
        self.y_range.0 + (j as f64 + 0.5) * (self.y_range.1 - self.y_range.0) / self.ny as f64
    }
}

/// One cell of the action map, evaluated at its centre.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MapCell {
    /// Final action.
    pub action: HarvestAction,
    /// R_net.
    pub r_net: f64,
    /// Kill score K.
    pub k: f64,
}

/// A straight piece of a contour line, in data coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContourSegment {
    /// One end `(x, y)`.
    pub a: (f64, f64),
    /// The other end `(x, y)`.
    pub b: (f64, f64),
}

/// The action over a grid of two inputs, the `K = kill_threshold` boundary and the current point.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionMap {
    /// The grid (sanitized).
    pub spec: ActionMapSpec,
    /// `nx·ny` cells, row-major from the bottom row: cell `(i, j)` is `cells[j·nx + i]`, at
    /// `(spec.x_at(i), spec.y_at(j))`.
    pub cells: Vec<MapCell>,
    /// The input's own `(x, y)`.
    pub current: (f64, f64),
    /// The action at the input itself.
    pub current_action: HarvestAction,
    /// `kill_threshold` of the input.
    pub threshold: f64,
    /// Marching-squares segments of `K − kill_threshold = 0` between cell centres.
    pub contour: Vec<ContourSegment>,
    /// Number of cells per action, in [`HarvestAction::ALL`] order.
    pub counts: [usize; 5],
}

impl ActionMap {
    /// Cell `(i, j)` (column `i` from the left, row `j` from the bottom), if inside the grid.
    pub fn cell(&self, i: usize, j: usize) -> Option<&MapCell> {
        (i < self.spec.nx && j < self.spec.ny)
            .then(|| self.cells.get(j * self.spec.nx + i))
            .flatten()
    }

    /// An empty map (no cells), to be filled by [`action_map_into`].
    pub fn empty() -> ActionMap {
        ActionMap {
            spec: ActionMapSpec {
                x: Axis::Sigma,
                y: Axis::AgeSec,
                x_range: (0.0, 1.0),
                y_range: (0.0, 1.0),
                nx: 0,
                ny: 0,
            },
            cells: Vec::new(),
            current: (f64::NAN, f64::NAN),
            current_action: HarvestAction::None,
            threshold: f64::NAN,
            contour: Vec::new(),
            counts: [0; 5],
        }
    }
}

/// Computes the action map of `input` over `spec` (sanitized first).
///
/// Cell `(i, j)` is the kernel's fast path on `input` with `spec.y` set to `y_at(j)` and then
/// `spec.x` set to `x_at(i)` (the market state is restored before each cell, so p_trend's
/// rebalancing never accumulates). One clone of `input` is mutated in place: the only allocations
/// are the output vectors.
///
/// ```
/// use harvest_features::charts::{action_map, ActionMapSpec};
/// use harvest_kernel::{Axis, HarvestInput};
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::Sigma, Axis::AgeSec, 100, 100));
/// assert_eq!(map.cells.len(), 100 * 100);
/// assert!(!map.contour.is_empty()); // K crosses 0.6 somewhere in σ × age
/// ```
pub fn action_map(input: &HarvestInput, spec: ActionMapSpec) -> ActionMap {
    let mut map = ActionMap::empty();
    action_map_into(input, spec, &mut map);
    map
}

/// [`action_map`] into an existing map, reusing its buffers (no allocation once they are large
/// enough): the per-frame path for a slider drag.
pub fn action_map_into(input: &HarvestInput, spec: ActionMapSpec, out: &mut ActionMap) {
    let spec = spec.sanitized(input);
    let (nx, ny) = (spec.nx, spec.ny);
    let base_ms = input.market_state;
    let mut probe = input.clone();
    out.cells.clear();
    out.cells.reserve(nx * ny);
    let mut counts = [0usize; 5];
    for j in 0..ny {
        let y = spec.y_at(j);
        for i in 0..nx {
            probe.market_state = base_ms;
            spec.y.set(&mut probe, y);
            spec.x.set(&mut probe, spec.x_at(i));
            let e = probe.evaluate();
            counts[action_index(e.action)] += 1;
            out.cells.push(MapCell {
                action: e.action,
                r_net: e.r_net,
                k: e.kill_score,
            });
        }
    }
    let theta = input.theta.unwrap_or_default();
    out.threshold = theta.kill_threshold;
    out.current = (spec.x.get(input), spec.y.get(input));
    out.current_action = input.evaluate().action;
    out.counts = counts;
    out.spec = spec;
    kill_contour_into(&spec, &out.cells, out.threshold, &mut out.contour);
}

/// Marching squares on `f = K − threshold` sampled at the cell centres of `spec`: one or two
/// segments per 2×2 block whose corners straddle 0, each end linearly interpolated on a block edge.
/// Saddles are resolved by the block's mean. `cells` is row-major from the bottom row, as in
/// [`ActionMap::cells`]; a length mismatch gives no segments.
///
/// ```
/// use harvest_features::charts::{kill_contour, ActionMapSpec, MapCell};
/// use harvest_kernel::Axis;
/// let spec = ActionMapSpec { x: Axis::Sigma, y: Axis::Ts, x_range: (0.0, 2.0), y_range: (0.0, 2.0), nx: 2, ny: 2 };
/// let cell = |k| MapCell { k, ..MapCell::default() };
/// // K rises left → right across 0.6: one vertical segment at x = 1.
/// let segs = kill_contour(&spec, &[cell(0.5), cell(0.7), cell(0.5), cell(0.7)], 0.6);
/// assert_eq!(segs.len(), 1);
/// assert!((segs[0].a.0 - 1.0).abs() < 1e-12 && (segs[0].b.0 - 1.0).abs() < 1e-12);
/// ```
pub fn kill_contour(
    spec: &ActionMapSpec,
    cells: &[MapCell],
    threshold: f64,
) -> Vec<ContourSegment> {
    let mut out = Vec::new();
    kill_contour_into(spec, cells, threshold, &mut out);
    out
}

fn kill_contour_into(
    spec: &ActionMapSpec,
    cells: &[MapCell],
    threshold: f64,
    out: &mut Vec<ContourSegment>,
) {
    out.clear();
    let (nx, ny) = (spec.nx, spec.ny);
    if nx < 2 || ny < 2 || cells.len() != nx * ny || !threshold.is_finite() {
        return;
    }
    let f = |i: usize, j: usize| cells[j * nx + i].k - threshold;
    let inside = |v: f64| v >= 0.0;
    for j in 0..ny - 1 {
        let (y0, y1) = (spec.y_at(j), spec.y_at(j + 1));
        for i in 0..nx - 1 {
            let (x0, x1) = (spec.x_at(i), spec.x_at(i + 1));
            // Corners: 0 bottom-left, 1 bottom-right, 2 top-right, 3 top-left.
            let v = [f(i, j), f(i + 1, j), f(i + 1, j + 1), f(i, j + 1)];
            let s = v.map(inside);
            if s.iter().all(|&b| b == s[0]) {
                continue;
            }
            let p = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
            // Edge e joins corners e and (e+1)%4: 0 bottom, 1 right, 2 top, 3 left.
            let cross = |e: usize| -> Option<(f64, f64)> {
                let (a, b) = (e, (e + 1) % 4);
                if s[a] == s[b] {
                    return None;
                }
                let t = v[a] / (v[a] - v[b]);
                let t = if t.is_finite() {
                    t.clamp(0.0, 1.0)
                } else {
                    0.5
                };
                Some((
                    p[a].0 + t * (p[b].0 - p[a].0),
                    p[a].1 + t * (p[b].1 - p[a].1),
                ))
            };
            let edges: [Option<(f64, f64)>; 4] = std::array::from_fn(cross);
            let n = edges.iter().filter(|e| e.is_some()).count();
            let mut push = |a: Option<(f64, f64)>, b: Option<(f64, f64)>| {
                if let (Some(a), Some(b)) = (a, b) {
                    out.push(ContourSegment { a, b });
                }
            };
            if n == 2 {
                let mut it = edges.iter().flatten();
                let (a, b) = (it.next().copied(), it.next().copied());
                push(a, b);
            } else if n == 4 {
                // Saddle: cut off the corners whose side differs from the centre's.
                let centre = inside((v[0] + v[1] + v[2] + v[3]) / 4.0);
                for c in 0..4 {
                    if s[c] != centre {
                        // Corner c lies between edge (c+3)%4 and edge c.
                        push(edges[(c + 3) % 4], edges[c]);
                    }
                }
            }
        }
    }
}

/// The RGBA pixel buffer of the map, one pixel per cell coloured by action (`palette` in
/// [`HarvestAction::ALL`] order, e.g. [`ChartTheme::actions`](super::ChartTheme::actions)),
/// row 0 at the top (the highest y), ready for `ImageData`: length `4·nx·ny`.
///
/// ```
/// use harvest_features::charts::{action_map, action_map_rgba, ActionMapSpec, ChartTheme};
/// use harvest_kernel::{Axis, HarvestInput};
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::Pnl, Axis::Sigma, 40, 30));
/// assert_eq!(action_map_rgba(&map, &ChartTheme::light().actions).len(), 4 * 40 * 30);
/// ```
pub fn action_map_rgba(map: &ActionMap, palette: &[Rgb; 5]) -> Vec<u8> {
    let mut out = Vec::new();
    fill_action_map_rgba(map, palette, &mut out);
    out
}

/// [`action_map_rgba`] into an existing buffer (resized to `4·nx·ny`, no allocation once large
/// enough).
pub fn fill_action_map_rgba(map: &ActionMap, palette: &[Rgb; 5], out: &mut Vec<u8>) {
    let (nx, ny) = (map.spec.nx, map.spec.ny);
    out.clear();
    if map.cells.len() != nx * ny {
        return;
    }
    out.reserve(4 * nx * ny);
    let px = palette.map(Rgb::rgba);
    for j in (0..ny).rev() {
        for cell in &map.cells[j * nx..(j + 1) * nx] {
            out.extend_from_slice(&px[action_index(cell.action)]);
        }
    }
}

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
    area: &Area<DB>,
    map: &ActionMap,
    theme: &ChartTheme,
    layer: MapLayer,
) -> DrawResult<PlotRect, DB> {
    if layer == MapLayer::Full {
        begin(area, theme)?;
    }
    let spec = &map.spec;
    let (xlo, xhi) = spec.x_range;
    let (ylo, yhi) = spec.y_range;
    let plot = Plot::on(
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
                    fill(theme.action_color(a)),
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
            y_text: TickText::Compact,
        },
    )?;
    // Contour with a halo so it reads on any cell colour.
    for (w, ink) in [(4, theme.background), (2, theme.foreground)] {
        for s in map.contour.iter().filter(|s| finite2(s.a) && finite2(s.b)) {
            path(area, vec![plot.at(s.a), plot.at(s.b)], stroke(ink, w))?;
        }
    }
    // The current point.
    let cur = map.current;
    if plot.inside(cur) {
        let ink = theme.action_color(map.current_action);
        let c = plot.map(cur);
        circle(area, c, 8, fill(theme.background))?;
        circle(area, c, 6, fill(ink))?;
        circle(area, c, 6, stroke(theme.foreground, 2))?;
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
        text(
            area,
            &s,
            (c.0 + dx, c.1),
            &font(theme, theme.font_size, theme.foreground, h, VPos::Center),
        )?;
    }
    // Legend row.
    let mut x = MAP_LEFT;
    let y = 11;
    let small = small_style(theme, theme.foreground, HPos::Left, VPos::Center);
    for a in HarvestAction::ALL {
        rect(
            area,
            (x, y - 5),
            (x + 10, y + 5),
            fill(theme.action_color(a)),
        )?;
        let s = if a == HarvestAction::FullCloseProposed {
            "FULL"
        } else {
            action_short(a)
        };
        text(area, s, (x + 14, y), &small)?;
        x += 14 + text_width(s, theme.font_size - 1.0) as i32 + 10;
    }
    path(area, vec![(x, y), (x + 16, y)], stroke(theme.foreground, 2))?;
    text(
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
