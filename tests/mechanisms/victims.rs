//! Victim segments: effective compromise probabilities, the segment split of
//! the day's compromises and the losses (MODEL.md 7.2, 7.3).

use caasim::model::victims::{Victims, binomial};
use caasim::rng::{Purpose, RunKey};

use crate::small::{self, close};

/// The small world's segments by hand, countries outer: (targeting w,
/// probability p, MFA adoption m, monetisation q, loss median, loss sigma).
/// US (0.6, MFA 0.6), IT (0.4, MFA 0.4, x1.5 probability); finance (0.3,
/// MFA x1.5), public (0.7, x0.5 probability); base p 0.002, bypass 0.1.
const SEGMENTS: [(f64, f64, f64, f64, f64, f64); 4] = [
    (0.18, 0.002, 0.9, 0.02, 60000.0, 1.2),
    (0.42, 0.001, 0.6, 0.01, 20000.0, 1.0),
    (0.12, 0.003, 0.6, 0.02, 60000.0, 1.2),
    (0.28, 0.0015, 0.4, 0.01, 20000.0, 1.0),
];

/// `p_eff = p (1 - m x efficacy x (1 - bypass))`, efficacy 0.99, bypass 0.1.
fn p_eff(p: f64, m: f64) -> f64 {
    p * (1.0 - m * 0.99 * 0.9)
}

fn victims() -> Victims {
    let model = small::model(&[]);
    for (spec, &(w, p, m, ..)) in model.segments.iter().zip(&SEGMENTS) {
        assert!(close(spec.targeting, w) && close(spec.compromise_prob, p));
        assert!(close(spec.mfa_adoption, m));
    }
    Victims::new(model.segments.clone(), model.market.mfa_efficacy)
}

/// Compromises per email `P = sum_s w_s p_eff_s`.
fn per_email() -> f64 {
    SEGMENTS.iter().map(|&(w, p, m, ..)| w * p_eff(p, m)).sum()
}

#[test]
fn compromises_per_email_is_the_targeting_weighted_effective_probability() {
    let mut victims = victims();
    assert!(close(victims.compromises_per_email(), per_email()));
    // Loss per compromise: sum_s (w_s p_eff_s / P) q_s median_s exp(sigma_s^2 / 2).
    let loss: f64 = (SEGMENTS.iter())
        .map(|&(w, p, m, q, median, sigma)| {
            w * p_eff(p, m) / per_email() * q * median * (0.5 * sigma * sigma).exp()
        })
        .sum();
    assert!(close(victims.loss_per_compromise(), loss));
    // Full MFA without bypass in segment 1 leaves 1% of its probability.
    victims.mfa_adoption[1] = 1.0;
    victims.bypass_share[1] = 0.0;
    victims.refresh();
    let (w, p, m) = (SEGMENTS[1].0, SEGMENTS[1].1, SEGMENTS[1].2);
    let expected = per_email() - w * p_eff(p, m) + w * p * 0.01;
    assert!(close(victims.compromises_per_email(), expected));
}

#[test]
fn the_days_compromises_split_over_segments_in_proportion_to_their_weight() {
    let victims = victims();
    let total = 200_000;
    let mut rng = RunKey {
        seed: 5,
        replication: 0,
    }
    .market(Purpose::Victims, 1);
    let mut compromises = vec![1u64; 4]; // distribute adds to what is there
    let mut losses = vec![0.0; 4];
    let day = victims.distribute(total, &mut rng, &mut compromises, &mut losses);
    assert_eq!(compromises.iter().sum::<u64>(), total + 4);
    // Multinomial: each count within 4 binomial SE sqrt(n q (1 - q)) of n q,
    // q_s = w_s p_eff_s / P (about 0.12 to 0.41 here; SE about 150 to 220).
    for (s, &(w, p, m, ..)) in SEGMENTS.iter().enumerate() {
        let q = w * p_eff(p, m) / per_email();
        let (got, want) = ((compromises[s] - 1) as f64, total as f64 * q);
        let se = (total as f64 * q * (1.0 - q)).sqrt();
        assert!(
            (got - want).abs() <= 4.0 * se,
            "segment {s}: {got} vs {want} (SE {se})"
        );
    }
    // Losses given the counts C_s: sum of Binomial(C_s, q_s) log-normal losses,
    // mean C q E[X] and variance C (q E[X^2] - q^2 E[X]^2); within 4 SE.
    assert!(close(day.losses_usd, losses.iter().sum()));
    let (mut mean, mut variance) = (0.0, 0.0);
    for (s, &(.., q, median, sigma)) in SEGMENTS.iter().enumerate() {
        let c = (compromises[s] - 1) as f64;
        let ex = median * (0.5 * sigma * sigma).exp();
        let ex2 = median * median * (2.0 * sigma * sigma).exp();
        mean += c * q * ex;
        variance += c * (q * ex2 - q * q * ex * ex);
    }
    let se = variance.sqrt();
    assert!(
        (day.losses_usd - mean).abs() <= 4.0 * se,
        "{} vs {mean} (SE {se})",
        day.losses_usd
    );
    // The expected losses given the counts are that mean exactly.
    assert!(
        close(day.expected_losses_usd, mean),
        "{} vs {mean}",
        day.expected_losses_usd
    );
}

