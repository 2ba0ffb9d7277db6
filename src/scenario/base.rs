//! The base of a scenario's draws: the scenario without its `[uncertain]`
//! table, on which the uncertain parameters' values, a posterior's and
//! the probes that check them are tried as `--set` assignments.
//!
//! It is parsed once, into a TOML table and its scenario: an assignment is
//! made in a copy of the section of the table it sets (`market`,
//! `providers`, ...) as a `--set` of it would be made in the text, and the
//! section deserialized again in place of the base's (the scenario's
//! derived deserializer reads each section alone, with its own type) and
//! the scenario validated, all in memory. Only a scenario that fails, or an
//! assignment a `--set` would make by creating tables, is loaded again from
//! the text with the assignments as `--set` overrides, so that every
//! problem is found, worded and located as before.

use std::sync::OnceLock;

use serde::Deserialize;
use toml::{Table, Value};

use super::error::{Place, ScenarioError};
use super::load::{Parsed, parse};
use super::validate::{is_valid, model_if_valid, validate};
use crate::model::Model;
use crate::model::params::{Entry, Market, Meta, Scenario, Victims};

/// What the parser says of a fractional value given to an integer field.
const FRACTION_REFUSED: &str = "invalid type: floating point";

/// Words of the problems of a key path (rather than of its value) when
/// given as `--set`: an unknown key, or a path through lists or values that
/// does not exist.
const PATH_PROBLEMS: [&str; 5] = [
    "is not a key of this table",
    "no element named",
    "is out of range; allowed: 0 to",
    "is a value, not a table",
    "is a list; allowed",
];

/// A valid scenario without its `[uncertain]` table, parsed once.
pub(super) struct Base<'p> {
    /// The scenario as parsed (its origin and text after `--set`).
    parsed: &'p Parsed,
    /// Its text without `[uncertain]`, parsed: the sections assignments
    /// are made in.
    table: Table,
    /// The scenario of `table`.
    scenario: Scenario,
    /// Its text without `[uncertain]`, written when a problem must be located.
    text: OnceLock<String>,
    /// The memory a run may use, read once for every scenario tried.
    available: Option<f64>,
}

/// Why the base with one `--set` assignment does not load.
pub(super) enum Refusal {
    /// The key path is not a parameter of the scenario (the problems).
    Path(String),
    /// The value is refused (the problems).
    Value(String),
}

impl<'p> Base<'p> {
    /// The base of a parsed scenario (whose text is TOML), whose runs may
    /// use `available` bytes of memory (see
    /// [`memory_limit`](super::validate::memory_limit)).
    pub(super) fn new(parsed: &'p Parsed, available: Option<f64>) -> Self {
        let mut table: Table = parsed
            .text
            .parse()
            .expect("text that parsed as a scenario is TOML");
        table.remove("uncertain");
        let mut scenario = parsed.scenario.clone();
        scenario.uncertain.clear();
        Base {
            parsed,
            table,
            scenario,
            text: OnceLock::new(),
            available,
        }
    }

    /// The model of the base with `assignments` given as `--set`, or its
    /// problems as such a `--set` reports them.
    pub(super) fn load(&self, assignments: &[String]) -> Result<Model, ScenarioError> {
        let built = self.deserialize(assignments).and_then(Result::ok);
        match built.and_then(|scenario| model_if_valid(scenario, self.available)) {
            Some(model) => Ok(model),
            None => self.load_text(assignments),
        }
    }

    /// Whether the base with `assignments` made in memory is valid (when
    /// it is not, or they cannot be made in memory, its text with them as
    /// `--set` tells).
    fn valid_in_memory(&self, assignments: &[String]) -> bool {
        matches!(self.deserialize(assignments), Some(Ok(s)) if is_valid(&s, self.available))
    }

    /// Whether the field `name` is an integer: the parser refuses a value
    /// with a fractional part (one near `near`) as "invalid type: floating
    /// point".
    pub(super) fn integer_field(&self, name: &str, near: f64) -> bool {
        let probe = vec![format!("{name}={}", near.floor() + 0.5)];
        match self.deserialize(&probe) {
            Some(Ok(_)) => false,
            Some(Err(e)) => e.message().contains(FRACTION_REFUSED),
            None => match self.load_text(&probe) {
                Ok(_) => false,
                Err(e) => e.to_string().contains(FRACTION_REFUSED),
            },
        }
    }

