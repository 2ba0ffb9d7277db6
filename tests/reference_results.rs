//! The committed reference results are what the README's main command
//! produces today, byte for byte.

mod common;

use common::{bin, repo_path};

const SCENARIO: &str = "scenarios/redvds-2026.toml";
const COMMITTED: &str = "results/redvds-2026/summary.csv";
const HOW: &str =
    "run `cargo run --release -- run scenarios/redvds-2026.toml` and commit results/redvds-2026";

#[test]
fn redvds_2026_summary_matches_the_committed_results() {
    assert!(repo_path(SCENARIO).is_file(), "{SCENARIO} is missing");
    let committed = std::fs::read(repo_path(COMMITTED))
        .unwrap_or_else(|e| panic!("{COMMITTED} cannot be read ({e}): {HOW}"));
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = tmp.path().join("redvds-2026");
    let output = bin()
        .args(["run", SCENARIO, "--quiet", "--out"])
        .arg(&out)
        .output()
        .expect("the caasim binary runs");
    assert!(
        output.status.success(),
        "caasim run {SCENARIO} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let fresh = std::fs::read(out.join("summary.csv")).expect("summary.csv is written");
    assert!(
        fresh == committed,
        "summary.csv of a fresh run differs from the committed {COMMITTED}; if the change is intended, {HOW}"
    );
}

/// The disk estimate that `caasim run` checks before it starts covers what
/// the reference run wrote, without refusing runs that would fit several
/// times over.
#[test]
fn the_disk_estimate_covers_the_reference_results() {
    fn bytes_under(dir: &std::path::Path) -> u64 {
        std::fs::read_dir(dir)
            .expect("a readable folder")
            .map(|entry| entry.expect("a readable entry").path())
            .map(|path| match path.is_dir() {
                true => bytes_under(&path),
                false => std::fs::metadata(&path).expect("a file").len(),
            })
            .sum()
    }
    let model = caasim::scenario::load_file(&repo_path(SCENARIO), &[]).expect("valid scenario");
    let (estimate, _) = caasim::resources::disk::disk_estimate(&model);
    let written = bytes_under(&repo_path("results/redvds-2026")) as f64;
    assert!(
        (written..3.0 * written).contains(&estimate),
        "estimated {estimate} bytes for the {written} written"
    );
}
