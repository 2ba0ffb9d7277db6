//! Rendering a calibration folder: the committed Lumma 2025 calibration
//! (`results/lumma-2025-calibration`, written by `caasim calibrate`) gives
//! the plots of the fit, the posterior and the generations with their data
//! drawn, and a self-contained `calibration.html` naming every target and
//! parameter; a `series` target gets a time plot; a folder is recognised by
//! `calibration.json`; damaged or unfinished folders are refused with errors
//! naming the file (and line).

mod common;

use caasim::report::render;
use common::{CALIBRATION_FILES, Png, edit_line, read_png, repo_path, set_field};
use std::fs;
use std::path::Path;

const TARGETS: [&str; 5] = [
    "fall-first-two-weeks",
    "rebuilding-weeks-4-to-6",
    "recovery-to-90pct",
    "near-old-activity",
    "infections-before",
];
const PARAMETERS: [&str; 4] = [
    "market.capacity_growth_per_day",
    "market.search_days",
    "entry.max_per_day",
    "market.reputation_loss_on_hit",
];
const PLOTS: [&str; 3] = [
    "calibration-fit",
    "calibration-posterior",
    "calibration-generations",
];
/// The colour of simulated values and posterior bars (Okabe-Ito blue).
const BLUE: [u8; 3] = [0, 114, 178];
/// The colour of the posterior's quantile marks (Okabe-Ito vermillion).
const VERMILLION: [u8; 3] = [213, 94, 0];

/// A fresh copy of the committed calibration's files.
fn calibration_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for file in CALIBRATION_FILES {
        let from = repo_path(&format!("results/lumma-2025-calibration/{file}"));
        fs::copy(&from, dir.path().join(file)).expect("copy the committed calibration");
    }
    dir
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

/// The SVG is a drawing without NaN and the PNG is 1600 px wide or more
/// with ink on it; returns both.
fn check_plot(dir: &Path, name: &str) -> (String, Png) {
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
    (svg, png)
}

/// Pixels within 12 of `colour` in every channel, below the top `skip`
/// share of the image (the title and legend, whose swatches have the
/// colours of the data too).
fn pixels_near(png: &Png, colour: [u8; 3], skip: f64) -> usize {
    let first_row = (skip * f64::from(png.height)) as usize;
    let width = png.width as usize;
    png.pixels[first_row * width..]
        .iter()
        .filter(|p| p.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 12))
        .count()
}

/// The attributes of each SVG element `<tag ...>` of `svg`.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    (svg.split(&format!("<{tag} ")).skip(1))
        .map(|rest| &rest[..rest.find('>').unwrap_or(rest.len())])
        .collect()
}

/// `colour` drawn at `opacity` over white.
fn over_white(colour: [u8; 3], opacity: f64) -> [u8; 3] {
    colour.map(|c| (opacity * f64::from(c) + (1.0 - opacity) * 255.0).round() as u8)
}

