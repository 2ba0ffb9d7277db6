//! `--arm-add 'NAME: BASE with KEY=VALUE, KEY=VALUE'`: a new arm made from
//! a copy of the arm BASE, named NAME, with some of its values changed.
//!
//! A KEY is a field of the arm itself ([`ARM_FIELDS`]) or a field of one of
//! its interventions: bare when exactly one of the arm's interventions has
//! the field, else qualified by the intervention's kind
//! (`takedown.capacity_seized`) or index (`0.capacity_seized`). Values are
//! read as `--set` values. An addition travels with the `--set` overrides
//! as the string [`record`] makes (`--arm-add SPEC`), so that it is recorded
//! (manifest, sweep identity) and applied wherever the overrides are.

use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

use super::locate::Step;
use crate::model::interventions::Intervention;

/// The flag, as it starts an addition's recorded string.
pub const FLAG: &str = "--arm-add";

/// The fields of an arm that a KEY may set (besides its interventions' fields).
pub const ARM_FIELDS: [&str; 3] = ["window_start", "window_end", "description"];

/// The syntax, for messages.
const EXPECTED: &str = "allowed: `NAME: BASE with KEY=VALUE, KEY=VALUE` (the `with ...` part optional), e.g. `half-seized: takedown with capacity_seized=0.5, customer_data_seized=false`";

/// The override string of `--arm-add SPEC`.
pub fn record(spec: &str) -> String {
    format!("{FLAG} {spec}")
}

/// The SPEC of an override string made by [`record`]; `None` for a `--set`.
pub fn spec_of(recorded: &str) -> Option<&str> {
    recorded
        .strip_prefix(FLAG)
        .and_then(|rest| rest.strip_prefix(' '))
}

/// An addition as written.
struct Spec<'a> {
    name: &'a str,
    base: &'a str,
    settings: Vec<(&'a str, &'a str)>,
}

/// Add the arm of `spec` to the document; returns the path of the new arm
/// (`arms`, its index), or every problem found, each in words (and then
/// the document is as it was).
pub fn add(doc: &mut DocumentMut, spec: &str) -> Result<Vec<Step>, Vec<String>> {
    let spec = parse_spec(spec).map_err(|e| vec![e])?;
    let mut added = doc.clone();
    let index = add_to(&mut added, &spec)?;
    *doc = added;
    Ok(vec![Step::Key("arms".into()), Step::Index(index)])
}

/// [`add`] to a copy of the document: the new arm's index.
fn add_to(doc: &mut DocumentMut, spec: &Spec) -> Result<usize, Vec<String>> {
    let index = copy_base(doc, spec).map_err(|e| vec![e])?;
    let arm = arm_mut(doc, index).expect("the arm was just added");
    let description = match spec.settings.is_empty() {
        true => format!("a copy of {}", spec.base),
        false => format!("{} with {}", spec.base, joined(&spec.settings)),
    };
    arm.insert("name", Item::Value(Value::from(spec.name)));
    arm.insert("description", Item::Value(Value::from(description)));
    let kinds = intervention_kinds(arm);
    let fields = kind_fields();
    let mut problems = Vec::new();
    for &(key, value) in &spec.settings {
        let set = field_path(key, spec.name, &kinds, &fields)
            .map(|path| format!("arms.{index}.{path}={value}"))
            .and_then(|assignment| super::load::set(doc, &assignment));
        if let Err(message) = set {
            problems.push(format!("`{key}`: {message}"));
        }
    }
    match problems.is_empty() {
        true => Ok(index),
        false => Err(problems),
    }
}

/// `KEY=VALUE, KEY=VALUE` as written.
fn joined(settings: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(", ")
}

/// Split `NAME: BASE with KEY=VALUE, ...` into its parts.
fn parse_spec(spec: &str) -> Result<Spec<'_>, String> {
    let (name, rest) = spec
        .split_once(':')
        .ok_or(format!("has no `:` after the new arm's name; {EXPECTED}"))?;
    let (base, with) = match rest.split_once(" with ") {
        Some((base, with)) => (base, Some(with)),
        None => (rest, None),
    };
    let (name, base) = (name.trim(), base.trim());
    if name.is_empty() || base.is_empty() {
        return Err(format!("needs a new name and an arm to copy; {EXPECTED}"));
    }
    if base.contains(char::is_whitespace) {
        return Err(format!(
            "`{base}` is not one arm's name (write `with` before the changes); {EXPECTED}"
        ));
    }
    let mut settings = Vec::new();
    for item in with.map(top_level_items).unwrap_or_default() {
        match item.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() && !value.trim().is_empty() => {
                settings.push((key.trim(), value.trim()));
            }
            _ => return Err(format!("`{}` is not `KEY=VALUE`; {EXPECTED}", item.trim())),
        }
    }
    if with.is_some() && settings.is_empty() {
        return Err(format!("has `with` but no change after it; {EXPECTED}"));
    }
    Ok(Spec {
        name,
        base,
        settings,
    })
}

