//! What interventions do when they act (MODEL.md 7.11, 7.15): a takedown
//! strike, the hardening ramp and the payment windows.

use caasim::model::attacker::{NO_PROVIDER, Status};
use caasim::model::interventions::act_today;
use caasim::model::interventions::victim_hardening::update as update_hardening;
use caasim::model::provider::ProviderStatus;
use caasim::model::world::{World, half_life_factor};

use crate::common::mean_se;
use crate::small::{self, close};

/// Identities of the working customers of provider `j`.
fn customers(world: &World, j: usize) -> Vec<u32> {
    (world.population.as_slice().iter())
        .filter(|a| a.status == Status::Working && usize::from(a.provider) == j)
        .map(|a| a.id)
        .collect()
}

#[test]
fn a_strike_seizes_capacity_and_downtime_scaled_by_one_minus_resilience() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[small::arm(&model, "takedown")], 0);
    let day = model.internal_day(5);
    let before = world.providers.clone();
    let before_world = world.clone();
    let hit_customers = customers(&world, 0);
    let other_customers = customers(&world, 1);
    let seats_before = before[0].seats_used;
    act_today(&mut world, day);
    act_today(&mut world, day + 1); // nothing scheduled: no change
    let alpha = &world.providers[0];
    // Alpha: resilience 0.25, capacity_seized 0.6, downtime 10.
    let r = 0.25;
    assert!(close(
        alpha.capacity,
        before[0].capacity * (1.0 - 0.6 * (1.0 - r))
    ));
    // round(10 x 0.75) = round(7.5) = 8 (halves round away from zero).
    assert_eq!(alpha.status, ProviderStatus::Down { until_day: day + 8 });
    // Customers on seized seats are displaced until the rest fit.
    assert!(alpha.seats_used as f64 <= alpha.capacity);
    let displaced = seats_before - alpha.seats_used; // one seat each
    assert_eq!(world.events.displaced, displaced);
    assert!(displaced > 0);
    // Learning: the hit provider by 0.3 of its gap, its class peer Beta by
    // 0.1 times the share of the class taken off sale (Alpha goes down: all
    // its 200 seats of the class's 300), Gamma (another class) not at all;
    // reputation halves; pressure rises by that share.
    let share = 200.0 / 300.0;
    assert!(close(alpha.resilience, r + 0.3 * (1.0 - r)));
    assert!(close(alpha.reputation, before[0].reputation * 0.5));
    assert!(close(
        world.providers[1].resilience,
        0.2 + 0.1 * share * 0.8
    ));
    assert_eq!(world.providers[2].resilience, before[2].resilience);
    assert!(close(world.pressure["vds"], share));
    assert_eq!(world.pressure.get("bulletproof"), None);
    // Customer data: Alpha's customers (displaced or not) get the personal
    // shock on top of their decayed initial risk; others keep theirs.
    let decay = half_life_factor(model.market.risk_half_life_days);
    let initial = model.attacker_types[0].initial_risk;
    let shocked = (f64::from(initial as f32) * decay.powf(f64::from(day)) + 0.02) as f32;
    let attackers = world.population.as_slice();
    for &id in &hit_customers {
        let a = &attackers[id as usize];
        assert_eq!((a.risk, a.risk_day), (shocked, day), "customer {id}");
    }
    for &id in &other_customers {
        assert_eq!(attackers[id as usize].risk, initial as f32);
    }
    // Everyone's risk: 0.003 times the share of working attackers exposed.
    let working = world_working(&before_world);
    let exposed = hit_customers.len() as f64 / working;
    assert!(close(world.ambient_risk, 0.003 * exposed));
    assert!(world.events.risk_shock);
}

/// Working attackers.
fn world_working(world: &World) -> f64 {
    (world.population.as_slice().iter())
        .filter(|a| a.status == Status::Working)
        .count() as f64
}

