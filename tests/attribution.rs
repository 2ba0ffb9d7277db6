//! Attribution: every campaign, compromise and loss goes to the provider
//! whose seats produced it. The tables add up to the market's totals
//! (`providers.csv` and `segments.csv` against `timeseries.csv`), one filter
//! of `segments.csv` gives a provider's compromises in a country, a provider
//! without customers gets nothing, two identical providers get half each,
//! and calibration targets with `provider` or `class` read only theirs.
//! (Day-by-day identities in every arm: `common::check_day`, run by
//! `tests/accounting.rs` and `tests/extreme.rs`.)

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use caasim::engine::record::RunOutput;
use caasim::experiment::calibrate::{self, Target};
use caasim::experiment::{self, Experiment, Hooks, tables};
use caasim::model::Model;
use common::{bin, generic_text, load, mean_se, num, read_csv};

/// Two providers alike in everything but name (`Left` and `Right`, with
/// room for every customer), and `Idle`, which no one can rent from: its
/// capacity is below one seat, and with no reputation it is allotted no
/// unmet demand to grow towards. No entry.
const TWINS: &str = r#"
[scenario]
name = "twins"
days = 120
burn_in_days = 60
seed = 11
replications = 12

[entry]
max_per_day = 0

[[providers]]
name = "Left"
class = "vds"
capacity_seats = 3000
price_usd = 30
unit_cost_usd_per_seat_day = 0.4
reputation = 0.6
resilience = 0.2
cash_usd = 1000000

[[providers]]
name = "Right"
class = "vds"
capacity_seats = 3000
price_usd = 30
unit_cost_usd_per_seat_day = 0.4
reputation = 0.6
resilience = 0.2
cash_usd = 1000000

[[providers]]
name = "Idle"
class = "bulletproof"
capacity_seats = 0.5
price_usd = 30
unit_cost_usd_per_seat_day = 0.4
reputation = 0.0
quality = 0.0
resilience = 0.2
cash_usd = 1000000

[[attackers]]
name = "phisher"
count = 300
seats = { dist = "lognormal", median = 1.5, sigma = 0.5 }
skill = { dist = "lognormal", median = 1.0, sigma = 0.4 }
risk_tolerance = { dist = "uniform", low = 0.05, high = 0.2 }
cash_usd = 20000
kept_share = 0.4
campaign_cost_usd_per_seat_day = 2
reservation_usd_per_day = 5
sanction_cost_usd = 10000
attrition_per_day = 0.002

[victims]
compromise_prob = 0.002
bypass_share = 0.1
countries = [
  { name = "US", targeting = 0.6, mfa_adoption = 0.6 },
  { name = "IT", targeting = 0.4, mfa_adoption = 0.4 },
]
sectors = [
  { name = "finance", targeting = 0.5, monetise_prob = 0.02, loss_median_usd = 60000, loss_sigma = 1.2 },
  { name = "public", targeting = 0.5, monetise_prob = 0.005, loss_median_usd = 20000, loss_sigma = 1.0 },
]

[[arms]]
name = "baseline"
"#;

fn twins() -> (Model, Experiment) {
    let model = load(TWINS, &[]);
    let experiment = experiment::run(&model, &Hooks::default()).expect("not cancelled");
    (model, experiment)
}

/// A provider's compromises summed over the recorded days of a run.
fn provider_compromises(run: &RunOutput, name: &str) -> u64 {
    let j = (run.provider_names.iter().position(|n| n == name)).expect("the provider exists");
    let days = run.provider_days.iter();
    days.map(|d| d.get(j).map_or(0, |p| p.output.compromises))
        .sum()
}

