//! The reviewer's context: what is loaded (a non-reactive [`Store`] plus a [`Trigger`] notified
//! when it changes), the table's filter, sort and page, and the job queue. Provided by the
//! reviewer's view, which is built once (the first time it shows) and kept, so it outlives
//! switching views; what the other views share is in [`Nav`].

use std::collections::VecDeque;

use leptos::prelude::*;

use crate::browser;
use crate::nav::Nav;
use crate::reviewer::jobs::{self, Job};
use harvest_features::explorer::{encode, UiState};
use harvest_features::nav::View;
use harvest_features::progress::Progress;
use harvest_features::reviewer::verify::Counts;
use harvest_features::reviewer::{
    page_info, select, Export, Filter, OpenedRecord, PageInfo, RowRef, Sort, Store, ToleranceError,
    PAGE_SIZE,
};
use harvest_kernel::Tolerance;

/// A message about a load that failed as a whole (e.g. the sample could not be fetched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Stable id (the list's key; never reused).
    pub id: u32,
    /// What happened.
    pub text: String,
}

/// Small and `Copy`: components take it with [`ReviewCtx::get`].
#[derive(Clone, Copy)]
pub struct ReviewCtx {
    /// The views' shared state.
    pub nav: Nav,
    /// Everything loaded (read it after tracking `version`). Not a signal: 100,000 rows are
    /// changed in place a slice at a time, and readers are told with `version`.
    pub store: StoredValue<Store>,
    /// Notified whenever `store` changed.
    pub version: Trigger,
    /// The tolerance for new reviews (batches are re-reviewed when it changes).
    pub tolerance: RwSignal<Tolerance>,
    /// What is running now, if anything.
    pub job: RwSignal<Option<Progress>>,
    /// Jobs waiting to run (files hold browser objects: local storage).
    pub queue: StoredValue<VecDeque<Job>, LocalStorage>,
    /// Whether the job runner is active.
    pub running: StoredValue<bool>,
    /// Set by the Cancel button; the running load stops at its next slice.
    pub cancel: StoredValue<bool>,
    /// Messages about loads that failed as a whole.
    pub messages: RwSignal<Vec<Notice>>,
    /// The next message's id.
    next_notice: StoredValue<u32>,
    /// Why the tolerance typed was refused, if it was.
    pub tol_error: RwSignal<Option<ToleranceError>>,
    /// The table's filters.
    pub filter: RwSignal<Filter>,
    /// The table's sort.
    pub sort: RwSignal<Sort>,
    /// The table's page, from 0.
    pub page: RwSignal<usize>,
    /// The rows that pass the filter, in sort order.
    pub selection: Memo<Vec<RowRef>>,
    /// Where the shown page is in `selection`.
    pub page_info: Memo<PageInfo>,
    /// Counts over everything loaded.
    pub counts: Memo<Counts>,
    /// Whether several files are loaded (the table shows a File column).
    pub multi: Memo<bool>,
}

impl ReviewCtx {
    /// Builds and provides the context, and tells `nav` about it.
    pub fn provide(nav: Nav) -> ReviewCtx {
        let store = StoredValue::new(Store::default());
        let version = Trigger::new();
        let filter = RwSignal::new(Filter::default());
        let sort = RwSignal::new(Sort::default());
        let page = RwSignal::new(0);
        let selection = Memo::new(move |_| {
            version.track();
            let f = filter.get();
            let s = sort.get();
            store.with_value(|st| select(st, &f, s))
        });
        let page_info =
            Memo::new(move |_| page_info(selection.with(Vec::len), page.get(), PAGE_SIZE));
        let counts = Memo::new(move |_| {
            version.track();
            store.with_value(Store::counts)
        });
        let multi = Memo::new(move |_| {
            version.track();
            store.with_value(|s| s.batches.len() > 1)
        });
        let rc = ReviewCtx {
            nav,
            store,
            version,
            tolerance: RwSignal::new(Tolerance::default()),
            job: RwSignal::new(None),
            queue: StoredValue::new_local(VecDeque::new()),
            running: StoredValue::new(false),
            cancel: StoredValue::new(false),
            messages: RwSignal::new(Vec::new()),
            next_notice: StoredValue::new(0),
            tol_error: RwSignal::new(None),
            filter,
            sort,
            page,
            selection,
            page_info,
            counts,
            multi,
        };
        provide_context(rc);
        nav.review.set(Some(rc));
        // The tab's badge.
        Effect::new(move |_| {
            let n = counts.with(|c| c.records);
            if nav.records.get_untracked() != n {
                nav.records.set(n);
            }
        });
        rc
    }

