//! Jurisdictions (MODEL.md 7.17): the places a scenario names, each with
//! its standing enforcement risk and the hosting any provider can buy
//! there, and the rule by which a provider places new or moved capacity
//! among them. A provider's servers and storefront are spread over them as
//! shares ([`Jurisdictions::shares`]); a scenario that names one place keeps
//! everything in it, so its runs are those of a model without places.

use std::collections::{BTreeMap, BTreeSet};

use super::params::{ProviderTemplate, Scenario};

/// The jurisdictions of a scenario, in name order (index = identity).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Jurisdictions {
    /// Names, e.g. `DE`, sorted.
    pub names: Vec<String>,
    /// Standing enforcement risk of each (`enforcement_risk`).
    pub enforcement_risk: Vec<f64>,
    /// Weight of the hosting any provider can buy in each (`hosting_weight`).
    pub hosting_weight: Vec<f64>,
    /// Cost of a seat provisioned in each, relative to the market's (`cost_factor`).
    pub cost_factor: Vec<f64>,
    /// Whether a provider, the entrants or `[jurisdictions]` name each (a
    /// coalition may act only in such a place).
    pub in_market: Vec<bool>,
}

impl Jurisdictions {
    /// Every jurisdiction the scenario names: providers' and the entrants'
    /// labels and locations, `[jurisdictions]`, and the coalitions' partners.
    pub fn of(scenario: &Scenario) -> Self {
        let mut names: BTreeSet<String> = scenario.jurisdictions.keys().cloned().collect();
        let templates = (scenario.providers.iter().map(|p| p.economics()))
            .chain(std::iter::once(scenario.entry.template.clone()));
        for template in templates {
            names.extend(places_of(&template));
        }
        let market = names.clone();
        for arm in &scenario.arms {
            for intervention in &arm.interventions {
                let partners = intervention.coalition().into_iter().flatten();
                names.extend(partners.map(|p| p.jurisdiction.clone()));
            }
        }
        let spec = |name: &String| {
            scenario
                .jurisdictions
                .get(name)
                .cloned()
                .unwrap_or_default()
        };
        Jurisdictions {
            enforcement_risk: names.iter().map(|n| spec(n).enforcement_risk).collect(),
            hosting_weight: names.iter().map(|n| spec(n).hosting_weight).collect(),
            cost_factor: names.iter().map(|n| spec(n).cost_factor).collect(),
            in_market: names.iter().map(|n| market.contains(n)).collect(),
            names: names.into_iter().collect(),
        }
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none (a model always has at least one).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The index of jurisdiction `name` (every name the scenario uses has one).
    pub fn index(&self, name: &str) -> usize {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .expect("every jurisdiction a scenario names is listed")
    }

    /// Weights per jurisdiction made into shares summing to 1, all in
    /// `default` when `weights` is empty (the weights are checked to be
    /// non-negative with a positive sum).
    pub fn shares(&self, weights: &BTreeMap<String, f64>, default: &str) -> Vec<f64> {
        let mut shares = vec![0.0; self.len()];
        if weights.is_empty() {
            shares[self.index(default)] = 1.0;
            return shares;
        }
        for (name, weight) in weights {
            shares[self.index(name)] = *weight;
        }
        normalise(&mut shares);
        shares
    }

    /// Where a provider whose own locations are `home` places new or moved
    /// capacity (MODEL.md 7.17): jurisdiction k gets a share proportional to
    /// `(home_k + hosting_weight_k) x exp(-aversion x (enforcement_risk_k +
    /// pressure_k)) / cost_factor_k`, none in the `excluded` ones; `None`
    /// when no jurisdiction is left with a positive weight.
    pub fn placement(
        &self,
        home: &[f64],
        pressure: &[f64],
        aversion: f64,
        excluded: &[bool],
    ) -> Option<Vec<f64>> {
        let open = |k: &usize| !excluded.get(*k).copied().unwrap_or(false);
        let risk = |k: usize| self.enforcement_risk[k] + pressure[k];
        // Risk counted from the least risky open jurisdiction: the same
        // shares, and no weight underflows to 0 however high the risks.
        let least = (0..self.len())
            .filter(open)
            .map(risk)
            .fold(f64::INFINITY, f64::min);
        let mut weights: Vec<f64> = (0..self.len())
            .map(|k| {
                if !open(&k) {
                    return 0.0;
                }
                let extra = risk(k) - least;
                (home[k] + self.hosting_weight[k]) * (-aversion * extra).exp() / self.cost_factor[k]
            })
            .collect();
        let total: f64 = weights.iter().sum();
        (total > 0.0 && total.is_finite()).then(|| {
            normalise(&mut weights);
            weights
        })
    }
}

/// Where providers place new capacity today: the jurisdictions, the
/// pressure coalition operations have put on each, and the market's
/// aversion to risk.
pub struct Siting<'a> {
    /// The jurisdictions.
    pub places: &'a Jurisdictions,
    /// Enforcement pressure on each jurisdiction (decays with the pressure
    /// half-life).
    pub pressure: &'a [f64],
    /// `market.placement_risk_aversion`.
    pub aversion: f64,
}

