//! Calibration of a scenario to observed targets by approximate Bayesian
//! computation with sequential Monte Carlo (ABC-SMC: Toni et al. 2009,
//! J. R. Soc. Interface 6:187; Beaumont et al. 2009, Biometrika 96:983).
//!
//! **Targets** ([`load_targets`]): a TOML file of `[[targets]]` entries, each
//! an observed value with its standard deviation (the stated uncertainty):
//!
//! | kind | fields | simulated value (mean over replications) |
//! |---|---|---|
//! | `summary` | `arm`, `metric`, `value`, `sd`, optional `window_start`, `window_end` | the effect metric ([`effects::METRICS`]) of the arm against the baseline, over the window (default the arm's) |
//! | `level` | `arm`, `column`, `from_day`, `to_day`, `value`, `sd` | mean daily value of a `timeseries.csv` column over the days (inclusive) |
//! | `recovery` | `arm`, `days`, `sd` | days from the arm's window start until its 7-day campaigns are back to 90% of the baseline's; a replication that never recovers counts as recovering the day after the run ends (censored), so that slow particles are not judged on their fast replications only |
//! | `series` | `arm`, `column`, `file`, `sd` | the column on each day listed in `file` (CSV `day,value`, relative to the targets file) |
//!
//! Days are day numbers (0 = scenario start) or dates `YYYY-MM-DD`; any
//! entry may have a `name` (default `<kind>-<index>`). The distance of a
//! particle is `sqrt(sum over targets of ((sim - obs) / sd)^2)`, a series
//! contributing the mean of its squared z over its days; a target that is
//! undefined in the simulation (e.g. no price on a day, an effect with a
//! zero baseline) makes the distance infinite and the particle is rejected.
//!
//! **Algorithm.** Priors are uniform on each [`Range`]. Generation 0 samples
//! the prior until `population` particles have a finite distance. Generation
//! `t > 0` has tolerance `eps_t = max(alpha-quantile of the distances of
//! generation t - 1, final_tolerance)`; a proposal picks a parent by weight,
//! perturbs it with a Gaussian kernel of variance twice the weighted variance
//! of each parameter (diagonal covariance) truncated to the prior ranges, is
//! simulated, and is accepted when its distance is at most `eps_t`; accepted
//! particles get the importance weight `prior(theta) / sum_j w_j K(theta | theta_j)`
//! (the truncated kernel normalised by its mass in the ranges), normalised to
//! sum 1. It stops after `generations` generations, when a tolerance reached
//! `final_tolerance`, or when a generation would need more than
//! `max_attempts` proposals (the last complete generation is the posterior).
//!
//! **Randomness and seeds.** Proposal `a` of generation `g` draws only from
//! the keyed stream `RunKey { seed, replication: g }.market(Purpose::Design, a)`:
//! first the particle's model seed, then the parent and the perturbation (or
//! the prior draw). Proposals are evaluated in parallel in batches, and the
//! first `population` accepted *in proposal order* form the generation, so
//! the result does not depend on the number of threads nor on batch sizes.
//! Each particle runs its model with its **own derived seed** (not common
//! random numbers): the ABC posterior then integrates over the simulator's
//! noise, as the method assumes, instead of fitting one fixed realisation.
//! Only the arms the targets name (and the baseline) are run, each for
//! `replications` replications (common random numbers across arms).
//! Integer parameters (detected from the scenario format) are sampled on the
//! continuous range and rounded when applied to the scenario.
//!
//! **Folder** (written atomically, file by file):
//!
//! | file | content |
//! |---|---|
//! | `calibration.json` | inputs and their fingerprint, per-generation tolerance, acceptance rate, ESS and runs, status, why it stopped, runs used, elapsed time, best fit |
//! | `generation-<g>.csv` | checkpoint: `particle`, one column per parameter, `weight`, `distance`, `model_seed` |
//! | `posterior.csv` | the final generation, same columns |
//! | `posterior_summary.csv` | `parameter,mean,sd,q05,q50,q95` (weighted) |
//! | `best-fit.toml` | the scenario (comments kept) with the weighted posterior medians applied |
//! | `fit.csv` | per target (per day for a series): observed, sd, mean and 5%-95% band over `final_replications` replications of the best fit at the scenario's seed |
//!
//! `caasim calibrate` then draws the folder's plots and `calibration.html`
//! ([`crate::report`]): observed against simulated per target, the posterior
//! of each parameter over its prior range, and the tolerance by generation.
//!
//! **Resume.** Running again with the same inputs (scenario text, overrides,
//! targets and series files, parameters, population, alpha, replications,
//! seed, final tolerance: the fingerprint in `calibration.json`) continues
//! after the last complete generation and gives the same bytes as an
//! uninterrupted run; `generations`, `max_attempts` and `final_replications`
//! may change between runs (e.g. to extend a calibration). A folder holding
//! another calibration is refused.

use std::fs;
use std::ops::Range as Span;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rand::RngExt;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};
use toml::Spanned;
use toml_edit::{DocumentMut, Item, TableLike};

use super::design::{Range, fnv1a};
use super::{Experiment, Hooks, effects};
use crate::engine::record::{DAY_COLUMNS, DayRecord, timeseries_header};
use crate::model::Model;
use crate::model::params::When;
use crate::output::folder::{self, write_atomic};
use crate::rng::{Purpose, RunKey};
use crate::scenario::error::{Place, Problem};
use crate::scenario::{self, load};
use crate::stats::mean_defined;
use crate::table::{num, opt};

/// Name of the calibration's identity and log, in the output folder.
pub const IDENTITY: &str = "calibration.json";

/// Largest population (importance weights cost population squared).
pub const MAX_POPULATION: usize = 100_000;

/// Columns of `timeseries.csv` before the daily values (`arm,replication,day,date`).
const KEY_COLUMNS: usize = 4;

// ---------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------

/// One target resolved against a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Label (`name`, or `<kind>-<index>`).
    pub name: String,
    /// Arm name.
    pub arm: String,
    /// What is compared.
    pub kind: TargetKind,
    /// Standard deviation of the observation (stated uncertainty).
    pub sd: f64,
}

/// What a target compares, with its observed value(s). Days are recorded days.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetKind {
    /// An effect metric over a window.
    Summary {
        /// Index in [`effects::METRICS`].
        metric: usize,
        /// First day of the window.
        window_start: u32,
        /// Last day of the window (inclusive).
        window_end: u32,
        /// Observed value.
        value: f64,
    },
    /// Mean daily value of a column over days.
    Level {
        /// Index in [`timeseries_header`].
        column: usize,
        /// First day.
        from_day: u32,
        /// Last day (inclusive).
        to_day: u32,
        /// Observed value.
        value: f64,
    },
    /// Days to recover to 90% of the baseline's campaigns.
    Recovery {
        /// Observed days.
        days: f64,
    },
    /// A column on listed days.
    Series {
        /// Index in [`timeseries_header`].
        column: usize,
        /// `(day, observed value)`, in file order.
        points: Vec<(u32, f64)>,
    },
}

/// A problem with the file it is in.
pub type Located = (String, Problem);

/// Every problem found in a targets file (and its series files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetsError {
    /// The targets file.
    pub origin: String,
    /// `(file, problem)`, in file order.
    pub problems: Vec<Located>,
}

