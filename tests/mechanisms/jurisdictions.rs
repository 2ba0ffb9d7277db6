//! Where the infrastructure is and who acts (MODEL.md 7.17): a coalition
//! seizes what is located where it acts, arrests only where the operators
//! live, and the market moves away from the jurisdictions that acted.

use caasim::engine;
use caasim::model::Model;
use caasim::model::interventions::act_today;
use caasim::model::provider::ProviderStatus;
use caasim::model::relocation::relocate_due;
use caasim::model::world::World;

use crate::small::{self, close};

/// The small world with Alpha's servers three quarters in A and a quarter
/// in C, its storefront in C, hosting for anyone in D, and a "coalition"
/// arm striking Alpha with `partners`, asking `downtime_days = 10`.
fn located(partners: &str, extra: &[&str]) -> Model {
    let arm = format!(
        r#"arms=[{{name="coalition", interventions=[{{kind="takedown", start=5, target={{provider="Alpha"}}, downtime_days=10, arrest_probability=1, customer_data_seized=true, coalition=[{partners}]}}]}}]"#
    );
    let mut overrides = vec![
        "providers.Alpha.located={A=3, C=1}".to_string(),
        "providers.Alpha.storefront={C=1}".to_string(),
        "providers.Alpha.operators_in=\"X\"".to_string(),
        "jurisdictions={D={hosting_weight=1}}".to_string(),
        arm,
    ];
    overrides.extend(extra.iter().map(|s| s.to_string()));
    let overrides: Vec<&str> = overrides.iter().map(String::as_str).collect();
    small::model(&overrides)
}

/// The world of `model`'s last arm after its strike on (recorded) day 5.
fn struck(model: &Model) -> (World<'_>, World<'_>) {
    let mut world = World::new(model, model.arms.last().unwrap(), 0);
    let before = world.clone();
    act_today(&mut world, model.internal_day(5));
    (before, world)
}

const A_POLICE: &str = r#"{name="A police", jurisdiction="A", acts="police", effectiveness=0.8}"#;
const C_COURTS: &str = r#"{name="C courts", jurisdiction="C", acts="civil"}"#;
const B_POLICE: &str = r#"{name="B police", jurisdiction="B", acts="police"}"#;

#[test]
fn police_seize_the_servers_located_where_they_act_and_courts_the_storefront_they_reach() {
    let model = located(&format!("{A_POLICE}, {C_COURTS}"), &[]);
    let (before, world) = struck(&model);
    let (alpha, was) = (&world.providers[0], &before.providers[0]);
    let kept = 1.0 - was.resilience; // 0.75
    // Asked: 0.75 of the servers are in A, where the police take 0.8.
    let seized = 0.75 * 0.8 * kept;
    assert!(close(alpha.capacity, was.capacity * (1.0 - seized)));
    // What is left: A keeps 0.75 x (1 - 0.8 x 0.75), C all of its 0.25.
    let (a, c) = (0.75 * (1.0 - 0.8 * kept), 0.25);
    let names = &model.jurisdictions.names;
    let at = |name: &str| names.iter().position(|n| n == name).unwrap();
    assert!(close(alpha.located[at("A")], a / (a + c)));
    assert!(close(alpha.located[at("C")], c / (a + c)));
    // The courts of C reach the whole storefront: round(10 x 0.75) days.
    let day = model.internal_day(5);
    assert_eq!(alpha.status, ProviderStatus::Down { until_day: day + 8 });
    // The operators live in X, where no one acts: no arrest at probability 1.
    assert_eq!(world.arrests, 0);
    // The strike's record says what was asked of Alpha and what it seized.
    let strike = world.strikes.last().unwrap();
    assert!(close(strike.capacity_asked, 0.6));
    assert!(close(strike.capacity_seized, seized));
}

#[test]
fn a_coalition_without_the_jurisdiction_where_the_servers_are_seizes_none_of_them() {
    let model = located(B_POLICE, &[]);
    let (before, world) = struck(&model);
    let (alpha, was) = (&world.providers[0], &before.providers[0]);
    assert_eq!(alpha.capacity, was.capacity);
    assert_eq!(alpha.located, was.located);
    // No court acts: no downtime; no server seized: no customer data.
    assert_eq!(alpha.status, ProviderStatus::Active);
    assert_eq!(alpha.reputation, was.reputation);
    assert!(!world.events.risk_shock);
    assert_eq!(world.events.displaced, 0);
    assert!(world.pressure.is_empty());
}

