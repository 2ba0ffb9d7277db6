//! `caasim coalition` on a small market of two jurisdictions: the leader
//! Alpha is located in A, its rivals in B; a takedown of Alpha by police in
//! A and police in B. The police of B reach nothing of Alpha (no server,
//! storefront or operator there, and no provider can move capacity to
//! another place), so B police is a dummy player: its Shapley value must be
//! exactly 0 in every replication, and the values must add up to the full
//! coalition's effect less the empty coalition's.

mod common;

use std::path::Path;
use std::process::Output;

use caasim::experiment::coalition::estimates::Analysis;
use caasim::experiment::coalition::{GAME_METRICS, Game};
use caasim::experiment::metrics::METRICS;
use caasim::experiment::{Hooks, Summary, run_summary};
use caasim::model::Model;
use common::{bin, generic_with_arms, load};

/// The coalition's takedown of Alpha: police in A (where Alpha is) with a
/// cost, police in B (where only its rivals are) for free.
const ARM: &str = r#"
[[arms]]
name = "op"
description = "Alpha taken down by the police of A and of B."
interventions = [
  { kind = "takedown", start = 20, target = { provider = "Alpha" }, downtime_days = 30, arrest_probability = 0.3, customer_data_seized = true, coalition = [
      { name = "A police", jurisdiction = "A", acts = "police", effectiveness = 0.9, cost_usd = 100000 },
      { name = "B police", jurisdiction = "B", acts = "police", effectiveness = 0.9 } ] },
]
"#;

/// Short runs: 90 days after a 30-day burn-in, 4 replications.
const SMALL: [&str; 3] = [
    "scenario.days=90",
    "scenario.burn_in_days=30",
    "scenario.replications=4",
];

fn model() -> Model {
    load(&generic_with_arms(ARM), &SMALL)
}

fn game_and_summary() -> (Game, Summary) {
    let game = Game::new(&model(), "inline.toml", "op", None).expect("a valid game");
    let summary = run_summary(&game.model, &Hooks::default()).expect("not cancelled");
    (game, summary)
}

fn metric_index(name: &str) -> usize {
    METRICS.iter().position(|m| m.name == name).unwrap()
}

#[test]
fn a_dummy_partner_is_worth_exactly_zero_in_every_replication_and_the_values_add_up() {
    let (game, summary) = game_and_summary();
    assert_eq!(game.partners, ["A police", "B police"]);
    assert_eq!(game.subsets, [0b00, 0b01, 0b10, 0b11]);
    let everyone = game.everyone();
    for (name, _) in GAME_METRICS {
        let m = metric_index(name);
        let replications = summary.values(1, m).len();
        assert_eq!(replications, 4);
        for r in 0..replications {
            let v = |set: u64| summary.values(game.arm_of(set), m)[r];
            let phi = game
                .estimator
                .values(v)
                .expect("every subset's value defined");
            assert_eq!(
                phi[1], 0.0,
                "B police on {name} in replication {r}: {phi:?}"
            );
            let total = v(everyone).unwrap() - v(0).unwrap();
            let sum: f64 = phi.iter().sum();
            assert!(
                (sum - total).abs() <= 1e-9 * total.abs().max(1.0),
                "{name}, replication {r}: the values sum to {sum}, v(N) - v(empty) is {total}"
            );
        }
    }
    let analysis = Analysis::new(&game, &summary);
    for e in &analysis.efficiency {
        let total = e.full_minus_empty.mean.unwrap();
        assert!((e.shapley_sum.unwrap() - total).abs() <= 1e-9 * total.abs().max(1.0));
        assert_eq!(e.full_minus_empty.n, 4, "{}", e.metric);
    }
    let averted = analysis
        .partner_rows("compromises_averted")
        .collect::<Vec<_>>();
    assert_eq!(averted[1].shapley.mean, Some(0.0));
    assert!(averted[0].shapley.mean.unwrap() > 0.0, "{:?}", averted[0]);
    let best = analysis.best[1].as_ref().expect("a best partner");
    assert_eq!((best.metric, best.partner), ("compromises_averted", 0));
    let cost = analysis
        .partner_rows("defender_cost_usd")
        .collect::<Vec<_>>();
    let paid = cost[0].shapley.mean.unwrap();
    assert!(
        (paid - 100_000.0).abs() < 1e-6,
        "A police pays its strike: {paid}"
    );
}

#[test]
fn the_full_coalition_is_the_arm_as_written_and_the_empty_one_the_baseline() {
    let (game, summary) = game_and_summary();
    let plain = run_summary(&model(), &Hooks::default()).unwrap();
    let (all, none) = (game.arm_of(game.everyone()), game.arm_of(0));
    for (name, _) in GAME_METRICS {
        let m = metric_index(name);
        assert_eq!(summary.values(all, m), plain.values(1, m), "{name}");
        assert!(
            summary.values(none, m).iter().all(|v| *v == Some(0.0)),
            "the empty coalition acts on no one: {name} {:?}",
            summary.values(none, m)
        );
    }
}

/// Run `caasim coalition` on `scenario` into `out` with `args` (small runs).
fn coalition(scenario: &Path, out: &Path, args: &[&str], threads: &str) -> Output {
    let mut command = bin();
    command
        .env("RAYON_NUM_THREADS", threads)
        .arg("coalition")
        .arg(scenario)
        .args(["--out", &out.to_string_lossy(), "--quiet"]);
    for set in SMALL {
        command.args(["--set", set]);
    }
    command.args(args).output().expect("caasim runs")
}

