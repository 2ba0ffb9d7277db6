//! Who carries out a takedown (MODEL.md 7.11 and 7.17): a coalition of partners,
//! each a police force or a court acting in one jurisdiction. What a strike
//! asks of a provider is derived from where the provider's servers,
//! storefront and operators are and from who acts:
//!
//! - police partners seize the servers located where they act: a share
//!   `sum_k located_k x police_k` of capacity, `police_k` the combined
//!   effectiveness of the police acting in k (`1 - prod(1 - e)`);
//! - civil partners take down the storefront and domains their courts
//!   reach: the downtime asked is `downtime_days x sum_k storefront_k x
//!   civil_k`;
//! - the operators can be arrested (`arrest_probability`) only by police
//!   acting where they live;
//! - customer data is seized (when the takedown says so) only by police
//!   acting where it is kept (`data_in`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::check::{Checks, Seg, key};
use crate::model::jurisdiction::Jurisdictions;
use crate::model::provider::Provider;

/// One partner of a coalition, as written in a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// Its name, unique in the coalition, e.g. `"DE police"` (the unit
    /// whose value `caasim coalition` reports).
    pub name: String,
    /// Where it acts.
    pub jurisdiction: String,
    /// What it does there.
    pub acts: Acts,
    /// Share of what it reaches there that it takes: of the servers
    /// located there (police) or of the storefront there (civil).
    #[serde(default = "whole")]
    pub effectiveness: f64,
    /// Its cost of each strike, in dollars.
    #[serde(default)]
    pub cost_usd: f64,
}

impl Partner {
    /// The partner in words, e.g. `DE police (police in DE, 100%)`.
    fn phrase(&self) -> String {
        let acts = match self.acts {
            Acts::Police => "police",
            Acts::Civil => "courts",
        };
        format!(
            "{} ({acts} in {}, {:.0}%)",
            self.name,
            self.jurisdiction,
            100.0 * self.effectiveness
        )
    }
}

fn whole() -> f64 {
    1.0
}

/// What a partner does.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Acts {
    /// Police and prosecutors: seize servers, data and operators.
    Police,
    /// Civil courts: seize domains and the storefront.
    Civil,
}

/// Read by hand so that a value of the wrong type is named with what is
/// allowed (the derived reader says only "wanted string or table").
impl<'de> Deserialize<'de> for Acts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, Unexpected, Visitor};

        struct ActsVisitor;

        impl Visitor<'_> for ActsVisitor {
            type Value = Acts;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"police\" or \"civil\"")
            }

            fn visit_str<E: Error>(self, v: &str) -> Result<Acts, E> {
                match v {
                    "police" => Ok(Acts::Police),
                    "civil" => Ok(Acts::Civil),
                    other => Err(E::unknown_variant(other, &["police", "civil"])),
                }
            }

            fn visit_bool<E: Error>(self, v: bool) -> Result<Acts, E> {
                Err(E::invalid_type(Unexpected::Bool(v), &self))
            }

            fn visit_i64<E: Error>(self, v: i64) -> Result<Acts, E> {
                Err(E::invalid_type(Unexpected::Signed(v), &self))
            }

            fn visit_u64<E: Error>(self, v: u64) -> Result<Acts, E> {
                Err(E::invalid_type(Unexpected::Unsigned(v), &self))
            }

            fn visit_f64<E: Error>(self, v: f64) -> Result<Acts, E> {
                Err(E::invalid_type(Unexpected::Float(v), &self))
            }
        }

        deserializer.deserialize_any(ActsVisitor)
    }
}

/// A coalition resolved: each jurisdiction's combined effectiveness of
/// its police and of its courts.
#[derive(Debug, Clone, PartialEq)]
pub struct Coalition {
    /// Its partners in words, e.g. `DE police (police in DE, 100%)`.
    pub partners: Vec<String>,
    /// Combined effectiveness of the police acting in each jurisdiction.
    pub police: Vec<f64>,
    /// Combined effectiveness of the courts acting in each jurisdiction.
    pub civil: Vec<f64>,
    /// Whether police act in each jurisdiction (whatever their effectiveness).
    pub police_in: Vec<bool>,
    /// Whether any partner acts in each jurisdiction.
    pub acting_in: Vec<bool>,
}

/// What a coalition's strike asks of one provider, before its resilience.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Asked {
    /// Share of capacity seized.
    pub capacity: f64,
    /// Share of the full downtime (`downtime_days`) its courts reach.
    pub downtime_share: f64,
    /// Whether police act where the operators live.
    pub arrest_possible: bool,
    /// Whether police act where the customer data is kept.
    pub data_reached: bool,
}

