//! What published facts need of a targets file: a target against another
//! arm than the baseline (`versus`), a recovery counted from a named
//! intervention (`from_intervention`), the share of a provider or class
//! (`share`), a bound (`bound`) and a role (`role`: check targets are set
//! aside by calibration). Each simulated value is compared with the same
//! quantity computed here from the runs' records, and bad entries are
//! refused naming file, line and key.

use std::fs;
use std::path::Path;

use caasim::engine::record::RunOutput;
use caasim::experiment::calibrate::{self, Bound, CalibrationConfig, Role, Target, TargetKind};
use caasim::experiment::design::Range;
use caasim::experiment::{self, Experiment, Hooks};
use caasim::model::Model;

/// A small market: a leader (Alpha) and two rivals (Beta), one arm taking
/// the leader down once, another twice (days 20 and 50).
const SCENARIO: &str = r#"
[scenario]
name = "targets-test"
days = 90
burn_in_days = 40
seed = 11
replications = 4

[market]
search_days = 10
capacity_growth_per_day = 0.03

[[providers]]
name = "Alpha"
class = "vds"
capacity_seats = 150
price_usd = 30
unit_cost_usd_per_seat_day = 0.4
fixed_cost_usd_per_day = 10
reputation = 0.8
resilience = 0.1
cash_usd = 50000

[[providers]]
name = "Beta"
count = 2
class = "bulletproof"
capacity_seats = 60
price_usd = 34
unit_cost_usd_per_seat_day = 0.4
fixed_cost_usd_per_day = 5
reputation = 0.5
resilience = 0.2
cash_usd = 20000

[[attackers]]
name = "phisher"
count = 150
seats = { dist = "lognormal", median = 1.0, sigma = 0.4 }
skill = { dist = "lognormal", median = 0.8, sigma = 0.4 }
risk_tolerance = { dist = "uniform", low = 0.05, high = 0.2 }
cash_usd = 5000
kept_share = 0.3
campaign_cost_usd_per_seat_day = 5
reservation_usd_per_day = 5
sanction_cost_usd = 50000
attrition_per_day = 0.004

[victims]
compromise_prob = 0.002
bypass_share = 0.1
countries = [{ name = "US", targeting = 1.0, mfa_adoption = 0.5 }]
sectors = [{ name = "all", targeting = 1.0, monetise_prob = 0.01, loss_median_usd = 30000, loss_sigma = 1.0 }]

[[arms]]
name = "once"
interventions = [
  { kind = "takedown", start = 20, target = { provider = "Alpha" }, capacity_seized = 0.8, downtime_days = 10 },
]

[[arms]]
name = "twice"
interventions = [
  { kind = "takedown", start = 20, target = { provider = "Alpha" }, capacity_seized = 0.8, downtime_days = 10 },
  { kind = "takedown", start = 50, target = { provider = "Alpha" }, capacity_seized = 0.8, downtime_days = 10 },
]
"#;

fn model() -> Model {
    caasim::scenario::load_text(SCENARIO, "inline.toml", &[]).expect("the scenario is valid")
}

fn targets(text: &str, m: &Model) -> Vec<Target> {
    calibrate::parse_targets(text, "t.toml", Path::new("."), m).expect("the targets are valid")
}

/// Sum of `f` over the recorded days `days` of arm `arm`'s run in replication `r`.
fn total(
    run: &Experiment,
    arm: usize,
    r: u32,
    days: std::ops::RangeInclusive<usize>,
    f: impl Fn(&RunOutput, usize) -> f64,
) -> f64 {
    let output = run.run_of(arm, r);
    days.map(|d| f(output, d)).sum()
}