#[test]
fn identical_providers_share_the_output_and_an_idle_one_gets_none() {
    let (model, experiment) = twins();
    let mut shares = Vec::new();
    for r in 0..model.replications {
        let run = experiment.run_of(0, r);
        let total: u64 = run.days.iter().map(|d| d.compromises).sum();
        assert!(total > 10_000, "replication {r}: only {total} compromises");
        assert_eq!(provider_compromises(run, "Idle"), 0, "replication {r}");
        let idle = run.provider_names.iter().position(|n| n == "Idle").unwrap();
        for day in &run.provider_days {
            assert_eq!(day[idle].output, Default::default(), "Idle's output");
        }
        let idle_segments = run.segment_compromises.get(idle);
        assert!(idle_segments.is_none_or(|s| s.iter().all(|&c| c == 0)));
        let left = provider_compromises(run, "Left");
        let right = provider_compromises(run, "Right");
        assert_eq!(left + right, total, "replication {r}");
        shares.push(left as f64 / total as f64);
    }
    // Left and Right are exchangeable (same parameters, streams of the same
    // law), so Left's expected share is exactly 1/2. Compromises are not
    // attributed one by one (a coin per compromise would give a binomial SE
    // of 0.5 / sqrt(total), about 0.003 here) but in clusters, customer by
    // customer, so the SE is estimated from the replications themselves,
    // which are independent: the mean share is within 4 SE of 1/2 (Student
    // t with 11 degrees of freedom: a false alarm about once in 400 runs).
    let (mean, se) = mean_se(&shares);
    assert!(se > 0.0 && se < 0.05, "share SE {se} (shares {shares:?})");
    assert!(
        (mean - 0.5).abs() < 4.0 * se,
        "Left's mean share {mean} is not within 4 SE ({se}) of 1/2: {shares:?}"
    );
}

/// A targets file in `dir` with the given entries.
fn targets(dir: &Path, model: &Model, text: &str) -> Vec<Target> {
    calibrate::parse_targets(text, "t.toml", dir, model).expect("valid targets")
}

/// A level target of daily compromises over the whole run, of `who`
/// (`provider = "..."`, `class = "..."` or nothing).
fn level(who: &str) -> String {
    format!(
        "[[targets]]\nkind = \"level\"\narm = \"baseline\"\ncolumn = \"compromises\"\nfrom_day = 0\nto_day = 119\nvalue = 1\nsd = 1\n{who}\n"
    )
}

#[test]
fn targets_with_a_provider_or_class_read_only_theirs() {
    let (model, experiment) = twins();
    let dir = tempfile::tempdir().unwrap();
    let read = |who: &str| {
        let target = &targets(dir.path(), &model, &level(who))[0];
        let values = target.simulated(&experiment, &model);
        assert_eq!(values.len(), 1, "one component");
        values[0]
            .iter()
            .map(|v| v.expect("defined"))
            .collect::<Vec<f64>>()
    };
    let named = &targets(dir.path(), &model, &level("provider = \"Left\""))[0];
    assert_eq!(named.name, "level-0-Left", "the default name says whose");
    let market = read("");
    let left = read("provider = \"Left\"");
    let right = read("provider = \"Right\"");
    let idle = read("provider = \"Idle\"");
    let vds = read("class = \"vds\"");
    let days = f64::from(model.days);
    for r in 0..model.replications as usize {
        let run = experiment.run_of(0, r as u32);
        let expected = provider_compromises(run, "Left") as f64 / days;
        assert!((left[r] - expected).abs() <= 1e-9 * expected, "rep {r}");
        assert_eq!(idle[r], 0.0, "rep {r}");
        let pair = left[r] + right[r];
        assert!((pair - market[r]).abs() <= 1e-9 * market[r], "rep {r}");
        assert!((vds[r] - market[r]).abs() <= 1e-9 * market[r], "rep {r}");
        assert!(left[r] > 0.2 * market[r] && right[r] > 0.2 * market[r]);
    }
    // A series target reads the provider's compromises of each day listed.
    std::fs::write(dir.path().join("s.csv"), "day,value\n5,1\n80,1\n").unwrap();
    let series = "[[targets]]\nkind = \"series\"\narm = \"baseline\"\ncolumn = \"compromises\"\nfile = \"s.csv\"\nsd = 1\nprovider = \"Right\"\n";
    let target = &targets(dir.path(), &model, series)[0];
    let values = target.simulated(&experiment, &model);
    for (component, day) in [5usize, 80].into_iter().enumerate() {
        for r in 0..model.replications {
            let run = experiment.run_of(0, r);
            let right = run
                .provider_names
                .iter()
                .position(|n| n == "Right")
                .unwrap();
            let expected = run.provider_days[day][right].output.compromises as f64;
            assert_eq!(values[component][r as usize], Some(expected));
        }
    }
}