#[test]
fn operators_are_arrested_only_by_police_where_they_live() {
    let police_in_x = r#"{name="X police", jurisdiction="X", acts="police", effectiveness=0}"#;
    let model = located(police_in_x, &[]);
    let (_, world) = struck(&model);
    assert_eq!(world.arrests, 1);
    assert_eq!(world.providers[0].status, ProviderStatus::Gone);
    let courts_in_x = r#"{name="X courts", jurisdiction="X", acts="civil"}"#;
    let model = located(courts_in_x, &[]);
    let (_, world) = struck(&model);
    assert_eq!(world.arrests, 0);
}

#[test]
fn an_empty_coalition_changes_nothing_and_costs_nothing() {
    let model = located("", &[]);
    let arm = model.arms.len() - 1;
    assert_eq!(model.arms[arm].actions[0].cost_usd, 0.0);
    let baseline = engine::run(&model, 0, 0);
    let mut empty = engine::run(&model, arm, 0);
    empty.arm = 0;
    empty.strikes.clear();
    assert_eq!(empty, baseline);
}

#[test]
fn a_full_coalition_in_one_jurisdiction_runs_as_the_takedown_by_hand() {
    // The small world's takedown: Alpha (all in A), 0.6 seized, 10 days down.
    let coalition = r#"{name="A police", jurisdiction="A", acts="police", effectiveness=0.6}, {name="A courts", jurisdiction="A", acts="civil"}"#;
    let arm = format!(
        r#"arms=[{{name="by-hand", interventions=[{{kind="takedown", start=5, target={{provider="Alpha"}}, capacity_seized=0.6, downtime_days=10, arrest_probability=0.5, customer_data_seized=true}}]}}, {{name="coalition", interventions=[{{kind="takedown", start=5, target={{provider="Alpha"}}, downtime_days=10, arrest_probability=0.5, customer_data_seized=true, coalition=[{coalition}]}}]}}]"#
    );
    let model = small::model(&[&arm]);
    for replication in 0..4 {
        let by_hand = engine::run(&model, 1, replication);
        let mut coalition = engine::run(&model, 2, replication);
        coalition.arm = 1;
        assert_eq!(coalition, by_hand, "replication {replication}");
    }
}

#[test]
fn relocation_moves_capacity_out_of_the_acting_jurisdictions_after_the_lag_and_charges_for_it() {
    let extra = [
        "market.relocation_share=0.5",
        "market.relocation_lag_days=3",
        "market.relocation_cost_usd_per_seat=10",
    ];
    let model = located(A_POLICE, &extra);
    let (_, mut world) = struck(&model);
    let day = model.internal_day(5);
    let names = &model.jurisdictions.names;
    let at = |name: &str| names.iter().position(|n| n == name).unwrap();
    let (a, c, d) = (at("A"), at("C"), at("D"));
    // Pressure on A only.
    assert_eq!(world.jurisdiction_pressure[a], 1.0);
    assert_eq!(world.jurisdiction_pressure.iter().sum::<f64>(), 1.0);
    let before = world.providers[0].clone();
    let beta = world.providers[1].clone();
    relocate_due(&mut world, day + 2);
    assert_eq!(world.providers[0].located, before.located, "before the lag");
    relocate_due(&mut world, day + 3);
    let alpha = &world.providers[0];
    // Half of what is left in A moves: to C (its own location, weight
    // 0.25) and D (hosting weight 1), in proportion (no risk aversion).
    let moved = 0.5 * before.located[a];
    assert!(close(alpha.located[a], before.located[a] - moved));
    let (to_c, to_d) = (0.25 / 1.25, 1.0 / 1.25);
    assert!(close(alpha.located[c], before.located[c] + moved * to_c));
    assert!(close(alpha.located[d], moved * to_d));
    let seats = moved * before.capacity;
    assert!(close(world.seats_relocated, seats));
    assert!(close(alpha.cash, before.cash - 10.0 * seats));
    assert!(close(world.events.relocation_cost_usd, 10.0 * seats));
    // Beta (same class, all in B where no one acted) has nothing to move.
    assert_eq!(world.providers[1].located, beta.located);
    // Done once.
    relocate_due(&mut world, day + 4);
    assert!(close(world.seats_relocated, seats));
}

