//! Named presets: room states saved by name in one JSON file the
//! facilitator chose (`--presets FILE`). A name is a key in that file,
//! never a path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::state::{RoomState, name_outside};
use crate::output::folder::AtomicFile;

/// Longest preset name.
const MAX_NAME: usize = 64;
/// Most presets in the file.
pub const MAX_PRESETS: usize = 200;

/// The presets file.
#[derive(Debug, Clone)]
pub struct Presets {
    /// Its path.
    pub path: PathBuf,
}

/// Why `name` cannot name a preset, if it cannot.
pub fn name_problem(name: &str) -> Option<String> {
    name_outside(name, MAX_NAME, "-_").map(|why| format!("the preset name {why}"))
}

impl Presets {
    /// Every preset (none while the file does not exist).
    pub fn read(&self) -> Result<BTreeMap<String, RoomState>> {
        if !self.path.exists() {
            return Ok(BTreeMap::new());
        }
        let text = std::fs::read_to_string(&self.path)
            .with_context(|| format!("cannot read the presets file {}", self.path.display()))?;
        serde_json::from_str(&text).with_context(|| {
            format!(
                "the presets file {} is not a caasim presets file",
                self.path.display()
            )
        })
    }

    /// Save `state` as `name` (replacing a preset of that name).
    pub fn save(&self, name: &str, state: RoomState) -> Result<()> {
        let mut presets = self.read()?;
        presets.insert(name.to_string(), state);
        anyhow::ensure!(
            presets.len() <= MAX_PRESETS,
            "the presets file holds {MAX_PRESETS} presets already"
        );
        write(&self.path, &presets)
    }
}

fn write(path: &Path, presets: &BTreeMap<String, RoomState>) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    serde_json::to_writer_pretty(file.writer(), presets)?;
    file.commit()
}
