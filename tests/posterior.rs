//! Posterior ensembles (`caasim run --posterior DIR`, issue 14 item 2): each
//! draw picks one particle of a calibration's `posterior.csv` in proportion
//! to its weight and sets every calibrated key to that particle's values;
//! the calibrated keys replace `[uncertain]` entries of the same key while
//! the others are drawn as before; arms of a replication share the
//! particle; the bytes do not depend on the thread count; bad posteriors are
//! refused with exit code 2 at file:line, before anything is written.

mod common;

use std::path::{Path, PathBuf};

use caasim::engine;
use caasim::experiment::{self, Hooks};
use caasim::model::Model;
use caasim::model::uncertain::draw;
use caasim::rng::RunKey;
use caasim::scenario::load_text_with_posterior;
use common::{generic_text, read_csv, run_bin};

/// A toy posterior: three particles of weights 0.2, 0.8 and 0 (after
/// normalising 1:4:0), with an integer key whose values are not whole.
const TOY: &str =
    "particle,market.search_days,market.investment_lead_days,weight,distance,model_seed
0,11.5,2.4,0.5,1.0,1
1,33.25,7.6,2,0.9,2
2,5,3,0,0.8,3
";

/// The toy particles as applied: search days and whole lead days.
const APPLIED: [(f64, f64); 3] = [(11.5, 2.0), (33.25, 8.0), (5.0, 3.0)];

/// A calibration folder holding `posterior.csv` with `text`.
fn folder(tmp: &Path, name: &str, text: &str) -> PathBuf {
    let dir = tmp.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("posterior.csv"), text).unwrap();
    dir
}

/// generic-market with `replications` replications, a short run, and the
/// toy posterior.
fn toy_model(replications: u32, extra: &str) -> Model {
    let tmp = tempfile::tempdir().unwrap();
    let dir = folder(tmp.path(), "calibration", TOY);
    let text = format!("{}{extra}", short(&generic_text()));
    let overrides = [
        format!("scenario.replications={replications}"),
        "scenario.replications_per_draw=1".to_string(),
    ];
    load_text_with_posterior(&text, "inline.toml", &overrides, &dir)
        .unwrap_or_else(|e| panic!("the toy posterior loads, but: {e}"))
}

/// A scenario text made quicker to run: a 30-day burn-in.
fn short(text: &str) -> String {
    text.replace("burn_in_days = 365", "burn_in_days = 30")
}

/// Over 300 draws the particle of weight 0.2 is picked within four binomial
/// standard errors (sqrt(300 x 0.2 x 0.8) = 6.9) of 60 times, the particle
/// of weight 0 never; every draw's values are one particle's row as
/// applied (never a mix), and its model has them.
#[test]
fn draws_pick_particles_by_weight_and_take_their_values_jointly() {
    let model = toy_model(300, "");
    let ensemble = model
        .ensemble
        .as_ref()
        .expect("a posterior makes an ensemble");
    assert_eq!(
        (ensemble.draws.len(), ensemble.replications_per_draw),
        (300, 1)
    );
    let keys: Vec<&str> = model.drawn_keys().collect();
    assert_eq!(keys, ["market.search_days", "market.investment_lead_days"]);
    let mut counts = [0usize; 3];
    for d in &ensemble.draws {
        let particle = d.particle.expect("each draw names its particle");
        counts[particle] += 1;
        assert_eq!((d.values[0], d.values[1]), APPLIED[particle]);
        assert_eq!(d.model.market.search_days, APPLIED[particle].0);
        assert_eq!(
            f64::from(d.model.market.investment_lead_days),
            APPLIED[particle].1
        );
    }
    assert_eq!(counts[2], 0, "{counts:?}");
    let se = (300.0_f64 * 0.2 * 0.8).sqrt();
    assert!(
        (counts[0] as f64 - 60.0).abs() < 4.0 * se,
        "{counts:?} against 60 (se {se})"
    );
    let posterior = model.posterior.as_ref().unwrap();
    assert!((posterior.effective_sample_size() - 1.0 / 0.68).abs() < 1e-12);
}

/// A calibrated key replaces the `[uncertain]` entry of the same key; the
/// other uncertain parameters are drawn from their own streams, as without
/// a posterior.
#[test]
fn calibrated_keys_replace_uncertain_entries_and_the_others_draw_as_before() {
    let table = "\n[uncertain]\n\"market.search_days\" = { dist = \"uniform\", low = 5, high = 40 }\n\"market.emails_per_seat_per_day\" = { dist = \"uniform\", low = 200, high = 600 }\n";
    let model = toy_model(6, table);
    let keys: Vec<&str> = model.drawn_keys().collect();
    assert_eq!(
        keys,
        [
            "market.emails_per_seat_per_day",
            "market.search_days",
            "market.investment_lead_days"
        ]
    );
    let ensemble = model.ensemble.as_ref().unwrap();
    for (d, drawn) in ensemble.draws.iter().enumerate() {
        let key = RunKey {
            seed: model.seed,
            replication: d as u64,
        };
        assert_eq!(drawn.values[0], draw(&model.uncertain, key)[0]);
        assert_eq!(drawn.model.market.emails_per_seat_per_day, drawn.values[0]);
        let particle = drawn.particle.unwrap();
        assert_eq!(drawn.model.market.search_days, APPLIED[particle].0);
    }
}

