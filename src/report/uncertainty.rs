//! What an ensemble adds to the report page: both intervals in the effects
//! table, the section "What to measure next" (per headline effect a tornado
//! plot, a sentence naming what would narrow its spread, and where the
//! spread comes from), and the manifest's parameters block.

use super::Plot;
use super::coverage;
use super::data::{Parameters, Results, SummaryRow, VoiRow};
use super::effects::HEADLINE;
use super::format::{self, file_part, html, metric_name, metric_unit};
use super::html::figure;
use super::tornado::{SIGNIFICANCE, is_driver, top_rows};
use serde_json::Value;

/// Most drivers a sentence names.
const NAMED: usize = 3;

/// The headline effects: each intervention arm's [`HEADLINE`] metrics
/// that `summary.csv` holds, arm by arm.
pub fn headline_effects(results: &Results) -> Vec<(&str, &'static str)> {
    let arms = results.intervention_arms();
    let pairs = arms
        .into_iter()
        .flat_map(|arm| HEADLINE.iter().map(move |metric| (arm, *metric)));
    pairs
        .filter(|(arm, metric)| results.summary_row(arm, metric).is_some())
        .collect()
}

/// The file name (without extension) of an effect's tornado plot.
pub fn plot_name(arm: &str, metric: &str) -> String {
    format!("voi-{}-{}", file_part(arm), file_part(metric))
}

/// An effect in words: its metric's name and the arm.
pub fn effect_name(arm: &str, metric: &str) -> String {
    format!("{} ({arm})", metric_name(metric))
}

/// The number of draws, from the manifest or else the summary.
pub fn draws_text(results: &Results) -> String {
    let from_manifest = (results.manifest.parameters.as_ref()).and_then(|p| p.draws);
    let from_summary = results.summary.iter().filter_map(|r| r.draws).max();
    from_manifest
        .or(from_summary)
        .map_or("?".into(), |d| d.to_string())
}

/// What the cells of the effects table show in an ensemble.
pub fn effects_intro(results: &Results) -> String {
    format!(
        "Each cell compares an arm with the baseline of the same replication over the \
         arm's evaluation window: the mean (of the draws' means), then two intervals. The \
         <strong>{}</strong> (Student-t over the draws' means) says how well the runs pin \
         down the average effect; it shrinks with more draws. The <strong>{}</strong> (5% \
         to 95% of the draws' means) is the range of effects the uncertain parameters allow, \
         with the noise of each draw's mean: read this one to decide. <em>parameter \
         share</em> is the share of the variance of one replication's effect due to the \
         parameters rather than simulation noise; n counts the replications in which the \
         metric is defined. Baseline: {}. Click a column heading to sort.",
        coverage::of_mean(results),
        coverage::ACROSS_ENSEMBLE,
        html(&results.baseline)
    )
}

/// An ensemble's cell of the effects table (its metric is defined).
pub fn effect_cell(row: &SummaryRow, mean: f64) -> String {
    let unit = metric_unit(&row.metric);
    let range = |ends: Option<(f64, f64)>| match ends {
        Some((lo, hi)) => format!("{} to {}", format::value(lo, unit), format::value(hi, unit)),
        None => "none".into(),
    };
    let ci = super::contrasts::interval_text(row, &|v| format::value(v, unit));
    let what = super::contrasts::interval_name(row);
    let spread = range(row.ensemble_p05.zip(row.ensemble_p95));
    let share =
        share_parameter(row).map_or("not estimable".into(), |s| format!("{:.0}%", s * 100.0));
    let count = |v: Option<u64>| v.map_or("?".into(), |v| v.to_string());
    format!(
        "<td class=\"num\" data-sort=\"{mean}\"><span class=\"est\">{}</span>\
         <span class=\"ci\">{what} over draws: {ci}</span>\
         <span class=\"ci\">90% across the ensemble: {spread}</span>\
         <span class=\"n\">parameter share: {share}</span>\
         <span class=\"n\">n = {}, {} draws</span></td>",
        format::value(mean, unit),
        count(row.n),
        count(row.draws),
    )
}

