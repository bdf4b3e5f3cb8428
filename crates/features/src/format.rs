//! Numbers to text: the one formatting module of the features and the dashboard.
pub use harvest_kernel::num::*;
