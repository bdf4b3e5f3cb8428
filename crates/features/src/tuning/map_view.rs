//! The action map as the tuning view shows it: the cell under the pointer and its words (the
//! tooltip), the values under a click, and the map's resolution while a slider is dragged.
//!
//! Pure and natively tested: the cells are [`crate::charts::action_map`]'s, never a second grid.

use crate::charts::{ActionMap, PlotRect};
use crate::format::format_sig;
use crate::format::{fmt_axis_value, fmt_k, fmt_r};

/// The cell `(i, j)` (column from the left, row from the bottom, as [`ActionMap::cell`]) under
/// the pointer at `(px, py)` CSS pixels from the canvas's top-left corner, given the plot
/// rectangle the cells were blitted into; `None` outside it.
///
/// ```
/// use harvest_features::charts::PlotRect;
/// use harvest_features::tuning::map_view::cell_at;
/// let r = PlotRect { x: 50, y: 20, w: 100, h: 100 };
/// assert_eq!(cell_at(r, 10, 10, 50.0, 20.0), Some((0, 9))); // top-left: the highest row
/// assert_eq!(cell_at(r, 10, 10, 149.9, 119.9), Some((9, 0)));
/// assert_eq!(cell_at(r, 10, 10, 49.0, 50.0), None);
/// ```
pub fn cell_at(rect: PlotRect, nx: usize, ny: usize, px: f64, py: f64) -> Option<(usize, usize)> {
    let (fx, fy) = fraction_in(rect, px, py)?;
    if nx == 0 || ny == 0 {
        return None;
    }
    let i = ((fx * nx as f64) as usize).min(nx - 1);
    let from_top = ((fy * ny as f64) as usize).min(ny - 1);
    Some((i, ny - 1 - from_top))
}

/// The axis values under the pointer (not snapped to a cell centre), for a click that moves the
/// point there; `None` outside the plot rectangle.
///
/// ```
/// use harvest_features::charts::{action_map, ActionMapSpec, PlotRect};
/// use harvest_kernel::{Axis, HarvestInput};
/// use harvest_features::tuning::map_view::value_at;
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::PTrend, Axis::Ts, 10, 10));
/// let r = PlotRect { x: 0, y: 0, w: 100, h: 100 };
/// let (x, _) = value_at(r, &map, 50.0, 0.0).unwrap();
/// assert!((x - 0.5).abs() < 1e-12); // p_trend spans 0 … 1
/// ```
pub fn value_at(rect: PlotRect, map: &ActionMap, px: f64, py: f64) -> Option<(f64, f64)> {
    let (fx, fy) = fraction_in(rect, px, py)?;
    let s = &map.spec;
    Some((
        s.x_range.0 + fx * (s.x_range.1 - s.x_range.0),
        s.y_range.1 - fy * (s.y_range.1 - s.y_range.0),
    ))
}

/// The action map's keyboard cursor (CSS px) after `key`: the arrow keys move it a twentieth
/// of the plot (`fine`: a two-hundredth, one cell of the full map), up is up; it starts at the
/// plot's centre and stays inside it. `None` for any other key.
///
/// ```
/// use harvest_features::charts::PlotRect;
/// use harvest_features::tuning::map_view::key_cursor;
/// let r = PlotRect { x: 0, y: 0, w: 200, h: 100 };
/// assert_eq!(key_cursor(r, None, "ArrowRight", false), Some((110.0, 50.0)));
/// assert_eq!(key_cursor(r, Some((110.0, 50.0)), "ArrowUp", true), Some((110.0, 49.5)));
/// assert_eq!(key_cursor(r, Some((199.0, 50.0)), "ArrowRight", false), Some((199.5, 50.0)));
/// assert_eq!(key_cursor(r, None, "a", false), None);
/// ```
pub fn key_cursor(
    rect: PlotRect,
    at: Option<(f64, f64)>,
    key: &str,
    fine: bool,
) -> Option<(f64, f64)> {
    let (dx, dy) = match key {
        "ArrowLeft" => (-1.0, 0.0),
        "ArrowRight" => (1.0, 0.0),
        "ArrowUp" => (0.0, -1.0),
        "ArrowDown" => (0.0, 1.0),
        _ => return None,
    };
    let (x0, y0) = (f64::from(rect.x), f64::from(rect.y));
    let (w, h) = (f64::from(rect.w), f64::from(rect.h));
    let (x, y) = at.unwrap_or((x0 + w / 2.0, y0 + h / 2.0));
    let part = if fine { 200.0 } else { 20.0 };
    // Half a pixel short of the far edges: still inside the plot (`cell_at` takes [x, x + w)).
    Some((
        (x + dx * w / part).clamp(x0, x0 + w - 0.5),
        (y + dy * h / part).clamp(y0, y0 + h - 0.5),
    ))
}

