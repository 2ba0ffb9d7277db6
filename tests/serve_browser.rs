//! The workshop room in a real browser: `caasim serve` on a free port,
//! headless Chromium driven through WebDriver (chromedriver, with the
//! fantoccini crate). The page loads without errors, a control moved by
//! typing re-runs the what-if and changes the effects, the URL holds the
//! new state and restores it, and the exported scenario reproduces the
//! page's effects through `caasim run`. Screenshots of a four-arm
//! comparison and of projector mode are checked for ink, and written to
//! `docs/` when `CAASIM_SCREENSHOTS=docs`.
//!
//! Chromium is `$CAASIM_CHROMIUM` or `/usr/bin/chromium`, chromedriver
//! `$CAASIM_CHROMEDRIVER` or `/usr/bin/chromedriver` (Debian's `chromium`
//! and `chromium-driver`, which `scripts/test.sh` installs). Without them
//! the test fails unless `CAASIM_SKIP_BROWSER=1`.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::room::Room;
use common::{read_png, repo_path};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Longest wait for the page to show final results (a cold CI machine).
const TIMEOUT: Duration = Duration::from_secs(120);
/// Window size, and so screenshot size, in pixels.
const WINDOW: (u32, u32) = (1400, 1100);
/// The estimate cell of the takedown's change in campaigns.
const CAMPAIGNS: &str =
    "#effects tr[data-arm=\"takedown\"][data-metric=\"campaigns_change_pct\"] td.estimate";
/// The seized share of the first arm's first intervention.
const SEIZED: &str = ".arm-card[data-arm=\"0\"] .intervention[data-intervention=\"0\"] input[data-field=\"capacity_seized\"]";

fn program(var: &str, fixed: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from(fixed)).filter(|p| p.is_file()))
}

/// Chromium and chromedriver, or `None` when missing and skipped knowingly.
fn browser_or_skip() -> Option<(PathBuf, PathBuf)> {
    let found = program("CAASIM_CHROMIUM", "/usr/bin/chromium")
        .zip(program("CAASIM_CHROMEDRIVER", "/usr/bin/chromedriver"));
    if found.is_none() {
        if std::env::var("CAASIM_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipped: no Chromium or chromedriver and CAASIM_SKIP_BROWSER=1");
            return None;
        }
        panic!(
            "headless Chromium and chromedriver not found: install them with \
             `apt-get install -y chromium chromium-driver` (scripts/test.sh does), \
             or set CAASIM_SKIP_BROWSER=1 to skip this test"
        );
    }
    found
}

/// chromedriver on a free port; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver(driver: &PathBuf) -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < TIMEOUT, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, port }
}

async fn connect(driver: &Driver, chromium: &PathBuf, profile: &std::path::Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", format!("--window-size={},{}", WINDOW.0, WINDOW.1),
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session")
}

/// Run `script` in the page; its value.
async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.expect(script)
}

