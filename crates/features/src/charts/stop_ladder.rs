//! The stop ladder: entry, the current and proposed stops, the break-even-plus level and the
//! mark price on one price axis, and the stop move as an arrow ([`stop_ladder`],
//! [`draw_stop_ladder`]). The proposed stop and BE+ are the kernel's ([`HarvestInput::evaluate`]),
//! the mark [`Position::implied_price`](harvest_kernel::Position::implied_price).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, circle, clamp_to, color, fill, font, headline, polygon, rect, spread_intervals,
    steady_range, stroke, text, text_style, text_width, Area, Axes, DrawResult, Plot, TickText,
};
use super::theme::{ChartTheme, Rgb};
use crate::format::{fmt_price, fmt_r};
use harvest_kernel::{HarvestInput, Side};

/// What a price level on the stop ladder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelKind {
    /// The entry price.
    Entry,
    /// The current stop.
    CurrentSl,
    /// The stop the kernel proposes (the BE+ level, only ever tightening).
    ProposedSl,
    /// The break-even-plus level, proposed or not.
    BePlus,
    /// The mark price implied by the PnL ([`Position::implied_price`](harvest_kernel::Position::implied_price)).
    Mark,
}

impl LevelKind {
    /// Short label: `entry`, `SL`, `new SL`, `BE+`, `mark`.
    pub fn label(self) -> &'static str {
        match self {
            LevelKind::Entry => "entry",
            LevelKind::CurrentSl => "SL",
            LevelKind::ProposedSl => "new SL",
            LevelKind::BePlus => "BE+",
            LevelKind::Mark => "mark",
        }
    }
}

/// One level on the price axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceLevel {
    /// What it is.
    pub kind: LevelKind,
    /// The price.
    pub price: f64,
}

impl PriceLevel {
    /// `"BE+ 100.2"`.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind.label(), fmt_price(self.price))
    }
}

/// The stop move: from the current stop to the proposed one. The kernel only ever tightens, so
/// for LONG `to > from` and for SHORT `to < from`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopArrow {
    /// The current stop.
    pub from: f64,
    /// The proposed stop.
    pub to: f64,
}

impl StopArrow {
    /// Whether the arrow points up the price axis (`to > from`; LONG).
    pub fn rises(&self) -> bool {
        self.to > self.from
    }

    /// `"99 → 100.2"`.
    pub fn label(&self) -> String {
        format!("{} → {}", fmt_price(self.from), fmt_price(self.to))
    }
}

/// Entry, stops, BE+ and mark on one price axis, and the stop move.
#[derive(Debug, Clone, PartialEq)]
pub struct StopLadder {
    /// LONG or SHORT.
    pub side: Side,
    /// Entry price.
    pub entry: f64,
    /// Mark price implied by the PnL.
    pub mark: f64,
    /// The current stop, if any.
    pub current_sl: Option<f64>,
    /// The proposed stop, if any.
    pub proposed_sl: Option<f64>,
    /// The BE+ level (proposed or not).
    pub be_plus: f64,
    /// R_net.
    pub r_net: f64,
    /// `lock_R`.
    pub lock_r: f64,
    /// Every finite level, sorted by price (ascending).
    pub levels: Vec<PriceLevel>,
    /// The move from the current stop to the proposed one; `None` when nothing is proposed or
    /// there is no current stop to move from.
    pub arrow: Option<StopArrow>,
    /// Visible price range: every level with 10 % padding (at least 0.1 % of entry).
    pub range: (f64, f64),
}

impl StopLadder {
    /// `"LONG · SL 99 → 100.2"`, `"LONG · new SL 100.2"`, or
    /// `"LONG · SL stays 99 (BE+ 100.2 at R_net ≥ 1.5)"`.
    pub fn headline(&self) -> String {
        let side = self.side.as_str();
        match (self.arrow, self.proposed_sl, self.current_sl) {
            (Some(a), _, _) => format!("{side} · SL {}", a.label()),
            (None, Some(p), _) => format!("{side} · new SL {}", fmt_price(p)),
            (None, None, Some(sl)) if self.r_net >= self.lock_r => format!(
                "{side} · SL stays {} (BE+ {} would not tighten)",
                fmt_price(sl),
                fmt_price(self.be_plus)
            ),
            (None, None, Some(sl)) => format!(
                "{side} · SL stays {} (BE+ {} at R_net ≥ {})",
                fmt_price(sl),
                fmt_price(self.be_plus),
                fmt_r(self.lock_r)
            ),
            (None, None, None) => format!(
                "{side} · no SL (BE+ {} at R_net ≥ {})",
                fmt_price(self.be_plus),
                fmt_r(self.lock_r)
            ),
        }
    }
}

