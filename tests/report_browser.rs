//! Opens the rendered report in headless Chromium: no console errors, every
//! plot laid out with a non-zero size, and a non-blank screenshot.
//!
//! Chromium is looked up as `$CAASIM_CHROMIUM`, `/usr/bin/chromium`, then
//! `chromium`, `chromium-browser`, `google-chrome` on the PATH. Without it
//! the test fails unless `CAASIM_SKIP_BROWSER=1`.

use caasim::report::render;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PLOTS: [&str; 8] = [
    "output",
    "compromises",
    "losses",
    "price",
    "market",
    "effects",
    "countries",
    "sectors",
];
const TIMEOUT: Duration = Duration::from_secs(90);

fn results_copy() -> tempfile::TempDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report");
    let dir = tempfile::tempdir().expect("temporary folder");
    for entry in fs::read_dir(fixture).expect("fixture folder") {
        let path = entry.expect("fixture entry").path();
        if path.is_file() {
            fs::copy(&path, dir.path().join(path.file_name().unwrap())).expect("copy fixture");
        }
    }
    dir
}

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
            "--window-size=1400,3000",
            "--dump-dom",
        ])
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
    let file = fs::File::open(path).expect("chromium saved no screenshot");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("screenshot header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("screenshot data");
    buf.truncate(info.buffer_size());
    assert!(info.width >= 1000, "screenshot is {} px wide", info.width);
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf.chunks(channels).collect();
    let inked = pixels
        .iter()
        .filter(|p| p.iter().take(3).any(|c| *c < 200))
        .count();
    assert!(inked * 50 > pixels.len(), "screenshot is nearly blank");
    let colours: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
    assert!(
        colours.len() > 50,
        "screenshot has {} colours",
        colours.len()
    );
}

#[test]
fn report_opens_cleanly_in_headless_chromium() {
    let Some(browser) = find_chromium() else {
        if env::var("CAASIM_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipped: no Chromium and CAASIM_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "headless Chromium not found ($CAASIM_CHROMIUM, /usr/bin/chromium, or chromium, \
             chromium-browser, google-chrome on PATH): install it with \
             `apt-get install -y chromium`, or set CAASIM_SKIP_BROWSER=1 to skip this test"
        );
    };
    let dir = results_copy();
    render(dir.path()).expect("render");
    let work = tempfile::tempdir().expect("temporary folder");
    let url = format!("file://{}", dir.path().join("report.html").display());
    let (dom, stderr) = run_browser(&browser, work.path(), &url);
    let console: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains(&format!("data-plots-ok=\"{}\"", PLOTS.len())),
        "not every plot was laid out with a non-zero size"
    );
    for name in PLOTS {
        assert!(
            dom.contains(&format!("id=\"plot-{name}\"")),
            "plot {name} missing"
        );
    }
    assert_non_blank_png(&work.path().join("shot.png"));
}