fn fraction_in(rect: PlotRect, px: f64, py: f64) -> Option<(f64, f64)> {
    if rect.w <= 0 || rect.h <= 0 || !px.is_finite() || !py.is_finite() {
        return None;
    }
    let fx = (px - f64::from(rect.x)) / f64::from(rect.w);
    let fy = (py - f64::from(rect.y)) / f64::from(rect.h);
    ((0.0..1.0).contains(&fx) && (0.0..1.0).contains(&fy)).then_some((fx, fy))
}

/// What a map cell shows on hover, one line each: its inputs, the action, R_net and K against
/// the threshold.
///
/// ```
/// use harvest_features::charts::{action_map, ActionMapSpec};
/// use harvest_kernel::{Axis, HarvestInput};
/// use harvest_features::tuning::map_view::cell_lines;
/// let input = HarvestInput::default();
/// let map = action_map(&input, ActionMapSpec::around(&input, Axis::Pnl, Axis::Sigma, 10, 10));
/// let lines = cell_lines(&map, 0, 9).unwrap();
/// assert!(lines[0].starts_with("PnL "), "{lines:?}");
/// assert!(lines[0].contains(" · σ "));
/// assert_eq!(lines[1], "FULL_CLOSE_PROPOSED"); // σ at the top of its range kills
/// assert!(lines[2].starts_with("R_net ") && lines[2].contains("≥ 0.6"), "{lines:?}");
/// assert!(cell_lines(&map, 10, 0).is_none());
/// ```
pub fn cell_lines(map: &ActionMap, i: usize, j: usize) -> Option<[String; 3]> {
    let c = map.cell(i, j)?;
    let s = &map.spec;
    let (x, y) = (s.x_at(i), s.y_at(j));
    let op = if c.k >= map.threshold { "≥" } else { "<" };
    Some([
        format!(
            "{} {} · {} {}",
            s.x.label(),
            fmt_axis_value(s.x, x),
            s.y.label(),
            fmt_axis_value(s.y, y)
        ),
        c.action.to_string(),
        format!(
            "R_net {} · K {} {op} {}",
            fmt_r(c.r_net),
            fmt_k(c.k),
            fmt_k(map.threshold)
        ),
    ])
}

// =============================================================================================
// Resolution.

/// Cells per side while a slider moves (the map is at least this fine unless a frame is slow).
pub const DRAG_SIDE: usize = 100;
/// Cells per side once the sliders rest.
pub const FULL_SIDE: usize = 200;
/// Coarsest side, however slow the frames.
pub const MIN_SIDE: usize = 32;
/// Time one frame of the map may take while dragging, ms (a 60 Hz frame is 16.7 ms).
pub const FRAME_BUDGET_MS: f64 = 12.0;

/// The side for the next frame while dragging: the last frame took `frame_ms` at `side` cells a
/// side; the cell count scales with the square of the side, so the side scales with the square
/// root of the time ratio. Never above [`DRAG_SIDE`], never below [`MIN_SIDE`].
///
/// ```
/// use harvest_features::tuning::map_view::{drag_side, DRAG_SIDE, MIN_SIDE};
/// assert_eq!(drag_side(100, 3.0), DRAG_SIDE); // fast: stay at 100
/// assert_eq!(drag_side(100, 48.0), 50); // 4× too slow: half the side
/// assert_eq!(drag_side(50, 3.0), DRAG_SIDE); // fast again: back up
/// assert_eq!(drag_side(100, 1e6), MIN_SIDE);
/// assert_eq!(drag_side(64, f64::NAN), 64);
/// ```
pub fn drag_side(side: usize, frame_ms: f64) -> usize {
    if !(frame_ms.is_finite() && frame_ms > 0.0) {
        return side.clamp(MIN_SIDE, DRAG_SIDE);
    }
    let scaled = side as f64 * (FRAME_BUDGET_MS / frame_ms).sqrt();
    (scaled.floor() as usize).clamp(MIN_SIDE, DRAG_SIDE)
}

