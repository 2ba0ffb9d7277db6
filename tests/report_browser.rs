//! Opens the rendered report, and the page of the committed calibration
//! (`calibration.html`), in headless Chromium: no console messages (a probe
//! message shows that they would be seen), every plot laid out with a
//! non-zero size, and a non-blank screenshot.
//!
//! Chromium is found as `common::browser` says; without it the test fails
//! unless `CAASIM_SKIP_BROWSER=1`.

mod common;

use caasim::report::render;
use common::browser::{browser_or_skip, run_chromium};
use common::{CALIBRATION_FILES, REPORT_PLOTS as PLOTS, read_png, repo_path, report_fixture_copy};
use std::fs;
use std::path::{Path, PathBuf};

/// Browser window, and so screenshot, size in pixels.
const WINDOW: (u32, u32) = (1400, 3000);
/// Logged by a script added to the page, to show that console messages are
/// seen: Chromium's log format has changed between versions.
const PROBE: &str = "caasim-console-probe";

/// Opens `url` in the browser with output in `work`: the page's DOM after
/// its scripts ran, and Chromium's log.
fn run_browser(browser: &Path, work: &Path, url: &str) -> (String, String) {
    let args = [
        "--enable-logging=stderr".to_string(),
        "--v=0".into(),
        "--dump-dom".into(),
        format!("--window-size={},{}", WINDOW.0, WINDOW.1),
        format!("--screenshot={}", work.join("shot.png").display()),
    ];
    let stderr = run_chromium(browser, work, &args, url);
    let dom = fs::read_to_string(work.join("stdout.txt")).unwrap_or_default();
    (dom, stderr)
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
