//! Shared helpers of the integration tests: paths, scenario text builders,
//! the built binary, and small statistics.

#![allow(dead_code)]

pub mod browser;
pub mod room;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caasim::engine;
use caasim::engine::record::DayRecord;
use caasim::model::Model;
use caasim::model::attacker::{NO_PROVIDER, Status};
use caasim::model::provider::ProviderStatus;
use caasim::model::world::World;

/// A path inside the package.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The text of `scenarios/generic-market.toml` without its `[uncertain]`
/// table (the last in the file), so that tests run the market at its
/// central values unless they add their own table.
pub fn generic_text() -> String {
    let text = std::fs::read_to_string(repo_path("scenarios/generic-market.toml"))
        .expect("scenarios/generic-market.toml is readable");
    match text.find("\n[uncertain]") {
        Some(cut) => text[..=cut].to_string(),
        None => text,
    }
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
switching_rebuild_days = 0

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

/// A CSV file as rows of named cells (the csv crate's reading, so quoted
/// fields are read as written).
pub fn read_csv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("{} cannot be read: {e}", path.display()));
    let header = reader.headers().expect("a header").clone();
    (reader.records())
        .map(|r| {
            let r = r.expect("a well-formed row");
            header
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A row's cell `column` as a number.
pub fn num(row: &std::collections::BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} is not a number", row[column]))
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
    fixture_copy("report")
}

/// A fresh copy of the files of `tests/fixtures/<name>` in a temporary folder.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let fixture = repo_path(&format!("tests/fixtures/{name}"));
    for entry in std::fs::read_dir(fixture).expect("fixture folder") {
        let path = entry.expect("fixture entry").path();
        if path.is_file() {
            let name = path.file_name().expect("a file has a name");
            std::fs::copy(&path, dir.path().join(name)).expect("copy fixture");
        }
    }
    dir
}

/// The files `caasim calibrate` wrote into `results/lumma-2025-calibration`
/// (not the report drawn from them).
pub const CALIBRATION_FILES: [&str; 9] = [
    "calibration.json",
    "fit.csv",
    "posterior.csv",
    "posterior_summary.csv",
    "best-fit.toml",
    "generation-0.csv",
    "generation-1.csv",
    "generation-2.csv",
    "generation-3.csv",
];

/// Copy the folder `from`, with everything in it, to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read a folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// `text` with line `n` (from 1) changed by `change`.
pub fn edit_line(text: &str, n: usize, change: impl Fn(&str) -> String) -> String {
    let lines: Vec<String> = (text.lines().enumerate())
        .map(|(i, l)| if i + 1 == n { change(l) } else { l.to_string() })
        .collect();
    lines.join("\n") + "\n"
}

