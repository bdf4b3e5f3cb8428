//! Reviewer mode: load proposal and input records (paste, file, drop, the sample), see each
//! record's verdict with its field-level diff, filter / sort / page them, export the review, and
//! open any record in the explorer. One component per file; the pure parts are in
//! [`harvest_features::reviewer`] and every comparison is [`harvest_features::reviewer::verify`]'s.

mod actions;
mod batches;
mod context;
mod counts;
mod filters;
pub(crate) mod io;
mod job_status;
mod jobs;
mod load_panel;
mod page;
mod record_table;
mod reviewed_record;
mod tolerance;
mod view_tabs;

pub use context::ReviewCtx;
pub use page::ReviewPage;
pub use reviewed_record::ReviewedRecord;
pub use view_tabs::ViewTabs;
