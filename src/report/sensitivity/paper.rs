//! `indices.tex` and `indices.md`: the sensitivity indices for a paper, a
//! row per output and parameter (most influential first, as in the plots),
//! an index a column.

use super::chart::Chart;
use super::data::{Index, Method, Sensitivity, Stat};
use crate::report::format::{self, Unit, metric_name, metric_unit};
use crate::report::paper::{Cell, Column, Group, Table, write};
use anyhow::Result;
use std::path::Path;

/// Writes `dir/indices.tex` and `dir/indices.md`; `charts` give each
/// output's parameter order.
pub fn write_indices(dir: &Path, sensitivity: &Sensitivity, charts: &[Chart]) -> Result<()> {
    write(dir, "indices", &table(sensitivity, charts))
}

fn table(sensitivity: &Sensitivity, charts: &[Chart]) -> Table {
    let id = &sensitivity.identity;
    let mut columns = vec![Column::words("Parameter")];
    columns.extend((id.method.stats().iter()).map(|s| Column::numbers(s.symbol(), None)));
    if id.method == Method::Sobol {
        columns.push(Column::numbers("ST − S1", None));
    }
    let groups = (id.outputs.iter().zip(charts).enumerate())
        .map(|(o, (output, chart))| Group {
            title: Some(metric_name(output)),
            rows: (chart.order())
                .map(|path| {
                    let p = (id.parameters.iter().position(|q| q == path)).unwrap_or_default();
                    row(sensitivity, o, p, output)
                })
                .collect(),
        })
        .collect();
    Table {
        caption: caption(sensitivity),
        columns,
        groups,
    }
}

fn row(sensitivity: &Sensitivity, o: usize, p: usize, output: &str) -> Vec<Cell> {
    let method = sensitivity.identity.method;
    let unit = match method {
        Method::Sobol => Unit::Plain,
        Method::Morris => metric_unit(output),
    };
    let mut cells = vec![Cell::text(sensitivity.identity.parameters[p].clone())];
    cells.extend((method.stats().iter()).map(|s| cell(sensitivity.index(o, p, *s), unit, method)));
    if method == Method::Sobol {
        let [s1, st] = [Stat::S1, Stat::ST].map(|s| sensitivity.index(o, p, s).value);
        let interaction = Index {
            value: st.zip(s1).map(|(t, f)| t - f),
            interval: None,
        };
        cells.push(cell(interaction, unit, method));
    }
    cells
}

/// The index, then its 95% interval in brackets when it has one.
fn cell(index: Index, unit: Unit, method: Method) -> Cell {
    let Some(value) = index.value else {
        return Cell::text("—");
    };
    let show = |v: f64| match method {
        Method::Sobol => format::index(v),
        Method::Morris => format::value(v, unit),
    };
    let mut lines = vec![show(value)];
    if let Some((lo, hi)) = index.interval {
        lines.push(format!("[{}, {}]", show(lo), show(hi)));
    }
    Cell { lines }
}

fn caption(sensitivity: &Sensitivity) -> String {
    let id = &sensitivity.identity;
    let what = match id.method {
        Method::Sobol => {
            "Sobol indices: S1, the share of the output's variance due to the parameter \
             alone; ST, its share including interactions; ST − S1, the interactions' share \
             (estimates can fall below 0 or above 1 by sampling error with few base rows)"
        }
        Method::Morris => {
            "Morris screening: μ*, the mean absolute elementary effect of moving the \
             parameter across its range, in the output's unit; μ, the signed mean; σ, the \
             elementary effects' standard deviation"
        }
    };
    let number = |v: Option<u64>| v.map_or("unknown".into(), |v| v.to_string());
    format!(
        "Sensitivity of the effects of arm {} in scenario {}. {what}. In brackets, 95% \
         bootstrap intervals over {} {} (how precisely the design pins each index down); \
         — marks an index that is not defined. {} points, {} replications per arm and point. \
         Seed {}; {}.",
        id.arm,
        sensitivity
            .sweep
            .scenario_name
            .as_deref()
            .unwrap_or("unknown"),
        number(id.bootstrap),
        match id.bootstrap {
            Some(1) => "resample",
            _ => "resamples",
        },
        number(sensitivity.points()),
        number(sensitivity.replications()),
        number(id.seed),
        format::program(
            sensitivity.sweep.version.as_deref(),
            sensitivity.sweep.model_version
        ),
    )
}
