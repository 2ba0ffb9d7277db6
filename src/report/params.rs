//! Parameters that differ between arms, from the resolved scenario.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Flattened parameters of every arm, keyed by dotted path.
pub struct ArmParameters {
    /// Arm names, in scenario order.
    pub arms: Vec<String>,
    /// Parameter path and its value in each arm (`None` when absent).
    pub rows: Vec<(String, Vec<Option<String>>)>,
}

/// The parameters whose values are not the same in every arm.
pub fn differing(resolved: &Value) -> ArmParameters {
    let arms: Vec<&Value> = resolved
        .get("arms")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let flat: Vec<BTreeMap<String, String>> = arms.iter().map(|a| flatten_arm(a)).collect();
    let keys: BTreeSet<&String> = flat.iter().flat_map(|f| f.keys()).collect();
    let rows = keys
        .into_iter()
        .filter_map(|k| {
            let values: Vec<Option<String>> = flat.iter().map(|f| f.get(k).cloned()).collect();
            let differ = values.iter().any(|v| *v != values[0]);
            differ.then(|| (k.clone(), values))
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

fn flatten_arm(arm: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(fields) = arm.as_object() {
        for (key, value) in fields {
            if key != "name" && key != "description" {
                flatten(key, value, &mut out);
            }
        }
    }
    out
}

/// Adds the leaves of `value` under `path`. Lists of tables with a `kind`
/// are keyed by kind (`interventions[takedown].day`), other lists are leaves.
fn flatten(path: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(fields) => {
            for (key, v) in fields {
                flatten(&format!("{path}.{key}"), v, out);
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().all(|i| kind(i).is_some()) => {
            let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
            for item in items {
                let kind = kind(item).unwrap_or_default();
                let count = seen.entry(kind).or_default();
                *count += 1;
                let label = match *count {
                    1 => format!("{path}[{kind}]"),
                    n => format!("{path}[{kind} #{n}]"),
                };
                flatten_kind(&label, item, out);
            }
        }
        Value::String(s) => {
            out.insert(path.to_string(), s.clone());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

fn flatten_kind(path: &str, item: &Value, out: &mut BTreeMap<String, String>) {
    out.insert(path.to_string(), "yes".into());
    if let Some(fields) = item.as_object() {
        for (key, v) in fields.iter().filter(|(k, _)| *k != "kind") {
            flatten(&format!("{path}.{key}"), v, out);
        }
    }
}

fn kind(item: &Value) -> Option<&str> {
    item.get("kind").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_only_differences() {
        let resolved = json!({"arms": [
            {"name": "baseline", "description": "x", "interventions": [], "budget": 1},
            {"name": "td", "description": "y", "budget": 1,
             "interventions": [{"kind": "takedown", "day": 60, "target": "alpha"}]},
        ]});
        let p = differing(&resolved);
        assert_eq!(p.arms, ["baseline", "td"]);
        let keys: Vec<&str> = p.rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "interventions[takedown]",
                "interventions[takedown].day",
                "interventions[takedown].target"
            ]
        );
        assert_eq!(p.rows[1].1, [None, Some("60".to_string())]);
    }
}
