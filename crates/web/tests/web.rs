//! Browser tests: compiled for wasm32 only and run by `wasm-bindgen-test-runner` in headless
//! Chromium (scripts/test.sh). On the native target this file is empty.
//!
//! Run them alone with:
//! `CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!  cargo test --target wasm32-unknown-unknown --test web`
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .expect("a window: these tests run in a browser, not node")
        .document()
        .expect("a document")
}

#[wasm_bindgen_test]
fn runs_in_a_browser_page_with_a_live_dom() {
    let document = document();
    let body = document.body().expect("a <body>");

    let probe = document.create_element("div").expect("create <div>");
    probe.set_attribute("data-testid", "probe").unwrap();
    probe.set_text_content(Some("Harvest Lab"));
    body.append_child(&probe).expect("append to <body>");

    let found = document
        .query_selector("[data-testid=probe]")
        .unwrap()
        .expect("the probe is in the DOM");
    assert_eq!(found.text_content().as_deref(), Some("Harvest Lab"));
    let found: web_sys::HtmlElement = found.dyn_into().expect("an HtmlElement");
    assert_eq!(found.tag_name(), "DIV");

    probe.remove();
    assert!(document
        .query_selector("[data-testid=probe]")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
fn has_a_monotonic_high_resolution_clock() {
    // The dashboard's repaint timings rely on performance.now().
    let performance = web_sys::window()
        .unwrap()
        .performance()
        .expect("performance");
    let t0 = performance.now();
    let mut acc = 0.0_f64;
    for i in 0..100_000 {
        acc += f64::from(i).sqrt();
    }
    let t1 = performance.now();
    assert!(acc > 0.0);
    assert!(
        t0 >= 0.0 && t1 >= t0,
        "performance.now() went backwards: {t0} -> {t1}"
    );
}

#[wasm_bindgen_test]
fn f64_survive_a_json_round_trip_in_wasm() {
    // The kernel's JSON must keep full f64 precision in the browser build too.
    let values = [
        0.1 + 0.2,
        1.0 / 3.0,
        -2.5e-308,
        f64::MAX,
        f64::MIN_POSITIVE,
        123_456.789_012_345_68,
        -0.0,
    ];
    let json = serde_json::to_string(&values).unwrap();
    let back: Vec<f64> = serde_json::from_str(&json).unwrap();
    assert_eq!(values.len(), back.len());
    for (a, b) in values.iter().zip(&back) {
        assert_eq!(a.to_bits(), b.to_bits(), "{a} came back as {b} via {json}");
    }
    // And through JavaScript's own number parser.
    let parsed = js_sys::JSON::parse(&json).unwrap();
    let array: js_sys::Array = parsed.dyn_into().unwrap();
    assert_eq!(array.get(0).as_f64(), Some(0.1 + 0.2));
    assert_eq!(array.get(1).as_f64(), Some(1.0 / 3.0));
}

/// `format::parse_f64_std` (Rust's number grammar, the browser's conversion) agrees with
/// `str::parse::<f64>` in the browser, bit for bit, accepted or refused alike.
#[wasm_bindgen_test]
fn parse_f64_std_matches_rust_parse() {
    let cases = [
        "0",
        "-0",
        "+1",
        "1.",
        ".5",
        "1e3",
        "1E-3",
        "-2.5e+10",
        "0.1",
        "1e309",
        "-1e309",
        "inf",
        "-Infinity",
        "NaN",
        "nan",
        "",
        "-",
        ".",
        "e5",
        "1e",
        "1e+",
        "0x10",
        "1_000",
        " 1",
        "1 ",
        "1.2.3",
        "--1",
        "+-1",
        "123456789012345678901234567890",
        "2.2250738585072014e-308",
        "4.9e-324",
        "1.7976931348623157e308",
        "0.30000000000000004",
    ];
    for s in cases {
        let ours = harvest_features::format::parse_f64_std(s);
        let rust = s.parse::<f64>().ok();
        match (ours, rust) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
            (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{s:?}: {a} vs {b}"),
            (None, None) => {}
            (a, b) => panic!("{s:?}: ours {a:?}, Rust {b:?}"),
        }
    }
}

/// `harvest_features::format` (zmij's shortest digits, the hand-written exact `fixed`/`sci`)
/// prints what `core::fmt` prints, in the browser; on an exact tie between two shortest
/// candidates zmij takes the even digit where core rounds up.
#[wasm_bindgen_test]
fn format_matches_core_fmt() {
    assert_eq!(
        harvest_features::format::shortest(651_940_860_439_473.0 + 0.25),
        "651940860439473.2"
    );
    let mut cases = vec![
        0.0,
        -0.0,
        0.1 + 0.2,
        1e-7,
        1.5e-7,
        1e21,
        1.5e21,
        123456.789,
        -2.5,
        0.7341,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        2f64.powi(-1022),
        2f64.powi(60),
    ];
    let mut x = 0.3172_f64;
    for i in 0..2000 {
        x = (x * 9.73 + 0.137).fract();
        cases.push(x * 10f64.powi(i % 44 - 22));
    }
    for v in cases {
        let (ours, core) = (harvest_features::format::shortest(v), format!("{v}"));
        if ours != core {
            // An exact tie between the two shortest candidates: as long, reads back to `v`.
            assert_eq!(ours.len(), core.len(), "{v:e}: {ours} vs {core}");
            assert_eq!(ours.parse::<f64>().ok(), Some(v), "{v:e}: {ours} vs {core}");
            continue;
        }
        assert_eq!(
            harvest_features::format::debug(v),
            format!("{v:?}"),
            "{v:e}"
        );
        assert_eq!(harvest_features::format::exp(v), format!("{v:e}"), "{v:e}");
        assert_eq!(
            harvest_features::format::sci(v, 3),
            format!("{v:.3e}"),
            "{v:e}"
        );
        for d in [0, 1, 2, 3, 6] {
            assert_eq!(
                harvest_features::format::fixed(v, d),
                format!("{v:.d$}"),
                "{v:e} .{d}"
            );
        }
    }
}
