//! Scenario problems, each located at a line and key of the file.

use std::fmt;
use std::ops::Range;

/// Where a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole (unreadable, too large, binary).
    File,
    /// A line and column (1-based) of the file.
    Line {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// A `--set` override or an `--arm-add` given on the command line.
    Flag,
}

/// One problem with a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub place: Place,
    /// The key (dotted path) or `--set` assignment concerned (an
    /// `--arm-add` as [`super::arm_add::record`] makes it); may be empty.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl Problem {
    /// A problem with the file as a whole.
    pub fn file(message: String) -> Self {
        Problem {
            place: Place::File,
            key: String::new(),
            message,
        }
    }

    /// A problem at a byte span of `text` (or the file as a whole without a span).
    pub fn at(text: &str, span: Option<Range<usize>>, key: String, message: String) -> Self {
        let place = match span {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                Place::Line { line, column }
            }
            None => Place::File,
        };
        Problem {
            place,
            key,
            message,
        }
    }

    /// A problem with a `--set` override or an `--arm-add`.
    pub fn flag(assignment: String, message: String) -> Self {
        Problem {
            place: Place::Flag,
            key: assignment,
            message,
        }
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Every problem found in one scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file (as given).
    pub origin: String,
    /// The problems, in file order where known.
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    /// An error with one problem.
    pub fn single(origin: &str, problem: Problem) -> Self {
        ScenarioError {
            origin: origin.to_string(),
            problems: vec![problem],
        }
    }
}

/// Most problems listed in a message (the rest are counted).
pub const MAX_SHOWN_PROBLEMS: usize = 50;
/// Longest key shown, in characters.
const MAX_KEY_CHARS: usize = 200;
/// Longest message shown, in characters.
const MAX_MESSAGE_CHARS: usize = 2_000;

/// Text from a scenario made safe to print on a terminal: control characters
/// (such as escape sequences) are escaped, and very long text is cut.
pub fn printable(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max_chars {
            out.push_str("...");
            break;
        }
        if c.is_control() && c != '\n' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let plural = if count == 1 { "" } else { "s" };
        let origin = printable(&self.origin, 4 * MAX_KEY_CHARS);
        writeln!(f, "invalid scenario {origin} ({count} problem{plural}):")?;
        for p in self.problems.iter().take(MAX_SHOWN_PROBLEMS) {
            let key = if p.key.is_empty() {
                String::new()
            } else {
                format!(" `{}`:", printable(&p.key, MAX_KEY_CHARS))
            };
            let message = printable(&p.message, MAX_MESSAGE_CHARS);
            match p.place {
                Place::File => writeln!(f, "  {origin}:{key} {message}")?,
                Place::Line { line, column } => {
                    writeln!(f, "  {origin}:{line}:{column}:{key} {message}")?;
                }
                Place::Flag => match super::arm_add::spec_of(&p.key) {
                    Some(spec) => writeln!(
                        f,
                        "  {} `{}`: {message}",
                        super::arm_add::FLAG,
                        printable(spec, MAX_KEY_CHARS)
                    )?,
                    None => writeln!(f, "  --set{key} {message}")?,
                },
            }
        }
        if count > MAX_SHOWN_PROBLEMS {
            writeln!(f, "  ... and {} more problems", count - MAX_SHOWN_PROBLEMS)?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}
