//! Designs of parameter sweeps: full-factorial grids, Latin hypercubes,
//! Owen-scrambled Sobol points, or a CSV file made by another tool.
//!
//! A design is a table: one column per parameter (a dotted scenario path, as
//! for `--set`) and one row per point, each cell the value as TOML text.
//! Designs over ranges hold the values as applied: a draw of an integer
//! field is rounded ([`Parameter`]), so `design.csv` and `points.csv` show
//! the whole number that was run.

use std::path::Path;

use anyhow::{Context, Result, bail};
use rand::RngExt;

use super::parameter::Parameter;
use crate::rng::{Purpose, RunKey};

/// Parameters and the value of each at each point.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Parameter paths, e.g. `market.search_days`.
    pub parameters: Vec<String>,
    /// `points[p][k]`: value of parameter `k` at point `p`, as TOML text.
    pub points: Vec<Vec<String>>,
}

/// A continuous range `lo:hi` of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// Parameter path.
    pub parameter: String,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// The largest number of points a design may have.
pub const MAX_POINTS: usize = 10_000_000;

impl Design {
    /// The `--set` assignments of point `p`.
    pub fn assignments(&self, p: usize) -> Vec<String> {
        self.parameters
            .iter()
            .zip(&self.points[p])
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// The design as CSV text (`point` then one column per parameter).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("point");
        for k in &self.parameters {
            out.push(',');
            out.push_str(&csv_cell(k));
        }
        out.push('\n');
        for (p, values) in self.points.iter().enumerate() {
            out.push_str(&p.to_string());
            for v in values {
                out.push(',');
                out.push_str(&csv_cell(v));
            }
            out.push('\n');
        }
        out
    }

    /// A stable fingerprint of the design (FNV-1a of its CSV text).
    pub fn fingerprint(&self) -> String {
        format!("{:016x}", fnv1a(self.to_csv().as_bytes()))
    }
}

/// Quote a CSV cell when it needs it.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// FNV-1a, 64 bits: a stable hash for fingerprints (not for security).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Parse `key.path=a,b,c` into the parameter and its values.
pub fn parse_grid(text: &str) -> Result<(String, Vec<String>)> {
    let (key, values) = split_assignment(text, "--grid", "market.search_days=10,20,30")?;
    let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        bail!("--grid {text}: a value is empty; give values separated by commas, e.g. 10,20,30");
    }
    Ok((key, values))
}

/// Parse `key.path=lo:hi`.
pub fn parse_range(text: &str) -> Result<Range> {
    let (key, bounds) = split_assignment(text, "--range", "market.search_days=5:40")?;
    let (low, high) = bounds
        .split_once(':')
        .with_context(|| format!("--range {text}: expected lo:hi, e.g. 5:40"))?;
    let parse = |v: &str| -> Result<f64> {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .with_context(|| format!("--range {text}: {v:?} is not a finite number"))
    };
    let (low, high) = (parse(low)?, parse(high)?);
    if low >= high {
        bail!("--range {text}: the lower end must be below the upper end");
    }
    Ok(Range {
        parameter: key,
        low,
        high,
    })
}

fn split_assignment(text: &str, flag: &str, example: &str) -> Result<(String, String)> {
    let (key, rest) = text
        .split_once('=')
        .with_context(|| format!("{flag} {text}: expected key.path=..., e.g. {example}"))?;
    let key = key.trim();
    if key.is_empty() || key.split('.').any(str::is_empty) {
        bail!("{flag} {text}: {key:?} is not a key path like market.search_days");
    }
    Ok((key.to_string(), rest.to_string()))
}

/// The full-factorial grid (the first parameter varies slowest).
pub fn grid(axes: &[(String, Vec<String>)]) -> Result<Design> {
    let count = axes
        .iter()
        .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()))
        .filter(|&n| n <= MAX_POINTS)
        .with_context(|| format!("the grid has more than {MAX_POINTS} points"))?;
    let mut points = Vec::with_capacity(count);
    for mut p in 0..count {
        let mut row = vec![String::new(); axes.len()];
        for (k, (_, values)) in axes.iter().enumerate().rev() {
            row[k] = values[p % values.len()].clone();
            p /= values.len();
        }
        points.push(row);
    }
    Ok(Design {
        parameters: axes.iter().map(|(k, _)| k.clone()).collect(),
        points,
    })
}

/// A Latin hypercube of `n` points: each range is cut into `n` equal strata,
/// each stratum used once per parameter, the position within it uniform
/// (then rounded for an integer field, so its strata may share a value).
pub fn latin_hypercube(parameters: &[Parameter], n: usize, seed: u64) -> Result<Design> {
    check_count(n)?;
    let key = RunKey {
        seed,
        replication: u64::MAX,
    };
    let mut points = vec![Vec::with_capacity(parameters.len()); n];
    for (k, parameter) in parameters.iter().enumerate() {
        let mut rng = key.market(Purpose::Design, k as u32);
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        for (point, stratum) in points.iter_mut().zip(strata) {
            let u = (stratum as f64 + rng.random::<f64>()) / n as f64;
            point.push(parameter.at(u));
        }
    }
    Ok(ranges_design(parameters, points))
}

