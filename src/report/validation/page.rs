//! The self-contained page of a validation folder, `validation.html`.

use super::data::{CaseInfo, Identity, Row};
use crate::experiment::calibrate::Role;
use crate::report::Plot;
use crate::report::format::{self, html, metric_name, metric_unit};
use crate::report::html::{document, figure};

/// The whole page.
pub fn page(identity: &Identity, rows: &[Row], plots: &[Plot]) -> String {
    let mut sections = vec![header(identity), coverage(rows), cases(identity, rows)];
    for case in &identity.cases {
        let mut names = vec![super::case_name(&case.name)];
        for row in rows
            .iter()
            .filter(|r| r.case == case.name && r.day.is_some())
        {
            let name = super::series_name(&case.name, &row.target);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let shown: Vec<&Plot> = (names.iter())
            .filter_map(|name| plots.iter().find(|p| &p.name == name))
            .collect();
        sections.push(case_section(case, rows, &shown));
    }
    document("caasim validation against real takedowns", &sections)
}

fn header(identity: &Identity) -> String {
    format!(
        "<header>\n<h1>Validation against what happened</h1>\n<p class=\"lead\">{} cases, \
         each a published intervention read through the model. Every case runs with one shared \
         parameter set, except at most two parameters of its own, calibrated to its \
         <em>fit</em> targets only; the fitted model then predicts every target. A \
         <em>check</em> target (a later window, a second wave, another measure) is never \
         fitted: whether its observation lies inside the prediction's interval is the test. \
         Intervals: {}.</p>\n<p>{}.</p>\n</header>\n",
        identity.cases.len(),
        html(&identity.interval),
        html(&format::program(
            Some(&identity.version),
            identity.model_version
        ))
    )
}

/// The coverage of the intervals: fit and check targets, values and
/// bounds apart.
fn coverage(rows: &[Row]) -> String {
    let line = |role: Role, bounds: bool| {
        let of_group: Vec<&Row> = (rows.iter())
            .filter(|r| r.role == role && (r.bound != "equal") == bounds)
            .collect();
        let judged: Vec<bool> = of_group.iter().filter_map(|r| r.inside).collect();
        let inside = judged.iter().filter(|i| **i).count();
        let share = match judged.len() {
            0 => "—".to_string(),
            n => format!("{:.0}%", 100.0 * inside as f64 / n as f64),
        };
        format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{inside} of {}</td>\
             <td class=\"num\">{share}</td></tr>\n",
            role.name(),
            if bounds { "bounds" } else { "values" },
            of_group.len(),
            judged.len()
        )
    };
    format!(
        "<section id=\"coverage\">\n<h2>Coverage</h2>\n<p>How many observations lie inside the 90% \
         interval of what would be observed: the predicted values blurred by the observation's \
         own error, its sd. For a value, with honest intervals about 90% would; far fewer means \
         the model, or the reading of the case, misses something. A bound (\"at least\", \"at \
         most\") counts as inside when some of the interval reaches its allowed side: a \
         one-sided test, met at least 95% of the time when the model is right, and more easily \
         still when the bound is loose, so bounds are counted apart. Fit targets were fitted, \
         so their coverage flatters the model; the check targets are the test.</p>\n<table>\n\
         <thead><tr><th>Targets</th><th>Observations</th><th>Count</th><th>Inside</th>\
         <th>Share</th></tr></thead>\n<tbody>\n{}{}{}{}</tbody></table>\n</section>\n",
        line(Role::Fit, false),
        line(Role::Fit, true),
        line(Role::Check, false),
        line(Role::Check, true)
    )
}

