//! Dashboard browser tests (wasm32 only, headless Chromium via wasm-bindgen-test-runner): what
//! needs a real browser but not a user — localStorage and the URL hash round trips, the fallback
//! on a corrupt saved state, the strict theta import as the wasm build runs it, and the mounted app's first render.
#![cfg(target_arch = "wasm32")]

use harvest_features::explorer::{encode, UiState};
use harvest_features::theta::{import_theta, theta_to_json, theta_to_lines};
use harvest_kernel::{HarvestAction, Side, Theta};
use harvest_web::browser::{self, Source, STORAGE_KEY};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Drops the hash from the test page's URL.
fn clear_hash() {
    browser::replace_hash("");
    assert_eq!(browser::location_hash(), "");
}

fn sample_state() -> UiState {
    let mut s = UiState::from_preset(7, 1).expect("scenario 7 has two steps");
    s.pnl = 0.1 + 0.2;
    s.theta.kill_threshold = 0.55;
    s.market.set_p_trend(0.25);
    s
}

#[wasm_bindgen_test]
fn local_storage_round_trip() {
    clear_hash();
    let s = sample_state();
    browser::persist(&s);
    assert_eq!(
        browser::storage_get(STORAGE_KEY).as_deref(),
        Some(encode(&s).as_str())
    );
    // persist() also wrote the hash: drop it so the saved state is what loads.
    clear_hash();
    let (back, source, notices) = browser::initial_state();
    assert_eq!(source, Source::Storage);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back, s);
    assert_eq!(back.side, Side::Short);
    assert_eq!(back.pnl.to_bits(), (0.1f64 + 0.2).to_bits());
    browser::storage_remove(STORAGE_KEY);
}

#[wasm_bindgen_test]
fn url_hash_round_trip_on_a_real_location() {
    browser::storage_remove(STORAGE_KEY);
    let s = sample_state();
    browser::replace_hash(&encode(&s));
    assert_eq!(browser::location_hash(), encode(&s));
    assert!(browser::location_href().contains('#'));
    let (back, source, notices) = browser::initial_state();
    assert_eq!(source, Source::Url);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back, s);
    // The URL wins over storage.
    browser::storage_set(STORAGE_KEY, "pnl=7");
    assert_eq!(browser::initial_state().0, s);
    browser::storage_remove(STORAGE_KEY);
    clear_hash();
    assert_eq!(browser::initial_state().1, Source::Defaults);
}

#[wasm_bindgen_test]
fn corrupt_url_and_storage_fall_back_with_a_notice() {
    browser::replace_hash("pnl=abc&nonsense=1&sigma=0.03");
    let (s, source, notices) = browser::initial_state();
    assert_eq!(source, Source::Url);
    assert_eq!(s.pnl, 0.0, "unreadable field keeps its default");
    assert_eq!(s.market.sigma, 0.03, "readable field kept");
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].contains("position.unrealized_pnl"),
        "{}",
        notices[0]
    );
    assert!(notices[0].contains("nonsense"), "{}", notices[0]);

    clear_hash();
    browser::storage_set(STORAGE_KEY, "\u{0}garbage=%%%&pnl=1e999");
    let (s, source, notices) = browser::initial_state();
    assert_eq!(source, Source::Defaults);
    assert_eq!(s, UiState::default());
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].contains("reset to the defaults"),
        "{}",
        notices[0]
    );
    assert_eq!(
        browser::storage_get(STORAGE_KEY),
        None,
        "the corrupt entry is removed"
    );
}

#[wasm_bindgen_test]
fn theta_import_in_the_browser_build() {
    // The export / import box's importer, as the wasm build runs it: a round trip of every
    // tunable's exact value, both formats, and every problem named.
    let t = Theta {
        cost_bps: 12.5,
        u1: 1.0 / 3.0,
        ..Theta::default()
    };
    assert_eq!(import_theta(&theta_to_json(&t)), Ok(t));
    assert_eq!(import_theta(&theta_to_lines(&t)), Ok(t));
    let err = import_theta("{").unwrap_err();
    assert!(
        err[0].to_string().starts_with("not valid JSON: "),
        "{err:?}"
    );
    let err = import_theta(r#"{"kill": 1, "T1_R": "2"}"#).unwrap_err();
    assert_eq!(err.len(), 2, "{err:?}");
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_renders_the_default_proposal() {
    browser::storage_remove(STORAGE_KEY);
    clear_hash();
    leptos::mount::mount_to_body(harvest_web::App);
    for _ in 0..20 {
        leptos::task::tick().await;
    }
    let doc = web_sys::window().unwrap().document().unwrap();
    let text = |sel: &str| {
        doc.query_selector(sel)
            .unwrap()
            .unwrap_or_else(|| panic!("{sel} is in the page"))
            .text_content()
            .unwrap_or_default()
    };
    assert_eq!(text("[data-testid=action]"), HarvestAction::None.as_str());
    assert_eq!(text("[data-testid=r-net]"), "-0.050");
    assert_eq!(text("[data-testid=kill-score]"), "0.503");
    assert!(text("[data-testid=proposal-json]").contains("\"harvest_action\": \"NONE\""));
    for id in [
        "input-pnl",
        "input-p-trend",
        "input-sigma",
        "input-ts",
        "input-age",
        "theta-kill-threshold",
        "theta-T1-R",
        "chart-kill",
        "chart-r-ladder",
        "chart-stop-ladder",
    ] {
        assert!(
            doc.query_selector(&format!("[data-testid={id}]"))
                .unwrap()
                .is_some(),
            "{id} is in the page"
        );
    }
}

/// The file-reading errors' messages (the tuning view's and the theta box's status line).
#[wasm_bindgen_test]
fn read_file_errors_say_what_failed() {
    use harvest_web::browser::files::ReadFileError;
    for (e, want) in [
        (ReadFileError::NoReader, "this browser cannot read files"),
        (ReadFileError::NotText, "the file could not be read as text"),
    ] {
        assert_eq!(e.to_string(), want);
    }
}
