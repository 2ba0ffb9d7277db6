//! Targets files: the `[[targets]]` format as written (serde), reading it and
//! resolving it against a model (arms, days, columns, series files), its
//! errors located as `file:line:column` and key, what each target observes,
//! and the fingerprint of the file with its series files.

use std::fs;
use std::ops::Range as Span;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;
use toml::Spanned;

use super::bound::Bound;
use super::role::Role;
use crate::engine::record::{OUTPUT_COLUMNS, timeseries_header};
use crate::experiment::design::fnv1a;
use crate::experiment::metrics;
use crate::model::Model;
use crate::model::params::When;
use crate::scenario::error::{Place, Problem};

/// Columns of `timeseries.csv` before the daily values (`arm,replication,day,date`).
pub(super) const KEY_COLUMNS: usize = 4;

/// One target resolved against a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Label (`name`, or `<kind>-<index>`, with `-<provider>` or `-<class>`
    /// for a target of some providers' output).
    pub name: String,
    /// Arm name.
    pub arm: String,
    /// The arm a `summary` or `recovery` target compares `arm` with: the
    /// baseline (the first arm) unless the file names another (`versus`),
    /// e.g. a two-wave arm against the first wave alone.
    pub versus: String,
    /// What is compared.
    pub kind: TargetKind,
    /// Standard deviation of the observation (stated uncertainty).
    pub sd: f64,
    /// Whether the observation is a value or a bound on it.
    pub bound: Bound,
    /// Whether calibration fits it or only a validation checks it.
    pub role: Role,
    /// Whose output a `level` or `series` target reads.
    pub attribution: Attribution,
}

/// Whose output a target reads: the whole market's, or that of the
/// customers of some providers (each campaign and compromise is attributed
/// to the provider whose seats produced it).
#[derive(Debug, Clone, PartialEq)]
pub enum Attribution {
    /// The whole market: the `timeseries.csv` column.
    Market,
    /// The scenario's providers of a name (`provider` is a provider's name,
    /// or the name of a `[[providers]]` entry for all its copies), and the
    /// brands their operators rebrand to.
    Providers {
        /// The name given.
        name: String,
        /// Their provider indices.
        indices: Vec<usize>,
    },
    /// Every provider of a class, entrants included.
    Class(String),
}

impl Attribution {
    /// Whether a provider run by the operator of provider `j` (its first
    /// brand's index), of class `class`, is one of those read.
    pub fn covers(&self, j: usize, class: &str) -> bool {
        match self {
            Attribution::Market => true,
            Attribution::Providers { indices, .. } => indices.contains(&j),
            Attribution::Class(c) => c == class,
        }
    }
}

