//! The attackers of a run, kept by identity in one array.
//!
//! Every attacker ever created has an identity: its number in creation order,
//! which keys its random streams and orders the market's clearing. Identities
//! are grouped in chunks of [`CHUNK_SIZE`], the unit of parallel work and of
//! the daily tallies. The attackers are stored in identity order in one flat
//! array; attackers who left for good stay in place (they are skipped at
//! once) until they make up a thirty-second of it, when the array is
//! compacted before the next day's act.
//! A long run therefore holds about its living population, not everyone it
//! ever created, and each chunk's tallies are summed over the same attackers
//! in the same order whether or not it was compacted (those who left add
//! nothing).

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::attacker::{Attacker, ChunkOutput, Status};
use crate::rng::CHUNK_SIZE;

/// The array is compacted when more than one stored attacker in this many has left.
const COMPACT_WHEN_GONE_ONE_IN: usize = 32;

/// Every attacker of a run, by identity, with each chunk's daily output.
#[derive(Debug, Clone, Default)]
pub struct Population {
    /// Attackers in identity order (some may have left, until compaction).
    attackers: Vec<Attacker>,
    /// Position in `attackers` of the first attacker of each chunk.
    starts: Vec<usize>,
    /// What each chunk's attackers did today.
    outputs: Vec<ChunkOutput>,
    /// Attackers who left for good and are still stored.
    gone: usize,
    /// Attackers created so far.
    created: u32,
}

impl Population {
    /// Add an attacker; its identity (returned and stored in it) is the
    /// number of attackers created before it.
    pub fn push(&mut self, mut attacker: Attacker) -> u32 {
        let id = self.created;
        attacker.id = id;
        self.created += 1;
        if (id as usize).is_multiple_of(CHUNK_SIZE) {
            self.starts.push(self.attackers.len());
            self.outputs.push(ChunkOutput::default());
        }
        self.attackers.push(attacker);
        id
    }

    /// Attackers created so far (the next identity).
    pub fn created(&self) -> u32 {
        self.created
    }

    /// Attackers in the market (those who have not left for good).
    pub fn len(&self) -> usize {
        self.attackers.len() - self.gone
    }

    /// Whether no attacker is in the market.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The attacker at position `at` of the array (positions hold from one
    /// day's act to the next: the array is compacted only as the act begins).
    pub fn at_mut(&mut self, at: usize) -> &mut Attacker {
        &mut self.attackers[at]
    }

    /// The attackers stored, in identity order (some may have left: check `status`).
    pub fn as_slice(&self) -> &[Attacker] {
        &self.attackers
    }

    /// The attackers stored, mutably, in identity order.
    pub fn as_mut_slice(&mut self) -> &mut [Attacker] {
        &mut self.attackers
    }

    /// Each chunk's output of today's act, in chunk order.
    pub fn outputs(&self) -> &[ChunkOutput] {
        &self.outputs
    }

    /// Compact the array when those who left are many, then run
    /// `act(chunk number, position of its first attacker, its attackers, its
    /// output)` on every chunk, in parallel, and count those who left.
    pub fn act_in_parallel<F>(&mut self, act: F)
    where
        F: Fn(usize, usize, &mut [Attacker], &mut ChunkOutput) + Sync,
    {
        if self.gone * COMPACT_WHEN_GONE_ONE_IN > self.attackers.len() {
            self.compact();
        }
        let Population {
            attackers,
            starts,
            outputs,
            ..
        } = self;
        let total = attackers.len();
        let mut rest = attackers.as_mut_slice();
        let mut taken = 0;
        let pieces = outputs.iter_mut().enumerate().map(|(c, out)| {
            let end = starts.get(c + 1).copied().unwrap_or(total);
            let (piece, tail) = std::mem::take(&mut rest).split_at_mut(end - taken);
            rest = tail;
            taken = end;
            (c, end - piece.len(), piece, out)
        });
        pieces
            .par_bridge()
            .for_each(|(c, first, piece, out)| act(c, first, piece, out));
        self.gone += self
            .outputs
            .iter()
            .map(|o| o.tally.exits as usize)
            .sum::<usize>();
    }

    /// Positions of chunk `chunk` in `attackers`.
    fn chunk_range(&self, chunk: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.starts.get(chunk)?;
        let end = self
            .starts
            .get(chunk + 1)
            .copied()
            .unwrap_or(self.attackers.len());
        Some(start..end)
    }

    /// Drop the attackers who left for good, keeping identity order.
    fn compact(&mut self) {
        let mut kept = 0;
        for c in 0..self.starts.len() {
            let range = self.chunk_range(c).expect("chunk exists");
            self.starts[c] = kept;
            for at in range {
                if self.attackers[at].status != Status::Gone {
                    self.attackers.swap(kept, at);
                    kept += 1;
                }
            }
        }
        self.attackers.truncate(kept);
        self.gone = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::attacker::NO_PROVIDER;

    fn attacker() -> Attacker {
        Attacker {
            cash: 0.0,
            skill: 1.0,
            risk: 0.0,
            tolerance: 1.0,
            paid_per_day: 0.0,
            risk_day: 0,
            paid_until: 0,
            wake_day: 0,
            leave_day: u32::MAX,
            id: 0,
            provider: NO_PROVIDER,
            last_provider: NO_PROVIDER,
            seats: 1,
            kind: 0,
            status: Status::Dormant,
            displaced: false,
        }
    }

    #[test]
    fn compaction_keeps_identity_order_and_chunks() {
        let mut population = Population::default();
        let n = 3 * CHUNK_SIZE + 10;
        for _ in 0..n {
            population.push(attacker());
        }
        // Every third attacker leaves today (far more than a thirty-second).
        population.act_in_parallel(|_, _, piece, out| {
            out.clear();
            for a in piece.iter_mut().filter(|a| a.id % 3 == 0) {
                a.status = Status::Gone;
                out.tally.exits += 1;
            }
        });
        let left = n.div_ceil(3);
        assert_eq!(population.len(), n - left);
        assert_eq!(
            population.as_slice().len(),
            n,
            "compacted only as the next act begins"
        );
        population.act_in_parallel(|c, first, piece, out| {
            out.clear();
            assert!(piece.iter().all(|a| a.id as usize / CHUNK_SIZE == c));
            let kept_before = (0..c * CHUNK_SIZE).filter(|id| id % 3 != 0).count();
            assert_eq!(first, kept_before);
        });
        assert_eq!(population.as_slice().len(), n - left, "compacted");
        let ids: Vec<u32> = population.as_slice().iter().map(|a| a.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(ids.iter().all(|id| id % 3 != 0));
        assert_eq!(population.at_mut(3).id, 5);
        assert_eq!(population.created() as usize, n);
    }
}
