//! Files on disk: whole-file atomic writes (see `crate::atomic_file`), bounded reads, and
//! moving a damaged file aside.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::error::StoreError;
pub use crate::atomic_file::write_atomic;

/// Whether `id` can name a file without reaching outside its folder: letters, digits, '-' and
/// '_' only, at most 100 of them.
pub fn is_safe_stem(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Replaces `path` with `bytes` atomically, creating its folder first; the error names the file
/// or the folder.
pub fn save_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|source| StoreError::CreateFolder {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    write_atomic(path, bytes).map_err(|source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Saves `value` as pretty RON (struct names shown, for people editing by hand) after `header`.
pub fn save_ron<T: serde::Serialize>(
    path: &Path,
    header: &str,
    value: &T,
) -> Result<(), StoreError> {
    let pretty = ron::ser::PrettyConfig::default().struct_names(true);
    let text = ron::ser::to_string_pretty(value, pretty).map_err(|e| StoreError::Serialize {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    save_file(path, format!("{header}{text}\n").as_bytes())
}

/// Reads a text file of at most `max` bytes (see `read_capped`), with errors that name it.
pub fn read_text(path: &Path, max: u64) -> Result<String, StoreError> {
    match read_capped(path, max) {
        Ok(Some(text)) => Ok(text),
        Ok(None) => Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            limit: max,
        }),
        Err(e) if e.kind() == io::ErrorKind::InvalidData => Err(StoreError::NotText {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(StoreError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Parses RON text read from `path`; the error gives the file, line and column.
pub fn parse_ron<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, StoreError> {
    ron::from_str(text).map_err(|e| StoreError::Parse {
        path: path.to_path_buf(),
        error: e.into(),
    })
}

/// Reads a text file of at most `max` bytes without ever holding more than `max + 1` of it;
/// `Ok(None)` means it is larger (a hostile or mistaken file).
pub fn read_capped(path: &Path, max: u64) -> io::Result<Option<String>> {
    use std::io::Read;
    let mut text = String::new();
    File::open(path)?.take(max + 1).read_to_string(&mut text)?;
    Ok((text.len() as u64 <= max).then_some(text))
}

/// Moves a damaged file aside (never over another file) and returns where it went.
pub fn move_aside(path: &Path) -> io::Result<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    move_to_free_name(path, dir, |name, n| match n {
        0 => format!("{name}.damaged-{stamp}"),
        n => format!("{name}.damaged-{stamp}-{n}"),
    })
}

/// Renames `path` into `dir` under the first name `name_for(file name, attempt)` that is not
/// taken, so an earlier copy is never overwritten.
pub fn move_to_free_name(
    path: &Path,
    dir: &Path,
    name_for: impl Fn(&str, usize) -> String,
) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 0..1000 {
        let target = dir.join(name_for(&name, n));
        if !target.exists() {
            fs::rename(path, &target)?;
            return Ok(target);
        }
    }
    Err(io::Error::other(
        "too many damaged copies already set aside",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ron");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        let missing = dir.path().join("nope").join("a.ron");
        assert!(write_atomic(&missing, b"x").is_err());
    }

    #[test]
    fn damaged_files_are_moved_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.ron");
        fs::write(&path, "broken 1").unwrap();
        let first = move_aside(&path).unwrap();
        fs::write(&path, "broken 2").unwrap();
        let second = move_aside(&path).unwrap();
        assert_ne!(first, second);
        assert_eq!(fs::read_to_string(first).unwrap(), "broken 1");
        assert_eq!(fs::read_to_string(second).unwrap(), "broken 2");
    }
}