impl Siting<'_> {
    /// The shares of new capacity of a provider whose own locations are
    /// `home` ([`Jurisdictions::placement`]; its own locations when every
    /// weight underflows).
    pub fn place(&self, home: &[f64]) -> Vec<f64> {
        self.places
            .placement(home, self.pressure, self.aversion, &[])
            .unwrap_or_else(|| home.to_vec())
    }
}

impl Jurisdictions {
    /// The cost of a seat placed by `placement`, relative to the market's:
    /// the placement's mean `cost_factor` (exactly 1 when every factor is 1).
    pub fn cost_factor(&self, placement: &[f64]) -> f64 {
        if self.cost_factor.iter().all(|&c| c == 1.0) {
            return 1.0;
        }
        placement
            .iter()
            .zip(&self.cost_factor)
            .map(|(s, c)| s * c)
            .sum()
    }
}

/// Every jurisdiction a provider template names.
pub fn places_of(template: &ProviderTemplate) -> impl Iterator<Item = String> + '_ {
    (std::iter::once(template.jurisdiction.clone()))
        .chain(template.located.keys().cloned())
        .chain(template.storefront.keys().cloned())
        .chain(template.operators_in.iter().cloned())
        .chain(template.data_in.iter().cloned())
        .chain(template.payments.keys().cloned())
}

/// Divide each value by their sum (a single positive value becomes exactly
/// 1, so one jurisdiction's share stays exactly 1 through every update).
pub fn normalise(values: &mut [f64]) {
    let total: f64 = values.iter().sum();
    if total > 0.0 {
        for v in values.iter_mut() {
            *v /= total;
        }
    }
}

/// Mix `shares` of `amount` with `added_shares` of `added` into the shares
/// of the sum (unchanged when nothing is added or the sum is empty).
pub fn mix(shares: &mut [f64], amount: f64, added_shares: &[f64], added: f64) {
    if added <= 0.0 || amount + added <= 0.0 {
        return;
    }
    for (s, a) in shares.iter_mut().zip(added_shares) {
        *s = *s * amount + a * added;
    }
    normalise(shares);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Jurisdictions {
        Jurisdictions {
            names: vec!["DE".into(), "XX".into()],
            enforcement_risk: vec![0.0, 0.0],
            hosting_weight: vec![0.0, 1.0],
            cost_factor: vec![1.0, 1.0],
            in_market: vec![true, true],
        }
    }

    #[test]
    fn one_jurisdiction_stays_exactly_whole() {
        let mut shares = vec![1.0];
        for (amount, added) in [(0.1, 0.2), (3.7, 1e-9), (1e9, 0.3)] {
            mix(&mut shares, amount, &[1.0], added);
            assert_eq!(shares, vec![1.0]);
        }
    }

    // Tolerances of 1e-15: a few float operations on values near 1 (their
    // rounding is a few units of f64's 2.2e-16).
    #[test]
    fn risk_steers_placement_away_and_exclusion_is_total() {
        let j = two();
        let calm = j.placement(&[1.0, 0.0], &[0.0, 0.0], 1.0, &[]).unwrap();
        assert_eq!(calm, vec![0.5, 0.5]);
        let struck = j.placement(&[1.0, 0.0], &[2.0, 0.0], 1.0, &[]).unwrap();
        let expected = (-2.0f64).exp() / ((-2.0f64).exp() + 1.0);
        assert!((struck[0] - expected).abs() < 1e-15, "{struck:?}");
        let out = j.placement(&[1.0, 0.0], &[0.0, 0.0], 0.0, &[true, false]);
        assert_eq!(out, Some(vec![0.0, 1.0]));
        assert_eq!(
            j.placement(&[1.0, 0.0], &[0.0, 0.0], 0.0, &[false, true]),
            Some(vec![1.0, 0.0])
        );
        assert_eq!(
            j.placement(&[1.0, 0.0], &[0.0, 0.0], 0.0, &[true, true]),
            None
        );
    }

    #[test]
    fn a_dearer_jurisdiction_gets_less_of_the_new_capacity_and_charges_more_for_it() {
        let mut j = two();
        assert_eq!(j.cost_factor(&[0.3, 0.7]), 1.0);
        j.cost_factor = vec![1.0, 3.0];
        let placement = j.placement(&[1.0, 0.0], &[0.0, 0.0], 0.0, &[]).unwrap();
        assert!((placement[0] - 0.75).abs() < 1e-15, "{placement:?}");
        assert!((j.cost_factor(&placement) - (0.75 + 0.25 * 3.0)).abs() < 1e-15);
    }
}
