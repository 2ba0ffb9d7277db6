//! Rendering a sweep folder: every plot of each headline metric against each
//! parameter, the contrasts' differences when there are contrasts, heat
//! maps only for a full grid of two parameters, a
//! self-contained `sweep.html`, and damaged folders rejected with errors
//! naming the file.
//!
//! The fixtures hold the `sweep.json`, `design.csv` and `points.csv` written
//! by `caasim sweep scenarios/generic-market.toml --reps 2 --set
//! scenario.days=90 --set scenario.burn_in_days=60 --set
//! scenario.replications_per_draw=0 --set 'arms=[{name="takedown",
//! interventions=[{kind="takedown", start=30, target={provider="Alpha"},
//! capacity_seized=0.5, downtime_days=10}]}, {name="deterrence",
//! interventions=[{kind="deterrence_messaging", start=30, duration_days=30,
//! arrival_factor=0.5, risk_shock=0.005}]}]' -q --out DIR` with, for
//! `tests/fixtures/sweep`, `--grid arms.takedown.interventions.0.capacity_seized=0.2,0.5,0.8
//! --grid arms.takedown.interventions.0.downtime_days=0,30 --contrast deterrence:takedown` and, for
//! `tests/fixtures/sweep-lhs`, `--range arms.takedown.interventions.0.capacity_seized=0.1:0.9
//! --range arms.deterrence.interventions.0.arrival_factor=0.2:0.9 --lhs 6`.

mod common;

use caasim::report::render;
use common::{edit_line, read_png, repo_path, set_field};
use std::fs;
use std::path::Path;

/// The headline metrics plotted.
const METRICS: [&str; 4] = [
    "campaigns_change_pct",
    "cost_per_compromise_change_pct",
    "losses_averted_usd",
    "days_to_recover",
];
/// The grid fixture's parameters, as in plot file names.
const GRID: [&str; 2] = [
    "arms-takedown-interventions-0-capacity_seized",
    "arms-takedown-interventions-0-downtime_days",
];
/// The Latin hypercube fixture's parameters, as in plot file names.
const LHS: [&str; 2] = [
    "arms-takedown-interventions-0-capacity_seized",
    "arms-deterrence-interventions-0-arrival_factor",
];

/// A fresh copy of the sweep folder `tests/fixtures/<name>`.
fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for file in ["sweep.json", "design.csv", "points.csv"] {
        let from = repo_path(&format!("tests/fixtures/{name}/{file}"));
        fs::copy(&from, dir.path().join(file)).expect("copy fixture");
    }
    dir
}

/// The plots expected for `parameters`, with heat maps when `grid` and
/// the differences of every metric but days_to_recover when `contrasts`.
fn expected_plots(parameters: &[&str], grid: bool, contrasts: bool) -> Vec<String> {
    let mut names: Vec<String> = parameters
        .iter()
        .flat_map(|p| METRICS.iter().map(move |m| format!("sweep-{m}-vs-{p}")))
        .collect();
    if grid {
        names.extend(METRICS.iter().map(|m| format!("sweep-heatmap-{m}")));
    }
    if contrasts {
        names.extend(parameters.iter().flat_map(|p| {
            (METRICS[..3].iter()).map(move |m| format!("sweep-difference-{m}-vs-{p}"))
        }));
    }
    names
}

/// Names of the files in `dir/plots` with `extension`, without it, sorted.
fn plot_files(dir: &Path, extension: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join("plots"))
        .expect("a plots folder")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(extension).map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The SVG is a drawing without NaN and the PNG is 1600 px wide or more,
/// with text and coloured data on it.
fn check_plot(dir: &Path, name: &str) {
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
        png.coloured_share() > 0.002,
        "{name}.png has no data in colour"
    );
}

/// The page holds every plot inline, links its files, and nothing external.
fn check_page(dir: &Path, plots: &[String]) -> String {
    let page = fs::read_to_string(dir.join("sweep.html")).expect("sweep.html");
    assert_eq!(page.matches("<svg").count(), plots.len());
    for name in plots {
        assert!(
            page.contains(&format!("id=\"plot-{name}\"")),
            "{name} not on the page"
        );
        assert!(
            page.contains(&format!("plots/{name}.png")),
            "{name}.png not linked"
        );
    }
    let outside_svg_ns = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for needle in ["NaN", "http://", "https://", "<link", "src=", "url("] {
        assert!(!outside_svg_ns.contains(needle), "page contains {needle:?}");
    }
    page
}

#[test]
fn grid_gets_every_plot_heat_maps_and_a_page() {
    let dir = fixture_copy("sweep");
    render(dir.path()).expect("render");
    let mut plots = expected_plots(&GRID, true, true);
    plots.sort();
    assert_eq!(plot_files(dir.path(), ".svg"), plots);
    assert_eq!(plot_files(dir.path(), ".png"), plots);
    assert_eq!(plot_files(dir.path(), ".pdf"), plots);
    assert!(
        plot_files(dir.path(), ".tmp").is_empty(),
        "temporary files left"
    );
    for name in &plots {
        check_plot(dir.path(), name);
    }
    let page = check_page(dir.path(), &plots);
    for text in [
        "full grid of 3 × 2 values",
        "<code>arms.takedown.interventions.0.capacity_seized</code>",
        "0.2, 0.5, 0.8",
        "All 6 points",
        "seed 42",
        "deterrence",
        "deterrence − takedown",
        "Difference in Change in campaigns",
        "the Kaplan-Meier median for Days until campaigns recover",
    ] {
        assert!(page.contains(text), "page lacks {text:?}");
    }
    assert!(!dir.path().join("report.html").exists());
}

