//! Validation: every value in range, every name resolved, every date in the
//! run, and the resolved [`Model`] built. Problems are collected (not just the
//! first) and each is located at the line of its key.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::base::{Base, Refusal};
use super::ensemble;
use super::error::{Place, Problem, ScenarioError};
use super::load::Parsed;
use super::locate::{Locator, Override, Step};
use crate::check::{Checks, Seg, key};
use crate::model::calendar::parse_date;
use crate::model::config::{Action, ArmPlan, Model, NamedProvider, SegmentSpec, expanded_names};
use crate::model::ensemble::Ensemble;
use crate::model::entry::MAX_PROVIDERS_EVER;
use crate::model::interventions::Context;
use crate::model::interventions::takedown::TargetNames;
use crate::model::jurisdiction::Jurisdictions;
use crate::model::params::{Arm, AttackerSpec, Dist, ProviderTemplate, Scenario, Uncertain};
use crate::model::uncertain::{UncertainParameter, normal_mass};
use crate::resources::WAVE_PER_THREAD;
use crate::resources::gib;
use crate::resources::memory::{NO_MEMORY_CHECK_VAR, available_memory, memory_estimate};

use crate::check::MAX_TOTAL_DAYS;
/// Most replications accepted.
pub const MAX_REPLICATIONS: u32 = 100_000;
/// Most attackers at the start accepted (before the memory estimate).
pub const MAX_ATTACKERS: u64 = 200_000_000;
/// Most victim segments accepted.
pub const MAX_SEGMENTS: usize = 5_000_000;
/// Most intervention days scheduled over all arms (repeats included).
pub const MAX_ACTIONS: u64 = 1_000_000;
use Seg::{Index as I, Key as K};

/// Collects problems and locates them in the file (or at a `--set`).
struct Checker<'a> {
    locator: Locator<'a>,
    problems: Vec<(usize, Problem)>,
}

impl<'a> Checker<'a> {
    fn new(source: &'a str, overrides: &'a [Override]) -> Self {
        Checker {
            locator: Locator::new(source, overrides),
            problems: Vec::new(),
        }
    }

    fn fail_at(&mut self, path: &[Seg], message: impl Into<String>) {
        let steps: Vec<Step> = path
            .iter()
            .map(|seg| match seg {
                Seg::Key(k) => Step::Key((*k).to_string()),
                Seg::Index(i) => Step::Index(*i),
            })
            .collect();
        let problem = self.locator.problem(&steps, None, message.into());
        let order = match problem.place {
            Place::Flag => 0,
            Place::File => usize::MAX,
            Place::Line { line, column } => line.saturating_mul(1 << 20).saturating_add(column),
        };
        self.problems.push((order, problem));
    }

    fn finish(mut self, origin: &str) -> Result<(), ScenarioError> {
        if self.problems.is_empty() {
            return Ok(());
        }
        self.problems.sort_by_key(|(order, _)| *order);
        Err(ScenarioError {
            origin: origin.to_string(),
            problems: self.problems.into_iter().map(|(_, p)| p).collect(),
        })
    }
}

impl Checks for Checker<'_> {
    fn fail(&mut self, path: &[Seg], message: String) {
        self.fail_at(path, message);
    }
}

impl Checker<'_> {
    /// Report a problem at `path` (a message of any string type).
    fn fail(&mut self, path: &[Seg], message: impl Into<String>) {
        self.fail_at(path, message);
    }
}

/// Validate a parsed scenario and build its model.
pub fn validate(parsed: Parsed) -> Result<Model, ScenarioError> {
    let mut check = Checker::new(&parsed.source, &parsed.overrides);
    let available = memory_limit();
    let resolved = check_sections(&mut check, &parsed.scenario, available);
    super::workshop::check(&mut check, &parsed.scenario);
    // Uncertain parameters are tried on the scenario, so only on one
    // without other problems.
    let (uncertain, ensemble) = if check.problems.is_empty() {
        check_draws(&mut check, &parsed, available)
    } else {
        (Vec::new(), None)
    };
    check.finish(&parsed.origin)?;
    let mut model = resolved.model(parsed.scenario, uncertain);
    model.ensemble = ensemble;
    model.posterior = parsed.posterior;
    Ok(model)
}

/// The model of a scenario without `[uncertain]` and posterior, built in
/// memory, when it has no problem; `None` when it has one (the caller
/// then loads its text, which locates the problems). `available` is the
/// memory the memory check allows ([`memory_limit`]).
pub(super) fn model_if_valid(scenario: Scenario, available: Option<f64>) -> Option<Model> {
    let mut check = Checker::new("", &[]);
    let resolved = check_sections(&mut check, &scenario, available);
    check
        .problems
        .is_empty()
        .then(|| resolved.model(scenario, Vec::new()))
}

/// Whether a scenario without `[uncertain]` and posterior, built in memory,
/// has no problem (see [`model_if_valid`]).
pub(super) fn is_valid(scenario: &Scenario, available: Option<f64>) -> bool {
    let mut check = Checker::new("", &[]);
    check_sections(&mut check, scenario, available);
    check.problems.is_empty()
}

