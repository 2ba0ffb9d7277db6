//! Victim segments: the effective compromise probability of an email, how the
//! day's compromises split over segments, and the losses they cause.
//!
//! Each attacker's compromises are drawn as one Poisson count per attacker-day
//! with mean `emails x skill x P`, where `P = sum_s w_s p_eff_s`. Because the
//! segment split `q_s = w_s p_eff_s / P` is the same for every attacker, the
//! day's total splits over segments as a multinomial: exactly the law of
//! independent per-segment Poisson counts, at the cost of one draw per
//! attacker-day instead of one per attacker-segment-day.

use rand::RngExt;
use rand_distr::{Binomial, Distribution, LogNormal};

use super::config::SegmentSpec;
use crate::rng::Stream;

/// Current state of every segment.
#[derive(Debug, Clone)]
pub struct Victims {
    /// Parameters at the start.
    pub specs: Vec<SegmentSpec>,
    /// Current MFA adoption per segment.
    pub mfa_adoption: Vec<f64>,
    /// Current bypass share per segment.
    pub bypass_share: Vec<f64>,
    /// Effective compromise probability per email per segment.
    p_eff: Vec<f64>,
    /// Compromises per email at skill 1: `sum_s w_s p_eff_s`.
    per_email: f64,
    /// MFA efficacy.
    mfa_efficacy: f64,
}

/// The day's victims' outcome.
#[derive(Debug, Clone, Copy, Default)]
pub struct VictimDay {
    /// Monetised losses (drawn).
    pub losses_usd: f64,
    /// Expected monetised losses of the day's compromises, segment by
    /// segment: `Σ_s count_s x monetise_prob_s x E[loss_s]`.
    pub expected_losses_usd: f64,
}

impl Victims {
    /// Segments at the start.
    pub fn new(specs: Vec<SegmentSpec>, mfa_efficacy: f64) -> Self {
        let mfa_adoption = specs.iter().map(|s| s.mfa_adoption).collect();
        let bypass_share = specs.iter().map(|s| s.bypass_share).collect();
        let mut victims = Victims {
            p_eff: vec![0.0; specs.len()],
            specs,
            mfa_adoption,
            bypass_share,
            per_email: 0.0,
            mfa_efficacy,
        };
        victims.refresh();
        victims
    }

    /// Recompute effective probabilities after MFA or bypass changed.
    pub fn refresh(&mut self) {
        let mut per_email = 0.0;
        for (s, spec) in self.specs.iter().enumerate() {
            let protected = self.mfa_adoption[s] * self.mfa_efficacy * (1.0 - self.bypass_share[s]);
            self.p_eff[s] = spec.compromise_prob * (1.0 - protected);
            per_email += spec.targeting * self.p_eff[s];
        }
        self.per_email = per_email;
    }

    /// Expected compromises per email at skill 1.
    pub fn compromises_per_email(&self) -> f64 {
        self.per_email
    }

    /// Expected monetised loss per compromise, over the current segment mix.
    pub fn loss_per_compromise(&self) -> f64 {
        if self.per_email <= 0.0 {
            return 0.0;
        }
        self.specs
            .iter()
            .zip(&self.p_eff)
            .map(|(spec, p)| {
                let share = spec.targeting * p / self.per_email;
                share * spec.monetise_prob * mean_loss(spec)
            })
            .sum()
    }

    /// Split `total` compromises over segments (multinomial by conditional
    /// binomials, in segment order, the last [`FEW`] or fewer placed one by
    /// one: `place_each`), draw the monetised ones and their losses,
    /// and add them to `compromises` and `losses` per segment.
    pub fn distribute(
        &self,
        total: u64,
        rng: &mut Stream,
        compromises: &mut [u64],
        losses: &mut [f64],
    ) -> VictimDay {
        let mut remaining = total;
        let mut remaining_mass = 1.0;
        let mut day = VictimDay::default();
        for s in 0..self.specs.len() {
            if remaining == 0 {
                break;
            }
            if remaining <= FEW {
                for (s, count) in self.place_each(s, remaining, remaining_mass, rng) {
                    self.settle(s, count, rng, compromises, losses, &mut day);
                }
                break;
            }
            let mass = self.mass(s);
            let count = if s + 1 == self.specs.len() || mass >= remaining_mass {
                remaining
            } else {
                binomial(remaining, (mass / remaining_mass).clamp(0.0, 1.0), rng)
            };
            remaining -= count;
            remaining_mass -= mass;
            self.settle(s, count, rng, compromises, losses, &mut day);
        }
        day
    }

