//! Shared helpers of the integration tests: paths, scenario text builders,
//! the built binary, and small statistics.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caasim::model::Model;

/// A path inside the package.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The text of `scenarios/generic-market.toml`.
pub fn generic_text() -> String {
    std::fs::read_to_string(repo_path("scenarios/generic-market.toml"))
        .expect("scenarios/generic-market.toml is readable")
}

/// generic-market with its arms replaced by `arms` (TOML `[[arms]]` entries).
/// The baseline is implicit when `arms` does not list it.
pub fn generic_with_arms(arms: &str) -> String {
    let text = generic_text();
    let cut = text
        .find("\n[[arms]]")
        .expect("generic-market.toml lists its arms with [[arms]]");
    format!("{}\n{arms}", &text[..cut])
}

/// generic-market with `extra` (more `[[arms]]` entries) appended after its own arms.
pub fn generic_plus_arms(extra: &str) -> String {
    format!("{}\n{extra}", generic_text())
}

/// Load inline scenario text with `--set`-style overrides.
pub fn load(text: &str, overrides: &[&str]) -> Model {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    caasim::scenario::load_text(text, "inline.toml", &overrides)
        .unwrap_or_else(|e| panic!("the inline scenario is valid, but: {e}"))
}

/// Index of the arm named `name`.
pub fn arm_index(model: &Model, name: &str) -> usize {
    model
        .arms
        .iter()
        .position(|a| a.name == name)
        .unwrap_or_else(|| panic!("no arm named {name}"))
}

/// A scenario in which nothing changes behaviour: no arrivals, exits or
/// entry, fixed prices and capacities, no risk, no outside option, capacity
/// and cash for everybody. Two countries of different MFA adoption and one
/// sector, so that compromises per email is
/// `p * sum_c w_c * (1 - mfa_c * efficacy * (1 - bypass))`.
pub fn frozen_scenario(days: u32, burn_in_days: u32) -> String {
    format!(
        r#"
[scenario]
name = "frozen"
days = {days}
burn_in_days = {burn_in_days}
seed = 7
replications = 1

[market]
price_adjust_per_day = 0.0
capacity_growth_per_day = 0.0
capacity_shrink_per_day = 0.0
dormant_return_per_day = 0.0

[entry]
base_per_day = 0.0
max_per_day = 0.0

[[providers]]
name = "Big"
count = 2
class = "vds"
capacity_seats = 5000
price_usd = 30
unit_cost_usd_per_seat_day = 0.1
reputation = 0.5
resilience = 0.2
cash_usd = 1e12

[[attackers]]
name = "crew"
count = 300
seats = {{ dist = "lognormal", median = 2.0, sigma = 0.5 }}
skill = {{ dist = "lognormal", median = 1.0, sigma = 0.5 }}
risk_tolerance = {{ dist = "fixed", value = 1e6 }}
cash_usd = 1e12
kept_share = 0.5
campaign_cost_usd_per_seat_day = 0
reservation_usd_per_day = -1e9
sanction_cost_usd = 0
attrition_per_day = 0

[victims]
compromise_prob = 0.001
bypass_share = 0.1
countries = [
  {{ name = "US", targeting = 0.6, mfa_adoption = 0.5 }},
  {{ name = "GB", targeting = 0.4, mfa_adoption = 0.2 }},
]
sectors = [
  {{ name = "all", targeting = 1.0, monetise_prob = 0.01, loss_median_usd = 1000, loss_sigma = 1.0 }},
]
"#
    )
}

/// The built `caasim` binary.
pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_caasim"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// Run the binary with `args` and return its output.
pub fn run_bin(args: &[&str]) -> Output {
    bin().args(args).output().expect("the caasim binary runs")
}

/// Mean and standard error of the mean (sample standard deviation / sqrt(n)).
pub fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    assert!(n >= 2.0, "a standard error needs two values or more");
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Least-squares slope of `values` against their index.
pub fn slope(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mx = (n - 1.0) / 2.0;
    let my = values.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in values.iter().enumerate() {
        let dx = x as f64 - mx;
        sxy += dx * (y - my);
        sxx += dx * dx;
    }
    sxy / sxx
}

/// Names of the plots the report draws, in page order.
pub const REPORT_PLOTS: [&str; 8] = [
    "output",
    "compromises",
    "losses",
    "price",
    "market",
    "effects",
    "countries",
    "sectors",
];

/// A fresh copy of the results folder `tests/fixtures/report`.
pub fn report_fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let fixture = repo_path("tests/fixtures/report");
    for entry in std::fs::read_dir(fixture).expect("fixture folder") {
        let path = entry.expect("fixture entry").path();
        if path.is_file() {
            let name = path.file_name().expect("a file has a name");
            std::fs::copy(&path, dir.path().join(name)).expect("copy fixture");
        }
    }
    dir
}

/// A decoded 8-bit PNG as RGB pixels (alpha dropped, grey expanded).
pub struct Png {
    pub width: u32,
    pub height: u32,
    /// Colour type after expanding palettes and low bit depths.
    pub color_type: png::ColorType,
    pub pixels: Vec<[u8; 3]>,
}

/// Decode the PNG file at `path`.
pub fn read_png(path: &Path) -> Png {
    let file =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    let pixels = buf
        .chunks(channels)
        .map(|p| match channels {
            1 | 2 => [p[0]; 3],
            _ => [p[0], p[1], p[2]],
        })
        .collect();
    Png {
        width: info.width,
        height: info.height,
        color_type: info.color_type,
        pixels,
    }
}

impl Png {
    /// Share of pixels with a dark channel (below 200 of 255): text, lines, fills.
    pub fn inked_share(&self) -> f64 {
        let inked = self.pixels.iter().filter(|p| p.iter().any(|c| *c < 200));
        inked.count() as f64 / self.pixels.len() as f64
    }

    /// Share of clearly coloured pixels (channels more than 40 apart): black,
    /// grey and white text, axes and grids are not; the palette colours are.
    pub fn coloured_share(&self) -> f64 {
        let coloured = self.pixels.iter().filter(|p| {
            let (lo, hi) = (p.iter().min().unwrap(), p.iter().max().unwrap());
            hi - lo > 40
        });
        coloured.count() as f64 / self.pixels.len() as f64
    }
}
