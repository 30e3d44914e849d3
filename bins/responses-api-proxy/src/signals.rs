//! Stopping on SIGTERM and SIGINT without an async runtime.
//!
//! Both signals are blocked in every thread (the mask is set before the first thread starts and
//! threads inherit it), and one thread waits for them with `sigwait(2)`. That thread may then do
//! ordinary work such as waking the accept loop, which a signal handler could not. This matters
//! in a container, where the proxy is PID 1 and the kernel applies no default action to SIGTERM.

use std::io;

/// The signals that stop the proxy.
const STOP_SIGNALS: [libc::c_int; 2] = [libc::SIGTERM, libc::SIGINT];

/// A set of blocked signals that [`StopSignals::wait`] can receive.
pub struct StopSignals {
    set: libc::sigset_t,
}

impl StopSignals {
    /// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards.
    /// Call it before any thread exists.
    pub fn block() -> io::Result<StopSignals> {
        // SAFETY: an all-zero sigset_t is a valid value; sigemptyset initialises it next.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: `set` is a valid, exclusively borrowed sigset_t for each call.
        unsafe {
            libc::sigemptyset(&raw mut set);
            for signal in STOP_SIGNALS {
                libc::sigaddset(&raw mut set, signal);
            }
        }
        // SAFETY: `set` is initialised; a null old-set pointer is allowed.
        let rc =
            unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &raw const set, std::ptr::null_mut()) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(StopSignals { set })
    }

    /// Waits until one of the signals arrives and returns its name.
    pub fn wait(&self) -> io::Result<&'static str> {
        let mut signal: libc::c_int = 0;
        // SAFETY: `self.set` is an initialised sigset_t and `signal` a valid out-pointer.
        let rc = unsafe { libc::sigwait(&raw const self.set, &raw mut signal) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(if signal == libc::SIGTERM {
            "SIGTERM"
        } else {
            "SIGINT"
        })
    }
}