/// What the checks of the sections resolve (each `None` after a problem).
struct Resolved {
    start_date: Option<NaiveDate>,
    segments: Option<Vec<SegmentSpec>>,
    arms: Option<Vec<ArmPlan>>,
}

impl Resolved {
    /// The model of a scenario whose checks found no problem.
    fn model(self, scenario: Scenario, uncertain: Vec<UncertainParameter>) -> Model {
        let arms = self
            .arms
            .expect("arms are resolved when no problem was found");
        let segments = self
            .segments
            .expect("segments are built when no problem was found");
        build(scenario, self.start_date, arms, segments, uncertain)
    }
}

/// Check every section of the scenario (all but `[uncertain]`), with
/// `available` bytes of memory for the run.
fn check_sections(check: &mut Checker, s: &Scenario, available: Option<f64>) -> Resolved {
    let start_date = check_meta(check, s);
    check_market(check, s);
    check_providers(check, s);
    check_attackers(check, s);
    let segments = check_victims(check, s);
    let arms = check_arms(check, s, start_date, segments.as_deref());
    match (&segments, &arms) {
        (Some(segments), Some(arms)) => check_memory(check, s, segments, arms, available),
        _ => check_memory(check, s, &[], &[], available),
    }
    Resolved {
        start_date,
        segments,
        arms,
    }
}

/// Check `[uncertain]` and build the ensemble, on the scenario without
/// the table parsed once (its [`Base`]), with `available` bytes of memory
/// for each run; nothing for a scenario with neither uncertain parameters
/// nor a posterior.
fn check_draws(
    check: &mut Checker,
    parsed: &Parsed,
    available: Option<f64>,
) -> (Vec<UncertainParameter>, Option<Ensemble>) {
    if parsed.scenario.uncertain.is_empty() && parsed.posterior.is_none() {
        return (Vec::new(), None);
    }
    let base = Base::new(parsed, available);
    let uncertain = check_uncertain(check, parsed, &base);
    let ensemble = if check.problems.is_empty() {
        ensemble::check(check, parsed, &base, &uncertain)
    } else {
        None
    };
    (uncertain, ensemble)
}

fn check_meta(check: &mut Checker, s: &Scenario) -> Option<NaiveDate> {
    let m = &s.scenario;
    let name_ok = !m.name.is_empty()
        && m.name.len() <= 100
        && !m.name.starts_with('.')
        && m.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c));
    if !name_ok {
        check.fail(
            &[K("scenario"), K("name")],
            format!(
                "is {:?}; allowed: 1-100 characters among letters, digits, `-`, `_`, `.`, `+`, not starting with `.` (it names the results folder)",
                m.name
            ),
        );
    }
    let total = u64::from(m.days) + u64::from(m.burn_in_days);
    if m.days == 0 || (total > u64::from(MAX_TOTAL_DAYS) && m.days >= m.burn_in_days) {
        check.fail(
            &[K("scenario"), K("days")],
            format!(
                "is {}; allowed: days >= 1 and days + burn_in_days <= {MAX_TOTAL_DAYS}",
                m.days
            ),
        );
    }
    if total > u64::from(MAX_TOTAL_DAYS) && m.burn_in_days > m.days {
        check.fail(
            &[K("scenario"), K("burn_in_days")],
            format!(
                "is {}; allowed: days + burn_in_days <= {MAX_TOTAL_DAYS}",
                m.burn_in_days
            ),
        );
    }
    if m.replications == 0 || m.replications > MAX_REPLICATIONS {
        check.fail(
            &[K("scenario"), K("replications")],
            format!("is {}; allowed: 1 to {MAX_REPLICATIONS}", m.replications),
        );
    }
    let date = m.start_date.as_ref()?;
    match parse_date(date) {
        Some(d) => Some(d),
        None => {
            check.fail(
                &[K("scenario"), K("start_date")],
                format!("is {date:?}; allowed: a date from 1900-01-01 to 2200-12-31 written YYYY-MM-DD, e.g. \"2025-09-01\""),
            );
            None
        }
    }
}

/// The most emails a seat can send a day: spam-scale markets, where one
/// botnet's "seat" sends billions a day (docs/MODEL.md, 7.1).
const MAX_EMAILS_PER_SEAT_PER_DAY: f64 = 1e10;

