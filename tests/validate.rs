//! `caasim validate`: the committed predictions are reproduced from the
//! committed calibrations (a fast subset of the cases); a prediction
//! interval covers a new draw of the model itself as often as order
//! statistics say; bad suites are refused with exit code 2 naming the file.

mod common;

use std::fs;
use std::path::Path;

use caasim::experiment::calibrate::{self, Role};
use caasim::experiment::validate::{coverage, predictions};
use caasim::experiment::{self, Hooks};
use common::{bin, generic_text, repo_path};

/// Cases fast enough to predict on every test run.
const FAST: [&str; 1] = ["lumma-2025"];

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

/// A scenario whose observations are the model's own: each "truth" is one
/// replication of another seed; the prediction is 40 replications of the
/// scenario's seed. An interval from the 5% and 95% quantiles of n = 40
/// values (interpolated at ranks 1.95 and 37.05, from 0) holds a new
/// exchangeable draw with probability (37.05 - 1.95) / (n + 1) = 0.856.
/// Over 60 truths of 2 targets (120 draws, correlated within a truth) the
/// share inside is 0.856 within 4 binomial standard errors of 120 draws
/// (0.128), and a wrong interval (e.g. of the mean, or of another arm)
/// falls far outside.
#[test]
fn a_prediction_interval_covers_the_models_own_draws_at_its_rate() {
    let text = generic_text();
    let model = caasim::scenario::load_text(
        &text,
        "generic.toml",
        &[
            "scenario.days=120".into(),
            "scenario.burn_in_days=60".into(),
            "scenario.replications_per_draw=0".into(),
            "scenario.replications=40".into(),
        ],
    )
    .unwrap();
    let arm = &model.arms[1].name.clone();
    let targets_text = |fall: f64, level: f64| {
        format!(
            "[[targets]]\nkind = \"summary\"\narm = \"{arm}\"\nmetric = \"campaigns_change_pct\"\n\
             value = {fall}\nsd = 1\nrole = \"check\"\n\n[[targets]]\nkind = \"level\"\n\
             arm = \"{arm}\"\ncolumn = \"compromises\"\nfrom_day = 70\nto_day = 110\n\
             value = {level}\nsd = 1\nrole = \"check\"\n"
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
    let placeholder = parse(&targets_text(0.0, 0.0), &model);
    let observed: Vec<Vec<Option<f64>>> = placeholder
        .iter()
        .map(|t| t.simulated(&truths, &truth_model)[0].clone())
        .collect();
    let mut rows = Vec::new();
    for (fall, level) in observed[0].iter().zip(&observed[1]) {
        let (Some(fall), Some(level)) = (fall, level) else {
            continue;
        };
        let targets = parse(&targets_text(*fall, *level), &model);
        rows.extend(predictions("synthetic", &targets, &predicted_run, &model));
    }
    let counted = coverage(&rows);
    let check = counted.iter().find(|c| c.role == Role::Check).unwrap();
    assert!(check.with_interval >= 100, "{check:?}");
    let share = check.share().unwrap();
    eprintln!("coverage {share:.3} of {} draws", check.with_interval);
    assert!(
        (share - 0.856).abs() < 0.128,
        "coverage {share} of {} draws, expected 0.856",
        check.with_interval
    );
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