/// The resolution line under the map, e.g.
/// `"100 × 100 cells · 1.4 ms compute + 2.1 ms paint · refining…"`.
///
/// ```
/// use harvest_features::tuning::map_view::resolution_text;
/// assert_eq!(resolution_text(200, 200, 4.04, 3.0, false), "200 × 200 cells · 4 ms compute + 3 ms paint");
/// assert!(resolution_text(100, 100, 1.0, 1.0, true).ends_with("· refining…"));
/// ```
pub fn resolution_text(
    nx: usize,
    ny: usize,
    compute_ms: f64,
    paint_ms: f64,
    coarse: bool,
) -> String {
    format!(
        "{nx} × {ny} cells · {} ms compute + {} ms paint{}",
        format_sig(compute_ms.max(0.0), 2),
        format_sig(paint_ms.max(0.0), 2),
        if coarse { " · refining…" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{action_map, ActionMapSpec};
    use harvest_kernel::{Axis, HarvestInput, ThetaField};

    #[test]
    fn every_pixel_of_the_plot_maps_to_the_cell_painted_there() {
        // The blit puts row ny−1 at the top: the pixel row from the top is ny−1−j.
        let input = HarvestInput::default();
        let map = action_map(
            &input,
            ActionMapSpec::around(&input, Axis::Pnl, Axis::Sigma, 7, 5),
        );
        let r = PlotRect {
            x: 3,
            y: 4,
            w: 70,
            h: 50,
        };
        for py in 4..54 {
            for px in 3..73 {
                let (i, j) = cell_at(r, 7, 5, f64::from(px) + 0.5, f64::from(py) + 0.5).unwrap();
                assert_eq!(i, ((px - 3) / 10) as usize);
                assert_eq!(4 - j, ((py - 4) / 10) as usize);
                // The value under the pointer lies in that cell.
                let (x, y) = value_at(r, &map, f64::from(px) + 0.5, f64::from(py) + 0.5).unwrap();
                let s = &map.spec;
                let dx = (s.x_range.1 - s.x_range.0) / 7.0;
                let dy = (s.y_range.1 - s.y_range.0) / 5.0;
                assert!((x - s.x_at(i)).abs() <= dx / 2.0 + 1e-9);
                assert!((y - s.y_at(j)).abs() <= dy / 2.0 + 1e-9);
            }
        }
        for (px, py) in [(2.9, 10.0), (73.0, 10.0), (10.0, 54.0), (f64::NAN, 5.0)] {
            assert_eq!(cell_at(r, 7, 5, px, py), None);
        }
        assert_eq!(
            cell_at(
                PlotRect {
                    x: 0,
                    y: 0,
                    w: 0,
                    h: 10
                },
                7,
                5,
                0.0,
                0.0
            ),
            None
        );
        assert_eq!(cell_at(r, 0, 5, 10.0, 10.0), None);
    }

    #[test]
    fn cell_lines_agree_with_the_kernel() {
        let input = HarvestInput::default();
        let map = action_map(
            &input,
            ActionMapSpec::around(
                &input,
                Axis::Sigma,
                Axis::Theta(ThetaField::KillThreshold),
                9,
                9,
            ),
        );
        for j in 0..9 {
            for i in 0..9 {
                let mut probe = input.clone();
                Axis::Theta(ThetaField::KillThreshold).set(&mut probe, map.spec.y_at(j));
                probe.market_state.sigma = map.spec.x_at(i);
                let e = probe.evaluate();
                let lines = cell_lines(&map, i, j).unwrap();
                assert_eq!(lines[1], e.action.to_string());
                assert!(lines[2].contains(&format!("K {}", fmt_k(e.kill_score))));
            }
        }
    }

    #[test]
    fn drag_side_keeps_the_frame_budget() {
        for side in [MIN_SIDE, 50, DRAG_SIDE] {
            for ms in [0.5, 5.0, 12.0, 20.0, 100.0, 1000.0] {
                let s = drag_side(side, ms);
                assert!((MIN_SIDE..=DRAG_SIDE).contains(&s));
                // Predicted time at the new side (time ∝ cells) is within budget unless floored.
                let predicted = ms * (s * s) as f64 / (side * side) as f64;
                assert!(
                    predicted <= FRAME_BUDGET_MS + 1e-9 || s == MIN_SIDE,
                    "{side} {ms} → {s}"
                );
            }
        }
    }
}
