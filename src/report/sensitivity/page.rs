//! The self-contained page of a sensitivity folder, `sensitivity.html`.

use super::chart::Chart;
use super::data::{Index, Method, ParameterRange, Sensitivity, Stat};
use crate::report::Plot;
use crate::report::format::{self, Unit, html, metric_name, metric_unit};
use crate::report::html::{document, figures, overrides};

/// The whole page; `charts` are the plots' charts, one per output.
pub fn page(sensitivity: &Sensitivity, plots: &[Plot], charts: &[Chart]) -> String {
    let id = &sensitivity.identity;
    let title = format!("caasim sensitivity: {} of {}", id.method.title(), id.arm);
    document(
        &title,
        &[
            header(sensitivity),
            analysis(sensitivity),
            reading(sensitivity),
            figures(plots),
            ranking(sensitivity),
            indices(sensitivity, charts),
        ],
    )
}

fn count(n: u64, what: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {plural}")
    }
}

fn number(v: Option<u64>) -> String {
    v.map_or("unknown".into(), |v| v.to_string())
}

fn scenario_name(sensitivity: &Sensitivity) -> &str {
    (sensitivity.sweep.scenario_name.as_deref()).unwrap_or("the scenario")
}

fn header(sensitivity: &Sensitivity) -> String {
    let id = &sensitivity.identity;
    let k = id.parameters.len() as u64;
    let lead = format!(
        "How much each of {} drives {} of the arm {} against the baseline in {}, \
         each parameter drawn from its distribution.",
        count(k, "parameter", "parameters"),
        count(id.outputs.len() as u64, "effect", "effects"),
        html(&id.arm),
        html(scenario_name(sensitivity)),
    );
    format!(
        "<header>\n<p class=\"kicker\">caasim sensitivity · {model}</p>\n<h1>{} of {}</h1>\n\
         <p class=\"lead\">{lead}</p>\n<p class=\"meta\">{} · {} {} · {} points · \
         {} replications · seed {}</p>\n\
         <nav class=\"toc\"><a href=\"#analysis\">Analysis</a> <a href=\"#reading\">Reading</a> \
         <a href=\"#plots\">Plots</a> <a href=\"#ranking\">Ranking</a> \
         <a href=\"#indices\">Indices</a></nav>\n</header>\n",
        id.method.title(),
        html(&id.arm),
        html(scenario_name(sensitivity)),
        number(id.samples),
        id.method.samples(),
        number(sensitivity.points()),
        number(sensitivity.replications()),
        number(id.seed),
        model = format::model(sensitivity.sweep.model_version),
    )
}

fn analysis(sensitivity: &Sensitivity) -> String {
    let id = &sensitivity.identity;
    let ranges: Vec<String> = (0..id.parameters.len())
        .map(|p| range_row(&id.parameters[p], sensitivity.range(p)))
        .collect();
    let outputs: Vec<String> = (id.outputs.iter().enumerate())
        .map(|(o, output)| {
            let used = match (sensitivity.rows_used(o), id.samples) {
                (Some(n), Some(of)) => format!("{n} of {of}"),
                (Some(n), None) => n.to_string(),
                (None, _) => "unknown".into(),
            };
            format!(
                "<tr><td>{}<span class=\"id\">{}</span></td><td class=\"num\">{used}</td></tr>\n",
                html(&metric_name(output)),
                html(output)
            )
        })
        .collect();
    let drawn = match id.method {
        Method::Sobol => "a Saltelli design on a scrambled Sobol sequence",
        Method::Morris => "a grid of levels (random one-at-a-time trajectories)",
    };
    format!(
        "<section id=\"analysis\">\n<h2>What was analysed</h2>\n\
         <p>The design is {drawn} on the unit cube; each coordinate u was mapped to a value by \
         its parameter's inverse distribution function (the value with probability u below \
         it), so the indices are over the distributions below (a <code>--range</code> is \
         uniform over it; an integer field takes whole numbers). At each \
         point every arm ran and the effects of {} against the baseline were estimated as in a \
         sweep.</p>\n{}\
         {}\n{}</section>\n",
        html(&id.arm),
        range_table(&ranges.concat()),
        outputs_table(sensitivity, &outputs.concat()),
        screen(sensitivity),
    )
}

