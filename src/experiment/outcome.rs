//! Outcomes that fork an arm's replications: a takedown strike with an
//! `arrest_probability` between 0 and 1 removes the provider for good in
//! some replications and not in others, so the arm's effects mix two
//! different worlds. The summary counts each side (the metric
//! `arrested_share`) and, where both occur, gives the effects on each side
//! as well as over all replications.

use crate::engine::record::RunOutput;

/// The replications a summary row covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every replication.
    All,
    /// Those in which a strike arrested a provider's operators.
    Arrested,
    /// Those in which no strike arrested anyone.
    NotArrested,
}

impl Outcome {
    /// The outcome of one run of an arm (never [`Outcome::All`]).
    pub fn of(run: &RunOutput) -> Outcome {
        if run.arrests > 0 {
            Outcome::Arrested
        } else {
            Outcome::NotArrested
        }
    }

    /// The rows to give for an arm whose replications had `outcomes`:
    /// all of them, and each side of the fork when both sides occur.
    pub fn split(outcomes: &[Outcome]) -> Vec<Outcome> {
        let forked =
            outcomes.contains(&Outcome::Arrested) && outcomes.contains(&Outcome::NotArrested);
        if forked {
            vec![Outcome::All, Outcome::Arrested, Outcome::NotArrested]
        } else {
            vec![Outcome::All]
        }
    }

    /// `values` (one per replication) with the replications outside this
    /// outcome left undefined.
    pub fn mask(self, values: &[Option<f64>], outcomes: &[Outcome]) -> Vec<Option<f64>> {
        values
            .iter()
            .zip(outcomes)
            .map(|(v, o)| v.filter(|_| self == Outcome::All || self == *o))
            .collect()
    }

    /// Its name in `summary.csv` and `effects.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::All => "all",
            Outcome::Arrested => "arrested",
            Outcome::NotArrested => "not-arrested",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_only_a_fork() {
        use Outcome::*;
        assert_eq!(Outcome::split(&[NotArrested, NotArrested]), vec![All]);
        assert_eq!(Outcome::split(&[Arrested, Arrested]), vec![All]);
        assert_eq!(
            Outcome::split(&[Arrested, NotArrested]),
            vec![All, Arrested, NotArrested]
        );
    }

    #[test]
    fn masks_the_other_side() {
        use Outcome::*;
        let values = [Some(1.0), Some(2.0), None];
        let outcomes = [Arrested, NotArrested, Arrested];
        assert_eq!(
            Arrested.mask(&values, &outcomes),
            vec![Some(1.0), None, None]
        );
        assert_eq!(
            NotArrested.mask(&values, &outcomes),
            vec![None, Some(2.0), None]
        );
        assert_eq!(All.mask(&values, &outcomes), values.to_vec());
    }
}
