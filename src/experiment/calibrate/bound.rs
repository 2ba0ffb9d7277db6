//! Targets that state a bound: published facts are often "at least" or
//! "at most" a value (the fall lasted at least ten weeks), not a value. A
//! bounded target's distance is zero on the allowed side of its value and
//! grows as an equal target's does on the other.

/// How a target's observed value binds the simulated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bound {
    /// The simulated value should equal the observed one (within its sd).
    #[default]
    Equal,
    /// The simulated value should be at least the observed one.
    AtLeast,
    /// The simulated value should be at most the observed one.
    AtMost,
}

impl Bound {
    /// The values of a targets file's `bound` field.
    pub const ALLOWED: [&'static str; 3] = ["equal", "at_least", "at_most"];

    /// The bound written `text` in a targets file, if it is one.
    pub fn parse(text: &str) -> Option<Bound> {
        match text {
            "equal" => Some(Bound::Equal),
            "at_least" => Some(Bound::AtLeast),
            "at_most" => Some(Bound::AtMost),
            _ => None,
        }
    }

    /// Its name in targets files and `fit.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Bound::Equal => "equal",
            Bound::AtLeast => "at_least",
            Bound::AtMost => "at_most",
        }
    }

    /// The standardised distance of `simulated` from `observed`,
    /// `(simulated - observed) / sd`, or 0 where a bound holds.
    pub fn z(self, simulated: f64, observed: f64, sd: f64) -> f64 {
        let z = (simulated - observed) / sd;
        match self {
            Bound::Equal => z,
            Bound::AtLeast => z.min(0.0),
            Bound::AtMost => z.max(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_costs_nothing_on_its_side_and_as_much_as_equal_beyond() {
        assert_eq!(Bound::Equal.z(12.0, 10.0, 2.0), 1.0);
        assert_eq!(Bound::AtLeast.z(12.0, 10.0, 2.0), 0.0);
        assert_eq!(Bound::AtLeast.z(7.0, 10.0, 2.0), -1.5);
        assert_eq!(Bound::AtMost.z(7.0, 10.0, 2.0), 0.0);
        assert_eq!(Bound::AtMost.z(13.0, 10.0, 2.0), 1.5);
        for name in Bound::ALLOWED {
            assert_eq!(Bound::parse(name).map(Bound::name), Some(name));
        }
        assert_eq!(Bound::parse("at-least"), None);
    }
}
