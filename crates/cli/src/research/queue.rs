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
//! Every command goes through the workspace's one Redis connection type ([`Store`]: single
//! node, `rediss://`, or a Redis Cluster with `--cluster`; timeouts; reconnect on demand).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use harvest_redis::redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};
use harvest_redis::redis::{self, Cmd, FromRedisValue, RedisResult, Value};
use harvest_redis::{Store, Timeouts};
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
    harvest_redis::redacted(url)
}

/// A store for `url` with the queue's timeouts (a worker blocks up to a second in XREADGROUP).
fn open(url: &str, cluster: bool) -> RedisResult<Store> {
    let timeouts = Timeouts {
        connect: Duration::from_secs(5),
        response: Duration::from_secs(60),
    };
    let mut store = Store::open(url, cluster, timeouts)?;
    store.connect()?;
    Ok(store)
}

/// Runs `cmd` and reads its reply as `T`.
fn q<T: FromRedisValue>(store: &mut Store, cmd: &Cmd) -> RedisResult<T> {
    let v = store.query(cmd)?;
    Ok(redis::from_redis_value(v)?)
}

/// Runs `cmds` as one pipeline; the first failed command's error, if any.
fn all(store: &mut Store, cmds: Vec<Cmd>) -> RedisResult<()> {
    for r in store.pipeline(cmds)? {
        r?;
    }
    Ok(())
}