fn check_market(check: &mut Checker, s: &Scenario) {
    let m = &s.market;
    let p = |key| [K("market"), K(key)];
    check.days(&p("subscription_days"), m.subscription_days, 1);
    check.days(&p("patience_days"), m.patience_days, 0);
    check.range(
        &p("emails_per_seat_per_day"),
        m.emails_per_seat_per_day,
        0.0,
        MAX_EMAILS_PER_SEAT_PER_DAY,
    );
    check.positive(&p("choice_price_scale_usd"), m.choice_price_scale_usd);
    check.range(
        &p("choice_reputation_weight"),
        m.choice_reputation_weight,
        -100.0,
        100.0,
    );
    check.non_negative(&p("switching_cost_usd"), m.switching_cost_usd);
    check.days(&p("switching_rebuild_days"), m.switching_rebuild_days, 0);
    check.range(&p("search_days"), m.search_days, 0.0, 3650.0);
    check.range(&p("search_visibility"), m.search_visibility, 0.0, 1e6);
    check.positive(&p("risk_half_life_days"), m.risk_half_life_days);
    check.range(&p("risk_shock_customers"), m.risk_shock_customers, 0.0, 1e6);
    check.range(&p("risk_shock_all"), m.risk_shock_all, 0.0, 1e6);
    check.positive(&p("pressure_half_life_days"), m.pressure_half_life_days);
    if !(m.target_utilisation > 0.0 && m.target_utilisation <= 1.0) {
        check.fail(
            &p("target_utilisation"),
            format!(
                "is {}; allowed: more than 0, at most 1",
                m.target_utilisation
            ),
        );
    }
    for (key, value) in [
        ("capacity_growth_per_day", m.capacity_growth_per_day),
        ("capacity_shrink_per_day", m.capacity_shrink_per_day),
        ("price_adjust_per_day", m.price_adjust_per_day),
        ("reputation_growth_per_day", m.reputation_growth_per_day),
        ("reputation_loss_on_hit", m.reputation_loss_on_hit),
        ("resilience_learning_hit", m.resilience_learning_hit),
        ("resilience_learning_peers", m.resilience_learning_peers),
        ("dormant_return_per_day", m.dormant_return_per_day),
        ("deterred_desist_share", m.deterred_desist_share),
        ("mfa_efficacy", m.mfa_efficacy),
        ("relocation_share", m.relocation_share),
    ] {
        check.probability(&p(key), value);
    }
    if let Some(rate) = m.deterred_return_per_day {
        check.probability(&p("deterred_return_per_day"), rate);
    }
    check.range(
        &p("capacity_min_step_seats"),
        m.capacity_min_step_seats,
        0.0,
        1e9,
    );
    check.range(
        &p("price_scarcity_elasticity"),
        m.price_scarcity_elasticity,
        0.0,
        100.0,
    );
    check.range(&p("risk_premium_usd"), m.risk_premium_usd, 0.0, 1e9);
    check.range(
        &p("provisioning_cost_usd_per_seat"),
        m.provisioning_cost_usd_per_seat,
        0.0,
        1e9,
    );
    check.days(&p("investment_lead_days"), m.investment_lead_days, 0);
    check.days(&p("relocation_lag_days"), m.relocation_lag_days, 0);
    check.range(
        &p("relocation_cost_usd_per_seat"),
        m.relocation_cost_usd_per_seat,
        0.0,
        1e9,
    );
    check.range(
        &p("placement_risk_aversion"),
        m.placement_risk_aversion,
        0.0,
        100.0,
    );
    for (name, spec) in &s.jurisdictions {
        let at = |key| [K("jurisdictions"), K(name), K(key)];
        check.range(&at("enforcement_risk"), spec.enforcement_risk, 0.0, 1e3);
        check.range(&at("hosting_weight"), spec.hosting_weight, 0.0, 1e9);
        check.range(&at("cost_factor"), spec.cost_factor, 1e-3, 1e3);
    }
    check.range(
        &p("investment_horizon_days"),
        m.investment_horizon_days,
        0.0,
        f64::from(MAX_TOTAL_DAYS),
    );
    check.range(
        &p("resilience_cost_usd_per_seat_day"),
        m.resilience_cost_usd_per_seat_day,
        0.0,
        1e9,
    );
    let e = &s.entry;
    let q = |key| [K("entry"), K(key)];
    check.range(&q("base_per_day"), e.base_per_day, 0.0, 1000.0);
    check.range(&q("max_per_day"), e.max_per_day, 0.0, 1000.0);
    check.positive(&q("unmet_half_saturation"), e.unmet_half_saturation);
    check.range(&q("pressure_deterrence"), e.pressure_deterrence, 0.0, 100.0);
    check.days(&q("setup_days"), e.setup_days, 0);
    if e.max_providers as usize > MAX_PROVIDERS_EVER {
        check.fail(
            &q("max_providers"),
            format!(
                "is {}; allowed: at most {MAX_PROVIDERS_EVER}",
                e.max_providers
            ),
        );
    }
    check_economics(check, &[K("entry"), K("template")], &e.template);
}

fn check_economics(check: &mut Checker, at: &[Seg], e: &ProviderTemplate) {
    let p = |key| [at, &[K(key)]].concat();
    check.range(&p("capacity_seats"), e.capacity_seats, 0.0, 1e9);
    check.range(&p("price_usd"), e.price_usd, 0.0, 1e9);
    check.range(
        &p("unit_cost_usd_per_seat_day"),
        e.unit_cost_usd_per_seat_day,
        0.0,
        1e9,
    );
    check.range(
        &p("fixed_cost_usd_per_day"),
        e.fixed_cost_usd_per_day,
        0.0,
        1e12,
    );
    check.probability(&p("reputation"), e.reputation);
    if let Some(quality) = e.quality {
        check.probability(&p("quality"), quality);
    }
    check.probability(&p("resilience"), e.resilience);
    check.range(&p("cash_usd"), e.cash_usd, 0.0, 1e15);
    check_weights(check, &p("located"), &e.located);
    check_weights(check, &p("storefront"), &e.storefront);
    check_weights(check, &p("payments"), &e.payments);
    let named = |name: &String| name.trim().is_empty();
    let places = [&e.operators_in, &e.data_in];
    if named(&e.jurisdiction) || places.iter().any(|p| p.as_ref().is_some_and(named)) {
        check.fail(
            &p("jurisdiction"),
            "a jurisdiction is empty; allowed: a name such as \"DE\"",
        );
    }
    if e.class.is_empty() {
        check.fail(
            &p("class"),
            "is empty; allowed: a class name such as \"vds\"",
        );
    }
}

