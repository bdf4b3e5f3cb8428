//! What the service benchmarks (`cycle_bench`, `market_bench`) measure besides wall time: this
//! process's CPU time and the redis-server's.

use std::time::Duration;

use harvest_redis::redis;
use harvest_redis::Store;

/// CPU time (user + system) of this process so far.
pub fn own_cpu() -> Duration {
    // SAFETY: getrusage fills a zeroed, locally owned struct.
    let u = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// CPU time (user + system) of the redis-server so far, from `INFO cpu`.
pub fn server_cpu(s: &mut Store) -> Duration {
    let info: String = redis::from_redis_value(
        s.query(&redis::cmd("INFO").arg("cpu").clone())
            .expect("INFO"),
    )
    .expect("INFO text");
    let secs: f64 = info
        .lines()
        .filter(|l| l.starts_with("used_cpu_user:") || l.starts_with("used_cpu_sys:"))
        .filter_map(|l| l.split(':').nth(1)?.trim().parse::<f64>().ok())
        .sum();
    Duration::from_secs_f64(secs)
}
