//! Input controls: one component per file.

pub mod card;
pub mod input_control;
pub mod presets;
pub mod progress_card;
pub mod range_field;
pub mod side_select;
pub mod skip_link;
pub mod status_line;
pub mod theta_control;
pub mod theta_io;
pub mod theta_io_box;
pub mod toggle;

pub use card::Card;
pub use input_control::InputControl;
pub use presets::Presets;
pub use side_select::SideSelect;
pub use skip_link::SkipLink;
pub use status_line::{Status, StatusLine};
pub use theta_control::ThetaControl;
pub use theta_io::ThetaIo;
pub use theta_io_box::ThetaIoBox;
pub use toggle::Toggle;
