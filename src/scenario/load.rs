//! Reading a scenario file: size and encoding checks, `--set` overrides,
//! strict parsing, and locating any problem at a line and key path of the
//! file (or at the `--set` override that caused it), in plain words.

use std::io::Read;
use std::ops::Range;
use std::path::Path;

use toml_edit::{Document, DocumentMut, Item, TableLike, Value};

use super::arm_add;
use super::error::{Place, Problem, ScenarioError};
use super::locate::{self, Locator, Override, Step, context_key, path_at};
use crate::model::interventions::KINDS;
use crate::model::params::Scenario;
use crate::model::posterior::Posterior;

/// Largest scenario file accepted (scenarios are hand-written text of a few kB).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Deepest nesting the TOML parser accepts (lists and inline tables, or
/// parts of a dotted key); it refuses deeper input without recursing.
const PARSER_DEPTH_LIMIT: usize = 80;

/// The keys of the top level of a scenario (no table inside has a key of these names).
const TOP_LEVEL_KEYS: [&str; 7] = [
    "scenario",
    "market",
    "entry",
    "providers",
    "attackers",
    "victims",
    "arms",
];

/// Keys that were fields of another table in earlier versions of the
/// format, with the key that holds them now: a scenario that still writes
/// one is told where it went.
const MOVED_KEYS: [(&str, &str); 2] = [
    ("risk_shock_customers", "market.risk_shock_customers"),
    ("risk_shock_all", "market.risk_shock_all"),
];

/// A scenario as read, before validation, with its text for locating problems.
pub struct Parsed {
    /// Where it came from (a path, for messages).
    pub origin: String,
    /// The text as read: problems are located in it.
    pub source: String,
    /// The text after overrides (what was parsed into `scenario`).
    pub text: String,
    /// The `--set` overrides applied, with the paths they set.
    pub overrides: Vec<Override>,
    /// The parsed scenario.
    pub scenario: Scenario,
    /// The posterior of a calibration the run draws from (`run
    /// --posterior`), checked against the scenario; `None` as parsed.
    pub posterior: Option<Posterior>,
}

/// Read and parse a scenario file, applying `key.path=value` overrides.
pub fn read(path: &Path, overrides: &[String]) -> Result<Parsed, ScenarioError> {
    let text = read_text(path)?;
    parse(&text, &path.display().to_string(), overrides)
}

/// Read a scenario file's text, refusing what cannot be a scenario (missing,
/// a directory or device, too large, binary, not UTF-8).
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let origin = path.display().to_string();
    let fail = |message: String| ScenarioError::single(&origin, Problem::file(message));
    let cannot = |e: std::io::Error| {
        fail(format!(
            "cannot read the file: {e}; allowed: a readable scenario file (TOML)"
        ))
    };
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.is_dir() {
        return Err(fail(
            "is a directory; allowed: a scenario file (TOML), e.g. scenarios/generic-market.toml"
                .into(),
        ));
    }
    if !meta.is_file() {
        return Err(fail(
            "is not a regular file (a device, pipe or socket); allowed: a scenario file (TOML)"
                .into(),
        ));
    }
    let too_large = |bytes: u64| {
        fail(format!(
            "the file is {bytes} bytes or more; allowed: at most {MAX_FILE_BYTES} bytes (4 MiB): scenarios are hand-written text"
        ))
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // Read at most one byte more than allowed, in case the file grew.
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    decode(bytes, &origin)
}

/// The bytes of a file as text, or where they stop being UTF-8 (text with
/// NUL bytes is refused, at its line, when parsed).
fn decode(bytes: Vec<u8>, origin: &str) -> Result<String, ScenarioError> {
    String::from_utf8(bytes).map_err(|e| {
        if e.as_bytes().contains(&0) {
            return ScenarioError::single(
                origin,
                Problem::file(
                    "is a binary file (it has NUL bytes and is not UTF-8); allowed: a scenario file of TOML text"
                        .into(),
                ),
            );
        }
        let valid = e.utf8_error().valid_up_to();
        let bad = e.as_bytes()[valid];
        let before = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let key = context_key(&before, valid);
        ScenarioError::single(
            origin,
            Problem::at(
                &before,
                Some(valid..valid),
                key,
                format!(
                    "byte 0x{bad:02x} is not UTF-8 text; allowed: a file saved as UTF-8 (TOML requires it)"
                ),
            ),
        )
    })
}

