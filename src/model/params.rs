//! The scenario file format: plain serde structs, strict (`deny_unknown_fields`),
//! with every default written down here so that `caasim check` can print it.
//!
//! The meaning of each parameter, its equation and the source of its default
//! are in `docs/MODEL.md`; the doc comments here are the short form.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name, length, seed and replications.
    pub scenario: Meta,
    /// Market-wide behavioural parameters.
    #[serde(default)]
    pub market: Market,
    /// How new providers enter.
    #[serde(default)]
    pub entry: Entry,
    /// Jurisdictions with an enforcement climate or hosting of their own
    /// (`[jurisdictions.<code>]`); a jurisdiction named only by a provider
    /// or a coalition has the defaults.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub jurisdictions: BTreeMap<String, JurisdictionSpec>,
    /// Provider classes present at the start (each expanded to `count` providers).
    pub providers: Vec<ProviderSpec>,
    /// Attacker types present at the start.
    pub attackers: Vec<AttackerSpec>,
    /// Victim segments: countries x sectors.
    pub victims: Victims,
    /// The arms compared: the baseline (implicit when not listed) and intervention arms.
    #[serde(default)]
    pub arms: Vec<Arm>,
    /// Uncertain parameters: a key path, as `--set` takes it (e.g.
    /// `"market.search_days"`), with the distribution its value is drawn
    /// from once per replication. The value written in the scenario is the
    /// central value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub uncertain: BTreeMap<String, Uncertain>,
    /// What a workshop room (`caasim serve`) may let the room adjust. Not
    /// part of the model: no run reads it, so a resolved scenario (and a
    /// results folder's manifest) leaves it out.
    #[serde(default, skip_serializing)]
    pub workshop: Workshop,
}

/// The `[workshop]` table: presentation settings of `caasim serve`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Workshop {
    /// Market assumptions the room may change once the facilitator unlocks
    /// the baseline: keys of `[uncertain]` (whose range bounds the control),
    /// e.g. `"market.search_days"`.
    #[serde(default)]
    pub adjustable: Vec<String>,
}

/// The distribution of an uncertain parameter (`[uncertain]`). Every
/// distribution is bounded: its draws lie in [`Uncertain::support`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Uncertain {
    /// Uniform on [low, high].
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Log-uniform on [low, high] (0 < low): the logarithm is uniform.
    LogUniform {
        /// Lower bound (above 0).
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Triangular on [low, high] with its peak at `mode`.
    Triangular {
        /// Lower bound.
        low: f64,
        /// The most likely value (low <= mode <= high).
        mode: f64,
        /// Upper bound.
        high: f64,
    },
    /// Normal with `mean` and `sd`, truncated to [low, high].
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation (above 0).
        sd: f64,
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Log-normal with `median` and log-scale `sigma`, truncated to [low, high] (0 < low).
    LogNormal {
        /// Median before truncation (above 0).
        median: f64,
        /// Standard deviation of the logarithm (above 0).
        sigma: f64,
        /// Lower bound (above 0).
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// One of `values`, each equally likely.
    Choice {
        /// The values (at least one).
        values: Vec<f64>,
    },
}

impl Uncertain {
    /// The smallest and largest value a draw can take.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Uncertain::Uniform { low, high }
            | Uncertain::LogUniform { low, high }
            | Uncertain::Triangular { low, high, .. }
            | Uncertain::Normal { low, high, .. }
            | Uncertain::LogNormal { low, high, .. } => (*low, *high),
            Uncertain::Choice { values } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                }),
        }
    }
}

