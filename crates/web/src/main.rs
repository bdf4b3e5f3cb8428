//! The dashboard entry point: mounts the Leptos app, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    harvest_web::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("harvest-lab is the browser dashboard: run `scripts/serve.sh` (or `trunk serve`). The native CLI is `harvest`.");
}
