//! The `harvest` command line.
use std::process::ExitCode;

/// Entry point of the `harvest` binary.
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