#[test]
fn a_second_strike_meets_the_learned_resilience_and_never_shortens_downtime() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[small::arm(&model, "takedown")], 0);
    let day = model.internal_day(5);
    act_today(&mut world, day);
    let (capacity, r) = (world.providers[0].capacity, world.providers[0].resilience);
    let first = world.pressure["vds"];
    // The same strike again (the arm acts again if asked for the same day).
    act_today(&mut world, day);
    let alpha = &world.providers[0];
    assert!(close(alpha.capacity, capacity * (1.0 - 0.6 * (1.0 - r))));
    // round(10 x (1 - 0.475)) = 5 < 8 days left: the first downtime stands.
    assert_eq!(alpha.status, ProviderStatus::Down { until_day: day + 8 });
    // Already down, so nothing more is taken off sale but the seats seized
    // now: 0.6 x (1 - r) of Alpha's capacity, out of the class's.
    let share = capacity * 0.6 * (1.0 - r) / (capacity + world.providers[1].capacity);
    assert!(close(world.pressure["vds"], first + share));
}

#[test]
fn a_fully_resilient_provider_is_untouched_by_a_strike_without_data_or_arrest() {
    let model = small::model(&[
        "providers.0.resilience=1",
        "arms.1.interventions.0.customer_data_seized=false",
    ]);
    let mut world = World::new(&model, &model.arms[1], 0);
    let before = world.providers.clone();
    act_today(&mut world, model.internal_day(5));
    for (p, q) in world.providers.iter().zip(&before) {
        assert_eq!(
            (
                p.capacity,
                p.status,
                p.resilience,
                p.reputation,
                p.seats_used
            ),
            (
                q.capacity,
                q.status,
                q.resilience,
                q.reputation,
                q.seats_used
            )
        );
    }
    assert!(world.pressure.is_empty() && world.events.displaced == 0);
}

#[test]
fn an_arrest_removes_the_provider_and_displaces_all_its_customers() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[small::arm(&model, "arrest")], 0);
    let hit = customers(&world, 0);
    let working = world.counts.working;
    let day = model.internal_day(5);
    act_today(&mut world, day);
    assert_eq!(world.providers[0].status, ProviderStatus::Gone);
    assert_eq!(world.providers[0].seats_used, 0);
    assert_eq!(world.events.provider_exits, 1);
    assert_eq!(world.events.displaced, hit.len() as u64);
    assert_eq!(world.counts.working, working - hit.len() as u64);
    for &id in &hit {
        let a = &world.population.as_slice()[id as usize];
        assert_eq!(
            (a.status, a.provider, a.displaced),
            (Status::Searching, NO_PROVIDER, true)
        );
        assert!(a.wake_day > day);
    }
    // Learning still happens (the whole of Alpha, 200 of the class's 300
    // seats, is off sale), and a gone provider is no longer a target.
    assert!(close(world.pressure["vds"], 200.0 / 300.0));
    act_today(&mut world, day);
    assert!(close(world.pressure["vds"], 200.0 / 300.0));
}

#[test]
fn the_hardening_ramp_raises_mfa_of_the_chosen_segments_linearly_to_full_effect() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[small::arm(&model, "hardening")], 0);
    let start = model.internal_day(5);
    // top_segments = 2: the two largest targeting x compromise_prob. Segments
    // are (US, IT) x (finance, public): US-finance 0.18 x 0.002 = 3.6e-4,
    // US-public 0.42 x 0.001 = 4.2e-4, IT-finance 0.12 x 0.003 = 3.6e-4,
    // IT-public 0.28 x 0.0015 = 4.2e-4: the two public segments.
    let chosen = [1, 3];
    assert_eq!(model.segments[1].sector, "public");
    assert_eq!(model.segments[3].sector, "public");
    let (m0, b0): (Vec<f64>, Vec<f64>) = (model.segments.iter())
        .map(|s| (s.mfa_adoption, s.bypass_share))
        .unzip();
    act_today(&mut world, start);
    for k in 0..7u32 {
        update_hardening(&mut world, start + k);
        // ramp_days = 4: g = min((k + 1) / 4, 1).
        let g = (f64::from(k + 1) / 4.0).min(1.0);
        for s in 0..model.segments.len() {
            let (m, b) = (world.victims.mfa_adoption[s], world.victims.bypass_share[s]);
            if chosen.contains(&s) {
                assert!(
                    close(m, (m0[s] + 0.3 * g).min(1.0)),
                    "day {k}, segment {s}: {m}"
                );
                assert!(
                    close(b, b0[s] * (1.0 - 0.5 * g)),
                    "day {k}, segment {s}: {b}"
                );
            } else {
                assert_eq!((m, b), (m0[s], b0[s]), "day {k}, segment {s}");
            }
        }
    }
    assert!(
        chosen.iter().any(|&s| m0[s] + 0.3 < 1.0),
        "the cap at 1 is not all that is tested"
    );
}