/// Identity, length and randomness of a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short name, used for the default results folder (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// One paragraph saying what the scenario represents.
    #[serde(default)]
    pub description: String,
    /// Calendar date of day 0 (`YYYY-MM-DD`); lets interventions be scheduled by date.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Number of recorded days.
    pub days: u32,
    /// Days simulated before day 0 and not recorded, so that the market settles.
    #[serde(default = "defaults::burn_in_days")]
    pub burn_in_days: u32,
    /// Master seed of every random stream.
    #[serde(default = "defaults::seed")]
    pub seed: u64,
    /// Replications per arm.
    #[serde(default = "defaults::replications")]
    pub replications: u32,
    /// Replications per parameter draw of a scenario with `[uncertain]`:
    /// the replications are split, in order, into groups of this many (the
    /// last group shorter when it does not divide them), each run with its
    /// own draw of every uncertain parameter; 0 runs every replication at
    /// the central values (`--fixed`). Default: 1 (a draw per replication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications_per_draw: Option<u32>,
}

/// Market-wide behaviour of attackers and providers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Market {
    /// Days of service bought by one subscription payment.
    pub subscription_days: u32,
    /// Phishing emails one seat sends per day.
    pub emails_per_seat_per_day: f64,
    /// Logit choice: dollars of monthly seat price worth one unit of utility.
    pub choice_price_scale_usd: f64,
    /// Logit choice: utility of full reputation (reputation 1 against 0).
    pub choice_reputation_weight: f64,
    /// Logit choice: one-off cost of moving to another provider, in dollars.
    pub switching_cost_usd: f64,
    /// Days without campaigns after moving to another provider (rebuilding
    /// kits, lists and sender reputation); the seats are rented meanwhile.
    pub switching_rebuild_days: u32,
    /// Mean search time in days when no reputable provider is visible.
    pub search_days: f64,
    /// How much findability (the reputation-weighted share of serving
    /// capacity on sale, 0-1) shortens search.
    pub search_visibility: f64,
    /// Days an attacker waits for spare capacity before going dormant.
    pub patience_days: u32,
    /// Half-life of perceived risk, in days.
    pub risk_half_life_days: f64,
    /// Jump in the perceived risk of a struck provider's working customers
    /// when a takedown seizes its customer data (how much being exposed
    /// frightens the exposed: attacker behaviour, one value for every arm).
    pub risk_shock_customers: f64,
    /// Jump in the perceived risk of every attacker when a takedown seizes
    /// the data of every working attacker (scaled by the share exposed).
    pub risk_shock_all: f64,
    /// Share of capacity providers aim to have in use.
    pub target_utilisation: f64,
    /// Largest capacity a provider may order in a day, as a share of its
    /// capacity (its size class: a small provider cannot order a large one's
    /// worth of servers at once).
    pub capacity_growth_per_day: f64,
    /// One-off cost of provisioning a seat of capacity (servers, clean IP
    /// ranges and domains, sender reputation), in dollars.
    pub provisioning_cost_usd_per_seat: f64,
    /// Days between ordering capacity and selling it.
    pub investment_lead_days: u32,
    /// Days of margin a new seat must earn back its provisioning cost over.
    pub investment_horizon_days: f64,
    /// Largest daily capacity reduction as a share of capacity.
    pub capacity_shrink_per_day: f64,
    /// Floor, in seats, of the capacity the order ceiling is a share of (lets
    /// small providers grow).
    pub capacity_min_step_seats: f64,
    /// Share of the gap to the target price closed per day.
    pub price_adjust_per_day: f64,
    /// Elasticity of price to utilisation above or below the target.
    pub price_scarcity_elasticity: f64,
    /// Risk premium in dollars per seat-month per unit of enforcement pressure
    /// (one unit: a takedown operation that took the whole class off sale).
    pub risk_premium_usd: f64,
    /// Half-life of enforcement pressure, in days.
    pub pressure_half_life_days: f64,
    /// Share of the gap to its own quality that reputation closes per day while up.
    pub reputation_growth_per_day: f64,
    /// Share of reputation lost when a provider is hit.
    pub reputation_loss_on_hit: f64,
    /// Share of the gap to full resilience a hit provider learns.
    pub resilience_learning_hit: f64,
    /// Share of the gap to full resilience the hit provider's peers (same
    /// class) learn when the whole class is taken off sale (in proportion to
    /// the share taken).
    pub resilience_learning_peers: f64,
    /// Extra cost per seat-day at full resilience, in dollars.
    pub resilience_cost_usd_per_seat_day: f64,
    /// Daily probability that a dormant attacker looks at the market again.
    pub dormant_return_per_day: f64,
    /// Share of the attackers deterred by perceived risk who desist for good
    /// (leave the market); the rest go dormant and may come back.
    pub deterred_desist_share: f64,
    /// Daily probability that an attacker gone dormant because it was
    /// deterred looks at the market again (default: `dormant_return_per_day`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deterred_return_per_day: Option<f64>,
    /// Share of compromises that MFA prevents when not bypassed.
    pub mfa_efficacy: f64,
    /// Share of its capacity in the jurisdictions that acted that a
    /// provider of a struck class moves elsewhere after a coalition
    /// operation (0: none moves).
    pub relocation_share: f64,
    /// Days from a coalition operation to the move of the capacity relocated.
    pub relocation_lag_days: u32,
    /// Cost of moving one seat of capacity to another jurisdiction, in dollars.
    pub relocation_cost_usd_per_seat: f64,
    /// How strongly enforcement risk steers where providers place new and
    /// moved capacity (exponential rate per unit of risk; 0: risk is ignored).
    pub placement_risk_aversion: f64,
}