impl std::fmt::Display for TargetsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        let plural = if n == 1 { "" } else { "s" };
        writeln!(f, "invalid targets {} ({n} problem{plural}):", self.origin)?;
        for (file, p) in &self.problems {
            let key = if p.key.is_empty() {
                String::new()
            } else {
                format!(" `{}`:", p.key)
            };
            match p.place {
                Place::Line { line, column } => {
                    writeln!(f, "  {file}:{line}:{column}:{key} {}", p.message)?;
                }
                Place::File | Place::Flag => writeln!(f, "  {file}:{key} {}", p.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for TargetsError {}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    targets: Vec<RawTarget>,
}

/// One `[[targets]]` entry as written; which fields apply depends on `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    kind: Spanned<String>,
    name: Option<String>,
    arm: Spanned<String>,
    sd: Spanned<f64>,
    metric: Option<Spanned<String>>,
    column: Option<Spanned<String>>,
    value: Option<Spanned<f64>>,
    days: Option<Spanned<f64>>,
    window_start: Option<Spanned<When>>,
    window_end: Option<Spanned<When>>,
    from_day: Option<Spanned<When>>,
    to_day: Option<Spanned<When>>,
    file: Option<Spanned<String>>,
}

/// Kinds: name, required fields, optional fields (besides `kind`, `name`, `arm`, `sd`).
const KINDS: [(&str, &[&str], &[&str]); 4] = [
    (
        "summary",
        &["metric", "value"],
        &["window_start", "window_end"],
    ),
    ("level", &["column", "from_day", "to_day", "value"], &[]),
    ("recovery", &["days"], &[]),
    ("series", &["column", "file"], &[]),
];

impl RawTarget {
    /// The kind-dependent fields that are present, with their spans.
    fn present(&self) -> Vec<(&'static str, Span<usize>)> {
        let s = |v: Option<&Spanned<When>>| v.map(Spanned::span);
        let fields = [
            ("metric", self.metric.as_ref().map(Spanned::span)),
            ("column", self.column.as_ref().map(Spanned::span)),
            ("value", self.value.as_ref().map(Spanned::span)),
            ("days", self.days.as_ref().map(Spanned::span)),
            ("window_start", s(self.window_start.as_ref())),
            ("window_end", s(self.window_end.as_ref())),
            ("from_day", s(self.from_day.as_ref())),
            ("to_day", s(self.to_day.as_ref())),
            ("file", self.file.as_ref().map(Spanned::span)),
        ];
        fields
            .into_iter()
            .filter_map(|(k, span)| span.map(|s| (k, s)))
            .collect()
    }
}

/// Collects located problems while resolving targets.
struct Checker<'a> {
    text: &'a str,
    origin: &'a str,
    problems: Vec<Located>,
}

impl Checker<'_> {
    /// A problem at `span` of the targets file, about `targets[i].field`.
    fn fail(&mut self, span: Span<usize>, i: usize, field: &str, message: impl Into<String>) {
        let key = format!("targets[{i}].{field}");
        let problem = Problem::at(self.text, Some(span), key, message.into());
        self.problems.push((self.origin.to_string(), problem));
    }
}

/// Read a targets file and resolve it against `model` (arms, days, columns).
pub fn load_targets(path: &Path, model: &Model) -> Result<Vec<Target>, TargetsError> {
    let origin = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|e| TargetsError {
        origin: origin.clone(),
        problems: vec![(
            origin.clone(),
            Problem::file(format!("cannot read the file: {e}")),
        )],
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse_targets(&text, &origin, base, model)
}

/// Parse targets text (`origin` names it in messages; series files are
/// relative to `base_dir`) and resolve it against `model`.
pub fn parse_targets(
    text: &str,
    origin: &str,
    base_dir: &Path,
    model: &Model,
) -> Result<Vec<Target>, TargetsError> {
    let file: TargetsFile = toml::from_str(text).map_err(|e| {
        let span = e.span();
        let key = span.clone().map(|s| key_at(text, s)).unwrap_or_default();
        let problem = Problem::at(text, span, key, e.message().trim().to_string());
        TargetsError {
            origin: origin.to_string(),
            problems: vec![(origin.to_string(), problem)],
        }
    })?;
    let mut check = Checker {
        text,
        origin,
        problems: Vec::new(),
    };
    if file.targets.is_empty() {
        check.problems.push((
            origin.to_string(),
            Problem::file("has no [[targets]] entries".into()),
        ));
    }
    let targets: Vec<Target> = file
        .targets
        .iter()
        .enumerate()
        .filter_map(|(i, raw)| resolve_target(&mut check, i, raw, base_dir, model))
        .collect();
    if check.problems.is_empty() {
        Ok(targets)
    } else {
        Err(TargetsError {
            origin: origin.to_string(),
            problems: check.problems,
        })
    }
}

/// The key a parse error is about: the key before `=` when the error points
/// at a value, else the token it points at (an unknown key).
fn key_at(text: &str, span: Span<usize>) -> String {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..start].trim_end();
    if let Some(lhs) = before.strip_suffix('=') {
        if let Some(key) = lhs.split_whitespace().last() {
            return key.to_string();
        }
    }
    let token = text.get(span).unwrap_or("").trim();
    token
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(60)
        .collect()
}

/// Check one entry's kind, fields and references; `None` if it has a problem.
fn resolve_target(
    check: &mut Checker,
    i: usize,
    raw: &RawTarget,
    base_dir: &Path,
    model: &Model,
) -> Option<Target> {
    let before = check.problems.len();
    let kind = raw.kind.get_ref().as_str();
    let Some(&(_, required, optional)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
        let kinds: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
        let message = format!("is {kind:?}; allowed: {}", kinds.join(", "));
        check.fail(raw.kind.span(), i, "kind", message);
        return None;
    };
    let present = raw.present();
    for (field, span) in &present {
        if !required.contains(field) && !optional.contains(field) {
            let fields = [&["arm", "sd"][..], required, optional].concat().join(", ");
            let message = format!("is not a field of kind `{kind}` (its fields: {fields})");
            check.fail(span.clone(), i, field, message);
        }
    }
    for field in required {
        if !present.iter().any(|(f, _)| f == field) {
            check.fail(
                raw.kind.span(),
                i,
                field,
                format!("is missing; kind `{kind}` needs it"),
            );
        }
    }
    let arm = resolve_arm(check, i, raw, model);
    if !(raw.sd.get_ref().is_finite() && *raw.sd.get_ref() > 0.0) {
        check.fail(
            raw.sd.span(),
            i,
            "sd",
            format!("is {}; allowed: a number above 0", raw.sd.get_ref()),
        );
    }
    let kind = resolve_kind(check, i, raw, base_dir, model, arm);
    if check.problems.len() > before {
        return None;
    }
    let (arm, kind) = (arm?, kind?);
    Some(Target {
        name: raw
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-{i}", raw.kind.get_ref())),
        arm: arm.name.clone(),
        kind,
        sd: *raw.sd.get_ref(),
    })
}

/// The arm a target names; effects and recovery need an intervention arm.
fn resolve_arm<'m>(
    check: &mut Checker,
    i: usize,
    raw: &RawTarget,
    model: &'m Model,
) -> Option<&'m crate::model::config::ArmPlan> {
    let name = raw.arm.get_ref();
    let Some(position) = model.arms.iter().position(|a| &a.name == name) else {
        let known: Vec<&str> = model.arms.iter().map(|a| a.name.as_str()).collect();
        let message = format!("no arm named {name:?}; known: {}", known.join(", "));
        check.fail(raw.arm.span(), i, "arm", message);
        return None;
    };
    let kind = raw.kind.get_ref();
    if position == 0 && (kind == "summary" || kind == "recovery") {
        let message =
            format!("is the baseline; kind `{kind}` compares an intervention arm with it");
        check.fail(raw.arm.span(), i, "arm", message);
        return None;
    }
    Some(&model.arms[position])
}

/// The kind-specific part of a target, once its fields are known to be present.
fn resolve_kind(
    check: &mut Checker,
    i: usize,
    raw: &RawTarget,
    base_dir: &Path,
    model: &Model,
    arm: Option<&crate::model::config::ArmPlan>,
) -> Option<TargetKind> {
    let value = || raw.value.as_ref().map_or(0.0, |v| *v.get_ref());
    // Without a known arm, windows are checked against the whole run.
    let window = arm.map_or((0, model.days.saturating_sub(1)), |a| {
        (a.window_start, a.window_end)
    });
    match raw.kind.get_ref().as_str() {
        "summary" => {
            let metric = resolve_metric(check, i, raw.metric.as_ref()?);
            let start = raw.window_start.as_ref();
            let end = raw.window_end.as_ref();
            let window_start = start.map_or(Some(window.0), |w| {
                day_of(check, i, "window_start", w, model)
            });
            let window_end =
                end.map_or(Some(window.1), |w| day_of(check, i, "window_end", w, model));
            let (metric, window_start, window_end) = (metric?, window_start?, window_end?);
            ordered(
                check,
                i,
                ("window_end", end.map_or(raw.kind.span(), Spanned::span)),
                window_start,
                window_end,
            )?;
            Some(TargetKind::Summary {
                metric,
                window_start,
                window_end,
                value: value(),
            })
        }
        "level" => {
            let column = resolve_column(check, i, raw.column.as_ref()?);
            let from_day = day_of(check, i, "from_day", raw.from_day.as_ref()?, model);
            let to_day = day_of(check, i, "to_day", raw.to_day.as_ref()?, model);
            let (column, from_day, to_day) = (column?, from_day?, to_day?);
            ordered(
                check,
                i,
                ("to_day", raw.to_day.as_ref()?.span()),
                from_day,
                to_day,
            )?;
            Some(TargetKind::Level {
                column,
                from_day,
                to_day,
                value: value(),
            })
        }
        "recovery" => {
            let days = raw.days.as_ref()?;
            if !(days.get_ref().is_finite() && *days.get_ref() >= 0.0) {
                let message = format!(
                    "is {}; allowed: a number of days, 0 or more",
                    days.get_ref()
                );
                check.fail(days.span(), i, "days", message);
                return None;
            }
            Some(TargetKind::Recovery {
                days: *days.get_ref(),
            })
        }
        _ => {
            let column = resolve_column(check, i, raw.column.as_ref()?);
            let points = read_series(check, i, raw.file.as_ref()?, base_dir, model);
            Some(TargetKind::Series {
                column: column?,
                points: points?,
            })
        }
    }
}