#[test]
fn latin_hypercube_gets_no_heat_map() {
    let dir = fixture_copy("sweep-lhs");
    render(dir.path()).expect("render");
    let mut plots = expected_plots(&LHS, false, false);
    plots.sort();
    assert_eq!(plot_files(dir.path(), ".svg"), plots);
    for name in &plots {
        check_plot(dir.path(), name);
    }
    let page = check_page(dir.path(), &plots);
    assert!(!page.contains("heatmap") && !page.contains("full grid"));
    assert!(page.contains("none (<code>--contrast A:B</code> adds one)"));
}

/// A one-parameter sweep of categories, with undefined cells, written by hand.
fn categorical_sweep(dir: &Path) {
    let sweep = r#"{"tool": "caasim", "kind": "sweep", "scenario_name": "hand <made>",
        "seed": 7, "replications": 3, "parameters": ["arms.td.target.provider"], "points": 3}"#;
    let design = "point,arms.td.target.provider\n0,\"\"\"Beta\"\"\"\n1,\"\"\"Alpha\"\"\"\n2,\"\"\"Gamma\"\"\"\n";
    let mut points = String::from(
        "point,arm,versus,outcome,metric,statistic,estimate,ci_low,ci_high,n,interval,\
         arms.td.target.provider\n",
    );
    for (p, provider) in ["Beta", "Alpha", "Gamma"].iter().enumerate() {
        for (m, metric) in METRICS.iter().enumerate() {
            let mean = -2.0 * (p + m) as f64;
            // Point 1 has no interval; days to recover is undefined at point 2.
            let cells = match (p, *metric) {
                (2, "days_to_recover") => ",,,0".to_string(),
                (1, _) => format!("{mean},,,1"),
                _ => format!("{mean},{},{},3", mean - 1.5, mean + 1.5),
            };
            let statistic = if *metric == "days_to_recover" {
                "median"
            } else {
                "mean"
            };
            points.push_str(&format!(
                "{p},td,baseline,all,{metric},{statistic},{cells},t over replications,\"\"\"{provider}\"\"\"\n"
            ));
        }
    }
    fs::write(dir.join("sweep.json"), sweep).unwrap();
    fs::write(dir.join("design.csv"), design).unwrap();
    fs::write(dir.join("points.csv"), points).unwrap();
}

#[test]
fn categories_keep_design_order_and_undefined_cells_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    categorical_sweep(dir.path());
    render(dir.path()).expect("render");
    let plots = expected_plots(&["arms-td-target-provider"], false, false);
    for name in &plots {
        check_plot(dir.path(), name);
    }
    let svg = fs::read_to_string(dir.path().join(format!("plots/{}.svg", plots[0]))).unwrap();
    let (beta, alpha) = (
        svg.find("\nBeta\n").unwrap(),
        svg.find("\nAlpha\n").unwrap(),
    );
    assert!(beta < alpha, "categories are not in design order");
    let page = check_page(dir.path(), &plots);
    assert!(page.contains("hand &lt;made&gt;") && page.contains("Beta, Alpha, Gamma"));
    assert!(page.contains("no interval") && page.contains("—"));
}

/// The error of rendering the grid fixture after `damage` to its points.csv.
fn damaged(damage: impl Fn(&str) -> String) -> String {
    let dir = fixture_copy("sweep");
    let path = dir.path().join("points.csv");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, damage(&text)).unwrap();
    let error = render(dir.path()).expect_err("a damaged points.csv is refused");
    assert!(!dir.path().join("sweep.html").exists());
    format!("{error:#}")
}

#[test]
fn damaged_points_are_refused_naming_file_and_line() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", damaged(|_| String::new()), "line 1"),
        (
            "column missing",
            damaged(|t| edit_line(t, 1, |l| l.replace(",ci_low", ""))),
            "line 1",
        ),
        (
            "estimate not a number",
            damaged(|t| edit_line(t, 7, |l| set_field(l, 6, "oops"))),
            "line 7",
        ),
        (
            "ragged row",
            damaged(|t| edit_line(t, 9, |l| format!("{l},extra"))),
            "line 9",
        ),
        (
            "point outside the design",
            damaged(|t| edit_line(t, 11, |l| set_field(l, 0, "9"))),
            "line 11",
        ),
        (
            "value unlike the design",
            damaged(|t| edit_line(t, 13, |l| set_field(l, 11, "0.3"))),
            "line 13",
        ),
        (
            "duplicate row",
            damaged(|t| format!("{t}{}\n", t.lines().nth(1).unwrap())),
            "line 542",
        ),
        (
            "unknown statistic",
            damaged(|t| edit_line(t, 15, |l| set_field(l, 5, "mode"))),
            "line 15",
        ),
    ];
    for (what, error, line) in cases {
        assert!(error.contains("points.csv"), "{what}: {error}");
        assert!(error.contains(line), "{what}: {error} does not name {line}");
        assert!(!error.contains("panicked"), "{what}: {error}");
    }
}

#[test]
fn missing_points_and_malformed_identity_are_named() {
    let dir = fixture_copy("sweep");
    fs::remove_file(dir.path().join("points.csv")).unwrap();
    let error = format!("{:#}", render(dir.path()).unwrap_err());
    assert!(
        error.contains("points.csv") && error.contains("resume"),
        "{error}"
    );
    fs::write(dir.path().join("part-0-of-2.csv"), "").unwrap();
    let error = format!("{:#}", render(dir.path()).unwrap_err());
    assert!(error.contains("caasim merge"), "{error}");
    fs::write(dir.path().join("sweep.json"), "{\"kind\": \"sweep\"").unwrap();
    let error = format!("{:#}", render(dir.path()).unwrap_err());
    assert!(error.contains("sweep.json"), "{error}");
}