/// One jurisdiction's enforcement climate and hosting (`[jurisdictions.<code>]`,
/// MODEL.md 7.17).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct JurisdictionSpec {
    /// Standing enforcement risk providers see there, in the units of the
    /// pressure one coalition operation acting there adds (1).
    pub enforcement_risk: f64,
    /// Weight of the hosting any provider can buy there for new or moved
    /// capacity, beside its own locations (0: only providers located
    /// there place capacity there).
    pub hosting_weight: f64,
    /// Cost of provisioning (or moving) a seat there, relative to the
    /// market's `provisioning_cost_usd_per_seat` (1: the same).
    pub cost_factor: f64,
}

impl Default for JurisdictionSpec {
    fn default() -> Self {
        JurisdictionSpec {
            enforcement_risk: 0.0,
            hosting_weight: 0.0,
            cost_factor: 1.0,
        }
    }
}

/// Entry of new providers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Entry {
    /// Entries per day with no unmet demand.
    pub base_per_day: f64,
    /// Entries per day when unmet demand is saturating.
    pub max_per_day: f64,
    /// Unmet demand (share of seats wanted) at which entry is half its maximum.
    pub unmet_half_saturation: f64,
    /// How strongly enforcement pressure deters entry (exponential rate).
    pub pressure_deterrence: f64,
    /// Upper bound on providers alive at once.
    pub max_providers: u32,
    /// Days between an entrant's decision and its first sale.
    pub setup_days: u32,
    /// What a new provider looks like.
    pub template: ProviderTemplate,
}

/// The economic parameters of a provider, shared by initial providers and entrants.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderTemplate {
    /// Class, e.g. `vds`, `phaas`, `bulletproof`.
    pub class: String,
    /// Jurisdiction label: where it is registered and, by default, where
    /// its servers, storefront and operators are.
    #[serde(default = "defaults::jurisdiction")]
    pub jurisdiction: String,
    /// Where its capacity (servers) is: a weight per jurisdiction, made
    /// into shares (default: all in `jurisdiction`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub located: BTreeMap<String, f64>,
    /// Where its storefront and domains are, as civil courts reach them: a
    /// weight per jurisdiction, made into shares (default: all in
    /// `jurisdiction`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storefront: BTreeMap<String, f64>,
    /// Where its operators live (default: `jurisdiction`): only a police
    /// action there can arrest them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operators_in: Option<String>,
    /// Where its customer data is kept (default: `jurisdiction`): only a
    /// police action there can seize it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_in: Option<String>,
    /// Where its payment channels are (processors, exchanges, accounts), as
    /// a coalition's payment disruption reaches them: a weight per
    /// jurisdiction, made into shares (default: all in `jurisdiction`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub payments: BTreeMap<String, f64>,
    /// Seats at the start.
    pub capacity_seats: f64,
    /// List price per seat per subscription period, in dollars.
    pub price_usd: f64,
    /// Running cost per seat per day, in dollars.
    pub unit_cost_usd_per_seat_day: f64,
    /// Fixed running cost per day, in dollars.
    #[serde(default)]
    pub fixed_cost_usd_per_day: f64,
    /// Reputation in [0, 1] at the start.
    pub reputation: f64,
    /// The level, in [0, 1], that reputation moves toward while the provider
    /// sells: the quality of its brand and service. Default: its starting
    /// `reputation` (a provider starts at its own level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<f64>,
    /// Share of capacity that survives a seizure, in [0, 1].
    pub resilience: f64,
    /// Cash at the start, in dollars.
    pub cash_usd: f64,
}