#[test]
fn provider_and_class_errors_name_file_line_key_and_what_is_allowed() {
    let model = load(TWINS, &[]);
    let dir = tempfile::tempdir().unwrap();
    let check = |text: &str, expected: &[&str]| {
        let error = calibrate::parse_targets(text, "t.toml", dir.path(), &model).unwrap_err();
        let message = error.to_string();
        for needle in expected {
            assert!(
                message.contains(needle),
                "expected {needle:?} in:\n{message}"
            );
        }
    };
    check(
        &level("provider = \"RedVDS\""),
        &[
            "t.toml:9:12: `targets[0].provider`: is \"RedVDS\", which names no provider of the scenario; allowed: Left, Right, Idle",
        ],
    );
    check(
        &level("class = \"phaas\""),
        &[
            "t.toml:9:9: `targets[0].class`: is \"phaas\", which is the class of no provider of the scenario; allowed: vds, bulletproof",
        ],
    );
    check(
        &level("provider = \"Left\"\nclass = \"vds\""),
        &[
            "t.toml:10:9: `targets[0].class`: is given with `provider`; allowed: one of `provider` or `class`",
        ],
    );
    check(
        &level("provider = \"Left\"").replace("\"compromises\"", "\"mean_price\""),
        &[
            "t.toml:4:10: `targets[0].column`: is \"mean_price\", which is not attributed to providers; allowed with `provider` or `class`: campaigns, compromises, losses_usd, expected_losses_usd",
        ],
    );
    check(
        "[[targets]]\nkind = \"recovery\"\narm = \"baseline\"\ndays = 3\nsd = 1\nprovider = \"Left\"\n",
        &["t.toml:6:12: `targets[0].provider`: is not a field of kind `recovery`"],
    );
}