#[test]
fn payment_windows_apply_their_factor_and_fee_inside_start_to_end_only() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[small::arm(&model, "payment")], 0);
    // Two windows: recorded days [5, 15) at 0.3 and +0.2, [12, 22) at 0.5 and +0.1.
    for day in 0..30 {
        act_today(&mut world, model.internal_day(day));
    }
    for day in 0..30 {
        let (first, second) = ((5..15).contains(&day), (12..22).contains(&day));
        let factor = if first { 0.3 } else { 1.0 } * if second { 0.5 } else { 1.0 };
        let fee = if first { 0.2 } else { 0.0 } + if second { 0.1 } else { 0.0 };
        let t = model.internal_day(day);
        assert!(
            close(world.conversion(t), factor),
            "day {day}: {}",
            world.conversion(t)
        );
        assert!(
            close(world.fee_share(t), fee),
            "day {day}: {}",
            world.fee_share(t)
        );
        assert!(
            close(world.view(t).fee_share, fee),
            "the attackers' view, day {day}"
        );
    }
}

#[test]
fn without_overflow_each_customer_loses_its_seat_with_the_seized_share() {
    // capacity_seized 0.1 at resilience 0.25 seizes 0.075 of Alpha's 200
    // seats, leaving 185 for its 170 placed customers: only the random part
    // acts, each customer displaced with probability 0.075 (its own stream).
    let model = small::model(&[
        "arms.1.interventions.0.capacity_seized=0.1",
        "arms.1.interventions.0.downtime_days=0",
        "arms.1.interventions.0.customer_data_seized=false",
    ]);
    let (mut customers_hit, mut displaced) = (0, 0);
    for replication in 0..200 {
        let mut world = World::new(&model, &model.arms[1], replication);
        customers_hit += customers(&world, 0).len() as u64;
        act_today(&mut world, model.internal_day(5));
        assert!(world.providers[0].seats_used as f64 <= world.providers[0].capacity);
        displaced += world.events.displaced;
    }
    // Binomial(n, 0.075) in total: within 4 standard errors (n about 34,000,
    // 4 SE about 0.0057; displacing all or none of the seized share's
    // complement would be far outside).
    let p = 0.1 * (1.0 - 0.25);
    let share = displaced as f64 / customers_hit as f64;
    let se = (p * (1.0 - p) / customers_hit as f64).sqrt();
    assert!(
        (share - p).abs() <= 4.0 * se,
        "share {share} vs {p} (SE {se})"
    );
}

#[test]
fn deterrence_messaging_scales_arrivals_in_its_window_and_shocks_ambient_risk_once() {
    let model = small::model(&[]);
    let mut world = World::new(&model, &model.arms[small::arm(&model, "deterrence")], 0);
    for day in 0..30 {
        world.events.risk_shock = false;
        act_today(&mut world, model.internal_day(day));
        // The shock and the cost come on the start day only.
        assert_eq!(world.events.risk_shock, day == 5, "day {day}");
    }
    assert!(close(world.ambient_risk, 0.005));
    assert_eq!(world.events.defender_cost_usd, 1000.0);
    for day in 0..30 {
        let factor = if (5..15).contains(&day) { 0.6 } else { 1.0 };
        assert_eq!(
            world.arrival_factor(model.internal_day(day)),
            factor,
            "day {day}"
        );
        assert_eq!(world.conversion(model.internal_day(day)), 1.0);
    }
}