/// Providers present at the start: `count` copies of one class.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// Name (with `-1`, `-2`, ... appended when `count > 1`).
    pub name: String,
    /// How many such providers.
    #[serde(default = "defaults::one")]
    pub count: u32,
    /// Class, e.g. `vds`, `phaas`, `bulletproof`.
    pub class: String,
    /// Jurisdiction label: where it is registered and, by default, where
    /// its servers, storefront and operators are.
    #[serde(default = "defaults::jurisdiction")]
    pub jurisdiction: String,
    /// Where its capacity (servers) is: a weight per jurisdiction, made
    /// into shares (default: all in `jurisdiction`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub located: BTreeMap<String, f64>,
    /// Where its storefront and domains are, as civil courts reach them: a
    /// weight per jurisdiction, made into shares (default: all in
    /// `jurisdiction`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storefront: BTreeMap<String, f64>,
    /// Where its operators live (default: `jurisdiction`): only a police
    /// action there can arrest them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operators_in: Option<String>,
    /// Where its customer data is kept (default: `jurisdiction`): only a
    /// police action there can seize it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_in: Option<String>,
    /// Where its payment channels are (processors, exchanges, accounts), as
    /// a coalition's payment disruption reaches them: a weight per
    /// jurisdiction, made into shares (default: all in `jurisdiction`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub payments: BTreeMap<String, f64>,
    /// Seats at the start.
    pub capacity_seats: f64,
    /// List price per seat per subscription period, in dollars.
    pub price_usd: f64,
    /// Running cost per seat per day, in dollars.
    pub unit_cost_usd_per_seat_day: f64,
    /// Fixed running cost per day, in dollars.
    #[serde(default)]
    pub fixed_cost_usd_per_day: f64,
    /// Reputation in [0, 1] at the start.
    pub reputation: f64,
    /// The level, in [0, 1], that reputation moves toward while the provider
    /// sells: the quality of its brand and service. Default: its starting
    /// `reputation` (a provider starts at its own level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<f64>,
    /// Share of capacity that survives a seizure, in [0, 1].
    pub resilience: f64,
    /// Cash at the start, in dollars.
    pub cash_usd: f64,
}

impl ProviderSpec {
    /// The economic parameters, without name and count.
    pub fn economics(&self) -> ProviderTemplate {
        ProviderTemplate {
            class: self.class.clone(),
            jurisdiction: self.jurisdiction.clone(),
            located: self.located.clone(),
            storefront: self.storefront.clone(),
            operators_in: self.operators_in.clone(),
            data_in: self.data_in.clone(),
            payments: self.payments.clone(),
            capacity_seats: self.capacity_seats,
            price_usd: self.price_usd,
            unit_cost_usd_per_seat_day: self.unit_cost_usd_per_seat_day,
            fixed_cost_usd_per_day: self.fixed_cost_usd_per_day,
            reputation: self.reputation,
            quality: self.quality,
            resilience: self.resilience,
            cash_usd: self.cash_usd,
        }
    }
}

/// A distribution of a per-attacker attribute.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Always `value`.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform on [low, high].
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Log-normal with the given median and log-scale standard deviation.
    Lognormal {
        /// Median.
        median: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
}

