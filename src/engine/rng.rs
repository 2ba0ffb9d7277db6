//! Keyed random streams.
//!
//! Every random draw of a run comes from a stream named by
//! (seed, replication, purpose, day, chunk, member). The key is hashed into
//! the seed of a small generator (xoshiro256++, named by algorithm so that its
//! output never changes with a dependency upgrade). Nothing is shared between
//! threads, so the result does not depend on how the work is scheduled, and an
//! arm and the baseline of one replication draw the same numbers for the same
//! attacker on the same day whenever that attacker is in the same state
//! (common random numbers).
//!
//! Attackers are processed in chunks of [`CHUNK_SIZE`]; within a chunk each
//! attacker draws from its own member stream, so one attacker's draws never
//! shift because a neighbour drew more or fewer numbers.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Attackers per chunk of parallel work (fixed: part of the stream key).
pub const CHUNK_SIZE: usize = 1024;

/// The generator behind every stream.
pub type Stream = Xoshiro256PlusPlus;

/// What a stream is used for; part of its key, so purposes never share draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Attributes of an attacker when it is created.
    AttackerTraits = 1,
    /// An attacker's campaigns of the day.
    Campaign = 2,
    /// An attacker's decisions (renewal, choice, search time, return).
    Decision = 3,
    /// Splitting the day's compromises over segments and drawing losses.
    Victims = 4,
    /// Outcomes of enforcement (arrests, seized seats).
    Enforcement = 5,
    /// Arrivals of attackers.
    Arrivals = 6,
    /// Search time of an attacker who lost its provider.
    Displacement = 7,
    /// Entry of providers.
    ProviderEntry = 8,
    /// Whether a sign-up converts under payment disruption.
    Conversion = 9,
    /// Random designs of sweeps (Latin hypercube strata and positions).
    Design = 10,
}

/// The replication-level part of every key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunKey {
    /// The scenario's master seed.
    pub seed: u64,
    /// The replication number.
    pub replication: u64,
}

impl RunKey {
    /// The stream for one purpose and day, for market-level draws.
    pub fn market(&self, purpose: Purpose, day: u32) -> Stream {
        self.stream(purpose, day, u64::MAX)
    }

    /// The stream of one attacker (by index) for one purpose and day.
    pub fn attacker(&self, purpose: Purpose, day: u32, index: usize) -> Stream {
        self.stream(purpose, day, index as u64)
    }

    /// The stream of one provider (by index) for one purpose and day.
    pub fn provider(&self, purpose: Purpose, day: u32, index: usize) -> Stream {
        self.stream(purpose, day, (1 << 62) + index as u64)
    }

    fn stream(&self, purpose: Purpose, day: u32, member: u64) -> Stream {
        let chunk = member / CHUNK_SIZE as u64;
        let offset = member % CHUNK_SIZE as u64;
        let mut h = mix(self.seed ^ 0x6361_6173_696d_0001);
        for part in [self.replication, purpose as u64, day as u64, chunk, offset] {
            h = mix(h ^ part);
        }
        Stream::seed_from_u64(h)
    }
}

/// SplitMix64's finaliser: a bijective 64-bit mix with good avalanche.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn same_key_same_numbers_and_different_keys_differ() {
        let key = RunKey {
            seed: 7,
            replication: 3,
        };
        let a: u64 = key.attacker(Purpose::Campaign, 10, 5).random();
        let b: u64 = key.attacker(Purpose::Campaign, 10, 5).random();
        assert_eq!(a, b);
        let others = [
            key.attacker(Purpose::Campaign, 10, 6).random::<u64>(),
            key.attacker(Purpose::Campaign, 11, 5).random::<u64>(),
            key.attacker(Purpose::Decision, 10, 5).random::<u64>(),
            key.attacker(Purpose::Campaign, 10, 5 + CHUNK_SIZE)
                .random::<u64>(),
            RunKey {
                seed: 7,
                replication: 4,
            }
            .attacker(Purpose::Campaign, 10, 5)
            .random::<u64>(),
        ];
        for other in others {
            assert_ne!(a, other);
        }
    }
}
