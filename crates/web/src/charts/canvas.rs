//! Painting charts on an `HtmlCanvasElement` (wasm32 only): crisp on high-DPI screens, and
//! never panicking (every browser failure becomes an `Err(`[`PaintError`]`)`).
//!
//! The canvas's backing store is sized to its CSS box × `devicePixelRatio` and the context is
//! scaled by the ratio, so the `draw_*` functions work in CSS pixels (fonts stay 12 px on any
//! screen). A dashboard component calls, e.g.:
//!
//! ```ignore
//! charts::canvas::paint(&canvas, |area| charts::draw_kill_explainer(area, &data, &theme))?;
//! charts::canvas::paint_action_map(&canvas, &map, &theme)?;
//! ```
//!
//! [`CanvasBackend`] is a small plotters backend on a `CanvasRenderingContext2d`, kept over the
//! `plotters-canvas` crate for what the charts need and it does not do: one-pixel lines on whole
//! device pixels (a lone horizontal or vertical segment of odd width is drawn on half pixels, so
//! grid lines and axes stay crisp at any `devicePixelRatio`), nothing drawn for a fully
//! transparent style, rotated axis titles, and a size in CSS pixels while the backing store is in
//! device pixels ([`paint`] scales the context). Colours and font sizes are written with the
//! project's one number formatter ([`shortest`](harvest_features::format::shortest)).

use std::cell::RefCell;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::FontTransform;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use harvest_features::charts::ChartTheme;
use harvest_features::charts::{
    action_map_plot_rect, draw_action_map, DrawResult, MapLayer, PlotRect,
};
use harvest_features::charts::{fill_action_map_rgba, ActionMap};
use harvest_features::format::shortest;

/// A plotters backend drawing on a canvas's 2d context.
pub struct CanvasBackend {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

/// A canvas call that failed: the browser's message.
#[derive(Debug)]
pub struct CanvasError(String);

impl std::fmt::Display for CanvasError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("canvas error: ")?;
        f.write_str(&self.0)
    }
}

impl std::error::Error for CanvasError {}

fn canvas_err(e: wasm_bindgen::JsValue) -> DrawingErrorKind<CanvasError> {
    DrawingErrorKind::DrawingError(CanvasError(
        e.as_string().unwrap_or_else(|| "unknown".to_string()),
    ))
}

/// `rgba(r,g,b,a)`, the alpha clamped to [0, 1].
fn css_color(c: BackendColor) -> String {
    let (r, g, b) = c.rgb;
    format!("rgba({r},{g},{b},{})", shortest(c.alpha.clamp(0.0, 1.0)))
}

/// Horizontal and vertical lines on half pixels, so a 1 px line covers one device row.
fn crisp(a: BackendCoord, b: BackendCoord) -> ((f64, f64), (f64, f64)) {
    let (mut a, mut b) = (
        (f64::from(a.0), f64::from(a.1)),
        (f64::from(b.0), f64::from(b.1)),
    );
    if a.0 == b.0 {
        a.0 -= 0.5;
        b.0 -= 0.5;
    }
    if a.1 == b.1 {
        a.1 -= 0.5;
        b.1 -= 0.5;
    }
    (a, b)
}

impl CanvasBackend {
    /// A backend on `canvas`'s 2d context; `None` when it has none.
    pub fn with_canvas_object(canvas: HtmlCanvasElement) -> Option<CanvasBackend> {
        let ctx = context_2d(&canvas).ok()?;
        Some(CanvasBackend { canvas, ctx })
    }

    fn stroke_style(&self, style: &impl BackendStyle) {
        self.ctx.set_stroke_style_str(&css_color(style.color()));
        self.ctx.set_line_width(f64::from(style.stroke_width()));
    }

    fn fill_style(&self, style: &impl BackendStyle) {
        self.ctx.set_fill_style_str(&css_color(style.color()));
    }

    fn trace(&self, path: impl IntoIterator<Item = BackendCoord>) -> bool {
        let mut path = path.into_iter();
        self.ctx.begin_path();
        let Some(start) = path.next() else {
            return false;
        };
        self.ctx.move_to(f64::from(start.0), f64::from(start.1));
        for p in path {
            self.ctx.line_to(f64::from(p.0), f64::from(p.1));
        }
        true
    }
}