/// Index of an effect metric.
fn resolve_metric(check: &mut Checker, i: usize, metric: &Spanned<String>) -> Option<usize> {
    let found = effects::METRICS.iter().position(|m| m == metric.get_ref());
    if found.is_none() {
        let message = format!(
            "is {:?}; allowed: {}",
            metric.get_ref(),
            effects::METRICS.join(", ")
        );
        check.fail(metric.span(), i, "metric", message);
    }
    found
}

/// Index of a daily column of `timeseries.csv`.
fn resolve_column(check: &mut Checker, i: usize, column: &Spanned<String>) -> Option<usize> {
    let header = timeseries_header();
    let found = (KEY_COLUMNS..header.len()).find(|&c| header[c] == column.get_ref());
    if found.is_none() {
        let allowed = header[KEY_COLUMNS..].join(", ");
        let message = format!("is {:?}; allowed: {allowed}", column.get_ref());
        check.fail(column.span(), i, "column", message);
    }
    found
}

/// `first <= last`, else a problem at the last day's field.
fn ordered(
    check: &mut Checker,
    i: usize,
    (field, span): (&str, Span<usize>),
    first: u32,
    last: u32,
) -> Option<()> {
    if first > last {
        check.fail(
            span,
            i,
            field,
            format!("ends on day {last}, before it starts on day {first}"),
        );
        return None;
    }
    Some(())
}

/// A day number or date as a recorded day of the model's run.
fn day_of(
    check: &mut Checker,
    i: usize,
    field: &str,
    when: &Spanned<When>,
    model: &Model,
) -> Option<u32> {
    match resolve_day(when.get_ref(), model) {
        Ok(day) => Some(day),
        Err(message) => {
            check.fail(when.span(), i, field, message);
            None
        }
    }
}

/// A `When` as a recorded day, or what is wrong with it.
fn resolve_day(when: &When, model: &Model) -> Result<u32, String> {
    let day = match when {
        When::Day(d) => i64::from(*d),
        When::Date(text) => {
            let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| format!("is {text:?}; allowed: a day number or a date YYYY-MM-DD"))?;
            let start = model
                .start_date
                .ok_or("is a date but the scenario has no start_date; give a day number")?;
            (date - start).num_days()
        }
    };
    if day < 0 || day >= i64::from(model.days) {
        return Err(format!(
            "is day {day}, outside the run; allowed: day 0 to day {}",
            model.days.saturating_sub(1)
        ));
    }
    Ok(day as u32)
}

/// The `day,value` rows of a series file; problems are located in that file.
fn read_series(
    check: &mut Checker,
    i: usize,
    file: &Spanned<String>,
    base_dir: &Path,
    model: &Model,
) -> Option<Vec<(u32, f64)>> {
    let path = base_dir.join(file.get_ref());
    let origin = path.display().to_string();
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            check.fail(file.span(), i, "file", format!("cannot read {origin}: {e}"));
            return None;
        }
    };
    let (points, problems) = parse_series(&text, &origin, model);
    if points.is_empty() && problems.is_empty() {
        check.fail(file.span(), i, "file", format!("{origin} has no rows"));
    }
    let ok = problems.is_empty();
    check.problems.extend(problems);
    ok.then_some(points)
}

/// Parse series text: a `day,value` header, then one row per day.
fn parse_series(text: &str, origin: &str, model: &Model) -> (Vec<(u32, f64)>, Vec<Located>) {
    let mut points = Vec::new();
    let mut problems = Vec::new();
    let at = |line: usize, key: &str, message: String| {
        let place = Place::Line { line, column: 1 };
        (
            origin.to_string(),
            Problem {
                place,
                key: key.to_string(),
                message,
            },
        )
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.trim().replace(' ', "") == "day,value" => {}
        _ => problems.push(at(
            1,
            "",
            "the first line must be the header `day,value`".into(),
        )),
    }
    for (n, line) in lines {
        let cells: Vec<&str> = line
            .split(',')
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        let [day, value] = cells[..] else {
            problems.push(at(n + 1, "", format!("expected `day,value`, got {line:?}")));
            continue;
        };
        let when = day
            .parse::<u32>()
            .map_or_else(|_| When::Date(day.to_string()), When::Day);
        match (resolve_day(&when, model), value.parse::<f64>()) {
            (Ok(d), Ok(v)) if v.is_finite() => points.push((d, v)),
            (Err(message), _) => problems.push(at(n + 1, "day", message)),
            _ => problems.push(at(
                n + 1,
                "value",
                format!("is {value:?}; allowed: a finite number"),
            )),
        }
    }
    (points, problems)
}

// ---------------------------------------------------------------------------
// Simulated values and distance
// ---------------------------------------------------------------------------

impl Target {
    /// The kind as written in targets files.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            TargetKind::Summary { .. } => "summary",
            TargetKind::Level { .. } => "level",
            TargetKind::Recovery { .. } => "recovery",
            TargetKind::Series { .. } => "series",
        }
    }

    /// What is measured: the metric, the column, or `days_to_recover`.
    pub fn measure(&self) -> &'static str {
        match &self.kind {
            TargetKind::Summary { metric, .. } => effects::METRICS[*metric],
            TargetKind::Level { column, .. } | TargetKind::Series { column, .. } => {
                timeseries_header()[*column]
            }
            TargetKind::Recovery { .. } => "days_to_recover",
        }
    }

    /// `(day, observed)` of each component: one, or one per day of a series
    /// (`None` for targets that are not about one day).
    pub fn observed(&self) -> Vec<(Option<u32>, f64)> {
        match &self.kind {
            TargetKind::Summary { value, .. } | TargetKind::Level { value, .. } => {
                vec![(None, *value)]
            }
            TargetKind::Recovery { days } => vec![(None, *days)],
            TargetKind::Series { points, .. } => {
                points.iter().map(|&(d, v)| (Some(d), v)).collect()
            }
        }
    }

    /// Simulated values `[component][replication]` of an experiment of `model`.
    pub fn simulated(&self, experiment: &Experiment, model: &Model) -> Vec<Vec<Option<f64>>> {
        let arm = model
            .arms
            .iter()
            .position(|a| a.name == self.arm)
            .expect("targets are resolved against the model's arms");
        let runs = |r: u32| {
            (
                &experiment.run_of(0, r).days,
                &experiment.run_of(arm, r).days,
            )
        };
        let reps = 0..experiment.replications;
        match &self.kind {
            TargetKind::Summary {
                metric,
                window_start,
                window_end,
                ..
            } => {
                let mut plan = model.arms[arm].clone();
                (plan.window_start, plan.window_end) = (*window_start, *window_end);
                let values = reps
                    .map(|r| {
                        effects::effects(experiment.run_of(0, r), experiment.run_of(arm, r), &plan)
                            [*metric]
                    })
                    .collect();
                vec![values]
            }
            TargetKind::Level {
                column,
                from_day,
                to_day,
                ..
            } => {
                let days = *from_day as usize..=*to_day as usize;
                vec![
                    reps.map(|r| mean_of(&runs(r).1[days.clone()], *column))
                        .collect(),
                ]
            }
            TargetKind::Recovery { .. } => {
                let start = model.arms[arm].window_start as usize;
                vec![
                    reps.map(|r| Some(censored_recovery(runs(r).0, runs(r).1, start)))
                        .collect(),
                ]
            }
            TargetKind::Series { column, points } => points
                .iter()
                .map(|&(day, _)| {
                    reps.clone()
                        .map(|r| column_value(&runs(r).1[day as usize], *column))
                        .collect()
                })
                .collect(),
        }
    }
}