/// The page holds every plot inline, links its files, and nothing external
/// or undefined.
fn check_page(dir: &Path, plots: &[&str]) -> String {
    let page = fs::read_to_string(dir.join("calibration.html")).expect("calibration.html");
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

#[test]
fn committed_calibration_gets_its_plots_and_page() {
    let dir = calibration_copy();
    render(dir.path()).expect("render");
    let mut files: Vec<String> = (PLOTS.iter())
        .flat_map(|p| [format!("{p}.pdf"), format!("{p}.png"), format!("{p}.svg")])
        .collect();
    files.sort();
    assert_eq!(
        plot_files(dir.path()),
        files,
        "plots, and no temporary file"
    );
    for name in PLOTS {
        check_plot(dir.path(), name);
    }
    for file in ["report.html", "sweep.html", "sensitivity.html"] {
        assert!(!dir.path().join(file).exists(), "{file} was written");
    }
    let page = check_page(dir.path(), &PLOTS);
    for text in TARGETS.iter().chain(&PARAMETERS) {
        assert!(page.contains(text), "page does not mention {text}");
    }
    for text in [
        "Calibration of lumma-2025",
        "ABC-SMC",
        "scenarios/lumma-2025-targets.toml",
        "100 particles",
        "4 generations",
        "8,716 runs",
        "seed 20250521",
        "4 generations done",
        "none (prior)",
        "48.5%",
        // Posterior summary: capacity growth's median and interval.
        "0.0304",
        "0.0138",
        "0.0570",
        // Fit: observed, band and z of the targets.
        "−50.0%",
        "−52.9%",
        "60.0 days",
        "52.6 days",
        "40.0 days to 65.0 days",
        "10,800",
        "3,000",
        "−0.67",
        "+0.29",
        "z = (simulated − observed) / sd",
    ] {
        assert!(page.contains(text), "page lacks {text:?}");
    }
    // The time the calibration took, as calibration.json records it.
    let recorded = fs::read_to_string(dir.path().join("calibration.json")).unwrap();
    let recorded: serde_json::Value = serde_json::from_str(&recorded).unwrap();
    let seconds = recorded["elapsed_seconds"].as_f64().unwrap();
    let took = format!(
        "{} min {} s",
        seconds.round() as u64 / 60,
        seconds.round() as u64 % 60
    );
    assert!(page.contains(&took), "page lacks {took:?}");
}

#[test]
fn the_plots_draw_their_data() {
    let dir = calibration_copy();
    render(dir.path()).expect("render");
    // Fit: a blue dot per target (plus one in the legend), open circles of
    // the observed values, and blue ink below the legend.
    let (svg, png) = check_plot(dir.path(), "calibration-fit");
    let circles = elements(&svg, "circle");
    let filled = |colour: &str| {
        let fill = format!("fill=\"{colour}\"");
        circles.iter().filter(|c| c.contains(&fill)).count()
    };
    assert_eq!(
        filled("#0072B2"),
        TARGETS.len() + 1,
        "a simulated mean per target"
    );
    assert_eq!(
        filled("#FFFFFF"),
        TARGETS.len() + 1,
        "an observed value per target"
    );
    for target in TARGETS {
        assert!(svg.contains(target), "the fit plot does not label {target}");
    }
    assert!(svg.contains("−50.0% ± 15.0%, simulated −52.9%"));
    let drawn = pixels_near(&png, BLUE, 0.25);
    assert!(drawn > 2_000, "{drawn} blue pixels of data in the fit plot");
    // Posterior: bars in every panel and the quantile marks.
    let (svg, png) = check_plot(dir.path(), "calibration-posterior");
    let bars = (elements(&svg, "rect").iter())
        .filter(|r| r.contains("fill=\"#0072B2\"") && r.contains("opacity=\"0.75\""))
        .count();
    assert!(bars > 1 + 4 * PARAMETERS.len(), "{bars} posterior bars");
    for parameter in PARAMETERS {
        assert!(svg.contains(parameter), "no panel for {parameter}");
    }
    assert!(svg.contains("median 0.0304 (90%: 0.0138 to 0.0570)"));
    let bar_pixels = pixels_near(&png, over_white(BLUE, 0.75), 0.12);
    let share = bar_pixels as f64 / png.pixels.len() as f64;
    assert!(share > 0.05, "posterior bars cover {share:.3} of the plot");
    assert!(
        pixels_near(&png, VERMILLION, 0.12) > 2_000,
        "quantile marks"
    );
    // Generations: a median distance per generation and acceptance bars.
    let (svg, png) = check_plot(dir.path(), "calibration-generations");
    let medians = (elements(&svg, "circle").iter())
        .filter(|c| c.contains("fill=\"#0072B2\""))
        .count();
    assert_eq!(medians, 4 + 1, "a median distance per generation");
    for label in ["100%", "49%", "31%", "14%"] {
        assert!(
            svg.contains(&format!("\n{label}\n</text>")),
            "acceptance {label}"
        );
    }
    assert!(pixels_near(&png, BLUE, 0.2) > 1_000, "distances drawn");
}

/// `fit.csv` with a series target of weekly campaigns appended.
fn with_series(dir: &Path) {
    let path = dir.join("fit.csv");
    let mut text = fs::read_to_string(&path).unwrap();
    for (i, day) in (70..200).step_by(7).enumerate() {
        let observed = if day < 81 {
            2000.0
        } else {
            900.0 + 40.0 * i as f64
        };
        let simulated = observed * 0.95;
        text.push_str(&format!(
            "weekly-campaigns,series,takedown,campaigns,{day},{observed},250,{simulated},{},{},20,{},,equal\n",
            simulated - 180.0,
            simulated + 200.0,
            (simulated - observed) / 250.0
        ));
    }
    fs::write(&path, text).unwrap();
}

#[test]
fn a_series_target_gets_a_time_plot() {
    let dir = calibration_copy();
    with_series(dir.path());
    render(dir.path()).expect("render");
    let name = "calibration-series-weekly-campaigns";
    let (svg, png) = check_plot(dir.path(), name);
    assert!(svg.contains("weekly-campaigns: observed against simulated"));
    assert!(svg.contains("Campaigns (takedown)"));
    // Day 0 is 1 March 2025 (best-fit.toml): the axis shows months.
    assert!(svg.contains("Jun 2025"), "the time axis has no dates");
    let rings = (elements(&svg, "circle").iter())
        .filter(|c| c.contains("fill=\"#FFFFFF\""))
        .count();
    assert!(rings > 19, "an open circle per observed day ({rings})");
    assert!(pixels_near(&png, BLUE, 0.2) > 1_000, "the simulated line");
    let plots = [PLOTS[0], name, PLOTS[1], PLOTS[2]];
    let page = check_page(dir.path(), &plots);
    for text in [
        "19 days (day 70 (2025-05-10) to day 196 (2025-09-13))",
        "Series targets have plots of their own",
        "day 189 (2025-09-06)",
    ] {
        assert!(page.contains(text), "page lacks {text:?}");
    }
    // The forest plot keeps one row per target with one value.
    let svg = fs::read_to_string(dir.path().join("plots/calibration-fit.svg")).unwrap();
    assert!(!svg.contains("weekly-campaigns"));
}

#[test]
fn a_calibration_json_without_kind_is_recognised_by_fit_csv() {
    let dir = calibration_copy();
    let path = dir.path().join("calibration.json");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("  \"kind\": \"calibration\",\n", "")).unwrap();
    assert!(!fs::read_to_string(&path).unwrap().contains("\"kind\""));
    render(dir.path()).expect("render");
    assert!(dir.path().join("calibration.html").exists());
    fs::remove_file(dir.path().join("fit.csv")).unwrap();
    let error = format!("{:#}", render(dir.path()).unwrap_err());
    assert!(
        error.contains("manifest.json"),
        "without fit.csv it is not a calibration: {error}"
    );
}