#[test]
fn identical_targets_struck_on_one_day_are_struck_alike_as_one_operation() {
    // Alpha as two identical copies, both targeted by the takedown arm.
    let model = small::model(&["providers.0.count=2"]);
    let mut world = World::new(&model, &model.arms[small::arm(&model, "takedown")], 0);
    assert_eq!(world.providers.len(), 4);
    let before = world.providers.clone();
    let exposed = (customers(&world, 0).len() + customers(&world, 1).len()) as f64;
    let working = world_working(&world);
    let day = model.internal_day(5);
    act_today(&mut world, day);
    let (a, b) = (&world.providers[0], &world.providers[1]);
    // Each struck as it stood at the start of the day: resilience 0.25 for both.
    let r = 0.25;
    for p in [a, b] {
        assert!(close(p.capacity, before[0].capacity * (1.0 - 0.6 * 0.75)));
        assert_eq!(p.status, ProviderStatus::Down { until_day: day + 8 });
        // Learned from its own hit only, once.
        assert!(close(p.resilience, r + 0.3 * (1.0 - r)));
        assert!(close(p.reputation, before[0].reputation * 0.5));
    }
    assert_eq!(
        (a.capacity, a.resilience, a.reputation, a.status),
        (b.capacity, b.resilience, b.reputation, b.status)
    );
    // One operation: the class peer learns once, pressure and the ambient
    // shock are applied once, scaled by the share of the class taken off
    // sale (400 of 500 seats) and the share of working attackers exposed.
    let share = 400.0 / 500.0;
    assert!(close(
        world.providers[2].resilience,
        0.2 + 0.1 * share * 0.8
    ));
    assert_eq!(world.providers[3].resilience, before[3].resilience);
    assert!(close(world.pressure["vds"], share));
    assert!(close(world.ambient_risk, 0.003 * exposed / working));
}

/// The small world with Alpha as the only initial provider, split into `n`
/// identical providers (capacity, fixed cost and cash divided by `n`).
fn alpha_alone(n: u32) -> caasim::model::Model {
    let text = small::TEXT;
    let beta = text.find("[[providers]]\nname = \"Beta\"").unwrap();
    let attackers = text.find("[[attackers]]").unwrap();
    let text = format!("{}{}", &text[..beta], &text[attackers..]);
    caasim::scenario::load_text(&text, "alpha-alone.toml", &alpha_split(n)).unwrap()
}

/// Overrides that split Alpha into `n` identical providers (capacity, fixed
/// cost and cash divided by `n`), with switching free of cost and time: the
/// logit gives n identical providers n times the weight of one (independence
/// of irrelevant alternatives), so with a switching cost the customers of a
/// split provider churn among its copies at renewal in the baseline too.
/// That is a property of the choice model, not of operations, which the
/// split tests are about (docs/MODEL.md section 10).
fn alpha_split(n: u32) -> Vec<String> {
    let n = f64::from(n);
    vec![
        "market.switching_cost_usd=0".to_string(),
        "market.switching_rebuild_days=0".to_string(),
        format!("providers.0.count={n}"),
        format!("providers.0.capacity_seats={}", 200.0 / n),
        format!("providers.0.fixed_cost_usd_per_day={}", 20.0 / n),
        format!("providers.0.cash_usd={}", 50000.0 / n),
    ]
}

/// Per replication, the change in campaigns (%) over each of the recorded
/// `windows` (first day, end day exclusive), takedown arm against the baseline (common random numbers).
fn campaign_changes(
    model: &caasim::model::Model,
    replications: u32,
    windows: &[(usize, usize)],
) -> Vec<Vec<f64>> {
    let arm = small::arm(model, "takedown");
    let runs: Vec<_> = (0..replications)
        .map(|r| caasim::engine::run_replication(model, r, None).unwrap())
        .collect();
    (windows.iter())
        .map(|&(first, end)| {
            (runs.iter())
                .map(|runs| {
                    let sum = |arm: usize| -> f64 {
                        (runs[arm].days[first..end].iter())
                            .map(|d| d.campaigns as f64)
                            .sum()
                    };
                    100.0 * (sum(arm) / sum(0) - 1.0)
                })
                .collect()
        })
        .collect()
}

#[test]
fn striking_a_provider_split_into_identical_ones_has_the_effect_of_striking_it_whole() {
    // Alpha alone (so that the choice among rivals, where n identical
    // providers weigh n times one, plays no part), whole or split into n; the
    // takedown arm strikes every Alpha on one day. One operation: the
    // market-level effect must not depend on n. Under equal means the
    // difference of the two replication means is within 4 standard errors
    // (each from 40 replications; the worlds differ, so the SE of the
    // difference is taken as for independent samples) but for a chance of
    // about 6e-5. Struck one by one as before (pressure, ambient shock and
    // peer learning per provider, later targets learning from earlier ones)
    // n = 10 read -45% against -10% whole, 88 SE away.
    let replications = 40;
    let window = [(5, 100)];
    let (whole, se_whole) = mean_se(&campaign_changes(&alpha_alone(1), replications, &window)[0]);
    assert!(whole < -5.0, "the takedown has an effect: {whole}");
    for n in [2, 10] {
        let (split, se_split) =
            mean_se(&campaign_changes(&alpha_alone(n), replications, &window)[0]);
        let se = (se_whole.powi(2) + se_split.powi(2)).sqrt();
        eprintln!(
            "n = {n}: whole {whole:.3} ± {se_whole:.3}, split {split:.3} ± {se_split:.3}, z = {:.2}",
            (split - whole) / se
        );
        assert!(
            (split - whole).abs() <= 4.0 * se,
            "n = {n}: campaigns change {split:.2}% split against {whole:.2}% whole (SE {se:.2})"
        );
    }
}