/// `line` (CSV without quotes) with field `k` set to `value`.
pub fn set_field(line: &str, k: usize, value: &str) -> String {
    let mut fields: Vec<&str> = line.split(',').collect();
    fields[k] = value;
    fields.join(",")
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

/// Non-finite floats anywhere in a record, found through its `Debug` form
/// (so fields added later are covered too).
pub fn non_finite(record: &DayRecord) -> bool {
    let text = format!("{record:?}");
    ["NaN", ": inf", ": -inf", "(inf)", "(-inf)"]
        .iter()
        .any(|bad| text.contains(bad))
}

/// What one arm's run exercised, for checks that the identities were not
/// vacuous, and its recorded days.
#[derive(Debug, Default)]
pub struct Totals {
    pub fees: f64,
    pub payments: f64,
    pub displaced: u64,
    pub entries: u64,
    pub exits: u64,
    pub provider_exits: u64,
    /// The records of the days after the burn-in, in order.
    pub recorded: Vec<DayRecord>,
}

/// Non-gone attackers of a world.
pub fn alive(world: &World) -> u64 {
    world
        .population
        .as_slice()
        .iter()
        .filter(|a| a.status != Status::Gone)
        .count() as u64
}

/// Check the accounting identities of the day `engine::step` just returned
/// `record` for (seats, money, attackers, finite values); `previous` is
/// [`alive`] before the step. `at` names the day in messages.
pub fn check_day(world: &World, record: &DayRecord, previous: u64, at: &str) {
    // Seats: within capacity, and equal to the seats of the working
    // attackers who rent from the provider.
    let mut rented = vec![0u64; world.providers.len()];
    for attacker in world.population.as_slice() {
        if attacker.status == Status::Working {
            assert_ne!(
                attacker.provider, NO_PROVIDER,
                "{at}: working without provider"
            );
            rented[usize::from(attacker.provider)] += u64::from(attacker.seats);
        }
    }
    for (j, provider) in world.providers.iter().enumerate() {
        assert!(
            provider.seats_used as f64 <= provider.capacity + 1e-9,
            "{at}: {} uses {} seats of {}",
            provider.name,
            provider.seats_used,
            provider.capacity
        );
        assert_eq!(
            provider.seats_used, rented[j],
            "{at}: {} seats used vs seats of its working customers",
            provider.name
        );
        if provider.status == ProviderStatus::Gone {
            assert_eq!(provider.seats_used, 0, "{at}: a gone provider rents seats");
        }
        for (what, value) in [
            ("capacity", provider.capacity),
            ("price", provider.price),
            ("cash", provider.cash),
            ("reputation", provider.reputation),
            ("resilience", provider.resilience),
        ] {
            assert!(
                value.is_finite(),
                "{at}: {} has {what} {value}",
                provider.name
            );
        }
    }
    assert_eq!(
        record.seats_used,
        rented.iter().sum::<u64>(),
        "{at}: seats_used"
    );
    let active = world.providers.iter().filter(|p| p.is_active());
    assert_eq!(
        record.active_providers,
        active.clone().count() as u64,
        "{at}: active providers"
    );
    let capacity: f64 = active.map(|p| p.capacity).sum();
    assert!(
        (record.capacity_seats - capacity).abs() <= 1e-9 * capacity.max(1.0),
        "{at}: capacity {} vs {capacity} of the active providers",
        record.capacity_seats
    );

    // Money: what attackers pay is what providers receive plus fees.
    let (paid, received, fees) = (
        record.attacker_payments_usd,
        record.provider_revenue_usd,
        record.payment_fees_usd,
    );
    assert!(
        (paid - (received + fees)).abs() <= 1e-9 * paid.abs().max(1.0),
        "{at}: payments {paid} != revenue {received} + fees {fees}"
    );
    assert!(fees >= 0.0 && received >= 0.0, "{at}: negative money");

    // Attackers: the status counts are a census of the non-gone
    // attackers, and their total changes by entries minus exits.
    let count = |s: &[Status]| {
        world
            .population
            .as_slice()
            .iter()
            .filter(|a| s.contains(&a.status))
            .count() as u64
    };
    assert_eq!(
        record.attackers_working,
        count(&[Status::Working]),
        "{at}: working"
    );
    assert_eq!(
        record.attackers_searching,
        count(&[Status::Searching, Status::Waiting]),
        "{at}: searching"
    );
    assert_eq!(
        record.attackers_dormant,
        count(&[Status::Dormant]),
        "{at}: dormant"
    );
    let total = record.attackers_working + record.attackers_searching + record.attackers_dormant;
    assert_eq!(total, alive(world), "{at}: counts vs non-gone attackers");
    assert_eq!(
        total as i64 - previous as i64,
        record.attacker_entries as i64 - record.attacker_exits as i64,
        "{at}: change in attackers vs entries - exits"
    );

    assert!(!non_finite(record), "{at}: non-finite value in {record:?}");
    check_attribution(world, record, at);
}

/// Every campaign, compromise and loss of the day is attributed to one
/// provider: the providers' outputs add up to the day's totals exactly
/// (losses are added in provider order by the engine as here), and on
/// recorded days a provider's compromises are in its segment totals.
fn check_attribution(world: &World, record: &DayRecord, at: &str) {
    let outputs = &world.attributed;
    assert!(outputs.len() <= world.providers.len(), "{at}: outputs");
    let campaigns: u64 = outputs.iter().map(|o| o.campaigns).sum();
    let compromises: u64 = outputs.iter().map(|o| o.compromises).sum();
    let losses = outputs.iter().fold(0.0, |sum, o| sum + o.losses_usd);
    let expected = outputs
        .iter()
        .fold(0.0, |sum, o| sum + o.expected_losses_usd);
    assert_eq!(campaigns, record.campaigns, "{at}: campaigns by provider");
    assert_eq!(
        compromises, record.compromises,
        "{at}: compromises by provider"
    );
    assert_eq!(losses, record.losses_usd, "{at}: losses by provider");
    assert_eq!(
        expected, record.expected_losses_usd,
        "{at}: expected losses by provider"
    );
    // Segment totals are kept from the first recorded day (empty before).
    if world.segment_compromises.is_empty() {
        return;
    }
    for (j, output) in outputs.iter().enumerate() {
        let in_segments: u64 = world
            .segment_compromises
            .get(j)
            .map_or(0, |s| s.iter().sum());
        assert!(
            in_segments >= output.compromises,
            "{at}: provider {j}'s compromises missing from its segments"
        );
    }
}

/// Check how providers changed status on internal `day`, given their
/// statuses before it (`before`; providers created today are not in it):
/// a provider leaves setup only by starting to sell on or after its ready
/// day (counted in `provider_entries`) or by leaving the market; nothing
/// moves its start earlier; created providers are in setup; the providers
/// not gone change by those created minus `provider_exits`.
pub fn check_provider_statuses(
    before: &[ProviderStatus],
    world: &World,
    record: &DayRecord,
    day: u32,
    at: &str,
) {
    let mut started = 0;
    for (j, (was, now)) in before.iter().zip(&world.providers).enumerate() {
        let now = now.status;
        match *was {
            ProviderStatus::Setup { ready_day } => match now {
                ProviderStatus::Setup { ready_day: later } => assert!(
                    later >= ready_day && day < later,
                    "{at}: provider {j} in setup until {ready_day}, now until {later}"
                ),
                ProviderStatus::Gone => started += u64::from(ready_day <= day),
                _ => {
                    assert!(
                        ready_day <= day,
                        "{at}: provider {j} in setup until day {ready_day} is {now:?}"
                    );
                    started += 1;
                }
            },
            _ => assert!(
                !matches!(now, ProviderStatus::Setup { .. }),
                "{at}: provider {j} went back into setup from {was:?}"
            ),
        }
    }
    assert_eq!(
        record.provider_entries, started,
        "{at}: provider entries vs providers that started selling"
    );
    for provider in &world.providers[before.len()..] {
        assert!(
            matches!(provider.status, ProviderStatus::Setup { ready_day } if ready_day >= day),
            "{at}: a provider created today is {:?}",
            provider.status
        );
    }
    let not_gone = |statuses: &mut dyn Iterator<Item = ProviderStatus>| {
        statuses.filter(|s| *s != ProviderStatus::Gone).count() as i64
    };
    let was = not_gone(&mut before.iter().copied());
    let is = not_gone(&mut world.providers.iter().map(|p| p.status));
    let created = (world.providers.len() - before.len()) as i64;
    assert_eq!(
        is - was,
        created - record.provider_exits as i64,
        "{at}: providers not gone vs created - exits"
    );
}

/// Step one arm for one replication from day 0, checking the identities
/// every day ([`check_day`], [`check_provider_statuses`]); returns what it
/// exercised and its recorded days.
pub fn check_arm(model: &Model, arm: usize, replication: u32) -> Totals {
    let name = &model.arms[arm].name;
    let mut world = World::new(model, &model.arms[arm], replication);
    let mut previous = alive(&world);
    let mut totals = Totals::default();
    for day in 0..model.total_days() {
        let before: Vec<ProviderStatus> = world.providers.iter().map(|p| p.status).collect();
        let record = engine::step(&mut world, day);
        let at = format!("{name}, replication {replication}, internal day {day}");
        check_day(&world, &record, previous, &at);
        check_provider_statuses(&before, &world, &record, day, &at);
        previous = alive(&world);
        totals.fees += record.payment_fees_usd;
        totals.payments += record.attacker_payments_usd;
        totals.displaced += record.attackers_displaced;
        totals.entries += record.attacker_entries;
        totals.exits += record.attacker_exits;
        totals.provider_exits += record.provider_exits;
        if day >= model.burn_in_days {
            totals.recorded.push(record);
        }
    }
    totals
}

/// [`generic_text`] made short for command-line tests: 70 recorded days
/// after a 10-day burn-in (its interventions act on day 60), 2 replications.
pub fn short_generic_text() -> String {
    let text = generic_text();
    let mut short = text.clone();
    for (long, brief) in [
        ("days = 240 ", "days = 70 "),
        ("burn_in_days = 365 ", "burn_in_days = 10 "),
        ("replications = 8\n", "replications = 2\n"),
    ] {
        assert!(text.contains(long), "generic-market.toml has `{long}`");
        short = short.replacen(long, brief, 1);
    }
    short
}
