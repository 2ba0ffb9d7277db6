//! Reading a scenario file: size and encoding checks, `--set` overrides,
//! strict parsing, and locating any problem at a line of the file.

use std::ops::Range;
use std::path::Path;

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::error::{Problem, ScenarioError};
use super::format::Scenario;

/// Largest scenario file accepted (scenarios are hand-written text).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A scenario as read, before validation, with its text for locating problems.
pub struct Parsed {
    /// Where it came from (a path, for messages).
    pub origin: String,
    /// The text after overrides (line numbers of the file are kept).
    pub text: String,
    /// The parsed scenario.
    pub scenario: Scenario,
}

/// Read and parse a scenario file, applying `key.path=value` overrides.
pub fn read(path: &Path, overrides: &[String]) -> Result<Parsed, ScenarioError> {
    let text = read_text(path)?;
    parse(&text, &path.display().to_string(), overrides)
}

/// Read a scenario file's text, refusing what cannot be a scenario (too
/// large, not a regular file, not UTF-8).
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let origin = path.display().to_string();
    let fail = |message: String| ScenarioError::single(&origin, Problem::file(message));
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if !meta.is_file() {
        return Err(fail("is not a regular file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "the file is {} bytes; scenario files are limited to {MAX_FILE_BYTES} bytes",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    String::from_utf8(bytes).map_err(|_| fail("is not UTF-8 text (is it a binary file?)".into()))
}

/// Parse scenario text, applying overrides.
pub fn parse(text: &str, origin: &str, overrides: &[String]) -> Result<Parsed, ScenarioError> {
    if text.contains('\0') {
        return Err(ScenarioError::single(
            origin,
            Problem::file("contains NUL bytes: not a text file".into()),
        ));
    }
    let text = apply_overrides(text, origin, overrides)?;
    let scenario: Scenario = toml::from_str(&text).map_err(|e| {
        let span = e.span();
        let key = span.clone().map(|s| key_at(&text, s)).unwrap_or_default();
        ScenarioError::single(
            origin,
            Problem::at(&text, span, key, e.message().trim().to_string()),
        )
    })?;
    Ok(Parsed {
        origin: origin.to_string(),
        text,
        scenario,
    })
}

/// The key a parse error is about: the key before `=` when the error points
/// at a value (a type error), otherwise the token it points at (an unknown key).
fn key_at(text: &str, span: Range<usize>) -> String {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..start].trim_end();
    if let Some(lhs) = before.strip_suffix('=') {
        let key: String = lhs
            .trim_end()
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || "_-.\"".contains(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !key.is_empty() {
            return key;
        }
    }
    let token = text.get(span).unwrap_or("").trim();
    let token: String = token.chars().take(60).collect();
    token.lines().next().unwrap_or("").to_string()
}

/// Apply `key.path=value` overrides to the document, keeping line numbers.
fn apply_overrides(
    text: &str,
    origin: &str,
    overrides: &[String],
) -> Result<String, ScenarioError> {
    if overrides.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        ScenarioError::single(
            origin,
            Problem::at(
                text,
                e.span(),
                String::new(),
                e.message().trim().to_string(),
            ),
        )
    })?;
    for assignment in overrides {
        set(&mut doc, assignment).map_err(|message| {
            ScenarioError::single(origin, Problem::flag(assignment.clone(), message))
        })?;
    }
    Ok(doc.to_string())
}

/// Apply one `key.path=value` to a document. Array elements are picked by
/// index or by their `name` (e.g. `providers.RedVDS.price_usd=30`).
pub fn set(doc: &mut DocumentMut, assignment: &str) -> Result<(), String> {
    let (path, raw) = assignment
        .split_once('=')
        .ok_or("expected `key.path=value`, e.g. `scenario.replications=5`")?;
    let value = parse_value(raw.trim());
    let segments: Vec<&str> = path.trim().split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "`{path}` is not a key path like `market.search_days`"
        ));
    }
    let (last, parents) = segments.split_last().ok_or("empty key path")?;
    let mut table: &mut dyn TableLike = doc.as_table_mut();
    let mut rest = parents.iter();
    while let Some(segment) = rest.next() {
        let item = table
            .entry(segment)
            .or_insert(Item::Table(toml_edit::Table::new()));
        table = match item {
            Item::Table(t) => t,
            Item::Value(Value::InlineTable(t)) => t,
            Item::ArrayOfTables(array) => {
                let element = rest
                    .next()
                    .ok_or(format!("`{segment}` is a list: name an element"))?;
                let names = array.iter().map(|t| t.get("name").and_then(Item::as_str));
                let position = element_position(names, element)?;
                array.get_mut(position).ok_or("no such element")?
            }
            Item::Value(Value::Array(array)) => {
                let element = rest
                    .next()
                    .ok_or(format!("`{segment}` is a list: name an element"))?;
                let names = array.iter().map(|v| {
                    v.as_inline_table()
                        .and_then(|t| t.get("name"))
                        .and_then(Value::as_str)
                });
                let position = element_position(names, element)?;
                match array.get_mut(position) {
                    Some(Value::InlineTable(t)) => t,
                    _ => return Err(format!("element `{element}` of `{segment}` is not a table")),
                }
            }
            _ => return Err(format!("`{segment}` is not a table")),
        };
    }
    table.insert(last, Item::Value(value));
    Ok(())
}

/// Index of an array element given as a number or by its `name`.
fn element_position<'a>(
    names: impl Iterator<Item = Option<&'a str>>,
    segment: &str,
) -> Result<usize, String> {
    let names: Vec<Option<&str>> = names.collect();
    if let Ok(index) = segment.parse::<usize>() {
        return if index < names.len() {
            Ok(index)
        } else {
            Err(format!(
                "index {index} is out of range (there are {})",
                names.len()
            ))
        };
    }
    names
        .iter()
        .position(|n| *n == Some(segment))
        .ok_or_else(|| {
            let known: Vec<&str> = names.iter().flatten().copied().collect();
            format!("no element named `{segment}`; known: {}", known.join(", "))
        })
}

/// A TOML value from the text after `=`; bare words become strings.
fn parse_value(raw: &str) -> Value {
    raw.parse::<Value>()
        .unwrap_or_else(|_| Value::from(raw.to_string()))
}
