//! The reviewer's background work, one job at a time: loading a file (read in chunks), the
//! sample or a paste, and re-reviewing everything after a tolerance change. Work is done in
//! slices of [`SLICE_MS`]; between slices the page yields to the browser, so it stays
//! responsive and the progress bar moves.

use leptos::prelude::*;

use crate::browser::files::{Chunks, Source};
use crate::browser::{self, now_ms, SLICE_MS};
use crate::reviewer::context::ReviewCtx;
use harvest_features::progress::{Progress, Unit};
use harvest_features::reviewer::{BatchStatus, LoadError, Loader};

/// How often the table and counts catch up while a load runs.
const REFRESH_MS: f64 = 400.0;
/// The sample, relative to the page (the site may live under any sub-path).
pub const SAMPLE_URL: &str = "assets/sample-proposals.jsonl";
/// The sample's name in the list of loaded files.
pub const SAMPLE_NAME: &str = "sample-proposals.jsonl";

/// One thing to do.
pub enum Job {
    /// A file picked or dropped.
    File(web_sys::File),
    /// The sample file, fetched from the site.
    Sample,
    /// Pasted text.
    Text(String),
    /// Re-review everything with the current tolerance.
    Rerun,
}

/// Runs queued jobs until the queue is empty.
pub async fn run(rc: ReviewCtx) {
    while let Some(job) = rc.queue.try_update_value(|q| q.pop_front()).flatten() {
        rc.cancel.set_value(false);
        match job {
            Job::File(f) => {
                let name = f.name();
                load(rc, name, Source::File(f)).await;
            }
            Job::Sample => {
                rc.job.set(Some(Progress::new(
                    format!("Fetching {SAMPLE_NAME}"),
                    Unit::Bytes,
                    None,
                    now_ms(),
                )));
                match browser::files::fetch_bytes(SAMPLE_URL).await {
                    Ok(bytes) => load(rc, SAMPLE_NAME.to_string(), Source::Bytes(bytes)).await,
                    Err(e) => rc.notify(format!("The sample could not be loaded: {e}.")),
                }
            }
            Job::Text(text) => {
                let name = format!("pasted text ({} bytes)", text.len());
                load(rc, name, Source::Bytes(text.into_bytes())).await;
            }
            Job::Rerun => rerun(rc).await,
        }
    }
    rc.running.set_value(false);
    rc.job.set(None);
    rc.bump();
}

fn cancelled(rc: ReviewCtx) -> bool {
    rc.cancel.get_value()
}

/// Reads `src` in chunks into a new batch, reviewing in slices.
async fn load(rc: ReviewCtx, name: String, src: Source) {
    let tol = rc.tolerance.get_untracked();
    let mut chunks = Chunks::new(src);
    let size = chunks.size();
    let id = rc
        .store
        .try_update_value(|s| s.add(&name, Some(size as u64), tol))
        .unwrap_or_default();
    let started_ms = now_ms();
    let status = |loader: &Loader| Progress {
        done: loader.bytes_read() as f64,
        lines: Some(loader.lines_reviewed()),
        cancellable: true,
        ..Progress::new(
            format!("Reviewing {name}"),
            Unit::Bytes,
            Some(size),
            started_ms,
        )
    };
    let mut loader = Loader::new(tol);
    rc.job.set(Some(status(&loader)));
    rc.bump();
    let mut last_refresh = now_ms();
    let outcome = 'read: loop {
        if cancelled(rc) {
            break BatchStatus::Cancelled;
        }
        match chunks.next().await {
            Ok(Some(bytes)) => loader.feed(&bytes),
            Ok(None) => loader.finish(),
            Err(e) => {
                break BatchStatus::Failed(LoadError::Read {
                    offset: chunks.offset() as u64,
                    reason: e.to_string(),
                })
            }
        }
        while loader.queued() > 0 {
            let t0 = now_ms();
            let rows = loader.step(|| now_ms() - t0 < SLICE_MS);
            // Bytes behind the lines reviewed so far (the rest of the chunk is still queued).
            let (done, queued) = (loader.lines_reviewed() as f64, loader.queued() as f64);
            let read = (loader.bytes_read() as f64 * done / (done + queued).max(1.0)) as u64;
            let alive = rc
                .store
                .try_update_value(|s| {
                    s.get_mut(id)
                        .map(|b| {
                            let first = b.rows.len() < 256;
                            b.push(rows);
                            if first {
                                b.reserve_for(read, size as u64);
                            }
                        })
                        .is_some()
                })
                .unwrap_or(false);
            if !alive {
                break 'read BatchStatus::Cancelled;
            }
            rc.job.set(Some(status(&loader)));
            if now_ms() - last_refresh > REFRESH_MS {
                last_refresh = now_ms();
                rc.bump();
            }
            browser::yield_now().await;
            if cancelled(rc) {
                break 'read BatchStatus::Cancelled;
            }
        }
        if loader.is_done() {
            break BatchStatus::Done;
        }
    };
    rc.store.update_value(|s| {
        if let Some(b) = s.get_mut(id) {
            b.status = outcome;
            b.digest = loader.digest().cloned();
            b.note = loader.note().map(str::to_string);
        }
    });
    rc.bump();
}

/// Re-reviews every batch not yet reviewed with the current tolerance. Stops early if the
/// tolerance changes again (a newer re-review is queued then).
async fn rerun(rc: ReviewCtx) {
    let tol = rc.tolerance.get_untracked();
    let (ids, total) = rc.store.with_value(|s| {
        let todo: Vec<_> = s.batches.iter().filter(|b| b.tolerance != tol).collect();
        (
            todo.iter().map(|b| b.id).collect::<Vec<_>>(),
            todo.iter().map(|b| b.rows.len()).sum::<usize>(),
        )
    });
    let started_ms = now_ms();
    let mut done = 0usize;
    for id in ids {
        let mut i = 0;
        loop {
            if rc.tolerance.get_untracked() != tol {
                return;
            }
            let t0 = now_ms();
            let step = rc
                .store
                .try_update_value(|s| {
                    s.get_mut(id).map(|b| {
                        let next = b.rerun(i, &tol, || now_ms() - t0 < SLICE_MS);
                        let end = next >= b.rows.len();
                        if end {
                            b.finish_rerun(tol);
                        }
                        (next, end)
                    })
                })
                .flatten();
            let Some((next, end)) = step else { break };
            done += next - i;
            i = next;
            rc.job.set(Some(Progress {
                done: done as f64,
                ..Progress::new(
                    format!(
                        "Re-reviewing with tolerance abs {}, rel {}",
                        harvest_features::format::exp(tol.abs),
                        harvest_features::format::exp(tol.rel)
                    ),
                    Unit::Records,
                    Some(total as f64),
                    started_ms,
                )
            }));
            if end {
                break;
            }
            browser::yield_now().await;
        }
    }
    rc.bump();
}
