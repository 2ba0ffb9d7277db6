//! Rendering a results folder: files written, PNGs readable, PDFs one page
//! of the plot's size with their labels as text, bad folders rejected with
//! clear errors.
//!
//! The PDFs are read with `pdfinfo` and `pdftotext` (Debian's
//! poppler-utils); when they are missing the PDF test fails unless
//! `CAASIM_SKIP_BROWSER=1`.

mod common;

use caasim::report::render;
use common::{REPORT_PLOTS as PLOTS, read_png, repo_path, report_fixture_copy as results_copy};
use std::fs;
use std::path::Path;
use std::process::Command;

/// PNG pixels per SVG pixel (the report's `figure::PNG_SCALE`).
const PNG_SCALE: u32 = 2;

/// The `width` and `height` attributes of an SVG document's root element.
fn svg_size(svg: &str) -> (u32, u32) {
    let root = &svg[..svg.find('>').expect("an SVG root element")];
    let attribute = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        let start = root
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {root}"))
            + key.len();
        let end = start + root[start..].find('"').expect("a closing quote");
        root[start..end].parse().expect("a whole number of pixels")
    };
    (attribute("width"), attribute("height"))
}

#[test]
fn renders_every_plot_and_the_page() {
    let dir = results_copy();
    render(dir.path()).expect("render");
    for name in PLOTS {
        let svg = fs::read_to_string(dir.path().join(format!("plots/{name}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<text"),
            "{name}.svg"
        );
        assert!(!svg.contains("NaN"), "{name}.svg has NaN");
        let png = read_png(&dir.path().join(format!("plots/{name}.png")));
        assert_eq!(png.color_type, png::ColorType::Rgb, "{name}.png");
        let (w, h) = svg_size(&svg);
        assert_eq!(
            (png.width, png.height),
            (w * PNG_SCALE, h * PNG_SCALE),
            "{name}.png is not the SVG's size at the PNG scale"
        );
        // Every fixture plot draws data in palette colours (intervention arms,
        // providers): 0.9% of the pixels in the least coloured, the output
        // plot. Titles, notes, axes, grids and black lines are not coloured,
        // and the legend's swatches alone stay under 0.1%.
        let coloured = png.coloured_share();
        assert!(coloured > 0.001, "{name}.png has no data drawn in colour");
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// PDF points per SVG pixel (the report's `pdf::PT_PER_PX`: 96 pixels and
/// 72 points to the inch).
const PT_PER_PX: f64 = 0.75;

/// The standard output of poppler-utils' `tool` on `args`, or `None` when
/// the tool is missing and `CAASIM_SKIP_BROWSER=1`.
fn poppler(tool: &str, args: &[&str]) -> Option<String> {
    let output = match Command::new(tool).args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var("CAASIM_SKIP_BROWSER").as_deref() == Ok("1") {
                eprintln!("skipped: no {tool} and CAASIM_SKIP_BROWSER=1");
                return None;
            }
            panic!(
                "{tool} not found: install poppler-utils (`apt-get install -y poppler-utils`), \
                 or set CAASIM_SKIP_BROWSER=1 to skip this test"
            );
        }
        Err(e) => panic!("cannot run {tool}: {e}"),
    };
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).expect("UTF-8 output"))
}

/// The value after `key` on its line of `pdfinfo`'s output.
fn pdfinfo_field<'a>(info: &'a str, key: &str) -> &'a str {
    let line = (info.lines())
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no {key} in {info}"));
    line[key.len()..].trim()
}

/// The axis labels of some plots, as their SVG draws them.
const AXIS_LABELS: [(&str, &[&str]); 3] = [
    ("output", &["date", "campaigns (seat-days per day)"]),
    ("price", &["date", "price (USD per seat per 30 days)"]),
    ("countries", &["compromises averted (baseline − arm)"]),
];

