//! The tables for papers (`effects.tex`/`.md` of a results folder,
//! `points.*` of a sweep, `indices.*` of a sensitivity analysis,
//! `shapley.*` of a coalition analysis): the
//! Markdown table holds every arm's headline estimates as `summary.csv`
//! has them (within the rounding shown), the caption names what made the
//! numbers, and each `.tex` compiles with pdflatex in a minimal document
//! without running past the text width, its text holding every arm.
//!
//! pdflatex comes from Debian's texlive-latex-base and
//! texlive-latex-recommended (booktabs), pdftotext from poppler-utils;
//! scripts/test.sh installs them. Without them the compile test fails
//! unless `CAASIM_SKIP_TEX=1`.

mod common;

use caasim::experiment::metrics::{self, HEADLINE, Unit};
use caasim::model::MODEL_VERSION;
use caasim::report::render;
use common::browser::on_path;
use common::{bin, fixture_copy, generic_with_arms, read_csv};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The number a Markdown cell shows first, and the half-width of its
/// rounding (half a unit of its last decimal).
fn shown_number(cell: &str) -> Option<(f64, f64)> {
    let first = cell.split([' ', '[', '{']).next()?;
    let plain: String = (first.replace('−', "-").chars())
        .filter(|c| *c != ',' && *c != '+')
        .collect();
    let value: f64 = plain.parse().ok()?;
    let decimals = plain.split_once('.').map_or(0, |(_, d)| d.len());
    Some((value, 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9))
}

/// The rows of a Markdown pipe table: the cells of each line that starts
/// with `|`, header first.
fn markdown_rows(text: &str) -> Vec<Vec<String>> {
    (text.lines())
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            let inner = l.trim().trim_start_matches('|').trim_end_matches('|');
            inner.split(" | ").map(|c| c.trim().to_string()).collect()
        })
        .collect()
}

#[test]
fn the_effects_table_holds_every_arm_s_headline_estimates() {
    let dir = fixture_copy("report");
    render(dir.path()).expect("the fixture renders");
    let markdown = std::fs::read_to_string(dir.path().join("effects.md")).expect("effects.md");
    let rows = markdown_rows(&markdown);
    let summary = read_csv(&dir.path().join("summary.csv"));
    let arms: Vec<&str> = ["takedown", "takedown-no-data"].into();
    assert_eq!(rows.len(), 2 + arms.len(), "{markdown}");
    for (metric, column) in HEADLINE.iter().zip(1..) {
        let unit = metrics::find(metric).expect("a headline metric").unit;
        assert!(rows[0][column].contains(&metrics::find(metric).unwrap().label.to_string()));
        for (arm, row) in arms.iter().zip(&rows[2..]) {
            assert_eq!(row[0], *arm);
            let record = (summary.iter())
                .find(|r| r["arm"] == *arm && r["metric"] == *metric && r["outcome"] == "all")
                .expect("a summary row");
            let estimate: f64 = record["estimate"].parse().expect("an estimate");
            let expected = match unit {
                Unit::Share => estimate * 100.0,
                _ => estimate,
            };
            let (shown, half) = shown_number(&row[column])
                .unwrap_or_else(|| panic!("{arm} {metric}: no number in {:?}", row[column]));
            assert!(
                (shown - expected).abs() <= half,
                "{arm} {metric}: the table shows {shown}, summary.csv has {expected}"
            );
        }
    }
}

/// The fixture copied into a folder named `name`, its manifest recording
/// `model_version` when given.
fn fixture_named(name: &str, model_version: Option<u32>) -> (tempfile::TempDir, PathBuf) {
    let copy = fixture_copy("report");
    let root = tempfile::tempdir().expect("a temporary folder");
    let dir = root.path().join(name);
    std::fs::create_dir(&dir).expect("a folder");
    for entry in std::fs::read_dir(copy.path()).expect("the copy") {
        let path = entry.expect("an entry").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("a name"))).expect("a copy");
    }
    if let Some(version) = model_version {
        let path = dir.join("manifest.json");
        let mut manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        manifest["model_version"] = version.into();
        std::fs::write(&path, manifest.to_string()).unwrap();
    }
    (root, dir)
}

