//! The self-contained HTML report page.

use super::Plot;
use super::contrasts;
use super::coverage;
use super::data::{Results, SummaryRow};
use super::format::{self, html, metric_name, metric_unit};
use super::params;
use super::printable::WideTable;
use super::style;
use super::uncertainty;
use plotters::style::RGBColor;

const CSS: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");
/// Arms per printed part of an arms-wide table: with the key column, three
/// arms' cells (an estimate and its wrapped interval) fit across a portrait
/// A4 or Letter page at the print font size of report.css.
const PRINT_ARMS: usize = 3;

/// The whole page; `tornadoes` are an ensemble's plots of what to measure
/// next (see [`uncertainty::section`]), none without an ensemble.
pub fn page(results: &Results, plots: &[Plot], tornadoes: &[Plot]) -> String {
    let title = format!("caasim report: {}", results.manifest.scenario_name);
    let next = match results.is_ensemble() {
        true => uncertainty::section(results, tornadoes),
        false => String::new(),
    };
    document(
        &title,
        &[
            header(results),
            arms(results),
            effects(results),
            contrasts::section(results),
            contrasts::forks(results),
            next,
            plot_section(results, plots),
            parameters(results),
            provenance(results),
        ],
    )
}

/// A self-contained page titled `title` (escaped here) with the style and
/// script of the report and `sections` (HTML) as its body.
pub fn document(title: &str, sections: &[String]) -> String {
    let title = html(title);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
    );
    for section in sections {
        out.push_str(section);
    }
    out.push_str(&format!("<script>\n{SCRIPT}</script>\n</body>\n</html>\n"));
    out
}

fn header(results: &Results) -> String {
    let m = &results.manifest;
    let description = m.description.as_deref().unwrap_or("");
    let period = match &m.start_date {
        Some(d) => format!("{} days from {}", results.days, html(d)),
        None => format!("{} days", results.days),
    };
    format!(
        "<header>\n<p class=\"kicker\">caasim report · {model}</p>\n<h1>{}</h1>\n<p class=\"lead\">{}</p>\n\
         <p class=\"meta\">{} arms · {} replications · {period}</p>\n\
         <nav class=\"toc\"><a href=\"#arms\">Arms</a> <a href=\"#effects\">Effects</a> \
         {next}<a href=\"#plots\">Plots</a> <a href=\"#parameters\">Parameters</a> \
         <a href=\"#provenance\">Provenance</a></nav>\n</header>\n",
        html(&m.scenario_name),
        html(description),
        results.arms.len(),
        m.replications.map_or("?".into(), |r| r.to_string()),
        next = match results.is_ensemble() {
            true => "<a href=\"#next\">What to measure next</a> ",
            false => "",
        },
        model = format::model(m.model_version),
    )
}

/// A small square of `colour`, for tables.
pub fn swatch(colour: RGBColor) -> String {
    let RGBColor(r, g, b) = colour;
    format!("<span class=\"swatch\" style=\"background:#{r:02x}{g:02x}{b:02x}\"></span>")
}

fn arm_label(results: &Results, arm: &str) -> String {
    let colour = style::arm_colour(results.arm_index(arm));
    let role = if arm == results.baseline {
        " <span class=\"tag\">baseline</span>"
    } else {
        ""
    };
    format!("{}{}{role}", swatch(colour), html(arm))
}

fn arms(results: &Results) -> String {
    let mut rows = String::new();
    for arm in &results.arms {
        let info = results.manifest.arms.iter().find(|a| &a.name == arm);
        let description = info.map_or("", |a| a.description.as_str());
        let interventions = info.map_or(&[][..], |a| &a.interventions);
        let days = info.map_or(&[][..], |a| &a.intervention_days);
        rows.push_str(&format!(
            "<tr><td class=\"nowrap\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            arm_label(results, arm),
            html(description),
            intervention_list(interventions),
            day_list(results, days),
        ));
    }
    format!(
        "<section id=\"arms\">\n<h2>Arms</h2>\n<div class=\"wide\"><table>\n<thead><tr><th>Arm</th>\
         <th>What it does</th><th>Interventions</th><th>Intervention days</th></tr></thead>\n\
         <tbody>\n{rows}</tbody></table></div>\n</section>\n"
    )
}

fn intervention_list(interventions: &[String]) -> String {
    if interventions.is_empty() {
        return "none".into();
    }
    let items: Vec<String> = interventions
        .iter()
        .map(|i| format!("<li>{}</li>", html(i)))
        .collect();
    format!("<ul>{}</ul>", items.concat())
}

