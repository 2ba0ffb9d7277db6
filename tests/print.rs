//! The pages print whole (issue 18): a six-arm run's `report.html`, printed
//! by headless Chromium on Letter and on A4 portrait, has every arm's name
//! and every headline value of `summary.csv` (as the report formats it) in
//! the text of its effects section, and no ink in the side margins of any
//! page; the sweep, sensitivity, calibration and validation pages, rendered
//! by the current code from copies of the committed folders, and the page
//! of a four-partner coalition analysis print on A4 with no ink in the side
//! margins either.
//!
//! The PDF is read with poppler's `pdftotext -layout` and `pdftoppm`
//! (Debian's poppler-utils). Without Chromium or them the test fails unless
//! `CAASIM_SKIP_BROWSER=1`.

mod common;

use caasim::experiment::metrics::{self, HEADLINE};
use caasim::report::{format_value, render};
use common::browser::{browser_or_skip, on_path, run_chromium, skipping};
use common::{bin, copy_dir, generic_with_arms, read_csv, read_png, repo_path, short_generic_text};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// US Letter, Chromium's default paper.
const LETTER: Paper = Paper {
    name: "Letter",
    width_mm: 215.9,
};
/// A4, the narrower of the two.
const A4: Paper = Paper {
    name: "A4",
    width_mm: 210.0,
};
/// Resolution of the page images of the margin check, in dots per inch.
const DPI: f64 = 50.0;
/// Width of the side strips that must stay blank: the 12 mm side margins
/// that report.css's `@page` sets, less 1 mm (two pixels) for anti-aliasing.
/// Chromium's default margins are 10 mm.
const STRIP_MM: f64 = 11.0;
/// Below this in any channel, a pixel is ink (the page is pure white).
const INK: u8 = 250;

/// A paper size of `@page { size: ... }`, with its width in millimetres.
struct Paper {
    name: &'static str,
    width_mm: f64,
}

/// Chromium and poppler's `pdftotext` and `pdftoppm`, or `None` when one is
/// missing and `CAASIM_SKIP_BROWSER=1`.
struct Tools {
    chromium: PathBuf,
    pdftotext: PathBuf,
    pdftoppm: PathBuf,
}

fn tools_or_skip() -> Option<Tools> {
    let chromium = browser_or_skip()?;
    let (Some(pdftotext), Some(pdftoppm)) = (on_path(&["pdftotext"]), on_path(&["pdftoppm"]))
    else {
        if skipping() {
            eprintln!("skipped: no pdftotext or pdftoppm and CAASIM_SKIP_BROWSER=1");
            return None;
        }
        panic!(
            "pdftotext and pdftoppm not found on PATH: install them with \
             `apt-get install -y poppler-utils`, or set CAASIM_SKIP_BROWSER=1 to skip this test"
        );
    };
    Some(Tools {
        chromium,
        pdftotext,
        pdftoppm,
    })
}

/// `page` printed on `paper` to a PDF next to it (a copy of the page with
/// `@page { size: ... }` added is what Chromium prints).
fn print(tools: &Tools, page: &Path, paper: &Paper) -> PathBuf {
    let text = fs::read_to_string(page).expect("the page");
    let sized = format!(
        "<style>@page {{ size: {} portrait; }}</style>\n</head>",
        paper.name
    );
    let stem = format!(
        "{}-{}",
        page.file_stem().unwrap().to_string_lossy(),
        paper.name
    );
    let copy = page.with_file_name(format!("{stem}.html"));
    fs::write(&copy, text.replacen("</head>", &sized, 1)).expect("write the sized copy");
    let pdf = page.with_file_name(format!("{stem}.pdf"));
    let work = tempfile::tempdir().expect("temporary folder");
    let args = [
        format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer".into(),
    ];
    run_chromium(
        &tools.chromium,
        work.path(),
        &args,
        &format!("file://{}", copy.display()),
    );
    assert!(pdf.is_file(), "chromium printed no {}", pdf.display());
    pdf
}

