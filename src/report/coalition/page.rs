//! The self-contained page of a coalition folder, `coalition.html`.

use super::data::{Best, Coalition, Partner};
use crate::report::Plot;
use crate::report::format::{self, Unit, html, metric_name, metric_unit};
use crate::report::html::{document, figures, overrides};
use crate::report::printable::WideTable;
use crate::stats::Estimate;

/// Metrics per printed part of the subsets table.
const PRINT_METRICS: usize = 3;

/// The whole page.
pub fn page(coalition: &Coalition, plots: &[Plot]) -> String {
    let id = &coalition.identity;
    let title = format!("caasim coalition: the partners of {}", id.arm);
    document(
        &title,
        &[
            header(coalition),
            run(coalition),
            reading(coalition),
            best(coalition),
            efficiency(coalition),
            figures(plots),
            values(coalition),
            subsets(coalition),
        ],
    )
}

fn header(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let lead = format!(
        "What each of the {} partners of the coalition of the arm {} adds to its \
         effects against the baseline in {}: its Shapley value, its contribution averaged \
         over every order in which the partners could join, beside its value alone and \
         added last.",
        id.partners.len(),
        html(&id.arm),
        html(&id.scenario_name),
    );
    format!(
        "<header>\n<p class=\"kicker\">caasim coalition · {model}</p>\n<h1>The partners of {}</h1>\n\
         <p class=\"lead\">{lead}</p>\n<p class=\"meta\">{} partners · {} subsets run · {} · \
         {} replications · seed {}</p>\n\
         <nav class=\"toc\"><a href=\"#run\">What was run</a> <a href=\"#reading\">Reading</a> \
         <a href=\"#best\">Best partner to add</a> <a href=\"#efficiency\">Efficiency</a> \
         <a href=\"#plots\">Plots</a> <a href=\"#values\">Values</a> \
         <a href=\"#subsets\">Subsets</a></nav>\n</header>\n",
        html(&id.arm),
        id.partners.len(),
        id.subsets,
        method(coalition),
        id.replications,
        id.seed,
        model = format::model(id.model_version),
    )
}

/// How the values were computed, in words.
fn method(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    match id.permutations {
        Some(m) if id.sampled() => format!("{m} sampled orders"),
        _ => "every subset (exact)".into(),
    }
}

fn run(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let rows: Vec<String> = (id.partners.iter())
        .map(|name| partner_row(coalition, name))
        .collect();
    format!(
        "<section id=\"run\">\n<h2>What was run</h2>\n<p>The partners are those of the arm's \
         interventions with a coalition (takedowns, payment disruptions), a name in several \
         of them being one partner. For every \
         subset S of them the arm ran with each coalition cut down to the partners in S (the \
         empty subset: those interventions act on no one; the arm's other interventions \
         stay), all \
         in one model with the baseline, so that the arms of a replication share their \
         random numbers.</p>\n<div class=\"wide\"><table>\n<thead><tr><th>Partner</th>\
         <th>Acts</th><th>Where</th><th>Effectiveness</th><th>Cost per strike</th>\
         <th>In</th></tr></thead>\n<tbody>\n{}</tbody></table></div>\n\
         <dl class=\"prov\">{}</dl>\n</section>\n",
        rows.concat(),
        facts(coalition)
    )
}

/// A partner's row: what it does where, in each intervention it is part of.
fn partner_row(coalition: &Coalition, name: &str) -> String {
    let appearances: Vec<(usize, &str, &Partner)> = (coalition.identity.interventions.iter())
        .flat_map(|t| {
            (t.coalition.iter())
                .filter(|p| p.name == name)
                .map(move |p| (t.intervention, t.kind.as_str(), p))
        })
        .collect();
    let list = |f: &dyn Fn(&(usize, &str, &Partner)) -> String| {
        let mut items: Vec<String> = appearances.iter().map(f).collect();
        items.dedup();
        items.join("; ")
    };
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td>{}</td></tr>\n",
        html(name),
        html(&list(&|a| a.2.acts.clone())),
        html(&list(&|a| a.2.jurisdiction.clone())),
        list(&|a| format::value(a.2.effectiveness, Unit::Share)),
        list(&|a| format::value(a.2.cost_usd, Unit::Usd)),
        html(&list(&|a| format!("intervention {} ({})", a.0, a.1))),
    )
}

