//! Whether a termination signal was received (a leaf: the proxy runner's signal thread
//! records it; every long wait of ours, at any layer, polls it and gives up).

use std::sync::atomic::{AtomicI32, Ordering};

/// The last termination signal received (0: none). One per process, like signals.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// The termination signal received, if any.
pub fn interrupted() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// Records `sig` as received (the signal thread of [`crate::proxy::SignalGuard`]).
pub(crate) fn record(sig: i32) {
    RECEIVED.store(sig, Ordering::SeqCst);
}