    /// Share of the day's compromises that segment `s` receives.
    fn mass(&self, s: usize) -> f64 {
        if self.per_email > 0.0 {
            self.specs[s].targeting * self.p_eff[s] / self.per_email
        } else {
            0.0
        }
    }

    /// Place `count` compromises one by one over segments `first..`, whose
    /// shares add up to `mass`: each falls in a segment with probability
    /// its share over `mass` (the same multinomial law as conditional
    /// binomials, at one uniform number per compromise). Returns the
    /// (segment, count) of the segments that received any, in order.
    fn place_each(
        &self,
        first: usize,
        count: u64,
        mass: f64,
        rng: &mut Stream,
    ) -> Vec<(usize, u64)> {
        let mut points: Vec<f64> = (0..count).map(|_| rng.random::<f64>() * mass).collect();
        points.sort_by(f64::total_cmp);
        let last = self.specs.len() - 1;
        let mut placed: Vec<(usize, u64)> = Vec::new();
        let (mut s, mut upper) = (first, self.mass(first));
        for point in points {
            while point >= upper && s < last {
                s += 1;
                upper += self.mass(s);
            }
            match placed.last_mut() {
                Some((segment, n)) if *segment == s => *n += 1,
                _ => placed.push((s, 1)),
            }
        }
        placed
    }

    /// Add `count` compromises to segment `s` and draw their losses.
    fn settle(
        &self,
        s: usize,
        count: u64,
        rng: &mut Stream,
        compromises: &mut [u64],
        losses: &mut [f64],
        day: &mut VictimDay,
    ) {
        let spec = &self.specs[s];
        let loss = draw_losses(count, spec, rng);
        compromises[s] += count;
        losses[s] += loss;
        day.losses_usd += loss;
        day.expected_losses_usd += count as f64 * expected_loss(spec);
    }
}

/// Expected monetised loss of one compromise in the segment of `spec`:
/// `monetise_prob x loss_median x exp(loss_sigma² / 2)`.
pub fn expected_loss(spec: &SegmentSpec) -> f64 {
    spec.monetise_prob * mean_loss(spec)
}

/// Mean of the log-normal loss of one monetised compromise.
fn mean_loss(spec: &SegmentSpec) -> f64 {
    spec.loss_median_usd * (0.5 * spec.loss_sigma * spec.loss_sigma).exp()
}

/// Monetised compromises among `count` and the sum of their losses.
fn draw_losses(count: u64, spec: &SegmentSpec, rng: &mut Stream) -> f64 {
    if count == 0 || spec.monetise_prob <= 0.0 || spec.loss_median_usd <= 0.0 {
        return 0.0;
    }
    let monetised = binomial(count, spec.monetise_prob, rng);
    let Ok(law) = LogNormal::new(spec.loss_median_usd.ln(), spec.loss_sigma) else {
        return 0.0;
    };
    (0..monetised).map(|_| law.sample(rng)).sum()
}

/// Trials up to which a binomial is a sum of Bernoulli trials, and the
/// compromises a split places one by one: cheaper than setting up a
/// binomial law (whose inversion raises `1 - p` to the power `n`).
pub const FEW: u64 = 16;

/// A binomial draw that accepts the edge cases `p = 0` and `p = 1`; up to
/// [`FEW`] trials, one uniform number per trial.
pub fn binomial(n: u64, p: f64, rng: &mut Stream) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if n <= FEW {
        return (0..n).filter(|_| rng.random::<f64>() < p).count() as u64;
    }
    Binomial::new(n, p).map_or(0, |law| law.sample(rng))
}
