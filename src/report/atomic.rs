//! Atomic file writes: `<name>.tmp` in the same folder, then rename.

use anyhow::{Context, Result};
use std::fs;
use std::path::Path;

/// Writes `bytes` to `path` so that `path` only ever holds a complete file.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = Path::new(&tmp);
    let result = fs::write(tmp, bytes)
        .with_context(|| format!("cannot write {}", tmp.display()))
        .and_then(|()| {
            fs::rename(tmp, path)
                .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))
        });
    if result.is_err() {
        let _ = fs::remove_file(tmp);
    }
    result
}