/// Weights per jurisdiction (`located`, `storefront`): each from 0 to 1e9
/// under a non-empty name, with a positive sum (none at all: the default).
fn check_weights(check: &mut Checker, at: &[Seg], weights: &BTreeMap<String, f64>) {
    for (name, weight) in weights {
        let at = [at, &[K(name)]].concat();
        if name.trim().is_empty() {
            check.fail(
                &at,
                "an empty jurisdiction name; allowed: a name such as \"DE\"",
            );
        }
        check.range(&at, *weight, 0.0, 1e9);
    }
    if !weights.is_empty() && weights.values().sum::<f64>() <= 0.0 {
        check.fail(
            at,
            "has no positive weight; allowed: a weight per jurisdiction (made into shares), at least one above 0",
        );
    }
}

fn check_providers(check: &mut Checker, s: &Scenario) {
    if s.providers.is_empty() {
        check.fail(
            &[K("providers")],
            "is empty; allowed: at least one [[providers]] entry",
        );
    }
    let mut names = BTreeSet::new();
    let mut total: u64 = 0;
    for (i, p) in s.providers.iter().enumerate() {
        let at = [K("providers"), I(i)];
        if p.name.is_empty() {
            check.fail(
                &[K("providers"), I(i), K("name")],
                "is empty; allowed: a unique name",
            );
        }
        if p.count == 0 {
            check.fail(
                &[K("providers"), I(i), K("count")],
                "is 0; allowed: 1 or more",
            );
        }
        total += u64::from(p.count);
        // Names are expanded only while the total is within bounds.
        let expand = if total <= MAX_PROVIDERS_EVER as u64 {
            p.count
        } else {
            0
        };
        for name in expanded_names(&p.name, expand) {
            if !names.insert(name.clone()) {
                check.fail(
                    &[K("providers"), I(i), K("name")],
                    format!("provider name {name:?} is used twice; allowed: unique names"),
                );
            }
        }
        check_economics(check, &at, &p.economics());
    }
    if total > u64::from(s.entry.max_providers).min(MAX_PROVIDERS_EVER as u64) {
        check.fail(
            &[K("providers")],
            format!(
                "{total} providers at the start; allowed: at most entry.max_providers = {}",
                s.entry.max_providers
            ),
        );
    }
}

fn check_attackers(check: &mut Checker, s: &Scenario) {
    if s.attackers.is_empty() {
        check.fail(
            &[K("attackers")],
            "is empty; allowed: at least one [[attackers]] type (its count may be 0)",
        );
    }
    if s.attackers.len() > 255 {
        check.fail(
            &[K("attackers")],
            "has more than 255 types; allowed: at most 255",
        );
    }
    let mut names = BTreeSet::new();
    let mut total: u64 = 0;
    for (i, a) in s.attackers.iter().enumerate() {
        if !names.insert(a.name.clone()) || a.name.is_empty() {
            check.fail(
                &[K("attackers"), I(i), K("name")],
                format!("is {:?}; allowed: a unique, non-empty name", a.name),
            );
        }
        total += u64::from(a.count);
        check_attacker(check, i, a);
    }
    if total > MAX_ATTACKERS {
        check.fail(
            &[K("attackers")],
            format!("{total} attackers in all; allowed: at most {MAX_ATTACKERS}"),
        );
    }
    if total == 0 && !s.attackers.is_empty() {
        check.fail(
            &[K("attackers")],
            "every count is 0, so no attacker ever arrives (arrivals scale with count); allowed: at least one attacker in all",
        );
    }
}

fn check_attacker(check: &mut Checker, i: usize, a: &AttackerSpec) {
    let p = |key| [K("attackers"), I(i), K(key)];
    check_dist(check, &p("seats"), &a.seats, 1.0, 10_000.0);
    check_dist(check, &p("skill"), &a.skill, 0.0, 1e6);
    check_dist(check, &p("risk_tolerance"), &a.risk_tolerance, 0.0, 1e6);
    check.range(&p("initial_risk"), a.initial_risk, 0.0, 1e6);
    check.range(&p("cash_usd"), a.cash_usd, -1e15, 1e15);
    check.probability(&p("kept_share"), a.kept_share);
    check.range(
        &p("campaign_cost_usd_per_seat_day"),
        a.campaign_cost_usd_per_seat_day,
        0.0,
        1e9,
    );
    check.range(
        &p("reservation_usd_per_day"),
        a.reservation_usd_per_day,
        -1e12,
        1e12,
    );
    check.range(&p("sanction_cost_usd"), a.sanction_cost_usd, 0.0, 1e15);
    check.probability(&p("attrition_per_day"), a.attrition_per_day);
    check.range(
        &p("arrival_profit_elasticity"),
        a.arrival_profit_elasticity,
        0.0,
        100.0,
    );
    check.range(
        &p("arrival_risk_sensitivity"),
        a.arrival_risk_sensitivity,
        0.0,
        1000.0,
    );
}

