//! The controls the page draws for a scenario: one per field of each
//! intervention kind (with its unit, range and a one-line help) and one per
//! adjustable market assumption (`[workshop]`, bounded by its range in
//! `[uncertain]`). The ranges are what the controls offer; the scenario's
//! validation still checks every value the page sends.

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::Model;
use crate::model::params::Scenario;

/// How a field's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// A number.
    Number,
    /// A whole number.
    Integer,
    /// Yes or no.
    Bool,
    /// A date (or a day, in a scenario without a start date).
    When,
    /// Which providers: a name, class, jurisdiction or the top k.
    Target,
}

/// One field of an intervention kind.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// Field name in the scenario file.
    pub field: &'static str,
    /// Label on the page.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// How it is written.
    pub kind: FieldType,
    /// Range and step the control offers.
    pub range: (f64, f64, f64),
    /// Value of a new intervention.
    pub default: f64,
    /// One line of help.
    pub help: &'static str,
}

/// A field of `kind` and range (lo, hi, step).
const fn field(
    field: &'static str,
    label: &'static str,
    unit: &'static str,
    kind: FieldType,
    range: (f64, f64, f64),
    default: f64,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        field,
        label,
        unit,
        kind,
        range,
        default,
        help,
    }
}

use FieldType::{Bool, Integer, Number, Target, When};

const START: FieldSpec = field(
    "start",
    "Start",
    "date",
    When,
    (0.0, 0.0, 1.0),
    0.0,
    "The day it first acts.",
);
const COST: FieldSpec = field(
    "cost_usd",
    "Defender's cost",
    "US$ per action",
    Number,
    (0.0, 1e8, 100_000.0),
    1e6,
    "What each action costs the defender (for cost-effectiveness).",
);
const DURATION: FieldSpec = field(
    "duration_days",
    "Duration",
    "days",
    Integer,
    (1.0, 365.0, 1.0),
    90.0,
    "How long it lasts.",
);

/// The takedown's fields (`sustained_pressure` adds `every_days`).
const TAKEDOWN: [FieldSpec; 7] = [
    START,
    field(
        "target",
        "Target",
        "providers",
        Target,
        (1.0, 10.0, 1.0),
        1.0,
        "Whom it hits: a provider by name, a class, a jurisdiction, or the k largest on the day.",
    ),
    field(
        "capacity_seized",
        "Capacity seized",
        "share (0-1)",
        Number,
        (0.0, 1.0, 0.05),
        0.9,
        "Share of the servers seized; the provider's resilience protects part of it.",
    ),
    field(
        "downtime_days",
        "Downtime",
        "days",
        Integer,
        (0.0, 365.0, 5.0),
        120.0,
        "Days its domains and shop are down; resilience shortens it.",
    ),
    field(
        "arrest_probability",
        "Arrest probability",
        "probability (0-1)",
        Number,
        (0.0, 1.0, 0.05),
        0.2,
        "Chance the operators are arrested: then the provider is gone for good.",
    ),
    field(
        "customer_data_seized",
        "Customer data seized",
        "yes/no",
        Bool,
        (0.0, 1.0, 1.0),
        0.0,
        "Whether customer records are seized: customers then fear arrest (a deterrence shock).",
    ),
    COST,
];

const EVERY: FieldSpec = field(
    "every_days",
    "Every",
    "days",
    Integer,
    (1.0, 365.0, 5.0),
    30.0,
    "Days between strikes on the largest providers (sustained pressure).",
);

const PAYMENT: [FieldSpec; 5] = [
    START,
    DURATION,
    field(
        "conversion_factor",
        "Sign-ups converting",
        "share (0-1)",
        Number,
        (0.0, 1.0, 0.05),
        0.5,
        "Multiplier on the share of new customers whose payment goes through.",
    ),
    field(
        "fee_share",
        "Payment fee",
        "share of the payment",
        Number,
        (0.0, 1.0, 0.05),
        0.1,
        "Extra cost of every payment, as a share of its value.",
    ),
    COST,
];

const DETERRENCE: [FieldSpec; 5] = [
    START,
    DURATION,
    field(
        "arrival_factor",
        "Arrivals kept",
        "share (0-1)",
        Number,
        (0.0, 1.0, 0.05),
        0.7,
        "Multiplier on new attackers arriving while it lasts.",
    ),
    field(
        "risk_shock",
        "Risk shock",
        "monthly sanction probability",
        Number,
        (0.0, 0.1, 0.005),
        0.01,
        "Rise in every attacker's perceived monthly chance of sanction.",
    ),
    COST,
];

const HARDENING: [FieldSpec; 6] = [
    START,
    field(
        "top_segments",
        "Segments",
        "most targeted (0: all)",
        Integer,
        (0.0, 500.0, 1.0),
        10.0,
        "How many of the most targeted country-sector segments are hardened (0: all).",
    ),
    field(
        "mfa_adoption_increase",
        "MFA uplift",
        "share points (0-1)",
        Number,
        (0.0, 1.0, 0.05),
        0.25,
        "Added share of accounts with multi-factor authentication, at full effect.",
    ),
    field(
        "bypass_share_factor",
        "Bypass kept",
        "share (0-1)",
        Number,
        (0.0, 1.0, 0.05),
        0.7,
        "Multiplier on the share of targets whose MFA is bypassed (AiTM kits).",
    ),
    field(
        "ramp_days",
        "Ramp",
        "days",
        Integer,
        (0.0, 365.0, 5.0),
        90.0,
        "Days over which the change ramps in (0: at once).",
    ),
    COST,
];

