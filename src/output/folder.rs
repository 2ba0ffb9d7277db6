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

/// The default folder of results named `name` (e.g. `redvds-2026-sweep`):
/// `results/<name>`, or `results/<name>+<8 hex digits>` for a command line
/// that changes the scenario, the digits from `fingerprint`, a hash of the
/// changes as recorded (so that the same command finds the same folder, and
/// a variant does not replace the results of the scenario as written).
pub fn default_dir(name: &str, fingerprint: Option<u64>) -> PathBuf {
    let results = Path::new("results");
    match fingerprint {
        Some(hash) => results.join(format!("{name}+{:08x}", hash >> 32)),
        None => results.join(name),
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

/// The files the manifest of `dir` lists (none when it has no readable
/// manifest): what an earlier complete run there wrote. Folders (`plots/`)
/// are left out.
pub fn files_of_manifest(dir: &Path) -> Vec<String> {
    let Ok(text) = fs::read_to_string(dir.join(MANIFEST)) else {
        return Vec::new();
    };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    files
        .iter()
        .filter_map(|f| f["path"].as_str())
        .filter(|path| !path.ends_with('/') && !path.contains(['/', '\\']) && *path != MANIFEST)
        .map(str::to_string)
        .collect()
}

/// Remove the files `names` of `dir` that exist: an earlier run's files
/// this run does not write, so that none is read as part of its results.
pub fn remove_files<'a>(dir: &Path, names: impl Iterator<Item = &'a String>) -> Result<()> {
    for name in names {
        let path = dir.join(name);
        if path.is_file() {
            fs::remove_file(&path)
                .with_context(|| format!("cannot remove the earlier run's {}", path.display()))?;
        }
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