/// Days to recover (see [`effects::days_to_recover`], searched to the end of
/// the run); a run that never recovers counts as recovering the day after it ends.
fn censored_recovery(base: &[DayRecord], hit: &[DayRecord], start: usize) -> f64 {
    effects::days_to_recover(base, hit, start).unwrap_or(hit.len() - start) as f64
}

/// The value of a `timeseries.csv` column on one day (`None` if empty).
fn column_value(day: &DayRecord, column: usize) -> Option<f64> {
    (DAY_COLUMNS[column - KEY_COLUMNS].value)(day).as_f64()
}

/// Mean of a column over days where it is defined.
fn mean_of(days: &[DayRecord], column: usize) -> Option<f64> {
    mean_defined(
        &days
            .iter()
            .map(|d| column_value(d, column))
            .collect::<Vec<_>>(),
    )
}

/// Simulated means `[target][component]` over replications.
pub fn simulated_means(
    targets: &[Target],
    experiment: &Experiment,
    model: &Model,
) -> Vec<Vec<Option<f64>>> {
    targets
        .iter()
        .map(|t| {
            t.simulated(experiment, model)
                .iter()
                .map(|c| mean_defined(c))
                .collect()
        })
        .collect()
}

/// `sqrt(sum over targets of the mean squared z of its components)`;
/// infinite when a simulated value is undefined.
pub fn distance(targets: &[Target], means: &[Vec<Option<f64>>]) -> f64 {
    let mut total = 0.0;
    for (target, sim) in targets.iter().zip(means) {
        let observed = target.observed();
        let mut sum = 0.0;
        for ((_, obs), sim) in observed.iter().zip(sim) {
            let Some(sim) = sim else { return f64::INFINITY };
            sum += ((sim - obs) / target.sd).powi(2);
        }
        total += sum / observed.len() as f64;
    }
    total.sqrt()
}

// ---------------------------------------------------------------------------
// ABC-SMC mathematics
// ---------------------------------------------------------------------------

/// A population of particles.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// `particles[i][k]`: value of parameter `k` of particle `i`.
    pub particles: Vec<Vec<f64>>,
    /// Normalised importance weights.
    pub weights: Vec<f64>,
    /// Distances to the targets.
    pub distances: Vec<f64>,
    /// Model seed each particle was simulated with.
    pub seeds: Vec<u64>,
}

impl Population {
    /// Values of parameter `k`.
    pub fn column(&self, k: usize) -> Vec<f64> {
        self.particles.iter().map(|p| p[k]).collect()
    }

    /// Effective sample size `1 / sum w^2`.
    pub fn ess(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }
}

/// Weighted mean and (population) variance.
fn weighted_moments(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let total: f64 = weights.iter().sum();
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    let var = values
        .iter()
        .zip(weights)
        .map(|(v, w)| w * (v - mean).powi(2))
        .sum::<f64>()
        / total;
    (mean, var)
}

/// Kernel standard deviation per parameter: `sqrt(2 x weighted variance)`
/// (Beaumont et al. 2009), at least a millionth of the range so that a
/// collapsed population can still move.
pub fn kernel_scales(population: &Population, ranges: &[Range]) -> Vec<f64> {
    ranges
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let (_, var) = weighted_moments(&population.column(k), &population.weights);
            (2.0 * var).sqrt().max(1e-6 * (r.high - r.low))
        })
        .collect()
}

/// Draw from the Gaussian kernel around `centre` truncated to the ranges, one
/// uniform in [0, 1) per parameter, by the inverse CDF (always in range).
pub fn perturb(centre: &[f64], scales: &[f64], ranges: &[Range], uniforms: &[f64]) -> Vec<f64> {
    let n = Normal::standard();
    centre
        .iter()
        .zip(scales)
        .zip(ranges)
        .zip(uniforms)
        .map(|(((&mu, &s), r), &u)| {
            let (a, b) = (n.cdf((r.low - mu) / s), n.cdf((r.high - mu) / s));
            let x = mu + s * n.inverse_cdf(a + u * (b - a));
            x.clamp(r.low, r.high)
        })
        .collect()
}

/// Log density of the truncated kernel at `theta` around `centre`.
pub fn kernel_log_density(theta: &[f64], centre: &[f64], scales: &[f64], ranges: &[Range]) -> f64 {
    let n = Normal::standard();
    let mut log = 0.0;
    for (((&x, &mu), &s), r) in theta.iter().zip(centre).zip(scales).zip(ranges) {
        let mass = n.cdf((r.high - mu) / s) - n.cdf((r.low - mu) / s);
        log += n.ln_pdf((x - mu) / s) - s.ln() - mass.max(f64::MIN_POSITIVE).ln();
    }
    log
}

/// Normalised importance weights of new particles:
/// `prior(theta_i) / sum_j w_j K(theta_i | theta_j)`, in log space.
pub fn importance_weights(
    particles: &[Vec<f64>],
    previous: &Population,
    scales: &[f64],
    ranges: &[Range],
) -> Vec<f64> {
    let log_prior = -ranges.iter().map(|r| (r.high - r.low).ln()).sum::<f64>();
    let logs: Vec<f64> = particles
        .iter()
        .map(|theta| {
            let terms: Vec<f64> = previous
                .particles
                .iter()
                .zip(&previous.weights)
                .map(|(centre, w)| w.ln() + kernel_log_density(theta, centre, scales, ranges))
                .collect();
            log_prior - log_sum_exp(&terms)
        })
        .collect();
    normalise_logs(&logs)
}

/// `ln sum exp(x)`, stable.
fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Weights from log weights, summing to 1.
fn normalise_logs(logs: &[f64]) -> Vec<f64> {
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let raw: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|w| w / total).collect()
}

/// The index drawn from weights (summing to 1) by a uniform `u` in [0, 1).
pub fn pick(weights: &[f64], u: f64) -> usize {
    let mut cumulative = 0.0;
    for (i, w) in weights.iter().enumerate() {
        cumulative += w;
        if u < cumulative {
            return i;
        }
    }
    weights.len() - 1
}

/// The `p` quantile with linear interpolation (Hyndman-Fan type 7).
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The weighted `p` quantile: linear interpolation between values placed at
/// the midpoints of their cumulative weights (type 5 with weights).
pub fn weighted_quantile(values: &[f64], weights: &[f64], p: f64) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .zip(weights.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    let mut cumulative = 0.0;
    let mut previous: Option<(f64, f64)> = None;
    for &(v, w) in &pairs {
        let at = (cumulative + w / 2.0) / total;
        cumulative += w;
        if at >= p {
            return match previous {
                Some((pv, pat)) if at > pat => pv + (v - pv) * (p - pat) / (at - pat),
                _ => v,
            };
        }
        previous = Some((v, at));
    }
    pairs.last().map_or(f64::NAN, |(v, _)| *v)
}

// ---------------------------------------------------------------------------
// Configuration and set-up
// ---------------------------------------------------------------------------

/// What to calibrate, against what, and how.
#[derive(Debug, Clone)]
pub struct CalibrationConfig {
    /// The scenario file.
    pub scenario_file: PathBuf,
    /// `key.path=value` overrides applied before the parameters (as `--set`).
    pub overrides: Vec<String>,
    /// The targets file.
    pub targets_file: PathBuf,
    /// Parameters and their uniform priors.
    pub parameters: Vec<Range>,
    /// Particles per generation.
    pub population: usize,
    /// Largest number of generations, generation 0 included.
    pub generations: usize,
    /// Stop once a generation's tolerance is at most this (tolerances never go below it).
    pub final_tolerance: Option<f64>,
    /// Quantile of the previous distances that sets the next tolerance.
    pub alpha: f64,
    /// Replications per particle.
    pub replications: u32,
    /// Seed of the calibration's streams (default: the scenario's).
    pub seed: Option<u64>,
    /// Replications of the best fit for `fit.csv`.
    pub final_replications: u32,
    /// Largest number of proposals in one generation (default: 50 x population).
    pub max_attempts: Option<usize>,
    /// Write into a non-empty folder caasim did not write.
    pub force: bool,
}