/// Each kind's tag, label, help and fields, in the order the page offers them.
fn kinds() -> Vec<(&'static str, &'static str, &'static str, Vec<FieldSpec>)> {
    let mut sustained = TAKEDOWN.to_vec();
    sustained.insert(2, EVERY);
    vec![
        (
            "takedown",
            "Takedown",
            "Seize a provider's servers and domains, once.",
            TAKEDOWN.to_vec(),
        ),
        (
            "sustained_pressure",
            "Sustained pressure",
            "Strike the largest providers again and again.",
            sustained,
        ),
        (
            "payment_disruption",
            "Payment disruption",
            "Block or tax the payments that buy infrastructure, for a while.",
            PAYMENT.to_vec(),
        ),
        (
            "deterrence_messaging",
            "Deterrence messaging",
            "Warnings that lower arrivals and raise perceived risk.",
            DETERRENCE.to_vec(),
        ),
        (
            "victim_hardening",
            "Victim hardening",
            "Raise MFA adoption, or cut its bypass, in the most targeted segments.",
            HARDENING.to_vec(),
        ),
    ]
}

/// The page's description of a field: `start_date` gives the date range of
/// a `When` (`days` long).
fn field_json(spec: &FieldSpec, model: &Model, targets: &Value) -> Value {
    let (lo, hi, step) = spec.range;
    let mut out = json!({
        "field": spec.field, "label": spec.label, "unit": spec.unit, "type": spec.kind,
        "min": lo, "max": hi, "step": step, "default": spec.default, "help": spec.help,
    });
    match spec.kind {
        When => when_range(&mut out, model),
        Bool => out["default"] = json!(spec.default != 0.0),
        Target => {
            out["choices"] = targets.clone();
            out["default"] = json!({"top_k": 1});
        }
        Number | Integer => {}
    }
    out
}

/// A `When` field's range and default: the run's dates, or its days.
fn when_range(out: &mut Value, model: &Model) {
    let last = model.days.saturating_sub(1);
    match model.start_date {
        Some(start) => {
            let date = |d: u32| (start + chrono::Days::new(u64::from(d))).to_string();
            out["unit"] = json!("date");
            out["min"] = json!(date(0));
            out["max"] = json!(date(last));
            out["default"] = json!(date(model.days / 2));
        }
        None => {
            out["unit"] = json!("day of the run");
            out["min"] = json!(0);
            out["max"] = json!(last);
            out["default"] = json!(model.days / 2);
        }
    }
}

/// What a takedown's target may name in this scenario.
fn target_choices(s: &Scenario, model: &Model) -> Value {
    let mut classes: Vec<&str> = s.providers.iter().map(|p| p.class.as_str()).collect();
    classes.push(s.entry.template.class.as_str());
    let mut jurisdictions: Vec<&str> = s
        .providers
        .iter()
        .map(|p| p.jurisdiction.as_str())
        .collect();
    for list in [&mut classes, &mut jurisdictions] {
        list.sort_unstable();
        list.dedup();
    }
    let providers: Vec<&str> = s.providers.iter().map(|p| p.name.as_str()).collect();
    json!({
        "provider": providers, "class": classes, "jurisdiction": jurisdictions,
        "top_k": {"min": 1, "max": model.providers.len().max(1)},
    })
}

/// Every kind with its fields, as the page reads them.
pub fn kinds_json(model: &Model) -> Value {
    let targets = target_choices(&model.scenario, model);
    let kinds: Vec<Value> = kinds()
        .iter()
        .map(|(kind, label, help, fields)| {
            let fields: Vec<Value> = fields
                .iter()
                .map(|f| field_json(f, model, &targets))
                .collect();
            json!({"kind": kind, "label": label, "help": help, "fields": fields})
        })
        .collect();
    Value::Array(kinds)
}

/// The adjustable market assumptions: key, value, and the range of its
/// `[uncertain]` distribution.
pub fn market_json(model: &Model) -> Value {
    let s = &model.scenario;
    let fields = s.workshop.adjustable.iter().filter_map(|key| {
        let (lo, hi) = s.uncertain.get(key)?.support();
        let value = market_value(model, key)?;
        let integer = value.fract() == 0.0 && lo.fract() == 0.0 && hi.fract() == 0.0;
        let label = key.rsplit('.').next().unwrap_or(key).replace('_', " ");
        Some(json!({
            "key": key, "label": label, "value": value,
            "unit": unit_of(key), "type": if integer { "integer" } else { "number" },
            "min": lo, "max": hi, "step": if integer { 1.0 } else { (hi - lo) / 20.0 },
            "help": format!("Left at the scenario's value, it varies from {lo} to {hi} across the draws (its uncertainty); any other value fixes it."),
        }))
    });
    Value::Array(fields.collect())
}

/// The unit a market key's name ends with.
fn unit_of(key: &str) -> &'static str {
    match key.rsplit('_').next() {
        Some("days") => "days",
        Some("usd") => "US$",
        Some("seat") => "US$ per seat",
        Some("day") => "per day",
        _ => "",
    }
}

/// The value the scenario gives the market key `key` (a number).
pub fn market_value(model: &Model, key: &str) -> Option<f64> {
    let value = serde_json::to_value(&model.scenario).ok()?;
    key.split('.')
        .try_fold(&value, |v, part| v.get(part))
        .and_then(Value::as_f64)
}
