//! `caasim validate`: the committed predictions of every case are
//! reproduced from the committed calibrations (about 20 s; calibrating
//! them again, `--calibrate`, takes about 5 minutes and is left to
//! `scripts/regenerate-results.sh`); a prediction
//! interval covers a new draw of the model itself as often as order
//! statistics say; bad suites are refused with exit code 2 naming the file.

mod common;

use std::fs;
use std::path::Path;

use caasim::experiment::calibrate::{self, Role};
use caasim::experiment::validate::{coverage, predictions};
use caasim::experiment::{self, Hooks};
use common::{bin, generic_text, repo_path};

/// The cases of the suite, each predicted on every test run.
const FAST: [&str; 6] = [
    "bayonet-2017",
    "emotet-2021",
    "hydra-2022",
    "lockbit-2024",
    "lumma-2025",
    "qakbot-2023",
];

/// Copies the committed calibrations of `cases` into `out`.
fn committed_calibrations(out: &Path, cases: &[&str]) {
    for case in cases {
        let from = repo_path(&format!("results/validation/{case}/calibration"));
        let to = out.join(case).join("calibration");
        fs::create_dir_all(&to).unwrap();
        for entry in fs::read_dir(&from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }
}

/// The lines of `validation.csv` of the cases `cases`, header first.
fn lines_of(path: &Path, cases: &[&str]) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    std::iter::once(header)
        .chain(
            lines
                .filter(|l| cases.iter().any(|c| l.starts_with(&format!("{c},"))))
                .map(String::from),
        )
        .collect()
}

#[test]
fn the_committed_predictions_are_reproduced_from_the_committed_calibrations() {
    let out = tempfile::tempdir().unwrap();
    committed_calibrations(out.path(), &FAST);
    let output = bin()
        .args(["validate", "validation", "--cases", &FAST.join(",")])
        .arg("--out")
        .arg(out.path())
        .arg("--quiet")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for case in FAST {
        assert!(
            stdout.contains(&format!("{case}: fit ")),
            "no line for {case}: {stdout}"
        );
    }
    let committed = lines_of(&repo_path("results/validation/validation.csv"), &FAST);
    let reproduced = lines_of(&out.path().join("validation.csv"), &FAST);
    assert!(committed.len() > 1, "no committed rows");
    assert_eq!(reproduced, committed);
    assert!(out.path().join("validation.html").is_file());
}

/// Standard normal draws from a fixed seed (Box-Muller on a 64-bit LCG),
/// the observation errors of the synthetic cases.
fn normal_draws(n: usize) -> Vec<f64> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut uniform = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos())
        .collect()
}

/// Synthetic cases with a known answer: the world is the model itself.
/// Each "truth" is one replication of another seed, observed with an error
/// `N(0, sd^2)` whose sd is the spread of the truths; the prediction is 40
/// replications of the scenario's seed. The 90% interval of what would be
/// observed (the predicted values blurred by the same error) then holds an
/// observation with probability 0.90 (less a little for 40 values: the
/// blur makes the finite-sample loss small). Over 60 truths of 2 targets
/// (120 observations, correlated within a truth) the share inside is 0.90
/// within 4 binomial standard errors of 120 (0.11) below, and at most 0.97
/// above (a too-wide interval holds nearly all); the model's interval
/// without the observation's error holds fewer than 0.79.
#[test]
fn an_observation_interval_covers_the_models_own_noisy_draws_at_its_rate() {
    let text = generic_text();
    let overrides = [
        "scenario.days=120",
        "scenario.burn_in_days=60",
        "scenario.replications_per_draw=0",
        "scenario.replications=40",
    ]
    .map(String::from);
    let model = caasim::scenario::load_text(&text, "generic.toml", &overrides).unwrap();
    let arm = model.arms[1].name.clone();
    let targets_text = |values: [f64; 2], sds: [f64; 2]| {
        format!(
            "[[targets]]\nkind = \"summary\"\narm = \"{arm}\"\nmetric = \"campaigns_change_pct\"\n\
             value = {}\nsd = {}\nrole = \"check\"\n\n[[targets]]\nkind = \"level\"\n\
             arm = \"{arm}\"\ncolumn = \"compromises\"\nfrom_day = 70\nto_day = 110\n\
             value = {}\nsd = {}\nrole = \"check\"\n",
            values[0], sds[0], values[1], sds[1]
        )
    };
    let parse = |text: &str, m: &caasim::model::Model| {
        calibrate::parse_targets(text, "t.toml", Path::new("."), m).unwrap()
    };
    let predicted_run = experiment::run(&model, &Hooks::default()).unwrap();
    let mut truth_model = model.clone();
    truth_model.replications = 60;
    truth_model.seed = model.seed ^ 0x5eed;
    let truths = experiment::run(&truth_model, &Hooks::default()).unwrap();
    let placeholder = parse(&targets_text([0.0; 2], [1.0; 2]), &model);
    let truth: Vec<Vec<f64>> = placeholder
        .iter()
        .map(|t| {
            t.simulated(&truths, &truth_model)[0]
                .iter()
                .map(|v| v.unwrap())
                .collect()
        })
        .collect();
    let spread = |values: &[f64]| {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
    };
    let sds = [spread(&truth[0]), spread(&truth[1])];
    let errors = normal_draws(120);
    let mut rows = Vec::new();
    for r in 0..60 {
        let observed = [0, 1].map(|k| truth[k][r] + sds[k] * errors[2 * r + k]);
        let targets = parse(&targets_text(observed, sds), &model);
        rows.extend(predictions("synthetic", &targets, &predicted_run, &model));
    }
    let counted = coverage(rows.iter().map(|r| (r.role, false, r.inside())));
    let check = counted
        .iter()
        .find(|c| c.role == Role::Check && !c.bounds)
        .unwrap();
    assert_eq!(check.with_interval, 120, "{check:?}");
    let share = check.share().unwrap();
    // Without the observation's error, the model's own interval holds far
    // fewer: the negative control.
    let unblurred = rows
        .iter()
        .filter(|r| r.low.unwrap() <= r.observed && r.observed <= r.high.unwrap())
        .count() as f64
        / rows.len() as f64;
    eprintln!("coverage {share:.3} of 120 observations; {unblurred:.3} without their error");
    assert!(
        (0.79..=0.97).contains(&share),
        "coverage {share} of 120 observations, expected 0.90 (0.79 to 0.97)"
    );
    assert!(unblurred < 0.79, "the unblurred interval held {unblurred}");
}