impl Coalition {
    /// Check the partners and combine them by jurisdiction.
    pub fn resolve(
        check: &mut dyn Checks,
        at: &[Seg],
        partners: &[Partner],
        places: &Jurisdictions,
    ) -> Coalition {
        let mut coalition = Coalition {
            partners: partners.iter().map(Partner::phrase).collect(),
            police: vec![0.0; places.len()],
            civil: vec![0.0; places.len()],
            police_in: vec![false; places.len()],
            acting_in: vec![false; places.len()],
        };
        for (i, partner) in partners.iter().enumerate() {
            let at = [at, &[Seg::Index(i)]].concat();
            if partner.name.trim().is_empty() {
                check.fail(
                    &key(&at, "name"),
                    "is empty; allowed: a name such as \"DE police\"".into(),
                );
            }
            if partners[..i].iter().any(|p| p.name == partner.name) {
                check.fail(
                    &key(&at, "name"),
                    format!(
                        "partner {:?} is named twice; allowed: unique names",
                        partner.name
                    ),
                );
            }
            if partner.jurisdiction.trim().is_empty() {
                check.fail(
                    &key(&at, "jurisdiction"),
                    "is empty; allowed: a name such as \"DE\"".into(),
                );
            }
            check.probability(&key(&at, "effectiveness"), partner.effectiveness);
            check.range(&key(&at, "cost_usd"), partner.cost_usd, 0.0, 1e12);
            let k = places.index(&partner.jurisdiction);
            if !places.in_market[k] {
                let known: Vec<String> = (places.names.iter().zip(&places.in_market))
                    .filter(|(_, used)| **used)
                    .map(|(name, _)| name.clone())
                    .collect();
                check.fail(
                    &key(&at, "jurisdiction"),
                    format!(
                        "{:?} is not where any provider has servers, storefront, payments, operators or data, nor in [jurisdictions]; allowed: one of {} (or declare `[jurisdictions.{}]` to act there anyway)",
                        partner.jurisdiction,
                        crate::check::listed(&known),
                        partner.jurisdiction
                    ),
                );
            }
            coalition.acting_in[k] = true;
            coalition.police_in[k] |= partner.acts == Acts::Police;
            let combined = match partner.acts {
                Acts::Police => &mut coalition.police[k],
                Acts::Civil => &mut coalition.civil[k],
            };
            // 1 - (1 - c)(1 - e), written so that one partner gives e exactly.
            *combined += partner.effectiveness * (1.0 - *combined);
        }
        coalition
    }

    /// Whether some police partner acts (only police seize servers).
    pub fn has_police(&self) -> bool {
        self.police_in.contains(&true)
    }

    /// The jurisdictions in which some partner acts.
    pub fn acting(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.acting_in.len()).filter(|&k| self.acting_in[k])
    }

    /// The share of `shares` (a provider's payment channels by
    /// jurisdiction) that the coalition reaches: in each jurisdiction, its
    /// partners of either kind together (`1 - (1 - police)(1 - civil)`).
    pub fn reach(&self, shares: &[f64]) -> f64 {
        (shares.iter().enumerate())
            .map(|(k, s)| s * (self.police[k] + self.civil[k] * (1.0 - self.police[k])))
            .sum()
    }

    /// What a strike asks of `provider`, from where it is and who acts.
    pub fn asked(&self, provider: &Provider) -> Asked {
        let reach = |shares: &[f64], acting: &[f64]| -> f64 {
            shares.iter().zip(acting).map(|(s, e)| s * e).sum()
        };
        Asked {
            capacity: reach(&provider.located, &self.police),
            downtime_share: reach(&provider.storefront, &self.civil),
            arrest_possible: self.police_in[provider.operators_in],
            data_reached: self.police_in[provider.data_in],
        }
    }
}

/// The defender's cost of one action: its coalition's partners' costs,
/// or `own` (the intervention's `cost_usd`) without a coalition.
pub fn cost_usd(partners: Option<&Vec<Partner>>, own: f64) -> f64 {
    match partners {
        Some(partners) => partners.iter().map(|p| p.cost_usd).sum(),
        None => own,
    }
}

/// Check an intervention's `coalition` (under `at`) and resolve it; the
/// intervention's own `cost_usd` must be 0 beside one (each partner has
/// its cost).
pub fn resolve_for(
    check: &mut dyn Checks,
    at: &[Seg],
    partners: Option<&Vec<Partner>>,
    own_cost_usd: f64,
    places: &Jurisdictions,
) -> Option<Coalition> {
    let partners = partners?;
    if own_cost_usd != 0.0 {
        check.fail(
            &key(at, "cost_usd"),
            "is given beside a `coalition`; allowed: 0 (give each partner its `cost_usd`)".into(),
        );
    }
    Some(Coalition::resolve(
        check,
        &key(at, "coalition"),
        partners,
        places,
    ))
}

impl Coalition {
    /// Who acts, for an intervention's description: e.g. " by DE police
    /// (police in DE, 100%)", or that no one does.
    pub fn by(&self) -> String {
        match self.partners.is_empty() {
            true => " by an empty coalition (no one acts)".to_string(),
            false => format!(" by {}", self.partners.join(", ")),
        }
    }
}
