//! The process around a command: Ctrl-C and SIGTERM (long jobs stop
//! starting work; a second one exits at once) and the environment variables
//! that size runs (threads, memory and disk limits).

use std::sync::atomic::{AtomicBool, Ordering};

use super::EXIT_INTERRUPTED;
use crate::resources;

/// Set by Ctrl-C or SIGTERM; long jobs stop starting work when they see it.
pub(super) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// On the first Ctrl-C or SIGTERM ask running jobs to stop; on the second, exit at once.
pub(super) fn install_interrupt_handler() {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!("\ncaasim: interrupted; stopping (press Ctrl-C again to quit at once)");
    });
    if let Err(error) = installed {
        eprintln!("caasim: warning: cannot catch Ctrl-C: {error}");
    }
}

/// Refuse malformed values of the environment variables that size runs.
pub(super) fn check_environment() -> Result<(), String> {
    for name in [
        resources::memory::MEMORY_GIB_VAR,
        resources::disk::DISK_GIB_VAR,
    ] {
        resources::gib_var(name).map_err(|e| format!("{e:#}"))?;
    }
    if let Ok(threads) = std::env::var("RAYON_NUM_THREADS")
        && threads.trim().parse::<usize>().is_err()
    {
        return Err(format!(
            "RAYON_NUM_THREADS={threads:?} is not a whole number (0 means one thread per core)"
        ));
    }
    Ok(())
}

/// Threads: `RAYON_NUM_THREADS` when set, else `SLURM_CPUS_PER_TASK` inside a
/// Slurm job, else one per core.
pub(super) fn configure_threads() -> Result<(), String> {
    if std::env::var_os("RAYON_NUM_THREADS").is_some() {
        return Ok(());
    }
    let Ok(cpus) = std::env::var("SLURM_CPUS_PER_TASK") else {
        return Ok(());
    };
    let threads: usize = cpus
        .trim()
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("SLURM_CPUS_PER_TASK={cpus:?} is not a positive number"))?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| e.to_string())
}
