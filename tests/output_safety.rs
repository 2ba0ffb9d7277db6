//! Output safety (issue 7, item 4): an existing folder is not overwritten
//! without `--force`; names taken from the scenario (arms, providers,
//! segments, calibration targets) never make caasim write outside the output
//! folder; an unwritable output folder is refused with a clear message and
//! exit code 2 before any simulation starts; and `caasim report` on a
//! damaged or foreign folder names the file at fault and exits non-zero
//! without panicking.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{bin, generic_text, generic_with_arms, report_fixture_copy, run_bin};

/// Exit code for bad input.
const BAD_INPUT: i32 = 2;

/// A short run of generic-market (its interventions act on day 60).
const SHORT: [&str; 6] = [
    "--set",
    "scenario.days=70",
    "--set",
    "scenario.burn_in_days=10",
    "--set",
    "scenario.replications=2",
];

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `caasim args... [SHORT]` for the generic market.
fn run_generic(extra: &[&str]) -> Output {
    let mut args = vec!["run", "scenarios/generic-market.toml", "--quiet"];
    args.extend(SHORT);
    args.extend(extra);
    run_bin(&args)
}

/// Every path under `root`, relative to it, sorted.
fn tree(root: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path.clone());
            }
            found.insert(path.strip_prefix(root).unwrap().to_path_buf());
        }
    }
    found
}

