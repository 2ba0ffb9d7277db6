//! What takedown strikes seized. A strike on a provider with resilience `r`
//! seizes `capacity_seized x (1 - r)` of its capacity and keeps it down
//! `round(downtime_days x (1 - r))` days (MODEL.md 7.11), so what an action
//! asks for is not what it seizes. Each strike is recorded as it happens
//! ([`StrikeRecord`], made by the takedown's operation), [`Seizures`]
//! tallies the records of a run's replications per arm and action, and
//! [`Seized`] says what one action asked for and seized, in numbers and in
//! words.

use super::config::Model;
use super::interventions::Effect;

/// One strike of a takedown action on one provider, as it happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrikeRecord {
    /// The index of the action in its arm.
    pub action: usize,
    /// The provider's resilience at the start of the strike's day.
    pub resilience: f64,
    /// Share of its capacity asked for: `capacity_seized`, or what a
    /// coalition's police reach of where its servers are.
    pub capacity_asked: f64,
    /// Share of its capacity seized: `capacity_seized x (1 - resilience)`.
    pub capacity_seized: f64,
    /// Days down: `round(downtime_days x (1 - resilience))`.
    pub downtime_days: u32,
}

/// The smallest, the largest and the mean of the values added.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// The smallest value (infinite while empty).
    pub min: f64,
    /// The largest value (minus infinite while empty).
    pub max: f64,
    /// The sum of the values.
    sum: f64,
    /// How many values were added.
    pub count: u64,
}

impl Span {
    fn new() -> Self {
        Span {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
            count: 0,
        }
    }

    fn add(&mut self, value: f64) {
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.sum += value;
        self.count += 1;
    }

    /// The mean of the values (`None` when empty; the value itself when
    /// every value is the same, free of the sum's rounding).
    pub fn mean(&self) -> Option<f64> {
        match self.count {
            0 => None,
            _ if self.constant() => Some(self.min),
            n => Some(self.sum / n as f64),
        }
    }

    /// Whether every value added is the same.
    fn constant(&self) -> bool {
        self.min == self.max
    }
}

/// What a first strike does at the central values, known before the run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Central {
    /// The targets' starting resilience.
    pub resilience: f64,
    /// Share of capacity seized.
    pub capacity_seized: f64,
    /// Days down.
    pub downtime_days: u32,
}

/// What one takedown action asked for and what its strikes seized.
#[derive(Debug, Clone, PartialEq)]
pub struct Seized {
    /// Share of capacity asked for (`capacity_seized`; `None` with a
    /// coalition, which asks of each target what its police reach of
    /// where the target's servers are: see `asked`).
    pub capacity_asked: Option<f64>,
    /// Days down asked for (`downtime_days`; with a coalition, when its
    /// courts reach the whole storefront).
    pub downtime_asked: u32,
    /// The share of capacity asked of each strike recorded.
    pub asked: Span,
    /// What its strike does at the central values, when that is known
    /// before the run: it strikes once, in the arm's first operation (no
    /// target has learned resilience yet), on targets that all start with
    /// the same resilience (a named provider, or a class or jurisdiction
    /// whose providers and entrants share it; not `top_k`).
    pub central: Option<Central>,
    /// The targets' resilience at the strikes recorded.
    pub resilience: Span,
    /// The share of capacity seized by each strike recorded.
    pub capacity: Span,
    /// The days down of each strike recorded.
    pub downtime: Span,
}

impl Seized {
    fn new(capacity_asked: Option<f64>, downtime_asked: u32, central: Option<f64>) -> Self {
        let central = capacity_asked.zip(central).map(|(capacity, resilience)| {
            let (capacity_seized, downtime_days) =
                resisted(capacity, f64::from(downtime_asked), resilience);
            Central {
                resilience,
                capacity_seized,
                downtime_days,
            }
        });
        Seized {
            capacity_asked,
            downtime_asked,
            central,
            asked: Span::new(),
            resilience: Span::new(),
            capacity: Span::new(),
            downtime: Span::new(),
        }
    }

    fn add(&mut self, strike: &StrikeRecord) {
        self.asked.add(strike.capacity_asked);
        self.resilience.add(strike.resilience);
        self.capacity.add(strike.capacity_seized);
        self.downtime.add(f64::from(strike.downtime_days));
    }

