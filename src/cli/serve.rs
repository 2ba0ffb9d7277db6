//! `caasim serve`: the workshop room on a local web server, until Ctrl-C.

use std::net::IpAddr;
use std::path::PathBuf;

use super::process::INTERRUPTED;
use super::{Failure, bad_input};
use crate::scenario;
use crate::serve::{self, DEFAULT_REPS, Options};

#[derive(clap::Args)]
pub(super) struct ServeArgs {
    /// Scenario file to start with (it joins the scenarios of `--scenarios`).
    scenario: Option<PathBuf>,
    /// Port to listen on (0: any free port, printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on: 127.0.0.1 (this machine only), or 0.0.0.0 to
    /// let participants' laptops on the room's network open the page.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Open the page in this machine's browser.
    #[arg(long)]
    open: bool,
    /// The folder of scenario files the room may pick from.
    #[arg(long, default_value = "scenarios", value_name = "DIR")]
    scenarios: PathBuf,
    /// A JSON file that holds the room's named presets (created when the
    /// first preset is saved); without it, presets are off.
    #[arg(long, value_name = "FILE")]
    presets: Option<PathBuf>,
    /// Replications of a new what-if (the page can change it).
    #[arg(long, default_value_t = DEFAULT_REPS, value_parser = clap::value_parser!(u32).range(2..=200))]
    reps: u32,
}

pub(super) fn serve(args: ServeArgs) -> Result<(), Failure> {
    if let Some(path) = &args.scenario {
        scenario::load_file(path, &[])?;
    }
    let scenarios = if args.scenarios.is_dir() {
        Some(args.scenarios.clone())
    } else if args.scenario.is_some() {
        None
    } else {
        return Err(bad_input(anyhow::anyhow!(
            "no scenario folder {}: give a scenario file, or --scenarios DIR",
            args.scenarios.display()
        )));
    };
    let options = Options {
        scenario: args.scenario,
        scenarios,
        host: args.host,
        port: args.port,
        presets: args.presets,
        reps: args.reps,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(e.into()))?;
    let served = serve::bind(&options, &runtime, Some(&INTERRUPTED)).map_err(bad_input)?;
    eprintln!(
        "caasim serve: the workshop room is at {} (Ctrl-C stops it)",
        served.url
    );
    if let Some(note) = &served.host_note {
        eprintln!("caasim serve: {note}");
    }
    if args.open {
        open_browser(&served.url);
    }
    served.run(&runtime, &INTERRUPTED)?;
    Ok(())
}

/// Open `url` with the desktop's opener, saying so when there is none.
fn open_browser(url: &str) {
    let opened = std::process::Command::new("xdg-open")
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if opened.is_err() {
        eprintln!("caasim serve: cannot open a browser here (no xdg-open); open {url} yourself");
    }
}
