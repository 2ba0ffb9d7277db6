//! The README's commands run as written, and its Markdown holds together.
//!
//! Every line of a ```` ```sh ```` block of README.md is either a `caasim`
//! command (or `cargo run --release -- ARGS`, run as `caasim ARGS`), which
//! this test runs with the built binary and which must exit 0, or a line of a
//! program listed in [`NOT_CAASIM`]: a new kind of line fails the test until
//! someone decides how to treat it. Usage synopses with placeholders belong in
//! ```` ```text ```` blocks.
//!
//! The README's own figures are for full runs, so the flags that set the
//! size of a run are made small ([`quick`]): two replications, few samples,
//! a small calibration, a scale run with a thousandth of the attackers; and
//! every output goes to a fresh temporary folder, never into the repository's
//! `results/`. A sweep or sensitivity command whose `--out` is a committed
//! folder is also run exactly as written against a copy of that folder: it
//! resumes with every point done, which shows that the command is the one
//! that made the folder. A `caasim serve` command, which serves until it is
//! stopped, must say within a minute where its room listens; then it is
//! stopped.

mod common;

use common::copy_dir;
use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

const README: &str = "README.md";

/// Programs of ```` ```sh ```` lines that are not caasim commands, and why
/// this test does not run them.
const NOT_CAASIM: &[(&str, &str)] = &[
    (
        "scripts/test.sh",
        "the test suite itself (the Set-up block's second command)",
    ),
    (
        "scripts/slurm/submit.sh",
        "needs a Slurm cluster; tests/slurm.rs submits a sweep with it on a local one",
    ),
    ("cmp", "compares the outputs of the commands before it"),
];

/// The two commands of the Set-up block, in order.
const SETUP: [&str; 2] = [
    "cargo run --release -- run scenarios/redvds-2026.toml",
    "scripts/test.sh",
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    fs::read_to_string(repo().join(README)).expect("README.md is readable")
}

/// A fenced code block: its language and its lines with their numbers.
struct Block {
    lang: String,
    /// Line number (from 1) of the opening fence.
    line: usize,
    lines: Vec<(usize, String)>,
}

/// The fenced blocks of `text`, or the first fence problem.
fn blocks(text: &str) -> Result<Vec<Block>, String> {
    let mut done = Vec::new();
    let mut open: Option<Block> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let indent = raw.len() - raw.trim_start().len();
        let fence = indent < 4 && raw.trim_start().starts_with("```");
        match (&mut open, fence) {
            (None, true) => {
                let lang = raw.trim_start().trim_start_matches('`').trim().to_string();
                if lang.is_empty() {
                    return Err(format!(
                        "README.md:{number}: a fence opens a block without a language \
                         (```sh or ```text); is a block before it left open?"
                    ));
                }
                open = Some(Block {
                    lang,
                    line: number,
                    lines: Vec::new(),
                });
            }
            (Some(_), true) => {
                if raw.trim() != "```" {
                    return Err(format!(
                        "README.md:{number}: `{}` inside the block opened at line {}; \
                         close that block with a line of ``` first",
                        raw.trim(),
                        open.as_ref().map_or(0, |b| b.line)
                    ));
                }
                done.push(open.take().expect("a block is open"));
            }
            (Some(block), false) => block.lines.push((number, raw.to_string())),
            (None, false) => {}
        }
    }
    match open {
        Some(block) => Err(format!(
            "README.md:{}: the ```{} block is never closed",
            block.line, block.lang
        )),
        None => Ok(done),
    }
}

/// A logical line of a ```` ```sh ```` block: continuations joined.
struct ShLine {
    line: usize,
    text: String,
}

/// The logical lines of a block: `\` at the end of a line joins the next;
/// blank lines are dropped.
fn logical_lines(block: &Block) -> Vec<ShLine> {
    let mut out = Vec::new();
    let mut current: Option<ShLine> = None;
    for (number, raw) in &block.lines {
        let (piece, continued) = match raw.strip_suffix('\\') {
            Some(start) => (start, true),
            None => (raw.as_str(), false),
        };
        let entry = current.get_or_insert_with(|| ShLine {
            line: *number,
            text: String::new(),
        });
        entry.text.push_str(piece);
        if !continued {
            let entry = current.take().expect("a line is being joined");
            if !entry.text.trim().is_empty() {
                out.push(entry);
            }
        }
    }
    if let Some(entry) = current {
        out.push(entry);
    }
    out
}

