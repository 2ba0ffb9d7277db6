//! Checking values against what is allowed: a key path into the scenario
//! ([`Seg`]) and a collector of problems ([`Checks`]) with the common range
//! checks. The scenario layer implements [`Checks`] to place each problem at
//! its line and key; the model's own parts (each intervention kind) check
//! their values through it without knowing about files.

/// Longest run accepted, in days (burn-in included), and the longest duration.
pub const MAX_TOTAL_DAYS: u32 = 36_500;

/// One step of a key path into the scenario.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    /// A key of a table.
    Key(&'a str),
    /// An element of a list.
    Index(usize),
}

/// `at` followed by one more key.
pub fn key<'a>(at: &[Seg<'a>], name: &'a str) -> Vec<Seg<'a>> {
    let mut path = at.to_vec();
    path.push(Seg::Key(name));
    path
}

/// Collects the problems of a scenario, each at a key path.
pub trait Checks {
    /// Report that the value at `path` is not allowed: `message` says what it
    /// is and what is allowed.
    fn fail(&mut self, path: &[Seg], message: String);

    /// A finite number in [lo, hi].
    fn range(&mut self, path: &[Seg], value: f64, lo: f64, hi: f64) {
        if !value.is_finite() || value < lo || value > hi {
            self.fail(
                path,
                format!("is {value}; allowed: a number from {lo} to {hi}"),
            );
        }
    }

    /// A finite number >= 0.
    fn non_negative(&mut self, path: &[Seg], value: f64) {
        if !value.is_finite() || value < 0.0 {
            self.fail(path, format!("is {value}; allowed: a finite number >= 0"));
        }
    }

    /// A finite number > 0.
    fn positive(&mut self, path: &[Seg], value: f64) {
        if !value.is_finite() || value <= 0.0 {
            self.fail(path, format!("is {value}; allowed: a finite number > 0"));
        }
    }

    /// A probability.
    fn probability(&mut self, path: &[Seg], value: f64) {
        self.range(path, value, 0.0, 1.0);
    }

    /// A number of days from `lo` to [`MAX_TOTAL_DAYS`].
    fn days(&mut self, path: &[Seg], value: u32, lo: u32) {
        if value < lo || value > MAX_TOTAL_DAYS {
            self.fail(
                path,
                format!("is {value}; allowed: {lo} to {MAX_TOTAL_DAYS} days"),
            );
        }
    }
}

/// At most twenty names, for messages.
pub fn listed(names: &[String]) -> String {
    const MAX_LISTED: usize = 20;
    if names.is_empty() {
        return "(none: the list is empty)".into();
    }
    let mut out = names
        .iter()
        .take(MAX_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_LISTED {
        out.push_str(&format!(", ... ({} in all)", names.len()));
    }
    out
}
