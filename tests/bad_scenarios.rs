//! A corpus of malformed and hostile scenarios, each refused by the real
//! binary, by `caasim check` and by `caasim run`: exit code 2, a message that
//! names the file, the line, the key path and what is allowed, no panic, and
//! no results folder.
//!
//! The files are in `tests/bad-scenarios/`, with their expected outcome in
//! `tests/bad-scenarios/expected.toml`; inputs that cannot sensibly be
//! committed (binary, 100 MB, 10,000 levels deep, a directory, a pipe) are
//! generated here into a temporary folder.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{bin, generic_text, repo_path};

/// What the message about one bad input must contain.
#[derive(Debug, Default, Clone)]
struct Expect {
    /// The line (`file:line:`), when the problem has one.
    line: Option<usize>,
    /// The key path, in backticks.
    key: Option<String>,
    /// The `--set` assignment blamed.
    flag: Option<String>,
    /// More substrings.
    contains: Vec<String>,
}

impl Expect {
    fn at(line: usize, key: &str) -> Self {
        Expect {
            line: Some(line),
            key: Some(key.to_string()),
            ..Expect::default()
        }
    }

    fn file() -> Self {
        Expect::default()
    }

    fn flag(assignment: &str) -> Self {
        Expect {
            flag: Some(assignment.to_string()),
            ..Expect::default()
        }
    }

    fn with(mut self, text: &str) -> Self {
        self.contains.push(text.to_string());
        self
    }
}

/// Problems found with each input, collected so that one run lists them all.
#[derive(Default)]
struct Report {
    tried: usize,
    failures: Vec<String>,
}

impl Report {
    fn finish(self, what: &str) {
        assert!(
            self.failures.is_empty(),
            "{} of {} {what} were not refused as expected:\n\n{}",
            self.failures.len(),
            self.tried,
            self.failures.join("\n\n")
        );
        eprintln!("{what}: {} inputs refused as expected", self.tried);
    }
}

/// Run `caasim check` and `caasim run --out` on `path` with `extra`
/// arguments and `env` set, and record any difference from `expect`.
fn assert_refused(
    report: &mut Report,
    label: &str,
    path: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
    expect: &Expect,
) {
    report.tried += 1;
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = tmp.path().join("results-that-must-not-exist");
    let shown = path.display().to_string();
    let mut problems = Vec::new();
    for command in ["check", "run"] {
        let mut args: Vec<&str> = vec![command, &shown];
        let out_arg = out.display().to_string();
        if command == "run" {
            args.extend(["--out", &out_arg, "--quiet"]);
        }
        args.extend(extra);
        let started = Instant::now();
        let mut cmd = bin();
        cmd.args(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.output().expect("the caasim binary runs");
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut fail = |what: String| problems.push(format!("caasim {command}: {what}"));
        if output.status.code() != Some(2) {
            fail(format!("exit status {:?}, not 2", output.status));
        }
        if elapsed > Duration::from_secs(5) {
            fail(format!(
                "took {elapsed:?}; a bad input must be refused at once"
            ));
        }
        if !output.stdout.is_empty() {
            fail("printed on stdout".into());
        }
        for panic_text in ["panicked", "RUST_BACKTRACE", "stack overflow"] {
            if stderr.contains(panic_text) {
                fail(format!("stderr contains {panic_text:?}"));
            }
        }
        if !stderr.contains(&shown) {
            fail(format!("the file {shown} is not named"));
        }
        if let Some(line) = expect.line {
            let place = format!("{shown}:{line}:");
            if !stderr.contains(&place) {
                fail(format!("line {line} is not named (`{place}`)"));
            }
        }
        if let Some(key) = &expect.key
            && !stderr.contains(&format!("`{key}`"))
        {
            fail(format!("the key `{key}` is not named"));
        }
        if let Some(flag) = &expect.flag
            && !stderr.contains(&format!("--set `{flag}`"))
        {
            fail(format!("the override --set `{flag}` is not named"));
        }
        if !stderr.contains("allowed") {
            fail("the message does not say what is allowed".into());
        }
        for text in &expect.contains {
            if !stderr.contains(text.as_str()) {
                fail(format!("the message lacks {text:?}"));
            }
        }
        if command == "run" && out.exists() {
            fail("a results folder was created".into());
        }
        if !problems.is_empty() && !problems.last().is_some_and(|p| p.contains("stderr was")) {
            problems.push(format!("stderr was:\n{stderr}"));
        }
    }
    if !problems.is_empty() {
        report
            .failures
            .push(format!("{label}:\n  {}", problems.join("\n  ")));
    }
}

/// The corpus folder.
fn corpus() -> PathBuf {
    repo_path("tests/bad-scenarios")
}

/// The expected outcomes of the committed corpus, by file name.
fn expectations() -> Vec<(String, Expect)> {
    let text = std::fs::read_to_string(corpus().join("expected.toml"))
        .expect("tests/bad-scenarios/expected.toml is readable");
    let table: toml::Table = toml::from_str(&text).expect("expected.toml is TOML");
    table
        .into_iter()
        .map(|(file, entry)| {
            let entry = entry.as_table().expect("each case is a table");
            let why = entry.get("why").and_then(|v| v.as_str()).unwrap_or("");
            assert!(!why.is_empty(), "{file}: say why the input is bad (`why`)");
            let line = entry
                .get("line")
                .and_then(|v| v.as_integer())
                .map(|l| usize::try_from(l).expect("a line number"));
            let key = entry
                .get("key")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            let contains = entry
                .get("contains")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .map(|v| v.as_str().expect("contains holds text").to_string())
                        .collect()
                })
                .unwrap_or_default();
            (
                file,
                Expect {
                    line,
                    key,
                    flag: None,
                    contains,
                },
            )
        })
        .collect()
}

