//! The self-contained page of a calibration folder, `calibration.html`.

use super::data::{Calibration, Generation};
use super::files::{FitRow, Target};
use super::values::{measure_name, significant, spread, z_text};
use crate::report::Plot;
use crate::report::format::{self, html, metric_unit};
use crate::report::html::{document, figures, overrides};

/// The whole page.
pub fn page(calibration: &Calibration, plots: &[Plot]) -> String {
    let title = format!("caasim calibration: {}", calibration.scenario_name());
    document(
        &title,
        &[
            header(calibration),
            calibrated(calibration),
            reading(calibration),
            figures(plots),
            posterior(calibration),
            fit(calibration),
        ],
    )
}

fn count(n: usize, what: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {plural}")
    }
}

fn number(v: Option<u64>) -> String {
    v.map_or("unknown".into(), |v| format::grouped(v as f64, 0))
}

/// A seed, without thousands separators.
fn seed(v: Option<u64>) -> String {
    v.map_or("unknown".into(), |v| v.to_string())
}

fn text(v: Option<&str>) -> String {
    v.map_or("unknown".into(), html)
}

fn header(calibration: &Calibration) -> String {
    let id = &calibration.identity;
    let lead = format!(
        "An ABC-SMC fit of {} of {} to {} from {}.",
        count(calibration.priors().len(), "parameter", "parameters"),
        html(calibration.scenario_name()),
        count(
            calibration.targets.len(),
            "observed target",
            "observed targets"
        ),
        text(id.inputs.targets.as_deref()),
    );
    let elapsed = id
        .elapsed_seconds
        .map_or("unknown".into(), format::duration);
    let scenario = match &calibration.scenario.description {
        Some(d) => format!("<p>The scenario: {}</p>\n", html(d)),
        None => String::new(),
    };
    format!(
        "<header>\n<p class=\"kicker\">caasim calibration · {model}</p>\n<h1>Calibration of {}</h1>\n\
         <p class=\"lead\">{lead}</p>\n{scenario}<p class=\"meta\">{} particles · {} · {} runs · \
         {elapsed} · seed {}</p>\n\
         <nav class=\"toc\"><a href=\"#calibrated\">Calibration</a> <a href=\"#reading\">Reading</a> \
         <a href=\"#plots\">Plots</a> <a href=\"#posterior\">Posterior</a> \
         <a href=\"#fit\">Fit</a></nav>\n</header>\n",
        html(calibration.scenario_name()),
        number(id.inputs.population),
        count(id.generations.len(), "generation", "generations"),
        number(id.runs),
        seed(id.inputs.seed),
        model = format::model(id.inputs.model_version),
    )
}

fn calibrated(calibration: &Calibration) -> String {
    format!(
        "<section id=\"calibrated\">\n<h2>What was calibrated</h2>\n\
         <p>Each parameter had a uniform prior between the low and high values below; the \
         targets are the observations the model was fitted to, each with the standard \
         deviation (sd) that states its uncertainty.</p>\n<h3>Parameters</h3>\n{}\
         <h3>Targets</h3>\n{}<h3>Settings and cost</h3>\n<dl class=\"prov\">{}</dl>\n<h3>Generations</h3>\n{}</section>\n",
        priors_table(calibration),
        targets_table(calibration),
        facts(calibration),
        generations_table(&calibration.identity.generations)
    )
}

fn priors_table(calibration: &Calibration) -> String {
    let rows: Vec<String> = (calibration.priors().iter())
        .map(|p| {
            let integer = if p.integer { "yes (rounded)" } else { "no" };
            format!(
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td>{integer}</td></tr>\n",
                html(&p.parameter),
                p.low,
                p.high
            )
        })
        .collect();
    format!(
        "<div class=\"wide\"><table>\n<thead><tr><th>Parameter</th><th>Prior low</th>\
         <th>Prior high</th><th>Integer</th></tr></thead>\n<tbody>\n{}</tbody></table></div>\n",
        rows.concat()
    )
}

