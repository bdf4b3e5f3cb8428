//! Why `harvest` exits non-zero: the one error type of the command line ([`CliError`]) with its
//! exit status, and why a file or a line given to it was refused ([`InputError`]). Every command
//! returns `Result<(), CliError>`; `main` prints the error (`harvest <command>: <message>`) and
//! exits with [`CliError::exit_code`], the one exit path.
//!
//! Exit statuses: 0 done; 1 the command ran and found something wrong in its input (a failed
//! line, a mismatched proposal, a change between two thetas, a refused price file); 2 it could
//! not run (an option, a file or a setting refused, Redis unreadable, output unwritable); a
//! service's own status when it stops.

use std::fmt::Display;
use std::io;
use std::process::ExitCode;

use harvest_features::reviewer::verify::JsonError;
use harvest_features::theta::ThetaImportError;
use harvest_kernel::KernelError;

/// A refused input file or line.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Bytes that are not UTF-8.
    #[error("not UTF-8 text at column {column}")]
    NotUtf8 {
        /// 1-based column of the first bad byte.
        column: usize,
    },
    /// JSON of the wrong shape (with its path).
    #[error("{0}")]
    Json(#[from] JsonError),
    /// A value the kernel refuses.
    #[error("{0}")]
    Kernel(#[from] KernelError),
    /// A theta file the strict importer refuses: every problem, `; `-separated.
    #[error("{}", harvest_features::theta::join_errors(.0))]
    Theta(Vec<ThetaImportError>),
}

impl InputError {
    /// The messages one per line: each problem of a refused theta file, else the one message.
    pub fn lines(&self) -> Vec<String> {
        match self {
            InputError::Theta(errs) => errs.iter().map(ToString::to_string).collect(),
            other => vec![other.to_string()],
        }
    }
}

impl From<std::str::Utf8Error> for InputError {
    fn from(e: std::str::Utf8Error) -> Self {
        InputError::NotUtf8 {
            column: e.valid_up_to() + 1,
        }
    }
}

/// Why a `harvest` command did not end with exit status 0.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command could not run: an option, a file or a setting it refuses (exit status 2).
    #[error("{}", prefixed(command, message))]
    Usage {
        /// The subcommand, e.g. `"backtest"`.
        command: &'static str,
        /// What was refused and why (one problem a line).
        message: String,
    },
    /// The command ran and found something wrong in its input; what, it has already written
    /// (exit status 1). `message`, if any, is its last lines.
    #[error("{}", prefixed(command, message.as_deref().unwrap_or("failed")))]
    Found {
        /// The subcommand.
        command: &'static str,
        /// The summary line still to print.
        message: Option<String>,
    },
    /// Reading the input or writing the output failed (exit status 2; a closed pipe ends the
    /// output quietly: exit status 0).
    #[error("harvest: {0}")]
    Io(#[from] io::Error),
    /// A service stopped with this status (it has logged why).
    #[error("harvest {command}: stopped with status {code}")]
    Service {
        /// The subcommand.
        command: &'static str,
        /// Its exit status.
        code: u8,
    },
}

impl CliError {
    /// `command` refused `message` (exit status 2).
    pub fn usage(command: &'static str, message: impl Display) -> CliError {
        CliError::Usage {
            command,
            message: message.to_string(),
        }
    }

    /// `command` found what it has printed (exit status 1).
    pub fn found(command: &'static str) -> CliError {
        CliError::Found {
            command,
            message: None,
        }
    }

    /// `command` found what `message` sums up (exit status 1).
    pub fn found_with(command: &'static str, message: impl Display) -> CliError {
        CliError::Found {
            command,
            message: Some(message.to_string()),
        }
    }

    /// A service's exit status: 0 is no error.
    pub fn service(command: &'static str, code: u8) -> Result<(), CliError> {
        match code {
            0 => Ok(()),
            code => Err(CliError::Service { command, code }),
        }
    }

    /// The process's exit status for this error.
    ///
    /// ```
    /// use harvest_cli::error::CliError;
    /// use std::process::ExitCode;
    /// assert_eq!(CliError::usage("sweep", "x").exit_code(), ExitCode::from(2));
    /// assert_eq!(CliError::found("verify").exit_code(), ExitCode::FAILURE);
    /// ```
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage { .. } => ExitCode::from(2),
            CliError::Found { .. } => ExitCode::FAILURE,
            CliError::Io(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            CliError::Io(_) => ExitCode::from(2),
            CliError::Service { code, .. } => ExitCode::from(*code),
        }
    }

    /// What `main` prints on standard error before exiting (nothing for what the command has
    /// already said, a closed pipe or a service's own stop).
    pub fn message(&self) -> Option<String> {
        match self {
            CliError::Found { message: None, .. } | CliError::Service { .. } => None,
            CliError::Io(e) if e.kind() == io::ErrorKind::BrokenPipe => None,
            e => Some(e.to_string()),
        }
    }
}

/// Each line of `text` as `harvest <command>: <line>`.
fn prefixed(command: &str, text: &str) -> String {
    text.lines()
        .map(|l| format!("harvest {command}: {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What every command returns.
pub type CliResult = Result<(), CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_exit_status_per_kind_and_one_message() {
        let cases: [(CliError, ExitCode, Option<&str>); 7] = [
            (
                CliError::usage("sweep", "--nx must be ≥ 2"),
                ExitCode::from(2),
                Some("harvest sweep: --nx must be ≥ 2"),
            ),
            (CliError::found("verify"), ExitCode::FAILURE, None),
            (
                CliError::found_with("propose", "2 of 10 lines failed"),
                ExitCode::FAILURE,
                Some("harvest propose: 2 of 10 lines failed"),
            ),
            (
                CliError::from(io::Error::new(io::ErrorKind::BrokenPipe, "closed")),
                ExitCode::SUCCESS,
                None,
            ),
            (
                CliError::from(io::Error::other("disk full")),
                ExitCode::from(2),
                Some("harvest: disk full"),
            ),
            (
                CliError::Service {
                    command: "publish",
                    code: 3,
                },
                ExitCode::from(3),
                None,
            ),
            (
                CliError::usage("theta", "a.json: 2 problems"),
                ExitCode::from(2),
                Some("harvest theta: a.json: 2 problems"),
            ),
        ];
        for (e, code, msg) in cases {
            assert_eq!(e.exit_code(), code, "{e:?}");
            assert_eq!(e.message().as_deref(), msg, "{e:?}");
        }
        assert!(CliError::service("publish", 0).is_ok());
        // One problem a line, each named after the command.
        assert_eq!(
            CliError::usage("diff-theta", "theta A (a): x\ntheta B (b): y").to_string(),
            "harvest diff-theta: theta A (a): x\nharvest diff-theta: theta B (b): y"
        );
    }
}