/// A day with few compromises (at most `victims::FEW`) places them one by
/// one: over 20,000 days of 10, each segment's mean count is within four
/// standard errors `sqrt(10 q (1 - q) / days)` of `10 q`, and every day's
/// counts add up to 10.
#[test]
fn few_compromises_are_placed_in_proportion_to_the_segments_weight() {
    let victims = victims();
    let mut rng = RunKey {
        seed: 5,
        replication: 0,
    }
    .market(Purpose::Victims, 3);
    let (days, total) = (20_000u64, 10u64);
    assert!(total <= caasim::model::victims::FEW);
    let mut sums = vec![0u64; SEGMENTS.len()];
    for _ in 0..days {
        let mut compromises = vec![0u64; SEGMENTS.len()];
        let mut losses = vec![0.0; SEGMENTS.len()];
        victims.distribute(total, &mut rng, &mut compromises, &mut losses);
        assert_eq!(compromises.iter().sum::<u64>(), total);
        sums.iter_mut().zip(&compromises).for_each(|(s, c)| *s += c);
    }
    for (s, &(w, p, m, ..)) in SEGMENTS.iter().enumerate() {
        let q = w * p_eff(p, m) / per_email();
        let mean = sums[s] as f64 / days as f64;
        let se = (total as f64 * q * (1.0 - q) / days as f64).sqrt();
        let want = total as f64 * q;
        assert!(
            (mean - want).abs() <= 4.0 * se,
            "segment {s}: {mean} vs {want} (SE {se})"
        );
    }
}

#[test]
fn binomial_draws_have_the_binomial_mean_and_variance() {
    let mut rng = RunKey {
        seed: 5,
        replication: 0,
    }
    .market(Purpose::Victims, 2);
    let draws = 20_000;
    for (n, p) in [(50u64, 0.3), (10_000, 0.02), (7, 0.9)] {
        let xs: Vec<f64> = (0..draws)
            .map(|_| binomial(n, p, &mut rng) as f64)
            .collect();
        let mean = xs.iter().sum::<f64>() / draws as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (draws - 1) as f64;
        // Mean within 4 SE sqrt(npq / draws); sample variance within 4 SE
        // sqrt((mu4 - sigma^4) / draws), mu4 = npq (1 + 3 (n - 2) pq).
        let (nf, pq) = (n as f64, p * (1.0 - p));
        let sigma2 = nf * pq;
        let mu4 = sigma2 * (1.0 + 3.0 * (nf - 2.0) * pq);
        let se_mean = (sigma2 / draws as f64).sqrt();
        let se_var = ((mu4 - sigma2 * sigma2) / draws as f64).sqrt();
        assert!(
            (mean - nf * p).abs() <= 4.0 * se_mean,
            "n {n} p {p}: mean {mean}"
        );
        assert!(
            (var - sigma2).abs() <= 4.0 * se_var,
            "n {n} p {p}: variance {var}"
        );
    }
    assert_eq!(binomial(0, 0.5, &mut rng), 0);
    assert_eq!(binomial(12, 0.0, &mut rng), 0);
    assert_eq!(binomial(12, 1.0, &mut rng), 12);
}
