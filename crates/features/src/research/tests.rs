//! Research on synthetic bars and planted results: no look-ahead across fold boundaries, a
//! future-only edge rejected out of sample, the stepper and any task order giving the same bits.

use super::*;
use crate::replay::{Series, SweepAxis};
use harvest_market::{Bar, P0Params};

/// Hourly bars: waves and a drift with a little deterministic noise; `shock` multiplies the
/// closes from bar `from` on (a different future).
fn bars(n: usize, seed: u64, shock: Option<(usize, f64)>) -> Vec<Bar> {
    let mut x = seed;
    let mut noise = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 1000) as f64 / 1000.0 - 0.5
    };
    (0..n)
        .map(|i| {
            let t = i as f64;
            let mut c = 100.0
                * (1.0
                    + 0.08 * (t / 55.0).sin()
                    + 0.03 * (t / 13.0).sin()
                    + 0.0001 * t
                    + 0.004 * noise());
            if let Some((from, k)) = shock {
                if i >= from {
                    c *= 1.0 + k * ((i - from) as f64 / 30.0).sin();
                }
            }
            let w = 0.003 + 0.002 * noise().abs();
            Bar {
                time: 1_500_000_000 + 3600 * i as i64,
                open: c * (1.0 + w * noise()),
                high: c * (1.0 + w),
                low: c * (1.0 - w),
                close: c,
                volume: None,
            }
        })
        .collect()
}

fn settings() -> ResearchSettings {
    ResearchSettings {
        grid: vec![
            SweepAxis::parse("kill_threshold=0.4:0.8:3").unwrap(),
            SweepAxis::parse("T1_R=1:3:3").unwrap(),
        ],
        folds: 3,
        every: 24,
        max_bars: 200,
        cscv_blocks: 4,
        ..ResearchSettings::default()
    }
}

fn symbol(name: &str, bars: Vec<Bar>) -> SymbolSeries {
    SymbolSeries {
        name: name.into(),
        series: Series::with_states(bars, P0Params::default()),
    }
}

fn run(plan: ResearchPlan) -> ResearchReport {
    let results: Vec<TaskResult> = plan.tasks().iter().map(|&t| plan.run_task(t)).collect();
    build_report(&plan, &results).unwrap()
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

/// Changing every bar of the last segment changes nothing a fold learned before it: the
/// earlier folds are identical in every figure, and the last fold chose on the same in-sample
/// trades (its choice and in-sample figures are identical; only its out-of-sample differs).
#[test]
fn no_look_ahead_across_fold_boundaries() {
    let n = 3000;
    let a = ResearchPlan::new(settings(), vec![symbol("A", bars(n, 7, None))]).unwrap();
    let last_seg_start = a.folds.bounds[3];
    let from = ((last_seg_start - 1_500_000_000) / 3600) as usize;
    let b = ResearchPlan::new(
        settings(),
        vec![symbol("A", bars(n, 7, Some((from, 0.06))))],
    )
    .unwrap();
    assert_eq!(a.folds, b.folds);
    let (ra, rb) = (run(a), run(b));
    assert_eq!(json(&ra.folds[0]), json(&rb.folds[0]));
    assert_eq!(json(&ra.folds[1]), json(&rb.folds[1]));
    let (fa, fb) = (&ra.folds[2], &rb.folds[2]);
    assert_eq!(fa.cell, fb.cell);
    assert_eq!(json(&fa.is), json(&fb.is));
    assert_eq!(json(&fa.is_values), json(&fb.is_values));
    assert_eq!(json(&fa.dsr), json(&fb.dsr));
    assert_ne!(
        json(&fa.oos),
        json(&fb.oos),
        "the future was changed: out of sample must differ"
    );
}

/// Results planted by hand: cell `edge` makes 5 R a trade only in the last segment, cell
/// `steady` 0.2 R everywhere, the rest −0.1 R; cell `luck` makes 3 R only in segment 1 and
/// −1 R after. Walk-forward never picks the future-only edge before it happened, picks the
/// lucky cell after its in-sample luck, and out of sample rejects it (negative OOS, a
/// negative OOS/IS ratio, ranked last).
#[test]
fn a_future_only_edge_is_never_chosen_and_in_sample_luck_is_rejected() {
    let plan = ResearchPlan::new(settings(), vec![symbol("A", bars(3000, 11, None))]).unwrap();
    let (edge, steady, luck) = (8, 4, 0);
    let segs = plan.folds.segments();
    let results: Vec<TaskResult> = plan
        .tasks()
        .iter()
        .map(|t| {
            let blk = &plan.blocks[t.block];
            let g = blk.segment;
            let v = match t.column {
                c if c == edge && g == segs - 1 => 5.0,
                c if c == luck && g == 1 => 3.0,
                c if c == luck && g > 1 => -1.0,
                c if c == steady => 0.2,
                _ => -0.1,
            };
            let n = blk.entries.len();
            let base = t.column == plan.base_column();
            TaskResult {
                r: vec![v; n],
                hold: if base { vec![0.0; n] } else { vec![] },
                trail: if base { vec![0.0; n] } else { vec![] },
                invalid: false,
            }
        })
        .collect();
    let r = build_report(&plan, &results).unwrap();
    // Fold 0: trained on segment 0 → steady. Fold 1: trained on segment 1 → luck.
    // Fold 2: trained on segment 2 → steady (the edge is only in segment 3, its OOS).
    let cells: Vec<usize> = r.folds.iter().map(|f| f.cell).collect();
    assert_eq!(cells, vec![steady, luck, steady]);
    let lucky = &r.folds[1];
    assert_eq!(lucky.is_value, 3.0);
    assert_eq!(lucky.oos_value, Some(-1.0));
    assert_eq!(lucky.ratio, Some(-1.0 / 3.0));
    assert_eq!(lucky.oos_rank, 9.0); // last of 9 cells
    let last = &r.folds[2];
    assert_ne!(last.cell, edge);
    assert_eq!(last.oos_rank, 2.0); // the edge, unseen, is first out of sample
                                    // The hand-off is chosen on the last window, where the edge now is.
    assert_eq!(r.choice.cell, edge);
}

/// The stepper, a trade at a time, and the tasks run in reverse order give the same report,
/// bit for bit.
#[test]
fn stepper_and_any_order_give_the_same_bits() {
    let plan = ResearchPlan::new(
        settings(),
        vec![
            symbol("A", bars(2000, 3, None)),
            symbol("B", bars(2400, 5, None)),
        ],
    )
    .unwrap();
    let tasks = plan.tasks();
    let mut rev: Vec<(usize, TaskResult)> = tasks
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &t)| (i, plan.run_task(t)))
        .collect();
    rev.sort_by_key(|(i, _)| *i);
    let results: Vec<TaskResult> = rev.into_iter().map(|(_, r)| r).collect();
    let direct = build_report(&plan, &results).unwrap();
    let mut job = Research::new(plan);
    let mut steps = 0;
    while !job.step(|| false) {
        steps += 1;
    }
    assert_eq!(steps + 1, job.progress().trades);
    assert_eq!(json(&job.report().unwrap()), json(&direct));
}