#[test]
fn every_plot_is_a_one_page_pdf_of_its_size_with_its_labels_as_text() {
    let dir = results_copy();
    render(dir.path()).expect("render");
    for name in PLOTS {
        let path = dir.path().join(format!("plots/{name}.pdf"));
        let file = path.to_str().unwrap();
        let Some(info) = poppler("pdfinfo", &["-box", file]) else {
            return;
        };
        assert_eq!(pdfinfo_field(&info, "Pages:"), "1", "{name}.pdf");
        let svg = fs::read_to_string(dir.path().join(format!("plots/{name}.svg"))).unwrap();
        let (w, h) = svg_size(&svg);
        let (w, h) = (f64::from(w) * PT_PER_PX, f64::from(h) * PT_PER_PX);
        let media_box: Vec<f64> = (pdfinfo_field(&info, "MediaBox:").split_whitespace())
            .map(|v| v.parse().expect("a number"))
            .collect();
        assert_eq!(
            media_box,
            [0.0, 0.0, w, h],
            "{name}.pdf is not the SVG's size in points"
        );
        let fonts = poppler("pdffonts", &[file]).unwrap();
        assert!(
            fonts.contains("DejaVuSans") && !fonts.contains(" no "),
            "{name}.pdf does not embed DejaVu Sans: {fonts}"
        );
    }
    for (name, labels) in AXIS_LABELS {
        let path = dir.path().join(format!("plots/{name}.pdf"));
        let text = poppler("pdftotext", &[path.to_str().unwrap(), "-"]).unwrap();
        for label in labels {
            assert!(
                text.lines().any(|l| l.trim() == *label),
                "{name}.pdf has no text {label:?}: {text}"
            );
        }
    }
}

#[test]
fn page_is_self_contained_and_escaped() {
    let dir = results_copy();
    render(dir.path()).expect("render");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(page.matches("<svg").count(), PLOTS.len());
    let outside_svg_ns = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for needle in [
        "http://", "https://", "<link", "src=", "@import", "NaN", "url(",
    ] {
        assert!(!outside_svg_ns.contains(needle), "page contains {needle:?}");
    }
    assert!(page.contains("leader &amp; its effect"));
    assert!(page.contains("&lt;i&gt;(no arrests)&lt;/i&gt;"));
    assert!(!page.contains("<i>(no arrests)"));
    assert!(page.contains("@media print"));
    for text in [
        "−17.0%",
        "$4,500,000",
        "interventions[takedown].seize_customer_data",
        "3f2c1e9",
        "market.subscription_days=30",
        ">18.0<",
    ] {
        assert!(page.contains(text), "page lacks {text:?}");
    }
}

#[test]
fn renders_twice_in_place() {
    let dir = results_copy();
    let read = |name: &str| fs::read(dir.path().join(name)).unwrap();
    let files: Vec<String> = std::iter::once("report.html".to_string())
        .chain(PLOTS.map(|p| format!("plots/{p}.png")))
        .chain(PLOTS.map(|p| format!("plots/{p}.pdf")))
        .collect();
    render(dir.path()).expect("first render");
    let first: Vec<Vec<u8>> = files.iter().map(|f| read(f)).collect();
    render(dir.path()).expect("second render over existing files");
    for (name, before) in files.iter().zip(&first) {
        assert!(read(name) == *before, "{name} differs the second time");
    }
}

fn error_of(dir: &Path) -> String {
    format!("{:#}", render(dir).expect_err("render should fail"))
}

#[test]
fn rejects_missing_or_foreign_manifest() {
    let dir = results_copy();
    let manifest = dir.path().join("manifest.json");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::remove_file(&manifest).unwrap();
    assert!(error_of(dir.path()).contains("manifest.json"));
    fs::write(&manifest, text.replace("\"caasim\"", "\"othersim\"")).unwrap();
    let err = error_of(dir.path());
    assert!(
        err.contains("manifest.json") && err.contains("not caasim"),
        "{err}"
    );
    fs::write(&manifest, "{ not json").unwrap();
    assert!(error_of(dir.path()).contains("not valid JSON"));
}

