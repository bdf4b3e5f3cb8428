//! Theta tuning: sweep data against the kernel, the K boundary, A/B counts, robustness margins,
//! and strict theta import/export.
#![cfg(not(target_arch = "wasm32"))]

use harvest_features::charts::ActionMapSpec;
use harvest_features::theta::{
    import_theta, import_theta_json, import_theta_lines, theta_to_json, theta_to_lines,
    ThetaImportError,
};
use harvest_features::tuning::{
    compare_position, compare_thetas, grid_positions, margin_sentence, robustness,
    robustness_along, scenario_positions, sweep, theta_robustness, GridSpec, Sweep,
};
use harvest_kernel::{
    evaluate, flip_along, logit, Axis, Direction, HarvestAction, HarvestInput, MarketState,
    Position, Theta, ThetaField, PARAMS,
};

/// The kernel's fast path at `input` with `y` then `x` set (the action map's definition).
fn kernel_at(
    input: &HarvestInput,
    x: Axis,
    xv: f64,
    y: Axis,
    yv: f64,
) -> harvest_kernel::Evaluation {
    let mut probe = input.clone();
    y.set(&mut probe, yv);
    x.set(&mut probe, xv);
    let theta = probe.theta.unwrap_or_default();
    evaluate(
        &probe.position,
        &probe.market_state,
        probe.p1_proposal.as_ref(),
        &theta,
    )
}

fn bases() -> Vec<HarvestInput> {
    let mut short = HarvestInput::default();
    short.position.side = harvest_kernel::Side::Short;
    short.position.current_sl = Some(101.0);
    let mut no_sl = HarvestInput::default();
    no_sl.position.current_sl = None;
    no_sl.p1_proposal = None;
    vec![
        HarvestInput::default(),
        short,
        no_sl,
        scenario_positions().inputs[13].clone(),
    ]
}

#[test]
fn sweep_agrees_with_kernel_evaluate_at_sampled_cells() {
    use ThetaField::*;
    let pairs = [
        (Axis::Sigma, Axis::AgeSec),
        (Axis::Pnl, Axis::PTrend),
        (Axis::Pnl, Axis::Theta(LockR)),
        (Axis::Theta(BePlusPct), Axis::Pnl),
        (Axis::Theta(KillThreshold), Axis::Ts),
        (Axis::Theta(CostBps), Axis::Theta(T1R)),
    ];
    for base in bases() {
        for (x, y) in pairs {
            let s = sweep(&base, ActionMapSpec::around(&base, x, y, 37, 23));
            assert_eq!(s.map.cells.len(), 37 * 23);
            assert_eq!(s.new_sl.len(), 37 * 23);
            let rows: Vec<_> = s.rows().collect();
            let csv = s.to_csv();
            let lines: Vec<&str> = csv.lines().collect();
            assert_eq!(lines.len(), rows.len() + 1);
            assert_eq!(
                lines[0],
                format!("{},{},action,R_net,kill_score,new_sl", x.key(), y.key())
            );
            for k in (0..rows.len()).step_by(7) {
                let (i, j) = (k % 37, k / 37);
                let r = rows[k];
                assert_eq!((r.x, r.y), (s.map.spec.x_at(i), s.map.spec.y_at(j)));
                let e = kernel_at(&base, x, r.x, y, r.y);
                let at = format!("{}={} {}={}", x.key(), r.x, y.key(), r.y);
                assert_eq!(r.action, e.action, "{at}");
                assert_eq!(r.r_net.to_bits(), e.r_net.to_bits(), "{at}");
                assert_eq!(r.kill_score.to_bits(), e.kill_score.to_bits(), "{at}");
                assert_eq!(
                    r.new_sl.map(f64::to_bits),
                    e.new_sl.map(f64::to_bits),
                    "{at}"
                );
                // The CSV row reads back to the same numbers.
                let f: Vec<&str> = lines[k + 1].split(',').collect();
                assert_eq!(f.len(), 6);
                assert_eq!(f[0].parse::<f64>().unwrap(), r.x);
                assert_eq!(f[1].parse::<f64>().unwrap(), r.y);
                assert_eq!(f[2], e.action.as_str());
                assert_eq!(f[3].parse::<f64>().unwrap(), e.r_net);
                assert_eq!(f[4].parse::<f64>().unwrap(), e.kill_score);
                assert_eq!(f[5].parse::<f64>().ok(), e.new_sl);
                assert_eq!(Sweep::csv_row(&r), lines[k + 1]);
            }
        }
    }
}

