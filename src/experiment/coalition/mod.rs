//! `caasim coalition`: the value of each partner of an arm's coalition,
//! as its Shapley value ([`super::shapley`]) in the game whose value of a
//! subset S of the partners is the effect, against the baseline, of the
//! arm with every coalition (of its takedowns and payment disruptions)
//! restricted to S ([`partners`]).
//!
//! Every subset's arm runs in one model with the baseline, so the arms of
//! one replication share their random numbers (and, in an ensemble, their
//! parameter draw): each replication gives a value `v(S)` of every subset
//! and metric, and so each partner's Shapley value, its value alone
//! (`v({i}) - v(empty)`) and its value added last (`v(N) - v(N - i)`), all
//! linear combinations of paired effects ([`estimates`]). Their estimates
//! and 95% intervals are over the replications (in an ensemble over the
//! parameter draws' means) as the effects' are. With at most
//! [`EXHAUSTIVE_LIMIT`] partners every subset runs (`2^k` arms); with more,
//! or when asked, `M` random orders of the partners are drawn from a stream
//! keyed on the scenario's seed and the subsets their prefixes need run.
//!
//! The folder ([`files`]) holds `subsets.csv`, `shapley.csv` and, written
//! last, `coalition.json` (a folder without it is unfinished).

pub mod estimates;
pub mod files;
pub mod partners;

use super::metrics::METRICS;
use super::shapley::{self, Estimator, Players, everyone, sort_coalitions};
use crate::model::Model;
use crate::model::params::{Arm, Uncertain};
use crate::rng::{Purpose, RunKey};
use crate::scenario;
use partners::Acting;
use std::collections::BTreeMap;

/// Most partners analysed exhaustively (`2^k` subsets); beyond, orders are sampled.
pub const EXHAUSTIVE_LIMIT: usize = 6;

/// Most subsets (arms besides the baseline) one analysis runs.
pub const MAX_SUBSETS: usize = 4096;

/// Which direction of a metric is better for the defenders (what the best
/// partner to add is judged by).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (compromises averted).
    Higher,
    /// Less is better (campaigns, defender cost, capacity moved away).
    Lower,
}

impl Better {
    /// Its name in `coalition.json`.
    pub fn name(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }
}

/// The metrics whose values the game shares out, with the direction that
/// is better for the defenders: mean effects, additive over replications.
/// Not `days_to_recover`, a censored median, which is not additive.
pub const GAME_METRICS: &[(&str, Better)] = &[
    ("campaigns_change_pct", Better::Lower),
    ("compromises_averted", Better::Higher),
    ("losses_averted_usd", Better::Higher),
    ("cost_per_compromise_change_pct", Better::Higher),
    ("defender_cost_usd", Better::Lower),
    ("capacity_relocated_share", Better::Lower),
];

/// The metric named `name` among [`GAME_METRICS`]: its index there.
pub fn game_metric(name: &str) -> Option<usize> {
    GAME_METRICS.iter().position(|(m, _)| *m == name)
}

/// How the Shapley values are computed.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Every subset runs.
    Exhaustive,
    /// The subsets of the prefixes of these random orders run.
    Sampled(Vec<Vec<usize>>),
}

impl Method {
    /// Its name in `coalition.json`.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Exhaustive => "exhaustive",
            Method::Sampled(_) => "sampled",
        }
    }

    /// The number of orders drawn (`None` when exhaustive).
    pub fn permutations(&self) -> Option<usize> {
        match self {
            Method::Exhaustive => None,
            Method::Sampled(orders) => Some(orders.len()),
        }
    }
}

/// The game of one arm's partners, ready to run.
pub struct Game {
    /// The arm analysed.
    pub arm: String,
    /// Its interventions that name a coalition, as written.
    pub acting: Vec<Acting>,
    /// The partners, in order of first appearance.
    pub partners: Vec<String>,
    /// How the values are computed.
    pub method: Method,
    /// The Shapley estimator of that method.
    pub estimator: Estimator,
    /// The subsets run, smallest first: arm `a` (from 1) of `model` is
    /// subset `subsets[a - 1]`.
    pub subsets: Vec<Players>,
    /// The baseline and one arm per subset.
    pub model: Model,
}