#[test]
fn versus_share_and_from_intervention_measure_what_they_say() {
    let m = model();
    let run = experiment::run(&m, &Hooks::default()).expect("not cancelled");
    let found = targets(
        r#"
[[targets]]
kind = "summary"
name = "second-wave"
arm = "twice"
versus = "once"
metric = "campaigns_change_pct"
window_start = 50
window_end = 89
value = -10
sd = 5

[[targets]]
kind = "share"
name = "alpha-share"
arm = "twice"
column = "campaigns"
provider = "Alpha"
from_day = 55
to_day = 70
value = 0.2
sd = 0.1

[[targets]]
kind = "share"
name = "class-share"
arm = "once"
column = "compromises"
class = "vds"
from_day = 0
to_day = 89
value = 1
sd = 0.1

[[targets]]
kind = "recovery"
name = "after-second"
arm = "twice"
versus = "once"
from_intervention = 1
days = 20
sd = 5
role = "check"
bound = "at_least"
"#,
        &m,
    );
    let (once, twice) = (1, 2);
    let campaigns = |o: &RunOutput, d: usize| o.days[d].campaigns as f64;
    let alpha = |o: &RunOutput, d: usize| o.provider_days[d][0].output.campaigns as f64;
    for r in 0..m.replications {
        // The second wave's effect: the two-wave arm against the one-wave arm.
        let expected = 100.0
            * (total(&run, twice, r, 50..=89, campaigns)
                / total(&run, once, r, 50..=89, campaigns)
                - 1.0);
        let simulated = found[0].simulated(&run, &m)[0][r as usize].unwrap();
        assert!(
            (simulated - expected).abs() < 1e-9,
            "{simulated} vs {expected}"
        );
        // Alpha's share of the campaigns of days 55 to 70.
        let expected =
            total(&run, twice, r, 55..=70, alpha) / total(&run, twice, r, 55..=70, campaigns);
        let simulated = found[1].simulated(&run, &m)[0][r as usize].unwrap();
        assert!(
            (simulated - expected).abs() < 1e-12,
            "{simulated} vs {expected}"
        );
        assert!(
            expected > 0.0 && expected < 1.0,
            "a share strictly inside (0, 1)"
        );
        // The class vds is Alpha and any entrant (the entry template's
        // class); the Betas are not: its share of compromises is theirs.
        let compromises = |o: &RunOutput, d: usize| o.days[d].compromises as f64;
        let of_class = |o: &RunOutput, d: usize| {
            (o.provider_days[d].iter().enumerate())
                .filter(|(j, _)| o.provider_classes.get(*j).is_some_and(|c| c == "vds"))
                .map(|(_, p)| p.output.compromises as f64)
                .sum::<f64>()
        };
        let expected =
            total(&run, once, r, 0..=89, of_class) / total(&run, once, r, 0..=89, compromises);
        let class = found[2].simulated(&run, &m)[0][r as usize].unwrap();
        assert!((class - expected).abs() < 1e-12, "{class} vs {expected}");
        assert!(
            expected > 0.0 && expected < 1.0,
            "the class is part of the market"
        );
    }
    // The recovery counts from the second takedown (recorded day 50).
    assert!(matches!(
        found[3].kind,
        TargetKind::Recovery { start: 50, .. }
    ));
    assert_eq!(found[3].versus, "once");
    assert_eq!(
        (found[3].bound, found[3].role),
        (Bound::AtLeast, Role::Check)
    );
    assert_eq!((found[0].bound, found[0].role), (Bound::Equal, Role::Fit));
}

#[test]
fn bad_entries_are_refused_naming_line_and_key() {
    let m = model();
    let error = calibrate::parse_targets(
        r#"[[targets]]
kind = "summary"
arm = "once"
versus = "once"
metric = "campaigns_change_pct"
value = 1
sd = 1
bound = "above"
role = "predict"

[[targets]]
kind = "recovery"
arm = "twice"
from_intervention = 2
days = 3
sd = 1

[[targets]]
kind = "share"
arm = "once"
column = "losses_usd"
from_day = 0
to_day = 10
value = 1.5
sd = 1

[[targets]]
kind = "level"
arm = "once"
column = "campaigns"
from_day = 0
to_day = 10
value = 1
sd = 1
versus = "twice"
"#,
        "t.toml",
        Path::new("."),
        &m,
    )
    .unwrap_err()
    .to_string();
    for needle in [
        "t.toml:4:10: `targets[0].versus`: is \"once\"; allowed: an arm other than the target's own, baseline, twice",
        "t.toml:8:9: `targets[0].bound`: is \"above\"; allowed: equal, at_least, at_most",
        "t.toml:9:8: `targets[0].role`: is \"predict\"; allowed: fit, check",
        "t.toml:14:21: `targets[1].from_intervention`: is 2; allowed: the index of one of arm \"twice\"'s 2 interventions",
        "t.toml:19:8: `targets[2].provider`: is missing; kind `share` needs one of `provider` or `class`",
        "t.toml:21:10: `targets[2].column`: is \"losses_usd\"; allowed for kind `share`: campaigns, compromises",
        "t.toml:24:9: `targets[2].value`: is 1.5; allowed: a share from 0 to 1",
        "t.toml:35:10: `targets[3].versus`: is not a field of kind `level`",
    ] {
        assert!(error.contains(needle), "expected {needle:?} in:\n{error}");
    }
}

