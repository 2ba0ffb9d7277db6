//! The scenarios a room may pick: the scenario files of a folder and the
//! one given on the command line, each read and validated once at start,
//! by id (its file stem). The page names a scenario only by id, so no path
//! from a request reaches the file system.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::model::Model;
use crate::scenario;

/// One scenario of the catalogue.
#[derive(Debug)]
pub struct Entry {
    /// Its id: the file stem.
    pub id: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// Its text, the base of every what-if.
    pub text: String,
    /// Its model as written.
    pub model: Model,
}

impl Entry {
    /// The comment block at the top of the file (description and sources),
    /// one line each, without the `#`.
    pub fn header(&self) -> Vec<String> {
        self.text
            .lines()
            .take_while(|l| l.trim_start().starts_with('#'))
            .map(|l| {
                l.trim_start()
                    .trim_start_matches('#')
                    .trim_end()
                    .to_string()
            })
            .map(|l| l.strip_prefix(' ').map(str::to_string).unwrap_or(l))
            .collect()
    }
}

/// The scenarios a room may pick, in id order, the command line's first.
#[derive(Debug)]
pub struct Catalog {
    /// The entries.
    pub entries: Vec<Entry>,
}

impl Catalog {
    /// The catalogue of `given` (which must load) and of the `.toml` files
    /// of `folder` that are scenarios (others, such as target files, are
    /// skipped, saying so on stderr).
    pub fn load(given: Option<&Path>, folder: Option<&Path>) -> Result<Self> {
        let mut entries = Vec::new();
        if let Some(path) = given {
            entries.push(read(path)?);
        }
        let mut files = folder.map(toml_files).transpose()?.unwrap_or_default();
        files.sort();
        for path in files {
            if entries.iter().any(|e| same_file(&e.path, &path)) {
                continue;
            }
            match read(&path) {
                Ok(entry) if !entries.iter().any(|e| e.id == entry.id) => entries.push(entry),
                Ok(entry) => eprintln!(
                    "skipped {}: its id `{}` is taken by {}",
                    path.display(),
                    entry.id,
                    entries
                        .iter()
                        .find(|e| e.id == entry.id)
                        .map_or_else(String::new, |e| e.path.display().to_string())
                ),
                Err(_) => eprintln!(
                    "skipped {}: not a valid scenario (`caasim check` says why)",
                    path.display()
                ),
            }
        }
        if entries.is_empty() {
            bail!(
                "no scenario to serve: give a scenario file, or a --scenarios folder that holds one"
            );
        }
        Ok(Catalog { entries })
    }

    /// The entry of `id`.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

/// Read and validate one scenario file.
fn read(path: &Path) -> Result<Entry> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let model = scenario::load_text(&text, &path.display().to_string(), &[])?;
    for key in &model.scenario.workshop.adjustable {
        if !model.scenario.uncertain.contains_key(key) {
            eprintln!(
                "{}: the room does not offer `{key}`: it has no range in [uncertain]",
                path.display()
            );
        }
    }
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Entry {
        id,
        path: path.to_path_buf(),
        text,
        model,
    })
}

/// The `.toml` files of `folder`.
fn toml_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let listing = std::fs::read_dir(folder)
        .with_context(|| format!("cannot list the scenario folder {}", folder.display()))?;
    Ok(listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
