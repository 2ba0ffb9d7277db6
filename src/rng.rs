//! Keyed random streams.
//!
//! Every random draw of a run comes from a stream named by
//! (seed, replication, purpose, day, chunk, member). The key is hashed into
//! the seed of a small generator (xoshiro256++, written out here so that its
//! output never changes with a dependency upgrade, and equal to
//! `rand_xoshiro::Xoshiro256PlusPlus` seeded by `seed_from_u64`, which a test
//! checks). Nothing is shared between
//! threads, so the result does not depend on how the work is scheduled, and an
//! arm and the baseline of one replication draw the same numbers for the same
//! attacker on the same day whenever that attacker is in the same state
//! (common random numbers).
//!
//! Attackers are processed in chunks of [`CHUNK_SIZE`]; within a chunk each
//! attacker draws from its own member stream, so one attacker's draws never
//! shift because a neighbour drew more or fewer numbers.

use std::convert::Infallible;

use rand::TryRng;

/// Attackers per chunk of parallel work (fixed: part of the stream key).
pub const CHUNK_SIZE: usize = 1024;

/// The generator behind every stream: xoshiro256++ (Blackman and Vigna 2018).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    state: [u64; 4],
}

impl Stream {
    /// The stream seeded from `seed` as `Xoshiro256PlusPlus::seed_from_u64`
    /// does: the state words are the first four outputs of SplitMix64
    /// started at `seed` (never all zero, as SplitMix64's output is a
    /// bijection of its counter).
    #[inline]
    pub fn from_seed(seed: u64) -> Self {
        const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;
        let word = |k: u64| mix(seed.wrapping_add(GOLDEN_GAMMA.wrapping_mul(k)));
        Stream {
            state: [word(0), word(1), word(2), word(3)],
        }
    }

    #[inline]
    fn next(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
}

impl TryRng for Stream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

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
    /// The draw of a replication's uncertain parameters (keyed by seed and
    /// replication only, so every arm of a replication shares it).
    ParameterDraw = 11,
    /// The pick of a draw's particle of a posterior ensemble (keyed by seed
    /// and draw only).
    PosteriorDraw = 12,
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
        self.day_streams(purpose, day).member(u64::MAX)
    }

    /// The stream of one attacker (by identity) for one purpose and day.
    pub fn attacker(&self, purpose: Purpose, day: u32, index: usize) -> Stream {
        self.day_streams(purpose, day).member(index as u64)
    }

    /// The stream of one provider (by index) for one purpose and day.
    pub fn provider(&self, purpose: Purpose, day: u32, index: usize) -> Stream {
        self.day_streams(purpose, day)
            .member((1 << 62) + index as u64)
    }

    /// The streams of every member for one purpose and day: the part of the
    /// key they share is hashed once (the day loop asks for millions of them).
    pub fn day_streams(&self, purpose: Purpose, day: u32) -> DayStreams {
        let mut h = mix(self.seed ^ 0x6361_6173_696d_0001);
        for part in [self.replication, purpose as u64, u64::from(day)] {
            h = mix(h ^ part);
        }
        DayStreams { prefix: h }
    }
}

/// The streams of one purpose and day, keyed by member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayStreams {
    prefix: u64,
}

impl DayStreams {
    /// The streams of the members of one chunk.
    pub fn chunk(&self, chunk: u64) -> ChunkStreams {
        ChunkStreams {
            prefix: mix(self.prefix ^ chunk),
        }
    }

    /// The stream of one member.
    pub fn member(&self, member: u64) -> Stream {
        let chunk_size = CHUNK_SIZE as u64;
        self.chunk(member / chunk_size).member(member % chunk_size)
    }
}

/// The streams of one purpose, day and chunk, keyed by the member's offset in its chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkStreams {
    prefix: u64,
}

impl ChunkStreams {
    /// The stream of the member at `offset` (below [`CHUNK_SIZE`]) of the chunk.
    #[inline]
    pub fn member(&self, offset: u64) -> Stream {
        Stream::from_seed(mix(self.prefix ^ offset))
    }
}

/// SplitMix64's finaliser: a bijective 64-bit mix with good avalanche.
#[inline]
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
    fn the_generator_is_rand_xoshiros_xoshiro256plusplus() {
        use rand::{Rng, SeedableRng};
        use rand_xoshiro::Xoshiro256PlusPlus;
        let mut seed = 1u64;
        for round in 0..2_000 {
            seed = mix(seed);
            let seed = if round == 0 { 0 } else { seed };
            let mut ours = Stream::from_seed(seed);
            let mut theirs = Xoshiro256PlusPlus::seed_from_u64(seed);
            for _ in 0..8 {
                assert_eq!(ours.next_u64(), theirs.next_u64());
                assert_eq!(ours.next_u32(), theirs.next_u32());
            }
            let (mut a, mut b) = ([0u8; 21], [0u8; 21]);
            ours.fill_bytes(&mut a);
            theirs.fill_bytes(&mut b);
            assert_eq!(a, b);
            let (x, y): (f64, f64) = (ours.random(), theirs.random());
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }

    #[test]
    fn chunk_streams_are_the_member_streams() {
        let key = RunKey {
            seed: 11,
            replication: 2,
        };
        let day = key.day_streams(Purpose::Decision, 40);
        for index in [0, 1, 1023, 1024, 5000] {
            let by_chunk = day
                .chunk((index / CHUNK_SIZE) as u64)
                .member((index % CHUNK_SIZE) as u64);
            assert_eq!(by_chunk, key.attacker(Purpose::Decision, 40, index));
        }
    }

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
