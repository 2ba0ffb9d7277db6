//! The `[workshop]` table: which market assumptions a workshop room
//! (`caasim serve`) may adjust. Each must name a number of `market` or
//! `entry`; the room offers those with a range in `[uncertain]` (the
//! documented range of the assumption bounds the room's control). The
//! table changes no run.

use crate::check::{Checks, Seg};
use crate::model::params::Scenario;

/// Most adjustable assumptions: a short list, so that a room can read it.
const MAX_ADJUSTABLE: usize = 8;

/// The sections whose keys count as market assumptions.
const SECTIONS: [&str; 2] = ["market.", "entry."];

/// Check `[workshop]`: at most [`MAX_ADJUSTABLE`] distinct keys, each a
/// number of `market` or `entry`. (The room offers those with a range in
/// `[uncertain]`; a key without one, say after `--set` replaced the table,
/// is not offered, and the room says so when it starts.)
pub(super) fn check(check: &mut dyn Checks, s: &Scenario) {
    let keys = &s.workshop.adjustable;
    let list = [Seg::Key("workshop"), Seg::Key("adjustable")];
    if keys.len() > MAX_ADJUSTABLE {
        check.fail(
            &list,
            format!(
                "lists {} keys; allowed: at most {MAX_ADJUSTABLE}",
                keys.len()
            ),
        );
    }
    for (i, key) in keys.iter().enumerate() {
        let at = [list[0], list[1], Seg::Index(i)];
        if keys[..i].contains(key) {
            check.fail(&at, format!("`{key}` is listed twice"));
        } else if !SECTIONS.iter().any(|s| key.starts_with(s)) {
            check.fail(
                &at,
                format!("`{key}` is not a market assumption; allowed: a key of market or entry"),
            );
        } else if !names_a_number(s, key) {
            check.fail(
                &at,
                format!("`{key}` is not a number of this scenario; allowed: a key such as `market.search_days`"),
            );
        }
    }
}

/// Whether `key` (dotted) names a number of the scenario as written.
fn names_a_number(s: &Scenario, key: &str) -> bool {
    let Ok(value) = serde_json::to_value(s) else {
        return false;
    };
    key.split('.')
        .try_fold(&value, |v, part| v.get(part))
        .is_some_and(serde_json::Value::is_number)
}