/// Runs `program` with `args`, which must succeed.
fn run(program: &Path, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text of `pdf` laid out as printed.
fn pdf_text(tools: &Tools, pdf: &Path) -> String {
    let txt = pdf.with_extension("txt");
    run(
        &tools.pdftotext,
        &["-layout", &pdf.to_string_lossy(), &txt.to_string_lossy()],
    );
    fs::read_to_string(txt).expect("pdftotext's output")
}

/// Every page of `pdf` drawn at [`DPI`]: no ink in its side strips of
/// [`STRIP_MM`], and its width that of `paper`.
fn assert_side_margins_blank(tools: &Tools, pdf: &Path, paper: &Paper) {
    let prefix = pdf.with_extension("");
    let dpi = DPI.to_string();
    let (pdf_arg, prefix_arg) = (pdf.to_string_lossy(), prefix.to_string_lossy());
    run(
        &tools.pdftoppm,
        &["-r", &dpi, "-png", &pdf_arg, &prefix_arg],
    );
    let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
    let mut images: Vec<PathBuf> = fs::read_dir(prefix.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(&format!("{stem}-")) && name.ends_with(".png")
        })
        .collect();
    images.sort();
    assert!(
        !images.is_empty(),
        "pdftoppm drew no page of {}",
        pdf.display()
    );
    let width = (paper.width_mm / 25.4 * DPI).round() as u32;
    let strip = (STRIP_MM / 25.4 * DPI).floor() as u32;
    for image in &images {
        let png = read_png(image);
        assert!(
            png.width.abs_diff(width) <= 1,
            "{} is {} pixels wide, not {} ({})",
            image.display(),
            png.width,
            width,
            paper.name
        );
        let inked: Vec<u32> = (0..png.height)
            .filter(|y| {
                let row = &png.pixels[(y * png.width) as usize..((y + 1) * png.width) as usize];
                let side = |x: &u32| row[*x as usize].iter().any(|c| *c < INK);
                (0..strip)
                    .chain(png.width - strip..png.width)
                    .any(|x| side(&x))
            })
            .collect();
        assert!(
            inked.is_empty(),
            "{}: ink in the side margins on {} rows of pixels, the first at {}",
            image.display(),
            inked.len(),
            inked[0]
        );
    }
}

/// The words of `text`, one space between them.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How many times `phrase` stands as whole words in `text` (one space
/// between words, as [`words`] leaves it).
fn occurrences(text: &str, phrase: &str) -> usize {
    let padded = format!(" {text} ");
    padded.matches(&format!(" {phrase} ")).count()
}

/// The printed effects section: from its heading to the next one.
fn effects_section(text: &str) -> String {
    let text = words(text);
    let start = text
        .find("Headline effects Each cell")
        .expect("the printed report has the effects section");
    let rest = &text[start..];
    let end = ["Contrasts between arms", "Outcomes that fork", "Plots "]
        .iter()
        .filter_map(|h| rest.find(h))
        .min()
        .expect("a section after the effects");
    rest[..end].to_string()
}

/// The headline values of `summary.csv` as the report shows them, each with
/// the number of cells that show it.
fn headline_values(dir: &Path) -> Vec<(String, usize)> {
    let mut values: Vec<(String, usize)> = Vec::new();
    for row in read_csv(&dir.join("summary.csv")) {
        let metric = row["metric"].as_str();
        let effect = row["outcome"] == "all" && row["versus"] == "baseline";
        if !effect || !HEADLINE.contains(&metric) || row["estimate"].is_empty() {
            continue;
        }
        let unit = metrics::find(metric).expect("a headline metric").unit;
        let estimate: f64 = row["estimate"].parse().expect("a number");
        let shown = format_value(estimate, unit);
        match values.iter_mut().find(|(v, _)| *v == shown) {
            Some((_, n)) => *n += 1,
            None => values.push((shown, 1)),
        }
    }
    values
}

/// Runs the six arms of the short generic market (baseline and five
/// interventions) into a temporary folder.
fn six_arm_run() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let scenario = dir.path().join("six-arms.toml");
    fs::write(&scenario, short_generic_text()).expect("write the scenario");
    let out = dir.path().join("run");
    let status = bin()
        .args(["run", &scenario.to_string_lossy(), "-q", "--out"])
        .arg(&out)
        .status()
        .expect("caasim runs");
    assert!(status.success(), "caasim run failed");
    dir
}

