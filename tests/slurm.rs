//! A sweep submitted to a real one-node Slurm cluster as a job array with a
//! dependent merge job gives exactly the bytes of the same sweep run locally.
//! The cluster is started by `scripts/slurm/local-cluster.sh` (as root) unless
//! one is already up; the test skips, saying why, only where Slurm is not
//! installed or cannot be started without root (`scripts/test.sh` installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bin, repo_path};

const SWEEP_FLAGS: [&str; 10] = [
    "--grid",
    "arms.takedown.interventions.0.capacity_seized=0.2,0.5,0.8",
    "--grid",
    "arms.takedown.interventions.0.downtime_days=0,30",
    "--reps",
    "2",
    "--set",
    "scenario.days=90",
    "--set",
    "scenario.burn_in_days=60",
];

fn available(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn cluster_is_up() -> bool {
    Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("idle"))
}

/// Stops the daemons the test started, even when the test fails.
struct Cluster {
    state: Option<PathBuf>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(state) = &self.state {
            let _ = Command::new(repo_path("scripts/slurm/local-cluster.sh"))
                .arg("stop")
                .arg(state)
                .status();
        }
    }
}

fn start_cluster(state: &Path) -> Result<Cluster, String> {
    if cluster_is_up() {
        return Ok(Cluster { state: None });
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !is_root {
        return Err("starting a local Slurm cluster needs root".into());
    }
    let status = Command::new(repo_path("scripts/slurm/local-cluster.sh"))
        .arg("start")
        .arg(state)
        .status()
        .map_err(|e| e.to_string())?;
    let cluster = Cluster {
        state: Some(state.to_path_buf()),
    };
    assert!(
        status.success(),
        "the local Slurm cluster did not start (logs in {})",
        state.display()
    );
    Ok(cluster)
}

#[test]
fn a_sweep_as_a_slurm_job_array_equals_the_local_sweep() {
    if !(available("sbatch") && available("slurmctld") && available("munged")) {
        eprintln!(
            "SKIPPED: Slurm is not installed here (apt-get install slurm-wlm munge; scripts/test.sh does)"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let _cluster = match start_cluster(&tmp.path().join("cluster")) {
        Ok(cluster) => cluster,
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            return;
        }
    };
    let (on_slurm, local) = (tmp.path().join("slurm"), tmp.path().join("local"));
    let scenario = repo_path("scenarios/generic-market.toml");
    let submitted = Command::new(repo_path("scripts/slurm/submit.sh"))
        .arg("3")
        .arg(&scenario)
        .arg(&on_slurm)
        .args(SWEEP_FLAGS)
        .env("CAASIM", env!("CARGO_BIN_EXE_caasim"))
        .env("LOGS", tmp.path().join("logs"))
        .env("WAIT", "1")
        .output()
        .unwrap();
    let logs: String = std::fs::read_dir(tmp.path().join("logs"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        submitted.status.success(),
        "sbatch failed: {}\n{logs}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    let output = bin()
        .arg("sweep")
        .arg(&scenario)
        .args(SWEEP_FLAGS)
        .args(["--quiet", "--out"])
        .arg(&local)
        .output()
        .unwrap();
    assert!(output.status.success());
    let read = |dir: &Path, table: &str| {
        std::fs::read(dir.join(table))
            .unwrap_or_else(|e| panic!("no {table} in {}: {e}\njob logs:\n{logs}", dir.display()))
    };
    for table in ["points.csv", "points-replications.csv"] {
        assert_eq!(read(&on_slurm, table), read(&local, table), "{table}");
    }
    for part in 0..3 {
        assert!(on_slurm.join(format!("part-{part}-of-3.csv")).is_file());
    }
}