/// Parse scenario text, applying overrides.
pub fn parse(text: &str, origin: &str, overrides: &[String]) -> Result<Parsed, ScenarioError> {
    if let Some(at) = text.find('\0') {
        return Err(ScenarioError::single(
            origin,
            Problem::at(
                text,
                Some(at..at),
                context_key(text, at),
                "contains a NUL byte: this is not a text file; allowed: a scenario file of TOML text"
                    .into(),
            ),
        ));
    }
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    loop {
        let active: Vec<String> = (overrides.iter().enumerate())
            .filter(|(i, _)| !skipped.contains(i))
            .map(|(_, o)| o.clone())
            .collect();
        let applied = apply_overrides(text, origin, &active)?;
        applied
            .problems
            .iter()
            .for_each(|p| push_new(&mut problems, p));
        let error = match toml::from_str::<Scenario>(&applied.text) {
            Ok(scenario) if problems.is_empty() => {
                return Ok(Parsed {
                    origin: origin.to_string(),
                    source: text.to_string(),
                    text: applied.text,
                    overrides: applied.overrides,
                    scenario,
                    posterior: None,
                });
            }
            Ok(_) => break,
            Err(error) => error,
        };
        let problem = describe(
            &error,
            &applied.text,
            &Locator::new(text, &applied.overrides),
        );
        push_new(&mut problems, &problem);
        // A parse error caused by an override: parse again without it, to
        // find the problems of the others too.
        match culprit(&problem, overrides, &skipped) {
            Some(i) => skipped.push(i),
            None => break,
        }
    }
    Err(ScenarioError {
        origin: origin.to_string(),
        problems,
    })
}

/// Add `problem` to `problems` unless it is there already (an override
/// given twice).
fn push_new(problems: &mut Vec<Problem>, problem: &Problem) {
    if !problems.contains(problem) {
        problems.push(problem.clone());
    }
}

/// The index in `overrides` (not yet `skipped`) of the override a
/// problem names, if it names one.
fn culprit(problem: &Problem, overrides: &[String], skipped: &[usize]) -> Option<usize> {
    if problem.place != Place::Flag {
        return None;
    }
    (0..overrides.len()).find(|i| !skipped.contains(i) && overrides[*i] == problem.key)
}

/// A problem for a parse error of `effective` (the text after overrides).
fn describe(error: &toml::de::Error, effective: &str, locator: &Locator) -> Problem {
    let message = error.message().trim();
    let Ok(doc) = Document::parse(effective.to_string()) else {
        // The text is not TOML (overrides are applied to TOML only, so the
        // effective text is the file as read).
        return syntax_problem(effective, error.span(), message);
    };
    let span = error.span().unwrap_or(0..0);
    let mut found = path_at(&doc, &span);
    let mut message = message.to_string();
    let mut path = found.path.clone();
    let mut at = found.span.clone().or(Some(span));
    if let Some((inner_path, inner_span, field, inner_message)) =
        intervention_error(effective, &found)
    {
        message = inner_message;
        match field {
            Some(field) => {
                found = path_at(&doc, &field);
                path = found.path.clone();
                at = found.span.clone().or(Some(field));
            }
            None => {
                path = inner_path;
                at = inner_span.or(at);
            }
        }
    }
    let mut value = found.value;
    if let Some(field) = quoted_after(&message, "unknown field `") {
        // A list of tables is named by its key, not by an element.
        let last_key = path.iter().rposition(|s| matches!(s, Step::Key(_)));
        if let Some(k) = last_key.filter(|&k| path[k] == Step::Key(field.to_string())) {
            path.truncate(k + 1);
        } else if let Some((key, _)) = found
            .table
            .filter(|_| path.last() != Some(&Step::Key(field.to_string())))
            .and_then(|t| t.get_key_value(field))
        {
            path.push(Step::Key(field.to_string()));
            at = key.span().or(at);
        }
    } else if let Some(field) = quoted_after(&message, "missing field `") {
        if TOP_LEVEL_KEYS.contains(&field) {
            // The parser points at the start of the file, which may be
            // the first table's header.
            path.clear();
        }
        path.push(Step::Key(field.to_string()));
    } else if let Some(table) = found.table
        && let Some((key, v)) = offending_entry(table, &message)
    {
        path.push(Step::Key(key.to_string()));
        at = v.span().or(at);
        value = Some(v);
    }
    let message = plain_message(&message, value);
    // Spans of the effective text are spans of the file only without
    // overrides; otherwise the locator finds the path in the file.
    let at = if locator.has_overrides() { None } else { at };
    locator.problem(&path, at, message)
}