#[test]
fn the_effects_caption_names_scenario_replications_seed_and_versions() {
    let (_root, dir) = fixture_named("Paper_Run", Some(MODEL_VERSION));
    render(&dir).expect("the fixture renders");
    let tex = std::fs::read_to_string(dir.join("effects.tex")).expect("effects.tex");
    let version = format!("model version {MODEL_VERSION}.");
    for needle in [
        "scenario takedown",
        "of 3 replications",
        "Seed 42",
        "caasim 0.1.0",
        &version,
        "\\usepackage{booktabs}",
        "\\label{tab:paper-run-effects}",
    ] {
        assert!(
            tex.contains(needle),
            "{needle:?} is not in effects.tex:\n{tex}"
        );
    }
    let (_root, old) = fixture_named("old", None);
    render(&old).expect("the fixture renders");
    let tex = std::fs::read_to_string(old.join("effects.tex")).expect("effects.tex");
    assert!(tex.contains("model version not recorded."), "{tex}");
}

#[test]
fn the_sweep_and_sensitivity_tables_have_a_group_per_point_and_output() {
    let sweep = fixture_copy("sweep");
    render(sweep.path()).expect("the sweep fixture renders");
    let points = std::fs::read_to_string(sweep.path().join("points.md")).expect("points.md");
    let design = read_csv(&sweep.path().join("design.csv"));
    let groups = points
        .lines()
        .filter(|l| l.starts_with("| **Point "))
        .count();
    assert_eq!(groups, design.len(), "{points}");
    let sensitivity = fixture_copy("sensitivity");
    render(sensitivity.path()).expect("the sensitivity fixture renders");
    let indices =
        std::fs::read_to_string(sensitivity.path().join("indices.md")).expect("indices.md");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sensitivity.path().join("sensitivity.json")).unwrap(),
    )
    .unwrap();
    let outputs = json["outputs"].as_array().expect("outputs").len();
    let parameters = json["parameters"].as_array().expect("parameters").len();
    let rows = markdown_rows(&indices);
    assert_eq!(rows.len(), 2 + outputs * (1 + parameters), "{indices}");
}

/// Compiles `table` in a minimal article with pdflatex and returns the
/// text of the PDF (`None` when pdflatex is knowingly skipped).
fn compile(table: &Path) -> Option<String> {
    let have = |tool: &str| on_path(&[tool]).is_some();
    if !(have("pdflatex") && have("pdftotext")) {
        if std::env::var("CAASIM_SKIP_TEX").as_deref() == Ok("1") {
            return None;
        }
        panic!(
            "pdflatex or pdftotext is missing: run scripts/test.sh (it installs Debian's \
             texlive-latex-base, texlive-latex-recommended and poppler-utils), or set \
             CAASIM_SKIP_TEX=1 to skip this test knowingly"
        );
    }
    let work = tempfile::tempdir().expect("a temporary folder");
    let document = format!(
        "\\documentclass{{article}}\n\\usepackage{{booktabs}}\n\\usepackage{{graphicx}}\n\
         \\usepackage{{longtable}}\n\\begin{{document}}\n\\input{{{}}}\n\\end{{document}}\n",
        table.display()
    );
    std::fs::write(work.path().join("paper.tex"), document).unwrap();
    let latex = Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "paper.tex"])
        .current_dir(work.path())
        .output()
        .expect("pdflatex runs");
    let log = std::fs::read_to_string(work.path().join("paper.log")).unwrap_or_default();
    assert!(
        latex.status.success(),
        "{} does not compile:\n{log}",
        table.display()
    );
    assert!(
        !log.contains("Overfull \\hbox"),
        "{} is wider than the text:\n{log}",
        table.display()
    );
    let text = Command::new("pdftotext")
        .args(["-layout", "paper.pdf", "-"])
        .current_dir(work.path())
        .output()
        .expect("pdftotext runs");
    Some(String::from_utf8_lossy(&text.stdout).into_owned())
}

