//! The report of an ensemble (issue 14 items 4 and 7): the effects table
//! names both intervals with the numbers of `summary.csv`, each headline
//! effect has a tornado plot listing `voi.csv`'s top parameter first and a
//! sentence naming the drivers, the provenance shows the parameters block;
//! a summary-only folder renders without the plots over time.

mod common;

use caasim::report::render;
use common::{generic_text, read_csv, run_bin};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// generic-market, 24 replications in 12 draws of 2, with one parameter
/// that drives the takedown's effects and two that act on the market.
fn ensemble_text() -> String {
    let text = generic_text().replace("replications = 8", "replications = 24");
    assert!(
        text.contains("replications_per_draw = 2"),
        "generic-market's draws changed"
    );
    format!(
        "{text}\n[uncertain]\n{}\n",
        r#""arms.takedown.interventions.0.capacity_seized" = { dist = "uniform", low = 0.1, high = 0.95 }
"market.search_days" = { dist = "triangular", low = 5, mode = 14, high = 40 }
"market.emails_per_seat_per_day" = { dist = "log_uniform", low = 200, high = 600 }"#
    )
}

/// The headline metrics the report explains (`report::effects::HEADLINE`).
const HEADLINE: [&str; 3] = [
    "campaigns_change_pct",
    "cost_per_compromise_change_pct",
    "losses_averted_usd",
];
/// The arms run besides the baseline.
const ARMS: [&str; 2] = ["takedown", "sustained-pressure"];

/// Runs the ensemble with `extra` arguments into `tmp`; returns the folder.
fn run_ensemble(tmp: &Path, extra: &[&str]) -> PathBuf {
    let file = tmp.join("ensemble.toml");
    fs::write(&file, ensemble_text()).unwrap();
    let out = tmp.join("ensemble");
    let (file, folder) = (file.to_str().unwrap(), out.to_str().unwrap());
    let arms = ARMS.join(",");
    let mut args = vec!["run", file, "--arms", &arms, "-q", "--out", folder];
    args.extend_from_slice(extra);
    let output = run_bin(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// The ensemble's results folder, run once for every test of this file
/// (each test renders a copy).
fn ensemble_run() -> &'static Path {
    static RUN: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = RUN.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_ensemble(tmp.path(), &[]);
        (tmp, out)
    });
    out
}

/// A fresh copy of the ensemble's folder.
fn ensemble_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(ensemble_run()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// A value in % as the report writes it: signed, one decimal, a typographic minus.
fn percent(v: f64) -> String {
    let text = format!("{:.1}%", v.abs());
    match v {
        v if v < 0.0 => format!("−{text}"),
        _ => format!("+{text}"),
    }
}

fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} of {row:?}"))
}

/// The summary row of `arm` and `metric`.
fn summary_row(dir: &Path, arm: &str, metric: &str) -> BTreeMap<String, String> {
    let rows = read_csv(&dir.join("summary.csv"));
    (rows.into_iter())
        .find(|r| r["arm"] == arm && r["metric"] == metric)
        .unwrap_or_else(|| panic!("summary.csv has no row {arm}, {metric}"))
}

/// The rows of `voi.csv` of an effect with a defined narrowing, by rank.
fn ranked(dir: &Path, arm: &str, metric: &str) -> Vec<BTreeMap<String, String>> {
    let mut rows: Vec<_> = (read_csv(&dir.join("voi.csv")).into_iter())
        .filter(|r| r["arm"] == arm && r["metric"] == metric && !r["interval_narrowing"].is_empty())
        .collect();
    rows.sort_by_key(|r| r["rank"].parse::<u64>().unwrap());
    rows
}