/// Wait until the page shows final results (of a revision above `after`,
/// when given); their revision.
async fn wait_final(client: &Client, after: Option<u64>) -> u64 {
    let started = Instant::now();
    loop {
        let progress = js(
            client,
            "const p = document.querySelector('#progress'); \
             return p ? [p.dataset.final, p.dataset.revision, p.dataset.status] : null;",
        )
        .await;
        let revision = progress[1].as_str().and_then(|r| r.parse::<u64>().ok());
        if progress[0] == "true" && revision.is_some_and(|r| after.is_none_or(|a| r > a)) {
            return revision.unwrap();
        }
        assert_ne!(progress[2], "failed", "the page says the run failed");
        assert!(started.elapsed() < TIMEOUT, "no final results: {progress}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait until the room's state, as the page last heard it, has the first
/// arm's seized share at `share` (typing passes through other values);
/// that state's revision.
async fn wait_state(client: &Client, share: &str) -> u64 {
    let started = Instant::now();
    loop {
        let heard = js(
            client,
            "const e = window.caasim.app.serverEvent; \
             return e ? [e.revision, String(e.state.arms[0].interventions[0].capacity_seized)] : null;",
        )
        .await;
        if heard[1] == share {
            return heard[0].as_u64().expect("a revision");
        }
        assert!(
            started.elapsed() < TIMEOUT,
            "the room never took {share}: {heard}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// No error recorded by the page, and no resource answered with an error.
async fn assert_clean(client: &Client) {
    let errors = js(client, "return window.caasimErrors;").await;
    assert_eq!(errors, json!([]), "the page recorded errors");
    let failed = js(
        client,
        "return performance.getEntriesByType('resource')\
           .filter(e => e.responseStatus >= 400).map(e => e.name);",
    )
    .await;
    assert_eq!(failed, json!([]), "resources that failed to load");
}

async fn text(client: &Client, selector: &str) -> String {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Click the element at `selector`.
async fn click(client: &Client, selector: &str) {
    let element = client.find(Locator::Css(selector)).await.expect(selector);
    element.click().await.expect(selector);
}

/// Type `value` into the input at `selector` as a user would.
async fn type_into(client: &Client, selector: &str, value: &str) {
    let input = client.find(Locator::Css(selector)).await.expect(selector);
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
    input.send_keys("\u{e004}").await.unwrap(); // Tab: the change is committed
}

/// The room state the URL's hash holds.
async fn hash_state(client: &Client) -> Value {
    let text = js(
        client,
        "const s = new URLSearchParams(location.hash.slice(1)).get('s'); \
         return s ? JSON.parse(window.caasim.base64urlDecode(s)) : null;",
    )
    .await;
    assert!(text.is_object(), "the URL holds no state: {text}");
    text
}

/// A screenshot of the element at `selector`, checked for ink; written to
/// `docs/NAME` when asked.
async fn screenshot(client: &Client, selector: &str, name: &str, scratch: &std::path::Path) {
    let element = client.find(Locator::Css(selector)).await.expect(selector);
    let png = element.screenshot().await.expect("a screenshot");
    let path = scratch.join(name);
    std::fs::write(&path, &png).unwrap();
    let shot = read_png(&path);
    assert!(shot.inked_share() > 0.03, "{name} is nearly blank");
    if std::env::var("CAASIM_SCREENSHOTS").as_deref() == Ok("docs") {
        std::fs::write(repo_path("docs").join(name), &png).unwrap();
    }
}

#[test]
fn the_room_answers_a_what_if_in_a_real_browser() {
    let Some((chromium, chromedriver)) = browser_or_skip() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let room = Room::start(&["scenarios/redvds-2026.toml", "--scenarios", "scenarios"]);
    let driver = start_driver(&chromedriver);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = connect(&driver, &chromium, &scratch.path().join("profile")).await;
        drive(&client, &room, scratch.path()).await;
        client.close().await.unwrap();
    });
}

async fn drive(client: &Client, room: &Room, scratch: &std::path::Path) {
    client.goto(&room.url()).await.unwrap();
    let first = wait_final(client, None).await;
    assert_clean(client).await;
    let before = text(client, CAMPAIGNS).await;
    let chart = "return window.caasim.chartSvgString('campaigns');";
    let drawn = js(client, chart).await;

    type_into(client, SEIZED, "0.3").await;
    let accepted = wait_state(client, "0.3").await;
    let changed = wait_final(client, Some(accepted.max(first + 1) - 1)).await;
    let after = text(client, CAMPAIGNS).await;
    assert_ne!(before, after, "the effects did not change");
    assert_ne!(js(client, chart).await, drawn, "the charts did not change");
    let state = hash_state(client).await;
    assert_eq!(
        state["arms"][0]["interventions"][0]["capacity_seized"],
        json!(0.3)
    );

    // The URL restores the state in a new load of the page.
    let url = client.current_url().await.unwrap();
    client.goto("about:blank").await.unwrap();
    client.goto(url.as_str()).await.unwrap();
    wait_final(client, None).await;
    let input = client.find(Locator::Css(SEIZED)).await.unwrap();
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some("0.3"));
    assert_eq!(text(client, CAMPAIGNS).await, after);
    assert_clean(client).await;

    export_charts(client).await;
    reproduce_export(room, &after);
    compare_four_arms(client, room, changed, scratch).await;
}

/// Each chart exports as an SVG document and as a PNG image.
async fn export_charts(client: &Client) {
    let svg = js(client, "return window.caasim.chartSvgString('campaigns');").await;
    let svg = svg.as_str().expect("an SVG string");
    assert!(
        svg.contains("<svg") && svg.contains("Campaign seat-days a day"),
        "{}",
        &svg[..svg.len().min(200)]
    );
    let parsed = js(
        client,
        "const d = new DOMParser().parseFromString(window.caasim.chartSvgString('price'), 'image/svg+xml'); \
         return d.getElementsByTagName('parsererror').length === 0 && d.documentElement.nodeName;",
    )
    .await;
    assert_eq!(parsed, json!("svg"));
    let png = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             window.caasim.chartPngBlob('compromises').then(b => done([b.type, b.size]), e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(png[0], json!("image/png"), "{png}");
    assert!(png[1].as_u64().unwrap() > 10_000, "a PNG of a chart: {png}");
}

/// The exported scenario, run by `caasim run`, gives the effects the page
/// exports and shows.
fn reproduce_export(room: &Room, shown: &str) {
    let dir = tempfile::tempdir().unwrap();
    let export = room.run_export(dir.path());
    assert!(
        export.summary == export.effects,
        "caasim run of the export differs from the page's CSV"
    );
    let row = String::from_utf8(export.summary)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("takedown,baseline,all,campaigns_change_pct,"))
        .map(str::to_string)
        .expect("the campaigns row");
    let estimate: f64 = row.split(',').nth(5).unwrap().parse().unwrap();
    let shown: f64 = shown
        .trim_end_matches('%')
        .replace('\u{2212}', "-")
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("the page shows `{shown}`"));
    // The page shows 3 significant digits: it is off by at most half a unit
    // of the third digit (a little more for the float's own rounding).
    let half_unit = 0.5 * 10f64.powf(estimate.abs().log10().floor() - 2.0);
    assert!(
        (shown - estimate).abs() <= half_unit * (1.0 + 1e-9),
        "the page shows {shown}, caasim run gives {estimate}"
    );
}

/// Four arms from the page's button, then four distinct arms (the
/// scenario's) side by side and in projector mode: screenshots of both.
async fn compare_four_arms(
    client: &Client,
    room: &Room,
    mut revision: u64,
    scratch: &std::path::Path,
) {
    for _ in 0..3 {
        click(client, "#add-arm").await;
        revision = wait_final(client, Some(revision)).await;
    }
    let cards = js(
        client,
        "return document.querySelectorAll('.arm-card').length;",
    )
    .await;
    assert_eq!(cards, json!(4));
    assert_clean(client).await;

    let (_, controls) = room.get_json("/api/scenario/redvds-2026");
    let mut state = room.get_json("/api/state").1;
    let wanted = [
        "takedown",
        "takedown-no-data",
        "sustained-pressure",
        "mfa-uplift",
    ];
    let arms: Vec<Value> = wanted
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let arm = controls["arms"].as_array().unwrap().iter().find(|a| a["name"] == *name).unwrap();
            json!({"name": name, "colour": i + 1, "note": "", "interventions": arm["interventions"]})
        })
        .collect();
    state["arms"] = json!(arms);
    let (status, answer) = room.post_state(&state);
    assert_eq!(status, 200, "{answer}");
    wait_final(client, Some(revision)).await;
    let rows = js(
        client,
        "return document.querySelectorAll('#effects tbody tr').length;",
    )
    .await;
    assert!(
        rows.as_u64().unwrap() == 4 * 6,
        "four arms' six effects: {rows}"
    );
    assert_clean(client).await;
    screenshot(client, "#results", "serve-four-arms.png", scratch).await;
    click(client, "#projector").await;
    let projector = js(
        client,
        "return document.body.classList.contains('projector');",
    )
    .await;
    assert_eq!(projector, json!(true));
    screenshot(client, "#charts", "serve-projector.png", scratch).await;
}
