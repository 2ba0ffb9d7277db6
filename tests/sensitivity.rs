//! Global sensitivity analysis against known answers: Sobol indices of the
//! Ishigami function and of a linear model, Morris screening of a function
//! with an inert, a linear and an interacting parameter, an integer
//! parameter (rounded draws) against the variance of its rounded values, and
//! determinism.

use std::f64::consts::PI;

use caasim::experiment::design::{Design, Range};
use caasim::experiment::parameter::Parameter;
use caasim::experiment::sensitivity::{
    Bootstrapped, MORRIS_LEVELS, MorrisPlan, SobolIndices, saltelli, sobol_indices,
};

/// The bootstrap normal quantile: a 95% interval spans 2 x 1.96 standard errors.
const Z975: f64 = 1.959_963_984_540_054;

fn range(parameter: &str, low: f64, high: f64) -> Parameter {
    Parameter::real(Range {
        parameter: parameter.into(),
        low,
        high,
    })
}

/// The output of `f` at every point of the design, from the TOML text of its values.
fn outputs(design: &Design, f: impl Fn(&[f64]) -> f64) -> Vec<Option<f64>> {
    design
        .points
        .iter()
        .map(|p| {
            let x: Vec<f64> = p.iter().map(|v| v.parse().unwrap()).collect();
            Some(f(&x))
        })
        .collect()
}

/// The bootstrap standard error implied by a 95% percentile interval.
fn standard_error(b: &Bootstrapped) -> f64 {
    (b.ci_high.unwrap() - b.ci_low.unwrap()) / (2.0 * Z975)
}

fn covers(b: &Bootstrapped, truth: f64) -> bool {
    b.ci_low.unwrap() <= truth && truth <= b.ci_high.unwrap()
}

/// Every estimate within `4` bootstrap standard errors of the truth (a miss
/// has probability 6e-5 per index if the estimator is unbiased and normal;
/// the bootstrap treats Sobol rows as independent, which only widens it) and
/// the standard error small enough (below `max_se`) for that to mean something.
fn check_within(estimates: &[Bootstrapped], truths: &[f64], max_se: f64) {
    for (i, (b, &truth)) in estimates.iter().zip(truths).enumerate() {
        let (value, se) = (b.value.unwrap(), standard_error(b));
        assert!(se < max_se, "parameter {i}: standard error {se}");
        assert!(
            (value - truth).abs() <= 4.0 * se,
            "parameter {i}: {value} vs {truth} (se {se})"
        );
    }
}

fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Analytic (S, ST) of Ishigami with a = 7, b = 0.1 (Sobol' & Levitan 1999):
/// V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = 8 b^2 pi^8 / 225, V3 = 0.
fn ishigami_truth() -> ([f64; 3], [f64; 3]) {
    let (a, b) = (7.0f64, 0.1f64);
    let v1 = (1.0 + b * PI.powi(4) / 5.0).powi(2) / 2.0;
    let v2 = a * a / 8.0;
    let v13 = 8.0 * b * b * PI.powi(8) / 225.0;
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

fn ishigami_indices(n: usize, shift: f64) -> SobolIndices {
    let ranges: Vec<Parameter> = ["x1", "x2", "x3"]
        .iter()
        .map(|p| range(p, -PI, PI))
        .collect();
    let design = saltelli(&ranges, n, 42).unwrap();
    let y = outputs(&design, |x| ishigami(x) + shift);
    sobol_indices(&y, 3, 1000, 7).unwrap()
}

#[test]
fn ishigami_indices_match_the_analytic_values() {
    let (first, total) = ishigami_truth();
    assert!((first[0] - 0.314).abs() < 1e-3 && (first[1] - 0.442).abs() < 1e-3);
    assert!((total[0] - 0.558).abs() < 1e-3 && (total[2] - 0.244).abs() < 1e-3);
    let s = ishigami_indices(1 << 13, 0.0);
    assert_eq!((s.rows, s.rows_used), (8192, 8192));
    // With N = 8192 the bootstrap standard errors are about 0.01-0.02
    // (Saltelli et al. 2010 report errors of this size at this N).
    check_within(&s.first_order, &first, 0.03);
    check_within(&s.total, &total, 0.03);
    // Each 95% interval covers the truth with probability about 0.95, so
    // 5 of 6 or more do with probability 0.97.
    let covered = (s.first_order.iter().zip(first))
        .chain(s.total.iter().zip(total))
        .filter(|(b, t)| covers(b, *t))
        .count();
    assert!(
        covered >= 5,
        "{covered} of 6 intervals cover the truth: {s:?}"
    );
}

#[test]
fn sobol_indices_do_not_change_when_the_output_is_shifted() {
    // Centring makes S invariant to a constant added to the output (the
    // uncentred estimator would add shift * mean(f(AB) - f(A)) / V, here
    // about 1e4 * 0.04 / 13.8, i.e. useless); ST is invariant by construction.
    // What remains is rounding: 1e4 * 2^-52 per output over V ~ 14.
    let plain = ishigami_indices(1 << 10, 0.0);
    let shifted = ishigami_indices(1 << 10, 1e4);
    for (p, s) in (plain.first_order.iter().chain(&plain.total))
        .zip(shifted.first_order.iter().chain(&shifted.total))
    {
        for (a, b) in [
            (p.value, s.value),
            (p.ci_low, s.ci_low),
            (p.ci_high, s.ci_high),
        ] {
            assert!((a.unwrap() - b.unwrap()).abs() < 1e-8, "{p:?} vs {s:?}");
        }
    }
}

#[test]
fn linear_model_indices_are_the_variance_shares() {
    // y = sum c_i x_i, x_i ~ U[0, 1]: V_i = c_i^2 / 12, no interactions, so
    // S_i = ST_i = c_i^2 / sum c_j^2 = (1, 4, 9, 0) / 14.
    let c = [1.0, 2.0, 3.0, 0.0];
    let ranges: Vec<Parameter> = (0..4).map(|i| range(&format!("x{i}"), 0.0, 1.0)).collect();
    let design = saltelli(&ranges, 1 << 12, 3).unwrap();
    let y = outputs(&design, |x| x.iter().zip(c).map(|(x, c)| c * x).sum());
    let s = sobol_indices(&y, 4, 1000, 11).unwrap();
    let shares: Vec<f64> = c.iter().map(|c| c * c / 14.0).collect();
    check_within(&s.first_order, &shares, 0.03);
    check_within(&s.total, &shares, 0.03);
    // The inert parameter changes no output bit, so both indices are exactly 0.
    assert_eq!(s.first_order[3].value, Some(0.0));
    assert_eq!(s.total[3].value, Some(0.0));
    for i in 0..3 {
        let (first, total) = (&s.first_order[i], &s.total[i]);
        let se = standard_error(first).hypot(standard_error(total));
        assert!((first.value.unwrap() - total.value.unwrap()).abs() <= 4.0 * se);
    }
}

#[test]
fn an_integer_parameter_has_the_indices_of_its_whole_values() {
    // y = n + x with n drawn uniformly on the whole numbers 0..=4, x ~ U[0, 1]:
    // Var(n) = (5^2 - 1) / 12 = 2, Var(x) = 1/12, so S_n = ST_n = 24/25 and
    // S_x = 1/25. (Rounding a uniform draw on [0, 4] would have given the
    // ends half the weight: Var(n) = 1.5 and 18/19.)
    let ranges = vec![
        Parameter {
            integer: true,
            ..range("n", 0.0, 4.0)
        },
        range("x", 0.0, 1.0),
    ];
    let design = saltelli(&ranges, 1 << 12, 4).unwrap();
    let n: Vec<&str> = design.points.iter().map(|p| p[0].as_str()).collect();
    assert!(n.iter().all(|v| ["0", "1", "2", "3", "4"].contains(v)));
    let y = outputs(&design, |x| x[0] + x[1]);
    let s = sobol_indices(&y, 2, 1000, 3).unwrap();
    let shares = [24.0 / 25.0, 1.0 / 25.0];
    check_within(&s.first_order, &shares, 0.03);
    check_within(&s.total, &shares, 0.03);
}

/// x0 inert, x1 linear with slope 3 on [-2, 2], x2 and x3 interacting.
fn screened(x: &[f64]) -> f64 {
    3.0 * x[1] + x[2] * x[3]
}

fn screening_ranges() -> Vec<Parameter> {
    vec![
        range("x0", 0.0, 1.0),
        range("x1", -2.0, 2.0),
        range("x2", 0.0, 1.0),
        range("x3", 0.0, 1.0),
    ]
}

#[test]
fn morris_separates_inert_linear_and_interacting_parameters() {
    let plan = MorrisPlan::new(4, 200, MORRIS_LEVELS, 5).unwrap();
    let design = plan.design(&screening_ranges()).unwrap();
    let m = plan.effects(&outputs(&design, screened), 1000, 6).unwrap();
    assert_eq!((m.trajectories, m.trajectories_used), (200, 200));
    let [inert, linear, x2, x3] = m.parameters[..] else {
        panic!("four parameters");
    };
    // x0 changes nothing: every EE is exactly 0.
    let zero = Bootstrapped {
        value: Some(0.0),
        ci_low: Some(0.0),
        ci_high: Some(0.0),
    };
    assert_eq!(
        (inert.mu_star, inert.mu, inert.sigma),
        (zero, Some(0.0), Some(0.0))
    );
    // x1: EE = slope x range width = 3 x 4 = 12 in units of the scaled
    // parameter, the same at every step: sigma = 0 up to rounding of the
    // grid values (relative 1e-15 per output, divided by delta = 2/3).
    for v in [
        linear.mu_star.value,
        linear.mu,
        linear.mu_star.ci_low,
        linear.mu_star.ci_high,
    ] {
        assert!((v.unwrap() - 12.0).abs() < 1e-12, "{linear:?}");
    }
    assert!(linear.sigma.unwrap() < 1e-12);
    // x2: EE = x3, which is uniform on the 4 levels {0, 1/3, 2/3, 1} at any
    // step: mu* = mu = 1/2 and sigma = sqrt(5/36) = 0.37, estimated from 200
    // EEs with a standard error of sigma sqrt((kurtosis - 1) / 4r) = 0.011,
    // so within 0.05 (4 standard errors); likewise x3.
    for p in [x2, x3] {
        assert!(
            (p.sigma.unwrap() - (5.0f64 / 36.0).sqrt()).abs() < 0.05,
            "{p:?}"
        );
        assert!(covers(&p.mu_star, 0.5), "{p:?}");
        assert_eq!(p.mu, p.mu_star.value);
    }
}

#[test]
fn morris_drops_trajectories_with_missing_outputs() {
    let plan = MorrisPlan::new(4, 10, MORRIS_LEVELS, 1).unwrap();
    let design = plan.design(&screening_ranges()).unwrap();
    let mut y = outputs(&design, screened);
    y[7] = None; // trajectory 1 (points 5..10)
    y[49] = Some(f64::INFINITY); // trajectory 9
    let m = plan.effects(&y, 100, 0).unwrap();
    assert_eq!((m.trajectories, m.trajectories_used), (10, 8));
    assert!((m.parameters[1].mu_star.value.unwrap() - 12.0).abs() < 1e-12);
    let only_first = [&y[..5], &[None; 45]].concat();
    let one = plan.effects(&only_first, 100, 0).unwrap();
    assert_eq!(one.trajectories_used, 1);
    assert!(one.parameters[2].sigma.is_none() && one.parameters[2].mu_star.ci_low.is_none());
}

#[test]
fn same_seed_same_results_and_different_seeds_differ() {
    let ranges = screening_ranges();
    let design = saltelli(&ranges, 256, 1).unwrap();
    assert_eq!(design, saltelli(&ranges, 256, 1).unwrap());
    assert_ne!(design, saltelli(&ranges, 256, 2).unwrap());
    let y = outputs(&design, screened);
    let s = sobol_indices(&y, 4, 200, 1).unwrap();
    assert_eq!(s, sobol_indices(&y, 4, 200, 1).unwrap());
    let other = sobol_indices(&y, 4, 200, 2).unwrap();
    assert_eq!(s.first_order[2].value, other.first_order[2].value);
    assert_ne!(s.first_order[2].ci_low, other.first_order[2].ci_low);

    let plan = MorrisPlan::new(4, 50, MORRIS_LEVELS, 1).unwrap();
    assert_eq!(plan, MorrisPlan::new(4, 50, MORRIS_LEVELS, 1).unwrap());
    assert_ne!(plan, MorrisPlan::new(4, 50, MORRIS_LEVELS, 2).unwrap());
    // More trajectories extend the plan: the first ones stay.
    let longer = MorrisPlan::new(4, 60, MORRIS_LEVELS, 1).unwrap();
    assert_eq!(plan.trajectories(), &longer.trajectories()[..50]);
    let y = outputs(&plan.design(&ranges).unwrap(), screened);
    let m = plan.effects(&y, 200, 1).unwrap();
    assert_eq!(m, plan.effects(&y, 200, 1).unwrap());
    assert_ne!(
        m.parameters[2].mu_star.ci_low,
        plan.effects(&y, 200, 2).unwrap().parameters[2]
            .mu_star
            .ci_low
    );
}