fn day_list(results: &Results, days: &[usize]) -> String {
    if days.is_empty() {
        return "—".into();
    }
    let days: Vec<String> = days.iter().map(|d| day_text(results, *d)).collect();
    days.join(", ")
}

fn day_text(results: &Results, day: usize) -> String {
    match results.start {
        Some(start) => {
            let date = start + chrono::Duration::days(day as i64);
            format!("day {day} ({date})")
        }
        None => format!("day {day}"),
    }
}

fn effects(results: &Results) -> String {
    let arms: Vec<&str> = results
        .arms
        .iter()
        .map(String::as_str)
        .filter(|a| results.summary.iter().any(|r| r.arm == *a))
        .collect();
    let mut metrics: Vec<&str> = Vec::new();
    for row in &results.summary {
        if !metrics.contains(&row.metric.as_str()) {
            metrics.push(&row.metric);
        }
    }
    let table = WideTable {
        class: "effects",
        key_heads: vec!["<th>Metric</th>".into()],
        heads: (arms.iter())
            .map(|a| format!("<th>{}</th>", arm_label(results, a)))
            .collect(),
        rows: (metrics.iter())
            .map(|metric| effect_row(results, &arms, metric))
            .collect(),
    };
    let intro = match results.is_ensemble() {
        true => uncertainty::effects_intro(results),
        false => format!(
            "Each cell compares an arm with the baseline of the same replication over the \
             arm's evaluation window: the mean over replications, then the \
             <strong>{}</strong> (Student-t; no interval when n &lt; 2), and the number of \
             replications n in which the metric is defined. Shares get a Wilson interval, \
             which stays inside 0-100%; days to recover is the Kaplan-Meier median, which \
             counts the replications not recovered by the window's end as censored (not \
             reached when more than half are), with a bootstrap interval. The interval says how precisely \
             the runs pin down the mean at the values the scenario sets; it does not cover \
             the uncertainty of those values. Baseline: {}. Click a column heading to sort.",
            coverage::of_mean(results),
            html(&results.baseline)
        ),
    };
    format!(
        "<section id=\"effects\">\n<h2>Headline effects</h2>\n<p>{intro}</p>\n{}</section>\n",
        table.html(PRINT_ARMS)
    )
}

/// One metric's row of the effects table: its name, then a cell per arm.
fn effect_row(results: &Results, arms: &[&str], metric: &str) -> (Vec<String>, Vec<String>) {
    let cells: Vec<String> = arms
        .iter()
        .map(|arm| {
            let row = results.summary_row(arm, metric);
            effect_cell(row, results.is_ensemble())
        })
        .collect();
    let name = format!(
        "<td data-sort=\"{}\">{}<span class=\"id\">{}</span></td>",
        html(metric),
        html(&metric_name(metric)),
        html(metric),
    );
    (vec![name], cells)
}

/// A cell of the effects table; an ensemble's shows both intervals.
fn effect_cell(row: Option<&SummaryRow>, ensemble: bool) -> String {
    let Some(row) = row else {
        return "<td class=\"num\" data-sort=\"\">—</td>".into();
    };
    let unit = metric_unit(&row.metric);
    let n = row.n.map_or("?".into(), |n| n.to_string());
    let Some(mean) = row.estimate else {
        return format!(
            "<td class=\"num\" data-sort=\"\">{}<span class=\"n\">n = {n}</span></td>",
            contrasts::undefined(row)
        );
    };
    if ensemble {
        return uncertainty::effect_cell(row, mean);
    }
    let what = contrasts::interval_name(row);
    let interval = format!(
        "{what}: {}",
        contrasts::interval_text(row, &|v| format::value(v, unit))
    );
    format!(
        "<td class=\"num\" data-sort=\"{mean}\"><span class=\"est\">{}</span>\
         <span class=\"ci\">{interval}</span><span class=\"n\">n = {n}</span></td>",
        format::value(mean, unit)
    )
}

/// The Plots section; of a summary-only folder, with why it has no plot
/// over time.
fn plot_section(results: &Results, plots: &[Plot]) -> String {
    let section = figures(plots);
    match results.summary_only {
        false => section,
        true => section.replacen(
            "<h2>Plots</h2>\n",
            "<h2>Plots</h2>\n<p>No plot over time, of market shares or of victims: this run \
             kept only its summary (--summary-only).</p>\n",
            1,
        ),
    }
}

