//! Tables for papers: a folder's main table written as `<stem>.tex`, a
//! booktabs table to paste into LaTeX, and as `<stem>.md`, the same table in
//! Markdown. The numbers are formatted as on the folder's page
//! ([`super::format`]); the units are in the header, and the caption names
//! the scenario, the replications, the seed, and the caasim and model
//! versions behind the numbers.
//!
//! Here: the table's parts, its two renderings ([`latex`], [`markdown`]),
//! and the headline effects of a results folder ([`effects`],
//! `effects.*`); the sweep's points (`points.*`) and the sensitivity
//! analysis' indices (`indices.*`) are made by their own modules from
//! these parts.

mod effects;
mod latex;
mod markdown;

pub use effects::write_effects;

use super::format::{self, metric_name, metric_unit};
use crate::output::folder::write_atomic;
use anyhow::Result;
use std::path::Path;

/// A table as a paper prints it.
pub struct Table {
    /// What the table shows, how its cells are made, and what made it.
    pub caption: String,
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// The rows in groups (one untitled group when the rows are not grouped).
    pub groups: Vec<Group>,
}

/// Rows under a title that spans the table (a sweep's point, an output).
pub struct Group {
    /// The title (none for the one group of an ungrouped table).
    pub title: Option<String>,
    /// The rows, each with a cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Group {
    /// The one group of a table whose rows are not grouped.
    pub fn all(rows: Vec<Vec<Cell>>) -> Self {
        Group { title: None, rows }
    }
}

/// A column: its heading, in lines, and the unit of its numbers.
pub struct Column {
    /// The heading, one line each (a long name wrapped).
    pub heading: Vec<String>,
    /// The unit (and statistic) of its numbers, shown under the heading.
    pub unit: Option<String>,
    /// Whether it holds numbers (right-aligned) or words (left-aligned).
    pub numeric: bool,
}

impl Column {
    /// A column of words headed `name`.
    pub fn words(name: &str) -> Self {
        Column {
            heading: vec![name.to_string()],
            unit: None,
            numeric: false,
        }
    }

    /// A column of numbers headed `name` (wrapped at `WRAP` characters) in `unit`.
    pub fn numbers(name: &str, unit: Option<String>) -> Self {
        Column {
            heading: wrap(name),
            unit,
            numeric: true,
        }
    }

    /// The column of a metric's effects: its name, and under it its unit
    /// and its `statistic` unless that is a mean (days to recover: `days,
    /// median`).
    pub fn metric(metric: &str, statistic: &str) -> Self {
        let unit = format::unit_name(metric_unit(metric));
        let statistic = Some(statistic).filter(|s| *s != "mean");
        let under = match (unit, statistic) {
            (Some(u), Some(s)) => Some(format!("{u}, {s}")),
            (u, s) => u.or(s).map(str::to_string),
        };
        Column::numbers(&metric_name(metric), under)
    }
}

/// A cell: its value, then the lines printed under it (its intervals).
pub struct Cell {
    /// The value first, then each interval.
    pub lines: Vec<String>,
}

impl Cell {
    /// A cell of one line.
    pub fn text(value: impl Into<String>) -> Self {
        Cell {
            lines: vec![value.into()],
        }
    }
}

/// Longest heading line, in characters, before a name is wrapped.
const WRAP: usize = 14;

/// `name` in lines of at most [`WRAP`] characters, broken between words (a
/// longer word stays whole on its own line).
fn wrap(name: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= WRAP => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Writes `table` as `dir/<stem>.tex` (labelled `tab:<folder>-<stem>`)
/// and `dir/<stem>.md`, each atomically.
pub fn write(dir: &Path, stem: &str, table: &Table) -> Result<()> {
    let folder = dir.file_name().map(|n| n.to_string_lossy());
    let label = label(folder.as_deref().unwrap_or("caasim"), stem);
    write_atomic(
        &dir.join(format!("{stem}.tex")),
        latex::render(table, &label).as_bytes(),
    )?;
    write_atomic(
        &dir.join(format!("{stem}.md")),
        markdown::render(table).as_bytes(),
    )
}

/// A LaTeX label from a folder's name, lower-cased, every character but
/// ASCII letters and digits turned into `-`: `tab:redvds-2026-effects`.
fn label(name: &str, what: &str) -> String {
    let key: String = name
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '-',
        })
        .collect();
    format!("tab:{key}-{what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_between_words_within_the_width() {
        assert_eq!(wrap("Cost per compromise"), ["Cost per", "compromise"]);
        assert_eq!(wrap("Campaigns"), ["Campaigns"]);
        assert_eq!(
            wrap("an_exceptionally_long_identifier x"),
            ["an_exceptionally_long_identifier", "x"]
        );
    }

    #[test]
    fn a_metric_column_names_its_unit_and_a_statistic_other_than_the_mean() {
        let under = |metric, statistic| Column::metric(metric, statistic).unit;
        assert_eq!(
            under("days_to_recover", "median").as_deref(),
            Some("days, median")
        );
        assert_eq!(under("campaigns_change_pct", "mean").as_deref(), Some("%"));
        assert_eq!(under("hhi_change", "mean"), None);
        assert_eq!(under("hhi_change", "median").as_deref(), Some("median"));
    }

    #[test]
    fn labels_are_plain_keys() {
        assert_eq!(label("RedVDS 2026", "effects"), "tab:redvds-2026-effects");
    }
}
