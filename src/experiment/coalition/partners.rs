//! The partners of an arm's coalitions and the arms of their subsets.
//!
//! The partners of an arm are the union of the coalitions of its
//! interventions (takedowns, sustained pressure and payment disruptions may
//! name one), in the order each name first appears (a name in several
//! interventions of the arm is one partner). The arm of a subset S of them
//! is the arm with every coalition restricted to the partners in S: an
//! intervention keeps its days, target and other fields, and acts with
//! fewer partners (with none, on no one); the arm's interventions without a
//! coalition are kept as they are.

use crate::experiment::shapley::{MAX_PLAYERS, Players, holds};
use crate::model::Model;
use crate::model::interventions::Intervention;
use crate::model::interventions::coalition::Partner;
use crate::model::params::Arm;

/// Characters a partner's name may not hold: subsets are named
/// `ARM{A+B}`, so these would make two subsets' names ambiguous.
const RESERVED: [char; 3] = ['+', '{', '}'];

/// One intervention of the arm that names a coalition.
#[derive(Debug, Clone, PartialEq)]
pub struct Acting {
    /// Its index among the arm's interventions.
    pub intervention: usize,
    /// Its kind, as a scenario writes it (`takedown`, ...).
    pub kind: &'static str,
    /// Its coalition as written.
    pub partners: Vec<Partner>,
}

/// The interventions of the arm that name a coalition.
pub fn acting(arm: &Arm) -> Vec<Acting> {
    (arm.interventions.iter().enumerate())
        .filter_map(|(index, intervention)| {
            Some(Acting {
                intervention: index,
                kind: intervention.kind(),
                partners: intervention.coalition()?.clone(),
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
    let partners = union(arm);
    if partners.is_empty() {
        return Err(format!(
            "--arm {name}: its interventions name no coalition partner (no `coalition = [...]` with a partner); allowed: {}",
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

/// The partners of the arm's coalitions, each name once, in order of
/// first appearance.
fn union(arm: &Arm) -> Vec<String> {
    let mut partners: Vec<String> = Vec::new();
    for acting in acting(arm) {
        for partner in acting.partners {
            if !partners.contains(&partner.name) {
                partners.push(partner.name);
            }
        }
    }
    partners
}

/// The arms that can be analysed, for messages.
fn allowed(model: &Model) -> String {
    let with: Vec<&str> = (model.scenario.arms.iter())
        .filter(|a| acting(a).iter().any(|t| !t.partners.is_empty()))
        .map(|a| a.name.as_str())
        .collect();
    match with.is_empty() {
        true => "an arm whose takedowns or payment disruptions name a coalition (`coalition = [{ name = ..., jurisdiction = ..., acts = ... }]`); this scenario has none".into(),
        false => format!("an arm whose interventions name a coalition: {}", with.join(", ")),
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
    for coalition in subset
        .interventions
        .iter_mut()
        .filter_map(Intervention::coalition_mut)
    {
        coalition.retain(|p| names.contains(&p.name.as_str()));
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
  { kind = "payment_disruption", start = 5, duration_days = 10, conversion_factor = 0.5, fee_share = 0.1, coalition = [
      { name = "NL police", jurisdiction = "NL", acts = "police" } ] },
  { kind = "deterrence_messaging", start = 5, duration_days = 10, arrival_factor = 0.5, risk_shock = 0.01 },
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
        let found = acting(&arm);
        assert_eq!(
            (found.iter())
                .map(|t| (t.intervention, t.kind))
                .collect::<Vec<_>>(),
            [
                (0, "takedown"),
                (1, "payment_disruption"),
                (3, "sustained_pressure")
            ]
        );
        assert_eq!(found[2].partners[1].acts, Acts::Police);
        let partners = union(&arm);
        assert_eq!(partners, ["DE police", "US civil", "NL police", "GB civil"]);
        assert_eq!(
            subset_name("op", &partners, 0b1001),
            "op{DE police+GB civil}"
        );
        assert_eq!(subset_name("op", &partners, 0), "op{}");
    }

    #[test]
    fn a_subset_keeps_only_its_partners_and_every_other_field() {
        let arm = arm();
        let partners: Vec<String> = ["DE police", "US civil", "NL police", "GB civil"]
            .map(String::from)
            .to_vec();
        let subset = restricted(&arm, &partners, 0b0101);
        assert_eq!(subset.name, "op{DE police+NL police}");
        let coalition = |a: &Arm, k: usize| {
            let partners = a.interventions[k].coalition().into_iter().flatten();
            partners.map(|p| p.name.clone()).collect::<Vec<_>>()
        };
        assert_eq!(coalition(&subset, 0), ["DE police"]);
        assert_eq!(coalition(&subset, 1), ["NL police"]);
        assert_eq!(coalition(&subset, 3), ["DE police"]);
        assert_eq!(subset.interventions[2], arm.interventions[2]);
        let none = restricted(&arm, &partners, 0);
        assert!((0..4).all(|k| coalition(&none, k).is_empty()));
        assert!(
            none.interventions[1].coalition().is_some(),
            "an empty coalition, not none"
        );
        let all = restricted(&arm, &partners, 0b1111);
        assert_eq!(all.interventions, arm.interventions);
    }
}