fn targets_table(calibration: &Calibration) -> String {
    let rows: Vec<String> = (calibration.targets.iter())
        .map(|t| {
            let unit = metric_unit(&t.measure);
            let (observed, sd) = match (t.is_series(), t.rows.first()) {
                (false, Some(r)) => (
                    t.observed_text(format::value(r.observed, unit)),
                    spread(r.sd, unit),
                ),
                (true, Some(r)) => (
                    format!("{} days ({})", t.rows.len(), day_span(calibration, t)),
                    spread(r.sd, unit),
                ),
                (_, None) => ("—".into(), "—".into()),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}<span class=\"id\">{}</span></td>\
                 <td class=\"num\">{observed}</td><td class=\"num\">{sd}</td></tr>\n",
                html(&t.name),
                html(&t.kind),
                html(&t.arms_text()),
                html(&measure_name(&t.measure)),
                html(&t.measure),
            )
        })
        .collect();
    format!(
        "<div class=\"wide\"><table>\n<thead><tr><th>Target</th><th>Kind</th><th>Arm</th>\
         <th>Measure</th><th>Observed</th><th>sd</th></tr></thead>\n<tbody>\n{}</tbody>\
         </table></div>\n",
        rows.concat()
    )
}

/// The first and last day of a series target.
fn day_span(calibration: &Calibration, target: &Target) -> String {
    let days: Vec<u32> = target.rows.iter().filter_map(|r| r.day).collect();
    match (days.first(), days.last()) {
        (Some(a), Some(b)) => format!(
            "{} to {}",
            day_text(calibration, *a),
            day_text(calibration, *b)
        ),
        _ => "no days".into(),
    }
}

/// A day as "day 80 (2025-05-20)", or "day 80" without a start date.
fn day_text(calibration: &Calibration, day: u32) -> String {
    match calibration.scenario.start {
        Some(start) => format!(
            "day {day} ({})",
            start + chrono::Duration::days(i64::from(day))
        ),
        None => format!("day {day}"),
    }
}

/// The rest of `calibration.json`, as definition list items.
fn facts(calibration: &Calibration) -> String {
    let id = &calibration.identity;
    let inputs = &id.inputs;
    let generations = match id.settings.generations {
        Some(most) => format!("{} (at most {most})", id.generations.len()),
        None => id.generations.len().to_string(),
    };
    let final_tolerance = inputs
        .final_tolerance
        .map_or("none".into(), |t| t.to_string());
    let items = [
        ("Method", text(id.method.as_deref())),
        ("Scenario file", text(inputs.scenario.as_deref())),
        ("Targets file", text(inputs.targets.as_deref())),
        ("Overrides", overrides(&inputs.overrides)),
        ("Particles per generation", number(inputs.population)),
        ("Generations", generations),
        ("Stopped because", text(id.stopped.as_deref())),
        (
            "Tolerance quantile (alpha)",
            inputs.alpha.map_or("unknown".into(), |a| a.to_string()),
        ),
        ("Final tolerance", final_tolerance),
        ("Replications per particle", number(inputs.replications)),
        (
            "Replications of the best fit",
            number(id.settings.final_replications),
        ),
        (
            "Most proposals per generation",
            number(id.settings.max_attempts),
        ),
        (
            "Runs",
            format!(
                "{} ({} for the best fit)",
                number(id.runs),
                number(id.final_runs)
            ),
        ),
        (
            "Time taken",
            id.elapsed_seconds
                .map_or("unknown".into(), format::duration),
        ),
        (
            "Distance of the best fit",
            id.best_fit_distance
                .map_or("not defined".into(), |d| format!("{d:.3}")),
        ),
        ("Seed", seed(inputs.seed)),
        ("Fingerprint of the inputs", text(id.fingerprint.as_deref())),
        (
            "Program",
            html(&format::program(
                inputs.version.as_deref(),
                inputs.model_version,
            )),
        ),
    ];
    let list: Vec<String> = items
        .iter()
        .map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>"))
        .collect();
    list.concat()
}

