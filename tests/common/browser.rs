//! Headless Chromium for the tests that open or print a page: where it is,
//! and one run of it with its output in files, killed after a timeout.
//!
//! Chromium is looked up as `$CAASIM_CHROMIUM`, `/usr/bin/chromium`, then
//! `chromium`, `chromium-browser`, `google-chrome` on the PATH. Without it
//! a test fails unless `CAASIM_SKIP_BROWSER=1`.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium loads or prints a page in a few seconds here; the margin is for
/// a cold start on a loaded CI machine.
pub const TIMEOUT: Duration = Duration::from_secs(90);

/// Whether a missing browser or tool skips the test (`CAASIM_SKIP_BROWSER=1`).
pub fn skipping() -> bool {
    env::var("CAASIM_SKIP_BROWSER").as_deref() == Ok("1")
}

/// The first of `names` found in a folder of the PATH.
pub fn on_path(names: &[&str]) -> Option<PathBuf> {
    let dirs: Vec<PathBuf> = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect())
        .unwrap_or_default();
    (names.iter())
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = env::var_os("CAASIM_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed);
    }
    on_path(&["chromium", "chromium-browser", "google-chrome"])
}

/// The browser, or `None` when it is missing and `CAASIM_SKIP_BROWSER=1`.
pub fn browser_or_skip() -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        if skipping() {
            eprintln!("skipped: no Chromium and CAASIM_SKIP_BROWSER=1");
            return None;
        }
        panic!(
            "headless Chromium not found ($CAASIM_CHROMIUM, /usr/bin/chromium, or chromium, \
             chromium-browser, google-chrome on PATH): install it with \
             `apt-get install -y chromium`, or set CAASIM_SKIP_BROWSER=1 to skip this test"
        );
    }
    found
}

/// Runs headless `browser` on `url` with `args` after the usual flags and a
/// fresh profile in `work`, its standard output in `work/stdout.txt`; kills
/// it after [`TIMEOUT`]. Returns its standard error; panics when it fails.
pub fn run_chromium(browser: &Path, work: &Path, args: &[String], url: &str) -> String {
    let (out, err) = (work.join("stdout.txt"), work.join("stderr.txt"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stderr = fs::read_to_string(&err).unwrap_or_default();
    assert!(status.success(), "chromium failed ({status}):\n{stderr}");
    stderr
}