/// The table of the parameters with their distributions.
fn range_table(rows: &str) -> String {
    format!(
        "<div class=\"wide\"><table>\n<thead><tr><th>Parameter</th><th>Distribution</th>\
         <th>Low</th><th>High</th></tr></thead>\n<tbody>\n{rows}</tbody></table></div>\n"
    )
}

fn range_row(path: &str, range: Option<&ParameterRange>) -> String {
    let (dist, low, high) = match range {
        Some(r) => (r.distribution_text(), r.low.to_string(), r.high.to_string()),
        None => ("—".into(), "—".into(), "—".into()),
    };
    format!(
        "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{low}</td>\
         <td class=\"num\">{high}</td></tr>\n",
        html(path),
        html(&dist)
    )
}

/// The outputs with their samples used, and the facts of the analysis.
fn outputs_table(sensitivity: &Sensitivity, rows: &str) -> String {
    let id = &sensitivity.identity;
    format!(
        "<div class=\"wide\"><table>\n<thead><tr><th>Output</th><th>{} used \
         (every output defined)</th></tr></thead>\n<tbody>\n{rows}</tbody></table></div>\n\
         <dl class=\"prov\">{}</dl>",
        capitalised(id.method.samples()),
        facts(sensitivity)
    )
}

/// The Morris stage of a screening: its rule, what it kept, and every
/// parameter it screened with its distribution.
fn screen(sensitivity: &Sensitivity) -> String {
    let Some(screen) = &sensitivity.identity.screen else {
        return String::new();
    };
    let list = |paths: &[String]| {
        let items: Vec<String> = paths
            .iter()
            .map(|p| format!("<code>{}</code>", html(p)))
            .collect();
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    let rows: Vec<String> = (screen.ranges.iter())
        .map(|r| range_row(&r.parameter, Some(r)))
        .collect();
    format!(
        "<h3>Screening</h3>\n<p>This Sobol analysis is the second stage of a screening. The \
         first, Morris screening of every parameter below with {} trajectories, is in \
         <a href=\"{folder}/sensitivity.html\"><code>{folder}/</code></a>. A parameter was kept \
         for this stage when its μ* was at least {} of the largest μ* for at least one output. \
         Kept: {}. Screened out (ranked after the kept ones by their μ*): {}.</p>\n{}",
        screen.trajectories,
        screen.cutoff,
        list(&screen.kept),
        list(&screen.screened_out),
        range_table(&rows.concat()),
        folder = html(&screen.folder),
    )
}

/// `ranking.csv`: per output, the parameters from the most to the least influential.
fn ranking(sensitivity: &Sensitivity) -> String {
    if sensitivity.ranking.is_empty() {
        return String::new();
    }
    let rows: Vec<String> = (sensitivity.ranking.iter())
        .map(|r| {
            let value = r.value.map_or("—".to_string(), |v| format!("{v:.4}"));
            format!(
                "<tr><td data-sort=\"{output}\">{}<span class=\"id\">{output}</span></td>\
                 <td class=\"num\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>\
                 <td class=\"num\">{value}</td></tr>\n",
                html(&metric_name(&r.output)),
                r.rank,
                html(&r.parameter),
                html(&r.stage),
                html(&r.index),
                output = html(&r.output),
            )
        })
        .collect();
    format!(
        "<section id=\"ranking\">\n<h2>Ranking</h2>\n<p>The rows of <code>ranking.csv</code>: \
         per output, the parameters from the most influential (rank 1), by the total index ST \
         of a Sobol stage or by μ* of a Morris stage; in a screening, the parameters kept \
         for the Sobol stage come first, then those screened out, by μ*.</p>\n\
         <div class=\"wide\"><table class=\"sortable\">\n<thead><tr><th>Output</th>\
         <th>Rank</th><th>Parameter</th><th>Stage</th><th>Index</th><th>Value</th></tr>\
         </thead>\n<tbody>\n{}</tbody></table></div>\n</section>\n",
        rows.concat()
    )
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The rest of `sensitivity.json` and `sweep.json`, as definition list items.
fn facts(sensitivity: &Sensitivity) -> String {
    let id = &sensitivity.identity;
    let k = id.parameters.len();
    let samples = match (id.samples, id.method) {
        (Some(n), Method::Sobol) => format!(
            "{} (N × (k + 2) = {n} × {} = {} points)",
            count(n, "base row", "base rows"),
            k + 2,
            n * (k as u64 + 2)
        ),
        (Some(r), Method::Morris) => format!(
            "{} (r × (k + 1) = {r} × {} = {} points)",
            count(r, "trajectory", "trajectories"),
            k + 1,
            r * (k as u64 + 1)
        ),
        (None, _) => "unknown".into(),
    };
    let arms = if sensitivity.arms.is_empty() {
        "the baseline".to_string()
    } else {
        let names: Vec<String> = sensitivity.arms.iter().map(|a| html(a)).collect();
        format!("the baseline and {}", names.join(", "))
    };
    let runs = match sensitivity.runs() {
        Some(runs) => format!(
            "{} points × {} arms ({arms}) × {} replications = {runs} runs",
            number(sensitivity.points()),
            sensitivity.arm_count(),
            number(sensitivity.replications()),
        ),
        None => format!("unknown ({} arms: {arms})", sensitivity.arm_count()),
    };
    let items = [
        ("Method", id.method.title().to_string()),
        ("Arm analysed", html(&id.arm)),
        ("Samples", samples),
        (
            "Replications per arm and point",
            number(sensitivity.replications()),
        ),
        ("Seed", number(id.seed)),
        ("Runs used", runs),
        ("Bootstrap replicates", number(id.bootstrap)),
        ("Scenario", html(scenario_name(sensitivity))),
        (
            "Overrides at every point",
            overrides(&sensitivity.sweep.overrides),
        ),
        (
            "Program",
            html(&format::program(
                sensitivity.sweep.version.as_deref(),
                sensitivity.sweep.model_version,
            )),
        ),
    ];
    let list: Vec<String> = items
        .iter()
        .map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>"))
        .collect();
    list.concat()
}

fn reading(sensitivity: &Sensitivity) -> String {
    let id = &sensitivity.identity;
    let bootstrap = match id.bootstrap {
        Some(b) => format!("{b} bootstrap replicates"),
        None => "bootstrap replicates".into(),
    };
    let text = match id.method {
        Method::Sobol => format!(
            "Sobol indices split the variance of each output, as the parameters vary over \
             their ranges, among the parameters. The first-order index <strong>S1</strong> is \
             the share of the output's variance due to the parameter alone; the total index \
             <strong>ST</strong> is its share including every interaction with the other \
             parameters, so <strong>ST − S1</strong> is the share due to interactions. A \
             parameter with ST near 0 can be fixed anywhere in its range without changing the \
             output; the S1 add up to at most 1, and the remainder is interaction. The \
             intervals are 95% percentile intervals of {bootstrap}, each resampling the base \
             rows; they treat the quasi-random rows as independent and so are conservative. \
             With few base rows an estimate can fall a little below 0 or above 1."
        ),
        Method::Morris => format!(
            "Morris screening moves one parameter at a time along random trajectories; each \
             move gives an elementary effect, the change of the output per change of the \
             parameter, scaled to its whole distribution (a move of u in the unit cube, so a \
             uniform parameter's effect is per its whole range). <strong>μ*</strong>, the mean absolute \
             elementary effect, measures the parameter's overall influence; <strong>μ</strong>, \
             the signed mean, its direction when its effects share a sign; <strong>σ</strong>, \
             their standard deviation, is large when the effect depends on where the parameter \
             or the others are: non-linearity or interactions. Morris is for screening: it \
             ranks the parameters to find the few that matter and those that can be fixed, but \
             does not apportion the variance. The intervals of μ* are 95% percentile intervals \
             of {bootstrap}, each resampling the trajectories."
        ),
    };
    format!(
        "<section id=\"reading\">\n<h2>How to read the indices</h2>\n<p>{text}</p>\n</section>\n"
    )
}

/// One row per output and parameter, parameters in the order of the plots.
fn indices(sensitivity: &Sensitivity, charts: &[Chart]) -> String {
    let id = &sensitivity.identity;
    let method = id.method;
    let mut heads = vec!["<th>Output</th>".to_string(), "<th>Parameter</th>".into()];
    heads.extend(
        method
            .stats()
            .iter()
            .map(|s| format!("<th>{}</th>", s.symbol())),
    );
    if method == Method::Sobol {
        heads.push("<th>ST − S1</th>".into());
    }
    let mut rows = String::new();
    for (o, (output, chart)) in id.outputs.iter().zip(charts).enumerate() {
        let unit = match method {
            Method::Sobol => Unit::Plain,
            Method::Morris => metric_unit(output),
        };
        for path in chart.order() {
            let p = (id.parameters.iter().position(|q| q == path)).unwrap_or_default();
            let mut cells = vec![
                format!(
                    "<td data-sort=\"{}\">{}<span class=\"id\">{}</span></td>",
                    html(output),
                    html(&metric_name(output)),
                    html(output)
                ),
                format!("<td><code>{}</code></td>", html(path)),
            ];
            let stats: Vec<Index> = (method.stats().iter())
                .map(|s| sensitivity.index(o, p, *s))
                .collect();
            cells.extend(stats.iter().map(|i| index_cell(*i, unit, method)));
            if method == Method::Sobol {
                let [s1, st] = [Stat::S1, Stat::ST].map(|s| sensitivity.index(o, p, s).value);
                let interaction = Index {
                    value: st.zip(s1).map(|(t, f)| t - f),
                    interval: None,
                };
                cells.push(index_cell(interaction, unit, method));
            }
            rows.push_str(&format!("<tr>{}</tr>\n", cells.concat()));
        }
    }
    let what = match method {
        Method::Sobol => {
            "S1 and ST with their 95% bootstrap intervals (how precisely the design's base \
             rows pin down each index: resampling the rows), and the share due to interactions"
        }
        Method::Morris => {
            "μ* with its 95% bootstrap interval (how precisely the trajectories pin it down: \
             resampling them), μ and σ, in the output's unit over each parameter's range"
        }
    };
    format!(
        "<section id=\"indices\">\n<h2>Indices</h2>\n<p>The rows of <code>indices.csv</code>: \
         {what}; — marks an index that is not defined. Click a column heading to sort.</p>\n\
         <div class=\"wide\"><table class=\"sortable\">\n<thead><tr>{}</tr></thead>\n\
         <tbody>\n{rows}</tbody></table></div>\n</section>\n",
        heads.concat()
    )
}

fn index_cell(index: Index, unit: Unit, method: Method) -> String {
    let Some(value) = index.value else {
        return "<td class=\"num muted\" data-sort=\"\">—</td>".into();
    };
    let show = |v: f64| match method {
        Method::Sobol => format::index(v),
        Method::Morris => format::value(v, unit),
    };
    let interval = match index.interval {
        Some((lo, hi)) => format!("<span class=\"ci\">{} to {}</span>", show(lo), show(hi)),
        None => String::new(),
    };
    format!(
        "<td class=\"num\" data-sort=\"{value}\"><span class=\"est\">{}</span>{interval}</td>",
        show(value)
    )
}
