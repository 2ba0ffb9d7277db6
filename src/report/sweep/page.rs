//! The self-contained page of a sweep folder, `sweep.html`.

use super::data::{Estimate, Parameter, Sweep};
use super::{HEADLINE, MAX_ROWS, estimated, interval_text};
use crate::report::Plot;
use crate::report::format::{self, html, metric_name, metric_unit};
use crate::report::html::{document, figures, overrides, swatch};
use crate::report::printable::WideTable;
use crate::report::style;

/// Most values of a parameter listed one by one.
const MAX_VALUES: usize = 12;

/// The whole page.
pub fn page(sweep: &Sweep, plots: &[Plot]) -> String {
    let title = format!("caasim sweep: {}", scenario_name(sweep));
    document(
        &title,
        &[header(sweep), design(sweep), figures(plots), points(sweep)],
    )
}

fn scenario_name(sweep: &Sweep) -> &str {
    sweep.identity.scenario_name.as_deref().unwrap_or("sweep")
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn header(sweep: &Sweep) -> String {
    let id = &sweep.identity;
    let reps = id.replications.map_or("?".into(), |r| r.to_string());
    let lead = format!(
        "{} swept over {}; at each point every arm ran for {reps} replications with the \
         same random streams, and each intervention arm is compared with the baseline.",
        count(sweep.parameters.len(), "parameter"),
        count(sweep.points, "design point"),
    );
    format!(
        "<header>\n<p class=\"kicker\">caasim sweep · {model}</p>\n<h1>{}</h1>\n<p class=\"lead\">{lead}</p>\n\
         <p class=\"meta\">{} · {} · {reps} replications · seed {}</p>\n\
         <nav class=\"toc\"><a href=\"#design\">Design</a> <a href=\"#plots\">Plots</a> \
         <a href=\"#points\">Points</a></nav>\n</header>\n",
        html(scenario_name(sweep)),
        count(sweep.points, "point"),
        count(sweep.arms.len(), "intervention arm"),
        id.seed.map_or("?".into(), |s| s.to_string()),
        model = format::model(id.model_version),
    )
}

fn design(sweep: &Sweep) -> String {
    let rows: Vec<String> = (sweep.parameters.iter())
        .map(|p| {
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                html(&p.path),
                html(&values(p)),
                p.levels.len()
            )
        })
        .collect();
    let shape = match sweep.grid2() {
        Some((x, y)) => format!(
            "The design is the full grid of {} × {} values: every combination once.",
            x.levels.len(),
            y.levels.len()
        ),
        None => "Each row of <code>design.csv</code> is a point.".into(),
    };
    format!(
        "<section id=\"design\">\n<h2>What was swept</h2>\n<p>{shape}</p>\n\
         <div class=\"wide\"><table>\n<thead><tr><th>Parameter</th><th>Values</th>\
         <th>Distinct values</th></tr></thead>\n<tbody>\n{}</tbody></table></div>\n\
         <dl class=\"prov\">{}</dl>\n</section>\n",
        rows.concat(),
        facts(sweep)
    )
}

/// The values of a parameter: all when few, else the range or the first ones.
fn values(p: &Parameter) -> String {
    let n = p.levels.len();
    if n <= MAX_VALUES {
        let all: Vec<String> = (0..n).map(|i| p.label(i)).collect();
        return all.join(", ");
    }
    if p.is_numeric() {
        return format!("{} to {}", p.label(0), p.label(n - 1));
    }
    let first: Vec<String> = (0..MAX_VALUES).map(|i| p.label(i)).collect();
    format!("{}, … ({} more)", first.join(", "), n - MAX_VALUES)
}

/// The rest of `sweep.json`, as definition list items.
fn facts(sweep: &Sweep) -> String {
    let id = &sweep.identity;
    let number = |v: Option<u64>| v.map_or("unknown".to_string(), |v| v.to_string());
    let arms: Vec<String> = (sweep.arms.iter().enumerate())
        .map(|(a, arm)| format!("{}{}", swatch(style::arm_colour(a + 1)), html(arm)))
        .collect();
    let items = [
        ("Scenario", html(scenario_name(sweep))),
        ("Points", sweep.points.to_string()),
        ("Replications per arm and point", number(id.replications)),
        ("Seed", number(id.seed)),
        ("Intervention arms", arms.join(", ")),
        ("Contrasts (A − B)", contrasts(sweep)),
        ("Overrides at every point", overrides(&id.overrides)),
        (
            "Program",
            html(&format::program(id.version.as_deref(), id.model_version)),
        ),
    ];
    let list: Vec<String> = items
        .iter()
        .map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>"))
        .collect();
    list.concat()
}

