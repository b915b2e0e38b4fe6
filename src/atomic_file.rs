//! Writing a file so that it is either the old version or the new one, never half of each:
//! write a temporary file beside it, sync it, rename it over the old one, sync the folder.
//!
//! Below every other module: the store's records and settings and the audio layer's WAV
//! renders all go through it.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Replaces `path` with what `write` puts into the (buffered) temporary file. On failure the
/// old file is untouched and no temporary file is left behind.
pub fn write_with<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<T>,
) -> io::Result<T> {
    let temp = temp_path(path);
    let result = (|| {
        let mut file = BufWriter::with_capacity(1 << 20, File::create(&temp)?);
        let value = write(&mut file)?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&temp, path)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
        return result;
    }
    // Makes the rename itself durable; not every platform can open a directory, so best effort.
    if let Some(parent) = path.parent()
        && let Ok(dir) = File::open(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        })
    {
        let _ = dir.sync_all();
    }
    result
}

/// Replaces `path` with `bytes` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |file| file.write_all(bytes))
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}
