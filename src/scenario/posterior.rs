//! Reading the posterior of a calibration folder (`run --posterior DIR`):
//! `DIR/posterior.csv` as `caasim calibrate` writes it (columns `particle`,
//! one per calibrated key, `weight`, `distance`, `model_seed`), and what
//! `DIR/calibration.json` says the calibration was fitted on. The key
//! columns are every column but `particle`, `weight`, `distance` and
//! `model_seed`; each must be a numeric parameter of the scenario that
//! accepts the smallest and largest value of its column (made whole for an
//! integer field). Every problem names the file, line and column or key and
//! what is allowed.

use std::fmt;
use std::io::Read;
use std::path::Path;

use super::base::{Base, Refusal};
use super::load::Parsed;
use super::validate::{fixed_by_set, memory_limit, validate};
use crate::model::posterior::{FittedOn, Posterior, PosteriorKey};

/// Columns of `posterior.csv` that are not calibrated keys.
const NOT_KEYS: [&str; 4] = ["particle", "weight", "distance", "model_seed"];

/// Largest `posterior.csv` accepted (a population of 100,000 particles of
/// ten parameters is about 30 MB).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A problem with a posterior folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosteriorError {
    /// The file at fault.
    pub file: String,
    /// Its line (1-based; the header is line 1), when one is at fault.
    pub line: Option<u64>,
    /// The column (1-based) and its name, when one is at fault.
    pub column: Option<(usize, String)>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for PosteriorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid posterior {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some((column, name)) = &self.column {
            write!(f, ": column {column} `{name}`")?;
        }
        writeln!(f, ": {}", self.message)
    }
}

impl std::error::Error for PosteriorError {}

/// `posterior.csv` as read, before its keys are checked against a scenario.
#[derive(Debug, Clone)]
pub struct PosteriorTable {
    folder: String,
    file: String,
    fitted_on: Option<FittedOn>,
    /// Each key with its column (0-based).
    keys: Vec<(usize, String)>,
    /// Each particle's line and values (one per key).
    particles: Vec<(u64, Vec<f64>)>,
    weights: Vec<f64>,
}

/// Read `dir/posterior.csv` and `dir/calibration.json` (optional).
pub fn read(dir: &Path) -> Result<PosteriorTable, PosteriorError> {
    let path = dir.join("posterior.csv");
    let file = path.display().to_string();
    let fail = |line, column, message: String| PosteriorError {
        file: file.clone(),
        line,
        column,
        message,
    };
    let text = read_text(&path).map_err(|m| fail(None, None, m))?;
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return Err(csv_problem(&file, &e)),
    };
    let (keys, weight) = columns(&header).map_err(|(c, m)| fail(Some(1), c, m))?;
    let mut table = PosteriorTable {
        folder: dir.display().to_string(),
        file: file.clone(),
        fitted_on: fitted_on(dir)?,
        keys,
        particles: Vec::new(),
        weights: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(|e| csv_problem(&file, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        let number =
            |c: usize| cell(&record, c).map_err(|m| fail(Some(line), column(&header, c), m));
        let w = number(weight)?;
        if w < 0.0 {
            let message = format!("{w} is negative; allowed: a weight of 0 or more");
            return Err(fail(Some(line), column(&header, weight), message));
        }
        let values = table.keys.iter().map(|(c, _)| number(*c));
        table
            .particles
            .push((line, values.collect::<Result<_, _>>()?));
        table.weights.push(w);
    }
    check_weights(&table).map_err(|(line, m)| fail(line, None, m))?;
    Ok(table)
}

/// The file's text, or why it cannot be a posterior.
fn read_text(path: &Path) -> Result<String, String> {
    let cannot = |e: std::io::Error| {
        format!(
            "cannot read the file: {e}; allowed: the folder of a `caasim calibrate` run, which holds posterior.csv"
        )
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is more than {MAX_FILE_BYTES} bytes; allowed: at most {MAX_FILE_BYTES} bytes"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!("is not UTF-8 text ({e}); allowed: a CSV file as caasim calibrate writes it")
    })
}

/// A problem of the header: the column at fault (when one is) and why.
type HeaderProblem = (Option<(usize, String)>, String);

/// The key columns (index, name) and the weight column of a header.
fn columns(header: &[String]) -> Result<(Vec<(usize, String)>, usize), HeaderProblem> {
    let allowed = "allowed: the header of a posterior.csv: particle, one column per calibrated key, weight, distance, model_seed";
    let weight = header
        .iter()
        .position(|h| h == "weight")
        .ok_or_else(|| (None, format!("has no `weight` column; {allowed}")))?;
    let mut keys: Vec<(usize, String)> = Vec::new();
    for (c, name) in header.iter().enumerate() {
        let at = || column(header, c);
        if name.trim().is_empty() {
            return Err((at(), format!("has no name; {allowed}")));
        }
        if keys.iter().any(|(_, k)| k == name)
            || (NOT_KEYS.contains(&name.as_str()) && header[..c].contains(name))
        {
            return Err((at(), format!("appears twice; {allowed}")));
        }
        if !NOT_KEYS.contains(&name.as_str()) {
            keys.push((c, name.clone()));
        }
    }
    if keys.is_empty() {
        return Err((None, format!("has no calibrated key column; {allowed}")));
    }
    Ok((keys, weight))
}

/// Column `c` (0-based) of `header`, as a problem names it (1-based).
fn column(header: &[String], c: usize) -> Option<(usize, String)> {
    Some((c + 1, header.get(c).cloned().unwrap_or_default()))
}