/// `n` points of an Owen-scrambled Sobol sequence (Burley 2020), scaled to
/// the ranges (and rounded for an integer field).
pub fn sobol(parameters: &[Parameter], n: usize, seed: u64) -> Result<Design> {
    check_count(n)?;
    if n > 1 << 16 {
        bail!("--sobol {n}: at most 65536 points");
    }
    if parameters.len() > 256 {
        bail!("--sobol: at most 256 parameters");
    }
    let scramble = (fnv1a(&seed.to_le_bytes()) & 0xffff_ffff) as u32;
    let points = (0..n as u32)
        .map(|i| {
            parameters
                .iter()
                .enumerate()
                .map(|(k, p)| p.at(f64::from(sobol_burley::sample(i, k as u32, scramble))))
                .collect()
        })
        .collect();
    Ok(ranges_design(parameters, points))
}

fn check_count(n: usize) -> Result<()> {
    if n == 0 || n > MAX_POINTS {
        bail!("the number of points must be 1 to {MAX_POINTS}, not {n}");
    }
    Ok(())
}

fn ranges_design(parameters: &[Parameter], points: Vec<Vec<String>>) -> Design {
    Design {
        parameters: parameters
            .iter()
            .map(|p| p.range.parameter.clone())
            .collect(),
        points,
    }
}

/// A design from a CSV file: one column per parameter path, one row per point
/// (a leading `point` column, as in `design.csv`, is allowed and ignored).
pub fn from_csv(path: &Path) -> Result<Design> {
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("cannot read the design {}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header", path.display()))?
        .clone();
    let skip = usize::from(header.get(0) == Some("point"));
    let parameters: Vec<String> = header.iter().skip(skip).map(str::to_string).collect();
    if parameters.is_empty() {
        bail!(
            "{}: no parameter columns; the header names parameter paths, e.g. market.search_days",
            path.display()
        );
    }
    let mut points = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: line {}", path.display(), row + 2))?;
        let values: Vec<String> = record
            .iter()
            .skip(skip)
            .map(|v| v.trim().to_string())
            .collect();
        if values.len() != parameters.len() || values.iter().any(String::is_empty) {
            bail!(
                "{}:{}: expected {} values, one per parameter",
                path.display(),
                row + 2,
                parameters.len()
            );
        }
        points.push(values);
        if points.len() > MAX_POINTS {
            bail!("{}: more than {MAX_POINTS} points", path.display());
        }
    }
    if points.is_empty() {
        bail!("{}: the design has no points", path.display());
    }
    Ok(Design { parameters, points })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(low: f64, high: f64) -> Parameter {
        Parameter::real(Range {
            parameter: "x".into(),
            low,
            high,
        })
    }

    #[test]
    fn grid_is_full_factorial_with_last_parameter_fastest() {
        let axes = vec![
            ("a".to_string(), vec!["1".into(), "2".into()]),
            ("b".to_string(), vec!["x".into(), "y".into(), "z".into()]),
        ];
        let d = grid(&axes).unwrap();
        assert_eq!(d.points.len(), 6);
        assert_eq!(d.points[0], vec!["1", "x"]);
        assert_eq!(d.points[1], vec!["1", "y"]);
        assert_eq!(d.points[3], vec!["2", "x"]);
        assert_eq!(d.assignments(5), vec!["a=2", "b=z"]);
    }

    #[test]
    fn latin_hypercube_uses_every_stratum_once() {
        let n = 50;
        let d = latin_hypercube(&[range(0.0, 1.0), range(10.0, 20.0)], n, 7).unwrap();
        for (k, (low, width)) in [(0.0, 1.0), (10.0, 10.0)].into_iter().enumerate() {
            let mut strata: Vec<usize> = d
                .points
                .iter()
                .map(|p| ((p[k].parse::<f64>().unwrap() - low) / width * n as f64) as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(
            d,
            latin_hypercube(&[range(0.0, 1.0), range(10.0, 20.0)], n, 7).unwrap()
        );
        assert_ne!(
            d,
            latin_hypercube(&[range(0.0, 1.0), range(10.0, 20.0)], n, 8).unwrap()
        );
    }

    #[test]
    fn sobol_points_form_a_net() {
        // The first 2^m points of a (0,2)-sequence put exactly one point in
        // every elementary box of area 2^-m; check all box shapes for m = 6.
        let m = 6;
        let n = 1usize << m;
        let d = sobol(&[range(0.0, 1.0), range(0.0, 1.0)], n, 3).unwrap();
        let xy: Vec<(f64, f64)> = d
            .points
            .iter()
            .map(|p| (p[0].parse().unwrap(), p[1].parse().unwrap()))
            .collect();
        for j in 0..=m {
            let (bx, by) = (1usize << j, 1usize << (m - j));
            let mut boxes = vec![0; n];
            for &(x, y) in &xy {
                let cell = (x * bx as f64) as usize * by + (y * by as f64) as usize;
                boxes[cell] += 1;
            }
            assert!(boxes.iter().all(|&c| c == 1), "boxes {bx}x{by}");
        }
    }

    #[test]
    fn ranges_and_grids_are_parsed_strictly() {
        assert_eq!(
            parse_range("a.b=1:2").unwrap(),
            Range {
                parameter: "a.b".into(),
                low: 1.0,
                high: 2.0
            }
        );
        assert!(parse_range("a.b=2:1").is_err());
        assert!(parse_range("a.b=1:nan").is_err());
        assert!(parse_range("=1:2").is_err());
        assert_eq!(parse_grid("a=1, 2").unwrap().1, vec!["1", "2"]);
        assert!(parse_grid("a=1,,2").is_err());
    }
}
