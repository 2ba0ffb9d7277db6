//! `caasim serve`: a live what-if room for strategy workshops. A local web
//! server, with every asset embedded, serves one page on which a room picks
//! a scenario, edits up to four what-if arms against a locked baseline,
//! and sees the effects and their intervals as the replications finish;
//! every browser connected sees the same state (server-sent events).
//!
//! The room's state ([`state`]) becomes a scenario file ([`whatif`]) that
//! is validated like any other ([`problem`] places its problems next to the
//! page's controls, [`controls`] describes them) and runs on a worker
//! thread ([`worker`]) that publishes snapshots ([`snapshot`], [`series`])
//! to the [`room`]; [`http`] is the surface, with its [`limits`]; the
//! [`catalog`] holds the scenarios, [`presets`] the saved states,
//! [`predictions`] the revealed rounds, [`budget`] the refusal of runs too
//! long for a room, and [`assets`] the embedded page.

pub mod assets;
pub mod bench;
pub mod budget;
pub mod catalog;
pub mod controls;
pub mod defaults;
pub mod http;
pub mod limits;
pub mod predictions;
pub mod presets;
pub mod problem;
pub mod room;
pub mod series;
pub mod snapshot;
pub mod state;
pub mod whatif;
pub mod worker;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use anyhow::{Context, Result};

use catalog::Catalog;
use http::App;
use presets::Presets;
use room::Room;

/// Replications of a new what-if: baseline and one arm of `redvds-2026`
/// answer in under a second on two cores (README "Workshops").
pub const DEFAULT_REPS: u32 = 10;

/// How to serve a room.
#[derive(Debug, Clone)]
pub struct Options {
    /// The scenario file to start with (it must load).
    pub scenario: Option<PathBuf>,
    /// The folder whose scenario files the room may pick.
    pub scenarios: Option<PathBuf>,
    /// Address to listen on.
    pub host: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// The presets file.
    pub presets: Option<PathBuf>,
    /// Replications of a new what-if.
    pub reps: u32,
}

/// A room, ready to serve.
pub struct Served {
    /// The address it listens on.
    pub address: SocketAddr,
    /// The page's address for this machine's browser.
    pub url: String,
    /// How participants reach it, when it listens beyond this machine.
    pub host_note: Option<String>,
    listener: tokio::net::TcpListener,
    app: Arc<App>,
}

/// Load the scenarios, start the room's worker and bind the address
/// (inside `runtime`); the room's event streams end when `stop` is set.
pub fn bind(
    options: &Options,
    runtime: &tokio::runtime::Runtime,
    stop: Option<&'static AtomicBool>,
) -> Result<Served> {
    let catalog = Catalog::load(options.scenario.as_deref(), options.scenarios.as_deref())?;
    let initial = catalog.entries[0].id.clone();
    let (jobs, queue) = mpsc::channel();
    let room = Room::new(catalog, &initial, options.reps, jobs)?;
    let weak = Arc::downgrade(&room);
    std::thread::Builder::new()
        .name("caasim-room".into())
        .spawn(move || worker::work(weak, queue))
        .context("cannot start the room's worker thread")?;
    let wanted = SocketAddr::new(options.host, options.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(wanted))
        .with_context(|| {
            format!("cannot listen on {wanted}: is the port taken? try another with --port")
        })?;
    let address = listener.local_addr()?;
    let url = format!(
        "http://{}:{}/",
        if options.host.is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            options.host.to_string()
        },
        address.port()
    );
    let host_note = host_note(options.host, address.port());
    let app = Arc::new(App {
        room,
        presets: options.presets.clone().map(|path| Presets { path }),
        host_note: host_note.clone(),
        reps: options.reps,
        limit: Default::default(),
        streams: Default::default(),
        stop,
    });
    Ok(Served {
        address,
        url,
        host_note,
        listener,
        app,
    })
}

impl Served {
    /// Serve until `stop` is set (by Ctrl-C, say), checked a few times a
    /// second.
    pub fn run(self, runtime: &tokio::runtime::Runtime, stop: &'static AtomicBool) -> Result<()> {
        let router = http::router(self.app);
        runtime.block_on(async move {
            axum::serve(self.listener, router)
                .with_graceful_shutdown(async move {
                    while !stop.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                })
                .await
        })?;
        Ok(())
    }

    /// Serve in the background of `runtime` (for as long as it runs), and
    /// give the room's state now.
    pub fn spawn(self, runtime: &tokio::runtime::Runtime) -> state::RoomState {
        let first = self.app.room.state();
        let router = http::router(self.app);
        runtime.spawn(async move { axum::serve(self.listener, router).await });
        first
    }
}

/// What participants open, when the room listens beyond this machine.
fn host_note(host: IpAddr, port: u16) -> Option<String> {
    if host.is_loopback() {
        return None;
    }
    let shown = if host.is_unspecified() {
        lan_address()
    } else {
        Some(host)
    };
    Some(match shown {
        Some(ip) => format!("Participants on this network can open http://{ip}:{port}/"),
        None => {
            format!("Participants on this network can open http://<this machine's address>:{port}/")
        }
    })
}

/// This machine's address on its network, as the route to a private
/// address sees it (no packet is sent).
fn lan_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("10.255.255.255:1").ok()?;
    socket
        .local_addr()
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_unspecified())
}