/// The comma-separated items of `text`, commas inside quotes, lists and
/// inline tables not splitting (`target={provider="X"}, cost_usd=1`).
fn top_level_items(text: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// The arms of the document: their names, and whether they are `[[arms]]`
/// tables (else an inline list).
fn arm_names(doc: &DocumentMut) -> Vec<String> {
    let name = |t: &dyn TableLike| {
        t.get("name")
            .and_then(|n| n.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    match doc.get("arms") {
        Some(Item::ArrayOfTables(array)) => array.iter().map(|t| name(t)).collect(),
        Some(Item::Value(Value::Array(array))) => array
            .iter()
            .filter_map(Value::as_inline_table)
            .map(|t| name(t))
            .collect(),
        _ => Vec::new(),
    }
}

/// Append a copy of the arm `spec.base`; returns its index.
fn copy_base(doc: &mut DocumentMut, spec: &Spec) -> Result<usize, String> {
    let names = arm_names(doc);
    if names.iter().any(|n| n == spec.name) {
        return Err(format!(
            "an arm is already named `{}`; allowed: a new name (the arms are {})",
            spec.name,
            names.join(", ")
        ));
    }
    let Some(base) = names.iter().position(|n| n == spec.base) else {
        return Err(format!(
            "no arm is named `{}`; allowed: one of {}",
            spec.base,
            if names.is_empty() {
                "the arms of the scenario (it has none)".to_string()
            } else {
                names.join(", ")
            }
        ));
    };
    match doc.get_mut("arms") {
        Some(Item::ArrayOfTables(array)) => {
            let mut copy = array.get(base).expect("the base arm exists").clone();
            copy.decor_mut().clear();
            clear_positions(&mut copy);
            array.push(copy);
            Ok(array.len() - 1)
        }
        Some(Item::Value(Value::Array(array))) => {
            let copy = array.get(base).expect("the base arm exists").clone();
            array.push_formatted(copy);
            Ok(array.len() - 1)
        }
        _ => unreachable!("arm_names found the arms"),
    }
}

/// Forget where a copied table and the tables inside it were in the file:
/// the copy is then written after the last arm, so that its place in the
/// text is its place in the list.
fn clear_positions(table: &mut Table) {
    table.set_position(None);
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(inner) => clear_positions(inner),
            Item::ArrayOfTables(array) => array.iter_mut().for_each(clear_positions),
            _ => {}
        }
    }
}

/// The arm at `index` of the document, as a table.
fn arm_mut(doc: &mut DocumentMut, index: usize) -> Option<&mut dyn TableLike> {
    match doc.get_mut("arms")? {
        Item::ArrayOfTables(array) => array.get_mut(index).map(|t| t as &mut dyn TableLike),
        Item::Value(Value::Array(array)) => array
            .get_mut(index)?
            .as_inline_table_mut()
            .map(|t| t as &mut dyn TableLike),
        _ => None,
    }
}

/// The `kind` of each intervention of an arm, in order (empty when unknown).
fn intervention_kinds(arm: &dyn TableLike) -> Vec<String> {
    let kind = |t: &dyn TableLike| {
        t.get("kind")
            .and_then(|k| k.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    match arm.get("interventions") {
        Some(Item::ArrayOfTables(array)) => array.iter().map(|t| kind(t)).collect(),
        Some(Item::Value(Value::Array(array))) => array
            .iter()
            .map(|v| v.as_inline_table().map(|t| kind(t)).unwrap_or_default())
            .collect(),
        _ => Vec::new(),
    }
}

/// Each intervention kind with its fields (alphabetical), from the
/// scenario format's schema.
fn kind_fields() -> Vec<(String, Vec<String>)> {
    let schema = schemars::schema_for!(Intervention);
    let variants = schema.get("oneOf").and_then(|v| v.as_array());
    let mut kinds = Vec::new();
    for variant in variants.into_iter().flatten() {
        let Some(properties) = variant.get("properties").and_then(|p| p.as_object()) else {
            continue;
        };
        let kind = properties.get("kind").and_then(|k| k.get("const"));
        let Some(kind) = kind.and_then(|k| k.as_str()) else {
            continue;
        };
        let fields = properties
            .keys()
            .filter(|k| *k != "kind")
            .cloned()
            .collect();
        kinds.push((kind.to_string(), fields));
    }
    kinds
}

/// The path inside the arm that `key` sets: an arm field, or
/// `interventions.K.FIELD...` for an intervention's field.
fn field_path(
    key: &str,
    arm: &str,
    kinds: &[String],
    fields: &[(String, Vec<String>)],
) -> Result<String, String> {
    if ARM_FIELDS.contains(&key) {
        return Ok(key.to_string());
    }
    let has = |i: usize, field: &str| {
        fields
            .iter()
            .find(|(kind, _)| *kind == kinds[i])
            .is_some_and(|(_, f)| f.iter().any(|f| f == field))
    };
    let (head, rest) = key.split_once('.').unwrap_or((key, ""));
    let qualified = match head.parse::<usize>() {
        Ok(i) if i < kinds.len() => Some(vec![i]),
        Ok(_) => Some(Vec::new()),
        Err(_) if !rest.is_empty() && kinds.iter().any(|k| k == head) => Some(
            (0..kinds.len())
                .filter(|&i| kinds[i] == head)
                .collect::<Vec<_>>(),
        ),
        Err(_) => None,
    };
    let (field_path, candidates) = match qualified {
        Some(candidates) => (rest, candidates),
        None => (key, (0..kinds.len()).collect()),
    };
    let field = field_path.split('.').next().unwrap_or_default();
    let matching: Vec<usize> = candidates.into_iter().filter(|&i| has(i, field)).collect();
    match matching.as_slice() {
        [i] => Ok(format!("interventions.{i}.{field_path}")),
        [] => Err(unknown_key(arm, kinds, fields)),
        several => Err(ambiguous(field, field_path, several, kinds)),
    }
}

/// The message of a key no intervention of the arm has: the keys there are.
fn unknown_key(arm: &str, kinds: &[String], fields: &[(String, Vec<String>)]) -> String {
    let mut allowed = vec![format!("the arm's {}", ARM_FIELDS.join(", "))];
    for (i, kind) in kinds.iter().enumerate() {
        let of_kind = fields.iter().find(|(k, _)| k == kind);
        let list = of_kind.map_or("no known fields".to_string(), |(_, f)| f.join(", "));
        allowed.push(format!("intervention {i} ({kind}): {list}"));
    }
    format!(
        "is not a field of the arm `{arm}` or of its interventions; allowed: {}",
        allowed.join("; ")
    )
}

/// The message of a field several interventions have: how to name each.
fn ambiguous(field: &str, path: &str, several: &[usize], kinds: &[String]) -> String {
    let mut choices = Vec::new();
    for &i in several {
        if kinds.iter().filter(|k| **k == kinds[i]).count() == 1 {
            choices.push(format!("{}.{path}", kinds[i]));
        }
    }
    choices.extend(several.iter().map(|i| format!("{i}.{path}")));
    let which: Vec<String> = several
        .iter()
        .map(|&i| format!("{i} ({})", kinds[i]))
        .collect();
    format!(
        "several interventions of the arm have `{field}`: {}; allowed: one of them named by its kind or index, {}",
        which.join(", "),
        choices.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_splits_into_name_base_and_settings() {
        let spec =
            parse_spec("half: takedown with capacity_seized=0.5, target={provider=\"A, B\"}")
                .unwrap();
        assert_eq!((spec.name, spec.base), ("half", "takedown"));
        assert_eq!(
            spec.settings,
            vec![
                ("capacity_seized", "0.5"),
                ("target", "{provider=\"A, B\"}")
            ]
        );
        assert!(parse_spec("copy: takedown").unwrap().settings.is_empty());
        for bad in [
            "no colon",
            ": takedown",
            "x: takedown capacity_seized=1",
            "x: takedown with ",
            "x: takedown with a",
        ] {
            assert!(parse_spec(bad).is_err(), "{bad} is refused");
        }
    }

    #[test]
    fn every_kind_lists_its_fields() {
        let fields = kind_fields();
        let takedown = fields.iter().find(|(k, _)| k == "takedown").unwrap();
        assert!(takedown.1.contains(&"capacity_seized".to_string()));
        assert!(!takedown.1.contains(&"kind".to_string()));
        assert_eq!(fields.len(), crate::model::interventions::KINDS.len());
    }
}