/// A type of attacker present at the start.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttackerSpec {
    /// Type name, e.g. `bec-crew`.
    pub name: String,
    /// Attackers of this type at the start (and the scale of their arrivals).
    pub count: u32,
    /// Seats wanted (rounded, at least 1).
    pub seats: Dist,
    /// Conversion multiplier.
    pub skill: Dist,
    /// Perceived risk above which the attacker leaves.
    pub risk_tolerance: Dist,
    /// Perceived risk (monthly sanction probability) at the start.
    #[serde(default = "defaults::initial_risk")]
    pub initial_risk: f64,
    /// Cash at the start, in dollars.
    pub cash_usd: f64,
    /// Share of monetised losses the attacker keeps (the rest goes to mules and laundering).
    pub kept_share: f64,
    /// Cost of running a campaign from one seat for one day (kits, lists, lures), in dollars.
    pub campaign_cost_usd_per_seat_day: f64,
    /// Overhead per day while in the market (working or searching): staff,
    /// tools, mule fees; it keeps running when a takedown idles the attacker.
    #[serde(default)]
    pub overhead_usd_per_day: f64,
    /// Daily profit below which the attacker stops (outside option), in dollars.
    pub reservation_usd_per_day: f64,
    /// Cost to the attacker of a sanction (arrest, seizure), in dollars.
    pub sanction_cost_usd: f64,
    /// Daily probability of leaving the market for good.
    pub attrition_per_day: f64,
    /// Elasticity of arrivals to expected profit.
    #[serde(default = "defaults::one_f")]
    pub arrival_profit_elasticity: f64,
    /// How strongly market-wide perceived risk lowers arrivals (exponential rate).
    #[serde(default = "defaults::arrival_risk_sensitivity")]
    pub arrival_risk_sensitivity: f64,
}

/// Victims: segments are all (country, sector) pairs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Victims {
    /// Compromise probability per email before MFA, at multiplier 1.
    pub compromise_prob: f64,
    /// Share of MFA-protected attacks that bypass MFA (adversary in the middle).
    pub bypass_share: f64,
    /// Countries.
    pub countries: Vec<Country>,
    /// Sectors.
    pub sectors: Vec<Sector>,
}

/// A victim country.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// Name or ISO code.
    pub name: String,
    /// Relative share of emails aimed at the country.
    pub targeting: f64,
    /// Share of accounts protected by MFA.
    pub mfa_adoption: f64,
    /// Multiplier on the compromise probability.
    #[serde(default = "defaults::one_f")]
    pub prob_multiplier: f64,
}

/// A victim sector.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    /// Name.
    pub name: String,
    /// Relative share of emails aimed at the sector.
    pub targeting: f64,
    /// Multiplier on the compromise probability.
    #[serde(default = "defaults::one_f")]
    pub prob_multiplier: f64,
    /// Multiplier on the country's MFA adoption (capped at 1).
    #[serde(default = "defaults::one_f")]
    pub mfa_multiplier: f64,
    /// Probability that a compromise is monetised.
    pub monetise_prob: f64,
    /// Median loss of a monetised compromise, in dollars.
    pub loss_median_usd: f64,
    /// Log-scale standard deviation of the loss.
    pub loss_sigma: f64,
}

/// An arm: a named list of interventions.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Arm {
    /// Name; `baseline` is the comparison arm and must have no interventions.
    pub name: String,
    /// What the arm represents.
    #[serde(default)]
    pub description: String,
    /// First day of the evaluation window (default: the first intervention day).
    #[serde(default)]
    pub window_start: Option<When>,
    /// Last day of the evaluation window (default: the last day).
    #[serde(default)]
    pub window_end: Option<When>,
    /// The interventions.
    #[serde(default)]
    pub interventions: Vec<super::interventions::Intervention>,
}

/// A day given as a number of days from the start or as a date `YYYY-MM-DD`.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum When {
    /// Days from the start (day 0).
    Day(u32),
    /// A calendar date (needs `scenario.start_date`).
    Date(String),
}

