//! The streamed bands and segment sums are, to the bit, what the report
//! computed when it held every row: per day, `estimate` over the
//! replications (smoothed first or not), in ascending replication order;
//! per replication and country or sector, the sum of its rows.

use super::*;
use crate::experiment::Hooks;
use crate::experiment::tables;
use crate::output::manifest;
use crate::report::stats::{SMOOTHING_DAYS, trailing_mean};
use crate::stats::estimate;
use std::fmt::Write;

/// A band's mean, low and high as bits (so that -0.0 and 0.0 differ).
type Bits = Option<[u64; 3]>;

/// Replications of an arm as held before streaming: per replication index,
/// per measure, the daily values (`None` = undefined or not finite).
type Held = BTreeMap<u64, [Vec<Option<f64>>; 4]>;

/// Every row of `dir/timeseries.csv`, held per arm and replication.
fn held_series(dir: &Path) -> BTreeMap<String, Held> {
    let mut reader = csv::Reader::from_path(dir.join("timeseries.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let measures = ["campaigns", "compromises", "losses_usd", "mean_price"].map(column);
    let mut series: BTreeMap<String, Held> = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let day: usize = record[column("day")].parse().unwrap();
        let rep = series
            .entry(record[column("arm")].to_string())
            .or_default()
            .entry(record[column("replication")].parse().unwrap())
            .or_default();
        for (values, c) in rep.iter_mut().zip(measures) {
            if values.len() <= day {
                values.resize(day + 1, None);
            }
            values[day] = record[c].parse::<f64>().ok().filter(|v| v.is_finite());
        }
    }
    series
}

/// The daily bands of held replications, computed as before streaming.
fn held_bands(reps: &Held, m: Measure, smooth: bool, days: usize) -> Vec<Bits> {
    let reps: Vec<Vec<Option<f64>>> = (reps.values())
        .map(|rep| match smooth {
            true => trailing_mean(&rep[m as usize], SMOOTHING_DAYS),
            false => rep[m as usize].clone(),
        })
        .collect();
    (0..days)
        .map(|day| {
            let values: Vec<Option<f64>> = (reps.iter())
                .map(|rep| rep.get(day).copied().flatten())
                .collect();
            let e = estimate(&values);
            let mean = e.mean?;
            let (low, high) = (e.ci_low.zip(e.ci_high))
                .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
                .unwrap_or((mean, mean));
            Some([mean, low, high].map(f64::to_bits))
        })
        .collect()
}

/// Per replication and category of an arm, the compromises summed from
/// every row held.
fn held_segment_sums(
    dir: &Path,
    arm: &str,
    dim: Dimension,
) -> BTreeMap<u64, BTreeMap<String, u64>> {
    let mut reader = csv::Reader::from_path(dir.join("segments.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (country, sector, compromises) = (at("country"), at("sector"), at("compromises"));
    let mut sums: BTreeMap<u64, BTreeMap<String, f64>> = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        if &record[0] != arm {
            continue;
        }
        let key = match dim {
            Dimension::Country => &record[country],
            Dimension::Sector => &record[sector],
        };
        let v = record[compromises]
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite());
        let rep = sums.entry(record[1].parse().unwrap()).or_default();
        *rep.entry(key.to_string()).or_default() += v.unwrap_or(0.0);
    }
    let bits =
        |rep: BTreeMap<String, f64>| rep.into_iter().map(|(k, v)| (k, v.to_bits())).collect();
    sums.into_iter().map(|(r, rep)| (r, bits(rep))).collect()
}

/// The streamed sums of every replication of an arm along `dim`.
fn streamed_segment_sums(
    results: &Results,
    arm: &str,
    dim: Dimension,
) -> BTreeMap<u64, BTreeMap<String, u64>> {
    (results.series_replications(arm).into_iter())
        .filter_map(|r| Some((r, results.segments.of_replication(arm, r)?)))
        .map(|(r, sums)| {
            let bits = sums
                .along(dim)
                .iter()
                .map(|(k, v)| (k.clone(), v.to_bits()));
            (r, bits.collect())
        })
        .collect()
}

/// Checks every band and segment sum of the folder against the held rows.
fn assert_same_as_held(dir: &Path) {
    let results = Results::load(dir).expect("a readable folder");
    let series = held_series(dir);
    let empty = Held::new();
    for arm in &results.arms {
        for m in Measure::ALL {
            for smooth in [false, true] {
                let streamed: Vec<Bits> = (results.bands(arm, m, smooth).iter())
                    .map(|b| b.map(|b| [b.mean, b.low, b.high].map(f64::to_bits)))
                    .collect();
                let held = series.get(arm).unwrap_or(&empty);
                let expected = held_bands(held, m, smooth, results.days);
                assert!(streamed == expected, "{arm} {m:?} smooth {smooth}");
            }
        }
        for dim in [Dimension::Country, Dimension::Sector] {
            let streamed = streamed_segment_sums(&results, arm, dim);
            assert_eq!(streamed, held_segment_sums(dir, arm, dim), "{arm}");
        }
    }
}

/// Writes a results folder of the generic market with `replications`
/// replications of 70 days, as `caasim run` does.
fn write_run(dir: &Path, replications: u32) {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/generic-market.toml");
    let overrides = [
        format!("scenario.replications={replications}"),
        "scenario.days=70".into(),
        "scenario.burn_in_days=10".into(),
    ];
    let model = crate::scenario::load_file(&scenario, &overrides).expect("the scenario loads");
    let outcome = tables::run_into(dir, &model, &Hooks::default(), tables::Kept::All, &[])
        .unwrap()
        .expect("not cancelled");
    let now = chrono::Utc::now();
    let provenance = manifest::Provenance {
        scenario_file: "scenarios/generic-market.toml",
        overrides: &overrides,
        contrasts: &[],
        threads: 1,
        started_at: now,
        finished_at: now,
        files: &[],
        seizures: &outcome.seizures,
    };
    manifest::write(dir, &model, &provenance).unwrap();
}

#[test]
fn a_run_with_many_replications_streams_to_the_held_bands() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), 150);
    assert_same_as_held(dir.path());
}

