//! Rendering a results folder: files written, PNGs readable, bad folders
//! rejected with clear errors.

use caasim::report::render;
use std::fs;
use std::path::{Path, PathBuf};

const PLOTS: [&str; 8] = [
    "output",
    "compromises",
    "losses",
    "price",
    "market",
    "effects",
    "countries",
    "sectors",
];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

/// A fresh copy of the fixture results folder.
fn results_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for entry in fs::read_dir(fixture()).expect("fixture folder") {
        let path = entry.expect("fixture entry").path();
        if path.is_file() {
            fs::copy(&path, dir.path().join(path.file_name().unwrap())).expect("copy fixture");
        }
    }
    dir
}

fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = fs::File::open(path).expect("PNG file");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
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
        let (width, height, rgb) = decode(&dir.path().join(format!("plots/{name}.png")));
        assert!(
            width >= 1600 && height > 500,
            "{name}.png is {width}x{height}"
        );
        let pixels: Vec<&[u8]> = rgb.chunks(3).collect();
        let inked = pixels.iter().filter(|p| p.iter().any(|c| *c < 200)).count();
        assert!(inked * 100 > pixels.len(), "{name}.png is nearly blank");
        let colours: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
        assert!(
            colours.len() > 20,
            "{name}.png has {} colours",
            colours.len()
        );
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn page_is_self_contained_and_escaped() {
    let dir = results_copy();
    render(dir.path()).expect("render");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(page.matches("<svg").count(), PLOTS.len());
    for needle in [
        "http://", "https://", "<link", "src=", "@import", "NaN", "url(",
    ] {
        let outside_svg_ns = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
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
    render(dir.path()).expect("first render");
    render(dir.path()).expect("second render over existing files");
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
    let blank: Vec<String> = text
        .lines()
        .map(
            |line| match line.starts_with("takedown,campaigns_change_pct,") {
                true => "takedown,campaigns_change_pct,,,,0".to_string(),
                false => line.to_string(),
            },
        )
        .collect();
    fs::write(&summary, blank.join("\n")).unwrap();
    render(dir.path()).expect("render with undefined metric");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
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
        ("summary.csv", "arm,metric,mean,ci_low,ci_high,n\n"),
    ];
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    render(dir.path()).expect("render a minimal folder");
    let page = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(page.matches("<svg").count(), PLOTS.len());
    assert!(!page.contains("NaN") && page.contains("lists no arms"));
}

#[test]
fn truncated_files_fail_without_panicking() {
    for name in [
        "manifest.json",
        "timeseries.csv",
        "providers.csv",
        "segments.csv",
        "summary.csv",
    ] {
        let dir = results_copy();
        let path = dir.path().join(name);
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() * 3 / 5]).unwrap();
        if let Err(err) = render(dir.path()) {
            assert!(format!("{err:#}").contains(name), "{name}: {err:#}");
        }
    }
}