/// Read by hand (not `untagged`) so that a wrong value is named: a day
/// number or a date, not "data did not match any variant".
impl<'de> Deserialize<'de> for When {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, Unexpected, Visitor};

        struct WhenVisitor;

        impl Visitor<'_> for WhenVisitor {
            type Value = When;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a day number from 0 (the first recorded day) or a date in quotes, \"YYYY-MM-DD\"")
            }

            fn visit_u64<E: Error>(self, v: u64) -> Result<When, E> {
                u32::try_from(v)
                    .map(When::Day)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }

            fn visit_i64<E: Error>(self, v: i64) -> Result<When, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::invalid_value(Unexpected::Signed(v), &self)),
                }
            }

            fn visit_str<E: Error>(self, v: &str) -> Result<When, E> {
                Ok(When::Date(v.to_string()))
            }
        }

        deserializer.deserialize_any(WhenVisitor)
    }
}

/// Default values, one function each, referred to by the serde attributes.
pub mod defaults {
    pub(crate) fn burn_in_days() -> u32 {
        180
    }
    pub(crate) fn seed() -> u64 {
        1
    }
    pub(crate) fn replications() -> u32 {
        10
    }
    pub(crate) fn jurisdiction() -> String {
        "unknown".to_string()
    }
    pub(crate) fn one() -> u32 {
        1
    }
    pub(crate) fn one_f() -> f64 {
        1.0
    }
    pub(crate) fn initial_risk() -> f64 {
        0.005
    }
    pub(crate) fn arrival_risk_sensitivity() -> f64 {
        2.0
    }
}

impl Default for Market {
    fn default() -> Self {
        Market {
            subscription_days: 30,
            emails_per_seat_per_day: 385.0,
            choice_price_scale_usd: 10.0,
            choice_reputation_weight: 2.0,
            switching_cost_usd: 20.0,
            switching_rebuild_days: 3,
            search_days: 20.0,
            search_visibility: 1.0,
            patience_days: 30,
            risk_half_life_days: 60.0,
            risk_shock_customers: 0.01,
            risk_shock_all: 0.001,
            target_utilisation: 0.85,
            capacity_growth_per_day: 0.02,
            provisioning_cost_usd_per_seat: 20.0,
            investment_lead_days: 7,
            investment_horizon_days: 90.0,
            capacity_shrink_per_day: 0.005,
            capacity_min_step_seats: 5.0,
            price_adjust_per_day: 0.05,
            price_scarcity_elasticity: 2.0,
            risk_premium_usd: 4.0,
            pressure_half_life_days: 90.0,
            reputation_growth_per_day: 0.005,
            reputation_loss_on_hit: 0.5,
            resilience_learning_hit: 0.3,
            resilience_learning_peers: 0.1,
            resilience_cost_usd_per_seat_day: 0.3,
            dormant_return_per_day: 0.01,
            deterred_desist_share: 0.0,
            deterred_return_per_day: None,
            mfa_efficacy: 0.99,
            relocation_share: 0.0,
            relocation_lag_days: 14,
            relocation_cost_usd_per_seat: 20.0,
            placement_risk_aversion: 0.0,
        }
    }
}

impl Default for Entry {
    fn default() -> Self {
        Entry {
            base_per_day: 0.0,
            max_per_day: 0.1,
            unmet_half_saturation: 0.05,
            pressure_deterrence: 0.5,
            max_providers: 200,
            setup_days: 14,
            template: ProviderTemplate {
                class: "vds".to_string(),
                jurisdiction: defaults::jurisdiction(),
                located: BTreeMap::new(),
                storefront: BTreeMap::new(),
                operators_in: None,
                data_in: None,
                payments: BTreeMap::new(),
                capacity_seats: 40.0,
                price_usd: 30.0,
                unit_cost_usd_per_seat_day: 0.45,
                fixed_cost_usd_per_day: 5.0,
                reputation: 0.2,
                quality: None,
                resilience: 0.2,
                cash_usd: 10_000.0,
            },
        }
    }
}
