//! The world's own rules: half-lives, search time, initial placement and
//! displacement (MODEL.md 5, 7.6, 7.11).

use caasim::model::attacker::{NO_PROVIDER, Status};
use caasim::model::provider::ProviderStatus;
use caasim::model::world::{World, half_life_factor};

use crate::small::{self, close};

#[test]
fn the_half_life_factor_halves_a_quantity_over_its_half_life() {
    for half_life in [1.0, 7.0, 60.0, 90.0, 365.25] {
        let h = half_life_factor(half_life);
        assert!(close(h, 0.5f64.powf(1.0 / half_life)));
        assert!(close(h.powf(half_life), 0.5), "half-life {half_life}");
        assert!(
            close(h.powf(2.0 * half_life), 0.25),
            "half-life {half_life}"
        );
    }
}

#[test]
fn the_initial_placement_fills_providers_up_to_target_utilisation() {
    let model = small::model(&[]);
    let world = World::new(&model, &model.arms[0], 0);
    let attackers = world.population.as_slice();
    assert_eq!(attackers.len(), 300);
    for (j, p) in world.providers.iter().enumerate() {
        let on_j = (attackers.iter())
            .filter(|a| a.status == Status::Working && usize::from(a.provider) == j)
            .count() as u64;
        assert_eq!(p.seats_used, on_j, "provider {j}: one seat per attacker");
        assert!(p.seats_used as f64 <= 0.85 * p.capacity, "provider {j}");
        assert_eq!(
            p.capacity, model.providers[j].economics.capacity_seats,
            "restored"
        );
    }
    // 340 seats at target utilisation for 300 one-seat attackers: all placed,
    // renewals staggered over the first period.
    assert_eq!((world.counts.working, world.counts.searching), (300, 0));
    assert!(
        attackers
            .iter()
            .all(|a| a.paid_until < 30 && a.last_provider == a.provider)
    );
    // Search time with every provider selling: 20 / (1 + 1 x R), R the
    // capacity-weighted reputation (200 x 0.8 + 100 x 0.4 + 100 x 0.6) / 400.
    assert!(close(world.mean_search_days(), 20.0 / 1.65));
}

#[test]
fn search_time_depends_on_how_findable_the_market_is_not_on_the_number_of_providers() {
    let whole = small::model(&[]);
    let whole = World::new(&whole, &whole.arms[0], 0);
    for n in [2, 5, 40] {
        // Alpha split into n identical providers holding its capacity.
        let split = small::model(&[
            &format!("providers.0.count={n}"),
            &format!("providers.0.capacity_seats={}", 200.0 / f64::from(n)),
        ]);
        let mut split = World::new(&split, &split.arms[0], 0);
        assert_eq!(split.providers.len(), n as usize + 2);
        assert!(
            close(split.mean_search_days(), whole.mean_search_days()),
            "n = {n}"
        );
        // A provider that is down counts as unfindable serving capacity; one
        // in setup or gone does not count.
        split.providers[0].status = ProviderStatus::Down { until_day: 99 };
        let r = (400.0 * 0.65 - 200.0 / f64::from(n) * 0.8) / 400.0;
        assert!(close(split.mean_search_days(), 20.0 / (1.0 + r)), "n = {n}");
        split.providers[0].status = ProviderStatus::Gone;
        let r = (400.0 * 0.65 - 200.0 / f64::from(n) * 0.8) / (400.0 - 200.0 / f64::from(n));
        assert!(close(split.mean_search_days(), 20.0 / (1.0 + r)), "n = {n}");
    }
}

#[test]
fn displacing_customers_sends_every_customer_of_one_provider_searching_and_counts_them() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[0], 0);
    let day = 50;
    let before = world.population.as_slice().to_vec();
    let seats_before: Vec<u64> = world.providers.iter().map(|p| p.seats_used).collect();
    let on_beta = (before.iter())
        .filter(|a| a.status == Status::Working && a.provider == 1)
        .count() as u64;
    assert!(on_beta > 0);
    world.displace_customers(1, day);
    assert_eq!(world.events.displaced, on_beta);
    assert_eq!(world.counts.working, 300 - on_beta);
    assert_eq!(world.counts.searching, on_beta);
    assert_eq!(world.providers[1].seats_used, 0);
    assert_eq!(world.providers[0].seats_used, seats_before[0]);
    assert_eq!(world.providers[2].seats_used, seats_before[2]);
    for (a, b) in world.population.as_slice().iter().zip(&before) {
        if b.provider == 1 {
            assert_eq!(
                (a.status, a.provider, a.displaced),
                (Status::Searching, NO_PROVIDER, true)
            );
            assert_eq!(
                a.last_provider, 1,
                "the last provider is kept for the switching cost"
            );
            assert!(a.wake_day > day);
        } else {
            assert_eq!(
                (a.status, a.provider, a.displaced),
                (b.status, b.provider, false)
            );
        }
    }
}