/// Builds the [`StopLadder`] for `input`: the proposed stop and BE+ level from the kernel's fast
/// path, the mark from [`Position::implied_price`](harvest_kernel::Position::implied_price).
///
/// ```
/// use harvest_features::charts::stop_ladder;
/// use harvest_kernel::HarvestInput;
/// let mut input = HarvestInput::default();
/// input.position.unrealized_pnl = 5.0; // R_net 2.45 ≥ lock_R
/// let s = stop_ladder(&input);
/// assert_eq!(s.arrow.unwrap().label(), "99 → 100.2");
/// assert!(s.arrow.unwrap().rises());
/// ```
pub fn stop_ladder(input: &HarvestInput) -> StopLadder {
    stop_ladder_within(input, None)
}

/// [`stop_ladder`] with its price range steadied against the range shown before
/// ([`steady_range`]): the axis does not move with every step of a drag.
pub fn stop_ladder_within(input: &HarvestInput, prev: Option<(f64, f64)>) -> StopLadder {
    let theta = input.theta.unwrap_or_default();
    let e = input.evaluate();
    let pos = &input.position;
    let mark = pos.implied_price();
    let mut levels = vec![
        PriceLevel {
            kind: LevelKind::Entry,
            price: pos.entry_price,
        },
        PriceLevel {
            kind: LevelKind::BePlus,
            price: e.be_level,
        },
        PriceLevel {
            kind: LevelKind::Mark,
            price: mark,
        },
    ];
    if let Some(sl) = pos.current_sl {
        levels.push(PriceLevel {
            kind: LevelKind::CurrentSl,
            price: sl,
        });
    }
    if let Some(sl) = e.new_sl {
        levels.push(PriceLevel {
            kind: LevelKind::ProposedSl,
            price: sl,
        });
    }
    levels.retain(|l| l.price.is_finite());
    levels.sort_by(|a, b| a.price.total_cmp(&b.price));
    let (lo, hi) = levels
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), l| {
            (lo.min(l.price), hi.max(l.price))
        });
    let entry_pad = if pos.entry_price.is_finite() {
        pos.entry_price.abs() * 0.001
    } else {
        0.0
    };
    let pad = ((hi - lo) * 0.1).max(entry_pad);
    let range = steady_range(prev, (lo, hi), pad, (0.0, 1.0));
    let arrow = match (pos.current_sl, e.new_sl) {
        (Some(from), Some(to)) if from.is_finite() && to.is_finite() => {
            Some(StopArrow { from, to })
        }
        _ => None,
    };
    StopLadder {
        side: pos.side,
        entry: pos.entry_price,
        mark,
        current_sl: pos.current_sl,
        proposed_sl: e.new_sl,
        be_plus: e.be_level,
        r_net: e.r_net,
        lock_r: theta.lock_r,
        levels,
        arrow,
        range,
    }
}

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
    area: &Area<DB>,
    data: &StopLadder,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    begin(area, theme)?;
    headline(area, &data.headline(), theme, theme.foreground)?;
    let (lo, hi) = data.range;
    let plot = Plot::on(area, [26, 8, 8, 4], (0, 58), (0.0, 1.0), (lo, hi));
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
            y_text: TickText::Price,
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
            let st = stroke(level_color(k, theme), width);
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
        kinds.sort_by_key(|k| match k {
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
            stroke(theme.muted, 1),
        )?;
        plot.label(
            area,
            (line_end + 0.05, ly),
            (0, 0),
            &s,
            &font(
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
        plot.line(area, (x, a.from), (x, a.to), stroke(ink, 3))?;
        let (tx, ty) = plot.map((x, a.to));
        let d = if a.rises() { 10 } else { -10 };
        polygon(
            area,
            vec![(tx, ty), (tx - 6, ty + d), (tx + 6, ty + d)],
            fill(ink),
        )?;
        circle(area, plot.map((x, a.from)), 3, fill(theme.stop))?;
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
        text(
            area,
            &label,
            (mx + 12, my),
            &text_style(theme, ink, HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}
