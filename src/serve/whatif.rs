//! The room's state as a scenario file: the scenario's own text with the
//! room's settings, its changed market assumptions and its what-if arms.
//! The room runs exactly this text, and exports it, so `caasim run` on the
//! exported file reproduces what the page shows.

use serde_json::{Map, Value as Json};
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::catalog::Entry;
use super::controls::market_value;
use super::problem::{PageProblem, Where};
use super::state::{ArmCard, RoomState};
use crate::model::Model;
use crate::scenario;

/// The what-if's scenario text and its model.
pub struct WhatIf {
    /// The scenario file, as exported.
    pub text: String,
    /// Its model.
    pub model: Model,
}

/// The file name the what-if of scenario `id` is exported under.
pub fn file_name(id: &str) -> String {
    format!("{id}-whatif.toml")
}

/// Build and validate the what-if of `state` on `entry`: the problems,
/// each at its control, when the scenario's validation refuses it.
pub fn build(entry: &Entry, state: &RoomState) -> Result<WhatIf, Vec<PageProblem>> {
    let text = text(entry, state)?;
    match scenario::load_text(&text, &file_name(&entry.id), &[]) {
        Ok(model) => Ok(WhatIf { text, model }),
        Err(error) => Err(PageProblem::of_scenario(&error)),
    }
}

/// The scenario text of `state` on `entry`.
fn text(entry: &Entry, state: &RoomState) -> Result<String, Vec<PageProblem>> {
    let mut doc: DocumentMut = entry.text.parse().map_err(|e| {
        vec![PageProblem::new(
            Where::default(),
            format!("the scenario file no longer parses: {e}"),
        )]
    })?;
    doc["scenario"]["name"] =
        toml_edit::value(format!("{}-whatif", entry.model.scenario.scenario.name));
    doc["scenario"]["replications"] = toml_edit::value(i64::from(state.reps));
    let seed = i64::try_from(state.seed).map_err(|_| {
        vec![PageProblem::new(
            Where::setting("seed"),
            format!(
                "is {}; allowed: a whole number from 0 to {}",
                state.seed,
                i64::MAX
            ),
        )]
    })?;
    doc["scenario"]["seed"] = toml_edit::value(seed);
    set_market(&mut doc, entry, state)?;
    set_arms(&mut doc, entry, state)?;
    let header = format!(
        "# What-if of scenario `{}` from a caasim workshop room (`caasim serve`).\n\
         # Reproduce what the room saw: caasim run {}\n",
        entry.id,
        file_name(&entry.id)
    );
    Ok(header + &doc.to_string())
}