/// The error of rendering the copy after `damage` to `file`; no page is
/// written.
fn damaged(file: &str, damage: impl Fn(&str) -> String) -> String {
    let dir = calibration_copy();
    let path = dir.path().join(file);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, damage(&text)).unwrap();
    let error = render(dir.path()).expect_err("a damaged folder is refused");
    assert!(!dir.path().join("calibration.html").exists());
    assert!(!dir.path().join("report.html").exists());
    format!("{error:#}")
}

#[test]
fn a_bound_and_a_compared_arm_are_shown_as_the_target_states_them() {
    let dir = calibration_copy();
    let path = dir.path().join("fit.csv");
    let text = fs::read_to_string(&path).unwrap();
    let text = edit_line(&text, 2, |l| {
        set_field(&set_field(l, 13, "at_least"), 12, "first-wave")
    });
    fs::write(&path, text).unwrap();
    render(dir.path()).expect("render");
    let page = fs::read_to_string(dir.path().join("calibration.html")).unwrap();
    assert!(
        page.contains("takedown against first-wave"),
        "no compared arm"
    );
    assert!(page.contains(">at least "), "no bound");
}

#[test]
fn damaged_fit_csv_is_refused_naming_file_and_line() {
    let fit = |damage: fn(&str) -> String| damaged("fit.csv", damage);
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", fit(|_| String::new()), "line 1"),
        (
            "truncated in a row",
            fit(|t| t[..t.len() - 40].to_string()),
            "line 6",
        ),
        (
            "column missing",
            fit(|t| edit_line(t, 1, |l| l.replace(",low", ""))),
            "line 1",
        ),
        (
            "observed not a number",
            fit(|t| edit_line(t, 3, |l| set_field(l, 5, "about 25"))),
            "line 3",
        ),
        (
            "sd zero",
            fit(|t| edit_line(t, 4, |l| set_field(l, 6, "0"))),
            "line 4",
        ),
        (
            "simulated infinite",
            fit(|t| edit_line(t, 2, |l| set_field(l, 7, "inf"))),
            "line 2",
        ),
        (
            "unknown kind",
            fit(|t| edit_line(t, 5, |l| set_field(l, 1, "guess"))),
            "line 5",
        ),
        (
            "a day on a summary target",
            fit(|t| edit_line(t, 2, |l| set_field(l, 4, "12"))),
            "line 2",
        ),
        (
            "unknown bound",
            fit(|t| edit_line(t, 3, |l| set_field(l, 13, "about"))),
            "line 3",
        ),
        (
            "duplicate target",
            fit(|t| format!("{t}{}\n", t.lines().nth(1).unwrap())),
            "line 7",
        ),
    ];
    for (what, error, line) in cases {
        assert!(error.contains("fit.csv"), "{what}: {error}");
        assert!(error.contains(line), "{what}: {error} does not name {line}");
        assert!(!error.contains("panicked"), "{what}: {error}");
    }
    let error = fit(|t| t.lines().next().unwrap().to_string() + "\n");
    assert!(error.contains("fit.csv has no rows"), "{error}");
}