impl CalibrationConfig {
    /// A configuration with the defaults: 200 particles, 6 generations,
    /// alpha 0.5, 3 replications per particle, 20 for the final fit.
    pub fn new(scenario_file: &Path, targets_file: &Path, parameters: Vec<Range>) -> Self {
        CalibrationConfig {
            scenario_file: scenario_file.to_path_buf(),
            overrides: Vec::new(),
            targets_file: targets_file.to_path_buf(),
            parameters,
            population: 200,
            generations: 6,
            final_tolerance: None,
            alpha: 0.5,
            replications: 3,
            seed: None,
            final_replications: 20,
            max_attempts: None,
            force: false,
        }
    }

    fn max_attempts(&self) -> usize {
        self.max_attempts.unwrap_or(50 * self.population)
    }
}

/// One calibrated parameter.
#[derive(Debug, Clone, PartialEq)]
struct Parameter {
    range: Range,
    /// Rounded to an integer when applied (the scenario field is an integer).
    integer: bool,
}

impl Parameter {
    /// The `--set` assignment of a value.
    fn assignment(&self, value: f64) -> String {
        format!("{}={}", self.range.parameter, self.text(value))
    }

    /// The value as written into the scenario.
    fn text(&self, value: f64) -> String {
        if self.integer {
            format!("{}", value.round() as i64)
        } else {
            num(value)
        }
    }
}

/// Everything checked before the first run.
struct Setup {
    config: CalibrationConfig,
    text: String,
    origin: String,
    base: Model,
    targets: Vec<Target>,
    parameters: Vec<Parameter>,
    ranges: Vec<Range>,
    seed: u64,
    inputs: Value,
    fingerprint: String,
}

impl Setup {
    /// Read and check the scenario, targets and parameters.
    fn new(config: &CalibrationConfig) -> Result<Setup> {
        check_settings(config)?;
        let text =
            scenario::load::read_text(&config.scenario_file).map_err(|e| anyhow::anyhow!("{e}"))?;
        let origin = config.scenario_file.display().to_string();
        let base = scenario::load_text(&text, &origin, &config.overrides)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let targets =
            load_targets(&config.targets_file, &base).map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut setup = Setup {
            config: config.clone(),
            seed: config.seed.unwrap_or(base.seed),
            text,
            origin,
            base,
            targets,
            parameters: Vec::new(),
            ranges: config.parameters.clone(),
            inputs: Value::Null,
            fingerprint: String::new(),
        };
        setup.parameters = config
            .parameters
            .iter()
            .map(|r| setup.check_parameter(r))
            .collect::<Result<_>>()?;
        setup.inputs = setup.identity_inputs()?;
        // Contents, not paths, identify the calibration (the folder may move).
        let mut identity = setup.inputs.clone();
        if let Some(fields) = identity.as_object_mut() {
            fields.remove("scenario");
            fields.remove("targets");
        }
        setup.fingerprint = format!("{:016x}", fnv1a(identity.to_string().as_bytes()));
        Ok(setup)
    }

    /// The model with `assignments` applied after the configured overrides.
    fn model_with(&self, assignments: &[String]) -> Result<Model, scenario::ScenarioError> {
        let mut overrides = self.config.overrides.clone();
        overrides.extend_from_slice(assignments);
        scenario::load_text(&self.text, &self.origin, &overrides)
    }

    /// Whether the parameter is an integer field (a fractional value is a
    /// type error), checked to load at both ends.
    fn check_parameter(&self, range: &Range) -> Result<Parameter> {
        let float = Parameter {
            range: range.clone(),
            integer: false,
        };
        let integer = match self.model_with(&[float.assignment(fractional_probe(range))]) {
            Ok(_) => false,
            Err(e) if e.to_string().contains("invalid type: floating point") => true,
            Err(e) => bail!("calibration parameter {}: {e}", range.parameter),
        };
        let parameter = Parameter { integer, ..float };
        for (end, value) in [("lower", range.low), ("upper", range.high)] {
            self.model_with(&[parameter.assignment(value)])
                .map_err(|e| {
                    anyhow::anyhow!(
                        "calibration parameter {} at its {end} end {value}: {e}",
                        range.parameter
                    )
                })?;
        }
        Ok(parameter)
    }

    /// The model of one particle: parameters applied, own seed, only the arms
    /// the targets need.
    fn particle_model(&self, theta: &[f64], seed: u64, replications: u32) -> Result<Model> {
        let assignments: Vec<String> = self
            .parameters
            .iter()
            .zip(theta)
            .map(|(p, &v)| p.assignment(v))
            .collect();
        let mut model = self.model_with(&assignments).map_err(|e| {
            anyhow::anyhow!("the scenario is invalid at {}: {e}", assignments.join(" "))
        })?;
        model.seed = seed;
        model.replications = replications;
        let needed =
            |a: &crate::model::config::ArmPlan| self.targets.iter().any(|t| t.arm == a.name);
        let arms: Vec<_> = model
            .arms
            .iter()
            .enumerate()
            .filter(|(i, a)| *i == 0 || needed(a))
            .map(|(_, a)| a.clone())
            .collect();
        model.arms = arms;
        Ok(model)
    }

    /// The inputs that determine the result (the fingerprint's content).
    fn identity_inputs(&self) -> Result<Value> {
        let c = &self.config;
        Ok(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "scenario": self.origin,
            "scenario_fingerprint": format!("{:016x}", fnv1a(self.text.as_bytes())),
            "overrides": c.overrides,
            "targets": c.targets_file.display().to_string(),
            "targets_fingerprint": targets_fingerprint(&c.targets_file)?,
            "parameters": self.parameters.iter().map(|p| json!({
                "parameter": p.range.parameter, "low": p.range.low, "high": p.range.high, "integer": p.integer,
            })).collect::<Vec<_>>(),
            "population": c.population,
            "alpha": c.alpha,
            "replications": c.replications,
            "seed": self.seed,
            "final_tolerance": c.final_tolerance,
        }))
    }
}

/// A value inside the range with a fractional part (to tell integer fields).
fn fractional_probe(range: &Range) -> f64 {
    [0.5, 0.37, 0.71, 0.13]
        .iter()
        .map(|f| range.low + f * (range.high - range.low))
        .find(|v| v.fract() != 0.0)
        .unwrap_or(range.low + 0.5 * (range.high - range.low))
}

/// FNV-1a of the targets file and every series file it reads.
fn targets_fingerprint(path: &Path) -> Result<String> {
    let mut bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes).to_string();
    if let Ok(file) = toml::from_str::<TargetsFile>(&text) {
        let base = path.parent().unwrap_or(Path::new("."));
        for raw in file.targets.iter().filter_map(|t| t.file.as_ref()) {
            bytes.extend(fs::read(base.join(raw.get_ref())).unwrap_or_default());
        }
    }
    Ok(format!("{:016x}", fnv1a(&bytes)))
}

/// Settings that need no file.
fn check_settings(c: &CalibrationConfig) -> Result<()> {
    if c.parameters.is_empty() {
        bail!("calibration: give at least one parameter with its range");
    }
    for (i, r) in c.parameters.iter().enumerate() {
        if !(r.low.is_finite() && r.high.is_finite() && r.low < r.high) {
            bail!(
                "calibration parameter {}: the range must be finite with low < high",
                r.parameter
            );
        }
        if c.parameters[..i].iter().any(|o| o.parameter == r.parameter) {
            bail!("calibration parameter {} is given twice", r.parameter);
        }
    }
    if !(2..=MAX_POPULATION).contains(&c.population) {
        bail!(
            "calibration: the population must be 2 to {MAX_POPULATION}, not {}",
            c.population
        );
    }
    if c.generations == 0 {
        bail!("calibration: at least one generation");
    }
    if !(c.alpha > 0.0 && c.alpha < 1.0) {
        bail!(
            "calibration: alpha must be between 0 and 1 (exclusive), not {}",
            c.alpha
        );
    }
    if c.replications == 0 || c.final_replications == 0 {
        bail!("calibration: replications must be at least 1");
    }
    if c.final_tolerance
        .is_some_and(|t| !(t.is_finite() && t >= 0.0))
    {
        bail!("calibration: the final tolerance must be a number, 0 or more");
    }
    if c.max_attempts() < c.population || c.max_attempts() > u32::MAX as usize {
        bail!("calibration: max_attempts must be at least the population and fit in 32 bits");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Generations
// ---------------------------------------------------------------------------

/// What one generation did.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationStats {
    /// Generation number, from 0.
    pub generation: usize,
    /// Tolerance (infinite for generation 0).
    pub tolerance: f64,
    /// Whether the tolerance was clamped at the final tolerance (the last generation).
    pub reached_final_tolerance: bool,
    /// Proposals simulated.
    pub attempts: usize,
    /// Accepted / proposals up to the last accepted one.
    pub acceptance_rate: f64,
    /// Engine runs (proposals x arms x replications).
    pub runs: u64,
    /// Effective sample size of the weights.
    pub ess: f64,
}

/// A proposal: parameters, model seed, distance.
struct Proposal {
    theta: Vec<f64>,
    seed: u64,
    distance: f64,
}

/// The previous generation and its kernel scales.
struct Parent<'a> {
    population: &'a Population,
    scales: Vec<f64>,
}