#[test]
fn rejects_damaged_csv_files() {
    let dir = results_copy();
    let series = dir.path().join("timeseries.csv");
    let text = fs::read_to_string(&series).unwrap();
    fs::write(&series, text.replacen("campaigns", "campains", 1)).unwrap();
    let err = error_of(dir.path());
    assert!(
        err.contains("timeseries.csv") && err.contains("campaigns"),
        "{err}"
    );
    let garbled = text.replacen("\nbaseline,0,5,", "\nbaseline,0,five,", 1);
    fs::write(&series, garbled).unwrap();
    let err = error_of(dir.path());
    assert!(
        err.contains("timeseries.csv") && err.contains("line"),
        "{err}"
    );
    fs::write(&series, &text).unwrap();
    fs::remove_file(dir.path().join("segments.csv")).unwrap();
    assert!(error_of(dir.path()).contains("segments.csv"));
    fs::write(dir.path().join("segments.csv"), "").unwrap();
    assert!(error_of(dir.path()).contains("segments.csv"));
}

#[test]
fn undefined_cells_are_skipped() {
    let dir = results_copy();
    let summary = dir.path().join("summary.csv");
    let text = fs::read_to_string(&summary).unwrap();
    let defined = "takedown,baseline,all,campaigns_change_pct,mean,";
    assert!(text.contains(defined), "summary.csv lacks {defined:?}");
    let blank: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with(defined) {
                format!("{defined},,,0,t over replications")
            } else {
                line.to_string()
            }
        })
        .collect();
    fs::write(&summary, blank.join("\n")).unwrap();
    render(dir.path()).expect("render with undefined metric");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    // The fixture defines every metric, so "not defined" comes from the edit.
    assert!(page.contains("not defined") && !page.contains("NaN"));
}

#[test]
fn renders_a_minimal_folder_without_dates_or_effects() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = r#"{"tool": "caasim", "scenario_name": "tiny", "start_date": null,
        "days": 3, "arms": [{"name": "baseline", "description": "", "interventions": []}]}"#;
    let files = [
        ("manifest.json", manifest),
        (
            "timeseries.csv",
            "arm,replication,day,date,campaigns,compromises,losses_usd,mean_price\n\
             baseline,0,0,,5,0,0,\nbaseline,0,1,,6,1,100,120\nbaseline,0,2,,,1,90,121\n",
        ),
        (
            "providers.csv",
            "arm,day,date,provider,class,seats_used,capacity_seats,price,active_share\n\
             baseline,0,,solo,large,3,4,120,1\n",
        ),
        (
            "segments.csv",
            "arm,replication,country,sector,compromises,losses_usd\n",
        ),
        (
            "summary.csv",
            "arm,versus,outcome,metric,statistic,estimate,ci_low,ci_high,n,interval\n",
        ),
    ];
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    render(dir.path()).expect("render a minimal folder");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(page.matches("<svg").count(), PLOTS.len());
    assert!(!page.contains("NaN") && page.contains("lists no arms"));
}

/// `text` cut inside the line at three fifths of its length, just after the
/// line's first comma: a CSV record with two fields, or unfinished JSON.
fn truncated(text: &str) -> &str {
    let middle = text.len() * 3 / 5;
    let line_start = text[..middle].rfind('\n').map_or(0, |i| i + 1);
    let comma = text[line_start..].find(',').expect("a comma in the line");
    &text[..line_start + comma + 1]
}

/// The files of a results folder that the report reads.
const FOLDER_FILES: [&str; 5] = [
    "manifest.json",
    "timeseries.csv",
    "providers.csv",
    "segments.csv",
    "summary.csv",
];

#[test]
fn truncated_files_fail_without_panicking() {
    for name in FOLDER_FILES {
        let dir = results_copy();
        let path = dir.path().join(name);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, truncated(&text)).unwrap();
        let err = format!("{:#}", render(dir.path()).expect_err(name));
        assert!(err.contains(name), "{name}: {err}");
    }
}

#[test]
fn committed_results_render_to_the_committed_plots() {
    // results/redvds-2026 (6 arms, 30 replications of 300 days) was drawn
    // by the report when it held every row of the tables; the report that
    // streams them draws the same bytes from its tables alone.
    let committed = repo_path("results/redvds-2026");
    let root = tempfile::tempdir().unwrap();
    // Named as the committed folder, whose name labels its LaTeX table.
    let dir = root.path().join("redvds-2026");
    fs::create_dir(&dir).unwrap();
    for name in FOLDER_FILES {
        fs::copy(committed.join(name), dir.join(name)).unwrap();
    }
    // The committed run is an ensemble: its report reads these too.
    for name in ["draws.csv", "voi.csv"] {
        fs::copy(committed.join(name), dir.join(name)).unwrap();
    }
    render(&dir).expect("render the committed results");
    let pages = ["report.html", "effects.tex", "effects.md"].map(String::from);
    let files = pages.into_iter().chain(
        PLOTS
            .iter()
            .flat_map(|p| ["svg", "png", "pdf"].map(|e| format!("plots/{p}.{e}"))),
    );
    for name in files {
        let drawn = fs::read(dir.join(&name)).unwrap();
        let before = fs::read(committed.join(&name)).unwrap();
        assert!(drawn == before, "{name} differs from the committed one");
    }
}