impl DrawingBackend for CanvasBackend {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        (self.canvas.width(), self.canvas.height())
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if color.alpha > 0.0 {
            self.ctx.set_fill_style_str(&css_color(color));
            self.ctx
                .fill_rect(f64::from(point.0), f64::from(point.1), 1.0, 1.0);
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.draw_path([from, to], style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(ul.0), f64::from(ul.1));
        let (w, h) = (f64::from(br.0 - ul.0), f64::from(br.1 - ul.1));
        if fill {
            self.fill_style(style);
            self.ctx.fill_rect(x, y, w, h);
        } else {
            self.stroke_style(style);
            self.ctx.stroke_rect(x, y, w, h);
        }
        Ok(())
    }

    /// A polyline; a single horizontal or vertical segment of odd width lands on half pixels, so
    /// it covers whole device pixels (crisp).
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let pts: Vec<BackendCoord> = path.into_iter().collect();
        self.stroke_style(style);
        if let ([a, b], true) = (&pts[..], style.stroke_width() % 2 == 1) {
            let (a, b) = crisp(*a, *b);
            self.ctx.begin_path();
            self.ctx.move_to(a.0, a.1);
            self.ctx.line_to(b.0, b.1);
        } else if !self.trace(pts) {
            return Ok(());
        }
        self.ctx.stroke();
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        if self.trace(path) {
            self.fill_style(style);
            self.ctx.close_path();
            self.ctx.fill();
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        if fill {
            self.fill_style(style);
        } else {
            self.stroke_style(style);
        }
        self.ctx.begin_path();
        self.ctx
            .arc(
                f64::from(center.0),
                f64::from(center.1),
                f64::from(radius),
                0.0,
                std::f64::consts::TAU,
            )
            .map_err(canvas_err)?;
        if fill {
            self.ctx.fill();
        } else {
            self.ctx.stroke();
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (mut x, mut y) = (f64::from(pos.0), f64::from(pos.1));
        let quarter_turns = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 1.0,
            FontTransform::Rotate180 => 2.0,
            FontTransform::Rotate270 => 3.0,
        };
        if quarter_turns != 0.0 {
            self.ctx.save();
            self.ctx.translate(x, y).map_err(canvas_err)?;
            self.ctx
                .rotate(quarter_turns * std::f64::consts::FRAC_PI_2)
                .map_err(canvas_err)?;
            (x, y) = (0.0, 0.0);
        }
        self.ctx.set_text_baseline(match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        });
        self.ctx.set_text_align(match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        });
        self.ctx.set_fill_style_str(&css_color(color));
        self.ctx.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            shortest(style.size().clamp(0.0, 10_000.0)),
            style.family().as_str(),
        ));
        self.ctx.fill_text(text, x, y).map_err(canvas_err)?;
        if quarter_turns != 0.0 {
            self.ctx.restore();
        }
        Ok(())
    }
}

/// The drawing area [`paint`] hands to its closure: CSS-pixel sized.
pub type CanvasArea = DrawingArea<CanvasBackend, Shift>;

/// A canvas prepared for one frame: backing store sized, context scaled to CSS pixels.
struct Frame {
    ctx: CanvasRenderingContext2d,
    css: (u32, u32),
}

/// Why a chart was not painted (a view stamps it on the canvas as `data-paint-error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaintError {
    /// The canvas has no area: hidden, or not laid out yet.
    #[error("canvas is not laid out ({width}×{height} CSS px): nothing to paint")]
    NotLaidOut {
        /// CSS width, px.
        width: i32,
        /// CSS height, px.
        height: i32,
    },
    /// The canvas gives no 2d context (or something that is not one).
    #[error("canvas has no 2d context")]
    NoContext,
    /// A browser call refused, with the browser's message.
    #[error("{call}: {message}")]
    Browser {
        /// The call, e.g. `"drawImage"`.
        call: &'static str,
        /// What the browser said.
        message: String,
    },
    /// Plotters could not draw or present the chart.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// A pixel buffer whose length is not `4 · width · height`.
    #[error("pixel buffer is {len} bytes, expected 4·{width}·{height} = {want}")]
    PixelBuffer {
        /// Its length.
        len: usize,
        /// Pixels a row.
        width: u32,
        /// Rows.
        height: u32,
        /// The length it should have.
        want: usize,
    },
    /// A paint started while another one was using the same buffer.
    #[error("the {0} is in use")]
    Busy(&'static str),
}