fn check_dist(check: &mut Checker, at: &[Seg], dist: &Dist, lo: f64, hi: f64) {
    let p = |key| [at, &[K(key)]].concat();
    match *dist {
        Dist::Fixed { value } => check.range(&p("value"), value, lo, hi),
        Dist::Uniform { low, high } => {
            check.range(&p("low"), low, lo, hi);
            check.range(&p("high"), high, lo, hi);
            if low > high {
                check.fail(
                    &p("high"),
                    format!("is {high}, below low = {low}; allowed: high >= low"),
                );
            }
        }
        Dist::Lognormal { median, sigma } => {
            check.range(&p("median"), median, lo.max(f64::MIN_POSITIVE), hi);
            check.range(&p("sigma"), sigma, 0.0, 5.0);
        }
    }
}

/// Check the victims and build their segments (`None` if there are too many).
fn check_victims(check: &mut Checker, s: &Scenario) -> Option<Vec<SegmentSpec>> {
    let v = &s.victims;
    check.probability(&[K("victims"), K("compromise_prob")], v.compromise_prob);
    check.probability(&[K("victims"), K("bypass_share")], v.bypass_share);
    for (key, empty) in [
        ("countries", v.countries.is_empty()),
        ("sectors", v.sectors.is_empty()),
    ] {
        if empty {
            check.fail(
                &[K("victims"), K(key)],
                "is empty; allowed: at least one entry",
            );
        }
    }
    if v.countries.len().saturating_mul(v.sectors.len()) > MAX_SEGMENTS {
        check.fail(
            &[K("victims"), K("countries")],
            format!(
                "{} countries x {} sectors is too many segments; allowed: at most {MAX_SEGMENTS}",
                v.countries.len(),
                v.sectors.len()
            ),
        );
    }
    let mut names = BTreeSet::new();
    for (i, c) in v.countries.iter().enumerate() {
        let p = |key| [K("victims"), K("countries"), I(i), K(key)];
        if !names.insert(&c.name) {
            check.fail(
                &p("name"),
                format!("{:?} is listed twice; allowed: unique names", c.name),
            );
        }
        check.range(&p("targeting"), c.targeting, 0.0, 1e12);
        check.probability(&p("mfa_adoption"), c.mfa_adoption);
        check.range(&p("prob_multiplier"), c.prob_multiplier, 0.0, 1e6);
    }
    let mut names = BTreeSet::new();
    for (i, sec) in v.sectors.iter().enumerate() {
        let p = |key| [K("victims"), K("sectors"), I(i), K(key)];
        if !names.insert(&sec.name) {
            check.fail(
                &p("name"),
                format!("{:?} is listed twice; allowed: unique names", sec.name),
            );
        }
        check.range(&p("targeting"), sec.targeting, 0.0, 1e12);
        check.range(&p("prob_multiplier"), sec.prob_multiplier, 0.0, 1e6);
        check.range(&p("mfa_multiplier"), sec.mfa_multiplier, 0.0, 1e6);
        check.probability(&p("monetise_prob"), sec.monetise_prob);
        check.range(&p("loss_median_usd"), sec.loss_median_usd, 0.0, 1e12);
        check.range(&p("loss_sigma"), sec.loss_sigma, 0.0, 5.0);
    }
    let weight = |t: f64| if t.is_finite() { t } else { 0.0 };
    let total: f64 = v.countries.iter().map(|c| weight(c.targeting)).sum::<f64>()
        * v.sectors.iter().map(|s| weight(s.targeting)).sum::<f64>();
    if !v.countries.is_empty() && !v.sectors.is_empty() && total <= 0.0 {
        check.fail(
            &[K("victims"), K("countries")],
            "every targeting weight is 0; allowed: at least one country and one sector with targeting > 0",
        );
    }
    let max_country = v
        .countries
        .iter()
        .map(|c| c.prob_multiplier)
        .fold(0.0, f64::max);
    let max_sector = v
        .sectors
        .iter()
        .map(|s| s.prob_multiplier)
        .fold(0.0, f64::max);
    if v.compromise_prob * max_country * max_sector > 1.0 {
        check.fail(
            &[K("victims"), K("compromise_prob")],
            "times the largest country and sector multipliers exceeds 1; allowed: a probability per email <= 1",
        );
    }
    (v.countries.len().saturating_mul(v.sectors.len()) <= MAX_SEGMENTS).then(|| build_segments(s))
}