/// The texts of an SVG document with their y coordinates.
fn svg_texts(svg: &str) -> Vec<(f64, String)> {
    (svg.split("<text").skip(1))
        .map(|element| {
            let y = element
                .split(" y=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let start = element.find('>').unwrap() + 1;
            let end = element.find("</text>").unwrap();
            (y.parse().unwrap(), element[start..end].trim().to_string())
        })
        .collect()
}

#[test]
fn the_effects_table_names_both_intervals_with_the_summarys_numbers() {
    let dir = ensemble_copy();
    render(dir.path()).expect("render");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let row = summary_row(dir.path(), "takedown", "campaigns_change_pct");
    let ci = format!(
        "95% interval of the mean over draws: {} to {}",
        percent(num(&row, "ci_low")),
        percent(num(&row, "ci_high"))
    );
    let spread = format!(
        "90% across the ensemble: {} to {}",
        percent(num(&row, "ensemble_p05")),
        percent(num(&row, "ensemble_p95"))
    );
    let share = format!(
        "parameter share: {:.0}%",
        100.0 * num(&row, "share_parameter")
    );
    for text in [&ci, &spread, &share] {
        assert!(page.contains(text.as_str()), "the page lacks {text:?}");
    }
    // The intervals differ, so the page cannot show one for the other.
    assert_ne!(row["ci_low"], row["ensemble_p05"]);
    for named in [
        "<strong>95% interval of the mean over 12 parameter draws</strong>",
        "<strong>90% interval across the ensemble: parameter uncertainty and noise</strong>",
        "What to measure next",
        "Where the spread comes from",
    ] {
        assert!(page.contains(named), "the page lacks {named:?}");
    }
    // The provenance lists the parameters block.
    assert!(page.contains("12 draws × 2 replications per draw"));
    assert!(page.contains("<summary>3 uncertain parameters</summary>"));
    assert!(page.contains("log_uniform: low 200.0, high 600.0"));
}

#[test]
fn the_plots_of_an_ensemble_say_their_intervals_are_over_the_draws() {
    let dir = ensemble_copy();
    render(dir.path()).expect("render");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    for text in [
        // The compromises averted by country and sector.
        "mean over 12 parameter draws (24 replications), the black line its 95% interval of \
         the mean over 12 parameter draws",
        // The plots over time pool the draws' replications.
        "95% interval of the daily mean over 24 replications, pooled across 12 parameter draws",
        // The effects plot.
        "the line its 95% interval of the mean over 12 parameter draws, the shaded bar its 90% \
         interval across the ensemble: parameter uncertainty and noise",
    ] {
        assert!(page.contains(text), "the page lacks {text:?}");
    }
    assert!(!page.contains("variation between replications only"));
}

#[test]
fn each_headline_effect_has_a_tornado_with_the_top_parameter_first_and_its_sentence() {
    let dir = ensemble_copy();
    render(dir.path()).expect("render");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let mut named = 0;
    for arm in ARMS {
        for metric in HEADLINE {
            let name = format!("plots/voi-{arm}-{metric}");
            assert!(
                dir.path().join(format!("{name}.png")).is_file(),
                "{name}.png"
            );
            let svg = fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
            let rows = ranked(dir.path(), arm, metric);
            let keys: Vec<&str> = rows.iter().map(|r| r["parameter"].as_str()).collect();
            let mut labels: Vec<(f64, &str)> = (svg_texts(&svg).into_iter())
                .filter_map(|(y, t)| Some((y, *keys.iter().find(|k| is_label_of(&t, k))?)))
                .collect();
            labels.sort_by(|a, b| a.0.total_cmp(&b.0));
            let drawn: Vec<&str> = labels.iter().map(|(_, k)| *k).collect();
            assert_eq!(
                drawn, keys,
                "{name}.svg lists voi.csv's parameters in rank order"
            );
            let drivers: Vec<&str> = (rows.iter())
                .filter(|r| r["p_value"].parse::<f64>().is_ok_and(|p| p < 0.05))
                .map(|r| r["parameter"].as_str())
                .collect();
            let sentence = sentence_of(&page, arm, metric);
            match drivers.first() {
                Some(top) => {
                    named += 1;
                    let knowing = format!("knowing <code>{top}</code> exactly would narrow it");
                    assert!(sentence.contains(&knowing), "{sentence}");
                }
                None => assert!(
                    sentence.contains("cannot tell the drivers apart"),
                    "{sentence}"
                ),
            }
            let undistinguished = (rows.iter())
                .filter(|r| !drivers.contains(&r["parameter"].as_str()))
                .map(|r| format!("<code>{}</code>", r["parameter"]));
            for code in undistinguished {
                assert!(
                    !sentence.contains(&code),
                    "{code} is not a driver: {sentence}"
                );
            }
        }
    }
    assert!(named > 0, "no effect has a driver: the test shows nothing");
}

/// Whether `label` is the parameter `key`, or its end after an ellipsis.
fn is_label_of(label: &str, key: &str) -> bool {
    match label.strip_prefix('…') {
        Some(end) => end.len() > 3 && key.ends_with(end),
        None => label == key,
    }
}

/// The sentence of the section "What to measure next" about an effect.
fn sentence_of<'a>(page: &'a str, arm: &str, metric: &str) -> &'a str {
    let section = &page[page.find("<section id=\"next\">").expect("the section")..];
    let figure = format!("<figure id=\"plot-voi-{arm}-{metric}\">");
    let before = &section[..section.find(&figure).expect("the effect's figure")];
    let heading = before.rfind("<h3>").expect("the effect's heading");
    let start = heading + before[heading..].find("<p>").unwrap() + 3;
    &before[start..start + before[start..].find("</p>").unwrap()]
}

#[test]
fn a_summary_only_folder_renders_its_effects_and_ensemble_without_plots_over_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = run_ensemble(tmp.path(), &["--summary-only"]);
    assert!(
        !dir.join("timeseries.csv").exists(),
        "--summary-only kept the series"
    );
    fs::remove_dir_all(dir.join("plots")).unwrap();
    fs::remove_file(dir.join("report.html")).unwrap();
    render(&dir).expect("a summary-only folder renders");
    let page = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(page.contains("this run kept only its summary (--summary-only)"));
    assert!(
        page.contains("What to measure next")
            && page.contains("95% interval of the mean over draws: ")
    );
    assert!(dir.join("plots/effects.svg").is_file());
    assert!(
        dir.join("plots/voi-takedown-campaigns_change_pct.svg")
            .is_file()
    );
    for absent in [
        "output",
        "compromises",
        "losses",
        "price",
        "market",
        "countries",
        "sectors",
    ] {
        assert!(
            !dir.join(format!("plots/{absent}.svg")).exists(),
            "{absent}"
        );
    }
}

#[test]
fn a_report_without_an_ensemble_has_no_ensemble_section() {
    let dir = common::report_fixture_copy();
    render(dir.path()).expect("render");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    for absent in [
        "What to measure next",
        "interval of the mean over draws",
        "parameter draws",
        "across the ensemble",
    ] {
        assert!(!page.contains(absent), "{absent}");
    }
    let voi = fs::read_dir(dir.path().join("plots")).unwrap();
    let names: Vec<String> = voi
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with("voi-")), "{names:?}");
}