fn js_err(call: &'static str, e: wasm_bindgen::JsValue) -> PaintError {
    PaintError::Browser {
        call,
        message: e.as_string().unwrap_or_else(|| format!("{e:?}")),
    }
}

fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, PaintError> {
    canvas
        .get_context("2d")
        .map_err(|e| js_err("getContext('2d')", e))?
        .ok_or(PaintError::NoContext)?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| PaintError::NoContext)
}

/// The device pixel ratio, clamped to [1, 4] (1 when unknown).
fn device_pixel_ratio() -> f64 {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    if dpr.is_finite() {
        dpr.clamp(1.0, 4.0)
    } else {
        1.0
    }
}

/// Sizes the backing store to `round(css × dpr)` (only when it changed: resizing clears the
/// canvas and its state) and sets the context transform to `scale(dpr)`.
fn prepare(canvas: &HtmlCanvasElement) -> Result<Frame, PaintError> {
    let (cw, ch) = (canvas.client_width(), canvas.client_height());
    if cw <= 0 || ch <= 0 {
        return Err(PaintError::NotLaidOut {
            width: cw,
            height: ch,
        });
    }
    let dpr = device_pixel_ratio();
    let w = (f64::from(cw) * dpr).round() as u32;
    let h = (f64::from(ch) * dpr).round() as u32;
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    let ctx = context_2d(canvas)?;
    // Back to a clean state even when the size did not change.
    ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        .map_err(|e| js_err("setTransform", e))?;
    ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
    // Scale by the exact backing/CSS ratio so CSS pixels map onto whole device pixels.
    ctx.set_transform(
        f64::from(w) / f64::from(cw),
        0.0,
        0.0,
        f64::from(h) / f64::from(ch),
        0.0,
        0.0,
    )
    .map_err(|e| js_err("setTransform", e))?;
    Ok(Frame {
        ctx,
        css: (cw as u32, ch as u32),
    })
}

/// Runs `f` on a plotters area of the canvas's CSS size and presents it.
fn run<F, T>(canvas: &HtmlCanvasElement, css: (u32, u32), f: F) -> Result<T, PaintError>
where
    F: FnOnce(&CanvasArea) -> DrawResult<T, CanvasBackend>,
{
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or(PaintError::NoContext)?;
    let root = backend.into_drawing_area();
    // The root spans the device-pixel backing store; the context scale maps CSS pixels onto it,
    // so the chart gets the CSS-sized top-left part.
    let area = root.shrink((0, 0), css);
    let out = f(&area).map_err(|e| PaintError::Draw(e.to_string()))?;
    area.present()
        .map_err(|e| PaintError::Draw(e.to_string()))?;
    Ok(out)
}

/// Paints one chart: sizes the canvas's backing store to its CSS size × `devicePixelRatio`,
/// scales the context so `f` draws in CSS pixels, runs `f` on the CSS-sized area and presents.
///
/// `f` is typically one of the `draw_*` functions, e.g.
/// `|area| draw_r_ladder(area, &ladder, &theme)`.
///
/// # Errors
/// A [`PaintError`] when the canvas is not laid out (0 × 0 CSS px, e.g. hidden), has no 2d
/// context, or drawing fails. Never panics.
pub fn paint<F, T>(canvas: &HtmlCanvasElement, f: F) -> Result<T, PaintError>
where
    F: FnOnce(&CanvasArea) -> DrawResult<T, CanvasBackend>,
{
    let frame = prepare(canvas)?;
    run(canvas, frame.css, f)
}

thread_local! {
    /// One off-screen canvas reused for every blit (one per page: wasm is single-threaded).
    static SCRATCH: RefCell<Option<HtmlCanvasElement>> = const { RefCell::new(None) };
}