/// Check arms and resolve them to plans (`None` if a problem was found).
/// `segments` are the victim segments (`None` when there are too many).
fn check_arms(
    check: &mut Checker,
    s: &Scenario,
    start: Option<NaiveDate>,
    segments: Option<&[SegmentSpec]>,
) -> Option<Vec<ArmPlan>> {
    let before = check.problems.len();
    let names_of_targets = TargetNames::new(s);
    let places = Jurisdictions::of(s);
    let mut names = BTreeSet::new();
    let mut plans = Vec::new();
    let mut strikes: u64 = 0;
    for (i, arm) in s.arms.iter().enumerate() {
        if !names.insert(arm.name.as_str()) || arm.name.is_empty() {
            check.fail(
                &[K("arms"), I(i), K("name")],
                format!(
                    "arm {:?} is listed twice or empty; allowed: unique names",
                    arm.name
                ),
            );
        }
        if arm.name == "baseline" && !arm.interventions.is_empty() {
            check.fail(
                &[K("arms"), I(i), K("interventions")],
                "the baseline arm must have no interventions; allowed: an empty list (give an arm that intervenes another name)",
            );
        }
        let context = Context {
            scenario: s,
            start,
            segments,
            targets: &names_of_targets,
            places: &places,
        };
        let plan = resolve_arm(check, &context, i, arm);
        strikes += plan
            .actions
            .iter()
            .map(|a| 1 + a.repeats.len() as u64)
            .sum::<u64>();
        if strikes > MAX_ACTIONS {
            check.fail(
                &[K("arms"), I(i), K("interventions")],
                format!(
                    "the arms so far schedule {strikes} intervention days (repeats included); allowed: at most {MAX_ACTIONS} in all"
                ),
            );
            return None;
        }
        plans.push(plan);
    }
    if !names.contains("baseline") {
        plans.insert(
            0,
            ArmPlan {
                name: "baseline".into(),
                description: "No intervention.".into(),
                actions: Vec::new(),
                window_start: 0,
                window_end: s.scenario.days.saturating_sub(1),
            },
        );
    } else if let Some(at) = plans.iter().position(|p| p.name == "baseline") {
        let baseline = plans.remove(at);
        plans.insert(0, baseline);
    }
    (check.problems.len() == before).then_some(plans)
}

fn resolve_arm(check: &mut Checker, context: &Context, i: usize, arm: &Arm) -> ArmPlan {
    let days = context.scenario.scenario.days;
    let mut actions = Vec::new();
    for (k, intervention) in arm.interventions.iter().enumerate() {
        let at = [K("arms"), I(i), K("interventions"), I(k)];
        let day = context.day(check, &key(&at, "start"), intervention.start());
        let effect = intervention.resolve(check, &at, context, day);
        let repeats = intervention.repeat_days(check, &at, context, day);
        check.non_negative(&key(&at, "cost_usd"), intervention.cost_usd());
        actions.push(Action {
            day: context.internal(day),
            repeats: repeats.into_iter().map(|d| context.internal(d)).collect(),
            cost_usd: intervention.cost_usd(),
            effect,
        });
    }
    let burn_in = context.scenario.scenario.burn_in_days;
    let first = actions
        .iter()
        .map(|a| a.day.saturating_sub(burn_in))
        .min()
        .unwrap_or(0);
    let window_start = arm.window_start.as_ref().map_or(first, |w| {
        context.day(check, &[K("arms"), I(i), K("window_start")], w)
    });
    let window_end = arm.window_end.as_ref().map_or(days.saturating_sub(1), |w| {
        context.day(check, &[K("arms"), I(i), K("window_end")], w)
    });
    if window_end < window_start {
        check.fail(
            &[K("arms"), I(i), K("window_end")],
            format!("is day {window_end}, before window_start (day {window_start}); allowed: a day from window_start to the last day"),
        );
    }
    ArmPlan {
        name: arm.name.clone(),
        description: arm.description.clone(),
        actions,
        window_start,
        window_end,
    }
}

/// Segments: every (country, sector) pair, countries outer.
fn build_segments(s: &Scenario) -> Vec<SegmentSpec> {
    let v = &s.victims;
    let total: f64 = v.countries.iter().map(|c| c.targeting).sum::<f64>()
        * v.sectors.iter().map(|s| s.targeting).sum::<f64>();
    let mut segments = Vec::with_capacity(v.countries.len() * v.sectors.len());
    for c in &v.countries {
        for sec in &v.sectors {
            segments.push(SegmentSpec {
                country: c.name.clone(),
                sector: sec.name.clone(),
                targeting: if total > 0.0 {
                    c.targeting * sec.targeting / total
                } else {
                    0.0
                },
                compromise_prob: v.compromise_prob * c.prob_multiplier * sec.prob_multiplier,
                mfa_adoption: (c.mfa_adoption * sec.mfa_multiplier).min(1.0),
                bypass_share: v.bypass_share,
                monetise_prob: sec.monetise_prob,
                loss_median_usd: sec.loss_median_usd,
                loss_sigma: sec.loss_sigma,
            });
        }
    }
    segments
}