/// `var_parameter / (var_parameter + var_noise)`, when both are estimated
/// and not both zero.
fn share_parameter(row: &SummaryRow) -> Option<f64> {
    let (parameter, noise) = row.var_parameter.zip(row.var_noise)?;
    let total = parameter + noise;
    (total > 0.0).then(|| parameter / total)
}

/// The section "What to measure next": per headline effect, its tornado
/// plot, what would narrow its 90% interval, and where its spread comes from.
pub fn section(results: &Results, tornadoes: &[Plot]) -> String {
    let mut out = format!(
        "<section id=\"next\">\n<h2>What to measure next</h2>\n<p>For each headline \
         effect, the uncertain parameters ranked by how much knowing one exactly would narrow \
         the effect's 90% interval across the ensemble: 1 − √(1 − S), where the first-order \
         index S is the share of the effect's variance across the {} draws that the \
         parameter explains (estimated from the draws by binning). Only parameters whose \
         index passes an F test of \"no effect\" (p &lt; {SIGNIFICANCE}) are named; with many \
         parameters, about one in twenty without effect passes by chance, so a ranking is \
         settled only when more draws keep it.</p>\n",
        draws_text(results)
    );
    for ((arm, metric), plot) in headline_effects(results).into_iter().zip(tornadoes) {
        out.push_str(&format!(
            "<h3>{}</h3>\n<p>{}</p>\n<p>{}</p>\n{}",
            html(&effect_name(arm, metric)),
            sentence(results, arm, metric),
            spread_line(results, arm, metric),
            figure(plot)
        ));
    }
    out.push_str("</section>\n");
    out
}

/// One sentence: the effect's 90% interval across the ensemble and the
/// parameters (with p < [`SIGNIFICANCE`]) whose exact value would narrow
/// it most, or that the draws cannot tell them apart.
pub fn sentence(results: &Results, arm: &str, metric: &str) -> String {
    let row = results.summary_row(arm, metric);
    let unit = metric_unit(metric);
    let interval = match row.and_then(|r| r.ensemble_p05.zip(r.ensemble_p95)) {
        Some((lo, hi)) => format!(
            "the 90% interval across the ensemble (parameter uncertainty and noise) runs \
             from {} to {}",
            format::value(lo, unit),
            format::value(hi, unit)
        ),
        None => "the 90% interval across the ensemble is not defined".into(),
    };
    let estimated = top_rows(&results.voi_of(arm, metric));
    let drivers: Vec<&VoiRow> = (estimated.iter().copied())
        .filter(|r| is_driver(r))
        .take(NAMED)
        .collect();
    let knowing = match estimated.is_empty() {
        true => {
            "the draws give no first-order index for it, so nothing says what to measure".into()
        }
        false => drivers_text(results, &drivers),
    };
    format!(
        "{}: {interval}; {knowing}.",
        html(&effect_name(arm, metric))
    )
}

/// The drivers in words, the first with its first-order index.
fn drivers_text(results: &Results, drivers: &[&VoiRow]) -> String {
    let percent = |r: &VoiRow| format!("{:.0}%", 100.0 * r.interval_narrowing.unwrap_or(0.0));
    let Some((first, rest)) = drivers.split_first() else {
        return format!(
            "the {} draws cannot tell the drivers apart (no parameter's first-order index is \
             distinguishable from noise at p &lt; {SIGNIFICANCE}): more draws are needed",
            draws_text(results)
        );
    };
    let index = first.first_order.map_or("?".into(), |s| format!("{s:.2}"));
    let mut text = format!(
        "knowing <code>{}</code> exactly would narrow it by about {} (first-order index {index})",
        html(&first.parameter),
        percent(first)
    );
    for r in rest {
        text.push_str(&format!(
            ", then <code>{}</code> ({})",
            html(&r.parameter),
            percent(r)
        ));
    }
    text
}

/// Where the effect's spread comes from: the parameters' and the
/// simulation noise's shares of a replication's variance.
pub fn spread_line(results: &Results, arm: &str, metric: &str) -> String {
    let split = results.summary_row(arm, metric).and_then(share_parameter);
    let one_each = (results.manifest.parameters.as_ref())
        .and_then(|p| p.replications_per_draw)
        .is_some_and(|m| m == 1);
    let text = match (split, one_each) {
        (Some(share), _) => format!(
            "parameter uncertainty {:.0}% of the variance of a replication's effect, \
             simulation noise between replications {:.0}%",
            100.0 * share,
            100.0 * (1.0 - share)
        ),
        (None, true) => "not estimable with one replication per draw".into(),
        (None, false) => {
            "not estimable (fewer than two draws with the effect defined in every replication)"
                .into()
        }
    };
    format!("<strong>Where the spread comes from:</strong> {text}.")
}

