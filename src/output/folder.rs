//! The results folder: checked before a run, written with atomic files.
//!
//! Every file is written under a temporary name in the same folder and renamed
//! when complete, so a file that exists is finished. `manifest.json` is removed
//! first and written once every table is complete: a folder without it is an
//! unfinished run.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Name of the manifest, written last.
pub const MANIFEST: &str = "manifest.json";
/// Marker that caasim owns a folder, written first.
pub const MARKER: &str = ".caasim-results";

/// Set this environment variable to `1` to start runs whose results the disk
/// check says will not fit.
pub const NO_DISK_CHECK_VAR: &str = "CAASIM_NO_DISK_CHECK";
/// Set this environment variable to a number of GiB to check results against
/// that much free disk instead of what the disk reports (for tests, or to
/// keep room for other jobs).
pub const DISK_GIB_VAR: &str = "CAASIM_DISK_GIB";

/// Refuse to start a run whose results (about `needed` bytes, `what` says
/// of what) cannot fit on the disk that holds, or will hold, `dir`, unless
/// [`NO_DISK_CHECK_VAR`] is `1`; nothing is refused when the free space is
/// unknown.
pub fn check_space(dir: &Path, needed: f64, what: &str) -> Result<()> {
    if std::env::var(NO_DISK_CHECK_VAR).is_ok_and(|v| v.trim() == "1") {
        return Ok(());
    }
    let free = match gib_var(DISK_GIB_VAR)? {
        Some(bytes) => Some(bytes),
        None => free_space(dir),
    };
    match free {
        Some(free) if free < needed => bail!(
            "the results need about {} on disk but {} is free in {} ({what}); choose another --out, free some space, use fewer replications (--reps) or days, or set {NO_DISK_CHECK_VAR}=1 to run anyway",
            gib(needed),
            gib(free),
            dir.display()
        ),
        _ => Ok(()),
    }
}

/// The bytes given in GiB by the environment variable `name`: `None` when it
/// is unset, an error naming it when it is not a number greater than 0.
pub fn gib_var(name: &str) -> Result<Option<f64>> {
    let Ok(text) = std::env::var(name) else {
        return Ok(None);
    };
    let gib = text.trim().parse::<f64>().ok();
    let bytes = gib.filter(|g| g.is_finite() && *g > 0.0).map(|g| g * GIB);
    bytes
        .map(Some)
        .with_context(|| format!("{name}={text:?}: give a number of GiB greater than 0"))
}

/// Free bytes on the disk that holds, or will hold, `dir` (its nearest
/// existing ancestor); `None` when unknown.
fn free_space(dir: &Path) -> Option<f64> {
    let dir = std::path::absolute(dir).ok()?;
    let existing = dir.ancestors().find(|a| a.exists())?;
    fs4::available_space(existing).ok().map(|b| b as f64)
}

/// Bytes in a GiB.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A size in GiB, with two decimals below 10 GiB.
pub fn gib(bytes: f64) -> String {
    let gib = bytes / GIB;
    if gib < 10.0 {
        format!("{gib:.2} GiB")
    } else {
        format!("{gib:.0} GiB")
    }
}

/// Make `dir` ready for a run: create it, or accept it when caasim wrote it
/// (or it is empty, or `force`), check that it is writable, and remove the old
/// manifest so that the folder reads as unfinished until the run completes.
pub fn prepare(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!(
                "{} exists and is not a folder; choose another --out",
                dir.display()
            );
        }
        if !force && !owned_by_caasim(dir)? {
            bail!(
                "{} exists and holds files caasim did not write; choose another --out, or pass --force to write into it (nothing else in it is deleted)",
                dir.display()
            );
        }
    } else {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the results folder {}", dir.display()))?;
    }
    write_atomic(&dir.join(MARKER), b"written by caasim\n")
        .with_context(|| format!("the results folder {} is not writable", dir.display()))?;
    let manifest = dir.join(MANIFEST);
    if manifest.exists() {
        fs::remove_file(&manifest)
            .with_context(|| format!("cannot replace {}", manifest.display()))?;
    }
    Ok(())
}

/// Whether the folder is empty or was written by caasim.
fn owned_by_caasim(dir: &Path) -> Result<bool> {
    let entries = fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    // Only temporary files: another process of the same job (a sweep shard)
    // is creating the folder.
    let in_progress = |name: std::ffi::OsString| {
        let name = name.to_string_lossy();
        name.starts_with('.') && name.ends_with(".tmp")
    };
    if entries
        .filter_map(|e| e.ok())
        .all(|e| in_progress(e.file_name()))
    {
        return Ok(true);
    }
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    let manifest = fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    Ok(serde_json::from_str::<serde_json::Value>(&manifest)
        .is_ok_and(|m| m.get("tool").and_then(|t| t.as_str()) == Some("caasim")))
}

/// A file being written under a temporary name; [`AtomicFile::commit`] renames it.
pub struct AtomicFile {
    path: PathBuf,
    temporary: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Start writing `path`.
    pub fn create(path: &Path) -> Result<Self> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let temporary = path.with_file_name(format!(".{name}.{}.tmp", unique_suffix()));
        let file = File::create(&temporary)
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temporary,
            writer: Some(BufWriter::new(file)),
        })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer
            .as_mut()
            .expect("an AtomicFile is written before it is committed")
    }

    /// Flush, sync and rename to the final name.
    pub fn commit(mut self) -> Result<()> {
        let temporary = self.temporary.clone();
        let writer = self.writer.take().expect("an AtomicFile is committed once");
        let file = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        fs::rename(&temporary, &self.path).with_context(|| {
            format!(
                "cannot rename {} to {}",
                temporary.display(),
                self.path.display()
            )
        })
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Not committed (an error or an interruption): leave nothing behind.
        if self.writer.is_some() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// A scratch file in the results folder, appended to now and copied into a
/// table later; like an [`AtomicFile`]'s temporary, its name starts with `.`
/// and ends with `.tmp`, and it is removed when dropped. It is open only while
/// it is appended to or copied, so many spools need no more file handles.
pub struct Spool {
    path: PathBuf,
}

impl Spool {
    /// Start an empty scratch file named after `name` in `dir`.
    pub fn create(dir: &Path, name: &str) -> Result<Self> {
        let path = dir.join(format!(".{name}.{}.tmp", unique_suffix()));
        File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Spool { path })
    }

    /// Add `bytes` at the end.
    pub fn append(&self, bytes: &[u8]) -> Result<()> {
        fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .and_then(|mut file| file.write_all(bytes))
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Copy everything appended so far to `out`.
    pub fn copy_to(&self, out: &mut impl Write) -> Result<()> {
        let mut written = File::open(&self.path)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        io::copy(&mut written, out)
            .with_context(|| format!("cannot copy {}", self.path.display()))?;
        Ok(())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// A suffix no other writer uses at the same time: process id, a counter and
/// the clock (shards on several nodes may share a process id).
fn unique_suffix() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}.{count}.{nanos}", std::process::id())
}

/// Write a whole file atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.writer()
        .write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_is_known_for_a_relative_folder_still_to_be_made() {
        let free = free_space(Path::new("no-such-folder/nor-this"));
        assert!(free.is_some_and(|b| b > 0.0), "{free:?}");
    }
}
