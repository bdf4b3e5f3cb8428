//! Panels: one component per file.

pub mod charts;
pub mod flips;
pub mod market;
pub mod notices;
pub mod p1;
pub mod position;
pub mod proposal_json;
pub mod reasons;
pub mod summary;
pub mod theta;
pub mod toolbar;

pub use charts::ChartsPanel;
pub use flips::Flips;
pub use market::MarketPanel;
pub use notices::Notices;
pub use p1::P1Panel;
pub use position::PositionPanel;
pub use proposal_json::ProposalJson;
pub use reasons::Reasons;
pub use summary::Summary;
pub use theta::ThetaPanel;
pub use toolbar::Toolbar;
