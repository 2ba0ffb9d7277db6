//! Parameters that differ between arms, from the resolved scenario.
//!
//! Each arm is flattened into dotted paths. A value that is not set (a
//! `null`, or a key an arm does not write) is one value, "not set", so an
//! arm written without a key and one that writes it as `null` agree. Numbers
//! are compared as numbers (`2000000` and `2000000.0` agree). An entry of a
//! list of tables with a `kind` (an intervention) is a row of its own, `yes`
//! where the arm has it; its settings are compared only among the arms that
//! have it, so an intervention some arms lack adds its settings only where
//! those arms set them differently.

use serde_json::{Number, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Flattened parameters of every arm, keyed by dotted path.
pub struct ArmParameters {
    /// Arm names, in scenario order.
    pub arms: Vec<String>,
    /// Parameter path and its value in each arm (`None` when not set, or
    /// when the arm lacks the intervention the parameter belongs to).
    pub rows: Vec<(String, Vec<Option<String>>)>,
}

/// A leaf of a flattened arm: its value as shown, and the path of the
/// intervention it belongs to (`None` at the arm's top level).
#[derive(Clone, Debug, PartialEq)]
struct Leaf {
    value: String,
    within: Option<String>,
}

/// One arm, flattened: path to leaf, leaves whose value is not set left out.
type Flat = BTreeMap<String, Leaf>;

/// The parameters whose values are not the same in every arm that can have
/// them (see the module's documentation).
pub fn differing(resolved: &Value) -> ArmParameters {
    let arms: Vec<&Value> = resolved
        .get("arms")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let flat: Vec<Flat> = arms.iter().map(|a| flatten_arm(a)).collect();
    let keys: BTreeSet<&String> = flat.iter().flat_map(|f| f.keys()).collect();
    let rows = keys
        .into_iter()
        .filter(|k| differs(&flat, k))
        .map(|k| {
            let values = flat.iter().map(|f| f.get(k).map(|l| l.value.clone()));
            (k.clone(), values.collect())
        })
        .collect();
    let name = |a: &Value| {
        a.get("name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    ArmParameters {
        arms: arms.iter().map(|a| name(a)).collect(),
        rows,
    }
}

/// Whether the arms that can have `key` (all arms for a top-level key, the
/// arms with its intervention for an intervention's setting) disagree on it.
fn differs(flat: &[Flat], key: &str) -> bool {
    let within = flat
        .iter()
        .find_map(|f| f.get(key))
        .and_then(|l| l.within.as_deref());
    let mut values = (flat.iter())
        .filter(|f| within.is_none_or(|w| f.contains_key(w)))
        .map(|f| f.get(key).map(|l| &l.value));
    let first = values.next();
    values.any(|v| Some(v) != first)
}

fn flatten_arm(arm: &Value) -> Flat {
    let mut out = Flat::new();
    if let Some(fields) = arm.as_object() {
        for (key, value) in fields {
            if key != "name" && key != "description" {
                flatten(key, None, value, &mut out);
            }
        }
    }
    out
}

/// Adds the leaves of `value` under `path`, inside the intervention
/// `within`. Lists of tables with a `kind` are keyed by kind
/// (`interventions[takedown].day`), other lists are leaves; `null` and
/// empty lists are not set.
fn flatten(path: &str, within: Option<&str>, value: &Value, out: &mut Flat) {
    let mut leaf = |text: String| {
        let within = within.map(str::to_string);
        out.insert(
            path.to_string(),
            Leaf {
                value: text,
                within,
            },
        );
    };
    match value {
        Value::Null => {}
        Value::Object(fields) => {
            for (key, v) in fields {
                flatten(&format!("{path}.{key}"), within, v, out);
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().all(|i| kind(i).is_some()) => {
            flatten_kinds(path, within, items, out);
        }
        Value::Array(items) => leaf(format!(
            "[{}]",
            items.iter().map(text).collect::<Vec<_>>().join(", ")
        )),
        other => leaf(text(other)),
    }
}

/// The tables of a list with a `kind`, each under `path[kind]` (`path[kind
/// #n]` for the n-th of a kind): a `yes` leaf, then its fields.
fn flatten_kinds(path: &str, within: Option<&str>, items: &[Value], out: &mut Flat) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for item in items {
        let kind = kind(item).unwrap_or_default();
        let count = seen.entry(kind).or_default();
        *count += 1;
        let label = match *count {
            1 => format!("{path}[{kind}]"),
            n => format!("{path}[{kind} #{n}]"),
        };
        let yes = Leaf {
            value: "yes".into(),
            within: within.map(str::to_string),
        };
        out.insert(label.clone(), yes);
        if let Some(fields) = item.as_object() {
            for (key, v) in fields.iter().filter(|(k, _)| *k != "kind") {
                flatten(&format!("{label}.{key}"), Some(&label), v, out);
            }
        }
    }
}

/// A leaf value as shown: strings without quotes, numbers by value.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => number(n),
        other => other.to_string(),
    }
}

/// A number by its value: whole numbers without a decimal point, others in
/// the shortest form that reads back to the same value.
fn number(n: &Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (_, _, Some(f)) => f.to_string(),
        _ => n.to_string(),
    }
}