/// Creates the consumer group (and the stream) unless it exists.
fn ensure_group(store: &mut Store) -> RedisResult<()> {
    let mut cmd = redis::cmd("XGROUP");
    cmd.arg("CREATE")
        .arg(STREAM)
        .arg(GROUP)
        .arg("0")
        .arg("MKSTREAM");
    match store.query(&cmd) {
        Err(e) if e.to_string().contains("BUSYGROUP") => Ok(()),
        other => other.map(|_| ()),
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
    cluster: bool,
    spec: &JobSpec,
    plan: &ResearchPlan,
    wait: Duration,
) -> Result<Vec<TaskResult>, QueueError> {
    let err = |error| QueueError::Redis {
        url: redacted(url),
        error,
    };
    let mut store = open(url, cluster).map_err(err)?;
    let json = serde_json::to_string(spec).expect("a job serializes");
    let job = job_id(&json);
    let tasks = plan.tasks();
    let total = tasks.len();
    let mut set = redis::cmd("SET");
    set.arg(spec_key(&job)).arg(&json).arg("EX").arg(JOB_TTL);
    store.query(&set).map_err(err)?;
    ensure_group(&mut store).map_err(err)?;
    let done: Vec<String> =
        q(&mut store, redis::cmd("HKEYS").arg(results_key(&job))).map_err(err)?;
    let done: std::collections::HashSet<usize> =
        done.iter().filter_map(|k| k.parse().ok()).collect();
    let missing: Vec<usize> = (0..total).filter(|k| !done.contains(k)).collect();
    for chunk in missing.chunks(1000) {
        let cmds = chunk
            .iter()
            .map(|k| {
                let mut c = redis::cmd("XADD");
                c.arg(STREAM)
                    .arg("*")
                    .arg("job")
                    .arg(&job)
                    .arg("task")
                    .arg(k);
                c
            })
            .collect();
        all(&mut store, cmds).map_err(err)?;
    }
    eprintln!(
        "harvest research: job {job}: {} tasks queued on {STREAM} ({} already computed)",
        missing.len(),
        done.len()
    );
    let (mut last, mut since) = (done.len(), Instant::now());
    let mut shown = Instant::now();
    loop {
        let n: usize = q(&mut store, redis::cmd("HLEN").arg(results_key(&job))).map_err(err)?;
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
    let results: HashMap<String, String> =
        q(&mut store, redis::cmd("HGETALL").arg(results_key(&job))).map_err(err)?;
    store
        .query(redis::cmd("EXPIRE").arg(results_key(&job)).arg(JOB_TTL))
        .map_err(err)?;
    tasks
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let r = results
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
    fn plan(&mut self, store: &mut Store, job: &str) -> Option<Arc<ResearchPlan>> {
        if let Some(p) = self.plans.get(job) {
            return p.clone();
        }
        let text: Option<String> = q(store, redis::cmd("GET").arg(spec_key(job))).ok()?;
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
    cluster: bool,
    consumer: &str,
    claim_after_ms: u64,
    stop: &AtomicBool,
) -> RedisResult<()> {
    let mut store = open(url, cluster)?;
    ensure_group(&mut store)?;
    let mut jobs = Jobs {
        plans: HashMap::new(),
    };
    let mut last_claim = Instant::now() - Duration::from_secs(3600);
    while !stop.load(Ordering::Relaxed) {
        let mut entries: Vec<StreamId> = Vec::new();
        if last_claim.elapsed() >= Duration::from_millis(claim_after_ms / 4) {
            last_claim = Instant::now();
            let mut cmd = redis::cmd("XAUTOCLAIM");
            cmd.arg(STREAM)
                .arg(GROUP)
                .arg(consumer)
                .arg(claim_after_ms)
                .arg("0-0")
                .arg("COUNT")
                .arg(1);
            let r: StreamAutoClaimReply = q(&mut store, &cmd)?;
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
            let mut cmd = redis::cmd("XREADGROUP");
            cmd.arg("GROUP")
                .arg(GROUP)
                .arg(consumer)
                .arg("COUNT")
                .arg(1)
                .arg("BLOCK")
                .arg(claim_after_ms.clamp(100, 2000) / 2)
                .arg("STREAMS")
                .arg(STREAM)
                .arg(">");
            let r: Option<StreamReadReply> = q(&mut store, &cmd)?;
            entries = r
                .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
                .unwrap_or_default();
        }
        for e in entries {
            work_on(&mut store, &mut jobs, consumer, &e)?;
        }
    }
    Ok(())
}

/// Computes the task of entry `e` unless its result is stored already, stores it, and
/// acknowledges and deletes the entry (also one that is no task, or of a job gone).
fn work_on(store: &mut Store, jobs: &mut Jobs, consumer: &str, e: &StreamId) -> RedisResult<()> {
    let (job, task) = (field(e, "job"), field(e, "task"));
    if let (Some(job), Some(k)) = (job, task.and_then(|t| t.parse::<usize>().ok())) {
        let have: bool = q(store, redis::cmd("HEXISTS").arg(results_key(&job)).arg(k))?;
        if !have {
            match jobs.plan(store, &job) {
                Some(plan) => match plan.tasks().get(k) {
                    Some(&t) => {
                        let r = plan.run_task(t);
                        let mut hset = redis::cmd("HSET");
                        hset.arg(results_key(&job)).arg(k).arg(r.encode());
                        let mut expire = redis::cmd("EXPIRE");
                        expire.arg(results_key(&job)).arg(JOB_TTL);
                        all(store, vec![hset, expire])?;
                    }
                    None => eprintln!(
                        "harvest research worker {consumer}: job {job} has no task {k}: dropped"
                    ),
                },
                None => eprintln!(
                    "harvest research worker {consumer}: job {job} is gone or unusable: task {k} dropped"
                ),
            }
        }
    } else {
        eprintln!(
            "harvest research worker {consumer}: entry {} is no task: dropped",
            e.id
        );
    }
    let mut ack = redis::cmd("XACK");
    ack.arg(STREAM).arg(GROUP).arg(&e.id);
    let mut del = redis::cmd("XDEL");
    del.arg(STREAM).arg(&e.id);
    all(store, vec![ack, del])
}

/// Runs `threads` consumers until the process is stopped (SIGINT, SIGTERM or a kill: a task
/// in progress then is claimed by another worker after `claim_after_ms`); a lost connection is
/// retried with backoff.
///
/// # Errors
/// The URL is unusable.
pub fn work(
    url: &str,
    cluster: bool,
    consumer: Option<String>,
    threads: usize,
    claim_after_ms: u64,
) -> Result<(), redis::RedisError> {
    Store::open(url, cluster, Timeouts::default())?;
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
                    match consume(url, cluster, &name, claim_after_ms, &stop) {
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
    Ok(())
}
