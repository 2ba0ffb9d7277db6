//! `effects.tex` and `effects.md`: the headline effects of a results folder,
//! an arm a row, a headline metric a column.

use super::{Cell, Column, Group, Table, write};
use crate::experiment::metrics::HEADLINE;
use crate::report::coverage;
use crate::report::data::{Results, SummaryRow};
use crate::report::format::{self, metric_unit};
use crate::report::uncertainty::draws_text;
use anyhow::Result;
use std::path::Path;

/// Writes `dir/effects.tex` and `dir/effects.md` for `results`.
pub fn write_effects(dir: &Path, results: &Results) -> Result<()> {
    write(dir, "effects", &table(results))
}

/// The arms with effects, in the report's order (the baseline has none).
fn arms(results: &Results) -> Vec<&str> {
    (results.arms.iter())
        .map(String::as_str)
        .filter(|a| results.summary.iter().any(|r| r.arm == *a))
        .collect()
}

fn table(results: &Results) -> Table {
    let mut columns = vec![Column::words("Arm")];
    columns.extend(HEADLINE.iter().map(|metric| column(results, metric)));
    let rows = (arms(results).into_iter())
        .map(|arm| {
            let mut row = vec![Cell::text(arm)];
            row.extend(
                HEADLINE
                    .iter()
                    .map(|metric| cell(results.summary_row(arm, metric), results.is_ensemble())),
            );
            row
        })
        .collect();
    Table {
        caption: caption(results),
        columns,
        groups: vec![Group::all(rows)],
    }
}

/// A metric's column, with the statistic of its rows (days to recover is a
/// median).
fn column(results: &Results, metric: &str) -> Column {
    let statistic = (results.summary.iter())
        .find(|r| r.metric == metric)
        .map_or("mean", |r| r.statistic.as_str());
    Column::metric(metric, statistic)
}

/// The estimate, then its 95% interval in brackets, then (in an ensemble,
/// when it has one) the 90% interval across the ensemble in braces.
fn cell(row: Option<&SummaryRow>, ensemble: bool) -> Cell {
    let Some(row) = row else {
        return Cell::text("—");
    };
    let unit = metric_unit(&row.metric);
    let median = row.statistic == "median";
    let show = |v: Option<f64>| match (v, median) {
        (Some(v), _) => format::bare(v, unit),
        (None, true) => "not reached".into(),
        (None, false) => "not defined".into(),
    };
    let Some(estimate) = row.estimate else {
        return Cell::text(show(None));
    };
    let mut lines = vec![show(Some(estimate))];
    if row.ci_low.is_some() || row.ci_high.is_some() || median {
        lines.push(format!("[{}, {}]", show(row.ci_low), show(row.ci_high)));
    }
    if let (true, Some((lo, hi))) = (ensemble, row.ensemble_p05.zip(row.ensemble_p95)) {
        lines.push(format!(
            "{{{}, {}}}",
            format::bare(lo, unit),
            format::bare(hi, unit)
        ));
    }
    Cell { lines }
}

/// What the table shows, how its cells are made, and what made it.
fn caption(results: &Results) -> String {
    let m = &results.manifest;
    let scenario = match &m.scenario_file {
        Some(file) => format!("scenario {} ({file})", m.scenario_name),
        None => format!("scenario {}", m.scenario_name),
    };
    let median = "Days to recover: the Kaplan-Meier median over the replications, those not \
         recovered by the window's end counted as censored (not reached: more than half had not \
         recovered), with a bootstrap 95% interval in brackets";
    let cells = match results.is_ensemble() {
        false => format!(
            "Each cell: the mean of the arm's effect against the baseline of the same \
             replication over the replications in which the metric is defined (of {}), with its \
             95% Student-t interval in brackets. {median}. The intervals cover the noise between \
             replications only, the scenario's parameters fixed.",
            coverage::replications_text(results)
        ),
        true => format!(
            "Each cell: the mean of the arm's effect against the baseline of the same \
             replication over {} parameter draws ({}; per metric, those in which it is \
             defined); in brackets the 95% interval of that mean over the draws; in braces the \
             90% interval across the ensemble (5% to 95% of the draws' means), which covers the \
             parameters' uncertainty and noise. {median}, resampling the draws, and no interval \
             across the ensemble.",
            draws_text(results),
            coverage::replications_text(results)
        ),
    };
    format!(
        "Headline effects of the interventions in {scenario}, against the arm {}. {cells} \
         Seed {}; {}.",
        results.baseline,
        m.seed.map_or("unknown".into(), |s| s.to_string()),
        format::program(m.version.as_deref(), m.model_version),
    )
}
