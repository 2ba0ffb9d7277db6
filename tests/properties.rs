//! Properties of the model: a closed form when behaviour is frozen,
//! stationarity of the calibrated baseline, monotonicity of takedowns,
//! a do-nothing intervention, and common random numbers.

mod common;

use caasim::engine;
use caasim::engine::record::RunOutput;
use caasim::model::attacker::Status;
use caasim::model::world::World;
use common::{arm_index, frozen_scenario, generic_with_arms, load, mean_se, slope};
use rayon::prelude::*;

/// With behaviour frozen, every attacker works every day after the first
/// subscription cycle and the day's compromises are a sum of independent
/// Poisson draws, i.e. Poisson with mean
/// `lambda = sum_working seats * emails_per_seat * skill * compromises_per_email`.
#[test]
fn frozen_market_matches_the_closed_form() {
    let (days, burn_in) = (300, 5);
    let model = load(&frozen_scenario(days, burn_in), &[]);
    let mut world = World::new(&model, &model.arms[0], 0);

    // Compromises per email from the scenario by hand:
    // p * sum_c w_c (1 - mfa_c * efficacy * (1 - bypass)).
    let (p, efficacy, bypass) = (0.001, model.market.mfa_efficacy, 0.1);
    let by_hand = p
        * (0.6 * (1.0 - 0.5 * efficacy * (1.0 - bypass))
            + 0.4 * (1.0 - 0.2 * efficacy * (1.0 - bypass)));
    let per_email = world.victims.compromises_per_email();
    assert!(
        (per_email - by_hand).abs() <= 1e-15,
        "compromises per email {per_email} != {by_hand} by hand"
    );

    let emails = model.market.emails_per_seat_per_day;
    let cycle = model.market.subscription_days;
    let mut lambda = None;
    let mut counts = Vec::new();
    for day in 0..model.total_days() {
        let record = engine::step(&mut world, day);
        if day < cycle {
            continue;
        }
        // Every attacker works, so the day's campaigns are exactly the seats.
        assert!(
            world
                .population
                .as_slice()
                .iter()
                .all(|a| a.status == Status::Working),
            "day {day}: an attacker is not working in a frozen market"
        );
        let seats: u64 = world
            .population
            .as_slice()
            .iter()
            .map(|a| u64::from(a.seats))
            .sum();
        assert_eq!(record.campaigns, seats, "day {day}: campaigns");
        assert_eq!(record.emails, seats as f64 * emails, "day {day}: emails");
        assert_eq!(record.attacker_entries + record.attacker_exits, 0);
        assert_eq!(record.capacity_seats, 10_000.0, "day {day}: capacity moved");
        assert_eq!(record.mean_price, Some(30.0), "day {day}: price moved");
        let today: f64 = world
            .population
            .as_slice()
            .iter()
            .map(|a| f64::from(a.seats) * emails * f64::from(a.skill) * per_email)
            .sum();
        let expected = *lambda.get_or_insert(today);
        assert_eq!(today, expected, "day {day}: the closed form moved");
        counts.push(record.compromises as f64);
    }
    let lambda = lambda.expect("the run is longer than a subscription cycle");
    let n = counts.len() as f64;
    let mean = counts.iter().sum::<f64>() / n;
    // Daily compromises are Poisson(lambda), independent across days (each
    // day draws from its own keyed streams), so the mean of n days has
    // standard error sqrt(lambda / n). Tolerance: 4 standard errors
    // (two-sided false-alarm probability ~6e-5).
    let se = (lambda / n).sqrt();
    assert!(
        (mean - lambda).abs() <= 4.0 * se,
        "mean daily compromises {mean} vs closed form {lambda} (SE {se}, n {n})"
    );
    // The test has power: with lambda ~ 200 and n = 270, 4 SE is ~1.7% of
    // lambda; forgetting skill (mean ~1.13) or MFA would be far outside it.
    assert!(4.0 * se < 0.02 * lambda);
}