/// A problem for text that is not TOML: at the parser's span, with the key
/// guessed from the lines around it.
fn syntax_problem(text: &str, span: Option<Range<usize>>, message: &str) -> Problem {
    if span.is_none()
        && message.contains("recursion limit")
        && let Some((start, parts)) = locate::longest_dotted_key(text)
    {
        let line = &text[start..];
        let first = line
            .trim_start()
            .trim_start_matches('[')
            .split(['.', '=', ']'])
            .next()
            .unwrap_or("")
            .trim();
        return Problem::at(
            text,
            Some(start..start),
            format!("{first}..."),
            format!(
                "a dotted key of {parts} parts; allowed: fewer than {PARSER_DEPTH_LIMIT} (a scenario needs at most 4)"
            ),
        );
    }
    let key = span
        .as_ref()
        .map(|s| context_key(text, s.start))
        .unwrap_or_default();
    let message = plain_message(message, None);
    let message = match message.split_once(", expected ") {
        Some((what, expected)) => format!("{what}; allowed here: {expected}"),
        None if message.contains("allowed") => message,
        None => {
            format!("{message} (this is not valid TOML; allowed: TOML as in the scenarios/ folder)")
        }
    };
    Problem::at(text, span, key, message)
}

/// The text between `prefix` and the next backtick.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split_once('`').map(|(field, _)| field)
}

/// An intervention (`arms[i].interventions[k]`) is parsed as a whole by its
/// `kind`, so the parser only points at it, or at the list of them: parse
/// each again as its kind alone to find the field at fault. Returns the
/// intervention's path and span, the field's span (`None` for a missing
/// field) and the message.
#[allow(clippy::type_complexity)]
fn intervention_error(
    effective: &str,
    found: &locate::Found,
) -> Option<(
    Vec<Step>,
    Option<Range<usize>>,
    Option<Range<usize>>,
    String,
)> {
    let (Some(Step::Key(arms)), Some(Step::Index(arm))) = (found.path.first(), found.path.get(1))
    else {
        return None;
    };
    if arms != "arms" {
        return None;
    }
    let base = vec![
        Step::Key("arms".into()),
        Step::Index(*arm),
        Step::Key("interventions".into()),
    ];
    let mut candidates: Vec<(usize, &dyn TableLike, Option<Range<usize>>)> = Vec::new();
    let list = match &found.path[2..] {
        [Step::Key(k), Step::Index(i)] if k == "interventions" => {
            let table = found.table?;
            candidates.push((*i, table, found.span.clone()));
            None
        }
        [Step::Key(k)] if k == "interventions" => found.value,
        [] => found
            .table
            .and_then(|t| t.get("interventions"))
            .and_then(Item::as_value),
        _ => return None,
    };
    if let Some(Value::Array(array)) = list {
        for (i, v) in array.iter().enumerate() {
            if let Some(t) = v.as_inline_table() {
                candidates.push((i, t, v.span()));
            }
        }
    }
    candidates.into_iter().find_map(|(i, table, span)| {
        let (field, message) = kind_error(effective, table)?;
        let mut path = base.clone();
        path.push(Step::Index(i));
        Some((path, span, field, message))
    })
}

