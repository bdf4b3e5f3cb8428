//! Research tasks over a Redis Stream with a consumer group, so any number of `harvest research
//! --worker --redis URL` processes on any machines compute one job:
//!
//! - the coordinator (`harvest research … --redis URL`) stores the job (settings and every
//!   symbol's bars) under `harvest:research:job:<id>:spec`, adds one stream entry a task still
//!   missing from the results hash `harvest:research:job:<id>:results` to the stream
//!   [`STREAM`], and waits until every task has a result; `<id>` is a hash of the job, so a
//!   rerun of the same job takes the results already there;
//! - a worker reads entries with `XREADGROUP` in the group [`GROUP`], computes the task
//!   (`ResearchPlan::run_task`, pure), writes its result (bits as hex) with `HSET`, then `XACK`s
//!   and deletes the entry; before reading new entries it claims, with `XAUTOCLAIM`, entries
//!   pending longer than `--claim-after-ms` — a dead worker's — so nothing is lost;
//! - the results are the same bits wherever a task ran, so the report is bit-identical to the
//!   single-machine run.
//!
//! Written on the `redis` crate here until the workspace's one Redis connection type
//! (`harvest-redis`) is on main: this module is the one place to switch.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};
use redis::Value;
use sha2::{Digest as _, Sha256};

use harvest_features::research::{ResearchPlan, TaskResult};

use super::JobSpec;

/// The task stream.
pub const STREAM: &str = "harvest:research:tasks";
/// The workers' consumer group.
pub const GROUP: &str = "harvest-research-workers";
/// How long a job's keys live after it was last touched, seconds.
pub const JOB_TTL: u64 = 7 * 24 * 3600;

fn spec_key(job: &str) -> String {
    format!("harvest:research:job:{job}:spec")
}

fn results_key(job: &str) -> String {
    format!("harvest:research:job:{job}:results")
}

/// The URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

fn connect(url: &str) -> redis::RedisResult<redis::Connection> {
    let client = redis::Client::open(url)?;
    let con = client.get_connection_with_timeout(Duration::from_secs(5))?;
    con.set_read_timeout(Some(Duration::from_secs(60)))?;
    con.set_write_timeout(Some(Duration::from_secs(60)))?;
    Ok(con)
}

/// Creates the consumer group (and the stream) unless it exists.
fn ensure_group(con: &mut redis::Connection) -> redis::RedisResult<()> {
    let r: redis::RedisResult<()> = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(STREAM)
        .arg(GROUP)
        .arg("0")
        .arg("MKSTREAM")
        .query(con);
    match r {
        Err(e) if e.to_string().contains("BUSYGROUP") => Ok(()),
        other => other,
    }
}

/// Why a distributed run failed.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Redis refused or could not be reached.
    #[error("Redis {url}: {error}")]
    Redis {
        /// The URL (password hidden).
        url: String,
        /// The error.
        error: redis::RedisError,
    },
    /// No task finished for too long.
    #[error("no task finished for {0} s ({1} of {2} done): is a `harvest research --worker --redis URL` running?")]
    Stalled(u64, usize, usize),
    /// A stored result is not a result of the task.
    #[error("task {0}: the stored result is unreadable or of the wrong length")]
    BadResult(usize),
}

/// The job's id: a SHA-256 of the job and the program's version (first 24 hex digits).
pub fn job_id(spec_json: &str) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(harvest_kernel::KERNEL_VERSION.as_bytes());
    h.update(spec_json.as_bytes());
    h.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Hands `plan`'s tasks to the workers and waits for every result (in task order).