#[test]
fn the_report_of_six_arms_prints_every_arm_and_headline_value_on_letter_and_a4() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let run_dir = six_arm_run();
    let dir = run_dir.path().join("run");
    // The effects table has a column per arm compared with the baseline.
    let mut arms: Vec<String> = Vec::new();
    for row in read_csv(&dir.join("summary.csv")) {
        if !arms.contains(&row["arm"]) {
            arms.push(row["arm"].clone());
        }
    }
    assert_eq!(
        arms.len(),
        5,
        "six arms, the baseline's five columns: {arms:?}"
    );
    let values = headline_values(&dir);
    assert!(values.len() >= 10, "headline values: {values:?}");
    for paper in [LETTER, A4] {
        let pdf = print(&tools, &dir.join("report.html"), &paper);
        let section = effects_section(&pdf_text(&tools, &pdf));
        for arm in &arms {
            assert!(
                occurrences(&section, arm) >= 1,
                "{}: arm {arm} is not in the printed effects table:\n{section}",
                paper.name
            );
        }
        for (value, cells) in &values {
            let found = occurrences(&section, value);
            assert!(
                found >= *cells,
                "{}: {value} is in {cells} cells but printed {found} times:\n{section}",
                paper.name
            );
        }
        assert_side_margins_blank(&tools, &pdf, &paper);
    }
}

/// The committed generic market (an ensemble) rendered by the current code
/// prints its list of uncertain parameters, which the screen folds away.
#[test]
fn the_folded_list_of_uncertain_parameters_prints() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let copy = tempfile::tempdir().expect("temporary folder");
    let dir = copy.path().join("generic-market");
    copy_dir(&repo_path("results/generic-market"), &dir);
    render(&dir).expect("the committed folder renders");
    let pdf = print(&tools, &dir.join("report.html"), &A4);
    assert_uncertain_parameters_printed(&dir, &pdf_text(&tools, &pdf), &A4);
}

/// The list of uncertain parameters, folded away on screen (`<details>`),
/// prints: each distribution's name (`triangular: low ...`) as often as
/// the manifest has it, at least.
fn assert_uncertain_parameters_printed(dir: &Path, text: &str, paper: &Paper) {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let uncertain = manifest["parameters"]["uncertain"]
        .as_array()
        .expect("the generic market has uncertain parameters");
    assert!(!uncertain.is_empty());
    let mut names: Vec<String> = Vec::new();
    for parameter in uncertain {
        let name = parameter["distribution"]["dist"].as_str().expect("a name");
        names.push(format!("{name}:"));
    }
    for name in &names {
        let expected = names.iter().filter(|n| *n == name).count();
        let found = text.matches(name.as_str()).count();
        assert!(
            found >= expected,
            "{}: {name} is printed {found} times for {expected} uncertain parameters",
            paper.name
        );
    }
}

#[test]
fn the_sweep_sensitivity_calibration_and_validation_pages_print_within_the_margins() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let pages = [
        ("redvds-2026-sweep", "sweep.html"),
        ("redvds-2026-sensitivity", "sensitivity.html"),
        ("lumma-2025-calibration", "calibration.html"),
        ("validation", "validation.html"),
    ];
    for (folder, page) in pages {
        let copy = tempfile::tempdir().expect("temporary folder");
        copy_dir(&repo_path(&format!("results/{folder}")), copy.path());
        render(copy.path()).unwrap_or_else(|e| panic!("render {folder}: {e:#}"));
        // A4 is the narrower of the two papers.
        let pdf = print(&tools, &copy.path().join(page), &A4);
        assert_side_margins_blank(&tools, &pdf, &A4);
    }
}

/// A takedown of the generic market's leader by four partners: its
/// coalition page has a subsets table of six metrics (printed in parts).
const FOUR_PARTNERS: &str = r#"
[[arms]]
name = "op"
interventions = [
  { kind = "takedown", start = 20, target = { provider = "Alpha" }, downtime_days = 30, customer_data_seized = true, coalition = [
      { name = "A police", jurisdiction = "A", acts = "police", effectiveness = 0.9, cost_usd = 100000 },
      { name = "A civil courts", jurisdiction = "A", acts = "civil", cost_usd = 50000 },
      { name = "B police", jurisdiction = "B", acts = "police" },
      { name = "B civil courts", jurisdiction = "B", acts = "civil" } ] },
]
"#;

#[test]
fn the_coalition_page_prints_within_the_margins() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    let scenario = dir.path().join("four-partners.toml");
    fs::write(&scenario, generic_with_arms(FOUR_PARTNERS)).expect("write the scenario");
    let out = dir.path().join("coalition");
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
    let pdf = print(&tools, &out.join("coalition.html"), &A4);
    assert_side_margins_blank(&tools, &pdf, &A4);
}