#[test]
fn sweep_k_boundary_is_the_kill_threshold_and_the_kernels_flip() {
    let base = HarvestInput::default();
    let spec = ActionMapSpec::around(&base, Axis::Sigma, Axis::AgeSec, 200, 40);
    let s = sweep(&base, spec);
    let t = Theta::default().kill_threshold;
    let (mut above, mut below) = (0, 0);
    for r in s.rows() {
        let full = r.action == HarvestAction::FullCloseProposed;
        assert_eq!(full, r.kill_score >= t, "σ {} age {}", r.x, r.y);
        if full {
            above += 1;
        } else {
            below += 1;
        }
    }
    assert!(above > 0 && below > 0);
    // Along the row nearest the current age, the first killed cell lies within one cell of the
    // kernel's exact σ flip.
    let flip = flip_along(&base, Axis::Sigma, Direction::Up).unwrap();
    let sp = s.map.spec;
    let j = (0..sp.ny)
        .min_by(|&a, &b| {
            (sp.y_at(a) - 3600.0)
                .abs()
                .total_cmp(&(sp.y_at(b) - 3600.0).abs())
        })
        .unwrap();
    let mut probe = base.clone();
    Axis::AgeSec.set(&mut probe, sp.y_at(j));
    let row_flip = flip_along(&probe, Axis::Sigma, Direction::Up).unwrap();
    let first = (0..sp.nx)
        .find(|&i| s.map.cell(i, j).unwrap().action == HarvestAction::FullCloseProposed)
        .unwrap();
    let width = (sp.x_range.1 - sp.x_range.0) / sp.nx as f64;
    assert!(sp.x_at(first) >= row_flip.value && sp.x_at(first) - row_flip.value <= width);
    assert_eq!(flip.to, HarvestAction::FullCloseProposed);
}

/// Positions at PnL 0 (action NONE) whose K is exactly around the given values, via σ.
fn positions_with_k(ks: &[f64]) -> Vec<HarvestInput> {
    let t = Theta::default();
    ks.iter()
        .enumerate()
        .map(|(n, &k)| {
            // z = k_age·age/max_age + k_σ·(σ/σ_ref − 1)  ⇒  σ for the wanted z.
            let age_z = t.k_age_penalty * 3600.0 / t.max_age_sec;
            let sigma = t.sigma_ref * (1.0 + (logit(k) - age_z) / t.k_sigma_spike);
            HarvestInput {
                position: Position {
                    symbol: format!("K{n}"),
                    ..Position::default()
                },
                market_state: MarketState {
                    sigma: sigma.max(0.0),
                    ..MarketState::default()
                },
                ..HarvestInput::default()
            }
        })
        .collect()
}