#[test]
fn calibrate_refuses_an_unknown_provider_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let targets = dir.path().join("targets.toml");
    let text = "[[targets]]\nkind = \"level\"\narm = \"baseline\"\ncolumn = \"compromises\"\nfrom_day = 0\nto_day = 10\nvalue = 100\nsd = 10\nprovider = \"Lumma\"\n";
    std::fs::write(&targets, text).unwrap();
    let out = dir.path().join("out");
    let output = bin()
        .args(["calibrate", "scenarios/lumma-2025.toml", "--targets"])
        .arg(&targets)
        .args(["--params", "market.search_days=3:40", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for needle in [
        "targets.toml:9:12: `targets[0].provider`: is \"Lumma\"",
        "allowed: Lumma-Experienced, Lumma-Professional, Lumma-Corporate, Stealer, Stealer-1",
    ] {
        assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
    }
    assert!(!out.join("posterior.csv").exists());
}

/// `(arm, replication)` sums of a column.
fn sums(rows: &[BTreeMap<String, String>], column: &str) -> BTreeMap<(String, String), f64> {
    let mut sums = BTreeMap::new();
    for row in rows {
        let key = (row["arm"].clone(), row["replication"].clone());
        *sums.entry(key).or_insert(0.0) += num(row, column);
    }
    sums
}

#[test]
fn tables_add_up_to_the_market_and_one_filter_gives_a_provider_in_a_country() {
    // The generic market with entrants and its intervention arms.
    let model = load(
        &generic_text(),
        &["scenario.replications=3", "scenario.days=90"],
    );
    let dir = tempfile::tempdir().unwrap();
    tables::run_into(
        dir.path(),
        &model,
        &Hooks::default(),
        tables::Kept::All,
        &[],
    )
    .unwrap()
    .expect("not cancelled");
    let series = read_csv(&dir.path().join("timeseries.csv"));
    let providers = read_csv(&dir.path().join("providers.csv"));
    let segments = read_csv(&dir.path().join("segments.csv"));
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
    // segments.csv: per (arm, replication), exactly the compromises of
    // timeseries.csv, and the expected losses up to rounding.
    let (by_day, by_segment) = (sums(&series, "compromises"), sums(&segments, "compromises"));
    assert_eq!(by_day, by_segment);
    let expected = sums(&series, "expected_losses_usd");
    for (key, value) in sums(&segments, "expected_losses_usd") {
        assert!(
            close(value, expected[&key]),
            "{key:?}: {value} vs {}",
            expected[&key]
        );
    }
    let losses = sums(&series, "losses_usd");
    for (key, value) in sums(&segments, "losses_usd") {
        assert!(
            close(value, losses[&key]),
            "{key:?}: {value} vs {}",
            losses[&key]
        );
    }
    assert!(
        segments.iter().all(|row| num(row, "compromises") > 0.0),
        "zero rows"
    );
    // providers.csv: per arm, its means over replications add up to the
    // mean over replications of the market's totals.
    let reps = f64::from(model.replications);
    for arm in &model.arms {
        for column in [
            "campaigns",
            "compromises",
            "losses_usd",
            "expected_losses_usd",
        ] {
            let of = |rows: &[BTreeMap<String, String>]| -> f64 {
                let rows = rows.iter().filter(|r| r["arm"] == arm.name);
                rows.map(|r| num(r, column)).sum()
            };
            let (market, attributed) = (of(&series) / reps, of(&providers));
            assert!(market > 0.0, "{} {column}", arm.name);
            assert!(
                close(market, attributed),
                "{} {column}: {market} vs {attributed}",
                arm.name
            );
        }
    }
    // "Compromises by Alpha's customers in Italy" is one filter, and it is
    // what the run attributed to Alpha in Italy's segments.
    let experiment = experiment::run(&model, &Hooks::default()).unwrap();
    for r in 0..model.replications {
        let run = experiment.run_of(0, r);
        let alpha = run
            .provider_names
            .iter()
            .position(|n| n == "Alpha")
            .unwrap();
        let italy: u64 = (model.segments.iter().zip(&run.segment_compromises[alpha]))
            .filter(|(s, _)| s.country == "IT")
            .map(|(_, &c)| c)
            .sum();
        let filtered: f64 = (segments.iter())
            .filter(|row| row["arm"] == "baseline" && row["replication"] == r.to_string())
            .filter(|row| row["provider"] == "Alpha" && row["country"] == "IT")
            .map(|row| num(row, "compromises"))
            .sum();
        assert!(
            italy > 0,
            "replication {r}: no compromise by Alpha in Italy"
        );
        assert_eq!(filtered, italy as f64, "replication {r}");
    }
}

#[test]
fn the_report_refuses_a_segments_table_that_does_not_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let out = dir.display().to_string();
    let args = ["run", "scenarios/generic-market.toml", "--reps", "2"];
    let output =
        common::run_bin(&[&args[..], &["--arms", "takedown", "--quiet", "--out", &out]].concat());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = dir.join("segments.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Without its last row (cut at a line end, so still valid CSV), or with
    // one row's compromises changed, the file no longer adds up.
    let last = lines[lines.len() - 1];
    let fields: Vec<&str> = last.split(',').collect();
    let mut changed = fields.clone();
    let more = (fields[6].parse::<u64>().unwrap() + 1).to_string();
    changed[6] = &more;
    let damaged = [
        lines[..lines.len() - 1].join("\n") + "\n",
        [&lines[..lines.len() - 1], &[changed.join(",").as_str()][..]]
            .concat()
            .join("\n")
            + "\n",
    ];
    for (how, bad) in ["cut", "changed"].into_iter().zip(damaged) {
        std::fs::write(&path, bad).unwrap();
        let output = common::run_bin(&["report", &out]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{how}: {stderr}");
        assert!(
            stderr.contains("segments.csv") && stderr.contains("add up to"),
            "{how}: {stderr}"
        );
    }
    std::fs::write(&path, text).unwrap();
    let output = common::run_bin(&["report", &out]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
