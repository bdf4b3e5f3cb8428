//! Input controls: one component per file.

pub mod input_control;
pub mod presets;
pub mod progress_card;
pub mod range_field;
pub mod side_select;
pub mod theta_control;
pub mod theta_io;
pub mod theta_io_body;
pub mod toggle;

pub use input_control::InputControl;
pub use presets::Presets;
pub use side_select::SideSelect;
pub use theta_control::ThetaControl;
pub use theta_io::ThetaIo;
pub use toggle::Toggle;