#[test]
fn new_capacity_goes_away_from_the_jurisdictions_that_acted_and_not_toward_them() {
    let model = located(A_POLICE, &["market.placement_risk_aversion=1"]);
    let (before, world) = struck(&model);
    let a = model
        .jurisdictions
        .names
        .iter()
        .position(|n| n == "A")
        .unwrap();
    let home = &world.providers[0].home;
    let calm = before.siting().place(home);
    let after = world.siting().place(home);
    assert!(after[a] < calm[a], "{after:?} vs {calm:?}");
    for k in (0..after.len()).filter(|&k| k != a && calm[k] > 0.0) {
        assert!(
            after[k] > calm[k],
            "jurisdiction {k}: {after:?} vs {calm:?}"
        );
    }
    // Exactly the rule: A's weight falls by e^-1 against the others'.
    let ratio = |p: &[f64]| p[a] / (1.0 - p[a]);
    assert!(close(ratio(&after), ratio(&calm) * (-1.0f64).exp()));
}

#[test]
fn a_payment_disruption_by_a_coalition_reaches_the_payment_channels_located_where_it_acts() {
    let partners = r#"{name="A regulator", jurisdiction="A", acts="civil", cost_usd=7}"#;
    let arm = format!(
        r#"arms=[{{name="payments", interventions=[{{kind="payment_disruption", start=5, duration_days=10, conversion_factor=0.3, fee_share=0.2, coalition=[{partners}]}}]}}]"#
    );
    let model = small::model(&["providers.Alpha.payments={A=1, C=1}", &arm]);
    assert_eq!(model.arms[1].actions[0].cost_usd, 7.0);
    let (before, world) = struck(&model);
    // Half of Alpha's channels are in A; Beta's and Gamma's are in B.
    let capacity: f64 = before.providers.iter().map(|p| p.capacity).sum();
    let reach = 0.5 * before.providers[0].capacity / capacity;
    let window = world.payment_windows.last().unwrap();
    assert!(close(window.factor, 0.3 + (1.0 - reach) * 0.7));
    assert!(close(window.fee_share, reach * 0.2));
    // Nobody where the channels are: nothing changes.
    let nowhere = arm.replace("jurisdiction=\"A\"", "jurisdiction=\"Z\"");
    let declared = "jurisdictions={Z={}}";
    let model = small::model(&["providers.Alpha.payments={A=1, C=1}", declared, &nowhere]);
    let (_, world) = struck(&model);
    let window = world.payment_windows.last().unwrap();
    assert_eq!((window.factor, window.fee_share), (1.0, 0.0));
}

#[test]
fn customer_data_is_seized_only_by_police_where_it_is_kept() {
    // Alpha's data in C: the police of A seize servers but no data.
    let model = located(A_POLICE, &["providers.Alpha.data_in=\"C\""]);
    let (_, world) = struck(&model);
    assert!(world.providers[0].capacity > 0.0);
    assert!(!world.events.risk_shock && world.ambient_risk == 0.0);
    // The police of C (no server of Alpha's is seized there) take the data.
    let c_police = r#"{name="C police", jurisdiction="C", acts="police", effectiveness=0}"#;
    let model = located(c_police, &["providers.Alpha.data_in=\"C\""]);
    let (_, world) = struck(&model);
    assert!(world.events.risk_shock && world.ambient_risk > 0.0);
}

#[test]
fn a_share_given_by_hand_beside_a_coalition_is_taken_evenly_from_every_location() {
    let model = located(
        A_POLICE,
        &["arms.coalition.interventions.0.capacity_seized=0.3"],
    );
    let (before, world) = struck(&model);
    let (alpha, was) = (&world.providers[0], &before.providers[0]);
    let kept = 1.0 - was.resilience;
    assert!(close(alpha.capacity, was.capacity * (1.0 - 0.3 * kept)));
    assert_eq!(alpha.located, was.located);
    // Without police the coalition seizes no server, whatever the share.
    let model = located(
        C_COURTS,
        &["arms.coalition.interventions.0.capacity_seized=0.3"],
    );
    let (before, world) = struck(&model);
    assert_eq!(world.providers[0].capacity, before.providers[0].capacity);
}

#[test]
fn a_partner_acting_where_the_market_is_not_is_refused_with_the_places_there_are() {
    let typo = r#"{name="UK courts", jurisdiction="UK", acts="civil"}"#;
    let arm = format!(
        r#"arms=[{{name="typo", interventions=[{{kind="takedown", start=5, target={{provider="Alpha"}}, downtime_days=10, coalition=[{typo}]}}]}}]"#
    );
    let overrides = vec![arm];
    let error = caasim::scenario::load_text(small::TEXT, "small-world.toml", &overrides)
        .expect_err("an unknown jurisdiction is refused");
    let message = error.to_string();
    assert!(message.contains("coalition[0].jurisdiction"), "{message}");
    assert!(
        message.contains("\"UK\" is not where any provider"),
        "{message}"
    );
    assert!(message.contains("allowed: one of"), "{message}");
}