/// The calibrated baseline is stationary after its burn-in.
///
/// Test: over the second half of the recorded days, each replication gives
/// (a) the difference between the mean of the last quarter and of the first
/// quarter of that half and (b) the least-squares slope over the half, for
/// the mean price and for campaigns. Days within a run are autocorrelated,
/// so a within-run standard error would be too small; replications are
/// independent (separate keyed streams), so the across-replication standard
/// error `sd / sqrt(R)` of (a) and (b) is valid whatever the autocorrelation.
/// A stationary market has expected difference and slope 0: each must be
/// within 4 of its standard errors of 0 (Student t with R - 1 = 15 degrees of
/// freedom: two-sided false alarm ~0.1% per statistic). A drift of the size
/// of the day-to-day noise over the half would fail it.
#[test]
fn generic_market_baseline_is_stationary_after_burn_in() {
    let replications = 16;
    let model = caasim::scenario::load_file(
        &common::repo_path("scenarios/generic-market.toml"),
        &[format!("scenario.replications={replications}")],
    )
    .expect("generic-market is valid");
    let runs: Vec<RunOutput> = (0..replications)
        .into_par_iter()
        .map(|r| engine::run(&model, 0, r))
        .collect();
    let days = model.days as usize;
    let half = days / 2;
    let quarter = (days - half) / 4;
    type Series = fn(&caasim::engine::record::DayRecord) -> f64;
    let series: [(&str, Series); 2] = [
        ("mean_price", |d| {
            d.mean_price.expect("providers are active")
        }),
        ("campaigns", |d| d.campaigns as f64),
    ];
    for (name, value) in series {
        let mut differences = Vec::new();
        let mut slopes = Vec::new();
        for run in &runs {
            let second: Vec<f64> = run.days[half..].iter().map(value).collect();
            let first_quarter = second[..quarter].iter().sum::<f64>() / quarter as f64;
            let last_quarter =
                second[second.len() - quarter..].iter().sum::<f64>() / quarter as f64;
            differences.push(last_quarter - first_quarter);
            slopes.push(slope(&second));
        }
        let (d, d_se) = mean_se(&differences);
        let (b, b_se) = mean_se(&slopes);
        assert!(
            d.abs() <= 4.0 * d_se,
            "{name}: last minus first quarter of the second half is {d} (SE {d_se})"
        );
        assert!(
            b.abs() <= 4.0 * b_se,
            "{name}: slope over the second half is {b} per day (SE {b_se})"
        );
    }
}

/// Total compromises over the recorded days.
fn total_compromises(run: &RunOutput) -> f64 {
    run.days.iter().map(|d| d.compromises as f64).sum()
}

/// Seizing a larger share of the leader's capacity never helps attackers in
/// expectation, and no seizure helps them against doing nothing.
#[test]
fn larger_seized_share_never_helps_attackers() {
    let arms = r#"
[[arms]]
name = "seize-20"
interventions = [
  { kind = "takedown", start = 60, target = { provider = "Alpha" }, capacity_seized = 0.2, downtime_days = 0 },
]

[[arms]]
name = "seize-80"
interventions = [
  { kind = "takedown", start = 60, target = { provider = "Alpha" }, capacity_seized = 0.8, downtime_days = 0 },
]
"#;
    let replications = 10;
    let model = load(
        &generic_with_arms(arms),
        &[&format!("scenario.replications={replications}")],
    );
    let (low, high) = (arm_index(&model, "seize-20"), arm_index(&model, "seize-80"));
    let totals: Vec<[f64; 3]> = (0..replications)
        .into_par_iter()
        .map(|r| [0, low, high].map(|a| total_compromises(&engine::run(&model, a, r))))
        .collect();
    // Arms are compared within a replication (common random numbers), so the
    // paired differences are independent across replications and their mean
    // has standard error sd / sqrt(R). "Never helps in expectation" fails when
    // the mean difference is above 2 standard errors (one-sided t with 9
    // degrees of freedom: false alarm ~4% if the true difference were 0; the
    // true differences are negative, which makes a false alarm far rarer).
    let paired = |a: usize, b: usize| -> (f64, f64) {
        mean_se(&totals.iter().map(|t| t[a] - t[b]).collect::<Vec<_>>())
    };
    let (d, se) = paired(2, 1);
    assert!(
        d <= 2.0 * se,
        "seizing 80% gives {d} more compromises than seizing 20% (SE {se})"
    );
    for (arm, name) in [(1, "seize-20"), (2, "seize-80")] {
        let (d, se) = paired(arm, 0);
        assert!(
            d <= 2.0 * se,
            "{name} gives {d} more compromises than the baseline (SE {se})"
        );
    }
}

