//! A Redis that stops answering (frozen with SIGSTOP: a hung server, a full network buffer)
//! against a real `redis-server`: the error is a timeout naming the operation and the limit,
//! not the socket's "Resource temporarily unavailable (os error 11)" (issue 18, 8).

use std::process::Command;
use std::time::Duration;

use harvest_redis::local::LocalRedis;
use harvest_redis::{hgetall, is_connection_error, redis, Store, Timeouts};

fn signal(sig: &str, pid: u32) {
    let st = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("kill");
    assert!(st.success(), "kill {sig} {pid}");
}

#[test]
fn a_reply_timeout_names_the_operation_and_the_limit() {
    let r = LocalRedis::started();
    let pid = r.pid().unwrap();
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        response: Duration::from_millis(400),
    };
    let mut s = Store::open(&r.url(), false, timeouts).unwrap();
    s.query(&redis::cmd("PING")).unwrap();
    let mut one = Store::open(&r.url(), false, timeouts).unwrap();
    one.connect().unwrap();

    signal("-STOP", pid);
    let pipeline = s.pipeline(vec![
        hgetall("quantum:marketstate:BTCUSDT"),
        hgetall("quantum:marketstate:ETHUSDT"),
        hgetall("quantum:marketstate:SOLUSDT"),
    ]);
    let single = one.query(redis::cmd("HGETALL").arg("quantum:harvest:proposal:BTCUSDT"));
    let mut fresh = Store::open(&r.url(), false, timeouts).unwrap();
    let connect = fresh.connect();
    signal("-CONT", pid);

    let e = pipeline.unwrap_err();
    assert_eq!(
        e.to_string(),
        "timeout: no reply from Redis within 0.4 s to HGETALL quantum:marketstate:BTCUSDT and 2 \
         more commands"
    );
    assert!(e.is_timeout() && is_connection_error(&e));
    let e = single.unwrap_err();
    assert_eq!(
        e.to_string(),
        "timeout: no reply from Redis within 0.4 s to HGETALL quantum:harvest:proposal:BTCUSDT"
    );
    let e = connect.unwrap_err();
    assert_eq!(
        e.to_string(),
        "timeout: no reply from Redis within 2.0 s to connecting (the handshake)"
    );
    // The store reconnects after it.
    assert!(!s.is_connected());
    s.query(&redis::cmd("PING")).unwrap();
}