/// A pseudo-random cell: mostly ordinary values, sometimes empty, -0,
/// huge, infinite or not a number.
fn cell(x: &mut u64) -> String {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    let v = (*x >> 11) as f64 / (1u64 << 53) as f64;
    match *x % 16 {
        0 => String::new(),
        1 => "-0".into(),
        2 => "1e300".into(),
        3 => "inf".into(),
        4 => "NaN".into(),
        k => format!("{:?}", (v - 0.4) * 10f64.powi(k as i32 - 8)),
    }
}

#[test]
fn rows_with_gaps_and_odd_values_stream_to_the_held_bands() {
    // No replications in the manifest, so no completeness check: some
    // replications lack days, some are skipped, days within a replication
    // come in any order, and the arms come in another order than listed.
    let dir = tempfile::tempdir().unwrap();
    let manifest = r#"{"tool": "caasim", "scenario_name": "gaps", "days": 30,
        "arms": [{"name": "baseline"}, {"name": "other"}]}"#;
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut series =
        String::from("arm,replication,day,campaigns,compromises,losses_usd,mean_price\n");
    let mut segments = String::from("arm,replication,country,sector,compromises\n");
    for arm in ["other", "baseline", "extra"] {
        for rep in (0..120u64).filter(|r| r % 7 != 3) {
            let mut days: Vec<usize> = (0..30)
                .filter(|d| !(d + rep as usize).is_multiple_of(11))
                .collect();
            if rep % 5 == 0 {
                days.reverse();
            }
            for day in days.into_iter().take(30 - (rep as usize % 4)) {
                let cells: Vec<String> = (0..4).map(|_| cell(&mut x)).collect();
                writeln!(series, "{arm},{rep},{day},{}", cells.join(",")).unwrap();
            }
            for (country, sector) in [("US", "retail"), ("DE", "retail"), ("US", "health")] {
                writeln!(segments, "{arm},{rep},{country},{sector},{}", cell(&mut x)).unwrap();
            }
        }
    }
    for (name, text) in [
        ("manifest.json", manifest),
        ("timeseries.csv", &series),
        ("providers.csv", "arm,day,provider,seats_used\n"),
        ("segments.csv", &segments),
        (
            "summary.csv",
            "arm,versus,outcome,metric,statistic,estimate,ci_low,ci_high,n,interval\n",
        ),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    assert_same_as_held(dir.path());
}
