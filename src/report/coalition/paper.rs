//! `shapley.tex` and `shapley.md`: the partners' values for a paper, a
//! group per metric, a row per partner, the Shapley value, the value alone
//! and the value added last in columns, each with its 95% interval.

use super::data::{Coalition, Values};
use crate::report::format::{self, Unit, metric_name, metric_unit};
use crate::report::paper::{Cell, Column, Group, Table, write};
use crate::stats::Estimate;
use anyhow::Result;
use std::path::Path;

/// Writes `dir/shapley.tex` and `dir/shapley.md`.
pub fn write_values(dir: &Path, coalition: &Coalition) -> Result<()> {
    write(dir, "shapley", &table(coalition))
}

fn table(coalition: &Coalition) -> Table {
    let id = &coalition.identity;
    let columns = vec![
        Column::words("Partner"),
        Column::numbers("Shapley value", None),
        Column::numbers("Alone", None),
        Column::numbers("Added last", None),
    ];
    let groups = (id.metrics.iter().enumerate())
        .map(|(m, metric)| {
            let unit = metric_unit(metric);
            let title = match format::unit_name(unit) {
                Some(u) => format!("{} ({u})", metric_name(metric)),
                None => metric_name(metric),
            };
            Group {
                title: Some(title),
                rows: (coalition.values_of(m))
                    .map(|v| row(coalition, v, unit))
                    .collect(),
            }
        })
        .collect();
    Table {
        caption: caption(coalition),
        columns,
        groups,
    }
}

fn row(coalition: &Coalition, v: &Values, unit: Unit) -> Vec<Cell> {
    vec![
        Cell::text(coalition.identity.partners[v.partner].clone()),
        cell(&v.shapley, unit),
        cell(&v.alone, unit),
        cell(&v.added_last, unit),
    ]
}

/// The estimate, then its 95% interval in brackets when it has one.
fn cell(e: &Estimate, unit: Unit) -> Cell {
    let Some(mean) = e.mean else {
        return Cell::text("—");
    };
    let mut lines = vec![format::bare(mean, unit)];
    if let Some((lo, hi)) = e.ci_low.zip(e.ci_high) {
        lines.push(format!(
            "[{}, {}]",
            format::bare(lo, unit),
            format::bare(hi, unit)
        ));
    }
    Cell { lines }
}

fn caption(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let method = match (id.sampled(), id.permutations) {
        (true, Some(m)) => format!(
            "estimated from {m} random orders of the partners (Castro, Gómez and Tejada 2009), \
             the interval conditional on those orders"
        ),
        _ => format!("exact, over all {} subsets of the partners", id.subsets),
    };
    let over = match id.draws() {
        Some(draws) => format!(
            "the means of {draws} parameter draws ({} replications): it covers the noise and \
             the parameters' uncertainty",
            id.replications
        ),
        None => format!(
            "{} replications: it covers the noise between replications, the scenario's \
             parameters fixed",
            id.replications
        ),
    };
    format!(
        "The value of each partner of the coalition of arm {} in scenario {} ({}). \
         Shapley value: the partner's contribution to the arm's effect against the baseline, \
         averaged over every order in which the partners could join ({method}); alone: the \
         effect with only this partner acting less the effect with none; added last: the \
         effect with every partner less the effect without this one. Each is computed \
         replication by replication from paired effects; each cell is its mean with the 95% \
         Student-t interval in brackets over {over}; — marks a value not defined. Seed {}; {}.",
        id.arm,
        id.scenario_name,
        id.scenario_file,
        id.seed,
        format::program(id.version.as_deref(), id.model_version),
    )
}