#[test]
fn every_arm_of_a_replication_runs_on_its_draws_particle() {
    let model = toy_model(4, "");
    let ensemble = model.ensemble.as_ref().unwrap();
    let experiment = experiment::run(&model, &Hooks::default()).expect("not cancelled");
    for replication in 0..model.replications {
        let drawn = &ensemble.draws[ensemble.draw_index(replication)];
        for arm in 0..model.arms.len() {
            let alone = engine::run(&drawn.model, arm, replication);
            let ran = experiment.run_of(arm, replication);
            assert_eq!(alone.days, ran.days, "arm {arm}, replication {replication}");
        }
    }
}

/// Run the binary on the short generic-market with the toy posterior.
fn run_posterior(tmp: &Path, name: &str, threads: &str) -> PathBuf {
    let file = tmp.join("generic.toml");
    std::fs::write(
        &file,
        short(&generic_text()).replace("replications = 8", "replications = 4"),
    )
    .unwrap();
    let dir = folder(tmp, "calibration", TOY);
    let out = tmp.join(name);
    let output = common::bin()
        .args(["run", "-q"])
        .arg(&file)
        .arg("--posterior")
        .arg(&dir)
        .arg("--out")
        .arg(&out)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

#[test]
fn a_posterior_run_gives_the_same_bytes_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let one = run_posterior(tmp.path(), "one", "1");
    let two = run_posterior(tmp.path(), "two", "2");
    for name in [
        "timeseries.csv",
        "providers.csv",
        "segments.csv",
        "summary.csv",
        "draws.csv",
        "voi.csv",
    ] {
        assert_eq!(
            std::fs::read(one.join(name)).unwrap(),
            std::fs::read(two.join(name)).unwrap(),
            "{name}"
        );
    }
    let draws = read_csv(&two.join("draws.csv"));
    assert_eq!(draws.len(), 2, "4 replications, 2 per draw");
    for row in &draws {
        let particle: usize = row["particle"].parse().unwrap();
        let days: f64 = row["market.search_days"].parse().unwrap();
        assert_eq!(days, APPLIED[particle].0);
        assert_eq!(
            row["market.investment_lead_days"],
            APPLIED[particle].1.to_string()
        );
    }
    let voi = read_csv(&two.join("voi.csv"));
    assert!(
        voi.iter()
            .any(|r| r["parameter"] == "market.investment_lead_days")
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(two.join("manifest.json")).unwrap()).unwrap();
    let posterior = &manifest["parameters"]["posterior"];
    assert_eq!(posterior["particles"], 3);
    assert_eq!(posterior["keys"][1]["integer"], true);
    let ess = posterior["effective_sample_size"].as_f64().unwrap();
    assert!((ess - 1.0 / 0.68).abs() < 1e-12, "{ess}");
}

/// `caasim run` with a bad posterior exits 2, names the file (and line and
/// column where one is at fault) and what is allowed, and writes nothing.
#[test]
fn bad_posteriors_are_refused_at_their_line_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("generic.toml");
    std::fs::write(&file, short(&generic_text())).unwrap();
    let cases: [(&str, Option<&str>, &[&str], &str); 9] = [
        ("missing", None, &[], "posterior.csv: cannot read the file"),
        (
            "unknown-key",
            Some("particle,market.no_such_key,weight\n0,1,1\n"),
            &[],
            "posterior.csv:1: column 2 `market.no_such_key`: is not a parameter of the scenario",
        ),
        (
            "not-finite",
            Some("particle,market.search_days,weight\n0,10,1\n1,NaN,1\n"),
            &[],
            "posterior.csv:3: column 2 `market.search_days`: \"NaN\" is not a finite number",
        ),
        (
            "negative-weight",
            Some("particle,market.search_days,weight\n0,10,1\n1,12,-0.5\n"),
            &[],
            "posterior.csv:3: column 3 `weight`: -0.5 is negative; allowed",
        ),
        (
            "zero-weights",
            Some("particle,market.search_days,weight\n0,10,0\n1,12,0\n"),
            &[],
            "posterior.csv: every weight is 0; allowed",
        ),
        (
            "no-particles",
            Some("particle,market.search_days,weight\n"),
            &[],
            "posterior.csv:1: has no particles",
        ),
        (
            "ragged",
            Some("particle,market.search_days,weight\n0,10,1\n1,12\n"),
            &[],
            "posterior.csv:3: has 2 fields; allowed: as many as the header (3)",
        ),
        (
            "refused-value",
            Some("particle,market.search_days,weight\n0,10,1\n1,-4,1\n"),
            &[],
            "posterior.csv:3: column 2 `market.search_days`: `market.search_days=-4` is refused",
        ),
        (
            "set-as-well",
            Some("particle,market.search_days,weight\n0,10,1\n"),
            &["--set", "market.search_days=3"],
            "posterior.csv:1: column 2 `market.search_days`: is given a value by --set as well",
        ),
    ];
    for (name, text, extra, expected) in cases {
        let dir = match text {
            Some(text) => folder(tmp.path(), name, text),
            None => tmp.path().join(name),
        };
        let out = tmp.path().join(format!("{name}-out"));
        let mut args = vec![
            "run",
            file.to_str().unwrap(),
            "--posterior",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let output = run_bin(&args);
        let message = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {message}");
        assert!(message.contains(expected), "{name}: {message}");
        assert!(!message.contains("panicked"), "{name}: {message}");
        assert!(!out.exists(), "{name}: the results folder is not written");
    }
}

