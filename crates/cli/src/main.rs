//! `harvest`: the native command-line front end of the kernel (replay, propose, verify, ...).

fn main() -> std::process::ExitCode {
    harvest_cli::main()
}