/// What a target compares, with its observed value(s). Days are recorded days.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetKind {
    /// An effect metric over a window.
    Summary {
        /// Index in [`metrics::METRICS`].
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
    /// Days to recover to 90% of the compared arm's campaigns, from the
    /// start of the arm's window or from one of its interventions.
    Recovery {
        /// Recorded day the count starts.
        start: u32,
        /// Observed days.
        days: f64,
    },
    /// The share of the market's total of a column over days that the
    /// target's providers or class hold (a fraction, 0 to 1).
    Share {
        /// Index in [`timeseries_header`] (`campaigns` or `compromises`).
        column: usize,
        /// First day.
        from_day: u32,
        /// Last day (inclusive).
        to_day: u32,
        /// Observed share.
        value: f64,
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
    provider: Option<Spanned<String>>,
    class: Option<Spanned<String>>,
    versus: Option<Spanned<String>>,
    bound: Option<Spanned<String>>,
    from_intervention: Option<Spanned<usize>>,
    role: Option<Spanned<String>>,
}

/// Kinds: name, required fields, optional fields (besides `kind`, `name`,
/// `arm`, `sd`, `bound` and `role`).
const KINDS: [(&str, &[&str], &[&str]); 5] = [
    (
        "summary",
        &["metric", "value"],
        &["window_start", "window_end", "versus"],
    ),
    (
        "level",
        &["column", "from_day", "to_day", "value"],
        &["provider", "class"],
    ),
    ("recovery", &["days"], &["versus", "from_intervention"]),
    (
        "share",
        &["column", "from_day", "to_day", "value"],
        &["provider", "class"],
    ),
    ("series", &["column", "file"], &["provider", "class"]),
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
            ("provider", self.provider.as_ref().map(Spanned::span)),
            ("class", self.class.as_ref().map(Spanned::span)),
            ("versus", self.versus.as_ref().map(Spanned::span)),
            (
                "from_intervention",
                (self.from_intervention.as_ref()).map(Spanned::span),
            ),
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
    if let Some(lhs) = before.strip_suffix('=')
        && let Some(key) = lhs.split_whitespace().last()
    {
        return key.to_string();
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
            let fields = [&["arm", "sd", "bound", "role"][..], required, optional]
                .concat()
                .join(", ");
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
    let attribution = resolve_attribution(check, i, raw, model);
    let versus = resolve_versus(check, i, raw, model);
    let bound = resolve_choice(
        check,
        i,
        "bound",
        raw.bound.as_ref(),
        Bound::parse,
        &Bound::ALLOWED,
    );
    let role = resolve_choice(
        check,
        i,
        "role",
        raw.role.as_ref(),
        Role::parse,
        &Role::ALLOWED,
    );
    if raw.kind.get_ref() == "share" && raw.provider.is_none() && raw.class.is_none() {
        let message = "is missing; kind `share` needs one of `provider` or `class` (whose share)";
        check.fail(raw.kind.span(), i, "provider", message);
    }
    if check.problems.len() > before {
        return None;
    }
    let (arm, kind, attribution) = (arm?, kind?, attribution?);
    let (versus, bound, role) = (versus?, bound?, role?);
    let whose = match &attribution {
        Attribution::Market => String::new(),
        Attribution::Providers { name, .. } => format!("-{name}"),
        Attribution::Class(class) => format!("-{class}"),
    };
    Some(Target {
        name: (raw.name.clone()).unwrap_or_else(|| format!("{}-{i}{whose}", raw.kind.get_ref())),
        arm: arm.name.clone(),
        versus: versus.to_string(),
        kind,
        sd: *raw.sd.get_ref(),
        bound,
        role,
        attribution,
    })
}

/// The arm a target compares its arm with: `versus`, an arm other than
/// its own, or the baseline.
fn resolve_versus<'m>(
    check: &mut Checker,
    i: usize,
    raw: &RawTarget,
    model: &'m Model,
) -> Option<&'m str> {
    let Some(versus) = &raw.versus else {
        return Some(&model.arms[0].name);
    };
    let name = versus.get_ref();
    let known: Vec<&str> = (model.arms.iter().map(|a| a.name.as_str()))
        .filter(|a| a != raw.arm.get_ref())
        .collect();
    match known.iter().find(|a| *a == name) {
        Some(found) => Some(found),
        None => {
            let message = format!(
                "is {name:?}; allowed: an arm other than the target's own, {}",
                known.join(", ")
            );
            check.fail(versus.span(), i, "versus", message);
            None
        }
    }
}

