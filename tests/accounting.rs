//! Accounting identities checked day by day while stepping a world: seats,
//! money, attackers, and finite records (the checker, `common::check_day`,
//! is shared with `tests/extreme.rs`).

mod common;

use common::{Totals, arm_index, check_arm, generic_plus_arms, load};
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