fn generations_table(generations: &[Generation]) -> String {
    if generations.is_empty() {
        return "<p>calibration.json lists no complete generation.</p>\n".into();
    }
    let optional =
        |v: Option<f64>, digits: usize| v.map_or("—".into(), |v| format!("{v:.digits$}"));
    let rows: Vec<String> = (generations.iter())
        .map(|g| {
            let tolerance = match (g.generation, g.tolerance) {
                (0, None) => "none (prior)".into(),
                (_, t) => optional(t, 3),
            };
            format!(
                "<tr><td class=\"num\">{}</td><td class=\"num\">{tolerance}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>\n",
                g.generation,
                number(g.attempts),
                g.acceptance_rate
                    .map_or("—".into(), |r| format!("{:.1}%", 100.0 * r)),
                optional(g.ess, 1),
                number(g.runs),
            )
        })
        .collect();
    format!(
        "<div class=\"wide\"><table>\n<thead><tr><th>Generation</th><th>Tolerance</th>\
         <th>Proposals</th><th>Accepted</th><th>Effective sample size</th><th>Runs</th></tr>\
         </thead>\n<tbody>\n{}</tbody></table></div>\n",
        rows.concat()
    )
}

fn reading(calibration: &Calibration) -> String {
    let alpha = calibration
        .identity
        .inputs
        .alpha
        .map_or("alpha".into(), |a| a.to_string());
    format!(
        "<section id=\"reading\">\n<h2>How to read a calibration</h2>\n\
         <p>Approximate Bayesian computation with sequential Monte Carlo (ABC-SMC) looks for the \
         parameter values under which the model reproduces the targets. A particle is a set of \
         parameter values; it is simulated and its <strong>distance</strong> to the targets is \
         the root of the sum over targets of the squared <strong>z</strong> = (simulated − \
         observed) / sd (a series adds the mean of its squared z over its days). Generation 0 \
         draws the particles from the uniform priors; each later generation perturbs particles \
         of the one before and keeps those within its tolerance, the {alpha}-quantile of the \
         previous distances, and weighs them so that together they sample the \
         <strong>posterior</strong>: the values consistent with the targets given their sds.</p>\n\
         <p>The posterior plot shows, for each parameter, where that weight lies within the \
         prior range. A narrow peak means the targets pin the parameter down; a histogram as \
         flat as the prior means they cannot tell its values apart, and conclusions that depend \
         on it need other data. The 5% to 95% quantiles bound a 90% credible interval; the \
         medians make the best fit (<code>best-fit.toml</code>), which is run again for \
         <code>fit.csv</code>. The fit plot checks it against each target: |z| below 1 is a fit \
         within the target's stated uncertainty, above 2 a misfit. The band is the spread of \
         single replications, the model's own noise, not an interval of the mean.</p>\n\
         </section>\n"
    )
}

/// One row per parameter: prior, posterior summary, and how much of the
/// prior range the 90% interval still spans.
fn posterior(calibration: &Calibration) -> String {
    let rows: Vec<String> = (calibration.priors().iter().zip(&calibration.summary))
        .map(|(prior, s)| {
            let share = (s.q95 - s.q05) / (prior.high - prior.low);
            let cell = |v: f64| {
                format!(
                    "<td class=\"num\" data-sort=\"{v}\">{}</td>",
                    significant(v)
                )
            };
            format!(
                "<tr><td><code>{}</code></td><td class=\"num\">{} to {}</td>{}{}{}\
                 <td class=\"num\" data-sort=\"{}\"><span class=\"est\">{}</span></td>{}\
                 <td class=\"num\" data-sort=\"{share}\">{:.0}%</td></tr>\n",
                html(&prior.parameter),
                significant(prior.low),
                significant(prior.high),
                cell(s.mean),
                cell(s.sd),
                cell(s.q05),
                s.q50,
                significant(s.q50),
                cell(s.q95),
                100.0 * share
            )
        })
        .collect();
    format!(
        "<section id=\"posterior\">\n<h2>Posterior</h2>\n<p>The rows of \
         <code>posterior_summary.csv</code>: the weighted mean, standard deviation and \
         quantiles of each parameter over the final particles; the median is the best fit. The \
         last column is the width of the 90% interval as a share of the prior range: near 90% \
         the targets say little about the parameter, far below it they narrow it down. Click a \
         column heading to sort.</p>\n\
         <div class=\"wide\"><table class=\"sortable\">\n<thead><tr><th>Parameter</th>\
         <th>Prior</th><th>Mean</th><th>sd</th><th>5%</th><th>Median (best fit)</th><th>95%</th>\
         <th>90% interval / prior</th></tr></thead>\n<tbody>\n{}</tbody></table></div>\n\
         </section>\n",
        rows.concat()
    )
}

