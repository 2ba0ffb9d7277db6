//! `jurisdictions.csv`: the market's capacity in each jurisdiction on each
//! recorded day of each arm, means over replications (MODEL.md 7.17),
//! written by a model that names more than one jurisdiction.

use std::path::Path;

use anyhow::Result;

use super::tables::write_csv;
use crate::engine::record::RunOutput;
use crate::model::Model;
use crate::table::{Column, Value};

/// One row: one jurisdiction on one day of one arm.
struct Row<'a> {
    arm: &'a str,
    day: usize,
    date: String,
    jurisdiction: &'a str,
    capacity_seats: f64,
    share: Option<f64>,
}

/// The columns, in order.
fn columns<'a>() -> [Column<Row<'a>>; 6] {
    [
        Column {
            name: "arm",
            value: |r| Value::Text(r.arm),
        },
        Column {
            name: "day",
            value: |r| Value::Count(r.day as u64),
        },
        Column {
            name: "date",
            value: |r| Value::Text(&r.date),
        },
        Column {
            name: "jurisdiction",
            value: |r| Value::Text(r.jurisdiction),
        },
        Column {
            name: "capacity_seats",
            value: |r| Value::Num(r.capacity_seats),
        },
        Column {
            name: "capacity_share",
            value: |r| Value::Opt(r.share),
        },
    ]
}

/// Sums over replications of the capacity in each jurisdiction, per arm
/// and recorded day.
pub struct JurisdictionSums {
    /// `sums[arm][day][jurisdiction]`.
    sums: Vec<Vec<Vec<f64>>>,
}

impl JurisdictionSums {
    /// Empty sums for `model`, or `None` when it names one jurisdiction
    /// (its capacity is `capacity_seats` of `timeseries.csv`).
    pub fn of(model: &Model) -> Option<Self> {
        let places = model.jurisdictions.len();
        (places > 1).then(|| JurisdictionSums {
            sums: vec![vec![vec![0.0; places]; model.days as usize]; model.arms.len()],
        })
    }

    /// Add one replication's run of `arm`.
    pub fn add(&mut self, arm: usize, run: &RunOutput) {
        for (sums, day) in self.sums[arm].iter_mut().zip(&run.jurisdiction_capacity) {
            for (sum, seats) in sums.iter_mut().zip(day) {
                *sum += seats;
            }
        }
    }

    /// Write `jurisdictions.csv` into `dir`: the means over `replications`.
    pub fn write(&self, dir: &Path, model: &Model, replications: u32) -> Result<()> {
        let replications = f64::from(replications.max(1));
        let names = &model.jurisdictions.names;
        let mut rows = Vec::new();
        for (plan, days) in model.arms.iter().zip(&self.sums) {
            for (day, sums) in days.iter().enumerate() {
                let date = (model.date_of(day as u32))
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                let total: f64 = sums.iter().sum();
                for (name, sum) in names.iter().zip(sums) {
                    rows.push(Row {
                        arm: &plan.name,
                        day,
                        date: date.clone(),
                        jurisdiction: name,
                        capacity_seats: sum / replications,
                        share: (total > 0.0).then(|| sum / total),
                    });
                }
            }
        }
        write_csv(&dir.join("jurisdictions.csv"), &columns(), &rows)
    }
}
