//! Rendering a sensitivity folder: a bar chart of the indices per output,
//! a self-contained `sensitivity.html`, the Morris variant, detection before
//! the sweep, and damaged files refused with errors naming file and line.
//!
//! The fixture `tests/fixtures/sensitivity` is written by hand (no run of
//! `caasim sensitivity` made it): Sobol indices of 2 outputs
//! (`campaigns_change_pct`, `losses_averted_usd`) of the arm `takedown` for
//! 3 parameters, from a Saltelli design of N = 4 base rows (20 points), with
//! an undefined S1, an ST without interval and a negative S1. The report
//! reads `sensitivity.json`, `indices.csv`, `sweep.json` (scenario, version,
//! overrides; its parameters and points are checked against
//! `sensitivity.json`) and only the arm column of `points.csv` (to count the
//! runs: points × arms × replications). `design.csv` and the full
//! `points.csv` (the two outputs only, for the one arm) are there so that the
//! folder is also a complete sweep folder; `points/` is not read and not
//! included.

mod common;

use caasim::report::render;
use common::{edit_line, read_png, repo_path, set_field};
use std::fs;
use std::path::Path;

const FILES: [&str; 5] = [
    "sensitivity.json",
    "indices.csv",
    "sweep.json",
    "design.csv",
    "points.csv",
];
const OUTPUTS: [&str; 2] = ["campaigns_change_pct", "losses_averted_usd"];
const PARAMETERS: [&str; 3] = [
    "arms.takedown.interventions.0.capacity_seized",
    "arms.takedown.interventions.0.downtime_days",
    "victims.compromise_prob",
];

/// A fresh copy of `tests/fixtures/sensitivity`.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for file in FILES {
        let from = repo_path(&format!("tests/fixtures/sensitivity/{file}"));
        fs::copy(&from, dir.path().join(file)).expect("copy fixture");
    }
    dir
}

fn plot_names() -> Vec<String> {
    OUTPUTS.iter().map(|o| format!("sensitivity-{o}")).collect()
}

/// Names of the files in `dir/plots`, sorted.
fn plot_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join("plots"))
        .expect("a plots folder")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The SVG is a drawing without NaN and the PNG is 1600 px wide or more,
/// with text and coloured bars on it.
fn check_plot(dir: &Path, name: &str) -> String {
    let svg = fs::read_to_string(dir.join(format!("plots/{name}.svg"))).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{name}.svg"
    );
    assert!(svg.contains("<text"), "{name}.svg has no text");
    assert!(!svg.contains("NaN"), "{name}.svg has NaN");
    let png = read_png(&dir.join(format!("plots/{name}.png")));
    assert!(png.width >= 1600, "{name}.png is {} px wide", png.width);
    assert!(png.inked_share() > 0.01, "{name}.png is blank");
    assert!(
        png.coloured_share() > 0.01,
        "{name}.png has no bars in colour"
    );
    svg
}

/// The page holds every plot inline, links its files, and nothing external
/// or undefined.
fn check_page(dir: &Path, plots: &[String]) -> String {
    let page = fs::read_to_string(dir.join("sensitivity.html")).expect("sensitivity.html");
    assert_eq!(page.matches("<svg").count(), plots.len());
    for name in plots {
        for needle in [
            format!("id=\"plot-{name}\""),
            format!("plots/{name}.png"),
            format!("plots/{name}.svg"),
        ] {
            assert!(page.contains(&needle), "page lacks {needle}");
        }
    }
    let outside_svg_ns = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for needle in ["NaN", "http://", "https://", "<link", "src=", "url("] {
        assert!(!outside_svg_ns.contains(needle), "page contains {needle:?}");
    }
    page
}

/// The y coordinate of the SVG text element holding `label`.
fn label_y(svg: &str, label: &str) -> f64 {
    let at = svg.find(label).unwrap_or_else(|| panic!("no {label}"));
    let element = &svg[svg[..at].rfind("<text").unwrap()..at];
    let y = element.split(" y=\"").nth(1).unwrap();
    y[..y.find('"').unwrap()].parse().unwrap()
}

