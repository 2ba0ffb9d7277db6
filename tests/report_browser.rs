//! Opens the rendered report, and the page of the committed calibration
//! (`calibration.html`), in headless Chromium: no console messages (a probe
//! message shows that they would be seen), every plot laid out with a
//! non-zero size, and a non-blank screenshot.
//!
//! Chromium is looked up as `$CAASIM_CHROMIUM`, `/usr/bin/chromium`, then
//! `chromium`, `chromium-browser`, `google-chrome` on the PATH. Without it
//! the test fails unless `CAASIM_SKIP_BROWSER=1`.

mod common;

use caasim::report::render;
use common::{CALIBRATION_FILES, REPORT_PLOTS as PLOTS, read_png, repo_path, report_fixture_copy};
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium loads the page in a few seconds here; the margin is for a cold
/// start on a loaded CI machine.
const TIMEOUT: Duration = Duration::from_secs(90);
/// Browser window, and so screenshot, size in pixels.
const WINDOW: (u32, u32) = (1400, 3000);
/// Logged by a script added to the page, to show that console messages are
/// seen: Chromium's log format has changed between versions.
const PROBE: &str = "caasim-console-probe";

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = env::var_os("CAASIM_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed);
    }
    let dirs: Vec<PathBuf> = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect())
        .unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// Runs the browser with output in files, killing it after `TIMEOUT`.
fn run_browser(browser: &Path, work: &Path, url: &str) -> (String, String) {
    let (out, err) = (work.join("dom.html"), work.join("stderr.txt"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--window-size={},{}", WINDOW.0, WINDOW.1))
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--screenshot={}", work.join("shot.png").display()))
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
    (fs::read_to_string(&out).unwrap_or_default(), stderr)
}

fn assert_non_blank_png(path: &Path) {
    assert!(path.is_file(), "chromium saved no screenshot");
    let shot = read_png(path);
    assert_eq!((shot.width, shot.height), WINDOW, "screenshot size");
    // The page's text and tables alone ink about 4% of the window here; a
    // page that was not painted is white.
    let inked = shot.inked_share();
    assert!(
        inked > 0.02,
        "screenshot is nearly blank ({inked:.4} inked)"
    );
}

/// The page with a script that logs [`PROBE`] added at the end.
fn with_probe(report: &Path) -> PathBuf {
    let page = fs::read_to_string(report).expect("the rendered page");
    let probe = format!("<script>console.log(\"{PROBE}\");</script>\n</body>");
    let probed = report.with_file_name("probed.html");
    fs::write(&probed, page.replacen("</body>", &probe, 1)).expect("write probed.html");
    probed
}

/// The browser, or `None` when it is missing and `CAASIM_SKIP_BROWSER=1`.
fn browser_or_skip() -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        if env::var("CAASIM_SKIP_BROWSER").as_deref() == Ok("1") {
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

/// Opens `page` (probed) in `browser` and checks the console, the layout of
/// the plots `plots` and the screenshot.
fn opens_cleanly(browser: &Path, page: &Path, plots: &[&str]) {
    let page = with_probe(page);
    let work = tempfile::tempdir().expect("temporary folder");
    let url = format!("file://{}", page.display());
    let (dom, stderr) = run_browser(browser, work.path(), &url);
    let (probes, console): (Vec<&str>, Vec<&str>) = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .partition(|l| l.contains(PROBE));
    assert!(
        !probes.is_empty(),
        "the probe's console message was not recognised in Chromium's log:\n{stderr}"
    );
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains(&format!("data-plots-ok=\"{}\"", plots.len())),
        "not every plot was laid out with a non-zero size"
    );
    for name in plots {
        assert!(
            dom.contains(&format!("id=\"plot-{name}\"")),
            "plot {name} missing"
        );
    }
    assert_non_blank_png(&work.path().join("shot.png"));
}

#[test]
fn report_opens_cleanly_in_headless_chromium() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = report_fixture_copy();
    render(dir.path()).expect("render");
    opens_cleanly(&browser, &dir.path().join("report.html"), &PLOTS);
}

#[test]
fn calibration_page_opens_cleanly_in_headless_chromium() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    for file in CALIBRATION_FILES {
        let from = repo_path(&format!("results/lumma-2025-calibration/{file}"));
        fs::copy(&from, dir.path().join(file)).expect("copy the committed calibration");
    }
    render(dir.path()).expect("render");
    let plots = [
        "calibration-fit",
        "calibration-posterior",
        "calibration-generations",
    ];
    opens_cleanly(&browser, &dir.path().join("calibration.html"), &plots);
}
