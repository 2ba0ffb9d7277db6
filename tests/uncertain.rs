//! Uncertain parameters (`[uncertain]`, issue 14): parsed, checked against
//! the scenario, refused with file, line, key and what is allowed (exit code
//! 2), and drawn reproducibly per (seed, replication).

mod common;

use caasim::model::uncertain::{assignments, draw};
use caasim::rng::RunKey;
use caasim::scenario::{self, load_text};
use common::{generic_text, load, run_bin};

/// generic-market with an `[uncertain]` table of `entries` (one a line).
fn with_uncertain(entries: &str) -> String {
    format!("{}\n[uncertain]\n{entries}\n", generic_text())
}

/// The line of the first line of `text` that contains `needle` (1-based).
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("the needle is in the text")
        + 1
}

/// The error message of scenario text that must be refused.
fn refused(text: &str) -> String {
    match load_text(text, "inline.toml", &[]) {
        Ok(_) => panic!("the scenario is refused"),
        Err(e) => e.to_string(),
    }
}

const VALID: &str = r#""market.search_days" = { dist = "log_normal", median = 20, sigma = 0.5, low = 5, high = 60 }
"market.switching_rebuild_days" = { dist = "uniform", low = 1.5, high = 9 }
"providers.Alpha.price_usd" = { dist = "triangular", low = 20, mode = 30, high = 45 }
"market.patience_days" = { dist = "choice", values = [15, 30, 45] }
"entry.template.reputation" = { dist = "normal", mean = 0.2, sd = 0.1, low = 0, high = 1 }
"market.emails_per_seat_per_day" = { dist = "log_uniform", low = 200, high = 600 }
"arms.takedown.interventions.0.capacity_seized" = { dist = "uniform", low = 0.5, high = 0.9 }
"arms.takedown.interventions.0.downtime_days" = { dist = "triangular", low = 10, mode = 30, high = 60 }"#;

