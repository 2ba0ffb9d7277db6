//! Limits on what one room accepts from its browsers: the size of a
//! request body, the rate of requests, and the number of event streams.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Largest request body, in bytes (a state of four arms is a few KiB).
pub const MAX_BODY: usize = 64 * 1024;
/// Most event streams open at once (a room has a few dozen browsers).
pub const MAX_STREAMS: usize = 64;
/// Requests a second the room accepts, on average.
const RATE: f64 = 20.0;
/// Requests it accepts at once after a quiet spell.
const BURST: f64 = 60.0;

/// A token bucket over every request that changes or exports something.
#[derive(Debug)]
pub struct RateLimit {
    bucket: Mutex<(f64, Instant)>,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            bucket: Mutex::new((BURST, Instant::now())),
        }
    }
}

impl RateLimit {
    /// Whether one more request is allowed now.
    pub fn allow(&self) -> bool {
        let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, at) = *bucket;
        let now = Instant::now();
        let tokens = (tokens + now.duration_since(at).as_secs_f64() * RATE).min(BURST);
        let allowed = tokens >= 1.0;
        *bucket = (if allowed { tokens - 1.0 } else { tokens }, now);
        allowed
    }
}

/// The count of open event streams.
#[derive(Debug, Default)]
pub struct Streams {
    open: AtomicUsize,
}

/// One open stream; closing it (dropping) frees its place.
pub struct StreamGuard {
    streams: Arc<Streams>,
}

impl Streams {
    /// A place for one more stream, unless [`MAX_STREAMS`] are open.
    pub fn open(self: &Arc<Self>) -> Option<StreamGuard> {
        let before = self.open.fetch_add(1, Ordering::SeqCst);
        if before >= MAX_STREAMS {
            self.open.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(StreamGuard {
            streams: self.clone(),
        })
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.streams.open.fetch_sub(1, Ordering::SeqCst);
    }
}