/// The model of a valid scenario.
fn build(
    scenario: Scenario,
    start_date: Option<NaiveDate>,
    arms: Vec<ArmPlan>,
    segments: Vec<SegmentSpec>,
    uncertain: Vec<UncertainParameter>,
) -> Model {
    let providers = scenario
        .providers
        .iter()
        .flat_map(|p| {
            expanded_names(&p.name, p.count)
                .into_iter()
                .map(|name| NamedProvider {
                    name,
                    group: p.name.clone(),
                    economics: p.economics(),
                })
        })
        .collect();
    let attacker_types = scenario.attackers.to_vec();
    Model {
        days: scenario.scenario.days,
        burn_in_days: scenario.scenario.burn_in_days,
        seed: scenario.scenario.seed,
        replications: scenario.scenario.replications,
        start_date,
        market: scenario.market.clone(),
        entry: scenario.entry.clone(),
        providers,
        jurisdictions: Jurisdictions::of(&scenario),
        attacker_types,
        segments,
        arms,
        uncertain,
        posterior: None,
        ensemble: None,
        scenario,
    }
}

/// Check `[uncertain]`: each distribution well formed, and each key a
/// numeric parameter the scenario without `[uncertain]` (its `base`)
/// accepts at both ends of its distribution's range (every value of a
/// `choice`), given as `--set` would give it. Returns the parameters, with
/// whether each field is an integer; a key fixed by a `--set` or replaced
/// by the posterior's is left out.
fn check_uncertain(check: &mut Checker, parsed: &Parsed, base: &Base) -> Vec<UncertainParameter> {
    let uncertain = &parsed.scenario.uncertain;
    let mut parameters = Vec::new();
    let replaced = |name: &str| parsed.posterior.as_ref().is_some_and(|p| p.has(name));
    for (name, dist) in uncertain
        .iter()
        .filter(|(name, _)| !fixed_by_set(parsed, name) && !replaced(name))
    {
        let at = [K("uncertain"), K(name)];
        if name == "scenario" || name.starts_with("scenario.") {
            check.fail_at(
                &at,
                "the run's name, length, seed and replications cannot be uncertain; allowed: a key of market, entry, providers, attackers, victims or arms",
            );
            continue;
        }
        if let Err((field, message)) = check_distribution(dist) {
            check.fail_at(&key(&at, field), message);
            continue;
        }
        match try_parameter(base, name, dist) {
            Ok(parameter) => parameters.push(parameter),
            // An empty field: the key path itself is at fault.
            Err(("", message)) => check.fail_at(&at, message),
            Err((field, message)) => check.fail_at(&key(&at, field), message),
        }
    }
    parameters
}

/// Whether a `--set` override gives the key `name` a value: an uncertain
/// parameter set that way is fixed at it.
pub(super) fn fixed_by_set(parsed: &Parsed, name: &str) -> bool {
    parsed
        .overrides
        .iter()
        .any(|o| o.assignment.split_once('=').map(|(key, _)| key.trim()) == Some(name))
}

/// Refuse a distribution that is not well formed: the field at fault and
/// what is wrong.
fn check_distribution(dist: &Uncertain) -> Result<(), (&'static str, String)> {
    let numbers: Vec<(&'static str, f64)> = match dist {
        Uncertain::Uniform { low, high } | Uncertain::LogUniform { low, high } => {
            vec![("low", *low), ("high", *high)]
        }
        Uncertain::Triangular { low, mode, high } => {
            vec![("low", *low), ("mode", *mode), ("high", *high)]
        }
        Uncertain::Normal {
            mean,
            sd,
            low,
            high,
        } => vec![("mean", *mean), ("sd", *sd), ("low", *low), ("high", *high)],
        Uncertain::LogNormal {
            median,
            sigma,
            low,
            high,
        } => vec![
            ("median", *median),
            ("sigma", *sigma),
            ("low", *low),
            ("high", *high),
        ],
        Uncertain::Choice { values } if values.is_empty() => {
            return Err((
                "values",
                "is empty; allowed: a list of at least one value".into(),
            ));
        }
        Uncertain::Choice { values } => values.iter().map(|v| ("values", *v)).collect(),
    };
    if let Some((field, value)) = numbers.iter().find(|(_, v)| !v.is_finite()) {
        return Err((
            field,
            format!("{value} is not a finite number; allowed: a finite number"),
        ));
    }
    let above_zero = |field: &'static str, value: f64, why: &str| {
        if value > 0.0 {
            Ok(())
        } else {
            Err((
                field,
                format!("{value} is not above 0; allowed: above 0 ({why})"),
            ))
        }
    };
    let (low, high) = dist.support();
    if low > high {
        return Err((
            "low",
            format!("low {low} is above high {high}; allowed: low <= high"),
        ));
    }
    let mass = |field: &'static str, p: f64| {
        if p > 1e-12 {
            Ok(())
        } else {
            Err((
                field,
                format!(
                    "the range [low, high] has probability {p:.1e} before truncation; allowed: a range with some probability (above 1e-12)"
                ),
            ))
        }
    };
    match dist {
        Uncertain::LogUniform { low, .. } => above_zero("low", *low, "the logarithm is taken"),
        Uncertain::Triangular { low, mode, high } if !(low..=high).contains(&mode) => Err((
            "mode",
            format!(
                "{mode} is outside [low, high] = [{low}, {high}]; allowed: low <= mode <= high"
            ),
        )),
        Uncertain::Normal {
            mean,
            sd,
            low,
            high,
        } => {
            above_zero("sd", *sd, "a standard deviation")?;
            mass("low", normal_mass(*mean, *sd, *low, *high))
        }
        Uncertain::LogNormal {
            median,
            sigma,
            low,
            high,
        } => {
            above_zero("median", *median, "the logarithm is taken")?;
            above_zero("sigma", *sigma, "a standard deviation")?;
            above_zero("low", *low, "the logarithm is taken")?;
            mass("low", normal_mass(median.ln(), *sigma, low.ln(), high.ln()))
        }
        _ => Ok(()),
    }
}