    /// Load the base with `assignment` as a `--set`: `None` when it is
    /// valid, otherwise its problems, joined, as a [`Refusal`].
    pub(super) fn refusal(&self, assignment: &str) -> Option<Refusal> {
        let assignments = [assignment.to_string()];
        if self.valid_in_memory(&assignments) {
            return None;
        }
        let e = self.load_text(&assignments).err()?;
        let problems: Vec<String> = e
            .problems
            .iter()
            .map(|p| match p.place {
                Place::Flag => p.message.clone(),
                _ => format!("`{}`: {}", p.key, p.message),
            })
            .collect();
        let problems = problems.join("; ");
        Some(if PATH_PROBLEMS.iter().any(|p| problems.contains(p)) {
            Refusal::Path(problems)
        } else {
            Refusal::Value(problems)
        })
    }

    /// The scenario with `assignments` made in copies of the sections
    /// they set, deserialized in place of the base's (or the parser's
    /// refusal); `None` when an assignment is not made in memory (see
    /// [`assign`]).
    fn deserialize(&self, assignments: &[String]) -> Option<Result<Scenario, toml::de::Error>> {
        let mut sections = Table::new();
        for assignment in assignments.iter().flat_map(|a| super::load::joint_parts(a)) {
            let (path, _) = assignment.split_once('=')?;
            let name = path.split('.').next()?.trim();
            if !sections.contains_key(name) {
                sections.insert(name.to_string(), self.table.get(name)?.clone());
            }
            assign(&mut sections, &assignment)?;
        }
        let mut scenario = self.scenario.clone();
        for (name, section) in sections {
            if let Err(e) = replace_section(&mut scenario, &name, section)? {
                return Some(Err(e));
            }
        }
        Some(Ok(scenario))
    }

    /// Load the text of the base with `assignments` as `--set` overrides.
    fn load_text(&self, assignments: &[String]) -> Result<Model, ScenarioError> {
        parse(self.text(), &self.parsed.origin, assignments).and_then(validate)
    }

    /// The text of the base: the scenario's without `[uncertain]`.
    fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let mut doc: toml_edit::DocumentMut =
                (self.parsed.text.parse()).expect("text that parsed as a scenario is TOML");
            doc.remove("uncertain");
            doc.to_string()
        })
    }
}

/// Make the assignment `key.path=value` in `table` as a `--set` of it is
/// made in the text (lists' elements by index or `name`), when every
/// table and list on the path is there and the value is a number; `None`
/// otherwise (the `--set` would create tables, fail, or set a value of
/// another type).
fn assign(table: &mut Table, assignment: &str) -> Option<()> {
    let (path, raw) = assignment.split_once('=')?;
    let value = raw
        .trim()
        .parse::<Value>()
        .ok()
        .filter(|v| v.is_integer() || v.is_float())?;
    let segments: Vec<&str> = path.trim().split('.').map(str::trim).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let (last, parents) = segments.split_last()?;
    let mut table = table;
    let mut rest = parents.iter();
    while let Some(segment) = rest.next() {
        table = match table.get_mut(*segment)? {
            Value::Table(inner) => inner,
            Value::Array(list) => element(list, rest.next()?)?,
            _ => return None,
        };
    }
    table.insert((*last).to_string(), value);
    Some(())
}

/// Deserialize `section` as the section `name` of `scenario`, in place of
/// its own, as the scenario's deserializer does (each section alone, with
/// its type); `None` for a name that is not a section.
fn replace_section(
    scenario: &mut Scenario,
    name: &str,
    section: Value,
) -> Option<Result<(), toml::de::Error>> {
    let s = scenario;
    Some(match name {
        "scenario" => Meta::deserialize(section).map(|v| s.scenario = v),
        "market" => Market::deserialize(section).map(|v| s.market = v),
        "entry" => Entry::deserialize(section).map(|v| s.entry = v),
        "providers" => Vec::deserialize(section).map(|v| s.providers = v),
        "attackers" => Vec::deserialize(section).map(|v| s.attackers = v),
        "victims" => Victims::deserialize(section).map(|v| s.victims = v),
        "arms" => Vec::deserialize(section).map(|v| s.arms = v),
        _ => return None,
    })
}

