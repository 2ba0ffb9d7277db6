//! Key paths of a scenario file and where they are: the span of a path
//! (for problems found by validation) and the path at a span (for problems
//! found by the parser), plus best guesses for text that does not parse.

use std::cell::OnceCell;
use std::ops::Range;

use toml_edit::{Document, Item, TableLike, Value};

use super::error::Problem;

/// One step of a key path: a key, or an element of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A key of a table.
    Key(String),
    /// An element of a list (array or array of tables).
    Index(usize),
}

/// `a.b[2].c` for messages.
pub fn dotted(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The span of the deepest key of `path` present in the document (the
/// element's span for a list element).
pub fn span_of(doc: &Document<String>, path: &[Step]) -> Option<Range<usize>> {
    let mut table: &dyn TableLike = doc.as_table();
    let mut span = None;
    let mut rest = path.iter().peekable();
    while let Some(step) = rest.next() {
        let Step::Key(key) = step else { return span };
        let Some((k, item)) = table.get_key_value(key) else {
            return span;
        };
        span = k.span().or(span);
        let next: Option<&dyn TableLike> = match item {
            Item::Table(t) => Some(t),
            Item::Value(Value::InlineTable(t)) => Some(t),
            Item::ArrayOfTables(array) => match rest.peek() {
                Some(Step::Index(i)) => {
                    rest.next();
                    let t = array.get(*i)?;
                    span = t.span().or(span);
                    Some(t)
                }
                _ => None,
            },
            Item::Value(Value::Array(array)) => match rest.peek() {
                Some(Step::Index(i)) => {
                    rest.next();
                    let v = array.get(*i)?;
                    span = v.span().or(span);
                    v.as_inline_table().map(|t| t as &dyn TableLike)
                }
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(t) => table = t,
            None => return span,
        }
    }
    span
}

/// What sits at a span of the document.
pub struct Found<'d> {
    /// Its key path.
    pub path: Vec<Step>,
    /// Its span (a key's span when a key was found).
    pub span: Option<Range<usize>>,
    /// The node, when it is a table (inline or not).
    pub table: Option<&'d dyn TableLike>,
    /// The node, when it is a value.
    pub value: Option<&'d Value>,
}

/// The deepest key or value of the document whose span contains `target`.
pub fn path_at<'d>(doc: &'d Document<String>, target: &Range<usize>) -> Found<'d> {
    let mut found = Found {
        path: Vec::new(),
        span: None,
        table: Some(doc.as_table()),
        value: None,
    };
    let mut path = Vec::new();
    search_table(doc.as_table(), target, &mut path, &mut found);
    found
}

fn contains(span: Option<Range<usize>>, target: &Range<usize>) -> bool {
    span.is_some_and(|s| {
        let end = s.end.max(s.start + 1);
        s.start <= target.start && target.start < end && target.end <= end
    })
}

fn search_table<'d>(
    table: &'d dyn TableLike,
    target: &Range<usize>,
    path: &mut Vec<Step>,
    found: &mut Found<'d>,
) {
    for (name, _) in table.iter() {
        let Some((key, item)) = table.get_key_value(name) else {
            continue;
        };
        path.push(Step::Key(name.to_string()));
        if contains(key.span(), target) {
            set(found, path, key.span(), None, None);
        }
        search_item(item, target, path, found);
        path.pop();
    }
}

fn search_item<'d>(
    item: &'d Item,
    target: &Range<usize>,
    path: &mut Vec<Step>,
    found: &mut Found<'d>,
) {
    match item {
        Item::Value(value) => search_value(value, target, path, found),
        Item::Table(t) => {
            if contains(t.span(), target) {
                set(found, path, t.span(), Some(t), None);
            }
            search_table(t, target, path, found);
        }
        Item::ArrayOfTables(array) => {
            for (i, t) in array.iter().enumerate() {
                path.push(Step::Index(i));
                if contains(t.span(), target) {
                    set(found, path, t.span(), Some(t), None);
                }
                search_table(t, target, path, found);
                path.pop();
            }
        }
        Item::None => {}
    }
}