#[test]
fn sobol_gets_a_plot_per_output_and_a_page() {
    let dir = fixture_copy();
    render(dir.path()).expect("render");
    let plots = plot_names();
    let mut files: Vec<String> = (plots.iter())
        .flat_map(|p| [format!("{p}.pdf"), format!("{p}.png"), format!("{p}.svg")])
        .collect();
    files.sort();
    assert_eq!(
        plot_files(dir.path()),
        files,
        "plots, and no temporary file"
    );
    for name in &plots {
        let svg = check_plot(dir.path(), name);
        assert!(svg.contains("S1 (first order)") && svg.contains("ST (total)"));
    }
    // Sorted by ST: capacity_seized (0.705) above downtime_days (0.274) for
    // campaigns; for losses compromise_prob (0.389) comes second and its
    // undefined S1 is noted, not drawn.
    let svg =
        fs::read_to_string(dir.path().join("plots/sensitivity-losses_averted_usd.svg")).unwrap();
    let (capacity, compromise, downtime) = (
        label_y(&svg, "capacity_seized"),
        label_y(&svg, "compromise_prob"),
        label_y(&svg, "downtime_days"),
    );
    assert!(
        capacity < compromise && compromise < downtime,
        "not sorted by ST"
    );
    assert!(svg.contains("not defined"));
    let page = check_page(dir.path(), &plots);
    for text in [
        "Sobol indices of takedown",
        "generic-market",
        "<code>victims.compromise_prob</code>",
        "0.0005",
        "4 base rows",
        "3 of 4",
        "20 points × 2 arms (the baseline and takedown) × 2 replications = 80 runs",
        "Bootstrap replicates</dt><dd>200",
        "seed 42",
        "share of the output's variance due to the parameter alone",
        "including every interaction",
        "ST − S1",
        "0.612",
        "−0.021",
        "0.093", // ST − S1 of capacity_seized for campaigns
        "—",
    ] {
        assert!(page.contains(text), "page lacks {text:?}");
    }
    assert!(!page.contains("Morris screening moves"));
    assert!(!dir.path().join("sweep.html").exists());
    assert!(!dir.path().join("report.html").exists());
}

/// The fixture turned into Morris screening of the same parameters.
fn morris(dir: &Path) {
    let path = dir.join("sensitivity.json");
    let text = fs::read_to_string(&path).unwrap();
    let text = text
        .replace("\"sobol\"", "\"morris\"")
        .replace("\"samples\": 4", "\"samples\": 5");
    fs::write(&path, text).unwrap();
    let mut indices = String::from("output,parameter,method,index,value,ci_low,ci_high\n");
    let stats: [[(f64, f64); 3]; 3] = [
        [(12.5, -12.5), (3.1, 0.0), (14.0, 0.0)],
        [(4.2, -3.0), (2.0, 0.0), (1.1, 0.0)],
        [(0.3, 0.1), (0.0, 0.0), (0.4, 0.0)],
    ];
    for (o, output) in OUTPUTS.iter().enumerate() {
        let scale = if o == 0 { 1.0 } else { 1e5 };
        for (p, parameter) in PARAMETERS.iter().enumerate() {
            let [(mu_star, mu), (half, _), (sigma, _)] = stats[p];
            let (mu_star, mu, half, sigma) =
                (mu_star * scale, mu * scale, half * scale, sigma * scale);
            let row = |index: &str, cells: String| {
                format!("{output},{parameter},morris,{index},{cells}\n")
            };
            // The interval of downtime_days's μ* for losses is undefined.
            let interval = if (o, p) == (1, 1) {
                ",".to_string()
            } else {
                format!("{},{}", mu_star - half, mu_star + half)
            };
            indices.push_str(&row("mu_star", format!("{mu_star},{interval}")));
            indices.push_str(&row("mu", format!("{mu},,")));
            indices.push_str(&row("sigma", format!("{sigma},,")));
        }
    }
    fs::write(dir.join("indices.csv"), indices).unwrap();
}