/// One line per case: fit z range and check targets inside.
fn cases(identity: &Identity, rows: &[Row]) -> String {
    let lines: Vec<String> = (identity.cases.iter())
        .map(|case| {
            let of = |role: Role| {
                rows.iter()
                    .filter(move |r| r.case == case.name && r.role == role)
            };
            let worst = (of(Role::Fit).filter_map(|r| r.z))
                .map(f64::abs)
                .reduce(f64::max)
                .map_or("—".into(), |z| format!("{z:.2}"));
            let judged: Vec<bool> = of(Role::Check).filter_map(|r| r.inside).collect();
            let inside = judged.iter().filter(|i| **i).count();
            format!(
                "<tr><td><a href=\"#case-{0}\">{1}</a><span class=\"id\">{0}</span></td>\
                 <td class=\"num\">{2}</td><td class=\"num\">{worst}</td>\
                 <td class=\"num\">{inside} of {3}</td></tr>\n",
                html(&case.name),
                html(&case.title),
                of(Role::Fit).count(),
                judged.len()
            )
        })
        .collect();
    format!(
        "<section id=\"cases\">\n<h2>Cases</h2>\n<table>\n<thead><tr><th>Case</th>\
         <th>Fit targets</th><th>Largest |z| of a fit target</th><th>Check targets inside \
         their interval</th></tr></thead>\n<tbody>\n{}</tbody></table>\n</section>\n",
        lines.concat()
    )
}

fn case_section(case: &CaseInfo, rows: &[Row], plots: &[&Plot]) -> String {
    let calibrated: Vec<String> = (case.calibrated.iter())
        .map(|c| {
            format!(
                "<code>{}</code> ({} to {})",
                html(&c.parameter),
                c.low,
                c.high
            )
        })
        .collect();
    let table: Vec<String> = (rows.iter())
        .filter(|r| r.case == case.name)
        .map(target_row)
        .collect();
    format!(
        "<section id=\"case-{name}\">\n<h2>{title}</h2>\n<p>{happened}</p>\n\
         <p><strong>What the model lacks:</strong> {missing}</p>\n\
         <p>Calibrated: {calibrated}; every other parameter from the shared set. \
         <a href=\"{name}/calibration/calibration.html\">The calibration</a>.</p>\n{figure}\
         <div class=\"wide\"><table class=\"sortable\">\n<thead><tr><th>Role</th><th>Target</th>\
         <th>Arm</th><th>Measure</th><th>Observed</th><th>sd</th><th>Predicted</th>\
         <th>90% interval</th><th>90% interval of an observation</th><th>z</th><th>Inside</th>\
         </tr></thead>\n<tbody>\n{rows}\
         </tbody></table></div>\n</section>\n",
        name = html(&case.name),
        title = html(&case.title),
        happened = html(&case.happened),
        missing = html(&case.missing),
        calibrated = if calibrated.is_empty() {
            "nothing".into()
        } else {
            calibrated.join(", ")
        },
        figure = plots.iter().map(|p| figure(p)).collect::<String>(),
        rows = table.concat()
    )
}

fn target_row(row: &Row) -> String {
    let unit = metric_unit(&row.measure);
    let value = |v: f64| format::value(v, unit);
    let observed = match row.bound.as_str() {
        "at_least" => format!("at least {}", value(row.observed)),
        "at_most" => format!("at most {}", value(row.observed)),
        _ => value(row.observed),
    };
    let arm = match row.versus.as_str() {
        "" => html(&row.arm),
        versus => format!("{} against {}", html(&row.arm), html(versus)),
    };
    let day = row.day.map_or(String::new(), |d| format!(" (day {d})"));
    let range = |band: Option<(f64, f64)>| {
        band.map_or("—".into(), |(l, h)| {
            format!("{} to {}", value(l), value(h))
        })
    };
    let (interval, observable) = (range(row.band), range(row.observable));
    let inside = match row.inside {
        Some(true) => "yes",
        Some(false) => "<strong>no</strong>",
        None => "—",
    };
    format!(
        "<tr><td>{}</td><td>{}{day}</td><td>{arm}</td><td>{}</td><td class=\"num\">{observed}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{interval}</td>\
         <td class=\"num\">{observable}</td><td class=\"num\">{}</td><td>{inside}</td></tr>\n",
        row.role.name(),
        html(&row.target),
        html(&metric_name(&row.measure)),
        value(row.sd),
        row.simulated.map_or("not defined".into(), value),
        row.z.map_or("—".into(), |z| format!("{z:+.2}")),
    )
}
