//! The signals under the Replay view's trade chart, on its x axis: the kill score's z as the
//! stacked weighted components against the threshold's z* (the full-close region shaded), and
//! R_net against the T1/T2/T3 bands in their actions' colours with lock_R dashed
//! ([`trade_signals`], [`draw_trade_signals`]). The components are the kernel's
//! ([`contributions`]).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::plot::{
    begin, fill, font, headline_at, rect, stroke, text, text_width, Area, Axes, DrawResult,
    TickText,
};
use super::theme::ChartTheme;
use super::trade_chart::{trade_plot, x_range, TradeChart};
use crate::format::fixed_trim;
use crate::replay::Trade;
use harvest_kernel::{contributions, logit, HarvestAction, Theta};

/// The signals under the trade chart, one value per evaluated bar.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeSignals {
    /// The bars (same x as the trade chart).
    pub index: Vec<usize>,
    /// The kill logit z.
    pub z: Vec<f64>,
    /// K.
    pub k: Vec<f64>,
    /// Weighted contributions to z: regime flip, σ spike, TS drop, age.
    pub parts: Vec<[f64; 4]>,
    /// `z* = logit(kill_threshold)`.
    pub z_star: f64,
    /// `kill_threshold`.
    pub threshold: f64,
    /// R_net.
    pub r_net: Vec<f64>,
    /// T1_R, T2_R, T3_R.
    pub bands: [f64; 3],
    /// lock_R.
    pub lock_r: f64,
    /// x range (as the trade chart's).
    pub x_range: (f64, f64),
    /// The scrubber's bar.
    pub cursor: Option<usize>,
}

impl TradeSignals {
    /// No bar yet: `theta`'s threshold, bands and lock_R over `x_range`, the scrubber at
    /// `cursor`.
    pub fn empty(theta: &Theta, x_range: (f64, f64), cursor: Option<usize>) -> TradeSignals {
        TradeSignals {
            index: Vec::new(),
            z: Vec::new(),
            k: Vec::new(),
            parts: Vec::new(),
            z_star: logit(theta.kill_threshold),
            threshold: theta.kill_threshold,
            r_net: Vec::new(),
            bands: [theta.t1_r, theta.t2_r, theta.t3_r],
            lock_r: theta.lock_r,
            x_range,
            cursor,
        }
    }

    /// Adds bar `index`: its z, K, weighted components and R_net.
    pub fn push(&mut self, index: usize, z: f64, k: f64, parts: [f64; 4], r_net: f64) {
        self.index.push(index);
        self.z.push(z);
        self.k.push(k);
        self.parts.push(parts);
        self.r_net.push(r_net);
    }
}

/// The signals of `trade` under `theta`, on the x range of `chart`.
pub fn trade_signals(trade: &Trade, theta: &Theta, chart: &TradeChart) -> TradeSignals {
    let mut s = TradeSignals::empty(theta, x_range(&chart.candles), chart.cursor);
    for st in &trade.steps {
        if let Some(e) = &st.eval {
            s.push(
                st.index,
                e.z,
                e.kill_score,
                contributions(&e.k, theta),
                e.r_net,
            );
        }
    }
    s
}