/// The files `caasim run` writes, relative to the output folder.
fn result_files() -> BTreeSet<PathBuf> {
    let mut files: BTreeSet<PathBuf> = [
        ".caasim-results",
        "manifest.json",
        "effects.csv",
        "timeseries.csv",
        "providers.csv",
        "jurisdictions.csv",
        "segments.csv",
        "summary.csv",
        "summary.json",
        "report.html",
        "effects.tex",
        "effects.md",
        "plots",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    for plot in common::REPORT_PLOTS {
        for extension in ["svg", "png", "pdf"] {
            files.insert(Path::new("plots").join(format!("{plot}.{extension}")));
        }
    }
    files
}

// ---------------------------------------------------------------------------
// (1) An existing folder is not overwritten without --force.

#[test]
fn a_foreign_folder_is_not_written_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    let notes = out.join("notes.txt");
    fs::write(&notes, "my own notes\n").unwrap();
    let out_text = out.display().to_string();

    let refused = run_generic(&["--out", &out_text]);
    let message = stderr(&refused);
    assert_eq!(refused.status.code(), Some(BAD_INPUT), "{message}");
    assert!(
        message.contains(&out_text) && message.contains("--force"),
        "the refusal names the folder and --force: {message}"
    );
    assert_eq!(
        tree(&out),
        BTreeSet::from([PathBuf::from("notes.txt")]),
        "nothing was written into the refused folder"
    );

    // The same for a sweep.
    let sweep = run_bin(&[
        "sweep",
        "scenarios/generic-market.toml",
        "--grid",
        "market.search_days=10,20",
        "--reps",
        "1",
        "--quiet",
        "--out",
        &out_text,
    ]);
    assert_eq!(sweep.status.code(), Some(BAD_INPUT), "{}", stderr(&sweep));
    assert!(stderr(&sweep).contains("--force"), "{}", stderr(&sweep));
    assert_eq!(tree(&out), BTreeSet::from([PathBuf::from("notes.txt")]));

    // With --force it writes, and deletes nothing it did not write.
    let forced = run_generic(&["--out", &out_text, "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(fs::read_to_string(&notes).unwrap(), "my own notes\n");
    assert!(out.join("manifest.json").is_file());

    // A folder caasim wrote is replaced without --force (documented), and
    // the user's file is still left alone.
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    let again = run_generic(&["--out", &out_text, "--seed", "99"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_ne!(
        fs::read_to_string(out.join("manifest.json")).unwrap(),
        manifest,
        "the second run replaced the manifest"
    );
    assert_eq!(fs::read_to_string(&notes).unwrap(), "my own notes\n");
}

#[test]
fn a_file_in_place_of_the_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("results");
    fs::write(&file, "not a folder\n").unwrap();
    let output = run_generic(&["--out", &file.display().to_string(), "--force"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(BAD_INPUT), "{message}");
    assert!(message.contains("is not a folder"), "{message}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "not a folder\n");
}

// ---------------------------------------------------------------------------
// (2) Names from the scenario never make caasim write outside the folder.

/// Arm names that would escape the folder if a file name were built from them.
fn hostile_arm_names(root: &Path) -> Vec<String> {
    vec![
        "../escape".into(),
        root.join("absolute-escape").display().to_string(),
        "a/b".into(),
        "..".into(),
        ".".into(),
        "nul\0byte".into(),
        "..\\back".into(),
        "quote\",comma".into(),
    ]
}

/// TOML basic-string text of `s`.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn hostile_names_never_write_outside_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let names = hostile_arm_names(root);
    let mut arms = String::new();
    for name in &names {
        arms.push_str(&format!(
            "[[arms]]\nname = {}\ninterventions = [\n  {{ kind = \"takedown\", start = 10, \
             target = {{ provider = \"../provider-escape\" }}, capacity_seized = 0.5, downtime_days = 5 }},\n]\n\n",
            toml_string(name)
        ));
    }
    // A provider, an attacker type, a country and a sector with such names too.
    let text = generic_with_arms(&arms)
        .replacen("name = \"Alpha\"", "name = \"../provider-escape\"", 1)
        .replacen("name = \"opportunist\"", "name = \"../attacker-escape\"", 1)
        .replacen("name = \"US\"", "name = \"../country-escape\"", 1)
        .replacen("name = \"public\"", "name = \"/sector-escape\"", 1);
    let scenario = root.join("hostile.toml");
    fs::write(&scenario, &text).unwrap();
    let out = root.join("out");
    let out_text = out.display().to_string();
    let output = run_bin(&[
        "run",
        &scenario.display().to_string(),
        "--set",
        "scenario.days=40",
        "--set",
        "scenario.burn_in_days=10",
        "--set",
        "scenario.replications=2",
        "--out",
        &out_text,
        "--quiet",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let mut expected: BTreeSet<PathBuf> = result_files()
        .into_iter()
        .map(|p| Path::new("out").join(p))
        .collect();
    expected.insert("out".into());
    expected.insert("hostile.toml".into());
    assert_eq!(tree(root), expected, "files outside the expected set");
    assert!(
        !Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../escape")
            .exists()
    );
    assert!(!root.join("escape").exists() && !root.join("absolute-escape").exists());

    // The names went into the tables, intact.
    let mut reader = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let arms_in_summary: BTreeSet<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let wanted: BTreeSet<String> = names.iter().cloned().collect();
    assert_eq!(arms_in_summary, wanted);
    let page = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("../escape") && page.contains("quote&quot;,comma"));

    // Redrawing the report writes nothing new either.
    let report = run_bin(&["report", &out_text]);
    assert!(report.status.success(), "{}", stderr(&report));
    assert_eq!(tree(root), expected);
}

#[test]
fn a_calibration_target_named_like_a_path_stays_inside() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let arms = "[[arms]]\nname = \"takedown\"\ninterventions = [\n  { kind = \"takedown\", start = 5, \
                target = { provider = \"Alpha\" }, capacity_seized = 0.8, downtime_days = 10 },\n]\n";
    let scenario = root.join("s.toml");
    fs::write(&scenario, generic_with_arms(arms)).unwrap();
    fs::write(root.join("series.csv"), "day,value\n0,300\n1,300\n2,300\n").unwrap();
    let targets = root.join("targets.toml");
    fs::write(
        &targets,
        "[[targets]]\nkind = \"series\"\nname = \"../escape\"\narm = \"baseline\"\n\
         column = \"campaigns\"\nfile = \"series.csv\"\nsd = 100\n\n\
         [[targets]]\nkind = \"series\"\nname = \"/absolute-escape\"\narm = \"takedown\"\n\
         column = \"campaigns\"\nfile = \"series.csv\"\nsd = 100\n",
    )
    .unwrap();
    let out = root.join("out");
    let output = run_bin(&[
        "calibrate",
        &scenario.display().to_string(),
        "--targets",
        &targets.display().to_string(),
        "--params",
        "market.search_days=5:30",
        "--set",
        "scenario.days=20",
        "--set",
        "scenario.burn_in_days=10",
        "--population",
        "4",
        "--generations",
        "1",
        "--reps",
        "1",
        "--final-reps",
        "2",
        "--out",
        &out.display().to_string(),
        "--quiet",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let outside: Vec<PathBuf> = tree(root)
        .into_iter()
        .filter(|p| !p.starts_with("out"))
        .collect();
    assert_eq!(
        outside,
        ["s.toml", "series.csv", "targets.toml"]
            .iter()
            .map(PathBuf::from)
            .collect::<Vec<_>>(),
        "files written outside the output folder"
    );
    assert!(!root.join("escape").exists() && !Path::new("/absolute-escape").exists());
    // Each series target has its plot, named from a sanitised name, inside.
    let plots: Vec<String> = fs::read_dir(out.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("calibration-series-") && n.ends_with(".svg"))
        .collect();
    assert_eq!(plots.len(), 2, "{plots:?}");
    assert!(plots.iter().all(|p| p.contains("escape")), "{plots:?}");
}

#[test]
fn path_like_scenario_names_and_parameter_paths_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let escape = Path::new(env!("CARGO_MANIFEST_DIR")).join("escape");
    // (A NUL cannot be passed on a command line; names with one are tested
    // through the scenario file above.)
    for name in ["../escape", "..", "/tmp/escape", "a/b", ".hidden"] {
        // No --out: the folder would be results/<name>.
        let output = run_generic(&["--set", &format!("scenario.name={name}")]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(BAD_INPUT), "{name:?}: {message}");
        assert!(
            message.contains("scenario.name") && message.contains("allowed"),
            "{name:?}: {message}"
        );
    }
    assert!(!escape.exists());
    let out = tmp.path().join("sweep");
    let output = run_bin(&[
        "sweep",
        "scenarios/generic-market.toml",
        "--grid",
        "../escape=1,2",
        "--out",
        &out.display().to_string(),
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(BAD_INPUT), "{}", stderr(&output));
    assert!(stderr(&output).contains("../escape"), "{}", stderr(&output));
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------
// (3) An unwritable output folder is refused before any simulation starts.

/// Overrides that make the run take hours: a refusal within the deadline
/// shows the folder was checked before simulating.
const HOURS_LONG: [&str; 6] = [
    "--set",
    "attackers.opportunist.count=1000000",
    "--set",
    "scenario.days=30000",
    "--set",
    "scenario.replications=2",
];

/// Run the binary, killing it (and failing) if it is still running after `limit`.
fn run_with_deadline(args: &[&str], limit: Duration) -> Output {
    let mut child = bin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the caasim binary starts");
    let started = Instant::now();
    while child.try_wait().expect("child status").is_none() {
        if started.elapsed() > limit {
            child.kill().expect("kill the child we started");
            let output = child.wait_with_output().unwrap();
            panic!(
                "caasim {args:?} was still running after {limit:?}: it simulated before checking the folder\n{}",
                stderr(&output)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Check that `caasim run` and `caasim sweep` refuse `out` at once with a
/// message naming it.
fn refused_at_once(out: &Path, needle: &str) {
    let out_text = out.display().to_string();
    let mut run = vec!["run", "scenarios/generic-market.toml", "--quiet"];
    run.extend(HOURS_LONG);
    run.extend(["--out", &out_text]);
    let mut sweep = vec![
        "sweep",
        "scenarios/generic-market.toml",
        "--grid",
        "market.search_days=10,20",
        "--quiet",
    ];
    sweep.extend(HOURS_LONG);
    sweep.extend(["--out", &out_text]);
    for args in [run, sweep] {
        let output = run_with_deadline(&args, Duration::from_secs(60));
        let message = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(BAD_INPUT),
            "{}: {message}",
            args[0]
        );
        assert!(
            message.contains(&out_text) && message.contains(needle),
            "{}: the message names the folder and says {needle:?}: {message}",
            args[0]
        );
        assert!(!message.contains("panicked"), "{message}");
    }
}

#[test]
fn an_output_folder_under_a_file_is_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("somefile");
    fs::write(&file, "x").unwrap();
    refused_at_once(&file.join("sub"), "cannot create the results folder");
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn a_read_only_output_folder_is_refused_before_running() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let locked = tmp.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes through a read-only mode: nothing to test there.
    let probe = locked.join("probe");
    if fs::write(&probe, "").is_ok() {
        eprintln!(
            "skipped: running as root, a folder of mode 0555 is still writable \
             (the folder-under-a-file test covers the refusal)"
        );
        fs::remove_file(&probe).unwrap();
        return;
    }
    // A new folder inside it cannot be created ...
    refused_at_once(&locked.join("sub"), "cannot create the results folder");
    // ... and the read-only folder itself (empty, so usable) is not writable.
    refused_at_once(&locked, "not writable");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(tree(&locked).is_empty(), "nothing was written");
}

/// Results that will not fit on the disk are refused before the run starts
/// and before the folder is touched; the refusal can be overridden.
#[test]
fn results_too_big_for_the_disk_are_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let out_text = out.display().to_string();
    let mut args = vec!["run", "scenarios/generic-market.toml", "--quiet"];
    args.extend(HOURS_LONG);
    args.extend(["--out", &out_text]);
    let started = Instant::now();
    let output = bin()
        .args(&args)
        .env("CAASIM_DISK_GIB", "0.001")
        .output()
        .unwrap();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(BAD_INPUT), "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "it simulated first"
    );
    for needle in [&out_text, "on disk", "--reps", "CAASIM_NO_DISK_CHECK=1"] {
        assert!(message.contains(needle), "says {needle:?}: {message}");
    }
    assert!(!out.exists(), "the folder was created");
    // Overridden, a short run goes ahead with the same tiny disk.
    let mut args = vec!["run", "scenarios/generic-market.toml", "--quiet"];
    args.extend(SHORT);
    args.extend(["--out", &out_text]);
    let output = bin()
        .args(&args)
        .env("CAASIM_DISK_GIB", "0.001")
        .env("CAASIM_NO_DISK_CHECK", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.join("manifest.json").is_file());
}

/// Scratch files that a run killed outright left behind are removed by the
/// next run into the folder; other files are kept.
#[test]
fn a_killed_run_leaves_scratch_files_that_the_next_run_removes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let out_text = out.display().to_string();
    let first = run_generic(&["--out", &out_text]);
    assert!(first.status.success(), "{}", stderr(&first));
    let left = [
        ".timeseries.csv.arm-0.4242.0.17.tmp",
        ".segments.csv.arm-3.4242.1.17.tmp",
    ];
    for name in left {
        fs::write(out.join(name), "rows of a killed run\n").unwrap();
    }
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let second = run_generic(&["--out", &out_text]);
    assert!(second.status.success(), "{}", stderr(&second));
    for name in left {
        assert!(!out.join(name).exists(), "{name} is still there");
    }
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
}

// ---------------------------------------------------------------------------
// (4) `caasim report` on damaged or foreign folders.

/// `caasim report dir` fails with exit code 2, naming `file`, without panicking.
fn report_refuses(dir: &Path, file: &str, what: &str) {
    let output = run_bin(&["report", &dir.display().to_string()]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(BAD_INPUT), "{what}: {message}");
    assert!(
        message.contains(&dir.join(file).display().to_string()),
        "{what}: the message names {file}: {message}"
    );
    assert!(!message.contains("panicked"), "{what}: {message}");
    assert!(
        !dir.join("report.html").exists(),
        "{what}: a report was written"
    );
}

/// Bytes that are not text (a fixed pseudo-random sequence).
fn junk(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn report_refuses_empty_and_foreign_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    report_refuses(&empty, "manifest.json", "an empty folder");
    assert!(tree(&empty).is_empty(), "report wrote into an empty folder");

    let random = tmp.path().join("random");
    fs::create_dir(&random).unwrap();
    for (k, name) in [
        "manifest.json",
        "timeseries.csv",
        "summary.csv",
        "photo.jpg",
        "sweep.json",
    ]
    .iter()
    .enumerate()
    {
        fs::write(random.join(name), junk(4096, k as u64 + 1)).unwrap();
    }
    // Random bytes in sweep.json are read first (is it a sweep folder?).
    report_refuses(&random, "sweep.json", "a folder of random files");
    fs::remove_file(random.join("sweep.json")).unwrap();
    report_refuses(&random, "manifest.json", "a folder of random files");

    // A foreign JSON manifest.
    fs::write(random.join("manifest.json"), "{\"tool\": \"other\"}").unwrap();
    report_refuses(&random, "manifest.json", "another tool's manifest");

    // A true manifest with random tables.
    let fixture = report_fixture_copy();
    fs::copy(
        fixture.path().join("manifest.json"),
        random.join("manifest.json"),
    )
    .unwrap();
    report_refuses(&random, "timeseries.csv", "random tables");

    let missing = tmp.path().join("does-not-exist");
    report_refuses(&missing, "manifest.json", "a folder that does not exist");
    assert!(!missing.exists());
}

#[test]
fn report_refuses_truncated_tables() {
    for file in [
        "timeseries.csv",
        "providers.csv",
        "segments.csv",
        "summary.csv",
    ] {
        let original = fs::read_to_string(report_fixture_copy().path().join(file)).unwrap();
        let half = original.len() / 2;
        let line_end = original[..half].rfind('\n').unwrap() + 1;
        let header_end = original.find('\n').unwrap() + 1;
        let cuts = [
            ("inside a line", &original[..half]),
            ("at the end of a line", &original[..line_end]),
            ("after the header", &original[..header_end]),
            ("to nothing", ""),
        ];
        for (how, text) in cuts {
            let dir = report_fixture_copy();
            fs::write(dir.path().join(file), text).unwrap();
            report_refuses(dir.path(), file, &format!("{file} cut {how}"));
        }
    }
    // The untouched fixture renders (so the refusals above are the cuts').
    let dir = report_fixture_copy();
    let output = run_bin(&["report", &dir.path().display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The committed generic-market text is what the tests above assume.
#[test]
fn generic_market_has_the_names_replaced_above() {
    let text = generic_text();
    for name in ["\"Alpha\"", "\"opportunist\"", "\"US\"", "\"public\""] {
        assert!(text.contains(&format!("name = {name}")), "{name}");
    }
}