    /// The context provided by the reviewer's view.
    pub fn get() -> ReviewCtx {
        // Only missing if a component is mounted outside `App`: a programming error.
        expect_context::<ReviewCtx>()
    }

    /// Marks the store as changed.
    pub fn bump(&self) {
        self.version.notify();
    }

    /// Whether anything is loaded (tracks the store).
    pub fn has_batches(&self) -> bool {
        self.version.track();
        self.store.with_value(|s| !s.batches.is_empty())
    }

    /// Shows a message about a load that failed as a whole.
    pub fn notify(&self, text: String) {
        let id = self.next_notice.get_value();
        self.next_notice.set_value(id.wrapping_add(1));
        self.messages.update(|m| m.push(Notice { id, text }));
    }

    /// Removes message `id`.
    pub fn dismiss(&self, id: u32) {
        self.messages.update(|m| m.retain(|n| n.id != id));
    }

    /// Queues a job (a load or a re-review) and starts the runner if it is idle.
    pub fn enqueue(&self, job: Job) {
        let dup = matches!(job, Job::Rerun)
            && self
                .queue
                .with_value(|q| q.iter().any(|j| matches!(j, Job::Rerun)));
        if !dup {
            self.queue.update_value(|q| q.push_back(job));
        }
        if !self.running.get_value() {
            self.running.set_value(true);
            let rc = *self;
            leptos::task::spawn_local(async move { jobs::run(rc).await });
        }
    }

    /// Stops the running load (its rows so far are kept) and drops queued loads.
    pub fn cancel_loads(&self) {
        self.cancel.set_value(true);
        self.queue
            .update_value(|q| q.retain(|j| matches!(j, Job::Rerun)));
    }

    /// Applies the tolerance typed (or says what is wrong with it): a new tolerance re-reviews
    /// everything loaded with it.
    pub fn apply_tolerance(&self, typed: Result<Tolerance, ToleranceError>) {
        let tol = match typed {
            Ok(t) => t,
            Err(e) => {
                self.tol_error.set(Some(e));
                return;
            }
        };
        if self.tol_error.with_untracked(Option::is_some) {
            self.tol_error.set(None);
        }
        if self.tolerance.get_untracked() == tol {
            return;
        }
        self.tolerance.set(tol);
        if self.store.with_value(|s| !s.batches.is_empty()) {
            self.enqueue(Job::Rerun);
        }
    }

    /// Changes the filter (back to the first page).
    pub fn set_filter(&self, f: impl FnOnce(&mut Filter)) {
        self.filter.update(f);
        self.page.set(0);
    }

    /// Changes the sort (back to the first page).
    pub fn set_sort(&self, f: impl FnOnce(Sort) -> Sort) {
        self.sort.update(|s| *s = f(*s));
        self.page.set(0);
    }

    /// Removes a batch that is not loading.
    pub fn remove(&self, id: u32) {
        self.store.update_value(|s| s.remove(id));
        self.page.set(0);
        self.bump();
    }

    /// Downloads export `what` of batch `id`.
    pub fn export(&self, id: u32, what: Export) {
        if let Some(f) = self
            .store
            .with_value(|s| s.get(id).and_then(|b| b.export(what)))
        {
            browser::download(&f.name, f.mime, &f.text);
        }
    }

    /// Opens row `index` of batch `batch` in the explorer: its inputs and theta become the
    /// explorer's state (and the URL's hash), its recorded outputs stay on screen beside the
    /// live proposal. Rows without inputs (unreadable) do nothing.
    pub fn open(&self, batch: u32, index: usize) {
        let opened = self.store.with_value(|s| {
            let b = s.get(batch)?;
            OpenedRecord::from_row(b.rows.get(index)?, &b.name, b.tolerance)
        });
        let Some(o) = opened else { return };
        let state = UiState::from_input(&o.input);
        browser::go_to(View::Explorer, Some(&encode(&state)));
        self.nav.opened.set(Some(o));
        self.nav.explorer.set(state);
        self.nav.view.set(View::Explorer);
        browser::scroll_top();
    }
}