/// Proposal `attempt` of generation `g`: model seed, then parameters.
fn propose(setup: &Setup, g: usize, attempt: usize, parent: Option<&Parent>) -> (Vec<f64>, u64) {
    let key = RunKey {
        seed: setup.seed,
        replication: g as u64,
    };
    let mut rng = key.market(Purpose::Design, attempt as u32);
    let seed: u64 = rng.random();
    let uniforms: Vec<f64> = (0..setup.ranges.len()).map(|_| rng.random()).collect();
    let theta = match parent {
        None => setup
            .ranges
            .iter()
            .zip(&uniforms)
            .map(|(r, u)| r.low + u * (r.high - r.low))
            .collect(),
        Some(p) => {
            let chosen = pick(&p.population.weights, rng.random());
            perturb(
                &p.population.particles[chosen],
                &p.scales,
                &setup.ranges,
                &uniforms,
            )
        }
    };
    (theta, seed)
}

/// Simulate one particle and return its distance.
fn evaluate(setup: &Setup, theta: &[f64], seed: u64) -> Result<f64> {
    let model = setup.particle_model(theta, seed, setup.config.replications)?;
    let experiment =
        super::run(&model, &Hooks::default()).context("a run without a cancel flag ends")?;
    Ok(distance(
        &setup.targets,
        &simulated_means(&setup.targets, &experiment, &model),
    ))
}

/// How many proposals to simulate next: enough for the missing particles at
/// the acceptance rate so far (batch sizes never change the result).
fn next_batch(
    needed: usize,
    accepted: usize,
    attempts: usize,
    population: usize,
    left: usize,
) -> usize {
    let want = if attempts == 0 {
        population
    } else {
        let rate = accepted.max(1) as f64 / attempts as f64;
        (1.2 * needed as f64 / rate).ceil() as usize
    };
    want.clamp(8, 4 * population).min(left)
}

/// Result of a generation.
enum Outcome {
    Complete(Population, GenerationStats),
    OutOfBudget { accepted: usize, attempts: usize },
}