/// One row per row of `fit.csv`.
fn fit(calibration: &Calibration) -> String {
    let rows: Vec<String> = (calibration.targets.iter())
        .flat_map(|t| t.rows.iter().map(move |r| fit_row(calibration, t, r)))
        .collect();
    format!(
        "<section id=\"fit\">\n<h2>Fit at the best fit</h2>\n<p>The rows of \
         <code>fit.csv</code>: each target (each day of a series) with its observed value and \
         sd, and over {} of the best fit the mean, the 5–95% range of single replications \
         (the model's noise at the best fit, not an interval of the mean) and the number n \
         of replications in which the value is defined; z = (simulated − observed) / sd. Click a \
         column heading to sort.</p>\n\
         <div class=\"wide\"><table class=\"sortable\">\n<thead><tr><th>Target</th><th>Kind</th>\
         <th>Arm</th><th>Measure</th><th>Day</th><th>Observed</th><th>sd</th><th>Simulated</th>\
         <th>5–95%</th><th>n</th><th>z</th></tr></thead>\n<tbody>\n{}</tbody></table></div>\n\
         </section>\n",
        super::final_replications(calibration),
        rows.concat()
    )
}

fn fit_row(calibration: &Calibration, target: &Target, row: &FitRow) -> String {
    let unit = metric_unit(&target.measure);
    let value = |v: f64| {
        format!(
            "<td class=\"num\" data-sort=\"{v}\">{}</td>",
            format::value(v, unit)
        )
    };
    let missing = "<td class=\"num muted\" data-sort=\"\">—</td>".to_string();
    let day = match row.day {
        Some(d) => format!(
            "<td class=\"num\" data-sort=\"{d}\">{}</td>",
            day_text(calibration, d)
        ),
        None => "<td class=\"muted\" data-sort=\"\">—</td>".into(),
    };
    let band = match row.band {
        Some((lo, hi)) => format!(
            "<td class=\"num\" data-sort=\"{lo}\">{} to {}</td>",
            format::value(lo, unit),
            format::value(hi, unit)
        ),
        None => missing.clone(),
    };
    let z = match row.z() {
        Some(z) => format!(
            "<td class=\"num\" data-sort=\"{z}\"><span class=\"est\">{}</span></td>",
            z_text(z)
        ),
        None => missing.clone(),
    };
    let observed = format!(
        "<td class=\"num\" data-sort=\"{}\">{}</td>",
        row.observed,
        target.observed_text(format::value(row.observed, unit))
    );
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}<span class=\"id\">{}</span></td>{day}{observed}\
         <td class=\"num\" data-sort=\"{}\">{}</td>{}{band}<td class=\"num\">{}</td>{z}</tr>\n",
        html(&target.name),
        html(&target.kind),
        html(&target.arms_text()),
        html(&measure_name(&target.measure)),
        html(&target.measure),
        row.sd,
        spread(row.sd, unit),
        row.simulated.map_or(missing, value),
        row.n,
    )
}
