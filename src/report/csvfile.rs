//! The CSV files of the sweep, sensitivity and calibration folders, opened
//! with their exact header checked and errors that name the file and line.

use anyhow::{Result, ensure};
use std::fs::File;
use std::path::Path;

/// Open `path` and check that its header is exactly `expected`. When the
/// file cannot be opened, the error is `missing()` (which says what to do).
pub fn open_exact(
    path: &Path,
    expected: &[&str],
    missing: impl FnOnce() -> String,
) -> Result<csv::Reader<File>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| anyhow::Error::new(e).context(missing()))?;
    let header = reader.headers().map_err(|e| malformed(e, path))?;
    let found: Vec<&str> = header.iter().collect();
    ensure!(
        !found.concat().is_empty(),
        "{}, line 1: no header: the file is empty",
        path.display()
    );
    ensure!(
        found == expected,
        "{}, line 1: expected the columns {}, found {}",
        path.display(),
        expected.join(", "),
        found.join(", ")
    );
    Ok(reader)
}

/// A CSV error of `path`, naming the line where the reader knows it.
pub fn malformed(e: csv::Error, path: &Path) -> anyhow::Error {
    let at = match e.position() {
        Some(position) => format!("{}, line {}", path.display(), position.line()),
        None => path.display().to_string(),
    };
    anyhow::Error::new(e).context(format!("{at}: malformed CSV"))
}