fn kind(item: &Value) -> Option<&str> {
    item.get("kind").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(p: &ArmParameters) -> Vec<&str> {
        p.rows.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn keeps_only_differences() {
        let resolved = json!({"arms": [
            {"name": "baseline", "description": "x", "interventions": [], "budget": 1},
            {"name": "td", "description": "y", "budget": 1,
             "interventions": [{"kind": "takedown", "day": 60, "target": "alpha"}]},
        ]});
        let p = differing(&resolved);
        assert_eq!(p.arms, ["baseline", "td"]);
        // The takedown's settings are the same in every arm that has it.
        assert_eq!(keys(&p), ["interventions[takedown]"]);
        assert_eq!(p.rows[0].1, [None, Some("yes".to_string())]);
    }

    #[test]
    fn an_intervention_some_arms_lack_lists_only_its_differing_settings() {
        // The RedVDS arms: the baseline has no takedown, three arms have it
        // with the same arrest probability and one of them without seizing
        // customer data. Each row lists values that differ among the arms
        // that have the takedown; before, every setting was a row
        // ("—, 0.2, 0.2, 0.2": equal cells).
        let takedown = |seize: bool| {
            json!({"kind": "takedown", "arrest_probability": 0.2, "seize": seize,
                   "until": null, "target": {"provider": "RedVDS"}})
        };
        let resolved = json!({"arms": [
            {"name": "baseline", "interventions": []},
            {"name": "takedown", "interventions": [takedown(true)]},
            {"name": "no-data", "interventions": [takedown(false)]},
            {"name": "mfa", "interventions": [{"kind": "victim_hardening", "ramp_days": 90}]},
        ]});
        let p = differing(&resolved);
        assert_eq!(
            keys(&p),
            [
                "interventions[takedown]",
                "interventions[takedown].seize",
                "interventions[victim_hardening]"
            ]
        );
        let seize = &p.rows[1].1;
        let text = |s: &str| Some(s.to_string());
        assert_eq!(*seize, [None, text("true"), text("false"), None]);
    }

    #[test]
    fn unset_values_and_numbers_written_differently_agree() {
        // The implicit baseline is written without the window keys the
        // other arms write as null; one arm writes a cost as a float, the
        // other as an integer.
        let resolved = json!({"arms": [
            {"name": "baseline", "interventions": []},
            {"name": "a", "window_start": null, "window_end": "2025-08-31", "cost": 2000000.0,
             "shares": [0.5, 1]},
            {"name": "b", "window_start": null, "window_end": null, "cost": 2000000,
             "shares": [0.50, 1.0]},
        ]});
        let p = differing(&resolved);
        assert_eq!(keys(&p), ["cost", "shares", "window_end"]);
        // The baseline does not set a cost; a and b agree on it.
        assert_eq!(
            p.rows[0].1,
            [None, Some("2000000".into()), Some("2000000".into())]
        );
        assert_eq!(
            p.rows[1].1,
            [None, Some("[0.5, 1]".into()), Some("[0.5, 1]".into())]
        );
        assert_eq!(p.rows[2].1, [None, Some("2025-08-31".into()), None]);
    }

    #[test]
    fn a_second_intervention_of_a_kind_is_its_own_row() {
        let strike = |day: u32| json!({"kind": "takedown", "day": day});
        let resolved = json!({"arms": [
            {"name": "once", "interventions": [strike(60)]},
            {"name": "twice", "interventions": [strike(60), strike(90)]},
        ]});
        let p = differing(&resolved);
        assert_eq!(keys(&p), ["interventions[takedown #2]"]);
    }
}