#[test]
fn a_valid_table_gives_the_parameters_with_their_integer_fields() {
    let model = load(&with_uncertain(VALID), &[]);
    let found: Vec<(&str, bool)> = model
        .uncertain
        .iter()
        .map(|p| (p.key.as_str(), p.integer))
        .collect();
    assert_eq!(
        found,
        [
            ("arms.takedown.interventions.0.capacity_seized", false),
            ("arms.takedown.interventions.0.downtime_days", true),
            ("entry.template.reputation", false),
            ("market.emails_per_seat_per_day", false),
            ("market.patience_days", true),
            ("market.search_days", false),
            ("market.switching_rebuild_days", true),
            ("providers.Alpha.price_usd", false),
        ]
    );
    // Every replication's draw is a valid scenario, and the same draw
    // each time it is asked for.
    let text = with_uncertain(VALID);
    for replication in 0..20 {
        let key = RunKey {
            seed: model.seed,
            replication,
        };
        let values = draw(&model.uncertain, key);
        assert_eq!(values, draw(&model.uncertain, key));
        let assignments = assignments(&model.uncertain, &values);
        let drawn = load(
            &text,
            &assignments.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let rebuild = drawn.market.switching_rebuild_days;
        assert!((2..=9).contains(&rebuild), "{rebuild}");
        assert!([15, 30, 45].contains(&drawn.market.patience_days));
        assert!((5.0..=60.0).contains(&drawn.market.search_days));
    }
}

#[test]
fn a_scenario_without_uncertain_parameters_is_unchanged() {
    let model = load(&generic_text(), &[]);
    assert!(model.uncertain.is_empty());
    let resolved = scenario::resolved_toml(&model.scenario);
    assert!(!resolved.contains("uncertain"), "{resolved}");
    // `caasim schema` describes the table and its distributions.
    let schema = scenario::json_schema();
    for word in [
        "\"uncertain\"",
        "log_uniform",
        "triangular",
        "log_normal",
        "choice",
    ] {
        assert!(schema.contains(word), "{word} is not in the schema");
    }
    // The table round-trips through the resolved scenario.
    let model = load(&with_uncertain(VALID), &[]);
    let again = load(&scenario::resolved_toml(&model.scenario), &[]);
    assert_eq!(again.uncertain, model.uncertain);
}

#[test]
fn bad_distributions_are_refused_at_their_line_and_key() {
    let cases: [(&str, &str, &str); 13] = [
        (
            r#""market.search_days" = { dist = "uniform", low = 40, high = 5 }"#,
            "uncertain.market.search_days.low",
            "allowed: low <= high",
        ),
        (
            r#""market.search_days" = { dist = "normal", mean = 20, sd = -2, low = 5, high = 40 }"#,
            "uncertain.market.search_days.sd",
            "allowed: above 0",
        ),
        (
            r#""market.search_days" = { dist = "log_uniform", low = 0, high = 40 }"#,
            "uncertain.market.search_days.low",
            "allowed: above 0",
        ),
        (
            r#""market.search_days" = { dist = "triangular", low = 5, mode = 50, high = 40 }"#,
            "uncertain.market.search_days.mode",
            "allowed: low <= mode <= high",
        ),
        (
            r#""market.search_days" = { dist = "normal", mean = 0, sd = 0.1, low = 50, high = 60 }"#,
            "uncertain.market.search_days.low",
            "allowed: a range with some probability",
        ),
        (
            r#""market.patience_days" = { dist = "choice", values = [10, 12.5] }"#,
            "uncertain.market.patience_days.values",
            "takes whole numbers only; allowed: whole numbers",
        ),
        (
            r#""market.patience_days" = { dist = "uniform", low = 10.2, high = 10.8 }"#,
            "uncertain.market.patience_days.low",
            "holds no whole number",
        ),
        (
            r#""market.search_days" = { dist = "uniform", low = -5, high = 40 }"#,
            "uncertain.market.search_days.low",
            "`market.search_days=-5` (the lower end) is refused",
        ),
        (
            r#""market.no_such_key" = { dist = "uniform", low = 1, high = 2 }"#,
            "uncertain.market.no_such_key",
            "is not a parameter of the scenario: is not a key of this table",
        ),
        (
            r#""providers.Omega.price_usd" = { dist = "uniform", low = 1, high = 2 }"#,
            "uncertain.providers.Omega.price_usd",
            "is not a parameter of the scenario: no element named `Omega`",
        ),
        (
            r#""victims" = { dist = "uniform", low = 1, high = 2 }"#,
            "uncertain.victims.low",
            "allowed: a table",
        ),
        (
            r#""scenario.seed" = { dist = "uniform", low = 1, high = 2 }"#,
            "uncertain.scenario.seed",
            "cannot be uncertain",
        ),
        (
            r#""market.search_days" = { dist = "choice", values = [] }"#,
            "uncertain.market.search_days.values",
            "allowed: a list of at least one value",
        ),
    ];
    for (entry, key, message) in cases {
        let text = with_uncertain(entry);
        let error = refused(&text);
        let line = line_of(&text, entry.split(" =").next().unwrap());
        assert!(
            error.contains(&format!("inline.toml:{line}:")),
            "{entry}: line {line} expected in {error}"
        );
        assert!(error.contains(&format!("`{key}`")), "{entry}: {error}");
        assert!(error.contains(message), "{entry}: {error}");
    }
    // An unknown distribution is a parse error, located likewise.
    let text = with_uncertain(r#""market.search_days" = { dist = "beta", low = 1, high = 2 }"#);
    let error = refused(&text);
    assert!(error.contains("`beta` is not known; allowed:"), "{error}");
}

#[test]
fn the_binary_refuses_a_bad_distribution_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let text = with_uncertain(
        r#""market.search_days" = { dist = "normal", mean = 20, sd = -2, low = 5, high = 40 }"#,
    );
    std::fs::write(&path, &text).unwrap();
    let output = run_bin(&["check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = line_of(&text, "\"market.search_days\" = ");
    assert!(
        stderr.contains(&format!("bad.toml:{line}:")) && stderr.contains("sd`"),
        "{stderr}"
    );
}
