//! The partners of an arm's coalitions and the arms of their subsets.
//!
//! The partners of an arm are the union of its takedowns' coalitions, in the
//! order each name first appears (a name in several takedowns of the arm is
//! one partner). The arm of a subset S of them is the arm with every
//! coalition restricted to the partners in S: a takedown keeps its days,
//! target and other fields, and acts with fewer partners (with none, on no
//! one); the arm's other interventions are kept as they are.

use crate::experiment::shapley::{MAX_PLAYERS, Players, holds};
use crate::model::Model;
use crate::model::interventions::Intervention;
use crate::model::interventions::coalition::Partner;
use crate::model::params::Arm;

/// Characters a partner's name may not hold: subsets are named
/// `ARM{A+B}`, so these would make two subsets' names ambiguous.
const RESERVED: [char; 3] = ['+', '{', '}'];

/// One takedown of the arm that names a coalition.
#[derive(Debug, Clone, PartialEq)]
pub struct Takedown {
    /// Its index among the arm's interventions.
    pub intervention: usize,
    /// `takedown` or `sustained_pressure`.
    pub kind: &'static str,
    /// Its coalition as written.
    pub partners: Vec<Partner>,
}

/// The takedowns of the arm that name a coalition.
pub fn takedowns(arm: &Arm) -> Vec<Takedown> {
    (arm.interventions.iter().enumerate())
        .filter_map(|(intervention, i)| {
            let (kind, takedown) = match i {
                Intervention::Takedown(t) => ("takedown", t),
                Intervention::SustainedPressure(t) => ("sustained_pressure", t),
                _ => return None,
            };
            Some(Takedown {
                intervention,
                kind,
                partners: takedown.coalition.clone()?,
            })
        })
        .collect()
}

/// The intervention arm `name` of `model`, with its partners in order of
/// first appearance; the error says why it cannot be analysed and which
/// arms can.
pub fn arm_and_partners<'m>(
    model: &'m Model,
    name: &str,
) -> Result<(&'m Arm, Vec<String>), String> {
    let arms = &model.scenario.arms;
    let Some(arm) = arms.iter().find(|a| a.name == name && a.name != "baseline") else {
        return Err(format!(
            "--arm {name}: no intervention arm has this name; allowed: {}",
            allowed(model)
        ));
    };
    let mut partners: Vec<String> = Vec::new();
    for takedown in takedowns(arm) {
        for partner in takedown.partners {
            if !partners.contains(&partner.name) {
                partners.push(partner.name);
            }
        }
    }
    if partners.is_empty() {
        return Err(format!(
            "--arm {name}: its takedowns name no coalition partner (no `coalition = [...]` with a partner); allowed: {}",
            allowed(model)
        ));
    }
    if let Some(bad) = partners.iter().find(|p| p.contains(RESERVED)) {
        return Err(format!(
            "--arm {name}: partner {bad:?} has `+`, `{{` or `}}` in its name, which name the subsets of partners (`{name}{{A+B}}`); allowed: a name without them"
        ));
    }
    if partners.len() > MAX_PLAYERS {
        return Err(format!(
            "--arm {name}: {} partners; allowed: at most {MAX_PLAYERS}",
            partners.len()
        ));
    }
    Ok((arm, partners))
}

/// The arms that can be analysed, for messages.
fn allowed(model: &Model) -> String {
    let with: Vec<&str> = (model.scenario.arms.iter())
        .filter(|a| takedowns(a).iter().any(|t| !t.partners.is_empty()))
        .map(|a| a.name.as_str())
        .collect();
    match with.is_empty() {
        true => "an arm whose takedowns name a coalition (`coalition = [{ name = ..., jurisdiction = ..., acts = ... }]`); this scenario has none".into(),
        false => format!("an arm whose takedowns name a coalition: {}", with.join(", ")),
    }
}