/// Parse one intervention table as the struct of its `kind`; the field's
/// span in `effective` (`None` for a field missing from the table itself)
/// and the message.
fn kind_error(effective: &str, table: &dyn TableLike) -> Option<(Option<Range<usize>>, String)> {
    let kind = table.get("kind")?.as_str()?;
    let mut text = String::new();
    let mut pieces = Vec::new();
    for (name, _) in table.iter() {
        if name == "kind" {
            continue;
        }
        let (key, item) = table.get_key_value(name)?;
        let start = key.span()?.start;
        let end = item.as_value()?.span()?.end;
        let piece = effective.get(start..end)?;
        pieces.push((text.len(), start, piece.len()));
        text.push_str(piece);
        text.push('\n');
    }
    if Document::parse(text.as_str()).is_err() {
        // Not a faithful copy (e.g. dotted keys): keep the parser's message.
        return None;
    }
    // An unknown kind is the parser's to report (it lists the kinds).
    let (_, parse) = KINDS.iter().find(|(name, _)| *name == kind)?;
    let error = parse(&text)?;
    let message = error.message().trim().to_string();
    // A field missing from the intervention table itself has an empty span;
    // one missing from a table inside it (a `rebrand`) spans that table.
    let missing = message.starts_with("missing field");
    let span = error.span().filter(|s| !(missing && s.is_empty()));
    let span = span.and_then(|s| {
        let &(inner, outer, len) = pieces
            .iter()
            .rev()
            .find(|&&(inner, _, _)| inner <= s.start)?;
        let offset = s.start - inner;
        (offset <= len).then(|| {
            let start = outer + offset;
            start..start + s.len().min(len - offset)
        })
    });
    Some((span, message))
}

/// The entry of a table whose value a type error describes (`invalid
/// type: string "x", ...`): tables parsed as a whole (distributions) only
/// point at the table.
fn offending_entry<'t>(table: &'t dyn TableLike, message: &str) -> Option<(&'t str, &'t Value)> {
    let unexpected = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?
        .split(", expected ")
        .next()?;
    table.iter().find_map(|(key, item)| {
        let value = item.as_value()?;
        let matches = match value {
            Value::String(s) => unexpected == format!("string {:?}", s.value()),
            Value::Integer(i) => unexpected == format!("integer `{}`", i.value()),
            Value::Float(f) => unexpected == format!("floating point `{}`", f.value()),
            Value::Boolean(b) => unexpected == format!("boolean `{}`", b.value()),
            Value::Datetime(_) | Value::InlineTable(_) => unexpected == "map",
            Value::Array(_) => unexpected == "sequence",
        };
        matches.then_some((key, value))
    })
}

/// A parser message in the words of the scenario format: what the value
/// is and what is allowed.
fn plain_message(message: &str, value: Option<&Value>) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, allowed) = rest.split_once('`').unwrap_or((rest, ""));
        let moved = match MOVED_KEYS.iter().find(|(old, _)| *old == field) {
            Some((_, new)) => format!(
                " (it moved: how attackers react is one market parameter for every arm, `{new}`)"
            ),
            None => String::new(),
        };
        return match allowed.strip_prefix(", expected ") {
            Some(keys) => format!(
                "is not a key of this table{moved}; allowed keys: {}",
                keys.trim_start_matches("one of ")
            ),
            None => format!("is not a key of this table{moved}; this table takes no keys"),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (variant, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed = tail.strip_prefix(", expected ").unwrap_or(tail);
        return format!(
            "`{variant}` is not known; allowed: {}",
            allowed.trim_start_matches("one of ")
        );
    }
    if message.starts_with("missing field `") {
        return "is missing; it is required (`caasim schema` shows what is allowed)".into();
    }
    if message.starts_with("wanted exactly 1 element") {
        return format!(
            "names more than one target; allowed: {}",
            plain_type("map with a single key")
        );
    }
    if message == "duplicate key" {
        return "is given twice; allowed: each key once in a table".into();
    }
    if message.contains("max recursion depth") {
        return format!(
            "is nested too deeply (lists or inline tables {PARSER_DEPTH_LIMIT} levels deep); allowed: the nesting of the scenario format (at most 3 levels)"
        );
    }
    // The parser's description of the value is kept ("invalid type:
    // floating point `1.5`"; the calibration recognises whole-number
    // parameters by it); what it expected is put in words.
    let typed = message.starts_with("invalid type: ") || message.starts_with("invalid value: ");
    if typed {
        let (unexpected, expected) = message.rsplit_once(", expected ").unwrap_or((message, ""));
        if let Some(Value::Datetime(_)) = value {
            return format!(
                "is a TOML date or time without quotes; allowed: {} (write a date in quotes, e.g. \"2026-01-14\")",
                plain_type(expected)
            );
        }
        return format!("{unexpected}; allowed: {}", plain_type(expected));
    }
    message.to_string()
}