#[test]
fn pooled_and_per_symbol_add_up() {
    let plan = ResearchPlan::new(
        settings(),
        vec![
            symbol("A", bars(2000, 3, None)),
            symbol("B", bars(2400, 5, None)),
        ],
    )
    .unwrap();
    let r = run(plan);
    let per: usize = r.oos.per_symbol.iter().map(|s| s.chosen.trades).sum();
    assert_eq!(per, r.oos.chosen.trades);
    assert_eq!(r.oos.equity.len(), r.oos.chosen.trades);
    let total: f64 = r.oos.per_symbol.iter().map(|s| s.chosen.total_r).sum();
    assert!((total - r.oos.chosen.total_r).abs() < 1e-9);
    let last = r.oos.equity.last().unwrap();
    assert!((last.chosen - r.oos.chosen.total_r).abs() < 1e-9);
    for f in &r.folds {
        let p: usize = f.per_symbol.iter().map(|s| s.chosen.trades).sum();
        assert_eq!(p, f.oos.trades);
        assert_eq!(f.base_oos.trades, f.oos.trades);
        assert_eq!(f.is_values.len(), 9);
    }
    assert_eq!(r.symbols.len(), 2);
    assert_eq!(r.trials, 9);
    assert!(r.pbo.is_ok());
    assert_eq!(r.verdict.len(), 5);
}

#[test]
fn invalid_cells_are_left_out_and_counted() {
    let s = ResearchSettings {
        grid: vec![
            // σ_ref must be above 0: 0 is invalid.
            SweepAxis::parse("sigma_ref=0:0.02:3").unwrap(),
            SweepAxis::parse("T1_R=1:2:2").unwrap(),
        ],
        ..settings()
    };
    let plan = ResearchPlan::new(s, vec![symbol("A", bars(2000, 3, None))]).unwrap();
    let r = run(plan);
    assert_eq!((r.cells, r.trials), (6, 4));
    assert!(r.folds.iter().all(|f| f.values[0].value > 0.0));
    assert_eq!(r.folds[0].is_values[0], None);
    assert_eq!(r.folds[0].is_values[3], None);
    assert!(r.folds[0].is_values[1].is_some());
}