/// An arm name with every character LaTeX or Markdown treats specially
/// (but `,` and `"`, which CSV would quote).
const HOSTILE: &str = "no-data_&%$#{}~^\\[x]<y>|*`z";

/// The fixture with its arm `takedown-no-data` renamed [`HOSTILE`].
fn hostile_fixture() -> tempfile::TempDir {
    let dir = fixture_copy("report");
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = match path.extension().is_some_and(|e| e == "json") {
            true => HOSTILE.replace('\\', "\\\\"),
            false => HOSTILE.to_string(),
        };
        std::fs::write(&path, text.replace("takedown-no-data", &name)).unwrap();
    }
    dir
}

#[test]
fn every_table_compiles_in_a_minimal_latex_document_within_the_text_width() {
    let report = fixture_copy("report");
    render(report.path()).expect("the fixture renders");
    let sweep = fixture_copy("sweep");
    render(sweep.path()).expect("the sweep fixture renders");
    let sensitivity = fixture_copy("sensitivity");
    render(sensitivity.path()).expect("the sensitivity fixture renders");
    let hostile = hostile_fixture();
    render(hostile.path()).expect("the fixture with a hostile arm name renders");
    let markdown = std::fs::read_to_string(hostile.path().join("effects.md")).unwrap();
    let escaped = "| no-data\\_&%$\\#{}~^\\\\[x]\\<y\\>\\|\\*\\`z |";
    assert!(markdown.contains(escaped), "{markdown}");
    let tables = [
        (report.path().join("effects.tex"), "takedown-no-data"),
        // pdflatex sets `_`, `~`, `^` and the backquote in its own glyphs.
        (hostile.path().join("effects.tex"), "&%$#{}"),
        (hostile.path().join("effects.tex"), "\\[x]<y>|*"),
        (sweep.path().join("points.tex"), "Point 0"),
        (sensitivity.path().join("indices.tex"), "Sensitivity"),
    ];
    for (table, needle) in tables {
        let Some(text) = compile(&table) else {
            return;
        };
        assert!(
            text.contains(needle),
            "{needle:?} is not in the PDF of {}:\n{text}",
            table.display()
        );
    }
}

/// A takedown of the generic market's leader by three partners, one of
/// them named with characters LaTeX treats specially.
const COALITION: &str = r#"
[[arms]]
name = "op"
interventions = [
  { kind = "takedown", start = 20, target = { provider = "Alpha" }, downtime_days = 30, coalition = [
      { name = "A police", jurisdiction = "A", acts = "police", effectiveness = 0.9 },
      { name = "A courts & co_#1", jurisdiction = "A", acts = "civil" },
      { name = "B police", jurisdiction = "B", acts = "police" } ] },
]
"#;

#[test]
fn the_coalition_table_has_a_group_per_metric_and_compiles() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let scenario = dir.path().join("coalition.toml");
    std::fs::write(&scenario, generic_with_arms(COALITION)).unwrap();
    let out = dir.path().join("out");
    let status = bin()
        .args([
            "coalition",
            &scenario.to_string_lossy(),
            "--arm",
            "op",
            "--reps",
            "2",
        ])
        .args([
            "--set",
            "scenario.days=90",
            "--set",
            "scenario.burn_in_days=30",
            "-q",
        ])
        .arg("--out")
        .arg(&out)
        .status()
        .expect("caasim runs");
    assert!(status.success(), "caasim coalition failed");
    let markdown = std::fs::read_to_string(out.join("shapley.md")).unwrap();
    let rows = markdown_rows(&markdown);
    let groups = rows.iter().filter(|r| r[0].starts_with("**")).count();
    assert_eq!(
        groups,
        caasim::experiment::coalition::GAME_METRICS.len(),
        "{markdown}"
    );
    assert_eq!(rows.len(), 2 + groups * 4, "{markdown}");
    assert!(markdown.contains(&format!("model version {MODEL_VERSION}")));
    if let Some(text) = compile(&out.join("shapley.tex")) {
        // pdflatex sets `_` in its own glyph.
        assert!(
            text.contains("A courts & co") && text.contains("#1"),
            "{text}"
        );
    }
}