/// The fixture's `timeseries.csv` with its data lines rearranged by
/// `rearrange`, and the line number (from 1, the header's) at which the
/// report must stop: that of `line_of`'s row in the new order.
fn rearranged_series(
    rearrange: impl Fn(&mut Vec<&str>),
    line_of: &str,
) -> (tempfile::TempDir, usize) {
    let dir = results_copy();
    let path = dir.path().join("timeseries.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let mut rows = lines.split_off(1);
    rearrange(&mut rows);
    lines.extend(rows);
    let at = lines.iter().position(|l| l.starts_with(line_of)).unwrap() + 1;
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    (dir, at)
}

#[test]
fn rows_out_of_order_are_refused_with_their_line() {
    let days = 120; // of the fixture: rows 0..120 are baseline replication 0
    // Replication 1 before replication 0: refused at replication 0's first row.
    let swapped = rearranged_series(|rows| rows[..2 * days].rotate_left(days), "baseline,0,0,");
    // A row of replication 0 after replication 1: refused at that row.
    let scattered = rearranged_series(
        |rows| {
            let row = rows.remove(5);
            rows.insert(2 * days - 1, row);
        },
        "baseline,0,5,",
    );
    for (dir, line) in [swapped, scattered] {
        let err = error_of(dir.path());
        let file = dir.path().join("timeseries.csv").display().to_string();
        let order = "replication 0 of arm \"baseline\" comes after its replication 1";
        assert!(
            err.contains(&format!("{file}, line {line}: {order}")) && err.contains("ascending"),
            "{err}"
        );
        assert!(!dir.path().join("report.html").exists());
    }
}

#[test]
fn intervals_say_what_they_cover_and_segments_show_what_was_averted() {
    let dir = results_copy();
    render(dir.path()).expect("render");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    // The fixture runs at fixed values: the effects table, the effects plot
    // and the country and sector plots name the interval of the mean, the
    // four plots over time that of the daily mean.
    let of_mean =
        "95% interval of the mean over 3 replications: variation between replications only";
    assert_eq!(page.matches(of_mean).count(), 4, "{of_mean}");
    let daily =
        "95% interval of the daily mean over 3 replications: variation between replications only";
    assert_eq!(page.matches(daily).count(), 4, "{daily}");
    for text in [
        "<strong>Compromises averted by country.</strong>",
        "<strong>Compromises averted by sector.</strong>",
        "baseline minus arm in the same replication",
        "mean over 3 replications, the black line its 95% interval",
        "A bar to the right of the dashed line means fewer victims with the intervention",
    ] {
        assert!(page.contains(text), "page lacks {text:?}");
    }
    let svg = fs::read_to_string(dir.path().join("plots/countries.svg")).unwrap();
    for text in [
        "compromises averted (baseline − arm)",
        "95% interval of the mean",
        "takedown-no-data",
    ] {
        assert!(svg.contains(text), "countries.svg lacks {text:?}");
    }
    // The two takedowns differ in arrests and customer data only: their
    // day, target and cost are not rows.
    let start = page.find("<section id=\"parameters\">").unwrap();
    let section = &page[start..start + page[start..].find("</section>").unwrap()];
    for row in [
        "arrest_probability",
        "seize_customer_data",
        "[takedown]</code>",
    ] {
        assert!(section.contains(row), "parameters lack {row:?}");
    }
    for equal in ["[takedown].day", "[takedown].target", "[takedown].cost_usd"] {
        assert!(!section.contains(equal), "{equal} is the same in every arm");
    }
}
