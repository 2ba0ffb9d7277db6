//! The daily series the room's charts draw, gathered as replications
//! finish: per arm and chart, each replication's daily values (smoothed
//! like the report's), from which the bands are made anew at each snapshot
//! (the mean over replications and the 95% interval of the daily mean).

use serde_json::{Value, json};

use crate::engine::record::{DayRecord, RunOutput};
use crate::report::stats::{Band, Daily, SMOOTHING_DAYS, trailing_mean};

/// A chart of the room: a name, its label and unit, and its daily value.
pub struct Chart {
    /// Name (the page's `data-chart`).
    pub name: &'static str,
    /// Title on the page.
    pub label: &'static str,
    /// Unit of the y axis.
    pub unit: &'static str,
    /// Whether the series is smoothed by the report's trailing mean.
    pub smoothed: bool,
    /// A day's value.
    pub value: fn(&DayRecord) -> Option<f64>,
}

/// The charts, in the order the page lays them out.
pub const CHARTS: [Chart; 4] = [
    Chart {
        name: "campaigns",
        label: "Campaign seat-days a day (7-day mean)",
        unit: "seat-days of campaigns per day",
        smoothed: true,
        value: |d| Some(d.campaigns as f64),
    },
    Chart {
        name: "compromises",
        label: "Accounts compromised a day (7-day mean)",
        unit: "compromises/day",
        smoothed: true,
        value: |d| Some(d.compromises as f64),
    },
    Chart {
        name: "losses",
        label: "Victims' losses a day (7-day mean)",
        unit: "US$/day",
        smoothed: true,
        value: |d| Some(d.losses_usd),
    },
    Chart {
        name: "price",
        label: "Mean price of a seat",
        unit: "US$ per seat per 30 days",
        smoothed: false,
        value: |d| d.mean_price,
    },
];

/// Every finished replication's daily values, per arm and chart.
pub struct Series {
    /// `values[arm][chart]`: one vector of daily values per replication.
    values: Vec<Vec<Vec<Vec<Option<f64>>>>>,
}

impl Series {
    /// Empty series for `arms` arms.
    pub fn new(arms: usize) -> Self {
        Series {
            values: vec![vec![Vec::new(); CHARTS.len()]; arms],
        }
    }

    /// Add one replication's runs (one per arm, in arm order).
    pub fn add(&mut self, runs: &[RunOutput]) {
        for (arm, run) in runs.iter().enumerate() {
            for (chart, spec) in CHARTS.iter().enumerate() {
                let daily: Vec<Option<f64>> = run.days.iter().map(spec.value).collect();
                let daily = if spec.smoothed {
                    trailing_mean(&daily, SMOOTHING_DAYS)
                } else {
                    daily
                };
                self.values[arm][chart].push(daily);
            }
        }
    }

    /// The bands of `arm` on `chart` over its `days` days.
    fn bands(&self, arm: usize, chart: usize, days: usize) -> Vec<Option<Band>> {
        let replications = &self.values[arm][chart];
        let mut daily = Daily::default();
        replications.iter().for_each(|r| daily.add(r));
        replications.iter().for_each(|r| daily.add_deviations(r));
        daily.bands(days)
    }

    /// The charts as the page draws them: per arm (named by `arm_names`,
    /// coloured by `colours`) the mean, low and high of each day.
    pub fn charts_json(&self, arm_names: &[String], colours: &[u8], days: usize) -> Value {
        let charts: Vec<Value> = CHARTS
            .iter()
            .enumerate()
            .map(|(chart, spec)| {
                let arms: Vec<Value> = arm_names
                    .iter()
                    .enumerate()
                    .map(|(arm, name)| {
                        let bands = self.bands(arm, chart, days);
                        let pick = |f: fn(&Band) -> f64| -> Vec<Value> {
                            bands.iter().map(|b| b.as_ref().map_or(Value::Null, |b| rounded(f(b)))).collect()
                        };
                        json!({"name": name, "colour": colours[arm], "mean": pick(|b| b.mean), "low": pick(|b| b.low), "high": pick(|b| b.high)})
                    })
                    .collect();
                json!({"name": spec.name, "label": spec.label, "unit": spec.unit, "arms": arms})
            })
            .collect();
        Value::Array(charts)
    }
}

/// A number to four significant digits (what a chart can show), or null.
pub fn rounded(x: f64) -> Value {
    if !x.is_finite() {
        return Value::Null;
    }
    if x == 0.0 {
        return json!(0.0);
    }
    let digits = 3 - x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits.clamp(-300, 300));
    json!((x * scale).round() / scale)
}
