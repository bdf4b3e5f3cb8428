//! Why a file or a line given to `harvest` was refused (each message as the CLI prints it).

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
