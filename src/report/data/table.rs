//! The CSV tables of a results folder, read row by row.

use anyhow::{Context, Result, ensure};
use serde::de::DeserializeOwned;
use std::path::Path;

/// A CSV file of the folder and the columns the report reads from it.
pub struct CsvFile {
    /// File name in the folder.
    pub name: &'static str,
    /// Columns the report needs.
    pub columns: &'static [&'static str],
}

/// `timeseries.csv`.
pub const TIMESERIES: CsvFile = CsvFile {
    name: "timeseries.csv",
    columns: &[
        "arm",
        "replication",
        "day",
        "campaigns",
        "compromises",
        "losses_usd",
        "mean_price",
    ],
};
/// `providers.csv`.
pub const PROVIDERS: CsvFile = CsvFile {
    name: "providers.csv",
    columns: &["arm", "day", "provider", "seats_used"],
};
/// `segments.csv`.
pub const SEGMENTS: CsvFile = CsvFile {
    name: "segments.csv",
    columns: &["arm", "replication", "country", "sector", "compromises"],
};
/// `summary.csv`.
pub const SUMMARY: CsvFile = CsvFile {
    name: "summary.csv",
    columns: &[
        "arm",
        "versus",
        "outcome",
        "metric",
        "statistic",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "interval",
    ],
};

/// Reads a CSV file of the folder into rows, checking columns and days.
pub fn read_csv<T: DeserializeOwned>(
    dir: &Path,
    file: &CsvFile,
    day_limit: usize,
) -> Result<Vec<T>> {
    let mut rows = Vec::new();
    each_row(dir, file, day_limit, |row, _| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

/// Reads a CSV file of the folder one row at a time, checking columns and
/// days, and hands each row with its line number to `each`. Every error,
/// `each`'s too, names the file and line.
pub fn each_row<T: DeserializeOwned>(
    dir: &Path,
    file: &CsvFile,
    day_limit: usize,
    mut each: impl FnMut(T, u64) -> Result<()>,
) -> Result<()> {
    let path = dir.join(file.name);
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: unreadable header line", path.display()))?
        .clone();
    let missing: Vec<&str> = file
        .columns
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .collect();
    ensure!(
        missing.is_empty(),
        "{}: missing column(s) {}",
        path.display(),
        missing.join(", ")
    );
    let day_column = headers.iter().position(|h| h == "day");
    let mut record = csv::StringRecord::new();
    while (reader.read_record(&mut record))
        .with_context(|| format!("{}: malformed CSV", path.display()))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let at = || format!("{}, line {line}", path.display());
        check_day(&record, day_column, day_limit).with_context(at)?;
        let row = record
            .deserialize(Some(&headers))
            .with_context(|| format!("{}: bad value", at()))?;
        each(row, line).with_context(at)?;
    }
    Ok(())
}

fn check_day(record: &csv::StringRecord, column: Option<usize>, limit: usize) -> Result<()> {
    let Some(day) = column.and_then(|c| record.get(c)) else {
        return Ok(());
    };
    let day: usize = day
        .parse()
        .with_context(|| format!("day {day:?} is not a whole number"))?;
    ensure!(day < limit, "day {day} is outside the run's {limit} days");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_columns_the_run_writes() {
        let header = crate::engine::record::timeseries_header();
        for column in TIMESERIES.columns {
            assert!(header.contains(column), "timeseries.csv has no {column}");
        }
    }
}