/// Draws two panels: z as the stacked weighted kill components with the threshold z* (the full
/// close region shaded), and R_net with the T1/T2/T3 bands in their actions' colours and
/// lock_R dashed; the scrubber's bar on both.
///
/// # Errors
/// The backend's drawing errors.
pub fn draw_trade_signals<DB: DrawingBackend>(
    area: &Area<DB>,
    d: &TradeSignals,
    theme: &ChartTheme,
) -> DrawResult<(), DB> {
    let size = begin(area, theme)?;
    let half = size.1 / 2;
    let small = theme.font_size - 1.0;
    let y_axis = |n| Axes {
        y_ticks: n,
        y_grid: true,
        y_text: TickText::Compact,
        ..Axes::default()
    };
    // Kill panel: room above the highest of z and z* for the legend (22 px), so neither the
    // threshold line nor a bar runs through it.
    let top =
        d.z.iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(d.z_star, f64::max)
            .max(0.1);
    let plot_h = f64::from((half - 30).max(1));
    let zmax = top * (1.0 / (1.0 - (22.0 / plot_h).min(0.5))).max(1.1);
    let f = trade_plot(size, 24, size.1 - half + 6, d.x_range, (0.0, zmax));
    headline_at(
        area,
        &format!(
            "Kill score: z = Σ weighted components; full close when K ≥ {} (z ≥ {})",
            fixed_trim(d.threshold, 3),
            fixed_trim(d.z_star, 3)
        ),
        (8, 4),
        theme,
        theme.foreground,
    )?;
    f.axes(area, theme, &y_axis(3))?;
    f.rect(
        area,
        (f.x.0, zmax),
        (f.x.1, d.z_star.min(zmax)),
        fill(theme.danger.mix(theme.background, 0.85)),
    )?;
    let bw = ((f.x_scale() * 0.45).round() as i32).max(1);
    for (k, &i) in d.index.iter().enumerate() {
        let mut base = 0.0;
        let x = f.px(i as f64);
        for (j, &p) in d.parts[k].iter().enumerate() {
            if p > 0.0 && p.is_finite() {
                let (a, b) = ((x - bw, f.py(base)), (x + bw, f.py(base + p)));
                rect(area, a, b, fill(theme.components[j]))?;
                base += p;
            }
        }
    }
    let line = |v: &'_ [f64]| -> Vec<(f64, f64)> {
        d.index
            .iter()
            .zip(v)
            .map(|(&i, &v)| (i as f64, v))
            .collect()
    };
    super::plot::path(area, f.points(line(&d.z)), stroke(theme.foreground, 1))?;
    f.level(area, d.z_star, stroke(theme.danger, 2))?;
    let danger = font(theme, small, theme.danger, HPos::Right, VPos::Center);
    text(area, "z*", (f.r - 2, f.py(d.z_star) - 8), &danger)?;
    let lg = font(theme, small, theme.muted, HPos::Left, VPos::Center);
    let names = ["regime flip", "σ spike", "TS drop", "age"];
    let width: i32 = names.iter().map(|n| 28 + text_width(n, 11.0) as i32).sum();
    rect(
        area,
        (f.l + 4, f.t + 1),
        (f.l + 4 + width, f.t + 15),
        fill(theme.background),
    )?;
    let mut x = f.l + 8;
    for (j, name) in names.iter().enumerate() {
        rect(
            area,
            (x, f.t + 4),
            (x + 10, f.t + 12),
            fill(theme.components[j]),
        )?;
        text(area, name, (x + 14, f.t + 8), &lg)?;
        x += 28 + text_width(name, 11.0) as i32;
    }
    if let Some(i) = d.cursor {
        f.cursor(area, i as f64, stroke(theme.foreground, 1))?;
    }
    // R_net panel.
    let finite = d.r_net.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((-1.0f64, d.bands[2] + 0.5), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = (lo - 0.2, hi + 0.2);
    let g = trade_plot(size, half + 22, 6, d.x_range, (lo, hi));
    headline_at(
        area,
        &format!(
            "R_net against T1 {} / T2 {} / T3 {} (lock_R {})",
            fixed_trim(d.bands[0], 2),
            fixed_trim(d.bands[1], 2),
            fixed_trim(d.bands[2], 2),
            fixed_trim(d.lock_r, 2)
        ),
        (8, half + 2),
        theme,
        theme.foreground,
    )?;
    let acts = [
        HarvestAction::Partial25,
        HarvestAction::Partial50,
        HarvestAction::Partial75,
    ];
    let band_label = font(theme, small, theme.muted, HPos::Right, VPos::Center);
    for (k, a) in acts.iter().enumerate() {
        let top = if k == 2 { hi } else { d.bands[k + 1].min(hi) };
        let bot = d.bands[k].max(lo);
        if top > bot {
            let c = theme.action_color(*a).mix(theme.background, 0.45);
            g.rect(area, (g.x.0, top), (g.x.1, bot), fill(c))?;
            text(
                area,
                &format!("T{}", k + 1),
                (g.r - 2, g.py(bot) - 7),
                &band_label,
            )?;
        }
    }
    g.axes(area, theme, &y_axis(4))?;
    g.level(area, d.lock_r, stroke(theme.lock, 1))?;
    g.line(area, (g.x.0, 0.0), (g.x.1, 0.0), stroke(theme.muted, 1))?;
    super::plot::path(area, g.points(line(&d.r_net)), stroke(theme.accent2, 2))?;
    if let Some(i) = d.cursor {
        g.cursor(area, i as f64, stroke(theme.foreground, 1))?;
    }
    Ok(())
}