#[test]
fn lowering_kill_threshold_turns_exactly_the_positions_in_between_to_full_close() {
    let positions = positions_with_k(&[0.50, 0.53, 0.55, 0.58, 0.65]);
    let a = Theta::default();
    let b = Theta {
        kill_threshold: 0.54,
        ..a
    };
    let r = compare_thetas(&a, &b, &positions).unwrap();
    let c = &r.counts;
    assert_eq!(c.positions, 5);
    assert_eq!((c.changed, c.action_changed, c.kill_changed), (2, 2, 2));
    assert_eq!(
        (c.newly_killed, c.no_longer_killed, c.sl_changed),
        (2, 0, 0)
    );
    assert_eq!(c.a, [4, 0, 0, 0, 1]);
    assert_eq!(c.b, [2, 0, 0, 0, 3]);
    assert_eq!(c.net(HarvestAction::FullCloseProposed), 2);
    assert_eq!(c.net(HarvestAction::None), -2);
    assert_eq!(c.transitions[0][4], 2);
    assert_eq!(
        c.net_sentence(),
        "B proposes 2 more full closes and 2 fewer holds than A."
    );
    let changed: Vec<&str> = r.changes.iter().map(|(_, d)| d.symbol.as_str()).collect();
    assert_eq!(changed, ["K2", "K3"]);
    assert_eq!(r.changes[0].0, 2);
    assert_eq!(r.changes[0].1.kinds(), ["action", "kill"]);
    assert_eq!(r.theta_diff.len(), 1);
    assert_eq!(
        (r.theta_diff[0].key, r.theta_diff[0].a, r.theta_diff[0].b),
        ("kill_threshold", 0.6, 0.54)
    );
    // Raising it back the other way is the mirror image.
    let back = compare_thetas(&b, &a, &positions).unwrap();
    assert_eq!(back.counts.no_longer_killed, 2);
    assert_eq!(back.counts.net(HarvestAction::FullCloseProposed), -2);
}

#[test]
fn grid_comparison_counts_agree_with_the_kernel() {
    let set = grid_positions(&HarvestInput::default(), &GridSpec::default()).unwrap();
    assert_eq!(set.len(), 2340);
    assert_eq!(
        set,
        grid_positions(&HarvestInput::default(), &GridSpec::default()).unwrap()
    );
    let a = Theta::default();
    let b = Theta {
        kill_threshold: 0.5,
        lock_r: 2.5,
        ..a
    };
    let r = compare_thetas(&a, &b, &set.inputs).unwrap();
    let (mut newly, mut sl, mut changed) = (0, 0, 0);
    for input in &set.inputs {
        let ev = |t: &Theta| {
            evaluate(
                &input.position,
                &input.market_state,
                input.p1_proposal.as_ref(),
                t,
            )
        };
        let (ea, eb) = (ev(&a), ev(&b));
        newly += usize::from(!ea.killed && eb.killed);
        sl += usize::from(ea.new_sl != eb.new_sl);
        changed +=
            usize::from(ea.action != eb.action || ea.new_sl != eb.new_sl || ea.killed != eb.killed);
    }
    assert!(newly > 0 && sl > 0);
    assert_eq!(r.counts.newly_killed, newly);
    assert_eq!(r.counts.sl_changed, sl);
    assert_eq!(
        r.counts.sl_removed, sl,
        "a higher lock_R only removes stops"
    );
    assert_eq!(r.counts.changed, changed);
    assert_eq!(r.changes.len(), changed);
    assert_eq!(r.counts.net(HarvestAction::FullCloseProposed), newly as i64);
    let total: i64 = HarvestAction::ALL.iter().map(|&x| r.counts.net(x)).sum();
    assert_eq!(total, 0);
    assert!(r.invalid.is_empty());
}

#[test]
fn identical_thetas_change_nothing() {
    let t = Theta {
        t1_r: 1.0,
        kill_threshold: 0.55,
        ..Theta::default()
    };
    for set in [
        scenario_positions(),
        grid_positions(&HarvestInput::default(), &GridSpec::default()).unwrap(),
    ] {
        let r = compare_thetas(&t, &t, &set.inputs).unwrap();
        assert_eq!(r.counts.changed, 0);
        assert!(r.changes.is_empty() && r.theta_diff.is_empty());
        assert_eq!(r.counts.a, r.counts.b);
        assert_eq!(r.counts.positions, set.len());
        assert_eq!(
            r.counts.net_sentence(),
            "B proposes the same action as A for every position."
        );
    }
}