/// A serde type name as words.
fn plain_type(expected: &str) -> String {
    match expected {
        "u8" => "a whole number from 0 to 255".into(),
        "u16" => "a whole number from 0 to 65535".into(),
        "u32" => "a whole number from 0 to 4294967295".into(),
        "u64" | "usize" => "a whole number from 0 to 9223372036854775807".into(),
        "i64" => "a whole number".into(),
        "f64" | "f32" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" => "text in quotes".into(),
        "a sequence" => "a list [...]".into(),
        "map with a single key" => {
            "exactly one target: one of `provider`, `class`, `jurisdiction`, `top_k`, e.g. { provider = \"RedVDS\" }".into()
        }
        other if other.starts_with("struct ") => "a table".into(),
        other if other.starts_with("internally tagged enum ") => "a table with its tag".into(),
        other => other.to_string(),
    }
}

/// The text after overrides, the overrides applied and the problems of
/// those that could not be applied.
struct Applied {
    text: String,
    overrides: Vec<Override>,
    problems: Vec<Problem>,
}

/// Apply overrides to the text, keeping the file's text otherwise: every
/// `--arm-add` first (so that a `--set` can reach a new arm), then every
/// `key.path=value`. An override that cannot be applied is left out and
/// its problem kept; the error is for text that is not TOML.
fn apply_overrides(
    text: &str,
    origin: &str,
    overrides: &[String],
) -> Result<Applied, ScenarioError> {
    let mut applied = Applied {
        text: text.to_string(),
        overrides: Vec::new(),
        problems: Vec::new(),
    };
    if overrides.is_empty() {
        return Ok(applied);
    }
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        ScenarioError::single(origin, syntax_problem(text, e.span(), e.message().trim()))
    })?;
    let (additions, sets): (Vec<&String>, Vec<&String>) = overrides
        .iter()
        .partition(|o| arm_add::spec_of(o).is_some());
    for assignment in additions.into_iter().chain(sets) {
        match apply_one(&mut doc, assignment) {
            Ok(path) => applied.overrides.push(Override {
                assignment: assignment.clone(),
                path,
            }),
            Err(messages) => applied.problems.extend(
                (messages.into_iter()).map(|message| Problem::flag(assignment.clone(), message)),
            ),
        }
    }
    applied.text = doc.to_string();
    Ok(applied)
}

/// Apply one override (an `--arm-add` as [`arm_add::record`] makes it, or
/// a `key.path=value`, or joint keys `a.b|c.d=value` given one value); the
/// path it set (the first key's), or its problems.
fn apply_one(doc: &mut DocumentMut, assignment: &str) -> Result<Vec<Step>, Vec<String>> {
    if let Some(spec) = arm_add::spec_of(assignment) {
        return arm_add::add(doc, spec);
    }
    let mut first = None;
    let mut problems = Vec::new();
    for part in joint_parts(assignment) {
        match set_path(doc, &part) {
            Ok(path) => {
                first.get_or_insert(path);
            }
            Err(message) => problems.push(message),
        }
    }
    match (first, problems.is_empty()) {
        (Some(path), true) => Ok(path),
        _ => Err(problems),
    }
}

/// The assignments of joint keys: `a.b|c.d=value` is `a.b=value` and
/// `c.d=value` (one value for several keys, e.g. one seized share for the
/// arms of both waves); any other assignment is itself.
pub fn joint_parts(assignment: &str) -> Vec<String> {
    match assignment.split_once('=') {
        Some((keys, value)) if keys.contains('|') => (keys.split('|'))
            .map(|key| format!("{}={value}", key.trim()))
            .collect(),
        _ => vec![assignment.to_string()],
    }
}