/// The element of a list of tables given by its index or its `name`.
fn element<'t>(list: &'t mut [Value], segment: &str) -> Option<&'t mut Table> {
    let position = match segment.parse::<usize>() {
        Ok(index) => index,
        Err(_) => list
            .iter()
            .position(|v| v.get("name").and_then(Value::as_str) == Some(segment))?,
    };
    list.get_mut(position)?.as_table_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::read;
    use crate::scenario::validate::memory_limit;

    const TEXT: &str = r#"
[market]
search_days = 20.0
patience_days = 30

[[providers]]
name = "Alpha"
price_usd = 30

[arms]
list = [{ name = "a", days = 1 }, 7]
"#;

    fn table() -> Table {
        TEXT.parse().unwrap()
    }

    /// `assign` makes the assignments a `--set` makes on this text, and
    /// refuses (`None`) those a `--set` makes by creating tables, or that
    /// set anything but a number.
    #[test]
    fn assign_follows_the_set_path_or_declines() {
        let mut t = table();
        for assignment in [
            "market.search_days=7.5",
            " market . patience_days = 12 ",
            "market.new_key=1e-3",
            "providers.Alpha.price_usd=31",
            "providers.0.price_usd=32",
            "arms.list.a.days=2",
        ] {
            assert_eq!(assign(&mut t, assignment), Some(()), "{assignment}");
        }
        assert_eq!(t["market"]["search_days"].as_float(), Some(7.5));
        assert_eq!(t["market"]["patience_days"].as_integer(), Some(12));
        assert_eq!(t["market"]["new_key"].as_float(), Some(0.001));
        assert_eq!(t["providers"][0]["price_usd"].as_integer(), Some(32));
        assert_eq!(t["arms"]["list"][0]["days"].as_integer(), Some(2));
        for declined in [
            "market.search_days",
            "market.search_days=fast",
            "market.search_days=\"7\"",
            "entry.template.quality=0.5",
            "providers.Omega.price_usd=1",
            "providers.3.price_usd=1",
            "providers.price_usd=1",
            "market.search_days.x=1",
            "arms.list.1.days=1",
            "market..search_days=1",
        ] {
            assert_eq!(assign(&mut table(), declined), None, "{declined}");
        }
    }

    /// A shipped scenario, parsed.
    fn shipped(name: &str) -> Parsed {
        let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        read(std::path::Path::new(&path), &[]).expect("a shipped scenario loads")
    }

    /// Made in memory, an assignment gives the scenario a `--set` of it
    /// gives, or is refused when the `--set` is (saying "invalid type:
    /// floating point" when it does): every uncertain key of the shipped
    /// scenarios at both ends of its range, at a fraction, below 0 and far
    /// above its range, and all of them at once.
    #[test]
    fn assignments_in_memory_load_as_a_set_of_them_does() {
        for name in ["generic-market", "redvds-2026", "lumma-2025"] {
            let parsed = shipped(name);
            let base = Base::new(&parsed, memory_limit());
            let mut all = Vec::new();
            for (key, dist) in &parsed.scenario.uncertain {
                let (low, high) = dist.support();
                for value in [low, high, low.floor() + 0.5, -1.0, high * 1e6] {
                    let assignment = vec![format!("{key}={value}")];
                    same_as_set(&base, &assignment);
                }
                all.push(format!("{key}={high}"));
            }
            same_as_set(&base, &all);
        }
    }

    /// `assignments` made in memory on `base` as through the text.
    fn same_as_set(base: &Base, assignments: &[String]) {
        let memory = base.deserialize(assignments).expect("made in memory");
        let text = parse(base.text(), "base.toml", assignments).map(|p| p.scenario);
        match (memory, text) {
            (Ok(memory), Ok(text)) => assert_eq!(memory, text, "{assignments:?}"),
            (Err(m), Err(t)) => assert_eq!(
                m.message().contains(FRACTION_REFUSED),
                t.to_string().contains(FRACTION_REFUSED),
                "{assignments:?}: {m} / {t}"
            ),
            (m, t) => panic!("{assignments:?}: in memory {m:?}, as --set {t:?}"),
        }
        let valid = base.load_text(assignments).is_ok();
        assert_eq!(base.valid_in_memory(assignments), valid, "{assignments:?}");
    }
}