/// The plots, each inline with its caption and download links.
pub fn figures(plots: &[Plot]) -> String {
    let mut out = String::from("<section id=\"plots\">\n<h2>Plots</h2>\n");
    for plot in plots {
        out.push_str(&figure(plot));
    }
    out.push_str("</section>\n");
    out
}

/// One plot inline with its caption and download links.
pub fn figure(plot: &Plot) -> String {
    let svg = plot.image.svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", html(&plot.title)),
        1,
    );
    format!(
        "<figure id=\"plot-{name}\">\n{svg}<figcaption><strong>{}.</strong> {} \
         <span class=\"downloads\"><a href=\"plots/{name}.svg\">SVG</a> · \
         <a href=\"plots/{name}.png\">PNG</a> · <a href=\"plots/{name}.pdf\">PDF</a></span>\
         </figcaption>\n</figure>\n",
        html(&plot.title),
        html(&plot.caption),
        name = html(&plot.name),
    )
}

fn parameters(results: &Results) -> String {
    let p = params::differing(&results.manifest.resolved_scenario);
    let body = if p.arms.is_empty() {
        "<p>The manifest's resolved scenario lists no arms.</p>\n".to_string()
    } else if p.rows.is_empty() {
        "<p>The arms have the same parameters.</p>\n".to_string()
    } else {
        format!(
            "<p>Only what is not the same in every arm: — marks a value not set in the arm \
             (its default applies) or an intervention the arm does not have. An intervention \
             is one row, <em>yes</em> where the arm has it; its settings are rows only where \
             the arms that have it set them differently (the Arms table describes each \
             intervention in full).</p>\n{}",
            parameter_table(&p)
        )
    };
    format!(
        "<section id=\"parameters\">\n<h2>Parameters that differ between arms</h2>\n{body}</section>\n"
    )
}

fn parameter_table(p: &params::ArmParameters) -> String {
    let rows = (p.rows.iter()).map(|(key, values)| {
        let cells: Vec<String> = values
            .iter()
            .map(|v| match v {
                Some(v) => format!("<td>{}</td>", html(v)),
                None => "<td class=\"muted\" title=\"not set in this arm, or not an intervention it has\">—</td>".into(),
            })
            .collect();
        (vec![format!("<td><code>{}</code></td>", html(key))], cells)
    });
    let table = WideTable {
        class: "",
        key_heads: vec!["<th>Parameter</th>".into()],
        heads: (p.arms.iter())
            .map(|a| format!("<th>{}</th>", html(a)))
            .collect(),
        rows: rows.collect(),
    };
    table.html(PRINT_ARMS)
}

fn provenance(results: &Results) -> String {
    let m = &results.manifest;
    let text = |v: &Option<String>| v.as_deref().map_or("unknown".to_string(), html);
    let number = |v: Option<u64>| v.map_or("unknown".to_string(), |v| v.to_string());
    let items = [
        (
            "Program",
            html(&format::program(m.version.as_deref(), m.model_version)),
        ),
        ("Git revision", text(&m.git_revision)),
        ("Target", text(&m.target)),
        ("Scenario file", text(&m.scenario_file)),
        ("Overrides", overrides(&m.overrides)),
        ("Seed", number(m.seed)),
        ("Replications", number(m.replications)),
        ("Days", results.days.to_string()),
        ("Start date", text(&m.start_date)),
        ("Threads", number(m.threads)),
        ("Started", text(&m.started_at)),
        ("Finished", text(&m.finished_at)),
        (
            "Time taken",
            m.elapsed_seconds.map_or("unknown".into(), format::duration),
        ),
    ];
    let parameters =
        (m.parameters.as_ref()).map(|p| uncertainty::parameters_block(p, m.replications));
    let list: Vec<String> = (items.into_iter())
        .chain(parameters.map(|p| ("Uncertain parameters", p)))
        .map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>"))
        .collect();
    format!(
        "<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl class=\"prov\">{}</dl>\n</section>\n",
        list.concat()
    )
}

/// The `--set` overrides as a list of code spans ("none" when empty).
pub fn overrides(list: &[String]) -> String {
    if list.is_empty() {
        return "none".into();
    }
    let items: Vec<String> = list
        .iter()
        .map(|o| format!("<code>{}</code>", html(o)))
        .collect();
    items.join(", ")
}