#[test]
fn fixed_and_zero_draws_are_refused_with_a_posterior() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("generic.toml");
    std::fs::write(&file, short(&generic_text())).unwrap();
    let dir = folder(tmp.path(), "calibration", TOY);
    let out = tmp.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            file.to_str().unwrap(),
            "--posterior",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run_bin(&args)
    };
    let fixed = run(&["--fixed"]);
    assert_eq!(fixed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&fixed.stderr).contains("--fixed"));
    let zero = run(&["--set", "scenario.replications_per_draw=0"]);
    let message = String::from_utf8_lossy(&zero.stderr);
    assert_eq!(zero.status.code(), Some(2), "{message}");
    assert!(message.contains("would ignore --posterior"), "{message}");
    assert!(!out.exists());
}

/// `caasim run SCENARIO --posterior DIR --reps 1 -q --out OUT`, which must
/// succeed; returns what it printed on stderr.
fn run_with_posterior(scenario: &Path, dir: &Path, out: &Path) -> String {
    let output = run_bin(&[
        "run",
        scenario.to_str().unwrap(),
        "--posterior",
        dir.to_str().unwrap(),
        "--reps",
        "1",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{message}");
    message
}

/// A posterior whose `calibration.json` names another scenario text is
/// applied with a warning that says so.
#[test]
fn a_posterior_fitted_on_another_scenario_text_is_applied_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("generic.toml");
    std::fs::write(&file, short(&generic_text())).unwrap();
    let dir = folder(tmp.path(), "calibration", TOY);
    let log = r#"{"inputs": {"scenario": "scenarios/other.toml", "scenario_fingerprint": "0123456789abcdef", "overrides": []}}"#;
    std::fs::write(dir.join("calibration.json"), log).unwrap();
    let out = tmp.path().join("out");
    let message = run_with_posterior(&file, &dir, &out);
    assert!(
        message.contains("warning: the posterior in")
            && message
                .contains("was fitted on scenarios/other.toml (fingerprint 0123456789abcdef)"),
        "{message}"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"scenario\": \"scenarios/other.toml\""),
        "{manifest}"
    );
}

/// A posterior whose calibration ran another model version (or recorded
/// none) is applied with a warning that names both versions; one of this
/// model version on the same scenario text runs without a warning.
#[test]
fn a_posterior_fitted_with_another_model_version_is_applied_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("generic.toml");
    let text = short(&generic_text());
    std::fs::write(&file, &text).unwrap();
    let fingerprint = format!(
        "{:016x}",
        caasim::experiment::design::fnv1a(text.as_bytes())
    );
    let run = |name: &str, version: &str| {
        let dir = folder(tmp.path(), name, TOY);
        let log = format!(
            r#"{{"inputs": {{"scenario": "generic.toml", "scenario_fingerprint": "{fingerprint}", "overrides": []{version}}}}}"#
        );
        std::fs::write(dir.join("calibration.json"), log).unwrap();
        run_with_posterior(&file, &dir, &tmp.path().join(format!("out-{name}")))
    };
    let current = caasim::model::MODEL_VERSION;
    let older = run("older", r#", "model_version": 0"#);
    assert!(
        older.contains(&format!(
            "was fitted with model version 0, and this is model version {current}"
        )),
        "{older}"
    );
    let unrecorded = run("unrecorded", "");
    assert!(
        unrecorded.contains("fitted with a model version it does not record"),
        "{unrecorded}"
    );
    let same = run("same", &format!(r#", "model_version": {current}"#));
    assert!(!same.contains("warning"), "{same}");
}
