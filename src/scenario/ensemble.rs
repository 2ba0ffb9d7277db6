//! The ensemble of a scenario with uncertain parameters or a posterior: the
//! replications split into draws of `scenario.replications_per_draw`, and
//! one validated model per draw (the scenario without `[uncertain]`, its
//! base parsed once, with the draw's values given as `--set` overrides: the
//! uncertain parameters' independent draws, then the values of the
//! posterior particle the draw picked), built before any run starts so that
//! a draw that makes the scenario invalid stops the run before it writes
//! anything.

use rayon::prelude::*;

use super::base::Base;
use super::load::Parsed;
use crate::check::{Checks, Seg};
use crate::model::ensemble::{Draw, Ensemble};
use crate::model::uncertain::{UncertainParameter, assignments, draw};
use crate::rng::RunKey;

use Seg::Key as K;

/// Build the ensemble of a scenario whose `uncertain` parameters are not
/// empty, or that has a posterior, and whose `replications_per_draw` is not
/// 0 (a fixed run, refused with a posterior), on its `base`; `None`
/// otherwise, or after reporting a problem to `check`.
pub(super) fn check(
    check: &mut impl Checks,
    parsed: &Parsed,
    base: &Base,
    uncertain: &[UncertainParameter],
) -> Option<Ensemble> {
    let meta = &parsed.scenario.scenario;
    let per_draw = meta.replications_per_draw.unwrap_or(1);
    if per_draw == 0 && parsed.posterior.is_some() {
        check.fail(
            &[K("scenario"), K("replications_per_draw")],
            "is 0 (every replication at the central values), which would ignore --posterior; allowed: 1 or more with --posterior (or no --posterior)".into(),
        );
        return None;
    }
    if per_draw == 0 || (uncertain.is_empty() && parsed.posterior.is_none()) {
        return None;
    }
    let draws = meta.replications.div_ceil(per_draw);
    match members(parsed, base, uncertain, draws) {
        Ok(draws) => Some(Ensemble {
            replications_per_draw: per_draw,
            draws,
        }),
        Err(message) => {
            check.fail(&[K("uncertain")], message);
            None
        }
    }
}

/// The model of each draw, numbered from 0, or why a draw is not a valid
/// scenario (the first such draw).
fn members(
    parsed: &Parsed,
    base: &Base,
    uncertain: &[UncertainParameter],
    draws: u32,
) -> Result<Vec<Draw>, String> {
    let seed = parsed.scenario.scenario.seed;
    let built: Vec<Result<Draw, String>> = (0..draws)
        .into_par_iter()
        .map(|index| {
            let key = RunKey {
                seed,
                replication: u64::from(index),
            };
            let mut values = draw(uncertain, key);
            let mut overrides = assignments(uncertain, &values);
            let particle = parsed.posterior.as_ref().map(|p| p.pick(key));
            if let (Some(posterior), Some(particle)) = (&parsed.posterior, particle) {
                values.extend(&posterior.particles[particle]);
                overrides.extend(posterior.assignments(particle));
            }
            match base.load(&overrides) {
                Ok(model) => Ok(Draw {
                    values,
                    particle,
                    model,
                }),
                Err(error) => Err(format!(
                    "draw {index} of the uncertain parameters{} ({}) makes the scenario invalid: {}; allowed: distributions (and posterior particles) whose values are valid together",
                    particle.map_or(String::new(), |p| format!(" and posterior particle {p}")),
                    overrides.join(", "),
                    error.to_string().trim_end().replace('\n', " ")
                )),
            }
        })
        .collect();
    built.into_iter().collect()
}