/// Split a line into words the way the shell does for the small part of its
/// syntax the README uses: single and double quotes, backslash escapes,
/// `$NAME` and `${NAME}` (split into words unless quoted), and `#` comments.
/// Anything else that the shell would treat specially is refused.
fn shell_words(line: &str, vars: &HashMap<String, String>) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let lookup = |chars: &mut std::iter::Peekable<std::str::Chars>| -> Result<String, String> {
        let braced = chars.peek() == Some(&'{');
        if braced {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                chars.next();
            } else {
                break;
            }
        }
        if braced && chars.next() != Some('}') {
            return Err(format!("unsupported parameter expansion in `{line}`"));
        }
        vars.get(&name)
            .cloned()
            .ok_or_else(|| format!("`${name}` is not set by an earlier line of the block"))
    };
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed ' in `{line}`")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('$' | '`' | '"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unclosed \" in `{line}`")),
                        },
                        Some('$') => word.push_str(&lookup(&mut chars)?),
                        Some('`') => return Err(format!("command substitution in `{line}`")),
                        Some(c) => word.push(c),
                        None => return Err(format!("unclosed \" in `{line}`")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next().ok_or(format!("a \\ ends `{line}`"))?);
            }
            '$' => {
                let value = lookup(&mut chars)?;
                if value.starts_with(char::is_whitespace) && in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                let mut fields = value.split_whitespace().peekable();
                while let Some(field) = fields.next() {
                    word.push_str(field);
                    in_word = true;
                    if fields.peek().is_some() {
                        words.push(std::mem::take(&mut word));
                    }
                }
                if value.ends_with(char::is_whitespace) && in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '`' | '*' | '?' => {
                return Err(format!(
                    "`{c}` in `{line}`: this test does not know that shell syntax; \
                     quote it or extend the test"
                ));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// `NAME=value`, split, when `word` is a shell variable assignment.
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some((name, value))
}

/// What a line of a ```` ```sh ```` block is.
enum Kind {
    /// A shell variable set for the later lines of the block.
    Assignment,
    /// `caasim ARGS`: the arguments.
    Caasim(Vec<String>),
    /// A program of [`NOT_CAASIM`].
    Other(&'static str),
}

struct Parsed {
    line: usize,
    /// The line as written (continuations joined).
    text: String,
    kind: Kind,
}

/// Every line of the README's ```` ```sh ```` blocks, or the problems found.
fn sh_lines(text: &str) -> Result<Vec<Parsed>, Vec<String>> {
    let blocks = blocks(text).map_err(|e| vec![e])?;
    let mut parsed = Vec::new();
    let mut problems = Vec::new();
    for block in blocks.iter().filter(|b| b.lang == "sh") {
        let mut vars = HashMap::from([("PWD".to_string(), repo().to_string_lossy().into_owned())]);
        for line in logical_lines(block) {
            let at = format!("README.md:{}", line.line);
            let words = match shell_words(&line.text, &vars) {
                Ok(words) => words,
                Err(e) => {
                    problems.push(format!("{at}: {e}"));
                    continue;
                }
            };
            let env_len = words.iter().take_while(|w| assignment(w).is_some()).count();
            let (env, command) = words.split_at(env_len);
            let kind = if command.is_empty() {
                for word in env {
                    let (name, value) = assignment(word).expect("an assignment");
                    vars.insert(name.to_string(), value.to_string());
                }
                Kind::Assignment
            } else if command[0] == "caasim" {
                Kind::Caasim(command[1..].to_vec())
            } else if command.starts_with(&["cargo", "run", "--release", "--"].map(String::from)) {
                Kind::Caasim(command[4..].to_vec())
            } else if let Some((program, _)) = NOT_CAASIM
                .iter()
                .find(|(program, _)| command[0] == *program)
            {
                Kind::Other(program)
            } else {
                problems.push(format!(
                    "{at}: `{}` is neither a caasim command nor a line this test knows \
                     (NOT_CAASIM in tests/readme_commands.rs); a usage synopsis belongs \
                     in a ```text block",
                    line.text.trim()
                ));
                continue;
            };
            if !env.is_empty() && matches!(kind, Kind::Caasim(_)) {
                problems.push(format!(
                    "{at}: environment assignments before a caasim command are not supported here"
                ));
            }
            parsed.push(Parsed {
                line: line.line,
                text: line.text.trim().to_string(),
                kind,
            });
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// Flags of caasim that take no value.
const SWITCHES: &[&str] = &[
    "--force",
    "--quiet",
    "-q",
    "--help",
    "-h",
    "--summary-only",
    "--fixed",
    "--calibrate",
    "--open",
    "--serve",
];

/// caasim arguments as the subcommand, its positional arguments and its
/// flags with their values, in order.
struct Args {
    sub: String,
    positional: Vec<String>,
    flags: Vec<(String, Option<String>)>,
}

impl Args {
    fn parse(args: &[String]) -> Args {
        let sub = args.first().cloned().unwrap_or_default();
        let mut positional = Vec::new();
        let mut flags = Vec::new();
        let mut rest = args.iter().skip(1);
        while let Some(arg) = rest.next() {
            if let Some((flag, value)) = arg.split_once('=').filter(|_| arg.starts_with("--")) {
                flags.push((flag.to_string(), Some(value.to_string())));
            } else if SWITCHES.contains(&arg.as_str()) {
                flags.push((arg.clone(), None));
            } else if arg.starts_with('-') {
                flags.push((arg.clone(), rest.next().cloned()));
            } else {
                positional.push(arg.clone());
            }
        }
        Args {
            sub,
            positional,
            flags,
        }
    }

    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|(f, _)| f == flag)
    }

    /// Drop every occurrence of `flag`.
    fn remove(&mut self, flag: &str) {
        self.flags.retain(|(f, _)| f != flag);
    }

    fn get(&self, flag: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(f, _)| f == flag)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Give `flag` the value `value`: every occurrence, or a new one at the end.
    fn set(&mut self, flag: &str, value: &str) {
        let mut found = false;
        for (f, v) in &mut self.flags {
            if f == flag {
                *v = Some(value.to_string());
                found = true;
            }
        }
        if !found {
            self.flags.push((flag.to_string(), Some(value.to_string())));
        }
    }

    fn to_vec(&self) -> Vec<String> {
        let mut out = vec![self.sub.clone()];
        out.extend(self.positional.iter().cloned());
        for (flag, value) in &self.flags {
            out.push(flag.clone());
            out.extend(value.iter().cloned());
        }
        out
    }
}

/// Where the temporary copies and outputs go, and which README folders they
/// stand for.
struct Scratch {
    dir: PathBuf,
    count: usize,
    /// README path of an output folder -> the temporary folder used instead.
    outputs: HashMap<String, PathBuf>,
}

impl Scratch {
    fn fresh(&mut self, what: &str) -> PathBuf {
        self.count += 1;
        self.dir.join(format!("{}-{what}", self.count))
    }

    /// The folder to use for a README folder that a command reads (and may
    /// write into): an earlier command's temporary output, or a copy of the
    /// committed folder.
    fn input_folder(&mut self, path: &str) -> PathBuf {
        let key = path.trim_end_matches('/');
        if let Some(dir) = self.outputs.get(key) {
            return dir.clone();
        }
        let source = repo().join(key);
        assert!(
            source.is_dir(),
            "{path} is neither written by an earlier README command nor committed"
        );
        let copy = self.fresh("copy");
        copy_dir(&source, &copy);
        copy
    }
}

/// The command made quick, with its outputs in `scratch`:
///
/// - `run`, `sweep`, `sensitivity`, `calibrate`: at most `--reps 2`, `--out` a fresh
///   temporary folder (both added when missing);
/// - `sweep`: `--lhs`/`--sobol` at most 4 points;
/// - `sensitivity`: `--samples 4` (Sobol, and a screening's Sobol stage) or `2`
///   (Morris), and a screening's `--trajectories 2`;
/// - `calibrate`: `--population 8 --generations 1 --final-reps 2`;
/// - `--set` of a `.count` or `.capacity_seats` of a million or more: a
///   thousandth of it (the scale run);
/// - `bench`: `--attackers 1e3 --warmup-days 2 --days 2`; `bench --serve`:
///   `--requests 2`;
/// - `serve`: `--port 0` (any free port, in place of any `--port` given) and
///   no `--open` (no browser here); [`start_serve`] runs it;
/// - `report DIR`, `merge DIR`: an earlier command's output, or a temporary
///   copy of the committed folder (both write into DIR);
/// - `validate`: `--out` a temporary copy of the committed
///   `results/validation` (which holds the cases' calibrations), and only
///   the fast case `lumma-2025` unless `--cases` is given;
/// - `check`, `schema`: unchanged.
fn quick(args: &[String], scratch: &mut Scratch) -> Result<Vec<String>, String> {
    let mut a = Args::parse(args);
    for (flag, value) in &mut a.flags {
        if flag != "--set" {
            continue;
        }
        let Some(v) = value else { continue };
        let Some((key, number)) = v.split_once('=') else {
            continue;
        };
        let large = number.parse::<u64>().ok().filter(|&n| n >= 1_000_000);
        if let Some(n) =
            large.filter(|_| key.ends_with(".count") || key.ends_with(".capacity_seats"))
        {
            *v = format!("{key}={}", n / 1000);
        }
    }
    match a.sub.as_str() {
        "run" | "sweep" | "sensitivity" | "calibrate" | "coalition" => {
            let reps = a.get("--reps").and_then(|n| n.parse::<u32>().ok());
            a.set("--reps", &reps.map_or(2, |n| n.min(2)).to_string());
            let out = scratch.fresh(&a.sub);
            if let Some(readme_out) = a.get("--out") {
                scratch
                    .outputs
                    .insert(readme_out.trim_end_matches('/').to_string(), out.clone());
            }
            a.set("--out", &out.to_string_lossy());
        }
        "report" | "merge" => {
            let [dir] = a.positional.as_mut_slice() else {
                return Err(format!("`{}` expects one folder", a.sub));
            };
            *dir = scratch.input_folder(dir).to_string_lossy().into_owned();
        }
        "bench" if a.has("--serve") => a.set("--requests", "2"),
        "bench" => {
            a.set("--attackers", "1e3");
            a.set("--warmup-days", "2");
            a.set("--days", "2");
        }
        "serve" => {
            a.set("--port", "0");
            a.remove("--open");
        }
        "validate" => {
            let readme_out = a.get("--out").unwrap_or("results/validation").to_string();
            let out = scratch.input_folder(&readme_out);
            a.set("--out", &out.to_string_lossy());
            if a.get("--cases").is_none() {
                a.set("--cases", "lumma-2025");
            }
        }
        "check" | "schema" => {}
        other => {
            return Err(format!(
                "no rule to make `caasim {other}` quick: extend `quick` in tests/readme_commands.rs"
            ));
        }
    }
    match a.sub.as_str() {
        "sweep" => {
            for flag in ["--lhs", "--sobol"] {
                if let Some(n) = a.get(flag).and_then(|n| n.parse::<u32>().ok()) {
                    a.set(flag, &n.min(4).to_string());
                }
            }
        }
        "sensitivity" => {
            let samples = if a.get("--method") == Some("morris") {
                "2"
            } else {
                "4"
            };
            a.set("--samples", samples);
            if a.get("--method") == Some("screen") {
                a.set("--trajectories", "2");
            }
        }
        "coalition" => {
            if let Some(m) = a.get("--permutations").and_then(|m| m.parse::<u32>().ok()) {
                a.set("--permutations", &m.min(2).to_string());
            }
        }
        "calibrate" => {
            a.set("--population", "8");
            a.set("--generations", "1");
            a.set("--final-reps", "2");
        }
        _ => {}
    }
    Ok(a.to_vec())
}

/// Every file under `results/` with its size and time of change.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let meta = entry.metadata().expect("file metadata");
            if meta.is_dir() {
                todo.push(entry.path());
            } else {
                out.push((entry.path(), meta.len(), meta.modified().ok()));
            }
        }
    }
    out.sort();
    out
}

