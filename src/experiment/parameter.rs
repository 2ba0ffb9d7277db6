//! A varied parameter: a scenario path with its range, and whether the field
//! it sets is an integer. Sweeps over ranges (`--lhs`, `--sobol`),
//! sensitivity analyses and calibrations all draw real values. For an
//! integer field, a design's uniform draw picks one of the range's whole
//! numbers, each equally often ([`Parameter::at`]), and a calibration's real
//! value is rounded to the nearest (halves away from zero) when applied, so
//! that, e.g., `market.investment_lead_days=2:30` can be varied like any
//! real parameter.
//!
//! Whether a field is an integer is found by asking the scenario: a value
//! with a fractional part is refused with "invalid type: floating point" by
//! an integer field ([`Parameter::check`]). Both ends of the range, as
//! applied, must load, so a range the field does not allow is refused before
//! any run.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use super::design::Range;
use crate::scenario::{self, ScenarioError};
use crate::table::num;

/// A parameter varied over a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The path and the range the values are drawn from.
    pub range: Range,
    /// Rounded to a whole number when applied (the scenario field is an integer).
    pub integer: bool,
}

impl Parameter {
    /// A parameter whose values are applied as drawn (a real field), unchecked.
    pub fn real(range: Range) -> Self {
        Parameter {
            range,
            integer: false,
        }
    }

    /// Check `range` against a scenario: whether its field is an integer,
    /// and that both ends, as applied, load. `load` loads the scenario with
    /// one more `--set` assignment; `what` names the parameter in errors
    /// (e.g. `--range`, giving "--range market.search_days at its lower end
    /// ...").
    pub fn check(
        range: &Range,
        what: &str,
        load: impl Fn(String) -> Result<(), ScenarioError>,
    ) -> Result<Parameter> {
        let real = Parameter::real(range.clone());
        let integer = match load(real.assignment(fractional_probe(range))) {
            Ok(()) => false,
            Err(e) if e.to_string().contains("invalid type: floating point") => true,
            Err(e) => bail!("{what} {}: {e}", range.parameter),
        };
        let parameter = Parameter { integer, ..real };
        for (end, value) in [("lower", range.low), ("upper", range.high)] {
            load(parameter.assignment(value)).map_err(|e| {
                anyhow!(
                    "{what} {} at its {end} end {}: {e}",
                    range.parameter,
                    parameter.text(value)
                )
            })?;
        }
        Ok(parameter)
    }

    /// The value at `u` in [0, 1] along the range, as applied. For an
    /// integer field the range's whole numbers `low..=high` split [0, 1]
    /// into equal parts, so each is drawn equally often (rounding a uniform
    /// real would draw the two ends half as often as the others).
    pub fn at(&self, u: f64) -> String {
        let (low, high) = (self.range.low, self.range.high);
        if self.integer {
            let (first, last) = (low.ceil(), high.floor());
            if first <= last {
                let value = (first + (u * (last - first + 1.0)).floor()).min(last);
                return self.text(value);
            }
        }
        self.text(low + (high - low) * u)
    }

    /// The `--set` assignment of a value.
    pub fn assignment(&self, value: f64) -> String {
        format!("{}={}", self.range.parameter, self.text(value))
    }

    /// The value as written into the scenario: rounded to the nearest whole
    /// number for an integer field.
    pub fn text(&self, value: f64) -> String {
        if self.integer {
            format!("{}", value.round() as i64)
        } else {
            num(value)
        }
    }
}

/// A coordinate of a design on the unit cube: the scenario path it sets and
/// the value, as applied, at each `u` in [0, 1]. Sensitivity designs are
/// built on the unit cube and map each coordinate through it.
pub trait Axis {
    /// The scenario path, as `--set` takes it.
    fn path(&self) -> &str;
    /// The value at `u` in [0, 1], as written into the scenario.
    fn value_text(&self, u: f64) -> String;
}

impl Axis for Parameter {
    fn path(&self) -> &str {
        &self.range.parameter
    }

    fn value_text(&self, u: f64) -> String {
        self.at(u)
    }
}

/// [`Parameter::check`] of each range against the scenario file with
/// `overrides` applied first (as `--set`); `flag` names the ranges in errors.
pub fn check_ranges(
    scenario_file: &Path,
    overrides: &[String],
    ranges: &[Range],
    flag: &str,
) -> Result<Vec<Parameter>> {
    let text = scenario::load::read_text(scenario_file).map_err(|e| anyhow!("{e}"))?;
    let origin = scenario_file.display().to_string();
    let load = |assignment: String| {
        let mut all = overrides.to_vec();
        all.push(assignment);
        scenario::load_text(&text, &origin, &all).map(drop)
    };
    ranges
        .iter()
        .map(|r| Parameter::check(r, flag, load))
        .collect()
}

/// A value inside the range with a fractional part (to tell integer fields).
fn fractional_probe(range: &Range) -> f64 {
    [0.5, 0.37, 0.71, 0.13]
        .iter()
        .map(|f| range.low + f * (range.high - range.low))
        .find(|v| v.fract() != 0.0)
        .unwrap_or(range.low + 0.5 * (range.high - range.low))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(low: f64, high: f64) -> Range {
        Range {
            parameter: "a.b".into(),
            low,
            high,
        }
    }

    #[test]
    fn integer_values_are_rounded_when_applied() {
        let real = Parameter::real(range(0.0, 14.0));
        let integer = Parameter {
            integer: true,
            ..real.clone()
        };
        assert_eq!(real.at(0.25), "3.5");
        // 0..=14 is 15 whole numbers, each 1/15 of [0, 1]: 0.25 falls in
        // the fourth, 3; the ends take a full share each.
        assert_eq!(integer.at(0.25), "3");
        assert_eq!(integer.at(0.0), "0");
        assert_eq!(integer.at(0.999), "14");
        assert_eq!(integer.at(1.0), "14");
        let counts = (0..1500).fold([0u32; 15], |mut counts, i| {
            let u = (f64::from(i) + 0.5) / 1500.0;
            counts[integer.at(u).parse::<usize>().unwrap()] += 1;
            counts
        });
        assert_eq!(counts, [100; 15], "every whole number equally often");
        assert_eq!(integer.text(-0.4), "0");
        assert_eq!(integer.assignment(13.6), "a.b=14");
        assert_eq!(real.assignment(13.6), "a.b=13.6");
    }

    #[test]
    fn the_probe_has_a_fractional_part() {
        assert_eq!(fractional_probe(&range(0.0, 14.0)), 0.37 * 14.0);
        assert!(fractional_probe(&range(0.0, 2.0)).fract() != 0.0);
        assert!(fractional_probe(&range(-3.0, 5.0)).fract() != 0.0);
    }
}
