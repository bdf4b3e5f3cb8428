//! The research report as one self-contained HTML page: the verdict, the hand-off (theta and
//! `harvest_params`), the charts as inline SVG ([`crate::charts::research`]), and the tables
//! (folds, symbols, baselines, PBO, DSR, plateau, settings). No script, no external file.

use std::fmt::Write as _;

use super::report::{values_text, ResearchReport, Shape};
use crate::charts::research::{draw_equity, draw_folds, draw_grid_map, draw_logits, svg};
use crate::charts::ChartTheme;
use crate::format::{fixed_or_dash, shortest};
use crate::replay::Summary;
use crate::theta::theta_to_json;
use harvest_records::policy::harvest_params_json;

/// `s` with `& < > "` escaped for HTML text and attributes.
///
/// ```
/// use harvest_features::research::html::escape;
/// assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn f(v: f64, d: usize) -> String {
    fixed_or_dash(v, d)
}

fn opt(v: Option<f64>, d: usize) -> String {
    v.map_or_else(|| crate::format::DASH.to_string(), |v| f(v, d))
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;color:#1f2328;max-width:1100px;margin:24px auto;padding:0 16px}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d1d9e0;padding-bottom:4px}\
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}td,th{border:1px solid #d1d9e0;padding:3px 8px;text-align:right}\
th{background:#f6f8fa}td.l,th.l{text-align:left}.muted{color:#59636e}ul.verdict li{margin:4px 0}\
pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px;white-space:pre-wrap;word-break:break-all}svg{max-width:100%;height:auto;display:block;margin:8px 0}\
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600}.good{background:#dafbe1}.bad{background:#ffebe9}.mid{background:#fff8c5}";

fn summary_row(out: &mut String, label: &str, s: &Summary) {
    let _ = write!(
        out,
        "<tr><td class=l>{}</td><td>{}</td><td>{} %</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(label),
        s.trades,
        f(s.win_rate * 100.0, 1),
        f(s.mean_r, 3),
        f(s.median_r, 3),
        f(s.total_r, 2),
        f(s.max_drawdown_r, 2)
    );
}

const SUMMARY_HEAD: &str = "<tr><th class=l></th><th>trades</th><th>win</th><th>mean R</th><th>median R</th><th>total R</th><th>worst drawdown R</th></tr>";

/// The page of `r`.
///
/// ```
/// # use harvest_features::research::html::report_html;
/// # fn page(r: &harvest_features::research::ResearchReport) -> String { report_html(r) }
/// ```
pub fn report_html(r: &ResearchReport) -> String {
    let theme = ChartTheme::light();
    let mut o = String::new();
    let syms: Vec<String> = r.symbols.iter().map(|s| escape(&s.name)).collect();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\"><title>Harvest Lab research: {}</title><style>{STYLE}</style></head><body>",
        syms.join(", ")
    );
    let _ = write!(
        o,
        "<h1>Theta research: {}</h1><p class=muted>{} · {} scheme, {} folds, {} segments · {} cells ({} valid) · entries every {} bars, {} · {} bps a fill, at most {} bars a trade{}</p>",
        syms.join(", "),
        escape(r.objective_label),
        r.settings.scheme.as_str(),
        r.folds.len(),
        r.segments.len(),
        r.cells,
        r.trials,
        r.settings.every,
        r.settings.sides.as_str(),
        shortest(r.settings.cost_bps),
        r.settings.max_bars,
        if r.settings.trail { "" } else { ", P1 trailing off" }
    );
    o.push_str("<h2>Verdict</h2><ul class=verdict>");
    for v in &r.verdict {
        let _ = write!(o, "<li>{}</li>", escape(v));
    }
    o.push_str("</ul>");
    // Badges.
    let badge = |good: bool, mid: bool, text: String| {
        let class = if good {
            "good"
        } else if mid {
            "mid"
        } else {
            "bad"
        };
        format!("<span class=\"badge {class}\">{}</span> ", escape(&text))
    };
    o.push_str("<p>");
    if let Ok(p) = &r.pbo {
        o.push_str(&badge(
            p.pbo.pbo < 0.1,
            p.pbo.pbo < 0.5,
            format!("PBO {}", f(p.pbo.pbo, 2)),
        ));
    }
    let d = &r.choice.dsr;
    o.push_str(&badge(
        d.dsr >= 0.95,
        d.dsr >= 0.5,
        format!("DSR {}", f(d.dsr, 2)),
    ));
    o.push_str(&badge(
        r.choice.plateau.shape == Shape::Plateau,
        r.choice.plateau.shape == Shape::Flat,
        format!("{:?}", r.choice.plateau.shape).to_lowercase(),
    ));
    o.push_str(&badge(
        r.oos.chosen.mean_r > r.oos.base.mean_r,
        r.oos.chosen.mean_r > 0.0,
        format!(
            "OOS {} R/trade vs base {}",
            f(r.oos.chosen.mean_r, 3),
            f(r.oos.base.mean_r, 3)
        ),
    ));
    o.push_str("</p>");

    o.push_str("<h2>Out of sample</h2>");
    o.push_str(&svg(1060, 380, |a| draw_equity(a, r, &theme)));
    o.push_str("<table>");
    o.push_str(SUMMARY_HEAD);
    summary_row(&mut o, "each fold's choice", &r.oos.chosen);
    summary_row(&mut o, "base theta", &r.oos.base);
    summary_row(&mut o, "P1 trailing stop alone", &r.oos.trail);
    summary_row(&mut o, "hold to the initial stop", &r.oos.hold);
    o.push_str("</table>");
    let _ = write!(
        o,
        "<p>Per-trade Sharpe ratio of the stitched choice {}; its probabilistic Sharpe ratio against 0 is {} (no selection happens out of sample).</p>",
        f(r.oos.sharpe, 3),
        f(r.oos.psr, 3)
    );

    o.push_str("<h2>Folds</h2>");
    o.push_str(&svg(1060, 300, |a| draw_folds(a, r, &theme)));
    o.push_str("<table><tr><th>fold</th><th class=l>in-sample</th><th class=l>out of sample</th><th class=l>choice</th><th>IS</th><th>OOS</th><th>OOS/IS</th><th>OOS rank</th><th>base OOS</th><th>trail OOS</th><th>IS trades</th><th>OOS trades</th><th>shape</th><th>DSR</th></tr>");
    for fr in &r.folds {
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=l>{} → {}</td><td class=l>{} → {}</td><td class=l>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} of {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:?}</td><td>{}</td></tr>",
            fr.index,
            escape(&fr.is_from),
            escape(&fr.is_to),
            escape(&fr.oos_from),
            escape(&fr.oos_to),
            escape(&values_text(&fr.values, false)),
            f(fr.is_value, 3),
            opt(fr.oos_value, 3),
            opt(fr.ratio, 2),
            shortest(fr.oos_rank),
            fr.ranked,
            opt(fr.base_oos_value, 3),
            opt(fr.trail_oos_value, 3),
            fr.is.trades,
            fr.oos.trades,
            fr.plateau.shape,
            f(fr.dsr.dsr, 2)
        );
    }
    o.push_str("</table><p class=muted>OOS/IS compares per trade (mean R for expectancy and total R); a rank of 1 is the best cell out of sample. A trade never spans two segments: it closes at its segment's last close at the latest.</p>");

    o.push_str("<h2>Per symbol, out of sample</h2><table><tr><th class=l>symbol</th><th>trades</th><th>choice mean R</th><th>choice total R</th><th>base mean R</th><th>base total R</th><th>trail mean R</th><th>trail total R</th></tr>");
    for s in &r.oos.per_symbol {
        let _ = write!(
            o,
            "<tr><td class=l>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.symbol),
            s.chosen.trades,
            f(s.chosen.mean_r, 3),
            f(s.chosen.total_r, 2),
            f(s.base.mean_r, 3),
            f(s.base.total_r, 2),
            f(s.trail.mean_r, 3),
            f(s.trail.total_r, 2)
        );
    }
    o.push_str("</table>");

    let c = &r.choice;
    o.push_str("<h2>The hand-off</h2>");
    let _ = write!(
        o,
        "<p>Chosen on {} → {} (the window ending with the data): <b>{}</b>, {} {} over {} trades (base theta {}).</p>",
        escape(&c.from),
        escape(&c.to),
        escape(&values_text(&c.values, false)),
        escape(r.settings.objective.as_str()),
        f(c.value, 3),
        c.summary.trades,
        f(c.base.mean_r, 3)
    );
    o.push_str(&svg(1060, 420, |a| draw_grid_map(a, r, &theme)));
    let p = &c.plateau;
    let _ = write!(
        o,
        "<p>Around the choice: {:?} — {} neighbours, their mean {} and worst {} against the choice's {} and the grid's median {} (stability {}).</p>",
        p.shape,
        p.neighbours,
        f(p.neighbour_mean, 3),
        f(p.neighbour_worst, 3),
        f(p.best, 3),
        f(p.grid_median, 3),
        f(p.stability, 2)
    );
    let _ = write!(
        o,
        "<p>Theta file (<code>theta.json</code>):</p><pre>{}</pre><p>The policy's <code>harvest_params</code> (<code>harvest_params.json</code>; the running publisher takes <code>fallback_stop_pct</code> from its own configuration):</p><pre>{}</pre>",
        escape(&theta_to_json(&c.theta)),
        escape(&harvest_params_json(&c.theta))
    );

    o.push_str("<h2>Overfitting</h2>");
    o.push_str(&svg(1060, 260, |a| draw_logits(a, r, &theme)));
    match &r.pbo {
        Ok(p) => {
            let p = &p.pbo;
            let _ = write!(
                o,
                "<table><tr><th class=l>probability of backtest overfitting (CSCV)</th><td>{}</td></tr><tr><th class=l>probability that the in-sample best loses out of sample</th><td>{}</td></tr><tr><th class=l>median logit</th><td>{}</td></tr><tr><th class=l>blocks × trades a block</th><td>{} × {}</td></tr><tr><th class=l>combinations</th><td>{}</td></tr><tr><th class=l>cells compared</th><td>{}</td></tr><tr><th class=l>trades left out (leading, incomplete)</th><td>{}, {}</td></tr></table>",
                f(p.pbo, 3),
                f(p.prob_oos_loss, 3),
                f(p.median_logit, 3),
                p.blocks,
                p.block_len,
                p.combinations,
                p.strategies,
                p.dropped,
                p.incomplete
            );
        }
        Err(e) => {
            let _ = write!(o, "<p>No PBO: {}</p>", escape(e));
        }
    }
    let _ = write!(
        o,
        "<table><tr><th class=l>deflated Sharpe ratio of the hand-off</th><td>{}</td></tr><tr><th class=l>its per-trade Sharpe ratio</th><td>{}</td></tr><tr><th class=l>SR₀, the best of {} trials by luck</th><td>{}</td></tr><tr><th class=l>trials' Sharpe spread</th><td>{}</td></tr><tr><th class=l>trades, skewness, kurtosis</th><td>{}, {}, {}</td></tr></table>",
        f(d.dsr, 3),
        f(d.sr, 4),
        d.trials,
        f(d.sr0, 4),
        f(d.sr_std, 4),
        d.t,
        f(d.skew, 2),
        f(d.kurtosis, 2)
    );
    o.push_str("<p class=muted>PBO: Bailey, Borwein, López de Prado, Zhu, “The probability of backtest overfitting”, 2015. DSR: Bailey, López de Prado, “The deflated Sharpe ratio”, 2014.</p>");

    o.push_str("<h2>Data</h2><table><tr><th class=l>symbol</th><th>bars</th><th class=l>from</th><th class=l>to</th><th>trades</th></tr>");
    for s in &r.symbols {
        let _ = write!(
            o,
            "<tr><td class=l>{}</td><td>{}</td><td class=l>{}</td><td class=l>{}</td><td>{}</td></tr>",
            escape(&s.name),
            s.bars,
            escape(&s.from),
            escape(&s.to),
            s.trades
        );
    }
    o.push_str("</table><table><tr><th>segment</th><th class=l>from</th><th class=l>to</th><th>trades</th></tr>");
    for s in &r.segments {
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=l>{}</td><td class=l>{}</td><td>{}</td></tr>",
            s.index,
            escape(&s.from),
            escape(&s.to),
            s.trades
        );
    }
    o.push_str("</table><p class=muted>Made by Harvest Lab's <code>harvest research</code>; the same settings and data give the same report, bit for bit.</p></body></html>\n");
    o
}
