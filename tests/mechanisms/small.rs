//! The small hand-built world the mechanism tests share: three providers of
//! known price, reputation and resilience, one attacker type renting one seat
//! each, four victim segments, and one arm per intervention under test.

use caasim::model::Model;
use caasim::scenario::load_text;

/// The scenario text of the small world.
pub const TEXT: &str = r#"
[scenario]
name = "small-world"
days = 100
burn_in_days = 10
seed = 7
replications = 2

[market]
subscription_days = 30
choice_price_scale_usd = 10
choice_reputation_weight = 2.0
switching_cost_usd = 20
risk_shock_customers = 0.02
risk_shock_all = 0.003

[entry]
max_per_day = 0.5
max_providers = 50
setup_days = 14

[entry.template]
class = "vds"
capacity_seats = 30
price_usd = 30
unit_cost_usd_per_seat_day = 0.45
fixed_cost_usd_per_day = 5
reputation = 0.2
resilience = 0.2
cash_usd = 5000

[[providers]]
name = "Alpha"
class = "vds"
jurisdiction = "A"
capacity_seats = 200
price_usd = 30
unit_cost_usd_per_seat_day = 0.4
fixed_cost_usd_per_day = 20
reputation = 0.8
resilience = 0.25
cash_usd = 50000

[[providers]]
name = "Beta"
class = "vds"
jurisdiction = "B"
capacity_seats = 100
price_usd = 25
unit_cost_usd_per_seat_day = 0.4
fixed_cost_usd_per_day = 15
reputation = 0.4
resilience = 0.2
cash_usd = 30000

[[providers]]
name = "Gamma"
class = "bulletproof"
jurisdiction = "B"
capacity_seats = 100
price_usd = 40
unit_cost_usd_per_seat_day = 0.45
fixed_cost_usd_per_day = 5
reputation = 0.6
resilience = 0.5
cash_usd = 10000

[[attackers]]
name = "phisher"
count = 300
seats = { dist = "fixed", value = 1 }
skill = { dist = "fixed", value = 1 }
risk_tolerance = { dist = "fixed", value = 0.5 }
cash_usd = 2000
kept_share = 0.3
campaign_cost_usd_per_seat_day = 5
reservation_usd_per_day = 10
sanction_cost_usd = 50000
attrition_per_day = 0.004

[victims]
compromise_prob = 0.002
bypass_share = 0.1
countries = [
  { name = "US", targeting = 0.6, mfa_adoption = 0.6 },
  { name = "IT", targeting = 0.4, mfa_adoption = 0.4, prob_multiplier = 1.5 },
]
sectors = [
  { name = "finance", targeting = 0.3, monetise_prob = 0.02, loss_median_usd = 60000, loss_sigma = 1.2, mfa_multiplier = 1.5 },
  { name = "public", targeting = 0.7, prob_multiplier = 0.5, monetise_prob = 0.01, loss_median_usd = 20000, loss_sigma = 1.0 },
]

[[arms]]
name = "baseline"

[[arms]]
name = "takedown"
interventions = [
  { kind = "takedown", start = 5, target = { provider = "Alpha" }, capacity_seized = 0.6, downtime_days = 10, customer_data_seized = true },
]

[[arms]]
name = "arrest"
interventions = [
  { kind = "takedown", start = 5, target = { provider = "Alpha" }, capacity_seized = 0.1, downtime_days = 0, arrest_probability = 1.0 },
]

[[arms]]
name = "payment"
interventions = [
  { kind = "payment_disruption", start = 5, duration_days = 10, conversion_factor = 0.3, fee_share = 0.2 },
  { kind = "payment_disruption", start = 12, duration_days = 10, conversion_factor = 0.5, fee_share = 0.1 },
]

[[arms]]
name = "hardening"
interventions = [
  { kind = "victim_hardening", start = 5, top_segments = 2, mfa_adoption_increase = 0.3, bypass_share_factor = 0.5, ramp_days = 4 },
]

[[arms]]
name = "deterrence"
interventions = [
  { kind = "deterrence_messaging", start = 5, duration_days = 10, arrival_factor = 0.6, risk_shock = 0.005, cost_usd = 1000 },
]
"#;

/// The small world's model, with `--set` style overrides.
pub fn model(overrides: &[&str]) -> Model {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    load_text(TEXT, "small-world.toml", &overrides).unwrap()
}

/// The index of the arm named `name`.
pub fn arm(model: &Model, name: &str) -> usize {
    model.arms.iter().position(|a| a.name == name).unwrap()
}

/// Equal up to floating-point rounding of a few operations (relative 1e-12,
/// absolute below 1).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}