#[test]
fn morris_renders_mu_star_and_sigma() {
    let dir = fixture_copy();
    morris(dir.path());
    render(dir.path()).expect("render");
    let plots = plot_names();
    for name in &plots {
        let svg = check_plot(dir.path(), name);
        assert!(svg.contains("μ* (mean |effect|)") && svg.contains("σ (spread of effects)"));
        assert!(!svg.contains("not defined"));
    }
    let page = check_page(dir.path(), &plots);
    for text in [
        "Morris screening of takedown",
        "5 trajectories",
        "overall influence",
        "non-linearity or interactions",
        "<th>μ*</th>",
        "<th>σ</th>",
        "+12.5%",
        "$1,250,000",
    ] {
        assert!(page.contains(text), "page lacks {text:?}");
    }
    assert!(!page.contains("ST − S1"));
}

#[test]
fn without_sensitivity_json_the_folder_is_a_sweep() {
    let dir = fixture_copy();
    fs::remove_file(dir.path().join("sensitivity.json")).unwrap();
    render(dir.path()).expect("render");
    assert!(dir.path().join("sweep.html").exists());
    assert!(!dir.path().join("sensitivity.html").exists());
}

/// The error of rendering the fixture after `damage` to `file`.
fn damaged(file: &str, damage: impl Fn(&str) -> String) -> String {
    let dir = fixture_copy();
    let path = dir.path().join(file);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, damage(&text)).unwrap();
    let error = render(dir.path()).expect_err("a damaged folder is refused");
    assert!(!dir.path().join("sensitivity.html").exists());
    format!("{error:#}")
}

#[test]
fn damaged_indices_are_refused_naming_file_and_line() {
    let indices = |damage: fn(&str) -> String| damaged("indices.csv", damage);
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", indices(|_| String::new()), "line 1"),
        (
            "column missing",
            indices(|t| edit_line(t, 1, |l| l.replace(",ci_low", ""))),
            "line 1",
        ),
        (
            "value not a number",
            indices(|t| edit_line(t, 4, |l| set_field(l, 4, "oops"))),
            "line 4",
        ),
        (
            "ragged row",
            indices(|t| edit_line(t, 5, |l| format!("{l},extra"))),
            "line 5",
        ),
        (
            "unknown output",
            indices(|t| edit_line(t, 6, |l| set_field(l, 0, "profit"))),
            "line 6",
        ),
        (
            "unknown parameter",
            indices(|t| edit_line(t, 7, |l| set_field(l, 1, "market.x"))),
            "line 7",
        ),
        (
            "other method",
            indices(|t| edit_line(t, 8, |l| set_field(l, 2, "morris"))),
            "line 8",
        ),
        (
            "index of the other method",
            indices(|t| edit_line(t, 9, |l| set_field(l, 3, "mu_star"))),
            "line 9",
        ),
        (
            "duplicate row",
            indices(|t| format!("{t}{}\n", t.lines().nth(1).unwrap())),
            "line 14",
        ),
    ];
    for (what, error, line) in cases {
        assert!(error.contains("indices.csv"), "{what}: {error}");
        assert!(error.contains(line), "{what}: {error} does not name {line}");
        assert!(!error.contains("panicked"), "{what}: {error}");
    }
}

#[test]
fn damaged_or_missing_companions_are_named() {
    let error = damaged("sensitivity.json", |t| t.replace("\"sobol\"", "\"fast\""));
    assert!(error.contains("sensitivity.json"), "{error}");
    let error = damaged("sensitivity.json", |t| {
        t.replace("\"points\": 20", "\"points\": 21")
    });
    assert!(
        error.contains("sweep.json") && error.contains("21"),
        "{error}"
    );
    let error = damaged("points.csv", |t| t.replace("point,arm,", "point,branch,"));
    assert!(
        error.contains("points.csv") && error.contains("line 1"),
        "{error}"
    );
    let dir = fixture_copy();
    fs::remove_file(dir.path().join("indices.csv")).unwrap();
    let error = format!("{:#}", render(dir.path()).unwrap_err());
    assert!(error.contains("indices.csv"), "{error}");
    fs::write(dir.path().join("sensitivity.json"), "{\"kind\": ").unwrap();
    let error = format!("{:#}", render(dir.path()).unwrap_err());
    assert!(error.contains("sensitivity.json"), "{error}");
}
