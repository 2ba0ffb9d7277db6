//! `caasim bench`: the day step measured at several sizes and thread counts
//! (attacker-days per second, peak memory), each measurement in a fresh
//! process unless `--in-process`.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use super::Failure;
use super::process::INTERRUPTED;
use crate::model::Model;
use crate::scenario;

#[derive(clap::Args)]
pub(super) struct BenchArgs {
    /// Market to scale (default: the built-in `benches/market.toml`).
    scenario: Option<PathBuf>,
    /// Sizes, as attackers at the start (comma-separated; `1e6` is allowed).
    #[arg(long, value_delimiter = ',', default_value = "1e4,1e5,1e6")]
    attackers: Vec<String>,
    /// Thread counts to measure each size with (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1")]
    threads: Vec<usize>,
    /// Untimed days before the timed ones (the market settles).
    #[arg(long, default_value_t = 60)]
    warmup_days: u32,
    /// Timed days.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    days: u32,
    /// Override a value of the market: `key.path=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Measure the workshop room's request path instead: post changed
    /// what-ifs of SCENARIO (default `scenarios/redvds-2026.toml`: baseline
    /// and one arm) and time each until its final results arrive.
    #[arg(long)]
    serve: bool,
    /// With `--serve`: requests to time.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    requests: u32,
    /// With `--serve`: replications of each what-if (default the room's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=200))]
    reps: Option<u32>,
    /// Measure in this process (each size otherwise runs in a fresh one, so
    /// that its peak memory is its own).
    #[arg(long, hide = true)]
    in_process: bool,
}

/// `caasim bench`: one line per size and thread count.
pub(super) fn bench(args: &BenchArgs) -> Result<(), Failure> {
    use crate::engine::bench;
    if args.serve {
        return bench_serve(args);
    }
    let base = match &args.scenario {
        Some(path) => {
            let base = scenario::load_file(path, &args.set)?;
            scenario::load_file(path, &super::at_central_values(&base, &args.set))?
        }
        None => scenario::load_text(bench::MARKET_TOML, bench::MARKET_ORIGIN, &args.set)?,
    };
    let sizes = (args.attackers.iter())
        .map(|text| parse_size(text))
        .collect::<Result<Vec<u64>, Failure>>()?;
    if let Some(&zero) = args.threads.iter().find(|&&t| t == 0) {
        return Err(Failure::BadInput(format!(
            "--threads {zero}: give 1 or more"
        )));
    }
    if args.in_process {
        for &attackers in &sizes {
            for &threads in &args.threads {
                println!("{}", measure_in_pool(&base, attackers, threads, args)?);
            }
        }
        return Ok(());
    }
    println!(
        "caasim bench: {} warm-up days, {} timed days; attacker-days count every attacker \
         in the population (working, searching, waiting, dormant); {} bytes of state per attacker",
        args.warmup_days,
        args.days,
        std::mem::size_of::<crate::model::attacker::Attacker>()
    );
    for &attackers in &sizes {
        for &threads in &args.threads {
            let line = measure_in_child(attackers, threads, args)?;
            println!("{line}");
            if INTERRUPTED.load(Ordering::Relaxed) {
                return Err(Failure::Interrupted(
                    "The sizes above were measured.".into(),
                ));
            }
        }
    }
    Ok(())
}

/// One measurement on a pool of `threads` threads: its line of output.
fn measure_in_pool(
    base: &Model,
    attackers: u64,
    threads: usize,
    args: &BenchArgs,
) -> Result<String, Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Runtime(e.into()))?;
    let measured = pool
        .install(|| crate::engine::bench::measure(base, attackers, args.warmup_days, args.days));
    Ok(bench_line(&measured))
}

/// One measurement in a fresh caasim process: its line of output.
fn measure_in_child(attackers: u64, threads: usize, args: &BenchArgs) -> Result<String, Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure::Runtime(e.into()))?;
    let mut command = std::process::Command::new(exe);
    command.arg("bench").arg("--in-process");
    command.args(args.scenario.iter());
    command.arg(format!("--attackers={attackers}"));
    command.arg(format!("--threads={threads}"));
    command.arg(format!("--warmup-days={}", args.warmup_days));
    command.arg(format!("--days={}", args.days));
    for assignment in &args.set {
        command.arg(format!("--set={assignment}"));
    }
    let output = command.output().map_err(|e| Failure::Runtime(e.into()))?;
    if !output.status.success() {
        return Err(Failure::Runtime(anyhow::anyhow!(
            "the measurement of {attackers} attackers on {threads} threads failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// A size such as `100000`, `1e5` or `1_000_000`.
fn parse_size(text: &str) -> Result<u64, Failure> {
    let cleaned = text.trim().replace('_', "");
    let value: f64 = cleaned.parse().unwrap_or(f64::NAN);
    if (1.0..=1e10).contains(&value) && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(Failure::BadInput(format!(
            "--attackers {text:?}: give whole numbers from 1 to 1e10, e.g. 1e4,1e5,1e6"
        )))
    }
}

/// `10000 attackers, 1 thread: 61.2e6 attacker-days/s (61.2e6 per thread); peak memory ...`.
fn bench_line(m: &crate::engine::bench::Measurement) -> String {
    let rate = m.attacker_days_per_second();
    let memory = match m.peak_rss_bytes {
        Some(bytes) => format!(
            "peak memory {:.1} MiB ({:.0} bytes per attacker held, {} held)",
            bytes as f64 / 1048576.0,
            bytes as f64 / m.held as f64,
            m.held
        ),
        None => "peak memory not reported by this system".into(),
    };
    format!(
        "{} attackers, {} thread{}: {:.0} attacker-days/s ({:.1} million per thread, {:.0}% \
         of them working); {}",
        m.attackers,
        m.threads,
        if m.threads == 1 { "" } else { "s" },
        rate,
        rate / 1e6 / m.threads as f64,
        100.0 * m.working_days as f64 / m.attacker_days as f64,
        memory
    )
}

/// `caasim bench --serve`: the room's answer time, request by request, and
/// its percentiles.
fn bench_serve(args: &BenchArgs) -> Result<(), Failure> {
    use crate::serve::{self, DEFAULT_REPS, Options, bench::latencies, bench::quantile};
    let path =
        (args.scenario.clone()).unwrap_or_else(|| PathBuf::from("scenarios/redvds-2026.toml"));
    scenario::load_file(&path, &[])?;
    let options = Options {
        scenario: Some(path.clone()),
        scenarios: None,
        host: std::net::Ipv4Addr::LOCALHOST.into(),
        port: 0,
        presets: None,
        reps: args.reps.unwrap_or(DEFAULT_REPS),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(e.into()))?;
    let served = serve::bind(&options, &runtime, None).map_err(super::bad_input)?;
    let address = served.address;
    let first = served.spawn(&runtime);
    let seconds = latencies(address, &first, args.requests as usize)?;
    println!(
        "caasim bench --serve: {} with {} replications (baseline and {} arm(s)), {} threads: {} requests, each a changed what-if posted and timed until its final results arrive on the event stream",
        path.display(),
        options.reps,
        first.arms.len(),
        rayon::current_num_threads(),
        seconds.len()
    );
    println!(
        "answer time: p50 {:.3} s, p95 {:.3} s, max {:.3} s",
        quantile(&seconds, 0.5),
        quantile(&seconds, 0.95),
        quantile(&seconds, 1.0)
    );
    Ok(())
}
