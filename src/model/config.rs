//! The resolved model configuration: a scenario after validation, with
//! providers expanded, segments built, and every intervention scheduled on an
//! internal day number.

use crate::model::params::{AttackerSpec, Dist, Entry, Market, ProviderTemplate, Scenario};

/// Everything one run needs, independent of arm and replication.
#[derive(Debug, Clone)]
pub struct Model {
    /// The validated scenario it was built from (kept for the manifest).
    pub scenario: Scenario,
    /// Recorded days.
    pub days: u32,
    /// Unrecorded days simulated before day 0.
    pub burn_in_days: u32,
    /// Master seed.
    pub seed: u64,
    /// Replications per arm.
    pub replications: u32,
    /// Calendar date of day 0, when given.
    pub start_date: Option<chrono::NaiveDate>,
    /// Market-wide parameters.
    pub market: Market,
    /// Entry parameters.
    pub entry: Entry,
    /// Initial providers, expanded (one entry per provider).
    pub providers: Vec<NamedProvider>,
    /// The jurisdictions the scenario names.
    pub jurisdictions: crate::model::jurisdiction::Jurisdictions,
    /// Attacker types, as written in the scenario.
    pub attacker_types: Vec<AttackerSpec>,
    /// Victim segments.
    pub segments: Vec<SegmentSpec>,
    /// Arms; the first is the baseline.
    pub arms: Vec<ArmPlan>,
    /// Uncertain parameters (`[uncertain]`), in key order, without those
    /// fixed by a `--set`.
    pub uncertain: Vec<crate::model::uncertain::UncertainParameter>,
    /// The posterior of a calibration whose particles the ensemble's draws
    /// pick (`run --posterior`), with its keys removed from `uncertain`.
    pub posterior: Option<crate::model::posterior::Posterior>,
    /// The parameter draws and their models, when the run integrates over
    /// the uncertain parameters (`None` without any, or with `replications_per_draw = 0`).
    pub ensemble: Option<crate::model::ensemble::Ensemble>,
}

/// An initial provider with its name.
#[derive(Debug, Clone)]
pub struct NamedProvider {
    /// Unique name.
    pub name: String,
    /// Name of the `[[providers]]` entry it was expanded from.
    pub group: String,
    /// Its economic parameters.
    pub economics: ProviderTemplate,
}

/// One (country, sector) victim segment at the start.
#[derive(Debug, Clone)]
pub struct SegmentSpec {
    /// Country name.
    pub country: String,
    /// Sector name.
    pub sector: String,
    /// Share of all emails aimed at this segment (the shares sum to 1).
    pub targeting: f64,
    /// Compromise probability per email before MFA.
    pub compromise_prob: f64,
    /// Share of accounts protected by MFA.
    pub mfa_adoption: f64,
    /// Share of MFA-protected attacks that bypass MFA.
    pub bypass_share: f64,
    /// Probability that a compromise is monetised.
    pub monetise_prob: f64,
    /// Median loss of a monetised compromise.
    pub loss_median_usd: f64,
    /// Log-scale standard deviation of the loss.
    pub loss_sigma: f64,
}

/// An arm with its interventions resolved to internal days.
#[derive(Debug, Clone)]
pub struct ArmPlan {
    /// Arm name.
    pub name: String,
    /// What the arm represents.
    pub description: String,
    /// Scheduled interventions.
    pub actions: Vec<Action>,
    /// First recorded day of the evaluation window.
    pub window_start: u32,
    /// Last recorded day of the evaluation window (inclusive).
    pub window_end: u32,
}

/// One intervention on internal days (burn-in included).
#[derive(Debug, Clone)]
pub struct Action {
    /// Internal day it first acts.
    pub day: u32,
    /// Internal days it repeats on after `day` (takedowns only), in order.
    pub repeats: Vec<u32>,
    /// Cost to the defender of each action.
    pub cost_usd: f64,
    /// What it does.
    pub effect: super::interventions::Effect,
}

impl Model {
    /// Keep the baseline (the first arm) and the arms named in `names`, in
    /// scenario order, in the model and in the scenario it records; the error
    /// names the arms there are.
    pub fn keep_arms(&mut self, names: &[String]) -> Result<(), String> {
        let known: Vec<&str> = self.arms.iter().map(|a| a.name.as_str()).collect();
        if let Some(unknown) = names.iter().find(|n| !known.contains(&n.as_str())) {
            return Err(format!(
                "--arms: no arm is named {unknown:?}; the arms are {}",
                known.join(", ")
            ));
        }
        let baseline = known[0].to_string();
        let keep = |name: &str| name == baseline || names.iter().any(|n| n == name);
        self.arms.retain(|a| keep(&a.name));
        self.scenario.arms.retain(|a| keep(&a.name));
        if let Some(ensemble) = &mut self.ensemble {
            for draw in &mut ensemble.draws {
                draw.model.keep_arms(names)?;
            }
        }
        Ok(())
    }

    /// Total internal days (burn-in plus recorded).
    pub fn total_days(&self) -> u32 {
        self.burn_in_days + self.days
    }

    /// The internal day of recorded day `day`.
    pub fn internal_day(&self, day: u32) -> u32 {
        self.burn_in_days + day
    }

    /// The calendar date of recorded day `day`, when the scenario has a start date.
    pub fn date_of(&self, day: u32) -> Option<chrono::NaiveDate> {
        self.start_date
            .map(|d| d + chrono::Duration::days(i64::from(day)))
    }
}

impl Dist {
    /// Draw one value from a uniform number `u` in [0, 1) and a standard
    /// normal `z` (each kind uses the one it needs, so draws stay aligned).
    pub fn sample(&self, u: f64, z: f64) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Uniform { low, high } => low + (high - low) * u,
            Dist::Lognormal { median, sigma } => median * (sigma * z).exp(),
        }
    }

    /// The mean of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::Lognormal { median, sigma } => median * (0.5 * sigma * sigma).exp(),
        }
    }
}

/// The names of the providers a `[[providers]]` entry of `count` expands to.
pub fn expanded_names(name: &str, count: u32) -> Vec<String> {
    if count == 1 {
        vec![name.to_string()]
    } else {
        (1..=count).map(|k| format!("{name}-{k}")).collect()
    }
}