fn refused(dir: &Path, needle: &str) {
    let out = tempfile::tempdir().unwrap();
    let output = bin()
        .arg("validate")
        .arg(dir)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_suites_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path();
    fs::copy(
        repo_path("validation/shared.toml"),
        suite.join("shared.toml"),
    )
    .unwrap();
    refused(suite, "holds no case");

    let case = suite.join("a-case");
    fs::create_dir_all(&case).unwrap();
    let scenario = repo_path("scenarios/generic-market.toml");
    let case_toml = |calibrate: &str| {
        format!(
            "title = \"A\"\nhappened = \"B\"\nmissing = \"C\"\nscenario = {:?}\n[calibrate]\n{calibrate}",
            scenario.display().to_string()
        )
    };
    fs::write(
        case.join("case.toml"),
        case_toml("\"market.search_days\" = [3, 40]\n\"market.patience_days\" = [5, 60]\n\"entry.max_per_day\" = [0, 1]\n"),
    )
    .unwrap();
    refused(suite, "at most 2 per case");

    fs::write(
        case.join("case.toml"),
        case_toml("\"market.search_days\" = [40, 3]\n"),
    )
    .unwrap();
    refused(suite, "low < high");

    fs::write(
        case.join("case.toml"),
        case_toml("\"market.search_days\" = [3, 40]\n"),
    )
    .unwrap();
    refused(suite, "no calibration in");

    fs::write(case.join("case.toml"), "title = \"A\"\ncolour = 1\n").unwrap();
    refused(suite, "case.toml");
}

/// A validation folder written by hand: a case with a target of one value
/// and a `series` target of three days.
fn hand_made_folder(dir: &Path) {
    let identity = r#"{"tool": "caasim", "kind": "validation", "version": "0.1.0",
        "interval": "90% over prediction replications",
        "cases": [{"name": "c", "title": "A case", "happened": "It happened.",
                   "missing": "Nothing.", "calibrated": []}]}"#;
    let header = caasim::experiment::validate::tables::PREDICTION_COLUMNS.join(",");
    let mut rows = vec![header];
    rows.push(
        "c,fall,fit,summary,takedown,,campaigns_change_pct,,equal,-30,10,-25,-35,-15,-40,-5,40,0.5,true"
            .into(),
    );
    for (day, observed) in [(10, 120.0), (20, 90.0), (30, 110.0)] {
        rows.push(format!(
            "c,daily,check,series,takedown,,campaigns,{day},equal,{observed},15,100,80,120,70,130,40,,true"
        ));
    }
    fs::write(dir.join("validation.json"), identity).unwrap();
    fs::write(dir.join("validation.csv"), rows.join("\n") + "\n").unwrap();
}

#[test]
fn a_series_target_gets_a_time_plot_and_single_targets_a_forest_plot() {
    let dir = tempfile::tempdir().unwrap();
    hand_made_folder(dir.path());
    let rendered = caasim::report::render(dir.path()).expect("renders");
    assert_eq!(rendered.plots, 2);
    for plot in ["validation-c", "validation-c-series-daily"] {
        let svg = fs::read_to_string(dir.path().join(format!("plots/{plot}.svg"))).unwrap();
        assert!(svg.contains("<text") && !svg.contains("NaN"), "{plot}");
    }
    let page = fs::read_to_string(dir.path().join("validation.html")).unwrap();
    assert!(
        page.contains("A case: daily over time"),
        "no series plot on the page"
    );
    assert!(page.contains("(day 20)"), "no series row in the table");

    // A damaged row is refused naming the file and line.
    let csv = dir.path().join("validation.csv");
    let text = fs::read_to_string(&csv)
        .unwrap()
        .replace("check,series", "guess,series");
    fs::write(&csv, text).unwrap();
    let error = format!("{:#}", caasim::report::render(dir.path()).unwrap_err());
    assert!(error.contains("validation.csv, line 3"), "{error}");
}