/// Apply one `key.path=value` to a document. Array elements are picked by
/// index or by their `name` (e.g. `providers.RedVDS.price_usd=30`). An
/// arm addition as [`arm_add::record`] makes it adds its arm.
pub fn set(doc: &mut DocumentMut, assignment: &str) -> Result<(), String> {
    apply_one(doc, assignment)
        .map(|_| ())
        .map_err(|messages| messages.join("; "))
}

/// [`set`], returning the key path set (list elements as indices).
fn set_path(doc: &mut DocumentMut, assignment: &str) -> Result<Vec<Step>, String> {
    let (path, raw) = assignment
        .split_once('=')
        .ok_or("has no `=`; allowed: `key.path=value`, e.g. `scenario.replications=5`")?;
    let value = parse_value(raw.trim());
    let segments: Vec<&str> = path.trim().split('.').map(str::trim).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "`{path}` is not a key path; allowed: keys joined by dots, e.g. `market.search_days`"
        ));
    }
    let (last, parents) = segments
        .split_last()
        .ok_or("has an empty key path; allowed: e.g. `market.search_days=10`")?;
    let mut steps = Vec::new();
    let mut table: &mut dyn TableLike = doc.as_table_mut();
    let mut rest = parents.iter();
    while let Some(segment) = rest.next() {
        steps.push(Step::Key(segment.to_string()));
        let item = table
            .entry(segment)
            .or_insert(Item::Table(toml_edit::Table::new()));
        table = match item {
            Item::Table(t) => t,
            Item::Value(Value::InlineTable(t)) => t,
            Item::ArrayOfTables(array) => {
                let element = rest
                    .next()
                    .ok_or(format!("`{segment}` is a list; allowed: an element's index or name after it, e.g. `{segment}.0.name`"))?;
                let names = array.iter().map(|t| t.get("name").and_then(Item::as_str));
                let position = element_position(names, element)?;
                steps.push(Step::Index(position));
                array
                    .get_mut(position)
                    .ok_or("no such element; allowed: an existing element")?
            }
            Item::Value(Value::Array(array)) => {
                let element = rest
                    .next()
                    .ok_or(format!("`{segment}` is a list; allowed: an element's index or name after it, e.g. `{segment}.0.name`"))?;
                let names = array.iter().map(|v| {
                    v.as_inline_table()
                        .and_then(|t| t.get("name"))
                        .and_then(Value::as_str)
                });
                let position = element_position(names, element)?;
                steps.push(Step::Index(position));
                match array.get_mut(position) {
                    Some(Value::InlineTable(t)) => t,
                    _ => {
                        return Err(format!(
                            "element `{element}` of `{segment}` is not a table; allowed: a path to a value"
                        ));
                    }
                }
            }
            _ => {
                return Err(format!(
                    "`{segment}` is a value, not a table; allowed: a path that ends at `{segment}`"
                ));
            }
        };
    }
    table.insert(last, Item::Value(value));
    steps.push(Step::Key(last.to_string()));
    Ok(steps)
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
                "index {index} is out of range; allowed: 0 to {} or a name",
                names.len().saturating_sub(1)
            ))
        };
    }
    names
        .iter()
        .position(|n| *n == Some(segment))
        .ok_or_else(|| {
            let known: Vec<&str> = names.iter().flatten().copied().collect();
            format!(
                "no element named `{segment}`; allowed: an index or one of {}",
                known.join(", ")
            )
        })
}

/// A TOML value from the text after `=`; bare words become strings, and
/// so does a bare date (`2026-02-11`): the scenario's dates are strings.
fn parse_value(raw: &str) -> Value {
    match raw.parse::<Value>() {
        Ok(Value::Datetime(d)) if d.value().time.is_none() && d.value().offset.is_none() => {
            Value::from(raw.to_string())
        }
        Ok(value) => value,
        Err(_) => Value::from(raw.to_string()),
    }
}
