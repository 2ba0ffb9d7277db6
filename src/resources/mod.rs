//! Estimates of what a run needs from the machine, checked before it
//! starts: memory ([`memory`]), disk ([`disk`]) and the number of
//! replications simulated at once ([`wave_size`]). Validation and the
//! commands call these; the estimates stand on the model's and the engine's
//! types (their sizes), never on the layers above.

pub mod disk;
pub mod memory;

use anyhow::{Context, Result};

/// Replications simulated at once, per worker thread, before they are handed
/// on in order: enough to keep every thread busy through a wave, few enough
/// that the records waiting to be handed on stay small.
pub const WAVE_PER_THREAD: usize = 4;

/// Replications simulated at once by [`crate::experiment::run_each`] on this thread pool.
pub fn wave_size() -> usize {
    WAVE_PER_THREAD * rayon::current_num_threads().max(1)
}

/// The bytes given in GiB by the environment variable `name`: `None` when it
/// is unset, an error naming it when it is not a number greater than 0.
pub fn gib_var(name: &str) -> Result<Option<f64>> {
    let Ok(text) = std::env::var(name) else {
        return Ok(None);
    };
    let gib = text.trim().parse::<f64>().ok();
    let bytes = gib.filter(|g| g.is_finite() && *g > 0.0).map(|g| g * GIB);
    bytes
        .map(Some)
        .with_context(|| format!("{name}={text:?}: give a number of GiB greater than 0"))
}

/// Bytes in a GiB.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A size in GiB, with two decimals below 10 GiB.
pub fn gib(bytes: f64) -> String {
    let gib = bytes / GIB;
    if gib < 10.0 {
        format!("{gib:.2} GiB")
    } else {
        format!("{gib:.0} GiB")
    }
}
