//! The report's sections on contrasts between arms (`caasim run
//! --contrast A:B`) and on runs that fork (a strike that arrests a
//! provider's operators in some replications and not in others).

use super::data::{Results, SummaryRow};
use super::format::{self, html, metric_name, metric_unit};
use crate::experiment::metrics::{HEADLINE, Unit};

/// The contrasts section: for each contrast, the paired difference and the
/// ratio of every headline metric but the censored one; empty without a
/// contrast.
pub fn section(results: &Results) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for row in &results.contrasts {
        if !pairs.contains(&(row.arm.as_str(), row.versus.as_str())) {
            pairs.push((&row.arm, &row.versus));
        }
    }
    if pairs.is_empty() {
        return String::new();
    }
    let tables: Vec<String> = pairs
        .iter()
        .map(|&(arm, versus)| contrast_table(results, arm, versus))
        .collect();
    format!(
        "<section id=\"contrasts\">\n<h2>Contrasts between arms</h2>\n<p>Each row compares two \
         intervention arms replication by replication (they share their random numbers{draws}): \
         the mean of the paired differences of the metric (first arm minus second, with a 95% \
         Student-t interval) and the ratio of the two arms' means (how large the first arm's \
         effect is as a share of the second's, with a 95% delta-method interval). {covers}</p>\n{}</section>\n",
        tables.concat(),
        draws = if results.is_ensemble() {
            " and their parameter draw"
        } else {
            ""
        },
        covers = covers(results),
    )
}

/// What a 95% interval of this folder covers.
pub fn covers(results: &Results) -> &'static str {
    if results.is_ensemble() {
        "The intervals run over the parameter draws' means: they say how precisely the \
         ensemble's mean is known, not how widely the effect varies with the assumptions."
    } else {
        "The intervals run over replications: they cover the noise between replications \
         only, with every parameter fixed at the scenario's values."
    }
}

/// One contrast's table: a row per headline metric (the censored
/// `days_to_recover` is compared through `recovered_share`).
fn contrast_table(results: &Results, arm: &str, versus: &str) -> String {
    let find = |metric: &str, statistic: &str| {
        results.contrasts.iter().find(|r| {
            r.arm == arm && r.versus == versus && r.metric == metric && r.statistic == statistic
        })
    };
    let metrics = HEADLINE
        .iter()
        .filter(|m| **m != "days_to_recover")
        .chain(["recovered_share"].iter());
    let body: Vec<String> = metrics
        .map(|metric| {
            format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                html(&metric_name(metric)),
                cell(
                    find(metric, "difference"),
                    &difference_format(metric_unit(metric))
                ),
                cell(find(metric, "ratio"), &|v| format::value(v, Unit::Plain)),
            )
        })
        .collect();
    format!(
        "<h3>{} against {}</h3>\n<div class=\"wide\"><table class=\"effects\">\n<thead><tr><th>Metric</th>\
         <th>Difference (first minus second)</th><th>Ratio (first over second)</th></tr></thead>\n<tbody>\n{}</tbody></table></div>\n",
        html(arm),
        html(versus),
        body.concat()
    )
}

/// How a difference of a metric in `unit` is shown: a difference of
/// percentages or of shares is in percentage points.
fn difference_format(unit: Unit) -> impl Fn(f64) -> String {
    move |v| match unit {
        Unit::Percent => format!("{} points", format::value(v, Unit::Plain)),
        Unit::Share => format!("{} points", format::value(100.0 * v, Unit::Plain)),
        _ => format::value(v, unit),
    }
}

/// An estimate with its interval and n, each shown by `show`.
fn cell(row: Option<&SummaryRow>, show: &dyn Fn(f64) -> String) -> String {
    let Some(row) = row else {
        return "—".into();
    };
    let n = row.n.map_or("?".into(), |n| n.to_string());
    let Some(estimate) = row.estimate else {
        return format!("{} <span class=\"n\">n = {n}</span>", undefined(row));
    };
    format!(
        "<span class=\"est\">{}</span> <span class=\"ci\">{}</span> <span class=\"n\">n = {n}; 95% interval: {}</span>",
        show(estimate),
        interval_text(row, show),
        html(&row.interval)
    )
}

/// Why a row has no estimate: a median not reached (more than half the
/// replications censored) or a metric not defined.
pub fn undefined(row: &SummaryRow) -> &'static str {
    match row.statistic.as_str() {
        "median" => "not reached in the window",
        _ => "not defined",
    }
}

/// What a row's 95% interval is of, as a cell names it: "95% interval of
/// the median", "… of the share (Wilson)" or "… of the mean".
pub fn interval_name(row: &SummaryRow) -> &'static str {
    match row.statistic.as_str() {
        "median" => "95% interval of the median",
        "share" => "95% interval of the share (Wilson)",
        _ => "95% interval of the mean",
    }
}

/// A row's 95% interval, `lo to hi`; a median's end beyond the window is
/// "not reached".
pub fn interval_text(row: &SummaryRow, show: &dyn Fn(f64) -> String) -> String {
    let end = |v: Option<f64>| v.map_or("not reached".to_string(), show);
    match (row.ci_low, row.ci_high, row.statistic.as_str()) {
        (Some(lo), Some(hi), _) => format!("{} to {}", show(lo), show(hi)),
        (lo, hi, "median") if lo.is_some() || row.estimate.is_some() => {
            format!("{} to {}", end(lo), end(hi))
        }
        _ => "no interval".into(),
    }
}

/// The forks section: for each arm whose replications fork on an arrest,
/// how many fall on each side and the headline effects on each side; empty
/// when no arm forks.
pub fn forks(results: &Results) -> String {
    let mut arms: Vec<&str> = results.forks.iter().map(|r| r.arm.as_str()).collect();
    arms.dedup();
    if arms.is_empty() {
        return String::new();
    }
    let tables: Vec<String> = arms.iter().map(|arm| fork_table(results, arm)).collect();
    format!(
        "<section id=\"forks\">\n<h2>Outcomes that fork</h2>\n<p>In these arms a strike \
         arrests the provider's operators (removing it for good) in some replications and not \
         in others, so the effects above mix two outcomes. Here they are apart: mean, median or \
         share as in the effects table, over the replications of each outcome. {}</p>\n{}</section>\n",
        covers(results),
        tables.concat()
    )
}

/// One forked arm: the count of each outcome and its headline effects.
fn fork_table(results: &Results, arm: &str) -> String {
    let find = |outcome: &str, metric: &str| {
        results
            .forks
            .iter()
            .find(|r| r.arm == arm && r.outcome == outcome && r.metric == metric)
    };
    let count = |outcome: &str| {
        find(outcome, "arrested_share")
            .and_then(|r| r.n)
            .map_or("?".into(), |n| n.to_string())
    };
    let metrics = HEADLINE.iter().chain(["recovered_share"].iter());
    let body: Vec<String> = metrics
        .map(|metric| {
            let unit = metric_unit(metric);
            let show = move |v| format::value(v, unit);
            format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                html(&metric_name(metric)),
                cell(find("arrested", metric), &show),
                cell(find("not-arrested", metric), &show),
            )
        })
        .collect();
    format!(
        "<h3>{}</h3>\n<div class=\"wide\"><table class=\"effects\">\n<thead><tr><th>Metric</th>\
         <th>Operators arrested ({} replications)</th><th>Not arrested ({} replications)</th></tr></thead>\n<tbody>\n{}</tbody></table></div>\n",
        html(arm),
        count("arrested"),
        count("not-arrested"),
        body.concat()
    )
}