/// Try an uncertain parameter on the scenario `base` (without
/// `[uncertain]`): a fractional value tells an integer field (the parser
/// refuses it), then every end of the range, made whole for an integer
/// field, must load. The parameter, or the field at fault (empty for the key
/// path itself) and what is wrong.
fn try_parameter(
    base: &Base,
    name: &str,
    dist: &Uncertain,
) -> Result<UncertainParameter, (&'static str, String)> {
    let (low, high) = dist.support();
    let integer = base.integer_field(name, low);
    let ends: Vec<(&'static str, &str, f64)> = match dist {
        Uncertain::Choice { values } => values.iter().map(|v| ("values", "value", *v)).collect(),
        _ if integer && low.ceil() > high.floor() => {
            return Err((
                "low",
                format!(
                    "[{low}, {high}] holds no whole number, and `{name}` takes whole numbers only; allowed: a range holding one"
                ),
            ));
        }
        _ if integer => vec![
            ("low", "lower end", low.ceil()),
            ("high", "upper end", high.floor()),
        ],
        _ => vec![("low", "lower end", low), ("high", "upper end", high)],
    };
    let parameter = UncertainParameter {
        key: name.to_string(),
        dist: dist.clone(),
        integer,
    };
    for (field, end, value) in ends {
        if integer && value.fract() != 0.0 {
            return Err((
                field,
                format!(
                    "{value} is not a whole number, and `{name}` takes whole numbers only; allowed: whole numbers"
                ),
            ));
        }
        let assignment = parameter.assignment(value);
        match base.refusal(&assignment) {
            None => {}
            Some(Refusal::Path(problems)) => {
                return Err((
                    "",
                    format!("is not a parameter of the scenario: {problems}"),
                ));
            }
            Some(Refusal::Value(problems)) => {
                return Err((
                    field,
                    format!("`{assignment}` (the {end}) is refused: {problems}"),
                ));
            }
        }
    }
    Ok(parameter)
}

/// The memory, in bytes, a run may use: the memory available, or `None`
/// when [`NO_MEMORY_CHECK_VAR`] is `1` or it is unknown (then nothing is
/// refused). Read once per load: every scenario a load tries is checked
/// against it.
pub(super) fn memory_limit() -> Option<f64> {
    if std::env::var(NO_MEMORY_CHECK_VAR).is_ok_and(|v| v.trim() == "1") {
        return None;
    }
    available_memory()
}

/// Refuse a scenario whose runs cannot fit in the memory `available` (see
/// [`memory_limit`]).
fn check_memory(
    check: &mut Checker,
    s: &Scenario,
    segments: &[SegmentSpec],
    arms: &[ArmPlan],
    available: Option<f64>,
) {
    let m = &s.scenario;
    if u64::from(m.days) + u64::from(m.burn_in_days) > u64::from(MAX_TOTAL_DAYS)
        || m.replications > MAX_REPLICATIONS
    {
        // Reported already; an estimate for such a run would be meaningless.
        return;
    }
    let Some(available) = available else {
        return;
    };
    let segment_count = if segments.is_empty() {
        s.victims
            .countries
            .len()
            .saturating_mul(s.victims.sectors.len())
            .min(MAX_SEGMENTS)
    } else {
        segments.len()
    };
    let e = memory_estimate(s, segment_count, arms, rayon::current_num_threads());
    let total = e.total_bytes();
    if total <= available {
        return;
    }
    let at: &[Seg] = if e.attacker_bytes() >= e.record_bytes() {
        &[K("attackers")]
    } else {
        &[K("scenario"), K("days")]
    };
    check.fail(
        at,
        format!(
            "the run needs about {} of memory but {} is available: {:.0} attackers x {} bytes in each of {} simulated worlds at once = {}, plus the records of {} runs held at once (arms x a wave of {WAVE_PER_THREAD} replications per thread) x {} days = {}, plus provider sums of {}; allowed: a run that fits in memory: use fewer attackers (attackers.count), fewer days or arms, fewer threads (RAYON_NUM_THREADS=N: each thread simulates its own replication), or set {NO_MEMORY_CHECK_VAR}=1 to run anyway",
            gib(total),
            gib(available),
            e.attackers_per_world,
            e.bytes_per_attacker,
            e.worlds,
            gib(e.attacker_bytes()),
            e.runs,
            s.scenario.days,
            gib(e.record_bytes()),
            gib(e.table_bytes),
        ),
    );
}