/// Write the market assumptions the room changed (fixing them: their
/// `[uncertain]` entries go, and so they are no longer adjustable); those left at the scenario's value keep
/// their range.
fn set_market(
    doc: &mut DocumentMut,
    entry: &Entry,
    state: &RoomState,
) -> Result<(), Vec<PageProblem>> {
    let scenario = &entry.model.scenario;
    let adjustable = &scenario.workshop.adjustable;
    let mut problems = Vec::new();
    for (key, value) in &state.market {
        if !adjustable.contains(key) {
            problems.push(PageProblem::new(
                Where::market(key),
                format!(
                    "`{key}` is not adjustable in this scenario; allowed: {}",
                    adjustable.join(", ")
                ),
            ));
            continue;
        }
        if market_value(&entry.model, key) == Some(*value) {
            continue;
        }
        if let Some((lo, hi)) = scenario.uncertain.get(key).map(|u| u.support())
            && !(lo..=hi).contains(value)
        {
            problems.push(PageProblem::new(
                    Where::market(key),
                    format!("is {value}; allowed: a number from {lo} to {hi} (its range in the scenario's [uncertain])"),
                ));
            continue;
        }
        let mut item = doc.as_item_mut();
        for part in key.split('.') {
            item = &mut item[part];
        }
        *item = if item.is_integer() && value.fract() == 0.0 && value.abs() < 9e15 {
            toml_edit::value(*value as i64)
        } else {
            toml_edit::value(*value)
        };
        if let Some(uncertain) = doc.get_mut("uncertain").and_then(Item::as_table_like_mut) {
            uncertain.remove(key);
        }
        if let Some(listed) = doc["workshop"]["adjustable"].as_array_mut() {
            listed.retain(|k| k.as_str() != Some(key));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Replace the arms with the baseline (as the scenario has it) and the
/// room's what-if arms.
fn set_arms(
    doc: &mut DocumentMut,
    entry: &Entry,
    state: &RoomState,
) -> Result<(), Vec<PageProblem>> {
    let mut arms = ArrayOfTables::new();
    arms.push(baseline_table(doc, entry));
    let mut problems = Vec::new();
    for (i, card) in state.arms.iter().enumerate() {
        match arm_table(card, state) {
            Ok(table) => arms.push(table),
            Err(mut found) => {
                found.iter_mut().for_each(|p| p.place.arm = Some(i));
                problems.append(&mut found);
            }
        }
    }
    doc["arms"] = Item::ArrayOfTables(arms);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The scenario's baseline arm: its table when the file lists it first,
/// else one with the baseline's name and description.
fn baseline_table(doc: &DocumentMut, entry: &Entry) -> Table {
    let baseline = &entry.model.arms[0];
    let written = doc
        .get("arms")
        .and_then(Item::as_array_of_tables)
        .and_then(|arms| arms.get(0))
        .filter(|t| t.get("name").and_then(Item::as_str) == Some(&baseline.name));
    written.cloned().unwrap_or_else(|| {
        let mut table = Table::new();
        table["name"] = toml_edit::value(&baseline.name);
        table["description"] = toml_edit::value(&baseline.description);
        table
    })
}

/// One what-if arm as a scenario table; its description records what the
/// room chose (and its guess, when a round asked for one).
fn arm_table(card: &ArmCard, state: &RoomState) -> Result<Table, Vec<PageProblem>> {
    let mut interventions = Array::new();
    let mut problems = Vec::new();
    for (j, fields) in card.interventions.iter().enumerate() {
        match inline_table(fields) {
            Ok(table) => interventions.push(Value::InlineTable(table)),
            Err((field, message)) => problems.push(PageProblem::new(
                Where {
                    intervention: Some(j),
                    field: Some(field),
                    ..Where::default()
                },
                message,
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut table = Table::new();
    table["name"] = toml_edit::value(&card.name);
    table["description"] = toml_edit::value(description(card, state));
    table["interventions"] = toml_edit::value(interventions);
    Ok(table)
}

/// "What-if from a workshop room: …", the interventions as chosen, the note
/// and, once a round is revealed, the room's guess.
fn description(card: &ArmCard, state: &RoomState) -> String {
    let chosen: Vec<String> = card.interventions.iter().map(describe_fields).collect();
    let mut text = format!(
        "What-if from a workshop room: {}.",
        if chosen.is_empty() {
            "no intervention".into()
        } else {
            chosen.join("; ")
        }
    );
    if !card.note.trim().is_empty() {
        text.push_str(&format!(" Note: {}.", card.note.trim()));
    }
    let revealed = state.predict.on && state.predict.revealed;
    if let Some(guess) = state.predict.guesses.get(&card.name).filter(|_| revealed) {
        text.push_str(&format!(
            " The room guessed {guess} for {}.",
            state.predict.metric
        ));
    }
    text
}

/// `kind (field=value, ...)`.
fn describe_fields(fields: &Map<String, Json>) -> String {
    let kind = fields.get("kind").and_then(Json::as_str).unwrap_or("?");
    let rest: Vec<String> = fields
        .iter()
        .filter(|(k, _)| *k != "kind")
        .map(|(k, v)| format!("{k}={}", plain(v)))
        .collect();
    format!("{kind} ({})", rest.join(", "))
}

/// A JSON value as a reader would write it (strings unquoted).
fn plain(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k} {}", plain(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// An intervention's fields as an inline table, `kind` first; the field
/// and the problem of a value TOML cannot hold.
fn inline_table(fields: &Map<String, Json>) -> Result<InlineTable, (String, String)> {
    let mut table = InlineTable::new();
    let kind = fields.get("kind").cloned().unwrap_or(Json::Null);
    for (key, value) in std::iter::once(("kind", &kind)).chain(
        fields
            .iter()
            .filter(|(k, _)| *k != "kind")
            .map(|(k, v)| (k.as_str(), v)),
    ) {
        let value = toml_value(value).map_err(|message| (key.to_string(), message))?;
        table.insert(key, value);
    }
    Ok(table)
}

/// A JSON value as a TOML value: whole numbers as integers.
fn toml_value(value: &Json) -> Result<Value, String> {
    Ok(match value {
        Json::Null => return Err("is empty; allowed: a value".into()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64().ok_or("is not a number TOML can hold")?),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => {
            let values = items
                .iter()
                .map(toml_value)
                .collect::<Result<Vec<_>, _>>()?;
            Value::Array(values.into_iter().collect())
        }
        Json::Object(map) => {
            let mut table = InlineTable::new();
            for (k, v) in map {
                table.insert(k, toml_value(v)?);
            }
            Value::InlineTable(table)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::catalog::Catalog;
    use crate::serve::defaults::default_state;
    use std::path::Path;

    fn generic() -> Catalog {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/generic-market.toml");
        Catalog::load(Some(&path), None).unwrap()
    }

    #[test]
    fn a_changed_assumption_is_fixed_and_an_unchanged_one_keeps_its_range() {
        let catalog = generic();
        let entry = &catalog.entries[0];
        let mut state = default_state(entry, 4);
        state.market.insert("market.search_days".into(), 35.0);
        state.arms[0].note = "half".into();
        let whatif = build(entry, &state).unwrap();
        let doc: DocumentMut = whatif.text.parse().unwrap();
        assert_eq!(doc["market"]["search_days"].as_integer(), Some(35));
        assert!(doc["uncertain"].get("market.search_days").is_none());
        assert!(doc["uncertain"].get("market.switching_cost_usd").is_some());
        let adjustable = doc["workshop"]["adjustable"].as_array().unwrap();
        assert!(
            !adjustable
                .iter()
                .any(|k| k.as_str() == Some("market.search_days"))
        );
        assert_eq!(whatif.model.replications, 4);
        let names: Vec<&str> = whatif.model.arms.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["baseline", "takedown"]);
        assert!(whatif.model.arms[1].description.contains("Note: half."));
    }

    #[test]
    fn a_value_toml_cannot_hold_is_placed_at_its_field() {
        let catalog = generic();
        let entry = &catalog.entries[0];
        let mut state = default_state(entry, 4);
        state.arms[0].interventions[0].insert("capacity_seized".into(), Json::Null);
        let problems = build(entry, &state).err().unwrap();
        assert_eq!(problems[0].place.arm, Some(0));
        assert_eq!(problems[0].place.intervention, Some(0));
        assert_eq!(problems[0].place.field.as_deref(), Some("capacity_seized"));
    }
}