/// Run caasim with `args`; a description of the failure when it does not exit 0.
fn run_caasim(args: &[String]) -> Result<(), String> {
    let output = Command::new(env!("CARGO_BIN_EXE_caasim"))
        .args(args)
        .current_dir(repo())
        .output()
        .map_err(|e| format!("cannot start caasim: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "exit status: {}\n--- stdout:\n{}\n--- stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// What `caasim serve` prints on stderr once its room listens.
const SERVE_READY: &str = "the workshop room is at http://";
/// How long `caasim serve` may take to say so.
const SERVE_START: Duration = Duration::from_secs(60);

/// Start `caasim serve` with `args`, wait until it says on stderr where its
/// room listens (within [`SERVE_START`]), then stop it; a description of the
/// failure when it exits or stays silent first.
fn start_serve(args: &[String]) -> Result<(), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caasim"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start caasim: {e}"))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = Instant::now() + SERVE_START;
    let mut heard = Vec::new();
    let outcome = loop {
        match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                let ready = line.contains(SERVE_READY);
                heard.push(line);
                if ready {
                    break Ok(());
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                break Err(format!(
                    "no `{SERVE_READY}` on stderr within {} s",
                    SERVE_START.as_secs()
                ));
            }
            Err(RecvTimeoutError::Disconnected) => {
                break Err(format!("it closed stderr without `{SERVE_READY}`"));
            }
        }
    };
    // It serves until stopped: stop it whether or not it started.
    let _ = child.kill();
    let status = child
        .wait()
        .map_or_else(|e| format!("unknown ({e})"), |s| s.to_string());
    outcome.map_err(|e| {
        format!(
            "{e}; exit status: {status}\n--- stderr:\n{}",
            heard.join("\n")
        )
    })
}

