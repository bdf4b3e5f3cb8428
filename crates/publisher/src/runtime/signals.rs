//! SIGTERM and SIGINT, taken in one thread with `sigwait` and delivered on a channel, so no
//! signal handler ever interrupts a cycle's Redis reads.

use std::sync::mpsc::{self, Receiver};

/// The signals that stop a service (SIGTERM, SIGINT), delivered on a channel.
///
/// Call it before starting any other thread: it blocks both signals in the calling thread (and
/// so in every thread started later) and takes them in one thread with `sigwait`. No signal
/// handler ever runs, so no Redis read is interrupted mid-cycle (a socket read with a timeout
/// fails with EINTR after a handler, even with SA_RESTART).
///
/// # Errors
/// The signal mask cannot be set.
pub fn stop_signals() -> std::io::Result<Receiver<i32>> {
    // SAFETY: plain libc calls on a zeroed, locally owned sigset_t; no pointers are kept.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if rc != 0 {
            return Err(std::io::Error::from_raw_os_error(rc));
        }
        set
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || loop {
        let mut sig: libc::c_int = 0;
        // SAFETY: `set` is a valid sigset_t owned by this closure; `sig` is a valid out-pointer.
        let rc = unsafe { libc::sigwait(&set, &mut sig) };
        if rc == 0 && tx.send(sig).is_err() {
            break;
        }
    });
    Ok(rx)
}

/// `SIGTERM`, `SIGINT` or `signal`, for log lines.
///
/// ```
/// use harvest_publisher::runtime::signals::signal_name;
/// assert_eq!(signal_name(15), "SIGTERM");
/// ```
pub fn signal_name(s: i32) -> &'static str {
    match s {
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        _ => "signal",
    }
}