/// The small world (Alpha with its competitors Beta and Gamma) with Alpha
/// split into `n` identical providers ([`alpha_split`]).
fn alpha_among_rivals(n: u32) -> caasim::model::Model {
    let overrides = alpha_split(n);
    let overrides: Vec<&str> = overrides.iter().map(String::as_str).collect();
    small::model(&overrides)
}

#[test]
fn an_operation_on_a_provider_split_among_rivals_has_the_market_effect_of_one_on_it_whole() {
    // Alpha (200 of the market's 400 seats, 2/3 of its class) whole or as 4
    // identical providers of 50 seats, struck by name (the `count = 4` group)
    // in one operation, with its rivals Beta (same class) and Gamma. The
    // operation's pressure, peer learning and ambient shock scale with the
    // share of the class taken off sale and the share of attackers exposed,
    // which the split leaves unchanged. The split changes the baseline,
    // though: the logit gives 4 identical copies 4 times the weight of one
    // (independence of irrelevant alternatives), so split Alpha keeps more
    // customers at renewals than Alpha whole. Each world's takedown is
    // therefore read against its own baseline arm (common random numbers),
    // as the change in market campaigns over two fixed windows (the first
    // 30 days from the strike and the rest of the run), per unit of the
    // market's seats that the struck providers held the day before the
    // strike: the operation's effect for the share of the market it hit
    // (about 0.51 whole and 0.66 split; the raw changes, about -9% and -12%
    // over the first window, differ by that ratio, 9 SE apart). Under equal
    // means the two replication means differ by at most 4 standard errors of
    // their difference (40 replications each, independent worlds) but for a
    // chance of about 6e-5 per window.
    let replications = 40;
    let windows = [(5, 35), (35, 100)];
    let whole = changes_per_share_struck(&alpha_among_rivals(1), replications, &windows, 1);
    let split = changes_per_share_struck(&alpha_among_rivals(4), replications, &windows, 4);
    for (w, window) in windows.iter().enumerate() {
        let ((a, se_a), (b, se_b)) = (mean_se(&whole[w]), mean_se(&split[w]));
        let se = (se_a.powi(2) + se_b.powi(2)).sqrt();
        eprintln!(
            "days {window:?}: whole {a:.3} ± {se_a:.3}, split {b:.3} ± {se_b:.3}, z = {:.2}",
            (b - a) / se
        );
        assert!(
            a < [-5.0, -0.5][w],
            "the takedown has an effect over {window:?}: {a}"
        );
        assert!(
            (b - a).abs() <= 4.0 * se,
            "days {window:?}: campaigns change {b:.2}% split against {a:.2}% whole (SE {se:.2})"
        );
    }
}

/// As [`campaign_changes`], each replication's change divided by the share
/// of the market's seats that the first `struck` providers held in its
/// baseline on the day before the strike (recorded day 4).
fn changes_per_share_struck(
    model: &caasim::model::Model,
    replications: u32,
    windows: &[(usize, usize)],
    struck: usize,
) -> Vec<Vec<f64>> {
    let shares: Vec<f64> = (0..replications)
        .map(|r| {
            let day = &caasim::engine::run(model, 0, r).provider_days[4];
            let seats = |p: &[caasim::engine::record::ProviderDay]| -> f64 {
                p.iter().map(|p| p.seats_used as f64).sum()
            };
            seats(&day[..struck]) / seats(day)
        })
        .collect();
    (campaign_changes(model, replications, windows).into_iter())
        .map(|changes| changes.iter().zip(&shares).map(|(c, s)| c / s).collect())
        .collect()
}