#[test]
fn invalid_positions_and_thetas_are_reported_not_compared() {
    let mut bad = HarvestInput::default();
    bad.market_state.sigma = -1.0;
    let err = compare_position(&bad, &Theta::default(), &Theta::default()).unwrap_err();
    assert_eq!(err.field(), "market_state.sigma");
    let r = compare_thetas(
        &Theta::default(),
        &Theta::default(),
        &[HarvestInput::default(), bad],
    )
    .unwrap();
    assert_eq!((r.counts.positions, r.counts.invalid), (1, 1));
    assert_eq!(r.invalid[0].0, 1);
    let worse = Theta {
        max_age_sec: 0.0,
        sigma_ref: 0.0,
        ..Theta::default()
    };
    let errs: Vec<String> = compare_thetas(&worse, &worse, &[])
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(
        errs[0].starts_with("A: theta.sigma_ref") && errs[3].starts_with("B: theta.max_age_sec")
    );
}

#[test]
fn robustness_margins_come_from_the_kernels_flip_points() {
    let input = HarvestInput::default();
    let all = robustness(&input);
    assert_eq!(all.len(), 5);
    let sigma = all.iter().find(|m| m.axis == Axis::Sigma).unwrap();
    let up = sigma.up.unwrap();
    assert_eq!(Some(up), flip_along(&input, Axis::Sigma, Direction::Up));
    assert_eq!(up.to, HarvestAction::FullCloseProposed);
    let pct = 100.0 * (up.value - 0.01) / 0.01;
    assert!((up.relative_pct().unwrap() - pct).abs() < 1e-9);
    assert_eq!(sigma.nearest(), Some(&up), "σ = 0 does not flip: only up");
    let sentences = sigma.sentences();
    assert!(
        sentences[0]
            .starts_with("σ can fall to 0 (the end of its range) and the action stays NONE"),
        "{sentences:?}"
    );
    assert!(
        sentences[1].starts_with("σ can rise 78.6 % (+0.007"),
        "{sentences:?}"
    );
    // PnL is 0: no percentage, the move in quote currency.
    let pnl = robustness_along(&input, Axis::Pnl);
    assert_eq!(
        margin_sentence(&pnl.up.unwrap()),
        "PnL can rise 4.1 quote (to 4.1 quote) before PARTIAL_25"
    );
    // Tunables: kill_threshold can fall to K (0.503) before the full close.
    let th = theta_robustness(&input);
    assert_eq!(th.len(), 22);
    let kt = th
        .iter()
        .find(|m| m.axis == Axis::Theta(ThetaField::KillThreshold))
        .unwrap();
    let down = kt.down.unwrap();
    assert_eq!(down.to, HarvestAction::FullCloseProposed);
    assert!((down.value - input.evaluate().kill_score).abs() < 1e-12);
    assert!(
        margin_sentence(&down).starts_with("kill_threshold can fall 16.1 %"),
        "{}",
        margin_sentence(&down)
    );
}

fn odd_theta() -> Theta {
    let mut t = Theta::default();
    for (n, p) in PARAMS.iter().enumerate() {
        if matches!(p.field, ThetaField::T1R | ThetaField::T2R | ThetaField::T3R) {
            continue;
        }
        let frac = 0.1 + 0.8 * ((n as f64 * 0.618_033_988_749).fract());
        let r = p.field.spec().slider;
        t.set(p.field, r.min + (r.max - r.min) * frac + 1e-13);
    }
    t.t1_r = 1.0 / 3.0;
    t.t2_r = 2.0 / 3.0 + 1e-9;
    t.t3_r = 7.123_456_789_012_345;
    assert!(t.is_valid());
    t
}

