//! The Leptos dashboard (wasm32 only). Placeholder until the dashboard lands.
use leptos::prelude::*;

/// Mounts the app on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <main data-testid="app">"Harvest Lab"</main> });
}
