//! What the room shows of a run so far: the charts' bands, the intervention
//! days, and every effect with its interval, as the JSON of a `results`
//! event (see the page's API in the README's "Workshops" section).

use serde_json::{Value, json};

use super::series::{Series, rounded};
use crate::experiment::metrics::{self, Unit};
use crate::experiment::{Summary, SummaryRow};
use crate::model::Model;
use crate::model::interventions::Effect;

/// What an intervention costs the defender, shown after the headline
/// effects: a workshop weighs the effect against its cost.
const COSTS: [&str; 2] = ["defender_cost_usd", "losses_averted_per_defender_usd"];

/// Whether the page's effects table shows `metric`: the report's headline
/// metrics ([`metrics::HEADLINE`]), then the defender's cost and the losses
/// averted per dollar of it.
pub fn shown(metric: &str) -> bool {
    metrics::HEADLINE.contains(&metric) || COSTS.contains(&metric)
}

/// How much of a run is done.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    /// Room revision the run belongs to.
    pub revision: u64,
    /// Replications finished.
    pub done: usize,
    /// Replications asked for.
    pub total: usize,
}

/// The `results` event of a run with `done` replications finished.
pub fn results_json(
    model: &Model,
    colours: &[u8],
    summary: &Summary,
    series: &Series,
    done: Done,
) -> Value {
    let names: Vec<String> = model.arms.iter().map(|a| a.name.clone()).collect();
    let days = model.days as usize;
    let effects: Vec<Value> = summary
        .rows(model, &[])
        .iter()
        .filter(|r| r.is_effect())
        .map(effect_json)
        .collect();
    json!({
        "revision": done.revision, "done": done.done, "total": done.total,
        "final": done.done == done.total,
        "days": days_json(model),
        "marks": marks_json(model),
        "charts": series.charts_json(&names, colours, days),
        "effects": effects,
        "notes": notes(model),
    })
}

/// Each day's date, or its number without a start date.
fn days_json(model: &Model) -> Value {
    (0..model.days)
        .map(|d| {
            model
                .date_of(d)
                .map_or_else(|| json!(d), |date| json!(date.to_string()))
        })
        .collect()
}

/// The days the what-if arms' interventions act on (repeats included).
fn marks_json(model: &Model) -> Value {
    let mut marks = Vec::new();
    for arm in &model.arms[1..] {
        for action in &arm.actions {
            let label = kind_label(&action.effect);
            for day in std::iter::once(action.day).chain(action.repeats.iter().copied()) {
                let day = day.saturating_sub(model.burn_in_days);
                marks.push(json!({"arm": arm.name, "day": day, "label": label}));
            }
        }
    }
    Value::Array(marks)
}

fn kind_label(effect: &Effect) -> &'static str {
    match effect {
        Effect::Takedown(_) => "takedown",
        Effect::PaymentDisruption(_) => "payment disruption",
        Effect::DeterrenceMessaging(_) => "deterrence messaging",
        Effect::VictimHardening(_) => "victim hardening",
    }
}

/// One effect row with its metric's label and unit.
fn effect_json(row: &SummaryRow) -> Value {
    let metric = metrics::find(row.metric);
    let unit = metric.map_or(Unit::Plain, |m| m.unit);
    let e = &row.estimate;
    let number = |x: Option<f64>| x.map_or(Value::Null, rounded);
    let (p05, p95) = row
        .spread
        .as_ref()
        .map_or((None, None), |s| (s.low, s.high));
    let draws = row.spread.as_ref().map(|s| s.draws);
    json!({
        "arm": row.arm, "metric": row.metric,
        "label": metric.map_or(row.metric, |m| m.label),
        "unit": unit_text(unit),
        "headline": shown(row.metric),
        "statistic": row.statistic.name(),
        "estimate": number(e.mean), "ci_low": number(e.ci_low), "ci_high": number(e.ci_high),
        "n": e.n, "interval": row.interval(),
        "ensemble_p05": number(p05), "ensemble_p95": number(p95), "draws": draws,
    })
}

/// The unit of an effect in words (empty for a plain number).
pub fn unit_text(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "% vs baseline",
        Unit::Usd => "US$",
        Unit::Share => "share (0-1)",
        Unit::Days => "days",
        Unit::Plain => "",
    }
}

/// What the bands and intervals cover.
fn notes(model: &Model) -> Vec<String> {
    let mut notes = vec![
        "Lines: mean over replications; bands: 95% interval of the daily mean (noise between replications).".to_string(),
        "Effects: each arm against the baseline of the same replication (common random numbers); 95% interval of the estimate.".to_string(),
    ];
    if model.ensemble.is_some() {
        notes.push("Range over assumptions: the 90% interval of the effect across draws of the scenario's uncertain parameters (few draws make its ends rough).".to_string());
    }
    notes
}
