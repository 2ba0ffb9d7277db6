//! Accounting identities checked day by day while stepping a world: seats,
//! money, attackers, and finite records.

mod common;

use caasim::engine;
use caasim::model::attacker::{NO_PROVIDER, Status};
use caasim::model::provider::ProviderStatus;
use caasim::model::world::World;
use caasim::output::records::DayRecord;
use common::{arm_index, generic_plus_arms, load};
use rayon::prelude::*;

/// Arms added to generic-market so that every path that moves seats is taken:
/// seizure without downtime (seats displaced to fit), an arrest (provider
/// gone), and a takedown of a whole class.
const EXTRA_ARMS: &str = r#"
[[arms]]
name = "seize-no-downtime"
interventions = [
  { kind = "takedown", start = 30, target = { provider = "Alpha" }, capacity_seized = 0.5, downtime_days = 0 },
]

[[arms]]
name = "arrest"
interventions = [
  { kind = "takedown", start = 30, target = { provider = "Beta" }, capacity_seized = 0.3, downtime_days = 10, arrest_probability = 1.0 },
]

[[arms]]
name = "class-takedown"
interventions = [
  { kind = "takedown", start = 30, target = { class = "vds" }, capacity_seized = 0.6, downtime_days = 5, customer_data_seized = true },
]
"#;

/// Non-finite floats anywhere in a record, found through its `Debug` form
/// (so fields added later are covered too).
fn non_finite(record: &DayRecord) -> bool {
    let text = format!("{record:?}");
    ["NaN", ": inf", ": -inf", "(inf)", "(-inf)"]
        .iter()
        .any(|bad| text.contains(bad))
}

/// What one arm's run exercised, for checks that the identities were not vacuous.
#[derive(Default)]
struct Totals {
    fees: f64,
    payments: f64,
    displaced: u64,
    entries: u64,
    exits: u64,
    provider_exits: u64,
}

/// Step one arm for one replication, checking the identities every day.
fn check_arm(model: &caasim::model::Model, arm: usize, replication: u32) -> Totals {
    let name = &model.arms[arm].name;
    let mut world = World::new(model, &model.arms[arm], replication);
    let alive = |w: &World| {
        w.population
            .as_slice()
            .iter()
            .filter(|a| a.status != Status::Gone)
            .count() as u64
    };
    let mut previous = alive(&world);
    let mut totals = Totals::default();
    for day in 0..model.total_days() {
        let record = engine::step(&mut world, day);
        let at = format!("{name}, replication {replication}, internal day {day}");

        // Seats: within capacity, and equal to the seats of the working
        // attackers who rent from the provider.
        let mut rented = vec![0u64; world.providers.len()];
        for attacker in world.population.as_slice() {
            if attacker.status == Status::Working {
                assert_ne!(
                    attacker.provider, NO_PROVIDER,
                    "{at}: working without provider"
                );
                rented[usize::from(attacker.provider)] += u64::from(attacker.seats);
            }
        }
        for (j, provider) in world.providers.iter().enumerate() {
            assert!(
                f64::from(provider.seats_used) <= provider.capacity + 1e-9,
                "{at}: {} uses {} seats of {}",
                provider.name,
                provider.seats_used,
                provider.capacity
            );
            assert_eq!(
                u64::from(provider.seats_used),
                rented[j],
                "{at}: {} seats used vs seats of its working customers",
                provider.name
            );
            if provider.status == ProviderStatus::Gone {
                assert_eq!(provider.seats_used, 0, "{at}: a gone provider rents seats");
            }
        }
        assert_eq!(
            record.seats_used,
            rented.iter().sum::<u64>(),
            "{at}: seats_used"
        );

        // Money: what attackers pay is what providers receive plus fees.
        let (paid, received, fees) = (
            record.attacker_payments_usd,
            record.provider_revenue_usd,
            record.payment_fees_usd,
        );
        assert!(
            (paid - (received + fees)).abs() <= 1e-9 * paid.abs().max(1.0),
            "{at}: payments {paid} != revenue {received} + fees {fees}"
        );
        assert!(fees >= 0.0 && received >= 0.0, "{at}: negative money");

        // Attackers: the status counts are a census of the non-gone
        // attackers, and their total changes by entries minus exits.
        let count = |s: &[Status]| {
            world
                .population
                .as_slice()
                .iter()
                .filter(|a| s.contains(&a.status))
                .count() as u64
        };
        assert_eq!(
            record.attackers_working,
            count(&[Status::Working]),
            "{at}: working"
        );
        assert_eq!(
            record.attackers_searching,
            count(&[Status::Searching, Status::Waiting]),
            "{at}: searching"
        );
        assert_eq!(
            record.attackers_dormant,
            count(&[Status::Dormant]),
            "{at}: dormant"
        );
        let total =
            record.attackers_working + record.attackers_searching + record.attackers_dormant;
        assert_eq!(total, alive(&world), "{at}: counts vs non-gone attackers");
        assert_eq!(
            total as i64 - previous as i64,
            record.attacker_entries as i64 - record.attacker_exits as i64,
            "{at}: change in attackers vs entries - exits"
        );
        previous = total;

        assert!(!non_finite(&record), "{at}: non-finite value in {record:?}");

        totals.fees += fees;
        totals.payments += paid;
        totals.displaced += record.attackers_displaced;
        totals.entries += record.attacker_entries;
        totals.exits += record.attacker_exits;
        totals.provider_exits += record.provider_exits;
    }
    totals
}

#[test]
fn identities_hold_every_day_in_every_arm() {
    let model = load(&generic_plus_arms(EXTRA_ARMS), &["scenario.replications=2"]);
    let jobs: Vec<(usize, u32)> = (0..model.arms.len())
        .flat_map(|a| (0..model.replications).map(move |r| (a, r)))
        .collect();
    let totals: Vec<Totals> = jobs
        .par_iter()
        .map(|&(a, r)| check_arm(&model, a, r))
        .collect();
    let of = |name: &str, r: u32| {
        &totals[arm_index(&model, name) * model.replications as usize + r as usize]
    };
    // The identities were not checked on empty days only.
    for r in 0..model.replications {
        let baseline = of("baseline", r);
        assert!(baseline.payments > 0.0 && baseline.entries > 0 && baseline.exits > 0);
        assert!(
            of("payment-disruption", r).fees > 0.0,
            "no payment fee under payment disruption"
        );
        for arm in ["takedown", "seize-no-downtime", "arrest", "class-takedown"] {
            assert!(of(arm, r).displaced > 0, "{arm}: nobody displaced");
        }
        assert!(
            of("arrest", r).provider_exits > 0,
            "the arrest removed no provider"
        );
    }
}