fn scratch_canvas(width: u32, height: u32) -> Result<HtmlCanvasElement, PaintError> {
    SCRATCH.with(|cell| {
        let mut slot = cell
            .try_borrow_mut()
            .map_err(|_| PaintError::Busy("scratch canvas"))?;
        let c = match slot.as_ref() {
            Some(c) => c.clone(),
            None => {
                let doc =
                    web_sys::window()
                        .and_then(|w| w.document())
                        .ok_or(PaintError::Browser {
                            call: "document",
                            message: "no document".to_string(),
                        })?;
                let c = doc
                    .create_element("canvas")
                    .map_err(|e| js_err("createElement('canvas')", e))?
                    .dyn_into::<HtmlCanvasElement>()
                    .map_err(|_| PaintError::NoContext)?;
                *slot = Some(c.clone());
                c
            }
        };
        if c.width() != width {
            c.set_width(width);
        }
        if c.height() != height {
            c.set_height(height);
        }
        Ok(c)
    })
}

/// Blits an RGBA buffer (`width × height` pixels, row 0 at the top, e.g.
/// [`action_map_rgba`](super::action_map_rgba)) into `dest`, a rectangle in CSS pixels, scaled
/// without smoothing (crisp cells): one `putImageData` on an off-screen canvas and one
/// `drawImage`, instead of a rectangle per cell.
///
/// The canvas must already be sized (by [`paint`] or [`paint_action_map`]); the scale is the
/// canvas's backing/CSS ratio.
///
/// # Errors
/// A [`PaintError`] when `rgba.len() != 4·width·height`, a size is 0, or the browser refuses.
/// Never panics.
pub fn blit_rgba(
    canvas: &HtmlCanvasElement,
    width: u32,
    height: u32,
    rgba: &[u8],
    dest: PlotRect,
) -> Result<(), PaintError> {
    let want = 4 * width as usize * height as usize;
    if width == 0 || height == 0 || rgba.len() != want {
        return Err(PaintError::PixelBuffer {
            len: rgba.len(),
            width,
            height,
            want,
        });
    }
    if dest.w <= 0 || dest.h <= 0 {
        return Ok(());
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
        .map_err(|e| js_err("new ImageData", e))?;
    let off = scratch_canvas(width, height)?;
    context_2d(&off)?
        .put_image_data(&image, 0.0, 0.0)
        .map_err(|e| js_err("putImageData", e))?;
    let ctx = context_2d(canvas)?;
    let (cw, ch) = (canvas.client_width().max(1), canvas.client_height().max(1));
    ctx.save();
    let r = ctx
        .set_transform(
            f64::from(canvas.width()) / f64::from(cw),
            0.0,
            0.0,
            f64::from(canvas.height()) / f64::from(ch),
            0.0,
            0.0,
        )
        .and_then(|()| {
            ctx.set_image_smoothing_enabled(false);
            ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
                &off,
                f64::from(dest.x),
                f64::from(dest.y),
                f64::from(dest.w),
                f64::from(dest.h),
            )
        });
    ctx.restore();
    r.map_err(|e| js_err("drawImage", e))
}

/// Paints the whole action map: background, the cells as one scaled pixel blit into
/// [`action_map_plot_rect`], then axes, contour, current point and legend on top
/// ([`draw_action_map`] with [`MapLayer::Overlay`]). Returns the plot rectangle in CSS pixels
/// (for mapping pointer positions back to axis values).
///
/// # Errors
/// As [`paint`] and [`blit_rgba`]. Never panics.
pub fn paint_action_map(
    canvas: &HtmlCanvasElement,
    map: &ActionMap,
    theme: &ChartTheme,
) -> Result<PlotRect, PaintError> {
    thread_local! {
        static PIXELS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    let frame = prepare(canvas)?;
    frame.ctx.set_fill_style_str(&theme.background.css());
    frame
        .ctx
        .fill_rect(0.0, 0.0, f64::from(frame.css.0), f64::from(frame.css.1));
    let rect = action_map_plot_rect(frame.css.0, frame.css.1);
    PIXELS.with(|cell| -> Result<(), PaintError> {
        let mut px = cell
            .try_borrow_mut()
            .map_err(|_| PaintError::Busy("pixel buffer"))?;
        fill_action_map_rgba(map, &theme.actions, &mut px);
        if !px.is_empty() {
            blit_rgba(canvas, map.spec.nx as u32, map.spec.ny as u32, &px, rect)?;
        }
        Ok(())
    })?;
    run(canvas, frame.css, |area| {
        draw_action_map(area, map, theme, MapLayer::Overlay)
    })
}