/// A takedown that seizes nothing, causes no downtime, arrests no one, seizes
/// no data and costs nothing changes nothing: the records equal the
/// baseline's exactly. A real takedown does change them.
#[test]
fn do_nothing_arm_equals_the_baseline_exactly() {
    let arms = r#"
[[arms]]
name = "no-op"
interventions = [
  { kind = "takedown", start = 30, target = { provider = "Alpha" }, capacity_seized = 0.0, downtime_days = 0, arrest_probability = 0.0, customer_data_seized = false, cost_usd = 0 },
]

[[arms]]
name = "no-op-repeated"
interventions = [
  { kind = "sustained_pressure", start = 10, every_days = 10, target = { class = "vds" }, capacity_seized = 0.0, downtime_days = 0, arrest_probability = 0.0, customer_data_seized = false, cost_usd = 0 },
]

[[arms]]
name = "real"
interventions = [
  { kind = "takedown", start = 30, target = { provider = "Alpha" }, capacity_seized = 0.8, downtime_days = 30 },
]
"#;
    let model = load(
        &generic_with_arms(arms),
        &["scenario.replications=3", "scenario.days=120"],
    );
    for r in 0..model.replications {
        let baseline = engine::run(&model, 0, r);
        for name in ["no-op", "no-op-repeated"] {
            let arm = engine::run(&model, arm_index(&model, name), r);
            assert!(
                arm.days == baseline.days,
                "replication {r}: the {name} arm's records differ from the baseline's"
            );
            assert_eq!(arm.provider_days, baseline.provider_days, "{name}, rep {r}");
            assert_eq!(arm.segment_compromises, baseline.segment_compromises);
            assert_eq!(arm.segment_losses, baseline.segment_losses);
        }
        let real = engine::run(&model, arm_index(&model, "real"), r);
        assert!(
            real.days != baseline.days,
            "replication {r}: a real takedown left every record unchanged"
        );
    }
}

/// Common random numbers: before an arm's first intervention day its records
/// equal the baseline's exactly (and afterwards the intervention shows).
#[test]
fn arms_equal_the_baseline_before_the_first_intervention() {
    let model = caasim::scenario::load_file(
        &common::repo_path("scenarios/generic-market.toml"),
        &["scenario.replications=3".to_string()],
    )
    .expect("generic-market is valid");
    let jobs: Vec<(usize, u32)> = (0..model.arms.len())
        .flat_map(|a| (0..model.replications).map(move |r| (a, r)))
        .collect();
    let runs: Vec<RunOutput> = jobs
        .par_iter()
        .map(|&(a, r)| engine::run(&model, a, r))
        .collect();
    let run_of = |a: usize, r: u32| &runs[a * model.replications as usize + r as usize];
    for (a, arm) in model.arms.iter().enumerate().skip(1) {
        let first = arm
            .actions
            .iter()
            .map(|action| action.day - model.burn_in_days)
            .min()
            .expect("an intervention arm has actions") as usize;
        assert!(first > 0, "{}: nothing to compare before day 0", arm.name);
        for r in 0..model.replications {
            let (base, hit) = (&run_of(0, r).days, &run_of(a, r).days);
            for day in 0..first {
                assert!(
                    base[day] == hit[day],
                    "{} rep {r}: day {day} differs from the baseline before the first intervention (day {first}):\n{:?}\n{:?}",
                    arm.name,
                    base[day],
                    hit[day]
                );
            }
            assert!(
                base[first..] != hit[first..],
                "{} rep {r}: the intervention changed nothing",
                arm.name
            );
        }
    }
}