///
/// # Errors
/// [`QueueError`]: Redis fails, no task finishes within `wait`, a stored result is unreadable.
pub fn coordinate(
    url: &str,
    spec: &JobSpec,
    plan: &ResearchPlan,
    wait: Duration,
) -> Result<Vec<TaskResult>, QueueError> {
    let err = |error| QueueError::Redis {
        url: redacted(url),
        error,
    };
    let mut con = connect(url).map_err(err)?;
    let json = serde_json::to_string(spec).expect("a job serializes");
    let job = job_id(&json);
    let tasks = plan.tasks();
    let total = tasks.len();
    redis::cmd("SET")
        .arg(spec_key(&job))
        .arg(&json)
        .arg("EX")
        .arg(JOB_TTL)
        .query::<()>(&mut con)
        .map_err(err)?;
    ensure_group(&mut con).map_err(err)?;
    let done: Vec<String> = redis::cmd("HKEYS")
        .arg(results_key(&job))
        .query(&mut con)
        .map_err(err)?;
    let done: std::collections::HashSet<usize> =
        done.iter().filter_map(|k| k.parse().ok()).collect();
    let mut pipe = redis::pipe();
    let (mut queued, mut in_pipe) = (0, 0);
    for k in (0..total).filter(|k| !done.contains(k)) {
        pipe.cmd("XADD")
            .arg(STREAM)
            .arg("*")
            .arg("job")
            .arg(&job)
            .arg("task")
            .arg(k)
            .ignore();
        queued += 1;
        in_pipe += 1;
        if in_pipe == 1000 {
            pipe.query::<()>(&mut con).map_err(err)?;
            (pipe, in_pipe) = (redis::pipe(), 0);
        }
    }
    if in_pipe > 0 {
        pipe.query::<()>(&mut con).map_err(err)?;
    }
    eprintln!(
        "harvest research: job {job}: {queued} tasks queued on {STREAM} ({} already computed)",
        done.len()
    );
    let (mut last, mut since) = (done.len(), Instant::now());
    let mut shown = Instant::now();
    loop {
        let n: usize = redis::cmd("HLEN")
            .arg(results_key(&job))
            .query(&mut con)
            .map_err(err)?;
        if n >= total {
            break;
        }
        if n != last {
            (last, since) = (n, Instant::now());
        } else if since.elapsed() > wait {
            return Err(QueueError::Stalled(wait.as_secs(), n, total));
        }
        if shown.elapsed() > Duration::from_secs(2) {
            eprintln!("harvest research: {n} of {total} tasks done");
            shown = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let all: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(results_key(&job))
        .query(&mut con)
        .map_err(err)?;
    redis::cmd("EXPIRE")
        .arg(results_key(&job))
        .arg(JOB_TTL)
        .query::<()>(&mut con)
        .map_err(err)?;
    tasks
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let r = all
                .get(&k.to_string())
                .and_then(|s| TaskResult::decode(s))
                .ok_or(QueueError::BadResult(k))?;
            let n = plan.blocks[t.block].entries.len();
            if r.r.len() != n {
                return Err(QueueError::BadResult(k));
            }
            Ok(r)
        })
        .collect()
}

/// A worker's jobs: the plan of each job seen (states computed once).
struct Jobs {
    plans: HashMap<String, Option<Arc<ResearchPlan>>>,
}

impl Jobs {
    fn plan(&mut self, con: &mut redis::Connection, job: &str) -> Option<Arc<ResearchPlan>> {
        if let Some(p) = self.plans.get(job) {
            return p.clone();
        }
        let text: Option<String> = redis::cmd("GET").arg(spec_key(job)).query(con).ok()?;
        let plan = text
            .and_then(|t| match serde_json::from_str::<JobSpec>(&t) {
                Ok(s) => Some(s),
                Err(e) => {
                    eprintln!("harvest research worker: job {job}: unreadable spec: {e}");
                    None
                }
            })
            .and_then(|s| match s.plan() {
                Ok(p) => Some(Arc::new(p)),
                Err(e) => {
                    eprintln!("harvest research worker: job {job}: {e}");
                    None
                }
            });
        self.plans.insert(job.to_string(), plan.clone());
        plan
    }
}