#[test]
fn every_corpus_file_has_an_expectation() {
    let listed: Vec<String> = expectations().into_iter().map(|(f, _)| f).collect();
    let mut files: Vec<String> = std::fs::read_dir(corpus())
        .expect("the corpus folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|f| f != "expected.toml")
        .collect();
    files.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(files, sorted, "files and expected.toml entries differ");
    assert!(files.len() >= 45, "the corpus has {} files", files.len());
}

#[test]
fn corpus_is_refused() {
    let mut report = Report::default();
    for (file, expect) in expectations() {
        let path = corpus().join(&file);
        // The memory check assumes 16 GiB, whatever this machine has.
        let env = [("CAASIM_MEMORY_GIB", "16")];
        assert_refused(&mut report, &file, &path, &[], &env, &expect);
    }
    report.finish("committed bad scenarios");
}

/// The memory check is a refusal with a way around it: the same scenario is
/// valid with `CAASIM_NO_MEMORY_CHECK=1`, or against a machine with enough
/// memory (`CAASIM_MEMORY_GIB`). Only `check`: running it would really need
/// the memory.
#[test]
fn memory_check_can_be_turned_off() {
    let path = corpus().join("huge-population-memory.toml");
    let check = |env: &[(&str, &str)]| {
        let mut command = bin();
        command.args(["check", &path.display().to_string()]);
        for (k, v) in env {
            command.env(k, v);
        }
        let output = command.output().expect("the caasim binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.code(), stderr)
    };
    let (code, stderr) = check(&[("CAASIM_MEMORY_GIB", "16")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("but 16 GiB is available"), "{stderr}");
    let (code, stderr) = check(&[("CAASIM_MEMORY_GIB", "16"), ("CAASIM_NO_MEMORY_CHECK", "1")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("valid"), "{stderr}");
    let (code, stderr) = check(&[("CAASIM_MEMORY_GIB", "100000")]);
    assert_eq!(code, Some(0), "{stderr}");
}

/// Deeply nested TOML of `depth` levels.
fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("x = {}{inner}{}\n", open.repeat(depth), close.repeat(depth))
}

#[test]
fn generated_inputs_are_refused() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let dir = tmp.path();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write a generated input");
        path
    };
    let mut report = Report::default();
    let mut case = |label: &str, path: &Path, expect: Expect| {
        assert_refused(&mut report, label, path, &[], &[], &expect);
    };

    // Binary: an ELF header, NUL bytes and bytes that are not UTF-8.
    let elf = [
        0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0xff, 0xfe, 0x80, 0x81, 0, 0,
    ];
    case(
        "binary",
        &write("binary.toml", &elf.repeat(64)),
        Expect::file().with("binary"),
    );
    // Latin-1 text: valid TOML but for one byte, which is located.
    let latin1 = generic_text()
        .replace("name = \"Beta\"", "name = \"B\u{e9}ta\"")
        .replace('\u{e9}', "\u{1}");
    let mut bytes = latin1.into_bytes();
    let at = bytes.iter().position(|&b| b == 1).expect("the marker");
    bytes[at] = 0xe9;
    let line = generic_text()
        .lines()
        .position(|l| l.contains("name = \"Beta\""))
        .expect("Beta")
        + 1;
    case(
        "non-UTF-8 byte",
        &write("latin1.toml", &bytes),
        Expect::at(line, "providers[1].name").with("0xe9"),
    );
    // A NUL byte in otherwise good text.
    let nul = generic_text().replace("seed = 42", "seed = 4\u{0}2");
    let line = generic_text()
        .lines()
        .position(|l| l.contains("seed = 42"))
        .expect("seed")
        + 1;
    case(
        "NUL byte",
        &write("nul.toml", nul.as_bytes()),
        Expect::at(line, "scenario.seed").with("NUL"),
    );
    // 100 MB (sparse, so the test writes nothing): refused by its size,
    // without being read.
    let big = dir.join("big.toml");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(100 * 1024 * 1024))
        .expect("a 100 MB file");
    case(
        "100 MB file",
        &big,
        Expect::file().with("104857600 bytes").with("4194304"),
    );
    // A 100 MB file of real text is refused as fast.
    let line = "# padding padding padding padding padding padding padding padding\n";
    let mut real = generic_text();
    real.push_str(&line.repeat(100 * 1024 * 1024 / line.len()));
    case(
        "100 MB of text",
        &write("big-text.toml", real.as_bytes()),
        Expect::file().with("at most 4194304 bytes"),
    );
    // 10,000 levels of nesting: the parser's depth limit, not the stack.
    for (label, text) in [
        ("10,000 nested arrays", nested("[", "", "]", 10_000)),
        (
            "10,000 nested inline tables",
            nested("{ a = ", "1", " }", 10_000),
        ),
        ("100,000 unclosed arrays", nested("[", "", "", 100_000)),
    ] {
        let path = write(
            &format!("{}.toml", label.replace([' ', ','], "-")),
            text.as_bytes(),
        );
        case(label, &path, Expect::at(1, "x").with("nested too deeply"));
    }
    let dotted = format!("{} = 1\n", vec!["a"; 10_000].join("."));
    case(
        "a 10,000-part dotted key",
        &write("dotted.toml", dotted.as_bytes()),
        Expect::at(1, "a...").with("10000 parts"),
    );
    let header = format!("[{}]\nb = 1\n", vec!["a"; 10_000].join("."));
    case(
        "a 10,000-part table header",
        &write("header.toml", header.as_bytes()),
        Expect::at(1, "a...").with("10000 parts"),
    );
    // Not a file.
    case("a directory", dir, Expect::file().with("is a directory"));
    case(
        "a missing file",
        &dir.join("no-such-scenario.toml"),
        Expect::file().with("cannot read the file"),
    );
    case(
        "a device",
        Path::new("/dev/zero"),
        Expect::file().with("not a regular file"),
    );
    let fifo = dir.join("pipe.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    case(
        "a named pipe (opening it would block)",
        &fifo,
        Expect::file().with("not a regular file"),
    );
    // 10^12 attackers: 250 types of 4,000,000,000 each.
    let text = generic_text();
    let cut = text.find("[[attackers]]").expect("attackers");
    let end = text.find("[victims]").expect("victims");
    let one_type = |k: usize| {
        format!(
            "[[attackers]]\nname = \"crew-{k}\"\ncount = 4000000000\nseats = {{ dist = \"fixed\", value = 1 }}\nskill = {{ dist = \"fixed\", value = 1 }}\nrisk_tolerance = {{ dist = \"fixed\", value = 0.1 }}\ncash_usd = 1000\nkept_share = 0.5\ncampaign_cost_usd_per_seat_day = 5\nreservation_usd_per_day = 10\nsanction_cost_usd = 50000\nattrition_per_day = 0.004\n\n"
        )
    };
    let types: String = (0..250).map(one_type).collect();
    let trillion = format!("{}{types}{}", &text[..cut], &text[end..]);
    let first = trillion[..trillion.find("[[attackers]]").expect("attackers")]
        .lines()
        .count()
        + 1;
    case(
        "10^12 attackers",
        &write("trillion.toml", trillion.as_bytes()),
        Expect::at(first, "attackers")
            .with("1000000000000 attackers in all")
            .with("GiB of memory")
            .with("CAASIM_NO_MEMORY_CHECK=1"),
    );
    report.finish("generated bad inputs");
}

