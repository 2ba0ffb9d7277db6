//! What a takedown seizes is not what it asks for: a strike on a provider
//! of resilience `r` seizes `capacity_seized x (1 - r)` and keeps it down
//! `round(downtime_days x (1 - r))` days (MODEL.md 7.11). Each strike is
//! recorded as it happens, the records are tallied per arm and action, and
//! the manifest and the report say what each takedown asked for and seized:
//! the value at the central values when it is known before the run, and the
//! range over the strikes.

mod common;

use caasim::engine;
use caasim::model::Model;
use caasim::model::seizure::{Central, Seizures};
use common::{arm_index, bin, generic_plus_arms, generic_text, load};

/// The generic market, shortened, at its central values.
fn generic(text: &str) -> Model {
    load(
        text,
        &[
            "scenario.burn_in_days=60",
            "scenario.days=200",
            "scenario.replications=2",
        ],
    )
}

/// What every arm of `model` seized over its replications.
fn tally(model: &Model) -> Seizures {
    let mut seizures = Seizures::new(model);
    for arm in 0..model.arms.len() {
        for replication in 0..model.replications {
            seizures.add(arm, &engine::run(model, arm, replication).strikes);
        }
    }
    seizures
}

#[test]
fn each_strike_seizes_what_resilience_leaves_of_what_was_asked() {
    let model = generic(&generic_text());
    let arm = arm_index(&model, "sustained-pressure");
    for replication in 0..model.replications {
        let strikes = engine::run(&model, arm, replication).strikes;
        // From day 60 every 30 days to day 199: days 60, 90, ..., 180.
        assert_eq!(strikes.len(), 5, "replication {replication}");
        for s in &strikes {
            assert_eq!(s.action, 0);
            assert_eq!(s.capacity_seized, 0.8 * (1.0 - s.resilience), "{s:?}");
            let days = (30.0 * (1.0 - s.resilience)).round() as u32;
            assert_eq!(s.downtime_days, days, "{s:?}");
        }
        // The first strike hits the leader Alpha as it started; the
        // providers struck later learned from the hits.
        assert_eq!(strikes[0].resilience, 0.1);
        assert!(
            strikes[1..].iter().all(|s| s.resilience > 0.2),
            "{strikes:?}"
        );
    }
}

#[test]
fn the_tally_gives_the_central_value_only_when_it_is_known_before_the_run() {
    // A second takedown of Alpha after it was arrested strikes no one.
    let extra = r#"
[[arms]]
name = "arrest-then-strike"
interventions = [
  { kind = "takedown", start = 30, target = { provider = "Alpha" }, capacity_seized = 0.5, downtime_days = 10, arrest_probability = 1.0 },
  { kind = "takedown", start = 40, target = { provider = "Alpha" }, capacity_seized = 0.8, downtime_days = 30 },
]
"#;
    let model = generic(&generic_plus_arms(extra));
    let seizures = tally(&model);
    let reps = u64::from(model.replications);

    let takedown = seizures
        .of(arm_index(&model, "takedown"), 0)
        .expect("a takedown");
    let central = Central {
        resilience: 0.1,
        capacity_seized: 0.8 * 0.9,
        downtime_days: 27,
    };
    assert_eq!(takedown.central, Some(central));
    assert_eq!(takedown.capacity.count, reps);
    assert_eq!(takedown.capacity.mean(), Some(0.8 * 0.9));
    assert_eq!(
        takedown.phrase(),
        "72% of capacity seized (80% asked; resilience 0.10 protects the rest), 27 days down (30 asked)"
    );

    // Repeated, on whichever provider is largest: no central value.
    let pressure = seizures
        .of(arm_index(&model, "sustained-pressure"), 0)
        .expect("a takedown");
    assert_eq!(pressure.central, None);
    assert_eq!(pressure.capacity.count, 5 * reps);
    assert!(pressure.capacity.min < pressure.capacity.max);
    let phrase = pressure.phrase();
    assert!(
        phrase.contains("% of capacity seized on average, ")
            && phrase.contains(" over the 10 strikes of the run (80% asked; resilience 0.10-"),
        "{phrase}"
    );

    let other = arm_index(&model, "arrest-then-strike");
    let arrest = seizures.of(other, 0).expect("a takedown");
    assert_eq!(arrest.central.map(|c| c.capacity_seized), Some(0.45));
    let after = seizures.of(other, 1).expect("a takedown");
    assert_eq!(after.central, None, "not the arm's first operation");
    assert_eq!(after.capacity.count, 0);
    assert_eq!(
        after.phrase(),
        "no provider struck (80% of capacity and 30 days down asked)"
    );
    assert!(seizures.of(arm_index(&model, "deterrence"), 0).is_none());
}

#[test]
fn a_takedown_described_without_a_run_says_what_it_asks_for() {
    let model = generic(&generic_text());
    let arm = &model.arms[arm_index(&model, "takedown")];
    let text = arm.actions[0].effect.describe(&model, 60, 0, None);
    assert!(
        text.contains("takedown of provider Alpha: 80% of capacity and 30 days down asked (before resilience), "),
        "{text}"
    );
}

#[test]
fn the_manifest_and_the_report_say_what_each_takedown_seized() {
    // Alpha's resilience uncertain: the first strike's share varies by draw.
    let text = format!(
        "{}\n[uncertain]\n\"providers.Alpha.resilience\" = {{ dist = \"uniform\", low = 0.0, high = 0.3 }}\n",
        generic_text()
    );
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let scenario = tmp.path().join("alpha.toml");
    std::fs::write(&scenario, text).expect("write the scenario");
    let out = tmp.path().join("out");
    let status = bin()
        .arg("run")
        .arg(&scenario)
        .args(["--reps", "6", "--per-draw", "2", "-q", "--out"])
        .arg(&out)
        .args([
            "--set",
            "scenario.days=100",
            "--set",
            "scenario.burn_in_days=30",
        ])
        .status()
        .expect("caasim runs");
    assert!(status.success());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let arm = (manifest["arms"].as_array().unwrap().iter())
        .find(|a| a["name"] == "takedown")
        .expect("the takedown arm");
    let seized = &arm["seized"][0];
    assert_eq!(seized["capacity_seized_asked"], 0.8);
    assert_eq!(seized["downtime_days_asked"], 30);
    assert_eq!(seized["at_central_values"]["resilience"], 0.1);
    assert_eq!(seized["at_central_values"]["downtime_days"], 27);
    assert_eq!(seized["strikes"], 6);
    let (min, max) = (
        seized["capacity_seized"]["min"].as_f64().unwrap(),
        seized["capacity_seized"]["max"].as_f64().unwrap(),
    );
    let resilience = &seized["resilience"];
    assert_eq!(min, 0.8 * (1.0 - resilience["max"].as_f64().unwrap()));
    assert_eq!(max, 0.8 * (1.0 - resilience["min"].as_f64().unwrap()));
    assert!(min < max && (0.56..=0.8).contains(&min) && max <= 0.8);
    let line = arm["interventions"][0].as_str().unwrap();
    assert!(
        line.contains("takedown of provider Alpha: 72% of capacity seized at the central values, ")
            && line.contains(
                "% over the parameter draws (80% asked; resilience 0.10 at the central values, "
            ),
        "{line}"
    );
    // Not a takedown: nothing seized.
    let deterrence = (manifest["arms"].as_array().unwrap().iter())
        .find(|a| a["name"] == "deterrence")
        .expect("the deterrence arm");
    assert_eq!(deterrence["seized"], serde_json::json!([null]));
    // The report's arms table reads the same line.
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("72% of capacity seized at the central values, "));
}