fn shown(args: &[String]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect();
    format!("caasim {}", quoted.join(" "))
}

#[test]
fn readme_commands_run_as_written() {
    let lines = sh_lines(&readme()).unwrap_or_else(|problems| panic!("{}", problems.join("\n")));
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let mut scratch = Scratch {
        dir: tmp.path().to_path_buf(),
        count: 0,
        outputs: HashMap::new(),
    };
    let results = repo().join("results");
    let before = snapshot(&results);
    let mut failures = Vec::new();
    let mut ran = 0;
    let start = Instant::now();
    for line in &lines {
        let Kind::Caasim(args) = &line.kind else {
            continue;
        };
        let at = format!("README.md:{}", line.line);
        let quick = match quick(args, &mut scratch) {
            Ok(quick) => quick,
            Err(e) => {
                failures.push(format!("{at}: {e}"));
                continue;
            }
        };
        let t = Instant::now();
        let outcome = if quick[0] == "serve" {
            start_serve(&quick)
        } else {
            run_caasim(&quick)
        };
        eprintln!(
            "{at}: {:.1} s\n  as written: {}\n  run as:     {}",
            t.elapsed().as_secs_f64(),
            line.text,
            shown(&quick)
        );
        ran += 1;
        if let Err(e) = outcome {
            failures.push(format!(
                "{at}: `{}`\nrun as `{}` failed:\n{e}",
                line.text,
                shown(&quick)
            ));
        }
    }
    eprintln!(
        "{ran} README commands in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        ran > 0,
        "no caasim command found in the README's ```sh blocks"
    );
    assert!(
        snapshot(&results) == before,
        "the README's commands changed files under results/; they must write only to temporary folders"
    );
    for (program, why) in NOT_CAASIM {
        assert!(
            lines
                .iter()
                .any(|l| matches!(l.kind, Kind::Other(p) if p == *program)),
            "NOT_CAASIM lists `{program}` ({why}), which no ```sh line of the README uses any more"
        );
    }
}