/// The finite number in field `c` of a record, or why not.
fn cell(record: &csv::StringRecord, c: usize) -> Result<f64, String> {
    let text = record.get(c).unwrap_or("").trim();
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "{text:?} is not a finite number; allowed: a finite number"
        )),
    }
}

/// A CSV problem (a line with a different number of fields, bad quoting)
/// at its line.
fn csv_problem(file: &str, e: &csv::Error) -> PosteriorError {
    let line = e.position().map(csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields; allowed: as many as the header ({expected_len})"),
        _ => format!("is not CSV: {e}; allowed: a CSV file as caasim calibrate writes it"),
    };
    PosteriorError {
        file: file.to_string(),
        line,
        column: None,
        message,
    }
}

/// Refuse a posterior without particles or whose weights are all 0.
fn check_weights(table: &PosteriorTable) -> Result<(), (Option<u64>, String)> {
    if table.particles.is_empty() {
        return Err((
            Some(1),
            "has no particles (no line after the header); allowed: one particle or more".into(),
        ));
    }
    if table.weights.iter().all(|&w| w == 0.0) {
        return Err((
            None,
            "every weight is 0; allowed: weights of 0 or more, at least one above 0".into(),
        ));
    }
    Ok(())
}

/// What `dir/calibration.json` says the posterior was fitted on (`None`
/// without the file, or when it does not say); a file that is not JSON is
/// refused.
fn fitted_on(dir: &Path) -> Result<Option<FittedOn>, PosteriorError> {
    let path = dir.join("calibration.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let log: serde_json::Value = serde_json::from_str(&text).map_err(|e| PosteriorError {
        file: path.display().to_string(),
        line: Some(e.line() as u64),
        column: None,
        message: format!("is not JSON: {e}; allowed: the calibration.json caasim calibrate writes"),
    })?;
    let inputs = &log["inputs"];
    let text = |field: &str| inputs[field].as_str().map(str::to_string);
    let overrides = inputs["overrides"].as_array().map(|list| {
        list.iter()
            .filter_map(|o| o.as_str().map(str::to_string))
            .collect()
    });
    Ok(match (text("scenario"), text("scenario_fingerprint")) {
        (Some(scenario), Some(scenario_fingerprint)) => Some(FittedOn {
            scenario,
            scenario_fingerprint,
            overrides: overrides.unwrap_or_default(),
            model_version: (inputs["model_version"].as_u64()).and_then(|v| u32::try_from(v).ok()),
        }),
        _ => None,
    })
}

/// The posterior of `table` checked against the scenario `parsed` (valid
/// without its `[uncertain]` table, its `base`): each key a parameter of
/// it, not fixed by a `--set`, that loads at the smallest and the largest
/// value of its column as applied (rounded for an integer field).
fn check(table: PosteriorTable, parsed: &Parsed, base: &Base) -> Result<Posterior, PosteriorError> {
    let keys = table
        .keys
        .iter()
        .enumerate()
        .map(|(k, (c, name))| {
            check_key(&table, parsed, base, k).map_err(|(line, message)| PosteriorError {
                file: table.file.clone(),
                line: Some(line),
                column: Some((c + 1, name.clone())),
                message,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let particles = table.particles.into_iter().map(|(_, v)| v).collect();
    Ok(Posterior::new(
        table.folder,
        table.fitted_on,
        keys,
        particles,
        &table.weights,
    ))
}

/// Check key `k` of `table` on the scenario's `base`: the key, or the
/// line at fault and why.
fn check_key(
    table: &PosteriorTable,
    parsed: &Parsed,
    base: &Base,
    k: usize,
) -> Result<PosteriorKey, (u64, String)> {
    let name = &table.keys[k].1;
    if name == "scenario" || name.starts_with("scenario.") {
        return Err((1, "the run's name, length, seed and replications cannot be calibrated; allowed: a key of market, entry, providers, attackers, victims or arms".into()));
    }
    if fixed_by_set(parsed, name) {
        return Err((1, "is given a value by --set as well; allowed: --set of keys the posterior does not calibrate (its particles give this key's values jointly with the others)".into()));
    }
    let column = || table.particles.iter().map(|(line, v)| (*line, v[k]));
    let low = column()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a posterior has particles");
    let high = column()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a posterior has particles");
    let integer = base.integer_field(name, low.1);
    let key = PosteriorKey {
        key: name.clone(),
        integer,
    };
    for (line, value) in [low, high] {
        let applied = if integer { value.round() } else { value };
        let assignment = format!("{name}={}", crate::table::num(applied));
        match base.refusal(&assignment) {
            None => {}
            Some(Refusal::Path(problems)) => {
                return Err((
                    1,
                    format!(
                        "is not a parameter of the scenario {}: {problems}; allowed: a numeric key the scenario has, as --set takes it",
                        parsed.origin
                    ),
                ));
            }
            Some(Refusal::Value(problems)) => {
                return Err((line, format!("`{assignment}` is refused: {problems}")));
            }
        }
    }
    Ok(key)
}

/// Load a parsed scenario whose ensemble draws the posterior `table`: the
/// scenario's own problems first (located in its file), then the
/// posterior's keys against it.
pub(super) fn load(
    table: PosteriorTable,
    mut parsed: Parsed,
) -> Result<super::Model, super::LoadError> {
    let base = Base::new(&parsed, memory_limit());
    if let Err(e) = base.load(&[]) {
        return Err(validate(parsed).err().unwrap_or(e).into());
    }
    let posterior = check(table, &parsed, &base)?;
    parsed.posterior = Some(posterior);
    Ok(validate(parsed)?)
}
