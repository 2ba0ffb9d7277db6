//! `points.tex` and `points.md`: the sweep's table of points for a paper,
//! a row per point and intervention arm, a headline metric a column.

use super::data::Sweep;
use super::{HEADLINE, MAX_ROWS, interval_text, replications};
use crate::report::format::{self, metric_unit};
use crate::report::paper::{Cell, Column, Group, Table, write};
use anyhow::Result;
use std::path::Path;

/// Writes `dir/points.tex` and `dir/points.md` for `sweep`.
pub fn write_points(dir: &Path, sweep: &Sweep) -> Result<()> {
    write(dir, "points", &table(sweep))
}

fn table(sweep: &Sweep) -> Table {
    let mut columns = vec![Column::words("Arm")];
    columns.extend((HEADLINE.iter()).map(|metric| Column::metric(metric, sweep.statistic(metric))));
    let groups = (0..sweep.points.min(MAX_ROWS))
        .map(|p| Group {
            title: Some(point_title(sweep, p)),
            rows: sweep.arms.iter().map(|arm| row(sweep, p, arm)).collect(),
        })
        .collect();
    Table {
        caption: caption(sweep),
        columns,
        groups,
    }
}

/// `Point 3: capacity_seized = 0.5, downtime_days = 30`: each parameter
/// by its path's last part (the caption gives the whole paths).
fn point_title(sweep: &Sweep, p: usize) -> String {
    let values: Vec<String> = (sweep.parameters.iter())
        .map(|parameter| {
            let short = parameter.path.rsplit('.').next().unwrap_or(&parameter.path);
            format!("{short} = {}", parameter.label(parameter.level(p)))
        })
        .collect();
    format!("Point {p}: {}", values.join(", "))
}

fn row(sweep: &Sweep, p: usize, arm: &str) -> Vec<Cell> {
    let mut cells = vec![Cell::text(arm)];
    cells.extend(HEADLINE.iter().map(|metric| {
        let unit = metric_unit(metric);
        let estimate = sweep.estimate(arm, metric, p);
        let Some(mean) = estimate.and_then(|e| e.mean) else {
            return Cell::text(match sweep.statistic(metric) {
                "median" => "not reached",
                _ => "not defined",
            });
        };
        let interval = match estimate.and_then(|e| e.interval) {
            Some((lo, hi)) => format!("[{}, {}]", format::bare(lo, unit), format::bare(hi, unit)),
            None => "[no interval]".into(),
        };
        Cell {
            lines: vec![format::bare(mean, unit), interval],
        }
    }));
    cells
}

fn caption(sweep: &Sweep) -> String {
    let id = &sweep.identity;
    let shown = match sweep.points > MAX_ROWS {
        true => format!(
            "the first {MAX_ROWS} of {} points (all in points.csv)",
            sweep.points
        ),
        false => format!("{} points", sweep.points),
    };
    let paths: Vec<&str> = sweep.parameters.iter().map(|p| p.path.as_str()).collect();
    format!(
        "Headline effects of each intervention arm against the baseline at each point of a \
         sweep of scenario {} over {} ({shown}; {} at each point and arm). Each cell: the \
         estimate and, in brackets, the {}. A median not reached: more than half the \
         replications had not recovered by the window's end. Seed {}; {}.",
        id.scenario_name.as_deref().unwrap_or("unknown"),
        paths.join(", "),
        replications(sweep),
        interval_text(sweep),
        id.seed.map_or("unknown".into(), |s| s.to_string()),
        format::program(id.version.as_deref(), id.model_version),
    )
}