/// The RedVDS baseline is stationary provider by provider: over the recorded
/// days, each initial provider's share of the seats rented and the mean
/// search time show no trend. Reputation moves toward each provider's own
/// quality (docs/MODEL.md 7.10), not toward 1, so brands keep their
/// differences. Tolerance: the mean over 30 independent replications of
/// (last quarter minus first quarter) and of the least-squares slope, each
/// within 4 standard errors of 0. With 29 degrees of freedom a stationary
/// series passes one check but for a chance of about 4e-4 (Student t), and
/// all 16 checks (7 providers and search time, difference and slope) but for
/// about 0.6% (Bonferroni). The old law (reputation toward 1) moved
/// CheapVDS's share by 4.5 standard errors at 12 replications, about 7 at 30;
/// BulletHost starting at 600 seats of capacity, five times its long-run
/// level, moved its share by 5.7 (docs/MODEL.md section 5).
#[test]
fn redvds_baseline_is_stationary_provider_by_provider() {
    let replications = 30;
    let model = caasim::scenario::load_file(
        &common::repo_path("scenarios/redvds-2026.toml"),
        &[format!("scenario.replications={replications}")],
    )
    .expect("redvds-2026 is valid");
    let providers = model.providers.len();
    let burn_in = model.burn_in_days;
    // Per replication: per recorded day, the seat share of each initial
    // provider and the mean search time.
    let series: Vec<Vec<Vec<f64>>> = (0..replications)
        .into_par_iter()
        .map(|r| {
            let mut world = World::new(&model, &model.arms[0], r);
            let mut days = Vec::new();
            for day in 0..burn_in + model.days {
                engine::step(&mut world, day);
                if day >= burn_in {
                    let seats: f64 = world.providers.iter().map(|p| p.seats_used as f64).sum();
                    let mut row: Vec<f64> = world.providers[..providers]
                        .iter()
                        .map(|p| p.seats_used as f64 / seats.max(1.0))
                        .collect();
                    row.push(world.mean_search_days());
                    days.push(row);
                }
            }
            days
        })
        .collect();
    let days = model.days as usize;
    let quarter = days / 4;
    let mut names: Vec<String> = model
        .providers
        .iter()
        .map(|p| format!("share of {}", p.name))
        .collect();
    names.push("mean search time".into());
    for (k, name) in names.iter().enumerate() {
        let mut differences = Vec::new();
        let mut slopes = Vec::new();
        for run in &series {
            let values: Vec<f64> = run.iter().map(|row| row[k]).collect();
            let first = values[..quarter].iter().sum::<f64>() / quarter as f64;
            let last = values[days - quarter..].iter().sum::<f64>() / quarter as f64;
            differences.push(last - first);
            slopes.push(slope(&values));
        }
        let (d, d_se) = mean_se(&differences);
        let (b, b_se) = mean_se(&slopes);
        eprintln!(
            "{name}: quarters z = {:.2}, slope z = {:.2}",
            d / d_se.max(1e-12),
            b / b_se.max(1e-15)
        );
        assert!(
            d.abs() <= 4.0 * d_se.max(1e-12),
            "{name}: last minus first quarter of the recorded baseline is {d} (SE {d_se})"
        );
        assert!(
            b.abs() <= 4.0 * b_se.max(1e-15),
            "{name}: slope over the recorded baseline is {b} per day (SE {b_se})"
        );
    }
}