#[test]
fn theta_lines_and_json_round_trip_exactly() {
    for t in [Theta::default(), odd_theta()] {
        let lines = theta_to_lines(&t);
        assert_eq!(
            lines
                .lines()
                .filter(|l| l.starts_with("theta.harvest."))
                .count(),
            22
        );
        let back = import_theta_lines(&lines).unwrap();
        assert_eq!(back, t);
        let json = theta_to_json(&t);
        let back = import_theta_json(&json).unwrap();
        assert_eq!(back, t);
        assert!(Theta::default().diff(&back) == Theta::default().diff(&t));
        // Format detection and cross-conversion.
        assert_eq!(import_theta(&lines).unwrap(), t);
        assert_eq!(
            import_theta(&theta_to_json(&import_theta(&lines).unwrap())).unwrap(),
            t
        );
    }
}

#[test]
fn partial_imports_keep_the_defaults_and_comments_are_allowed() {
    let text = "\n# tuned for chop\n  theta.harvest.trend_min = 0.4   # was 0.3\n\ntheta.harvest.kill_threshold=0.55\r\n";
    let want = Theta {
        trend_min: 0.4,
        kill_threshold: 0.55,
        ..Theta::default()
    };
    assert_eq!(import_theta(text), Ok(want));
    assert_eq!(
        import_theta(r#"{"trend_min": 0.4, "kill_threshold": 0.55}"#),
        Ok(want)
    );
}

#[test]
fn strict_import_names_every_problem_and_leaves_the_current_theta_alone() {
    let current = Theta {
        kill_threshold: 0.55,
        ..Theta::default()
    };
    let mut used = current;
    let lines = "theta.harvest.max_age_sec=0\ntheta.harvest.bogus=1\ntheta.harvest.sigma_ref=0\ntheta.harvest.cost_bps=ten\nnot a line\n";
    let json = r#"{"max_age_sec": 0, "bogus": 1, "sigma_ref": 0, "cost_bps": "ten"}"#;
    for (text, with_lines) in [(lines, true), (json, false)] {
        match import_theta(text) {
            Ok(t) => used = t,
            Err(errs) => {
                let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                let all = msgs.join("\n");
                for needle in ["max_age_sec", "bogus", "sigma_ref", "cost_bps"] {
                    assert!(all.contains(needle), "{needle} not named in:\n{all}");
                }
                assert!(errs
                    .iter()
                    .any(|e| matches!(e, ThetaImportError::UnknownKey { .. })));
                assert!(errs.iter().any(
                    |e| matches!(e, ThetaImportError::NotANumber { key, .. } if key == "cost_bps")
                ));
                assert!(errs.iter().any(|e| matches!(
                    e,
                    ThetaImportError::Invalid {
                        key: "max_age_sec",
                        ..
                    }
                )));
                assert!(errs.iter().any(|e| matches!(
                    e,
                    ThetaImportError::Invalid {
                        key: "sigma_ref",
                        ..
                    }
                )));
                if with_lines {
                    assert_eq!(errs.len(), 5, "{all}");
                    assert!(
                        all.contains(
                            "line 5: “not a line” is not a theta.harvest.<key>=<value> line"
                        ),
                        "{all}"
                    );
                    assert!(
                        all.contains("line 1: theta.max_age_sec = 0 is out of range"),
                        "{all}"
                    );
                    let lines: Vec<Option<usize>> = errs.iter().map(|e| e.line()).collect();
                    assert_eq!(lines, [Some(1), Some(2), Some(3), Some(4), Some(5)]);
                } else {
                    assert_eq!(errs.len(), 4, "{all}");
                }
            }
        }
        assert_eq!(used, current, "the caller's theta must not change");
    }
    // Nonsense the kernel computes (as the running P2 system does) is imported; the kernel's
    // warnings name it: T1_R above the default T2_R, a kill_threshold above 1.
    let t = import_theta("theta.harvest.T1_R=5\ntheta.harvest.kill_threshold=1.5").unwrap();
    let w: Vec<String> = t.warnings().into_iter().map(|w| w.field).collect();
    assert_eq!(w, ["theta.T2_R", "theta.kill_threshold"]);
}