fn search_value<'d>(
    value: &'d Value,
    target: &Range<usize>,
    path: &mut Vec<Step>,
    found: &mut Found<'d>,
) {
    if !contains(value.span(), target) {
        return;
    }
    match value {
        Value::InlineTable(t) => {
            set(found, path, value.span(), Some(t), Some(value));
            search_table(t, target, path, found);
        }
        Value::Array(array) => {
            set(found, path, value.span(), None, Some(value));
            for (i, element) in array.iter().enumerate() {
                path.push(Step::Index(i));
                search_value(element, target, path, found);
                path.pop();
            }
        }
        _ => set(found, path, value.span(), None, Some(value)),
    }
}

fn set<'d>(
    found: &mut Found<'d>,
    path: &[Step],
    span: Option<Range<usize>>,
    table: Option<&'d dyn TableLike>,
    value: Option<&'d Value>,
) {
    found.path = path.to_vec();
    found.span = span;
    found.table = table;
    found.value = value;
}

/// Whether a line is a table header `[a.b]` or `[[a.b]]`; returns its name.
fn header_name(line: &str) -> Option<(&str, bool)> {
    let line = line.trim();
    let line = match line.find('#') {
        Some(i) if !line[..i].contains('"') && !line[..i].contains('\'') => line[..i].trim_end(),
        _ => line,
    };
    let (inner, array) = if let Some(inner) = line.strip_prefix("[[") {
        (inner.strip_suffix("]]")?, true)
    } else {
        (line.strip_prefix('[')?.strip_suffix(']')?, false)
    };
    let inner = inner.trim();
    let bare = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c) || c == ' ';
    (!inner.is_empty() && inner.chars().all(bare)).then_some((inner, array))
}

/// The bare key a line starts with (`key = ...`), if any.
fn leading_key(line: &str) -> Option<&str> {
    let (lhs, _) = line.split_once('=')?;
    let lhs = lhs.trim();
    let bare = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
    (!lhs.is_empty() && lhs.chars().all(bare)).then_some(lhs)
}

/// A best guess at the key path at `offset` of text that does not parse:
/// the table header above (with the element of a top-level list of tables)
/// and the key of the statement the offset is in.
pub fn context_key(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let mut header = String::new();
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let mut statement: Option<String> = None;
    for earlier in text[..line_start].lines() {
        if let Some((name, array)) = header_name(earlier) {
            let name: String = name.split('.').map(str::trim).collect::<Vec<_>>().join(".");
            statement = None;
            header = if array && !name.contains('.') {
                let n = counts.entry(name.clone()).or_insert(0);
                *n += 1;
                format!("{name}[{}]", *n - 1)
            } else {
                name
            };
        } else if !earlier.starts_with([' ', '\t', '{', '[', ']', '}', '#'])
            && let Some(key) = leading_key(earlier)
        {
            statement = Some(key.to_string());
        }
    }
    if let Some((name, array)) = header_name(line) {
        let name: String = name.split('.').map(str::trim).collect::<Vec<_>>().join(".");
        let n = counts.get(&name).copied().unwrap_or(0);
        return if array && !name.contains('.') {
            format!("{name}[{n}]")
        } else {
            name
        };
    }
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix('[') {
        // A header that does not parse, e.g. `[market` or `[[arms]`.
        let name = rest
            .trim_start_matches('[')
            .split([']', '#', '='])
            .next()
            .unwrap_or("")
            .trim();
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        {
            return name.to_string();
        }
    }
    let first_word = || {
        let word = line.split([' ', '\t', '=']).next().unwrap_or("");
        let bare = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
        (!word.is_empty() && word.chars().all(bare)).then_some(word)
    };
    let key = leading_key(line)
        .or_else(first_word)
        .map(str::to_string)
        .or(statement)
        .unwrap_or_default();
    match (header.is_empty(), key.is_empty()) {
        (_, true) => header,
        (true, false) => key,
        (false, false) => format!("{header}.{key}"),
    }
}