impl Game {
    /// The game of arm `arm` of `model` (loaded from `origin`), exhaustive
    /// unless it has more than [`EXHAUSTIVE_LIMIT`] partners or
    /// `permutations` orders are asked for; the error says what is wrong
    /// and what is allowed.
    pub fn new(
        model: &Model,
        origin: &str,
        arm: &str,
        permutations: Option<usize>,
    ) -> Result<Game, String> {
        let (written, partners) = partners::arm_and_partners(model, arm)?;
        let k = partners.len();
        let method = match permutations {
            Some(0) => return Err("--permutations 0; allowed: 1 or more".into()),
            Some(m) => Method::Sampled(orders(model.seed, k, m)),
            None if k <= EXHAUSTIVE_LIMIT => Method::Exhaustive,
            None => return Err(too_many(arm, &partners)),
        };
        let estimator = match &method {
            Method::Exhaustive => Estimator::exact(k),
            Method::Sampled(orders) => Estimator::from_orders(k, orders),
        };
        let subsets = subsets_run(&estimator);
        if subsets.len() > MAX_SUBSETS {
            return Err(format!(
                "--permutations {}: the orders need {} subsets of the {k} partners run as arms; allowed: at most {MAX_SUBSETS} (fewer orders)",
                permutations.unwrap_or_default(),
                subsets.len()
            ));
        }
        let model = subset_model(model, origin, written, &partners, &subsets)?;
        Ok(Game {
            arm: arm.to_string(),
            acting: partners::acting(written),
            partners,
            method,
            estimator,
            subsets,
            model,
        })
    }

    /// The arm (from 1) of subset `set`, which the game runs.
    pub fn arm_of(&self, set: Players) -> usize {
        let key = |s: &Players| (s.count_ones(), *s);
        let at = self.subsets.binary_search_by_key(&key(&set), key);
        1 + at.expect("the game runs every subset it reads")
    }

    /// Every partner.
    pub fn everyone(&self) -> Players {
        everyone(self.partners.len())
    }

    /// The index in [`METRICS`] of each of [`GAME_METRICS`].
    pub fn metric_indices() -> Vec<usize> {
        (GAME_METRICS.iter())
            .map(|(name, _)| {
                (METRICS.iter().position(|m| m.name == *name))
                    .expect("every game metric is a metric")
            })
            .collect()
    }
}

/// The error of an arm with too many partners for an exhaustive analysis.
fn too_many(arm: &str, partners: &[String]) -> String {
    format!(
        "--arm {arm}: {} partners ({}) are more than the {EXHAUSTIVE_LIMIT} an exhaustive analysis runs (2^k subsets as arms); allowed: at most {EXHAUSTIVE_LIMIT} partners, or --permutations M to sample M orders of the partners (Castro, Gómez and Tejada 2009)",
        partners.len(),
        partners.join(", ")
    )
}

/// `m` random orders of `k` partners from the stream keyed on `seed`
/// (`RunKey { seed, replication: u64::MAX - 3 }.market(Purpose::Design, 0)`,
/// used by nothing else), so the same seed draws the same orders.
fn orders(seed: u64, k: usize, m: usize) -> Vec<Vec<usize>> {
    let key = RunKey {
        seed,
        replication: u64::MAX - 3,
    };
    shapley::random_orders(k, m, &mut key.market(Purpose::Design, 0))
}

/// The subsets the estimator reads, with those every partner's values
/// alone and added last need: the empty set, each partner alone, everyone
/// but each partner, and everyone.
fn subsets_run(estimator: &Estimator) -> Vec<Players> {
    let k = estimator.players;
    let all = everyone(k);
    let mut sets = estimator.coalitions();
    sets.extend([0, all]);
    sets.extend((0..k).flat_map(|i| [1 << i, all & !(1 << i)]));
    sort_coalitions(&mut sets);
    sets
}