/// The name of the arm of subset `set`: `ARM{A+B}`, `ARM{}` for none.
pub fn subset_name(arm: &str, partners: &[String], set: Players) -> String {
    format!("{arm}{{{}}}", members(partners, set).join("+"))
}

/// The partners in `set`, in partner order.
pub fn members(partners: &[String], set: Players) -> Vec<&str> {
    (partners.iter().enumerate())
        .filter(|(i, _)| holds(set, *i))
        .map(|(_, p)| p.as_str())
        .collect()
}

/// `arm` with every coalition restricted to the partners in `set`, named
/// and described as the subset's arm.
pub fn restricted(arm: &Arm, partners: &[String], set: Players) -> Arm {
    let mut subset = arm.clone();
    subset.name = subset_name(&arm.name, partners, set);
    let names = members(partners, set);
    subset.description = match names.is_empty() {
        true => format!("{} with no coalition partner acting", arm.name),
        false => format!("{} with only {} acting", arm.name, names.join(", ")),
    };
    for intervention in &mut subset.interventions {
        if let Intervention::Takedown(t) | Intervention::SustainedPressure(t) = intervention
            && let Some(coalition) = &mut t.coalition
        {
            coalition.retain(|p| names.contains(&p.name.as_str()));
        }
    }
    subset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::interventions::coalition::Acts;

    fn arm() -> Arm {
        let text = r#"
name = "op"
interventions = [
  { kind = "takedown", start = 5, target = { provider = "P" }, downtime_days = 10, coalition = [
      { name = "DE police", jurisdiction = "DE", acts = "police" },
      { name = "US civil", jurisdiction = "US", acts = "civil", cost_usd = 5 } ] },
  { kind = "payment_disruption", start = 5, duration_days = 10, conversion_factor = 0.5, fee_share = 0.1 },
  { kind = "sustained_pressure", start = 9, every_days = 3, downtime_days = 1, coalition = [
      { name = "GB civil", jurisdiction = "GB", acts = "civil" },
      { name = "DE police", jurisdiction = "DE", acts = "police", effectiveness = 0.5 } ] },
]
"#;
        toml::from_str(text).expect("a valid arm")
    }

    #[test]
    fn partners_are_named_once_in_order_of_first_appearance() {
        let arm = arm();
        let found = takedowns(&arm);
        assert_eq!(
            (found.iter())
                .map(|t| (t.intervention, t.kind))
                .collect::<Vec<_>>(),
            [(0, "takedown"), (2, "sustained_pressure")]
        );
        assert_eq!(found[1].partners[1].acts, Acts::Police);
        let partners: Vec<String> = ["DE police", "US civil", "GB civil"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            subset_name("op", &partners, 0b101),
            "op{DE police+GB civil}"
        );
        assert_eq!(subset_name("op", &partners, 0), "op{}");
    }

    #[test]
    fn a_subset_keeps_only_its_partners_and_every_other_field() {
        let arm = arm();
        let partners: Vec<String> = ["DE police", "US civil", "GB civil"]
            .map(String::from)
            .to_vec();
        let subset = restricted(&arm, &partners, 0b001);
        assert_eq!(subset.name, "op{DE police}");
        let coalition = |a: &Arm, k: usize| match &a.interventions[k] {
            Intervention::Takedown(t) | Intervention::SustainedPressure(t) => {
                let names = t.coalition.iter().flatten().map(|p| p.name.clone());
                names.collect::<Vec<_>>()
            }
            _ => Vec::new(),
        };
        assert_eq!(coalition(&subset, 0), ["DE police"]);
        assert_eq!(coalition(&subset, 2), ["DE police"]);
        assert_eq!(subset.interventions[1], arm.interventions[1]);
        let none = restricted(&arm, &partners, 0);
        assert!(coalition(&none, 0).is_empty() && coalition(&none, 2).is_empty());
        let all = restricted(&arm, &partners, 0b111);
        assert_eq!(all.interventions, arm.interventions);
    }
}
