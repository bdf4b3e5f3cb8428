//! Reviewer mode: load proposal and input records (paste, file, drop, the sample), see each
//! record's verdict with its field-level diff, filter / sort / page them, export the review, and
//! open any record in the explorer. One component per file; what they show is computed in
//! [`harvest_features::reviewer`] and every comparison is [`harvest_features::reviewer::verify`]'s.

mod batch_card;
mod batches;
mod context;
mod count_chip;
mod counts;
mod filters;
mod job_status;
mod jobs;
mod load_panel;
mod messages;
mod page;
mod pager;
mod record_row;
mod record_table;
mod reviewed_record;
mod row_detail;
mod sort_header;
mod tolerance;
mod view_tabs;

pub use context::ReviewCtx;
pub use page::ReviewPage;
pub use reviewed_record::ReviewedRecord;
pub use view_tabs::ViewTabs;
