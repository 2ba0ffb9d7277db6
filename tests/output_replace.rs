//! Safe output (issue 15): a run whose command line changes the scenario
//! writes, without `--out`, to `results/<name>+<hash>`, never into the
//! scenario's own folder; replacing a folder says what is replaced, even
//! with `--quiet`; a committed reference folder (its `manifest.json` tracked
//! by git) is replaced only by the run that wrote it, or with `--force`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{bin, short_generic_text};

/// Exit code for bad input.
const BAD_INPUT: i32 = 2;

/// A folder with the short generic market as `s.toml`; runs start in it.
struct Place {
    tmp: tempfile::TempDir,
}

impl Place {
    fn new() -> Place {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("s.toml"), short_generic_text()).unwrap();
        Place { tmp }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.tmp.path().join(relative)
    }

    /// `caasim run s.toml --arms takedown args...` in the folder.
    fn run(&self, args: &[&str]) -> Output {
        bin()
            .current_dir(self.tmp.path())
            .args(["run", "s.toml", "--arms", "takedown"])
            .args(args)
            .output()
            .expect("caasim runs")
    }

    /// The folders under `results/`.
    fn results(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.path("results"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: &Output) {
    assert!(output.status.success(), "{}", stderr(output));
}

/// Whether `name` is `generic-market+` and 8 hex digits.
fn hashed(name: &str) -> bool {
    name.strip_prefix("generic-market+")
        .is_some_and(|hex| hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

#[test]
fn a_changed_scenario_defaults_to_a_hashed_folder_named_on_stderr() {
    let place = Place::new();
    ok(&place.run(&["-q"]));
    let arms_only = place.results();
    assert_eq!(arms_only.len(), 1);
    assert!(
        hashed(&arms_only[0]),
        "--arms changes the scenario: {arms_only:?}"
    );
    let output = place.run(&["--set", "market.search_days=12"]);
    ok(&output);
    let names = place.results();
    let new: Vec<&String> = names.iter().filter(|n| !arms_only.contains(n)).collect();
    assert_eq!(new.len(), 1, "{names:?}");
    assert!(hashed(new[0]), "{names:?}");
    assert!(
        stderr(&output).contains(&format!("writing to results/{}", new[0])),
        "{}",
        stderr(&output)
    );
    ok(&place.run(&["-q", "--set", "market.search_days=12"]));
    assert_eq!(
        place.results(),
        names,
        "the same command finds the same folder"
    );
}

#[test]
fn the_scenario_as_written_goes_to_its_own_folder() {
    let place = Place::new();
    let output = bin()
        .current_dir(place.tmp.path())
        .args(["run", "s.toml", "-q"])
        .output()
        .unwrap();
    ok(&output);
    assert_eq!(place.results(), ["generic-market"]);
}

#[test]
fn replacing_a_folder_says_so_even_when_quiet() {
    let place = Place::new();
    ok(&place.run(&["-q", "--out", "out"]));
    let output = place.run(&["-q", "--out", "out"]);
    ok(&output);
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    assert!(
        text.starts_with("replacing out (written ") && text.contains(" from s.toml)"),
        "{text}"
    );
    fs::remove_file(place.path("out/manifest.json")).unwrap();
    let text = stderr(&place.run(&["-q", "--out", "out"]));
    assert!(text.contains("replacing out (an unfinished run"), "{text}");
    let text = stderr(&place.run(&["-q", "--out", "fresh"]));
    assert!(text.is_empty(), "nothing replaced, nothing said: {text}");
}

/// Whether git runs here.
fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_committed_reference_folder_is_replaced_only_by_its_own_run_or_with_force() {
    if !git_available() {
        eprintln!("skipped: git is not installed, so no folder is a reference folder");
        return;
    }
    let place = Place::new();
    let out = ["--out", "results/reference", "-q"];
    ok(&place.run(&out));
    git(place.tmp.path(), &["init", "-q"]);
    git(
        place.tmp.path(),
        &["add", "results/reference/manifest.json"],
    );
    let manifest = fs::read(place.path("results/reference/manifest.json")).unwrap();
    let other = place.run(&[&out[..], &["--set", "market.search_days=12"]].concat());
    let message = stderr(&other);
    assert_eq!(other.status.code(), Some(BAD_INPUT), "{message}");
    for needle in [
        "committed reference folder",
        "at market.search_days: ",
        "another --out",
        "--force",
    ] {
        assert!(message.contains(needle), "`{needle}` in {message}");
    }
    assert_eq!(
        fs::read(place.path("results/reference/manifest.json")).unwrap(),
        manifest,
        "the refused run changed nothing"
    );
    let same = place.run(&out);
    ok(&same);
    assert!(stderr(&same).starts_with("replacing results/reference"));
    let forced = place.run(&[&out[..], &["--set", "market.search_days=12", "--force"]].concat());
    ok(&forced);
    let manifest = fs::read_to_string(place.path("results/reference/manifest.json")).unwrap();
    assert!(manifest.contains("market.search_days=12"));
}
