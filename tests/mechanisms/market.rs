//! The logit choice of provider (MODEL.md 7.5).

use caasim::model::attacker::{Attacker, NO_PROVIDER, Status};
use caasim::model::market::choose;
use caasim::model::provider::{Provider, ProviderStatus};
use caasim::model::world::World;
use caasim::rng::{Purpose, RunKey};
use rand::RngExt;

use crate::small;

/// A searching attacker wanting `seats`, with the given last provider.
fn searcher(seats: u16, last_provider: u16) -> Attacker {
    Attacker {
        cash: 1000.0,
        skill: 1.0,
        risk: 0.0,
        tolerance: 1.0,
        paid_per_day: 0.0,
        risk_day: 0,
        paid_until: 0,
        wake_day: 0,
        leave_day: u32::MAX,
        id: 0,
        provider: NO_PROVIDER,
        last_provider,
        seats,
        kind: 0,
        status: Status::Searching,
        displaced: false,
    }
}

/// Closed-form logit shares: `u_j = -(price_j + S_j) / scale + weight x reputation_j`
/// over the candidates (`None` for a provider that cannot be chosen).
fn logit_shares(providers: &[Provider], candidate: &[bool], last: Option<usize>) -> Vec<f64> {
    let (scale, weight, switching) = (10.0, 2.0, 20.0);
    let utility = |j: usize, p: &Provider| {
        let s = match last {
            Some(l) if l != j => switching,
            _ => 0.0,
        };
        -(p.price + s) / scale + weight * p.reputation
    };
    let exp: Vec<f64> = providers
        .iter()
        .enumerate()
        .map(|(j, p)| {
            if candidate[j] {
                utility(j, p).exp()
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = exp.iter().sum();
    exp.iter().map(|e| e / total).collect()
}

/// Empirical choice shares over `n` uniform numbers from a fixed stream.
fn empirical_shares(
    attacker: &Attacker,
    providers: &[Provider],
    world: &World,
    n: usize,
) -> Vec<f64> {
    let mut rng = RunKey {
        seed: 3,
        replication: 0,
    }
    .market(Purpose::Design, 1);
    let mut counts = vec![0usize; providers.len()];
    let mut scratch = Vec::new();
    for _ in 0..n {
        let u: f64 = rng.random();
        let j = choose(attacker, u, providers, &world.model.market, &mut scratch).unwrap();
        counts[j] += 1;
    }
    counts.iter().map(|&c| c as f64 / n as f64).collect()
}

/// Each share within 4 binomial standard errors `sqrt(p (1 - p) / n)` of the
/// closed form: a false alarm has probability about 6e-5 per share, and a
/// utility off by 0.1 (one dollar of price) moves a share by about
/// `0.1 p (1 - p)`, over 6 standard errors at n = 200,000.
fn assert_shares_match(empirical: &[f64], expected: &[f64], n: usize) {
    for (j, (&got, &want)) in empirical.iter().zip(expected).enumerate() {
        let se = (want * (1.0 - want) / n as f64).sqrt();
        assert!(
            (got - want).abs() <= 4.0 * se,
            "provider {j}: share {got} vs closed form {want} (4 SE = {})",
            4.0 * se
        );
    }
}

/// The small world's three providers, empty, with room for anyone.
fn open_providers(world: &World) -> Vec<Provider> {
    let mut providers = world.providers.clone();
    for p in &mut providers {
        p.seats_used = 0;
    }
    providers
}

#[test]
fn choice_shares_match_the_closed_form_logit() {
    let model = small::model(&[]);
    let world = World::new(&model, &model.arms[0], 0);
    let providers = open_providers(&world);
    let n = 200_000;
    let expected = logit_shares(&providers, &[true; 3], None);
    assert!(
        expected.iter().all(|&p| p > 0.1),
        "{expected:?}: every share is tested"
    );
    assert_shares_match(
        &empirical_shares(&searcher(1, NO_PROVIDER), &providers, &world, n),
        &expected,
        n,
    );
}

#[test]
fn the_switching_cost_lowers_the_utility_of_every_provider_but_the_last() {
    let model = small::model(&[]);
    let world = World::new(&model, &model.arms[0], 0);
    let providers = open_providers(&world);
    let n = 200_000;
    let expected = logit_shares(&providers, &[true; 3], Some(1));
    let without = logit_shares(&providers, &[true; 3], None);
    assert!(
        expected[1] > without[1] + 0.2,
        "the bonus matters: {expected:?} vs {without:?}"
    );
    assert_shares_match(
        &empirical_shares(&searcher(1, 1), &providers, &world, n),
        &expected,
        n,
    );
}

#[test]
fn providers_without_room_or_not_selling_are_not_candidates_unless_they_hold_the_seats() {
    let model = small::model(&[]);
    let world = World::new(&model, &model.arms[0], 0);
    let mut providers = open_providers(&world);
    providers[0].seats_used = providers[0].capacity as u64 - 2; // 2 seats spare
    providers[2].status = ProviderStatus::Down { until_day: 99 };
    let n = 50_000;
    // Wanting 3 seats: only Beta can serve.
    let shares = empirical_shares(&searcher(3, NO_PROVIDER), &providers, &world, n);
    assert_eq!(shares, [0.0, 1.0, 0.0]);
    // Holding its 3 seats at Alpha, Alpha is a candidate again.
    let mut holder = searcher(3, 0);
    holder.provider = 0;
    holder.status = Status::Working;
    let expected = logit_shares(&providers, &[true, true, false], Some(0));
    assert_shares_match(
        &empirical_shares(&holder, &providers, &world, n),
        &expected,
        n,
    );
    // No one selling: no choice.
    for p in &mut providers {
        p.status = ProviderStatus::Gone;
    }
    let mut scratch = Vec::new();
    assert_eq!(
        choose(&holder, 0.5, &providers, &model.market, &mut scratch),
        None
    );
}

#[test]
fn the_same_uniform_number_gives_the_same_choice_by_inverse_cdf_in_index_order() {
    let model = small::model(&[]);
    let world = World::new(&model, &model.arms[0], 0);
    let providers = open_providers(&world);
    let attacker = searcher(1, NO_PROVIDER);
    let shares = logit_shares(&providers, &[true; 3], None);
    let mut scratch = Vec::new();
    let mut pick = |u: f64| choose(&attacker, u, &providers, &model.market, &mut scratch);
    // Deterministic: the cumulative shares are the boundaries (up to rounding
    // of the exponentials, hence the margin of 1e-9).
    let first = shares[0];
    let second = shares[0] + shares[1];
    assert_eq!(pick(0.0), Some(0));
    assert_eq!(pick(first - 1e-9), Some(0));
    assert_eq!(pick(first + 1e-9), Some(1));
    assert_eq!(pick(second - 1e-9), Some(1));
    assert_eq!(pick(second + 1e-9), Some(2));
    assert_eq!(pick(1.0 - 1e-12), Some(2));
    // Same key, same numbers, same choices.
    let key = RunKey {
        seed: 9,
        replication: 1,
    };
    let run = |pick: &mut dyn FnMut(f64) -> Option<usize>| -> Vec<Option<usize>> {
        let mut rng = key.attacker(Purpose::Decision, 40, 17);
        (0..100).map(|_| pick(rng.random())).collect()
    };
    assert_eq!(run(&mut pick), run(&mut pick));
}