/// The model of the baseline and one arm per subset of `partners` of arm
/// `arm` of `model`, validated as a scenario of its own (origin `origin`).
fn subset_model(
    model: &Model,
    origin: &str,
    arm: &Arm,
    partners: &[String],
    subsets: &[Players],
) -> Result<Model, String> {
    let mut scenario = model.scenario.clone();
    scenario.uncertain = uncertain_kept(model, &arm.name)?;
    scenario.arms.retain(|a| a.name == "baseline");
    scenario
        .arms
        .extend((subsets.iter()).map(|&set| partners::restricted(arm, partners, set)));
    let text = scenario::resolved_toml(&scenario);
    let origin = format!(
        "{origin} (arm {} split into {} subsets)",
        arm.name,
        subsets.len()
    );
    scenario::load_text(&text, &origin, &[]).map_err(|e| e.to_string())
}

/// The uncertain parameters of the subsets' model: those of `model` (a key
/// fixed by `--set` stays fixed) but the keys of arms it does not run (each
/// parameter draws from its own stream, so the others draw as before); a
/// key of the arm analysed or of the baseline is refused, as the arms of
/// the model are not those of the file.
fn uncertain_kept(model: &Model, arm: &str) -> Result<BTreeMap<String, Uncertain>, String> {
    let mut kept = BTreeMap::new();
    for (key, dist) in &model.scenario.uncertain {
        if !model.uncertain.iter().any(|p| &p.key == key) {
            continue;
        }
        match arm_of_key(&model.scenario.arms, key) {
            Some(name) if name == arm || name == "baseline" => {
                return Err(format!(
                    "[uncertain] {key:?} sets a key of the arm {name}, whose subsets' arms replace it; allowed: uncertain keys outside it (fix this one with --set {key}=VALUE)"
                ));
            }
            Some(_) => {}
            None => {
                kept.insert(key.clone(), dist.clone());
            }
        }
    }
    Ok(kept)
}

/// The arm a key path sets (`arms.NAME.…` or `arms.INDEX.…`), if any.
fn arm_of_key<'a>(arms: &'a [Arm], key: &'a str) -> Option<&'a str> {
    let mut parts = key.split('.').map(str::trim);
    if parts.next() != Some("arms") {
        return None;
    }
    let element = parts.next().unwrap_or_default();
    match element.parse::<usize>() {
        Ok(index) => Some(arms.get(index).map_or(element, |a| a.name.as_str())),
        Err(_) => Some(element),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::metrics;

    /// So that [`Game::metric_indices`] cannot fail, and every value is a mean.
    #[test]
    fn every_game_metric_is_a_mean_metric() {
        for (name, _) in GAME_METRICS {
            let metric = metrics::find(name).expect("a metric");
            assert_eq!(metric.statistic, metrics::Statistic::Mean, "{name}");
        }
        assert!(game_metric("days_to_recover").is_none());
        assert_eq!(Game::metric_indices().len(), GAME_METRICS.len());
    }

    #[test]
    fn the_subsets_run_hold_what_alone_and_added_last_need() {
        let sampled = Estimator::from_orders(4, &[vec![2, 0, 3, 1]]);
        let sets = subsets_run(&sampled);
        for set in [0, 0b1111, 0b0001, 0b1110, 0b0100, 0b0101, 0b1101] {
            assert!(sets.contains(&set), "{set:04b} in {sets:?}");
        }
        assert!(
            sets.windows(2)
                .all(|w| (w[0].count_ones(), w[0]) < (w[1].count_ones(), w[1]))
        );
        assert_eq!(subsets_run(&Estimator::exact(3)).len(), 8);
    }

    #[test]
    fn the_same_seed_draws_the_same_orders() {
        assert_eq!(orders(7, 5, 3), orders(7, 5, 3));
        assert_ne!(orders(7, 5, 3), orders(8, 5, 3));
    }

    #[test]
    fn a_key_names_its_arm_by_name_or_index() {
        let arm = |name: &str| Arm {
            name: name.into(),
            description: String::new(),
            window_start: None,
            window_end: None,
            interventions: Vec::new(),
        };
        let arms = [arm("baseline"), arm("op")];
        assert_eq!(arm_of_key(&arms, "arms.op.window_end"), Some("op"));
        assert_eq!(
            arm_of_key(&arms, "arms.1.interventions.0.downtime_days"),
            Some("op")
        );
        assert_eq!(arm_of_key(&arms, "arms.7.window_end"), Some("7"));
        assert_eq!(arm_of_key(&arms, "market.search_days"), None);
    }
}
