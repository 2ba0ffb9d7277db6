//! Days of a run: a day given in a scenario as a number or a date,
//! resolved to a recorded day and checked to lie inside the run.

use chrono::NaiveDate;

use super::params::When;
use crate::check::{Checks, Seg};

/// A date `YYYY-MM-DD` from 1900 to 2200.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (1900..=2200)
        .contains(&chrono::Datelike::year(&date))
        .then_some(date)
}

/// A `When` as a recorded day, checked against the run.
pub fn resolve_when(
    check: &mut dyn Checks,
    path: &[Seg],
    when: &When,
    start: Option<NaiveDate>,
    days: u32,
) -> u32 {
    let day = match when {
        When::Day(d) => i64::from(*d),
        When::Date(text) => {
            let Some(date) = parse_date(text) else {
                check.fail(
                    path,
                    format!("is {text:?}; allowed: a day number or a date YYYY-MM-DD from 1900-01-01 to 2200-12-31"),
                );
                return 0;
            };
            let Some(start) = start else {
                check.fail(
                    path,
                    "is a date but scenario.start_date is not set; allowed: a day number, or set scenario.start_date".into(),
                );
                return 0;
            };
            (date - start).num_days()
        }
    };
    if days == 0 {
        // `scenario.days` is reported; every day would be outside the run.
        return 0;
    }
    if day < 0 || day >= i64::from(days) {
        let first = start.map(|d| format!(" ({d})")).unwrap_or_default();
        let last = start
            .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(days.saturating_sub(1)))))
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let when = if day < 0 {
            "before the start"
        } else {
            "after the end"
        };
        check.fail(
            path,
            format!(
                "is day {day}, {when} of the run; allowed: day 0{first} to day {}{last}",
                days.saturating_sub(1)
            ),
        );
        return 0;
    }
    day as u32
}
