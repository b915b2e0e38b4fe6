//! The session files: one RON file per session under `<data folder>/sessions/`, written
//! atomically, so a damaged file costs at most that session. A file that does not parse is
//! moved aside into `sessions/damaged/` (never overwritten) and reported with its line; the
//! rest load.
//!
//! Two running apps never write the same file: each session's file is named by its own id.

use std::path::{Path, PathBuf};

use super::atomic::{move_to_free_name, read_capped, write_atomic};
use crate::cadence::session::{SESSION_VERSION, SessionRecord};

/// A session file larger than this is not a session.
pub const MAX_SESSION_FILE_BYTES: u64 = 1 << 20;

/// The environment variable that names the data folder.
pub const DATA_DIR_ENV: &str = "CADENCE_COACH_DATA_DIR";

/// The data folder: the command line's `--data-dir`, else `CADENCE_COACH_DATA_DIR`, else the
/// folder chosen in Settings, else the platform's data folder.
pub fn resolve_data_dir(flag: Option<&Path>, chosen: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    chosen
        .map(Path::to_path_buf)
        .unwrap_or_else(super::settings::default_data_dir)
}

fn sessions_dir(data: &Path) -> PathBuf {
    data.join("sessions")
}

/// A session file that could not be read, and where it went.
#[derive(Debug, Clone, PartialEq)]
pub struct Damaged {
    pub path: PathBuf,
    pub moved_to: Option<PathBuf>,
    pub problem: String,
}

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "session file {} could not be read ({})",
            self.path.display(),
            self.problem
        )?;
        match &self.moved_to {
            Some(to) => write!(f, "; it was moved to {}", to.display()),
            None => write!(f, "; it was left where it is"),
        }
    }
}

/// Writes a session's file (creating the folders), replacing the earlier version whole.
pub fn save_session(data: &Path, record: &SessionRecord) -> Result<PathBuf, String> {
    let dir = sessions_dir(data);
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.ron", record.id));
    let pretty = ron::ser::PrettyConfig::default().struct_names(true);
    let text = ron::ser::to_string_pretty(record, pretty).map_err(|e| e.to_string())?;
    write_atomic(&path, text.as_bytes())
        .map_err(|e| format!("could not save {}: {e}", path.display()))?;
    Ok(path)
}

/// Loads every session, oldest first, and the files that could not be read (moved aside).
pub fn load_sessions(data: &Path) -> (Vec<SessionRecord>, Vec<Damaged>) {
    let dir = sessions_dir(data);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && p.is_file())
        .collect();
    paths.sort();
    let mut sessions = Vec::with_capacity(paths.len());
    let mut damaged = Vec::new();
    for path in paths {
        match read_session(&path) {
            Ok(record) => sessions.push(record),
            Err(problem) => {
                let moved_to = set_aside(&dir, &path);
                damaged.push(Damaged {
                    path,
                    moved_to,
                    problem,
                });
            }
        }
    }
    sessions.sort_by(|a, b| a.started.cmp(&b.started).then(a.id.cmp(&b.id)));
    (sessions, damaged)
}

fn read_session(path: &Path) -> Result<SessionRecord, String> {
    let text = read_capped(path, MAX_SESSION_FILE_BYTES)
        .map_err(|e| e.to_string())?
        .ok_or("larger than 1 MiB")?;
    let record: SessionRecord = ron::from_str(&text).map_err(|e| {
        format!(
            "line {}, column {}: {}",
            e.span.start.line, e.span.start.col, e.code
        )
    })?;
    if record.version > SESSION_VERSION {
        return Err(format!(
            "format version {} is newer than this app's {SESSION_VERSION}",
            record.version
        ));
    }
    if record.id.is_empty() {
        return Err("it has no id".into());
    }
    Ok(record)
}

/// Moves a damaged file into `damaged/` beside it, under a name not yet taken.
fn set_aside(dir: &Path, path: &Path) -> Option<PathBuf> {
    let aside = dir.join("damaged");
    std::fs::create_dir_all(&aside).ok()?;
    move_to_free_name(path, &aside, |name, n| match n {
        0 => name.to_string(),
        n => format!("{n}-{name}"),
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::session::Ending;

    fn record(id: &str, started: &str) -> SessionRecord {
        let mut r = SessionRecord::new(id, started, "Steady 170 spm", 170.0);
        r.step(0.0, 0, (0, 340), "Steady", 170_000);
        r.step(60.0, 170, (0, 340), "Steady", 170_000);
        r.ending = Ending::Stopped;
        r
    }

    #[test]
    fn sessions_round_trip_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let b = record("b", "2026-11-21T10:00:00Z");
        let a = record("a", "2026-11-20T10:00:00Z");
        save_session(dir.path(), &b).unwrap();
        save_session(dir.path(), &a).unwrap();
        let (loaded, damaged) = load_sessions(dir.path());
        assert!(damaged.is_empty());
        assert_eq!(
            loaded.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(loaded[0].segments, a.segments);
    }

    #[test]
    fn a_damaged_file_is_moved_aside_and_the_rest_load() {
        let dir = tempfile::tempdir().unwrap();
        save_session(dir.path(), &record("good", "2026-11-20T10:00:00Z")).unwrap();
        let bad = dir.path().join("sessions").join("bad.ron");
        std::fs::write(&bad, "SessionRecord(\n  version: 1,\n  steps: \"many\",\n)").unwrap();
        let (loaded, damaged) = load_sessions(dir.path());
        assert_eq!(loaded.len(), 1);
        assert_eq!(damaged.len(), 1);
        let text = damaged[0].to_string();
        assert!(
            text.contains("bad.ron") && text.contains("line 3"),
            "{text}"
        );
        assert!(!bad.exists());
        assert!(damaged[0].moved_to.as_ref().unwrap().exists());
        // The same name damaged again does not overwrite the first copy.
        std::fs::write(&bad, "nonsense").unwrap();
        let (_, again) = load_sessions(dir.path());
        assert_ne!(again[0].moved_to, damaged[0].moved_to);
    }

    #[test]
    fn the_flag_beats_the_environment_which_beats_the_setting() {
        let flag = Path::new("/from/flag");
        assert_eq!(
            resolve_data_dir(Some(flag), Some(Path::new("/chosen"))),
            flag
        );
    }
}