fn scenario_file(dir: &Path, arms: &str) -> std::path::PathBuf {
    let path = dir.join("two-places.toml");
    std::fs::write(&path, generic_with_arms(arms)).unwrap();
    path
}

/// Every file under `dir`, with its bytes, by relative path.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_folder_is_the_same_bytes_on_one_and_two_threads_and_report_redraws_it() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = scenario_file(tmp.path(), ARM);
    // The same folder name: a paper table's label is made from it.
    let (one, two) = (tmp.path().join("1/out"), tmp.path().join("2/out"));
    for (out, threads) in [(&one, "1"), (&two, "2")] {
        let output = coalition(&scenario, out, &["--arm", "op"], threads);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let written = files(&one);
    let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "coalition.json",
        "subsets.csv",
        "shapley.csv",
        "shapley.tex",
        "shapley.md",
        "coalition.html",
        "plots/coalition-compromises_averted.pdf",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(
        written == files(&two),
        "1 and 2 threads wrote different bytes"
    );
    let page = std::fs::read(one.join("coalition.html")).unwrap();
    std::fs::remove_file(one.join("coalition.html")).unwrap();
    let redraw = bin().arg("report").arg(&one).output().unwrap();
    assert!(
        redraw.status.success(),
        "{}",
        String::from_utf8_lossy(&redraw.stderr)
    );
    assert_eq!(std::fs::read(one.join("coalition.html")).unwrap(), page);
    let shapley = String::from_utf8(std::fs::read(one.join("shapley.csv")).unwrap()).unwrap();
    let dummy = (shapley.lines())
        .filter(|l| l.starts_with("B police,"))
        .collect::<Vec<_>>();
    assert_eq!(dummy.len(), GAME_METRICS.len());
    assert!(
        dummy.iter().all(|l| l.contains(",0,0,0,0,0,0,0,0,0,4,")),
        "{dummy:?}"
    );
}

/// Exit code 2, and standard error naming each of `named`.
fn refused(output: &Output, named: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for name in named {
        assert!(stderr.contains(name), "{name:?} not in: {stderr}");
    }
}

#[test]
fn bad_arms_are_refused_with_the_file_and_arm_named() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = scenario_file(tmp.path(), ARM);
    let file = scenario.display().to_string();
    let out = tmp.path().join("out");
    let unknown = coalition(&scenario, &out, &["--arm", "nope"], "1");
    refused(&unknown, &[&file, "--arm nope", "allowed", "op"]);
    let generic = common::repo_path("scenarios/generic-market.toml");
    let plain = coalition(&generic, &out, &["--arm", "takedown"], "1");
    refused(
        &plain,
        &[
            "generic-market.toml",
            "--arm takedown",
            "no coalition partner",
        ],
    );
    let partners: Vec<String> = (1..=7)
        .map(|i| format!("{{ name = \"P{i}\", jurisdiction = \"A\", acts = \"police\", effectiveness = 0.1 }}"))
        .collect();
    let seven = ARM.replace(
        "coalition = [",
        &format!("coalition = [{}, ", partners.join(", ")),
    );
    let many = scenario_file(tmp.path(), &seven);
    let too_many = coalition(&many, &out, &["--arm", "op"], "1");
    refused(
        &too_many,
        &[&file, "--arm op", "9 partners", "--permutations"],
    );
    assert!(!out.join("coalition.json").exists());
    let sampled = coalition(&many, &out, &["--arm", "op", "--permutations", "2"], "1");
    assert!(
        sampled.status.success(),
        "{}",
        String::from_utf8_lossy(&sampled.stderr)
    );
    let identity = std::fs::read_to_string(out.join("coalition.json")).unwrap();
    assert!(
        identity.contains("\"method\": \"sampled\"") && identity.contains("\"permutations\": 2")
    );
}

#[test]
fn a_folder_caasim_did_not_write_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = scenario_file(tmp.path(), ARM);
    let out = tmp.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let output = coalition(&scenario, &out, &["--arm", "op"], "1");
    refused(&output, &["--force"]);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn report_refuses_a_damaged_or_unfinished_folder_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = scenario_file(tmp.path(), ARM);
    let out = tmp.path().join("out");
    let output = coalition(&scenario, &out, &["--arm", "op"], "1");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = || bin().arg("report").arg(&out).output().unwrap();
    let edit = |file: &str, from: &str, to: &str| {
        let path = out.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from:?} in {file}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        text
    };
    let shapley = edit("shapley.csv", "\nB police,", "\nC police,");
    refused(
        &report(),
        &["shapley.csv", "line", "\"C police\"", "A police, B police"],
    );
    std::fs::write(out.join("shapley.csv"), shapley).unwrap();
    let subsets = edit(
        "subsets.csv",
        "op{A police},A police,1,",
        "op{A police},A police,2,",
    );
    refused(&report(), &["subsets.csv", "size 2"]);
    std::fs::write(out.join("subsets.csv"), subsets).unwrap();
    let identity = edit(
        "coalition.json",
        "\"runner_up\": \"B police\"",
        "\"runner_up\": \"X\"",
    );
    refused(&report(), &["coalition.json", "\"X\""]);
    std::fs::write(out.join("coalition.json"), identity).unwrap();
    std::fs::remove_file(out.join("shapley.csv")).unwrap();
    refused(&report(), &["shapley.csv", "has not finished"]);
}