#[test]
fn calibration_fits_only_the_fit_targets_and_needs_one() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario.toml");
    fs::write(&scenario, SCENARIO).unwrap();
    let target = |name: &str, role: &str| {
        format!(
            "[[targets]]\nkind = \"summary\"\nname = \"{name}\"\narm = \"once\"\n\
             metric = \"campaigns_change_pct\"\nvalue = -20\nsd = 10\nrole = \"{role}\"\n"
        )
    };
    let targets = dir.path().join("targets.toml");
    let range = Range {
        parameter: "market.search_days".into(),
        low: 2.0,
        high: 30.0,
    };
    let config = |targets: &Path| {
        let mut config = CalibrationConfig::new(&scenario, targets, vec![range.clone()]);
        config.population = 6;
        config.generations = 1;
        config.replications = 1;
        config.final_replications = 2;
        config.seed = Some(3);
        config
    };

    fs::write(&targets, target("held-out", "check")).unwrap();
    let error = calibrate::calibrate(&config(&targets), &dir.path().join("none"), &|_, _| {})
        .expect_err("no target to fit is refused")
        .to_string();
    assert!(error.contains("role = \"check\""), "{error}");

    let both = [target("fitted", "fit"), target("held-out", "check")].concat();
    fs::write(&targets, both).unwrap();
    let out = dir.path().join("out");
    calibrate::calibrate(&config(&targets), &out, &|_, _| {}).expect("calibrates");
    let fit = fs::read_to_string(out.join("fit.csv")).unwrap();
    assert!(fit.contains("\nfitted,summary,once,"), "{fit}");
    assert!(
        !fit.contains("held-out"),
        "a check target was fitted:\n{fit}"
    );
}

/// The value of `arms[arm].interventions[k].capacity_seized` in `m`'s
/// resolved scenario.
fn seized(m: &Model, arm: usize, k: usize) -> f64 {
    let resolved: toml::Value =
        toml::from_str(&caasim::scenario::resolved_toml(&m.scenario)).unwrap();
    resolved["arms"][arm]["interventions"][k]["capacity_seized"]
        .as_float()
        .unwrap()
}

/// One calibrated value for several keys (`a|b`): one seized share for the
/// arms of both waves, set, calibrated and read back from the posterior.
#[test]
fn joint_keys_give_several_arms_one_value() {
    const JOINT: &str =
        "arms.once.interventions.0.capacity_seized|arms.twice.interventions.1.capacity_seized";
    let m =
        caasim::scenario::load_text(SCENARIO, "inline.toml", &[format!("{JOINT}=0.35")]).unwrap();
    // The resolved scenario lists the intervention arms: once (0), twice (1).
    assert_eq!((seized(&m, 0, 0), seized(&m, 1, 1)), (0.35, 0.35));
    assert_eq!(
        seized(&m, 1, 0),
        0.8,
        "the first wave of `twice` is not joint"
    );

    let bad = format!("{JOINT}|arms.thrice.interventions.0.capacity_seized=0.35");
    let error = caasim::scenario::load_text(SCENARIO, "inline.toml", &[bad])
        .unwrap_err()
        .to_string();
    assert!(error.contains("thrice"), "{error}");

    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario.toml");
    let targets = dir.path().join("targets.toml");
    fs::write(&scenario, SCENARIO).unwrap();
    fs::write(
        &targets,
        "[[targets]]\nkind = \"summary\"\narm = \"twice\"\nmetric = \"campaigns_change_pct\"\nvalue = -20\nsd = 10\n",
    )
    .unwrap();
    let range = Range {
        parameter: JOINT.into(),
        low: 0.2,
        high: 0.9,
    };
    let mut config = CalibrationConfig::new(&scenario, &targets, vec![range]);
    (config.population, config.generations) = (6, 1);
    (config.replications, config.final_replications, config.seed) = (1, 2, Some(3));
    let out = dir.path().join("out");
    calibrate::calibrate(&config, &out, &|_, _| {}).expect("calibrates a joint key");
    let posterior = caasim::scenario::load_file_with_posterior(&scenario, &[], &out)
        .expect("the posterior of a joint key loads");
    assert!(posterior.ensemble.is_some());
}
