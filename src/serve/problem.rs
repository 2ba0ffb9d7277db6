//! A problem of the room's state as the page shows it: a message next to
//! the control it concerns, located from the key path of the scenario
//! validation's message where it comes from there.

use serde::Serialize;

use crate::scenario::ScenarioError;

/// Which control a problem concerns (every field absent: the whole state).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Where {
    /// Index of the what-if arm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arm: Option<usize>,
    /// Index of the intervention in that arm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervention: Option<usize>,
    /// Field of the arm or of the intervention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Key of a market assumption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub market: Option<String>,
    /// A setting: `reps`, `seed`, `scenario`, `arms` or `predict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
}

impl Where {
    /// A setting of the room.
    pub fn setting(name: &str) -> Self {
        Where {
            setting: Some(name.into()),
            ..Where::default()
        }
    }

    /// A field of what-if arm `arm`.
    pub fn arm_field(arm: usize, field: &str) -> Self {
        Where {
            arm: Some(arm),
            field: Some(field.into()),
            ..Where::default()
        }
    }

    /// A market assumption.
    pub fn market(key: &str) -> Self {
        Where {
            market: Some(key.into()),
            ..Where::default()
        }
    }

    /// Where the scenario key `key` of the what-if text is on the page: the
    /// what-if arms are the text's arms after the baseline (`arms[0]`).
    pub fn of_scenario_key(key: &str) -> Self {
        if key.starts_with("market.") || key.starts_with("entry.") {
            return Where::market(key);
        }
        match key {
            "scenario.replications" | "scenario.replications_per_draw" => {
                return Where::setting("reps");
            }
            "scenario.seed" => return Where::setting("seed"),
            _ => {}
        }
        of_arm_key(key).unwrap_or_default()
    }
}

/// `arms[k].field` or `arms[k].interventions[j].field...` as a what-if arm's
/// place (`k` ≥ 1).
fn of_arm_key(key: &str) -> Option<Where> {
    let rest = key.strip_prefix("arms[")?;
    let (k, rest) = rest.split_once(']')?;
    let arm = k.parse::<usize>().ok()?.checked_sub(1)?;
    let rest = rest.strip_prefix('.')?;
    if let Some(rest) = rest.strip_prefix("interventions[") {
        let (j, field) = rest.split_once(']')?;
        let field = field.trim_start_matches('.');
        let field = field.split(['.', '[']).next().unwrap_or_default();
        return Some(Where {
            arm: Some(arm),
            intervention: Some(j.parse().ok()?),
            field: (!field.is_empty()).then(|| field.to_string()),
            ..Where::default()
        });
    }
    Some(Where::arm_field(arm, rest.split(['.', '[']).next()?))
}

/// A problem and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageProblem {
    /// The control it concerns.
    #[serde(rename = "where")]
    pub place: Where,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl PageProblem {
    /// A problem at `place`.
    pub fn new(place: Where, message: String) -> Self {
        PageProblem { place, message }
    }

    /// The problems of a scenario validation, each at its control (the
    /// message names the key, which the page may not show otherwise).
    pub fn of_scenario(error: &ScenarioError) -> Vec<PageProblem> {
        error
            .problems
            .iter()
            .map(|p| {
                let message = if p.key.is_empty() {
                    p.message.clone()
                } else {
                    format!("`{}`: {}", p.key, p.message)
                };
                PageProblem::new(Where::of_scenario_key(&p.key), message)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_keys_find_their_controls() {
        let at = Where::of_scenario_key("arms[2].interventions[0].capacity_seized");
        assert_eq!(
            (at.arm, at.intervention, at.field.as_deref()),
            (Some(1), Some(0), Some("capacity_seized"))
        );
        let target = Where::of_scenario_key("arms[1].interventions[1].target.provider");
        assert_eq!(target.field.as_deref(), Some("target"));
        assert_eq!(Where::of_scenario_key("arms[3].name").arm, Some(2));
        assert_eq!(
            Where::of_scenario_key("market.search_days")
                .market
                .as_deref(),
            Some("market.search_days")
        );
        assert_eq!(
            Where::of_scenario_key("scenario.replications")
                .setting
                .as_deref(),
            Some("reps")
        );
        // The baseline's own keys and others are the whole state's.
        assert_eq!(Where::of_scenario_key("arms[0].name"), Where::default());
        assert_eq!(
            Where::of_scenario_key("victims.bypass_share"),
            Where::default()
        );
    }
}