/// A field with a few allowed words (`bound`, `role`): its default when
/// absent.
fn resolve_choice<T: Default>(
    check: &mut Checker,
    i: usize,
    field: &str,
    written: Option<&Spanned<String>>,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Option<T> {
    let Some(written) = written else {
        return Some(T::default());
    };
    let parsed = parse(written.get_ref());
    if parsed.is_none() {
        let message = format!(
            "is {:?}; allowed: {}",
            written.get_ref(),
            allowed.join(", ")
        );
        check.fail(written.span(), i, field, message);
    }
    parsed
}

/// Whose output the target reads (`provider` or `class`, else the market);
/// a provider or class must be read on a column attributed to providers.
fn resolve_attribution(
    check: &mut Checker,
    i: usize,
    raw: &RawTarget,
    model: &Model,
) -> Option<Attribution> {
    let attribution = match (&raw.provider, &raw.class) {
        (None, None) => return Some(Attribution::Market),
        (Some(_), Some(class)) => {
            let message = "is given with `provider`; allowed: one of `provider` or `class`";
            check.fail(class.span(), i, "class", message);
            return None;
        }
        (Some(provider), None) => resolve_provider(check, i, provider, model)?,
        (None, Some(class)) => resolve_class(check, i, class, model)?,
    };
    let column = raw.column.as_ref()?;
    if !OUTPUT_COLUMNS.iter().any(|c| c.name == column.get_ref()) {
        let allowed: Vec<&str> = OUTPUT_COLUMNS.iter().map(|c| c.name).collect();
        let message = format!(
            "is {:?}, which is not attributed to providers; allowed with `provider` or `class`: {}",
            column.get_ref(),
            allowed.join(", ")
        );
        check.fail(column.span(), i, "column", message);
        return None;
    }
    Some(attribution)
}

/// The scenario's providers named `provider` (a provider, or a
/// `[[providers]]` entry and all its copies).
fn resolve_provider(
    check: &mut Checker,
    i: usize,
    provider: &Spanned<String>,
    model: &Model,
) -> Option<Attribution> {
    let name = provider.get_ref();
    let indices: Vec<usize> = (model.providers.iter().enumerate())
        .filter(|(_, p)| &p.name == name || &p.group == name)
        .map(|(j, _)| j)
        .collect();
    if indices.is_empty() {
        let mut known: Vec<&str> = Vec::new();
        for p in &model.providers {
            for n in [p.group.as_str(), p.name.as_str()] {
                if !known.contains(&n) {
                    known.push(n);
                }
            }
        }
        let message = format!(
            "is {name:?}, which names no provider of the scenario; allowed: {}",
            known.join(", ")
        );
        check.fail(provider.span(), i, "provider", message);
        return None;
    }
    Some(Attribution::Providers {
        name: name.clone(),
        indices,
    })
}

/// The providers of class `class`, entrants included.
fn resolve_class(
    check: &mut Checker,
    i: usize,
    class: &Spanned<String>,
    model: &Model,
) -> Option<Attribution> {
    let mut known: Vec<&str> = Vec::new();
    let classes =
        (model.providers.iter().map(|p| &p.economics.class)).chain([&model.entry.template.class]);
    for c in classes {
        if !known.contains(&c.as_str()) {
            known.push(c);
        }
    }
    if !known.contains(&class.get_ref().as_str()) {
        let message = format!(
            "is {:?}, which is the class of no provider of the scenario; allowed: {}",
            class.get_ref(),
            known.join(", ")
        );
        check.fail(class.span(), i, "class", message);
        return None;
    }
    Some(Attribution::Class(class.get_ref().clone()))
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
            let (column, from_day, to_day) = column_over_days(check, i, raw, model)?;
            Some(TargetKind::Level {
                column,
                from_day,
                to_day,
                value: value(),
            })
        }
        "share" => {
            let (column, from_day, to_day) = column_over_days(check, i, raw, model)?;
            let name = timeseries_header()[column];
            if !SHARE_COLUMNS.contains(&name) {
                let message = format!(
                    "is {name:?}; allowed for kind `share`: {}",
                    SHARE_COLUMNS.join(", ")
                );
                check.fail(raw.column.as_ref()?.span(), i, "column", message);
            }
            let share = raw.value.as_ref()?;
            if !(0.0..=1.0).contains(share.get_ref()) {
                let message = format!("is {}; allowed: a share from 0 to 1", share.get_ref());
                check.fail(share.span(), i, "value", message);
            }
            Some(TargetKind::Share {
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
            let start = recovery_start(check, i, raw, model, arm?)?;
            Some(TargetKind::Recovery {
                start,
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

/// Columns a `share` target can read.
const SHARE_COLUMNS: [&str; 2] = ["campaigns", "compromises"];

/// The column and days of a `level` or `share` target, checked.
fn column_over_days(
    check: &mut Checker,
    i: usize,
    raw: &RawTarget,
    model: &Model,
) -> Option<(usize, u32, u32)> {
    let column = resolve_column(check, i, raw.column.as_ref()?);
    let from_day = day_of(check, i, "from_day", raw.from_day.as_ref()?, model);
    let to_day = day_of(check, i, "to_day", raw.to_day.as_ref()?, model);
    let (column, from_day, to_day) = (column?, from_day?, to_day?);
    let span = raw.to_day.as_ref()?.span();
    ordered(check, i, ("to_day", span), from_day, to_day)?;
    Some((column, from_day, to_day))
}

/// The recorded day a recovery is counted from: the arm's window start,
/// or the day of its intervention `from_intervention` (from 0, in the
/// arm's order).
fn recovery_start(
    check: &mut Checker,
    i: usize,
    raw: &RawTarget,
    model: &Model,
    arm: &crate::model::config::ArmPlan,
) -> Option<u32> {
    let Some(k) = &raw.from_intervention else {
        return Some(arm.window_start);
    };
    match arm.actions.get(*k.get_ref()) {
        Some(action) => Some(action.day.saturating_sub(model.burn_in_days)),
        None => {
            let message = format!(
                "is {}; allowed: the index of one of arm {:?}'s {} interventions, from 0",
                k.get_ref(),
                arm.name,
                arm.actions.len()
            );
            check.fail(k.span(), i, "from_intervention", message);
            None
        }
    }
}

/// Index of an effect metric.
fn resolve_metric(check: &mut Checker, i: usize, metric: &Spanned<String>) -> Option<usize> {
    let found = metrics::names().position(|m| m == metric.get_ref());
    if found.is_none() {
        let message = format!(
            "is {:?}; allowed: {}",
            metric.get_ref(),
            metrics::names().collect::<Vec<_>>().join(", ")
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

impl Target {
    /// The kind as written in targets files.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            TargetKind::Summary { .. } => "summary",
            TargetKind::Level { .. } => "level",
            TargetKind::Recovery { .. } => "recovery",
            TargetKind::Share { .. } => "share",
            TargetKind::Series { .. } => "series",
        }
    }

    /// The arm a `summary` or `recovery` target compares its arm with;
    /// `None` for a `level` or `series` target, which reads one arm.
    pub fn compared_with(&self) -> Option<&str> {
        match self.kind {
            TargetKind::Summary { .. } | TargetKind::Recovery { .. } => Some(&self.versus),
            TargetKind::Level { .. } | TargetKind::Series { .. } | TargetKind::Share { .. } => None,
        }
    }

    /// The arm a `summary` or `recovery` target compares with when it is
    /// not `model`'s baseline (`versus` in the targets file); else empty,
    /// as `fit.csv` and `validation.csv` write it.
    pub fn versus_shown(&self, model: &Model) -> String {
        (self.compared_with())
            .filter(|v| *v != model.arms[0].name)
            .unwrap_or_default()
            .to_string()
    }

    /// What is measured: the metric, the column, or `days_to_recover`.
    pub fn measure(&self) -> &'static str {
        match &self.kind {
            TargetKind::Summary { metric, .. } => metrics::METRICS[*metric].name,
            TargetKind::Level { column, .. } | TargetKind::Series { column, .. } => {
                timeseries_header()[*column]
            }
            TargetKind::Recovery { .. } => "days_to_recover",
            TargetKind::Share { column, .. } => match timeseries_header()[*column] {
                "compromises" => "compromises_share",
                _ => "campaigns_share",
            },
        }
    }

    /// `(day, observed)` of each component: one, or one per day of a series
    /// (`None` for targets that are not about one day).
    pub fn observed(&self) -> Vec<(Option<u32>, f64)> {
        match &self.kind {
            TargetKind::Summary { value, .. }
            | TargetKind::Level { value, .. }
            | TargetKind::Share { value, .. } => vec![(None, *value)],
            TargetKind::Recovery { days, .. } => vec![(None, *days)],
            TargetKind::Series { points, .. } => {
                points.iter().map(|&(d, v)| (Some(d), v)).collect()
            }
        }
    }
}

/// FNV-1a of the targets file and every series file it reads.
pub(super) fn targets_fingerprint(path: &Path) -> Result<String> {
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
