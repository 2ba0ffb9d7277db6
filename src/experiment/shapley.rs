//! The Shapley value of a cooperative game (Shapley 1953, "A value for
//! n-person games", in *Contributions to the Theory of Games II*, Annals of
//! Mathematics Studies 28, 307-317): each player's share of what the whole
//! coalition achieves, its marginal contribution averaged over every order
//! in which the players could join.
//!
//! A coalition is a set of players written as bits (player `i` is bit `i`),
//! so a game has at most [`MAX_PLAYERS`] players. With `k` players and a
//! value `v(S)` for each coalition `S`, player `i`'s value is
//!
//! `phi_i = sum over S not containing i of |S|! (k - |S| - 1)! / k! x (v(S + i) - v(S))`
//!
//! ([`Estimator::exact`], which reads all `2^k` coalitions). The sampled
//! estimator of Castro, Gómez and Tejada (2009, "Polynomial calculation of
//! the Shapley value based on sampling", *Computers & Operations Research*
//! 36(5), 1726-1730) averages the marginal contributions over `M` orders
//! drawn uniformly at random instead ([`Estimator::from_orders`],
//! [`random_orders`]): unbiased, with a variance that falls as `1 / M`.
//!
//! Either way each player's value is a fixed linear combination of the
//! values `v(S)`, written as [`Term`]s, and the values sum to `v(N) -
//! v(empty)` (efficiency: with sampled orders, each order's contributions
//! telescope to it), which [`Estimator::values`] makes sure of up to
//! rounding.

use rand::seq::SliceRandom;

use crate::rng::Stream;

/// Most players of a game: a coalition is a set of bits of a `u64`.
pub const MAX_PLAYERS: usize = 64;

/// A set of players, player `i` as bit `i`.
pub type Players = u64;

/// One term of a player's value: `weight x (v(before + i) - v(before))`,
/// the player's marginal contribution to the coalition `before` (which does
/// not hold it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    /// The coalition the player joins.
    pub before: Players,
    /// The term's weight.
    pub weight: f64,
}

/// A linear estimator of the players' values: player `i`'s value is the
/// sum of its terms `terms[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimator {
    /// Number of players.
    pub players: usize,
    /// Each player's terms.
    pub terms: Vec<Vec<Term>>,
}

/// The set of every player of a game of `players` players.
pub fn everyone(players: usize) -> Players {
    match players {
        MAX_PLAYERS => Players::MAX,
        k => (1 << k) - 1,
    }
}

/// Whether `set` holds player `i`.
pub fn holds(set: Players, i: usize) -> bool {
    (set >> i) & 1 == 1
}

/// The Shapley weight of joining a coalition of `size` players out of
/// `players`: `size! (players - size - 1)! / players!`, which is
/// `1 / (players x C(players - 1, size))`.
pub fn weight(size: usize, players: usize) -> f64 {
    let choose = (0..size).fold(1.0, |c, j| c * (players - 1 - j) as f64 / (j + 1) as f64);
    1.0 / (players as f64 * choose)
}

impl Estimator {
    /// The exact value: every coalition not holding the player, with its
    /// Shapley weight (`2^(k-1)` terms per player; for small games, `k`
    /// below [`MAX_PLAYERS`]).
    pub fn exact(players: usize) -> Self {
        let terms = (0..players)
            .map(|i| {
                (0..=everyone(players))
                    .filter(|&before| !holds(before, i))
                    .map(|before| Term {
                        before,
                        weight: weight(before.count_ones() as usize, players),
                    })
                    .collect()
            })
            .collect();
        Estimator { players, terms }
    }

    /// The sampled value over `orders` (each a permutation of the players):
    /// in each order, each player's contribution to the players before it,
    /// weighted `1 / M`. Player `i`'s term `p` is its contribution in order `p`.
    pub fn from_orders(players: usize, orders: &[Vec<usize>]) -> Self {
        let weight = 1.0 / orders.len() as f64;
        let mut terms = vec![Vec::with_capacity(orders.len()); players];
        for order in orders {
            let mut before: Players = 0;
            for &i in order {
                terms[i].push(Term { before, weight });
                before |= 1 << i;
            }
        }
        Estimator { players, terms }
    }

    /// Every coalition the players' values read (each term's `before` and
    /// `before + i`), smallest first, then in the order of their bits.
    pub fn coalitions(&self) -> Vec<Players> {
        let mut sets: Vec<Players> = (self.terms.iter().enumerate())
            .flat_map(|(i, terms)| {
                terms
                    .iter()
                    .flat_map(move |t| [t.before, t.before | 1 << i])
            })
            .collect();
        sort_coalitions(&mut sets);
        sets
    }

    /// The players' values in a game whose value of each coalition is
    /// `v(S)`; `None` when a value it reads is undefined.
    pub fn values(&self, v: impl Fn(Players) -> Option<f64>) -> Option<Vec<f64>> {
        (self.terms.iter().enumerate())
            .map(|(i, terms)| {
                terms.iter().try_fold(0.0, |sum, t| {
                    Some(sum + t.weight * (v(t.before | 1 << i)? - v(t.before)?))
                })
            })
            .collect()
    }
}

/// Sort coalitions smallest first, then in the order of their bits, without
/// repeats.
pub fn sort_coalitions(sets: &mut Vec<Players>) {
    sets.sort_by_key(|&s| (s.count_ones(), s));
    sets.dedup();
}