/// The rest of `coalition.json`, as definition list items.
fn facts(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let replications = match id.draws() {
        Some(draws) => format!(
            "{} ({draws} parameter draws of {} replications)",
            id.replications,
            id.replications_per_draw.unwrap_or_default()
        ),
        None => id.replications.to_string(),
    };
    let items = [
        ("Arm analysed", html(&id.arm)),
        ("Method", method(coalition)),
        ("Subsets run as arms", id.subsets.to_string()),
        ("Replications of each", replications),
        ("Seed", id.seed.to_string()),
        ("Scenario", html(&id.scenario_name)),
        ("Scenario file", html(&id.scenario_file)),
        ("Overrides", overrides(&id.overrides)),
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

fn reading(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let units = coalition.units();
    let ensemble = match id.replications_per_draw {
        Some(_) => {
            " The scenario is an ensemble: the means are over its parameter draws' \
                    means, and the intervals cover the spread between draws (the uncertain \
                    parameters) as well as the noise."
        }
        None => {
            " The scenario's parameters are fixed: the intervals say nothing of how the \
                 values would change with other assumptions."
        }
    };
    let sampled = match id.sampled() {
        true => format!(
            " The Shapley values are estimated from {} random orders of the partners (Castro, \
             Gómez and Tejada 2009), drawn from the seed: the interval is for those orders; \
             the error of sampling the orders is given apart (the orders' standard error in \
             the table) and falls with more orders (<code>--permutations</code>).",
            id.permutations.unwrap_or_default()
        ),
        false => String::new(),
    };
    format!(
        "<section id=\"reading\">\n<h2>How to read the values</h2>\n<p>For each metric, v(S) \
         is the effect, against the baseline, of the arm with only the partners in S acting. \
         A partner's <strong>Shapley value</strong> is its contribution v(S + i) − v(S) \
         averaged over every order in which the partners could join: the values add up to \
         the full coalition's effect less the empty coalition's, v(N) − v(∅), so they share \
         the effect out. <strong>Alone</strong> is v({{i}}) − v(∅), what the partner would \
         achieve by itself; <strong>added last</strong> is v(N) − v(N − i), what the \
         coalition loses without it. A partner whose police or courts act where the targets \
         have nothing to take adds 0 to every effect but the defender's cost (its own), \
         unless providers relocate or place capacity by risk (its action still closes its \
         jurisdiction to them). In the metric's better direction, partners that complement \
         each other have a value alone smaller than their value added last, partners that \
         do the same work twice a larger one. The days to recover are not shared out: a censored median is not \
         additive.</p>\n<p>Each value is computed replication by replication from the \
         subsets' effects in that replication (paired: the arms share their random numbers), \
         over the replications where every subset's effect is defined; the estimate is its \
         mean with the 95% Student-t interval over {units}. The intervals cover the noise \
         between replications.{ensemble}{sampled}</p>\n</section>\n"
    )
}

fn best(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let chosen = (id.best.iter())
        .find(|b| b.metric == id.metric)
        .map_or_else(
            || {
                format!(
                    "<p>No partner's value added last is defined for {}.</p>\n",
                    html(&metric_name(&id.metric))
                )
            },
            |b| format!("<p class=\"lead\">{}</p>\n", best_sentence(coalition, b)),
        );
    let rows: Vec<String> = (id.best.iter())
        .map(|b| {
            let unit = metric_unit(&b.metric);
            let difference = (b.difference.as_ref()).map(|d| d.estimate());
            format!(
                "<tr><td>{}<span class=\"id\">{}</span></td><td>{}</td><td>{}</td><td>{}</td>{}\
                 <td>{}</td></tr>\n",
                html(&metric_name(&b.metric)),
                html(&b.metric),
                html(&b.better),
                html(&b.partner),
                html(b.runner_up.as_deref().unwrap_or("—")),
                difference.map_or("<td class=\"num muted\">—</td>".into(), |d| cell(
                    &d, unit
                )),
                verdict(b),
            )
        })
        .collect();
    format!(
        "<section id=\"best\">\n<h2>The best single partner to add</h2>\n{chosen}<p>Per \
         metric: the partner whose value added last is best in the metric's better direction, \
         the runner-up, and the paired difference of their values added last (best minus \
         runner-up, replication by replication) with its 95% interval.</p>\n\
         <div class=\"wide\"><table>\n<thead><tr><th>Metric</th><th>Better</th><th>Best</th>\
         <th>Runner-up</th><th>Difference</th><th>Separated</th></tr></thead>\n<tbody>\n{}\
         </tbody></table></div>\n</section>\n",
        rows.concat()
    )
}

/// The headline metric's best partner in a sentence.
fn best_sentence(coalition: &Coalition, b: &Best) -> String {
    let metric = metric_name(&b.metric).to_lowercase();
    let lead = format!(
        "On {}, the best single partner to add to the others is <strong>{}</strong>",
        html(&metric),
        html(&b.partner)
    );
    let (Some(runner_up), Some(d)) = (&b.runner_up, &b.difference) else {
        return format!("{lead}.");
    };
    let d = d.estimate();
    let unit = metric_unit(&b.metric);
    let how = match b.separated {
        Some(true) => "its 95% interval separates it from",
        Some(false) => "its 95% interval does not separate it from",
        None => "too few replications to tell it from",
    };
    format!(
        "{lead}: {how} the runner-up {} (added last, {} minus {}: {} over {}).",
        html(runner_up),
        html(&b.partner),
        html(runner_up),
        estimate_text(&d, unit),
        coalition.units()
    )
}

fn verdict(b: &Best) -> &'static str {
    match b.separated {
        Some(true) => "yes",
        Some(false) => "no",
        None => "—",
    }
}

fn efficiency(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let rows: Vec<String> = (id.efficiency.iter())
        .map(|e| {
            let unit = metric_unit(&e.metric);
            let total = e.full_minus_empty.estimate();
            let sum = e.shapley_sum.map_or("—".into(), |s| format::value(s, unit));
            let gap = e.largest_gap.map_or("—".into(), |g| format!("{g:.3e}"));
            format!(
                "<tr><td>{}<span class=\"id\">{}</span></td><td class=\"num\">{sum}</td>{}\
                 <td class=\"num\">{gap}</td><td class=\"num\">{}</td></tr>\n",
                html(&metric_name(&e.metric)),
                html(&e.metric),
                cell(&total, unit),
                total.n
            )
        })
        .collect();
    format!(
        "<section id=\"efficiency\">\n<h2>Efficiency: the values add up</h2>\n<p>The Shapley \
         values of a replication sum to v(N) − v(∅) in that replication; so do their means. \
         Per metric: the sum of the partners' Shapley estimates, the full coalition's effect \
         less the empty coalition's over the same replications, the largest gap between the \
         two in any one replication (float rounding only) and the replications used.</p>\n\
         <div class=\"wide\"><table>\n<thead><tr><th>Metric</th><th>Sum of Shapley values</th>\
         <th>v(N) − v(∅)</th><th>Largest gap</th><th>Replications used</th></tr></thead>\n\
         <tbody>\n{}</tbody></table></div>\n</section>\n",
        rows.concat()
    )
}

fn values(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let se = id.sampled();
    let mut rows = String::new();
    for (m, metric) in id.metrics.iter().enumerate() {
        let unit = metric_unit(metric);
        for v in coalition.values_of(m) {
            let orders = match se {
                true => format!(
                    "<td class=\"num\">{}</td>",
                    v.orders_se.map_or("—".into(), |s| format::value(s, unit))
                ),
                false => String::new(),
            };
            rows.push_str(&format!(
                "<tr><td data-sort=\"{metric}\">{}<span class=\"id\">{metric}</span></td>\
                 <td>{}</td>{}{}{}<td class=\"num\">{}</td>{orders}</tr>\n",
                html(&metric_name(metric)),
                html(&id.partners[v.partner]),
                cell(&v.shapley, unit),
                cell(&v.alone, unit),
                cell(&v.added_last, unit),
                v.shapley.n,
                metric = html(metric),
            ));
        }
    }
    let orders_head = if se { "<th>Orders' s.e.</th>" } else { "" };
    format!(
        "<section id=\"values\">\n<h2>Values</h2>\n<p>The rows of <code>shapley.csv</code>: \
         each partner's Shapley value, value alone and value added last, with their 95% \
         intervals over {}; — marks a value that is not defined. Click a column heading to \
         sort.</p>\n<div class=\"wide\"><table class=\"sortable\">\n<thead><tr><th>Metric</th>\
         <th>Partner</th><th>Shapley value</th><th>Alone</th><th>Added last</th>\
         <th>Replications used</th>{orders_head}</tr></thead>\n<tbody>\n{rows}</tbody></table>\
         </div>\n</section>\n",
        coalition.units()
    )
}

fn subsets(coalition: &Coalition) -> String {
    let id = &coalition.identity;
    let rows = (coalition.subset_arms().into_iter())
        .map(|(arm, partners)| {
            let name = match partners.is_empty() {
                true => "none".to_string(),
                false => partners.join(" + "),
            };
            let cells = (id.metrics.iter().enumerate())
                .map(|(m, metric)| match coalition.effect(arm, m) {
                    Some(e) => cell(&e, metric_unit(metric)),
                    None => "<td class=\"num muted\">—</td>".into(),
                })
                .collect();
            let key = format!(
                "<td data-sort=\"{}\">{}<span class=\"id\">{}</span></td>",
                partners.len(),
                html(&name),
                html(arm)
            );
            (vec![key], cells)
        })
        .collect();
    let table = WideTable {
        class: "",
        key_heads: vec!["<th>Partners acting</th>".into()],
        heads: (id.metrics.iter())
            .map(|m| format!("<th>{}</th>", html(&metric_name(m))))
            .collect(),
        rows,
    };
    format!(
        "<section id=\"subsets\">\n<h2>Subsets</h2>\n<p>The rows of <code>subsets.csv</code>: \
         the effect against the baseline of the arm with only these partners acting, with its \
         95% interval over {}, over the replications where it is defined.</p>\n{}</section>\n",
        coalition.units(),
        table.html(PRINT_METRICS)
    )
}

/// A table cell of an estimate and its interval.
fn cell(e: &Estimate, unit: Unit) -> String {
    let Some(mean) = e.mean else {
        return "<td class=\"num muted\" data-sort=\"\">—</td>".into();
    };
    let interval = match e.ci_low.zip(e.ci_high) {
        Some((lo, hi)) => format!(
            "<span class=\"ci\">{} to {}</span>",
            format::value(lo, unit),
            format::value(hi, unit)
        ),
        None => String::new(),
    };
    format!(
        "<td class=\"num\" data-sort=\"{mean}\"><span class=\"est\">{}</span>{interval}</td>",
        format::value(mean, unit)
    )
}

/// An estimate in words: `12 [3 to 21]`.
fn estimate_text(e: &Estimate, unit: Unit) -> String {
    match (e.mean, e.ci_low, e.ci_high) {
        (Some(m), Some(lo), Some(hi)) => format!(
            "{} [{} to {}]",
            format::value(m, unit),
            format::value(lo, unit),
            format::value(hi, unit)
        ),
        (Some(m), _, _) => format::value(m, unit),
        _ => "undefined".into(),
    }
}
