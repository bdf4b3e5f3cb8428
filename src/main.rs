//! The dashboard entry point: mounts the Leptos app, nothing else.

/// Talc instead of the default dlmalloc: the same job in less wasm (single-threaded page).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    harvest_lab::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("harvest-lab is the browser dashboard: run `scripts/serve.sh` (or `trunk serve`). The native CLI is `harvest`.");
}