/// `count` orders of `players` players, each drawn uniformly from every
/// order (Fisher-Yates) from `rng`.
pub fn random_orders(players: usize, count: usize, rng: &mut Stream) -> Vec<Vec<usize>> {
    (0..count)
        .map(|_| {
            let mut order: Vec<usize> = (0..players).collect();
            order.shuffle(rng);
            order
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The glove game: player 0 holds a left glove, players 1 and 2 a right
    /// one; a coalition is worth 1 when it can make a pair. Its Shapley
    /// value is (2/3, 1/6, 1/6).
    fn gloves(s: Players) -> Option<f64> {
        Some(f64::from(holds(s, 0) && (holds(s, 1) || holds(s, 2))))
    }

    /// A game with every coalition's value written out (players A, B, C as
    /// bits 0, 1, 2), whose values worked out by hand (in the test that
    /// uses it) are A = 20, B = 35, C = 45.
    fn listed(s: Players) -> Option<f64> {
        Some(match s {
            0b000 => 0.0,
            0b001 => 10.0,
            0b010 => 20.0,
            0b100 => 30.0,
            0b011 => 40.0,
            0b101 => 50.0,
            0b110 => 70.0,
            _ => 100.0,
        })
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    #[test]
    fn weights_are_the_factorial_formula() {
        let factorial = |n: usize| (1..=n).product::<usize>() as f64;
        for k in 1..=7 {
            for s in 0..k {
                let formula = factorial(s) * factorial(k - s - 1) / factorial(k);
                assert!((weight(s, k) - formula).abs() < 1e-15, "k {k}, s {s}");
            }
        }
    }

    #[test]
    fn the_glove_game_has_its_known_value() {
        let phi = Estimator::exact(3).values(gloves).unwrap();
        assert!(close(&phi, &[2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0]), "{phi:?}");
    }

    #[test]
    fn a_listed_game_has_the_values_computed_by_hand() {
        // A: (1/3)(10 - 0) + (1/6)(40 - 20) + (1/6)(50 - 30) + (1/3)(100 - 70) = 20
        // B: (1/3)(20 - 0) + (1/6)(40 - 10) + (1/6)(70 - 30) + (1/3)(100 - 50) = 35
        // C: (1/3)(30 - 0) + (1/6)(50 - 10) + (1/6)(70 - 20) + (1/3)(100 - 40) = 45
        let phi = Estimator::exact(3).values(listed).unwrap();
        assert!(close(&phi, &[20.0, 35.0, 45.0]), "{phi:?}");
        assert!((phi.iter().sum::<f64>() - 100.0).abs() < 1e-12);
    }

    #[test]
    fn dummy_players_get_zero_and_symmetric_players_the_same() {
        // Player 3 adds nothing to any coalition; players 0 and 1 are
        // interchangeable; the game is otherwise arbitrary.
        let v = |s: Players| {
            let core = s & 0b111;
            let pair = f64::from(holds(core, 0)) + f64::from(holds(core, 1));
            Some(3.0 * pair + pair * pair + 7.0 * f64::from(holds(core, 2)) * pair)
        };
        let phi = Estimator::exact(4).values(v).unwrap();
        assert_eq!(phi[3], 0.0, "{phi:?}");
        assert!((phi[0] - phi[1]).abs() < 1e-12, "{phi:?}");
        let total = v(everyone(4)).unwrap() - v(0).unwrap();
        assert!((phi.iter().sum::<f64>() - total).abs() < 1e-12);
    }

    #[test]
    fn every_order_once_gives_the_exact_value() {
        let mut orders = Vec::new();
        for a in 0..3 {
            for b in 0..3 {
                for c in 0..3 {
                    if a != b && b != c && a != c {
                        orders.push(vec![a, b, c]);
                    }
                }
            }
        }
        let sampled = Estimator::from_orders(3, &orders).values(listed).unwrap();
        assert!(close(&sampled, &[20.0, 35.0, 45.0]), "{sampled:?}");
    }

    #[test]
    fn one_order_gives_each_player_its_contribution_there() {
        // Order C, A, B: C adds 30, A adds 50 - 30, B adds 100 - 50.
        let phi = Estimator::from_orders(3, &[vec![2, 0, 1]])
            .values(listed)
            .unwrap();
        assert_eq!(phi, vec![20.0, 50.0, 30.0]);
    }

    #[test]
    fn sampled_orders_are_efficient_and_approach_the_exact_value() {
        let mut rng = Stream::from_seed(42);
        let orders = random_orders(5, 4000, &mut rng);
        assert!(orders.iter().all(|o| {
            let mut sorted = o.clone();
            sorted.sort();
            sorted == (0..5).collect::<Vec<_>>()
        }));
        let v = |s: Players| Some(f64::from(s.count_ones()).powi(2) + f64::from(holds(s, 4)));
        let sampled = Estimator::from_orders(5, &orders).values(v).unwrap();
        let exact = Estimator::exact(5).values(v).unwrap();
        let total = v(everyone(5)).unwrap() - v(0).unwrap();
        assert!((sampled.iter().sum::<f64>() - total).abs() < 1e-9);
        for (s, e) in sampled.iter().zip(&exact) {
            assert!((s - e).abs() < 0.2, "{sampled:?} against {exact:?}");
        }
    }

    #[test]
    fn an_undefined_value_leaves_every_value_undefined() {
        let v = |s: Players| (s != 0b011).then_some(1.0);
        assert_eq!(Estimator::exact(3).values(v), None);
    }

    #[test]
    fn coalitions_are_listed_once_smallest_first() {
        assert_eq!(
            Estimator::exact(2).coalitions(),
            vec![0b00, 0b01, 0b10, 0b11]
        );
        let sampled = Estimator::from_orders(3, &[vec![1, 0, 2], vec![1, 0, 2]]);
        assert_eq!(sampled.coalitions(), vec![0b000, 0b010, 0b011, 0b111]);
        assert_eq!(everyone(64), u64::MAX);
    }
}