#[test]
fn damaged_or_missing_companions_are_named() {
    let error = damaged("posterior.csv", |t| {
        let header: Vec<&str> = t.lines().next().unwrap().split(',').collect();
        let weight = header.iter().position(|&c| c == "weight").unwrap();
        edit_line(t, 10, |l| set_field(l, weight, "heavy"))
    });
    assert!(
        error.contains("posterior.csv, line 10") && error.contains("weight"),
        "{error}"
    );
    let error = damaged("posterior.csv", |t| {
        edit_line(t, 1, |l| l.replace("market.search_days", "market.search"))
    });
    assert!(error.contains("posterior.csv, line 1"), "{error}");
    let error = damaged("posterior_summary.csv", |t| {
        t.lines()
            .filter(|l| !l.starts_with("entry.max_per_day"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    assert!(
        error.contains("posterior_summary.csv has no row for entry.max_per_day"),
        "{error}"
    );
    let error = damaged("generation-2.csv", |t| {
        let lines: Vec<&str> = t.lines().collect();
        let cut: Vec<&str> = lines[50].split(',').take(3).collect();
        format!("{}\n{}\n", lines[..50].join("\n"), cut.join(","))
    });
    assert!(error.contains("generation-2.csv, line 51"), "{error}");
    let error = damaged("best-fit.toml", |t| {
        t.replace("start_date = \"2025-03-01\"", "start_date = \"March\"")
    });
    assert!(
        error.contains("best-fit.toml") && error.contains("March"),
        "{error}"
    );
    let error = damaged("calibration.json", |t| t[..t.len() / 2].to_string());
    assert!(error.contains("calibration.json"), "{error}");
    let error = damaged("calibration.json", |t| {
        t.replace("\"status\": \"complete\"", "\"status\": \"running\"")
    });
    assert!(
        error.contains("calibration.json") && error.contains("has not finished"),
        "{error}"
    );
    let dir = calibration_copy();
    fs::remove_file(dir.path().join("fit.csv")).unwrap();
    let error = format!("{:#}", render(dir.path()).unwrap_err());
    assert!(
        error.contains("fit.csv") && error.contains("has not finished"),
        "{error}"
    );
}
