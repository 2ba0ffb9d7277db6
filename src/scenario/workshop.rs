//! The `[workshop]` table: which market assumptions a workshop room
//! (`caasim serve`) may adjust. Each must be a key of `[uncertain]`, whose
//! range is the documented range of the assumption and bounds the room's
//! control; the table changes no run.

use crate::check::{Checks, Seg};
use crate::model::params::Scenario;

/// Most adjustable assumptions: a short list, so that a room can read it.
pub const MAX_ADJUSTABLE: usize = 8;

/// The sections whose keys count as market assumptions.
const SECTIONS: [&str; 2] = ["market.", "entry."];

/// Check `[workshop]`: at most [`MAX_ADJUSTABLE`] distinct keys, each of
/// `market` or `entry` and each a key of `[uncertain]`.
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
        } else if !s.uncertain.contains_key(key) {
            check.fail(
                &at,
                format!(
                    "`{key}` has no range; allowed: a key of [uncertain], whose range bounds the room's control"
                ),
            );
        }
    }
}