fn field(e: &StreamId, name: &str) -> Option<String> {
    match e.map.get(name)? {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// One consumer's loop until `stop`.
fn consume(
    url: &str,
    consumer: &str,
    claim_after_ms: u64,
    stop: &AtomicBool,
) -> redis::RedisResult<()> {
    let mut con = connect(url)?;
    ensure_group(&mut con)?;
    let mut jobs = Jobs {
        plans: HashMap::new(),
    };
    let mut last_claim = Instant::now() - Duration::from_secs(3600);
    while !stop.load(Ordering::Relaxed) {
        let mut entries: Vec<StreamId> = Vec::new();
        if last_claim.elapsed() >= Duration::from_millis(claim_after_ms / 4) {
            last_claim = Instant::now();
            let r: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
                .arg(STREAM)
                .arg(GROUP)
                .arg(consumer)
                .arg(claim_after_ms)
                .arg("0-0")
                .arg("COUNT")
                .arg(1)
                .query(&mut con)?;
            for e in &r.claimed {
                eprintln!(
                    "harvest research worker {consumer}: claimed task {} of job {} from a silent worker",
                    field(e, "task").unwrap_or_default(),
                    field(e, "job").unwrap_or_default()
                );
            }
            entries = r.claimed;
        }
        if entries.is_empty() {
            let r: Option<StreamReadReply> = redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg(GROUP)
                .arg(consumer)
                .arg("COUNT")
                .arg(1)
                .arg("BLOCK")
                .arg(claim_after_ms.clamp(100, 2000) / 2)
                .arg("STREAMS")
                .arg(STREAM)
                .arg(">")
                .query(&mut con)?;
            entries = r
                .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
                .unwrap_or_default();
        }
        for e in entries {
            let (job, task) = (field(&e, "job"), field(&e, "task"));
            let done = |con: &mut redis::Connection| -> redis::RedisResult<()> {
                redis::pipe()
                    .cmd("XACK")
                    .arg(STREAM)
                    .arg(GROUP)
                    .arg(&e.id)
                    .ignore()
                    .cmd("XDEL")
                    .arg(STREAM)
                    .arg(&e.id)
                    .ignore()
                    .query(con)
            };
            let (Some(job), Some(k)) = (job, task.and_then(|t| t.parse::<usize>().ok())) else {
                eprintln!(
                    "harvest research worker {consumer}: entry {} is no task: dropped",
                    e.id
                );
                done(&mut con)?;
                continue;
            };
            let have: bool = redis::cmd("HEXISTS")
                .arg(results_key(&job))
                .arg(k)
                .query(&mut con)?;
            if !have {
                match jobs.plan(&mut con, &job) {
                    Some(plan) => {
                        let tasks = plan.tasks();
                        match tasks.get(k) {
                            Some(&t) => {
                                let r = plan.run_task(t);
                                redis::pipe()
                                    .cmd("HSET")
                                    .arg(results_key(&job))
                                    .arg(k)
                                    .arg(r.encode())
                                    .ignore()
                                    .cmd("EXPIRE")
                                    .arg(results_key(&job))
                                    .arg(JOB_TTL)
                                    .ignore()
                                    .query::<()>(&mut con)?;
                            }
                            None => eprintln!(
                                "harvest research worker {consumer}: job {job} has no task {k}: dropped"
                            ),
                        }
                    }
                    None => eprintln!(
                        "harvest research worker {consumer}: job {job} is gone or unusable: task {k} dropped"
                    ),
                }
            }
            done(&mut con)?;
        }
    }
    Ok(())
}

/// Runs `threads` consumers until the process is stopped (SIGINT, SIGTERM or a kill: a task
/// in progress then is claimed by another worker after `claim_after_ms`); a lost connection is
/// retried with backoff. Exit status 2 for an unusable URL.
pub fn work(
    url: &str,
    consumer: Option<String>,
    threads: usize,
    claim_after_ms: u64,
) -> std::process::ExitCode {
    if let Err(e) = redis::Client::open(url) {
        eprintln!("harvest research worker: Redis {}: {e}", redacted(url));
        return std::process::ExitCode::from(2);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let name = consumer.unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "worker".into());
        format!("{host}-{}", std::process::id())
    });
    eprintln!(
        "harvest research worker {name}: {threads} consumer(s) on {STREAM} at {}",
        redacted(url)
    );
    std::thread::scope(|s| {
        for k in 0..threads {
            let (stop, name) = (stop.clone(), format!("{name}-{k}"));
            s.spawn(move || {
                let mut backoff = Duration::from_millis(200);
                while !stop.load(Ordering::Relaxed) {
                    match consume(url, &name, claim_after_ms, &stop) {
                        Ok(()) => break,
                        Err(e) => {
                            eprintln!(
                                "harvest research worker {name}: {e}; retrying in {} ms",
                                backoff.as_millis()
                            );
                            std::thread::sleep(backoff);
                            backoff = (backoff * 2).min(Duration::from_secs(10));
                        }
                    }
                }
            });
        }
    });
    std::process::ExitCode::SUCCESS
}