/// The line (its first byte) with the most dotted parts in one key, and
/// that count: where the parser's "recursion limit" is.
pub fn longest_dotted_key(text: &str) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let key_part = match header_name(line) {
            Some((name, _)) => name,
            None => line.split('=').next().unwrap_or(""),
        };
        let parts = key_part.matches('.').count() + 1;
        if best.is_none_or(|(_, n)| parts > n) {
            best = Some((start, parts));
        }
        start += line.len();
    }
    best
}

/// A `--set key.path=value` override (or an `--arm-add`) as applied: the
/// assignment as given and the path it set (list elements resolved to
/// indices; an added arm's path is the arm's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The assignment as given on the command line.
    pub assignment: String,
    /// The key path it set.
    pub path: Vec<Step>,
}

/// Turns a key path into a located [`Problem`]: at the line of the key in
/// the file as read, or at the `--set` override that put the value there.
pub struct Locator<'a> {
    source: &'a str,
    doc: OnceCell<Option<Document<String>>>,
    overrides: &'a [Override],
}

impl<'a> Locator<'a> {
    /// A locator for `source` (the text as read) and the overrides applied to it.
    pub fn new(source: &'a str, overrides: &'a [Override]) -> Self {
        Locator {
            source,
            doc: OnceCell::new(),
            overrides,
        }
    }

    /// Whether `--set` overrides were applied.
    pub fn has_overrides(&self) -> bool {
        !self.overrides.is_empty()
    }

    /// The file as read, parsed (`None` if it does not parse).
    pub fn doc(&self) -> Option<&Document<String>> {
        self.doc
            .get_or_init(|| Document::parse(self.source.to_string()).ok())
            .as_ref()
    }

    /// A problem with the value at `path`. `span` is its exact span in the
    /// file when known (then the path is only used to name the key).
    pub fn problem(&self, path: &[Step], span: Option<Range<usize>>, message: String) -> Problem {
        let key = dotted(path);
        if let Some(o) = self.overrides.iter().rev().find(|o| self.set_by(o, path)) {
            let message = if o.path == path {
                message
            } else {
                format!("`{key}`: {message}")
            };
            return Problem::flag(o.assignment.clone(), message);
        }
        let span = if self.overrides.is_empty() {
            span.or_else(|| self.doc().and_then(|d| span_of(d, path)))
        } else {
            self.doc().and_then(|d| span_of(d, path))
        };
        Problem::at(self.source, span.or(Some(0..0)), key, message)
    }

    /// Whether the value at `path` was put there by the override `o`: the
    /// path is inside the one set, or it is a key the override created.
    fn set_by(&self, o: &Override, path: &[Step]) -> bool {
        if path.starts_with(&o.path) {
            return true;
        }
        !path.is_empty()
            && o.path.starts_with(path)
            && self.doc().is_some_and(|d| !resolves(d, path))
    }
}

/// Whether every step of `path` exists in the document.
pub fn resolves(doc: &Document<String>, path: &[Step]) -> bool {
    let mut table: &dyn TableLike = doc.as_table();
    let mut steps = path.iter().peekable();
    while let Some(step) = steps.next() {
        let Step::Key(k) = step else { return false };
        let Some(item) = table.get(k) else {
            return false;
        };
        if steps.peek().is_none() {
            return true;
        }
        table = match item {
            Item::Table(t) => t,
            Item::Value(Value::InlineTable(t)) => t,
            Item::ArrayOfTables(array) => {
                let Some(Step::Index(i)) = steps.next() else {
                    return false;
                };
                let Some(t) = array.get(*i) else {
                    return false;
                };
                if steps.peek().is_none() {
                    return true;
                }
                t
            }
            Item::Value(Value::Array(array)) => {
                let Some(Step::Index(i)) = steps.next() else {
                    return false;
                };
                let Some(v) = array.get(*i) else {
                    return false;
                };
                if steps.peek().is_none() {
                    return true;
                }
                match v.as_inline_table() {
                    Some(t) => t,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    true
}