/// The contrasts computed at every point, or "none".
fn contrasts(sweep: &Sweep) -> String {
    if sweep.contrasts.is_empty() {
        return "none (<code>--contrast A:B</code> adds one)".into();
    }
    let list: Vec<String> = (sweep.contrasts.iter().enumerate())
        .map(|(c, label)| format!("{}{}", swatch(style::arm_colour(c + 1)), html(label)))
        .collect();
    list.join(", ")
}

/// The statistic of each headline metric that is not a mean, in words.
fn not_means(sweep: &Sweep) -> String {
    let named: Vec<String> = HEADLINE
        .iter()
        .filter(|m| estimated(sweep, m) != "mean")
        .map(|m| format!("the {} for {}", estimated(sweep, m), html(&metric_name(m))))
        .collect();
    if named.is_empty() {
        String::new()
    } else {
        format!(" ({})", named.join(", "))
    }
}

fn points(sweep: &Sweep) -> String {
    let shown = sweep.points.min(MAX_ROWS);
    let which = if shown < sweep.points {
        format!("The first {shown} of the {} points", sweep.points)
    } else {
        format!("All {}", count(sweep.points, "point"))
    };
    let mut key_heads = vec!["<th>Point</th>".to_string()];
    key_heads.extend(
        (sweep.parameters.iter()).map(|p| format!("<th><code>{}</code></th>", html(&p.path))),
    );
    let mut heads = Vec::new();
    for (a, arm) in sweep.arms.iter().enumerate() {
        heads.extend(HEADLINE.iter().map(|metric| {
            format!(
                "<th>{}{}<span class=\"id\">{}</span></th>",
                swatch(style::arm_colour(a + 1)),
                html(arm),
                html(&metric_name(metric))
            )
        }));
    }
    let table = WideTable {
        class: "",
        key_heads,
        heads,
        rows: (0..shown).map(|p| point_row(sweep, p)).collect(),
    };
    // Printed, each arm's headline metrics are one part.
    format!(
        "<section id=\"points\">\n<h2>Points</h2>\n<p>{which} of <code>points.csv</code>: \
         each headline metric per intervention arm, its mean over replications{} with the {}. \
         The contrasts' rows and the per-replication effects are in <code>points.csv</code> and \
         <code>points-replications.csv</code>. Click a column heading to sort.</p>\n\
         {}</section>\n",
        not_means(sweep),
        interval_text(sweep),
        table.html(HEADLINE.len()),
    )
}

/// Point `p`'s key cells (its number and parameter values), then its
/// estimates of every arm's headline metrics.
fn point_row(sweep: &Sweep, p: usize) -> (Vec<String>, Vec<String>) {
    let mut keys = vec![format!("<td class=\"num\">{p}</td>")];
    keys.extend(sweep.parameters.iter().map(|parameter| {
        let level = parameter.level(p);
        let sort = if parameter.is_numeric() {
            parameter.position(level).to_string()
        } else {
            level.to_string()
        };
        format!(
            "<td class=\"num\" data-sort=\"{sort}\">{}</td>",
            html(&parameter.label(level))
        )
    }));
    let mut cells = Vec::new();
    for arm in &sweep.arms {
        cells.extend(
            HEADLINE
                .iter()
                .map(|metric| estimate_cell(sweep.estimate(arm, metric, p), metric)),
        );
    }
    (keys, cells)
}

fn estimate_cell(estimate: Option<Estimate>, metric: &str) -> String {
    let Some(mean) = estimate.and_then(|e| e.mean) else {
        return "<td class=\"num muted\" data-sort=\"\">—</td>".into();
    };
    let unit = metric_unit(metric);
    let interval = match estimate.and_then(|e| e.interval) {
        Some((lo, hi)) => format!("{} to {}", format::value(lo, unit), format::value(hi, unit)),
        None => "no interval".into(),
    };
    format!(
        "<td class=\"num\" data-sort=\"{mean}\"><span class=\"est\">{}</span>\
         <span class=\"ci\">{interval}</span></td>",
        format::value(mean, unit)
    )
}
