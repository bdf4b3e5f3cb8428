//! `harvest`: the native command-line front end of the kernel (replay, propose, verify, ...).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    harvest_lab::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