#[test]
fn readme_sweeps_resume_in_their_committed_folders() {
    let lines = sh_lines(&readme()).unwrap_or_else(|problems| panic!("{}", problems.join("\n")));
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let mut checked = 0;
    for line in &lines {
        let Kind::Caasim(args) = &line.kind else {
            continue;
        };
        let mut a = Args::parse(args);
        let Some(out) = a.get("--out").map(str::to_string) else {
            continue;
        };
        let committed = repo().join(&out);
        if !matches!(a.sub.as_str(), "sweep" | "sensitivity")
            || !committed.join("sweep.json").is_file()
        {
            continue;
        }
        let copy = tmp.path().join(format!("{checked}"));
        copy_dir(&committed, &copy);
        a.set("--out", &copy.to_string_lossy());
        let run = a.to_vec();
        if let Err(e) = run_caasim(&run) {
            panic!(
                "README.md:{}: `{}` does not resume in a copy of the committed {out} \
                 (was the folder made by another command?); run as `{}`:\n{e}",
                line.line,
                line.text,
                shown(&run)
            );
        }
        for file in ["sweep.json", "design.csv", "points.csv"] {
            assert!(
                fs::read(committed.join(file)).ok() == fs::read(copy.join(file)).ok(),
                "README.md:{}: `{}` changes {file} of the committed {out}",
                line.line,
                line.text
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "no README sweep writes a committed folder");
}

#[test]
fn readme_fences_are_closed_and_labelled() {
    if let Err(e) = blocks(&readme()) {
        panic!("{e}");
    }
}

#[test]
fn readme_setup_block_is_two_commands() {
    let text = readme();
    let heading = text
        .lines()
        .position(|l| l.starts_with("## Set-up"))
        .expect("the README has a `## Set-up` section")
        + 1;
    let blocks = blocks(&text).expect("the README's fences are balanced");
    let block = blocks
        .iter()
        .find(|b| b.line > heading)
        .expect("a code block follows the Set-up heading");
    assert_eq!(block.lang, "sh", "the Set-up block is a ```sh block");
    let vars = HashMap::new();
    let commands: Vec<String> = logical_lines(block)
        .iter()
        .map(|l| {
            shell_words(&l.text, &vars)
                .expect("a plain command")
                .join(" ")
        })
        .collect();
    assert_eq!(commands, SETUP, "the Set-up block is exactly two commands");
}

/// The text outside fenced blocks and inline code spans.
fn prose(text: &str) -> String {
    let mut outside = String::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            outside.push('\n');
            continue;
        }
        if !in_block {
            outside.push_str(line);
        }
        outside.push('\n');
    }
    // Inline code spans may run over a line end; keep the line ends so that
    // line numbers stay right.
    let mut out = String::new();
    for (i, part) in outside.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
        } else {
            out.extend(part.chars().filter(|&c| c == '\n'));
        }
    }
    out
}

#[test]
fn readme_links_point_at_files_that_exist() {
    let text = prose(&readme());
    let mut missing = Vec::new();
    let mut found = 0;
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            let target = rest[..end].split_whitespace().next().unwrap_or("");
            rest = &rest[end..];
            if target.contains("://") || target.starts_with("mailto:") || target.starts_with('#') {
                continue;
            }
            found += 1;
            let path = target.split('#').next().unwrap_or(target);
            if !repo().join(path).exists() {
                missing.push(format!("README.md:{}: {target}", i + 1));
            }
        }
    }
    assert!(found > 0, "no link to a repository file found");
    assert!(
        missing.is_empty(),
        "links to files that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn readme_images_stand_alone() {
    let text = readme();
    let lines: Vec<&str> = text.lines().collect();
    let mut problems = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.trim_start().starts_with("![") {
            continue;
        }
        if !line.trim_end().ends_with(')') || line.matches("](").count() != 1 {
            problems.push(format!(
                "README.md:{}: more than the image on its line",
                i + 1
            ));
        }
        if lines.get(i + 1).is_some_and(|next| !next.trim().is_empty()) {
            problems.push(format!(
                "README.md:{}: no blank line after the image, so the next line joins its paragraph",
                i + 1
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