    /// What it seized, in words: e.g. "81% of capacity seized (90% asked;
    /// resilience 0.10 protects the rest), 108 days down (120 asked)"; when
    /// the strikes differ, the value at the central values (or the mean)
    /// and the range over the strikes.
    pub fn phrase(&self) -> String {
        let days = self.downtime_asked;
        let asked = match self.capacity_asked {
            Some(share) => percent(share),
            None => self.asked_by_coalition(),
        };
        let (r, c, d) = (&self.resilience, &self.capacity, &self.downtime);
        let Some(mean) = c.mean() else {
            return format!("no provider struck ({asked} of capacity and {days} days down asked)");
        };
        if r.constant() && c.constant() && d.constant() {
            return format!(
                "{} of capacity seized ({asked} asked; resilience {:.2} protects the rest), {} days down ({days} asked)",
                percent(mean),
                r.min,
                d.min
            );
        }
        let range = format!("{:.0}-{}", 100.0 * c.min, percent(c.max));
        let resilience = format!("{:.2}-{:.2}", r.min, r.max);
        let downtime = format!("{}-{}", d.min, d.max);
        // With a central value the action strikes once, on targets that
        // start alike: its strikes differ only by the parameter draws.
        match self.central {
            Some(central) => format!(
                "{} of capacity seized at the central values, {range} over the parameter draws ({asked} asked; resilience {:.2} at the central values, {resilience} over the draws, protects the rest), {} days down at the central values, {downtime} over the draws ({days} asked)",
                percent(central.capacity_seized),
                central.resilience,
                central.downtime_days
            ),
            None => format!(
                "{} of capacity seized on average, {range} over the {} strikes of the run ({asked} asked; resilience {resilience} at the strikes protects the rest), {:.0} days down on average, {downtime} ({days} asked)",
                percent(mean),
                c.count,
                d.mean().unwrap_or(0.0)
            ),
        }
    }
}

impl Seized {
    /// What a coalition asked, in words: e.g. "90% (where its police act)"
    /// or "40-90% (where its police act)" when the targets' locations differ.
    fn asked_by_coalition(&self) -> String {
        let a = &self.asked;
        let share = match a.mean() {
            None => "a share".to_string(),
            Some(mean) if a.constant() => percent(mean),
            Some(_) => format!("{:.0}-{}", 100.0 * a.min, percent(a.max)),
        };
        format!("{share} located where its police act")
    }
}

/// A share as a whole percentage, e.g. "81%".
fn percent(share: f64) -> String {
    format!("{:.0}%", 100.0 * share)
}

/// The share of capacity seized and the days down of a strike asking for
/// `capacity` and `downtime` days on a provider of resilience `resilience`.
pub fn resisted(capacity: f64, downtime: f64, resilience: f64) -> (f64, u32) {
    let kept = 1.0 - resilience;
    (capacity * kept, (downtime * kept).round() as u32)
}

/// What the takedown actions of every arm seized over the replications of
/// a run: for each arm, one entry per action, `None` for the actions that
/// are not takedowns.
#[derive(Debug, Clone, PartialEq)]
pub struct Seizures {
    arms: Vec<Vec<Option<Seized>>>,
}

impl Seizures {
    /// Nothing seized yet by the arms of `model`.
    pub fn new(model: &Model) -> Self {
        let arms = model.arms.iter().map(|arm| {
            let first_operation = (arm.actions.iter())
                .filter(|a| matches!(a.effect, Effect::Takedown(_)))
                .map(|a| a.day)
                .min();
            let actions = arm.actions.iter().map(move |action| {
                let Effect::Takedown(plan) = &action.effect else {
                    return None;
                };
                let once_first = action.repeats.is_empty() && Some(action.day) == first_operation;
                let central = once_first
                    .then(|| plan.starting_resilience(model))
                    .flatten();
                let strike = &plan.strike;
                let by_hand = strike.capacity_by_hand();
                Some(Seized::new(by_hand, strike.downtime_days, central))
            });
            actions.collect()
        });
        Seizures {
            arms: arms.collect(),
        }
    }

    /// Add the strikes of one run of arm `arm`.
    pub fn add(&mut self, arm: usize, strikes: &[StrikeRecord]) {
        for strike in strikes {
            if let Some(Some(seized)) = self.arms[arm].get_mut(strike.action) {
                seized.add(strike);
            }
        }
    }

    /// What action `action` of arm `arm` seized (`None` if it is not a takedown).
    pub fn of(&self, arm: usize, action: usize) -> Option<&Seized> {
        self.arms.get(arm)?.get(action)?.as_ref()
    }
}