#[test]
fn settings_are_checked() {
    let one = || vec![symbol("A", bars(1200, 3, None))];
    let bad = |s: ResearchSettings| ResearchPlan::new(s, one()).unwrap_err().to_string();
    assert!(bad(ResearchSettings {
        folds: 0,
        ..settings()
    })
    .contains("folds = 0"));
    assert!(bad(ResearchSettings {
        cscv_blocks: 5,
        ..settings()
    })
    .contains("cscv_blocks = 5"));
    assert!(bad(ResearchSettings {
        grid: vec![],
        ..settings()
    })
    .contains("1 to 3 tunables"));
    let e = ResearchPlan::new(
        settings(),
        vec![
            symbol("A", bars(1200, 3, None)),
            symbol("A", bars(1200, 4, None)),
        ],
    )
    .unwrap_err();
    assert_eq!(e, ResearchError::RepeatedSymbol("A".into()));
    // Too many folds for the trades: a segment without a trade.
    let e = ResearchPlan::new(
        ResearchSettings {
            folds: 40,
            every: 200,
            ..settings()
        },
        one(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no trade in segment"), "{e}");
}

/// The HTML page: self-contained, its four charts drawn (with their headlines), names escaped.
#[test]
fn the_html_report_has_its_charts_and_escapes_names() {
    let plan = ResearchPlan::new(
        settings(),
        vec![
            symbol("<b>A</b>", bars(2000, 3, None)),
            symbol("B&C", bars(2400, 5, None)),
        ],
    )
    .unwrap();
    let r = run(plan);
    let html = html::report_html(&r);
    assert_eq!(html.matches("<svg").count(), 4);
    for needle in [
        "Out of sample, folds stitched: cumulative R",
        "per fold: in-sample against out-of-sample",
        "over the grid; the choice outlined",
        "CSCV logits of the in-sample best",
        "&lt;b&gt;A&lt;/b&gt;",
        "B&amp;C",
        "harvest_params",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert!(!html.contains("<b>A</b>"));
    assert!(!html.contains("<script"));
}

/// A job handed to another thread as text (the page's Web Worker): its results and PBO, sent
/// back as text, give the report of the job run in place, bit for bit; progress grows to the total;
/// a bad request is one error message naming what is wrong.
#[test]
fn a_job_as_text_gives_the_same_report() {
    use super::remote::{report_of, run_request, JobMessage, JobRequest, SymbolBars};
    let req = JobRequest {
        settings: settings(),
        symbols: vec![
            SymbolBars {
                name: "A".into(),
                bars: bars(2000, 3, None),
            },
            SymbolBars {
                name: "B".into(),
                bars: bars(2400, 5, None),
            },
        ],
    };
    let text = serde_json::to_string(&req).unwrap();
    let clock = std::cell::Cell::new(0.0);
    let mut got = Vec::new();
    run_request(
        &text,
        || {
            clock.set(clock.get() + 1.0);
            clock.get()
        },
        50.0,
        |m| got.push(m.clone()),
    );
    let (last, progress) = got.split_last().unwrap();
    let JobMessage::Results { results, pbo } = last else {
        panic!("{last:?}")
    };
    assert!(
        pbo.as_deref().is_some_and(|p| p.starts_with("ok ")),
        "{pbo:?}"
    );
    assert!(progress.len() > 3, "progress while it runs");
    let mut prev = 0;
    for m in progress {
        let JobMessage::Progress { done, total } = m else {
            panic!("{m:?}")
        };
        assert!(*done >= prev && done <= total);
        prev = *done;
    }
    let plan = ResearchPlan::new(
        settings(),
        vec![
            symbol("A", bars(2000, 3, None)),
            symbol("B", bars(2400, 5, None)),
        ],
    )
    .unwrap();
    // With the thread's PBO, or computed from the results here: the same report.
    let report = report_of(&plan, results, pbo.as_deref()).unwrap();
    let alone = report_of(&plan, results, None).unwrap();
    assert_eq!(json(&report), json(&alone));
    assert_eq!(json(&report), json(&run(plan.clone())));
    assert!(report_of(&plan, results, Some("ok 1 2")).is_err());
    let mut short = results.clone();
    short.pop();
    assert!(report_of(&plan, &short, pbo.as_deref())
        .unwrap_err()
        .contains("results"));
    // Bad requests: one error each.
    for (bad, says) in [
        ("{", "the job could not be read"),
        (
            r#"{"settings":{"grid":[],"folds":0,"train":1,"scheme":"rolling","objective":"expectancy","every":24,"sides":"both","base":{},"cost_bps":10.0,"max_bars":500,"trail":true,"cscv_blocks":16},"symbols":[]}"#,
            "",
        ),
    ] {
        let mut out = Vec::new();
        run_request(bad, || 0.0, 50.0, |m| out.push(m.clone()));
        assert_eq!(out.len(), 1, "{out:?}");
        let JobMessage::Error { message } = &out[0] else {
            panic!("{out:?}")
        };
        assert!(message.contains(says), "{message}");
    }
}