/// Run generation `g` at `tolerance` (infinite for generation 0).
fn run_generation(
    setup: &Setup,
    g: usize,
    previous: Option<&Population>,
    tolerance: f64,
    progress: &dyn Fn(usize, usize),
) -> Result<Outcome> {
    let n = setup.config.population;
    let parent = previous.map(|p| Parent {
        population: p,
        scales: kernel_scales(p, &setup.ranges),
    });
    let mut accepted: Vec<Proposal> = Vec::with_capacity(n);
    let (mut attempts, mut last_accepted) = (0, 0);
    while accepted.len() < n {
        let left = setup.config.max_attempts() - attempts;
        if left == 0 {
            return Ok(Outcome::OutOfBudget {
                accepted: accepted.len(),
                attempts,
            });
        }
        let batch = next_batch(n - accepted.len(), accepted.len(), attempts, n, left);
        let proposals = (attempts..attempts + batch)
            .into_par_iter()
            .map(|a| {
                let (theta, seed) = propose(setup, g, a, parent.as_ref());
                let distance = evaluate(setup, &theta, seed)?;
                Ok(Proposal {
                    theta,
                    seed,
                    distance,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for (offset, p) in proposals.into_iter().enumerate() {
            if accepted.len() < n && p.distance.is_finite() && p.distance <= tolerance {
                accepted.push(p);
                last_accepted = attempts + offset + 1;
            }
        }
        attempts += batch;
        progress(g, accepted.len());
    }
    let population = weigh(setup, accepted, parent.as_ref());
    let runs_per = (setup.config.replications as usize * (1 + arms_run(setup))) as u64;
    let stats = GenerationStats {
        generation: g,
        tolerance,
        reached_final_tolerance: setup.config.final_tolerance.is_some_and(|f| tolerance <= f),
        attempts,
        acceptance_rate: n as f64 / last_accepted as f64,
        runs: attempts as u64 * runs_per,
        ess: population.ess(),
    };
    Ok(Outcome::Complete(population, stats))
}

/// Intervention arms the targets need.
fn arms_run(setup: &Setup) -> usize {
    setup
        .base
        .arms
        .iter()
        .skip(1)
        .filter(|a| setup.targets.iter().any(|t| t.arm == a.name))
        .count()
}

/// The accepted proposals with their importance weights.
fn weigh(setup: &Setup, accepted: Vec<Proposal>, parent: Option<&Parent>) -> Population {
    let particles: Vec<Vec<f64>> = accepted.iter().map(|p| p.theta.clone()).collect();
    let weights = match parent {
        None => vec![1.0 / particles.len() as f64; particles.len()],
        Some(p) => importance_weights(&particles, p.population, &p.scales, &setup.ranges),
    };
    Population {
        weights,
        distances: accepted.iter().map(|p| p.distance).collect(),
        seeds: accepted.iter().map(|p| p.seed).collect(),
        particles,
    }
}

/// The tolerance of the next generation.
fn next_tolerance(config: &CalibrationConfig, previous: Option<&Population>) -> f64 {
    match previous {
        None => f64::INFINITY,
        Some(p) => quantile(&p.distances, config.alpha).max(config.final_tolerance.unwrap_or(0.0)),
    }
}

// ---------------------------------------------------------------------------
// Checkpoints and the folder
// ---------------------------------------------------------------------------

/// The checkpoint file of generation `g`.
fn generation_file(dir: &Path, g: usize) -> PathBuf {
    dir.join(format!("generation-{g}.csv"))
}

/// A population as CSV: `particle`, parameters, `weight`, `distance`, `model_seed`.
fn population_csv(parameters: &[Parameter], population: &Population) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["particle".to_string()];
    header.extend(parameters.iter().map(|p| p.range.parameter.clone()));
    header.extend(["weight", "distance", "model_seed"].map(String::from));
    writer.write_record(&header)?;
    for (i, theta) in population.particles.iter().enumerate() {
        let mut row = vec![i.to_string()];
        row.extend(theta.iter().map(|&v| num(v)));
        row.extend([
            num(population.weights[i]),
            num(population.distances[i]),
            population.seeds[i].to_string(),
        ]);
        writer.write_record(&row)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Read a checkpoint written by [`population_csv`].
fn read_population(path: &Path, parameters: &[Parameter]) -> Result<Population> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let d = parameters.len();
    let mut population = Population {
        particles: Vec::new(),
        weights: Vec::new(),
        distances: Vec::new(),
        seeds: Vec::new(),
    };
    for record in reader.records() {
        let record = record.with_context(|| format!("{} is damaged", path.display()))?;
        let cell = |i: usize| {
            record
                .get(i)
                .with_context(|| format!("{} is damaged", path.display()))
        };
        let number = |i: usize| -> Result<f64> { Ok(cell(i)?.parse()?) };
        population
            .particles
            .push((1..=d).map(number).collect::<Result<_>>()?);
        population.weights.push(number(d + 1)?);
        population.distances.push(number(d + 2)?);
        population.seeds.push(cell(d + 3)?.parse()?);
    }
    Ok(population)
}

/// State found in the folder.
struct Resumed {
    history: Vec<GenerationStats>,
    population: Option<Population>,
    elapsed_before: f64,
}

/// Make the folder ready; load the complete generations of the same calibration.
fn open_folder(dir: &Path, setup: &Setup) -> Result<Resumed> {
    let path = dir.join(IDENTITY);
    let fresh = Resumed {
        history: Vec::new(),
        population: None,
        elapsed_before: 0.0,
    };
    if !path.exists() {
        folder::prepare(dir, setup.config.force)?;
        return Ok(fresh);
    }
    let log: Value = fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .with_context(|| {
            format!(
                "{} is damaged; choose another output folder",
                path.display()
            )
        })?;
    if log["fingerprint"] != json!(setup.fingerprint) {
        bail!(
            "{} holds another calibration (scenario, overrides, targets, parameters, population, alpha, replications, seed or final tolerance differ); choose another output folder",
            dir.display()
        );
    }
    remove_temporary(dir)?;
    let mut history: Vec<GenerationStats> = log["generations"]
        .as_array()
        .map(|a| a.iter().filter_map(stats_from_json).collect())
        .unwrap_or_default();
    history.truncate(setup.config.generations);
    while history
        .last()
        .is_some_and(|s| !generation_file(dir, s.generation).is_file())
    {
        history.pop();
    }
    let population = match history.last() {
        Some(s) => Some(read_population(
            &generation_file(dir, s.generation),
            &setup.parameters,
        )?),
        None => None,
    };
    Ok(Resumed {
        history,
        population,
        elapsed_before: log["elapsed_seconds"].as_f64().unwrap_or(0.0),
    })
}

/// Remove temporary files left by an interrupted calibration.
fn remove_temporary(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let ours = ["generation-", "posterior", "best-fit", "fit.csv", IDENTITY]
            .iter()
            .any(|s| name.starts_with(&format!(".{s}")));
        if ours && name.ends_with(".tmp") {
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// JSON number, or null when not finite.
fn json_number(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

fn stats_to_json(s: &GenerationStats) -> Value {
    json!({
        "generation": s.generation,
        "tolerance": json_number(s.tolerance),
        "reached_final_tolerance": s.reached_final_tolerance,
        "attempts": s.attempts,
        "acceptance_rate": s.acceptance_rate,
        "runs": s.runs,
        "ess": s.ess,
    })
}

fn stats_from_json(v: &Value) -> Option<GenerationStats> {
    Some(GenerationStats {
        generation: v["generation"].as_u64()? as usize,
        tolerance: v["tolerance"].as_f64().unwrap_or(f64::INFINITY),
        reached_final_tolerance: v["reached_final_tolerance"].as_bool()?,
        attempts: v["attempts"].as_u64()? as usize,
        acceptance_rate: v["acceptance_rate"].as_f64()?,
        runs: v["runs"].as_u64()?,
        ess: v["ess"].as_f64()?,
    })
}

/// Write `calibration.json` with the state so far and `extra` fields.
fn write_log(
    dir: &Path,
    setup: &Setup,
    history: &[GenerationStats],
    elapsed: f64,
    extra: Value,
) -> Result<()> {
    let mut log = json!({
        "tool": "caasim",
        "kind": "calibration",
        "method": "ABC-SMC (Toni et al. 2009; Beaumont et al. 2009): adaptive tolerance at the alpha-quantile of the previous distances, truncated Gaussian kernel with twice the weighted variance",
        "fingerprint": setup.fingerprint,
        "inputs": setup.inputs,
        "settings": {
            "generations": setup.config.generations,
            "max_attempts": setup.config.max_attempts(),
            "final_replications": setup.config.final_replications,
        },
        "generations": history.iter().map(stats_to_json).collect::<Vec<_>>(),
        "runs": history.iter().map(|s| s.runs).sum::<u64>(),
        "elapsed_seconds": elapsed,
    });
    if let (Some(log), Some(extra)) = (log.as_object_mut(), extra.as_object()) {
        log.extend(extra.clone());
    }
    write_atomic(&dir.join(IDENTITY), format!("{log:#}\n").as_bytes())
}

// ---------------------------------------------------------------------------
// The calibration
// ---------------------------------------------------------------------------

/// A problem with the inputs (scenario, overrides, targets, parameters or
/// settings), found before any run; other errors happen while running or
/// writing. Tell them apart with `error.is::<InputError>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.trim_end())
    }
}

impl std::error::Error for InputError {}

/// Weighted posterior summary of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSummary {
    /// Parameter path.
    pub parameter: String,
    /// Weighted mean.
    pub mean: f64,
    /// Weighted standard deviation.
    pub sd: f64,
    /// Weighted 5% quantile.
    pub q05: f64,
    /// Weighted median.
    pub q50: f64,
    /// Weighted 95% quantile.
    pub q95: f64,
}

/// One row of `fit.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FitRow {
    /// Target name.
    pub target: String,
    /// Target kind.
    pub kind: &'static str,
    /// Arm.
    pub arm: String,
    /// Metric or column.
    pub measure: &'static str,
    /// Day of a series component.
    pub day: Option<u32>,
    /// Observed value.
    pub observed: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// Mean over replications of the best fit.
    pub simulated: Option<f64>,
    /// 5% quantile over replications.
    pub low: Option<f64>,
    /// 95% quantile over replications.
    pub high: Option<f64>,
    /// Replications where the value is defined.
    pub n: usize,
}

/// What a calibration produced.
#[derive(Debug, Clone)]
pub struct CalibrationResult {
    /// Parameter paths.
    pub parameters: Vec<String>,
    /// Every complete generation (resumed ones included).
    pub generations: Vec<GenerationStats>,
    /// Generations loaded from checkpoints rather than run in this call.
    pub resumed_generations: usize,
    /// Why it stopped.
    pub stopped: String,
    /// The final population.
    pub posterior: Population,
    /// Weighted summaries, per parameter.
    pub summary: Vec<ParameterSummary>,
    /// Weighted posterior medians (the best fit), per parameter.
    pub best_fit: Vec<f64>,
    /// Distance of the best fit over the final replications.
    pub best_fit_distance: f64,
    /// Fit of each target at the best fit.
    pub fit: Vec<FitRow>,
    /// Engine runs in all generations and the final fit.
    pub runs: u64,
    /// Seconds spent, over all calls that built this folder.
    pub elapsed_seconds: f64,
}

/// Calibrate the scenario to the targets by ABC-SMC, writing checkpoints and
/// results into `out` (see the module documentation for the folder layout).
/// `progress(generation, accepted)` is called after each batch of proposals.
/// Resumes after the last complete generation of the same calibration.
pub fn calibrate(
    config: &CalibrationConfig,
    out: &Path,
    progress: &dyn Fn(usize, usize),
) -> Result<CalibrationResult> {
    let started = Instant::now();
    let setup = Setup::new(config).map_err(|e| InputError(format!("{e:#}")))?;
    let resumed = open_folder(out, &setup)?;
    let elapsed = |before: f64| before + started.elapsed().as_secs_f64();
    let (mut history, mut population) = (resumed.history, resumed.population);
    let resumed_generations = history.len();
    write_log(
        out,
        &setup,
        &history,
        elapsed(resumed.elapsed_before),
        json!({"status": "running"}),
    )?;
    let stopped = loop {
        if let Some(reason) = stop_reason(config, &history) {
            break reason;
        }
        let g = history.len();
        let tolerance = next_tolerance(config, population.as_ref());
        match run_generation(&setup, g, population.as_ref(), tolerance, progress)? {
            Outcome::Complete(next, stats) => {
                write_atomic(
                    &generation_file(out, g),
                    population_csv(&setup.parameters, &next)?.as_bytes(),
                )?;
                history.push(stats);
                population = Some(next);
                write_log(
                    out,
                    &setup,
                    &history,
                    elapsed(resumed.elapsed_before),
                    json!({"status": "running"}),
                )?;
            }
            Outcome::OutOfBudget { accepted, attempts } => {
                break format!(
                    "generation {g} accepted {accepted} of {} particles in {attempts} proposals (max_attempts); the last complete generation is the posterior",
                    config.population
                );
            }
        }
    };
    let posterior = population.context("generation 0 did not complete: no particle of the prior gave a finite distance within max_attempts proposals")?;
    let finish = finish(&setup, out, &posterior)?;
    let runs = history.iter().map(|s| s.runs).sum::<u64>() + finish.runs;
    let elapsed_seconds = elapsed(resumed.elapsed_before);
    write_log(
        out,
        &setup,
        &history,
        elapsed_seconds,
        finish.log(&setup, &stopped, runs),
    )?;
    Ok(CalibrationResult {
        parameters: setup
            .parameters
            .iter()
            .map(|p| p.range.parameter.clone())
            .collect(),
        generations: history,
        resumed_generations,
        stopped,
        posterior,
        summary: finish.summary,
        best_fit: finish.best_fit,
        best_fit_distance: finish.distance,
        fit: finish.fit,
        runs,
        elapsed_seconds,
    })
}

/// Why to stop before the next generation, if so.
fn stop_reason(config: &CalibrationConfig, history: &[GenerationStats]) -> Option<String> {
    if history.last().is_some_and(|s| s.reached_final_tolerance) {
        return Some("the final tolerance was reached".into());
    }
    (history.len() >= config.generations).then(|| format!("{} generations done", history.len()))
}

/// The final outputs.
struct Finish {
    summary: Vec<ParameterSummary>,
    best_fit: Vec<f64>,
    distance: f64,
    fit: Vec<FitRow>,
    runs: u64,
}

impl Finish {
    /// The fields `calibration.json` gets when complete.
    fn log(&self, setup: &Setup, stopped: &str, runs: u64) -> Value {
        let best: serde_json::Map<String, Value> = setup
            .parameters
            .iter()
            .zip(&self.best_fit)
            .map(|(p, &v)| (p.range.parameter.clone(), json!(v)))
            .collect();
        json!({
            "status": "complete",
            "stopped": stopped,
            "runs": runs,
            "final_runs": self.runs,
            "best_fit": best,
            "best_fit_distance": json_number(self.distance),
            "files": [IDENTITY, "posterior.csv", "posterior_summary.csv", "best-fit.toml", "fit.csv"],
        })
    }
}

/// Write the posterior, its summary, the best-fit scenario and the fit.
fn finish(setup: &Setup, out: &Path, posterior: &Population) -> Result<Finish> {
    write_atomic(
        &out.join("posterior.csv"),
        population_csv(&setup.parameters, posterior)?.as_bytes(),
    )?;
    let summary = summarise(setup, posterior);
    write_atomic(
        &out.join("posterior_summary.csv"),
        summary_csv(&summary)?.as_bytes(),
    )?;
    let best_fit: Vec<f64> = summary.iter().map(|s| s.q50).collect();
    write_atomic(
        &out.join("best-fit.toml"),
        best_fit_toml(setup, &summary)?.as_bytes(),
    )?;
    let model =
        setup.particle_model(&best_fit, setup.base.seed, setup.config.final_replications)?;
    let experiment =
        super::run(&model, &Hooks::default()).context("a run without a cancel flag ends")?;
    let distance = distance(
        &setup.targets,
        &simulated_means(&setup.targets, &experiment, &model),
    );
    let fit = fit_rows(&setup.targets, &experiment, &model);
    write_atomic(&out.join("fit.csv"), fit_csv(&fit)?.as_bytes())?;
    let runs = (model.arms.len() * model.replications as usize) as u64;
    Ok(Finish {
        summary,
        best_fit,
        distance,
        fit,
        runs,
    })
}

/// Weighted mean, sd and quantiles of each parameter.
fn summarise(setup: &Setup, posterior: &Population) -> Vec<ParameterSummary> {
    setup
        .parameters
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let values = posterior.column(k);
            let w = &posterior.weights;
            let (mean, var) = weighted_moments(&values, w);
            ParameterSummary {
                parameter: p.range.parameter.clone(),
                mean,
                sd: var.sqrt(),
                q05: weighted_quantile(&values, w, 0.05),
                q50: weighted_quantile(&values, w, 0.5),
                q95: weighted_quantile(&values, w, 0.95),
            }
        })
        .collect()
}

fn summary_csv(summary: &[ParameterSummary]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(SUMMARY_COLUMNS)?;
    for s in summary {
        writer.write_record([
            s.parameter.clone(),
            num(s.mean),
            num(s.sd),
            num(s.q05),
            num(s.q50),
            num(s.q95),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// Per target component: observed, sd, mean and 90% band over replications.
fn fit_rows(targets: &[Target], experiment: &Experiment, model: &Model) -> Vec<FitRow> {
    let mut rows = Vec::new();
    for target in targets {
        for ((day, observed), values) in target
            .observed()
            .into_iter()
            .zip(target.simulated(experiment, model))
        {
            let defined: Vec<f64> = values
                .iter()
                .flatten()
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            let band = |p: f64| (!defined.is_empty()).then(|| quantile(&defined, p));
            rows.push(FitRow {
                target: target.name.clone(),
                kind: target.kind_name(),
                arm: target.arm.clone(),
                measure: target.measure(),
                day,
                observed,
                sd: target.sd,
                simulated: mean_defined(&values),
                low: band(0.05),
                high: band(0.95),
                n: defined.len(),
            });
        }
    }
    rows
}

/// Columns of `fit.csv`.
pub const FIT_COLUMNS: [&str; 12] = [
    "target",
    "kind",
    "arm",
    "measure",
    "day",
    "observed",
    "sd",
    "simulated",
    "low",
    "high",
    "n",
    "z",
];

/// Columns of `posterior_summary.csv`.
pub const SUMMARY_COLUMNS: [&str; 6] = ["parameter", "mean", "sd", "q05", "q50", "q95"];

fn fit_csv(rows: &[FitRow]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(FIT_COLUMNS)?;
    for r in rows {
        let z = r.simulated.map(|s| (s - r.observed) / r.sd);
        let day = r.day.map(|d| d.to_string()).unwrap_or_default();
        writer.write_record([
            r.target.clone(),
            r.kind.to_string(),
            r.arm.clone(),
            r.measure.to_string(),
            day,
            num(r.observed),
            num(r.sd),
            opt(r.simulated),
            opt(r.low),
            opt(r.high),
            r.n.to_string(),
            opt(z),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The scenario text (overrides and medians applied, comments kept), checked to load.
fn best_fit_toml(setup: &Setup, summary: &[ParameterSummary]) -> Result<String> {
    let original: DocumentMut = setup
        .text
        .parse()
        .with_context(|| format!("{} is not TOML", setup.origin))?;
    let mut doc = original.clone();
    let values: Vec<String> = setup
        .parameters
        .iter()
        .zip(summary)
        .map(|(p, s)| p.assignment(s.q50))
        .collect();
    for assignment in setup.config.overrides.iter().chain(&values) {
        load::set(&mut doc, assignment).map_err(|e| anyhow::anyhow!("{assignment}: {e}"))?;
    }
    restore_decor(original.as_table(), doc.as_table_mut());
    let mut header = format!(
        "# Best fit of {} to {} by caasim's ABC-SMC calibration:\n# weighted posterior medians (90% interval):\n",
        setup.origin,
        setup.config.targets_file.display()
    );
    for (p, s) in setup.parameters.iter().zip(summary) {
        header.push_str(&format!(
            "#   {} = {} ({} to {})\n",
            p.range.parameter,
            p.text(s.q50),
            num(s.q05),
            num(s.q95)
        ));
    }
    let text = format!("{header}\n{doc}");
    scenario::load_text(&text, "best-fit.toml", &[])
        .map_err(|e| anyhow::anyhow!("the best fit is not a valid scenario: {e}"))?;
    Ok(text)
}

/// Give keys and values of `new` the comments and spacing they had in `old`
/// (`load::set` replaces a value with a bare one).
fn restore_decor(old: &dyn TableLike, new: &mut dyn TableLike) {
    let keys: Vec<String> = new.iter().map(|(k, _)| k.to_string()).collect();
    for key in keys {
        let (Some((old_key, old_item)), Some((mut new_key, new_item))) =
            (old.get_key_value(&key), new.get_key_value_mut(&key))
        else {
            continue;
        };
        *new_key.leaf_decor_mut() = old_key.leaf_decor().clone();
        restore_item(old_item, new_item);
    }
}

fn restore_item(old: &Item, new: &mut Item) {
    match (old, new) {
        (Item::Table(o), Item::Table(n)) => restore_decor(o, n),
        (Item::ArrayOfTables(o), Item::ArrayOfTables(n)) => {
            for (o, n) in o.iter().zip(n.iter_mut()) {
                restore_decor(o, n);
            }
        }
        (Item::Value(o), Item::Value(n)) => restore_value(o, n),
        _ => {}
    }
}

fn restore_value(old: &toml_edit::Value, new: &mut toml_edit::Value) {
    *new.decor_mut() = old.decor().clone();
    match (old, new) {
        (toml_edit::Value::InlineTable(o), toml_edit::Value::InlineTable(n)) => restore_decor(o, n),
        (toml_edit::Value::Array(o), toml_edit::Value::Array(n)) => {
            for (o, n) in o.iter().zip(n.iter_mut()) {
                restore_value(o, n);
            }
        }
        _ => {}
    }
}