/// The manifest's parameters block, for the provenance list: how the
/// uncertain parameters were run and, folded, their distributions.
pub fn parameters_block(p: &Parameters, replications: Option<u64>) -> String {
    let design = design_text(p, replications);
    let rows: Vec<String> = (p.uncertain.iter())
        .map(|u| {
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                html(&u.key),
                html(&distribution_text(&u.distribution)),
                if u.integer { "yes" } else { "no" }
            )
        })
        .collect();
    format!(
        "{}{design}{}<details><summary>{} uncertain parameters</summary>\n\
         <div class=\"wide\"><table class=\"sortable\">\n<thead><tr><th>Parameter</th>\
         <th>Distribution</th><th>Whole numbers</th></tr></thead>\n<tbody>\n{}</tbody></table>\
         </div></details>",
        html(&p.mode),
        fixed_text(&p.fixed_by_set),
        p.uncertain.len(),
        rows.concat()
    )
}

/// The draws and replications of an ensemble, " (K draws × m replications
/// per draw)", with the last draw's replications when it is shorter ("" when
/// run at the central values).
fn design_text(p: &Parameters, replications: Option<u64>) -> String {
    let (Some(draws), Some(m)) = (p.draws, p.replications_per_draw) else {
        return String::new();
    };
    let last = replications.map(|r| r.saturating_sub((draws.max(1) - 1) * m));
    match last {
        Some(last) if last < m => {
            format!(" ({draws} draws × {m} replications per draw, the last draw {last})")
        }
        _ => format!(" ({draws} draws × {m} replications per draw)"),
    }
}

/// The keys fixed by `--set` instead of drawn ("" when none).
fn fixed_text(keys: &[String]) -> String {
    if keys.is_empty() {
        return String::new();
    }
    let keys: Vec<String> = keys
        .iter()
        .map(|k| format!("<code>{}</code>", html(k)))
        .collect();
    format!("; fixed by --set: {}", keys.join(", "))
}

/// A distribution as `triangular: low 1, mode 2, high 4` (bounds first).
fn distribution_text(distribution: &Value) -> String {
    let Some(fields) = distribution.as_object() else {
        return distribution.to_string();
    };
    let name = fields.get("dist").and_then(Value::as_str).unwrap_or("?");
    const FIRST: [&str; 3] = ["low", "mode", "high"];
    let known = FIRST.iter().filter_map(|k| fields.get_key_value(*k));
    let others = (fields.iter()).filter(|(k, _)| *k != "dist" && !FIRST.contains(&k.as_str()));
    let parts: Vec<String> = known
        .chain(others)
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    format!("{name}: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn distributions_read_bounds_first() {
        let d = json!({"dist": "triangular", "high": 4.0, "low": 1.0, "mode": 2.0});
        assert_eq!(
            distribution_text(&d),
            "triangular: low 1.0, mode 2.0, high 4.0"
        );
        let d = json!({"dist": "normal", "mean": 3, "sd": 1});
        assert_eq!(distribution_text(&d), "normal: mean 3, sd 1");
    }

    fn parameters(draws: u64, per_draw: u64) -> Parameters {
        let block =
            json!({"mode": "ensemble: ...", "draws": draws, "replications_per_draw": per_draw});
        serde_json::from_value(block).unwrap()
    }

    #[test]
    fn the_design_names_a_shorter_last_draw() {
        let even = design_text(&parameters(10, 2), Some(20));
        assert_eq!(even, " (10 draws × 2 replications per draw)");
        let short = design_text(&parameters(4, 3), Some(10));
        assert_eq!(
            short,
            " (4 draws × 3 replications per draw, the last draw 1)"
        );
        let fixed: Parameters = serde_json::from_value(json!({"mode": "fixed: ..."})).unwrap();
        assert_eq!(design_text(&fixed, Some(10)), "");
    }
}