#[test]
fn bad_overrides_are_refused() {
    let path = repo_path("scenarios/generic-market.toml");
    let cases: [(&str, Expect); 15] = [
        ("nokey", Expect::flag("nokey").with("key.path=value")),
        ("=5", Expect::flag("=5").with("key path")),
        ("a..b=1", Expect::flag("a..b=1").with("key path")),
        (
            "scenario.days=abc",
            Expect::flag("scenario.days=abc").with("whole number"),
        ),
        (
            "scenario.days=-1",
            Expect::flag("scenario.days=-1").with("whole number from 0"),
        ),
        (
            "scenario.days=",
            Expect::flag("scenario.days=").with("whole number"),
        ),
        (
            "market.search_days=nan",
            Expect::flag("market.search_days=nan").with("NaN"),
        ),
        (
            "providers.Omega.price_usd=3",
            Expect::flag("providers.Omega.price_usd=3").with("Alpha, Beta, Gamma"),
        ),
        (
            "providers.9.price_usd=3",
            Expect::flag("providers.9.price_usd=3").with("out of range"),
        ),
        (
            "scenario.name.x=1",
            Expect::flag("scenario.name.x=1").with("is a value, not a table"),
        ),
        (
            "foo.bar=1",
            Expect::flag("foo.bar=1").with("`foo`").with("`scenario`"),
        ),
        (
            "providers.Alpha.colour=1",
            Expect::flag("providers.Alpha.colour=1").with("allowed keys"),
        ),
        (
            "arms.takedown.interventions.0.start=\"2020-01-01\"",
            Expect::flag("arms.takedown.interventions.0.start=\"2020-01-01\"")
                .with("before the start"),
        ),
        (
            "arms.takedown.interventions.0.risk_shock_customers=0.02",
            Expect::flag("arms.takedown.interventions.0.risk_shock_customers=0.02")
                .with("`market.risk_shock_customers`"),
        ),
        (
            "attackers.bec-crew.count=1000000000000",
            Expect::flag("attackers.bec-crew.count=1000000000000").with("4294967295"),
        ),
    ];
    let mut report = Report::default();
    for (assignment, expect) in cases {
        assert_refused(
            &mut report,
            &format!("--set {assignment}"),
            &path,
            &["--set", assignment],
            &[],
            &expect,
        );
    }
    // An override that adds a line must not shift the lines of the file:
    // a problem in the file is still reported at its own line.
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let text = generic_text().replace("reputation = 0.4", "reputation = 4");
    let file = tmp.path().join("shifted.toml");
    std::fs::write(&file, &text).expect("write");
    let line = text
        .lines()
        .position(|l| l.contains("reputation = 4"))
        .expect("reputation")
        + 1;
    assert_refused(
        &mut report,
        "a problem in the file below a key added by --set",
        &file,
        &["--set", "market.mfa_efficacy=0.5"],
        &[],
        &Expect::at(line, "providers[2].reputation"),
    );
    report.finish("bad overrides");
}
