//! The session files: one RON file per session under `<data folder>/sessions/`, written
//! atomically, so a damaged file costs at most that session. A file that does not parse is
//! moved aside into `sessions/damaged/` (never overwritten) and reported with its line; the
//! rest load.
//!
//! Two running apps never write the same file: each session's file is named by its own id.

use std::path::{Path, PathBuf};

use super::atomic::{is_safe_stem, move_to_free_name, parse_ron, read_text, save_ron};
use super::error::StoreError;
use crate::cadence::session::{SESSION_VERSION, SessionRecord};

/// A session file larger than this is not a session.
pub const MAX_SESSION_FILE_BYTES: u64 = 1 << 20;

pub(super) fn sessions_dir(data: &Path) -> PathBuf {
    data.join("sessions")
}

/// A session file that was set aside, where it went and why.
#[derive(Debug)]
pub struct Damaged {
    pub path: PathBuf,
    pub moved_to: Option<PathBuf>,
    pub why: SetAside,
}

/// Why a session file was set aside.
#[derive(Debug)]
pub enum SetAside {
    /// It could not be read as a session.
    Unreadable(StoreError),
    /// It read well but repeats the session `id`, already read from its own file `kept_in`.
    Copy { id: String, kept_in: String },
}

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path.display();
        match &self.why {
            SetAside::Unreadable(e) => {
                write!(f, "session file {path} could not be read ({})", e.reason())?
            }
            SetAside::Copy { id, kept_in } => write!(
                f,
                "session file {path} is a copy (of the session {id} in {kept_in})"
            )?,
        }
        match &self.moved_to {
            Some(to) => write!(f, "; it was moved to {}", to.display()),
            None => write!(f, "; it was left where it is"),
        }
    }
}

/// The file of session `id`; refuses an id that could reach outside the folder.
fn session_path(data: &Path, id: &str) -> Result<PathBuf, StoreError> {
    if !is_safe_stem(id) {
        return Err(StoreError::BadId {
            what: "session",
            id: id.to_string(),
        });
    }
    Ok(sessions_dir(data).join(format!("{id}.ron")))
}

/// Writes a session's file (creating the folders), replacing the earlier version whole.
pub fn save_session(data: &Path, record: &SessionRecord) -> Result<PathBuf, StoreError> {
    let path = session_path(data, &record.id)?;
    save_ron(&path, "", record)?;
    Ok(path)
}

/// Reads the saved file of session `id` as it is on disk now (another instance or an import may
/// have changed it since it was loaded).
pub fn read_saved_session(data: &Path, id: &str) -> Result<SessionRecord, StoreError> {
    read_session(&session_path(data, id)?)
}

/// Deletes a session by moving its file into `sessions/deleted/` (never over another file), so
/// it can be restored; returns where it went.
pub fn delete_session(data: &Path, id: &str) -> Result<PathBuf, StoreError> {
    let dir = sessions_dir(data);
    let path = dir.join(format!("{id}.ron"));
    let bin = dir.join("deleted");
    std::fs::create_dir_all(&bin).map_err(|source| StoreError::CreateFolder {
        path: bin.clone(),
        source,
    })?;
    move_to_free_name(&path, &bin, |name, n| match n {
        0 => name.to_string(),
        n => format!("{n}-{name}"),
    })
    .map_err(|source| StoreError::Delete { path, source })
}

/// Undoes `delete_session`: writes the record back and removes the copy set aside at `deleted`.
pub fn restore_session(
    data: &Path,
    record: &SessionRecord,
    deleted: &Path,
) -> Result<PathBuf, StoreError> {
    let path = save_session(data, record)?;
    // The record is safe again in its own file; the set-aside copy may go.
    let _ = std::fs::remove_file(deleted);
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
    let mut read: Vec<(PathBuf, SessionRecord)> = Vec::with_capacity(paths.len());
    let mut damaged = Vec::new();
    for path in paths {
        match read_session(&path) {
            Ok(record) => read.push((path, record)),
            Err(e) => {
                let moved_to = set_aside(&dir, &path);
                damaged.push(Damaged {
                    path,
                    moved_to,
                    why: SetAside::Unreadable(e),
                });
            }
        }
    }
    // A copy of a session file (say "x (copy).ron") holds the same id: it would show the
    // session twice and be saved over by the other's edits. Of the files with one id, the one
    // named after it is the session's own and comes first; the others are set aside.
    read.sort_by_cached_key(|(path, r)| {
        let own = path.file_stem().is_some_and(|s| *s == *r.id);
        (r.id.clone(), !own, path.clone())
    });
    let mut sessions: Vec<SessionRecord> = Vec::with_capacity(read.len());
    let mut kept_in = PathBuf::new();
    for (path, record) in read {
        if sessions.last().is_some_and(|kept| kept.id == record.id) {
            let moved_to = set_aside(&dir, &path);
            damaged.push(Damaged {
                path,
                moved_to,
                why: SetAside::Copy {
                    id: record.id,
                    kept_in: kept_in
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                },
            });
        } else {
            kept_in = path;
            sessions.push(record);
        }
    }
    sessions.sort_by(|a, b| a.started.cmp(&b.started).then(a.id.cmp(&b.id)));
    (sessions, damaged)
}

fn read_session(path: &Path) -> Result<SessionRecord, StoreError> {
    let text = read_text(path, MAX_SESSION_FILE_BYTES)?;
    let record: SessionRecord = parse_ron(path, &text)?;
    if record.version > SESSION_VERSION {
        return Err(StoreError::NewerVersion {
            path: path.to_path_buf(),
            found: record.version,
            supported: SESSION_VERSION,
        });
    }
    if !is_safe_stem(&record.id) {
        return Err(StoreError::UnsafeId {
            path: path.to_path_buf(),
            id: record.id.chars().take(40).collect(),
        });
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
    #[test]
    fn a_copy_of_a_session_file_is_set_aside_and_the_session_shown_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut record = SessionRecord::new(
            "20261120T070000Z-ab12",
            "2026-11-20T07:00:00Z".parse().unwrap(),
            "Easy",
            170.0,
        );
        record.duration_secs = 600.0;
        let own = save_session(dir.path(), &record).unwrap();
        // A copy made in a file manager sorts before the original ("(" < ".") and one after.
        let sessions = dir.path().join("sessions");
        let before = sessions.join("20261120T070000Z-ab12 (copy).ron");
        let after = sessions.join("zz-backup.ron");
        std::fs::copy(&own, &before).unwrap();
        std::fs::copy(&own, &after).unwrap();
        let (loaded, set_aside) = load_sessions(dir.path());
        assert_eq!(loaded, vec![record.clone()], "shown once");
        assert_eq!(set_aside.len(), 2);
        for d in &set_aside {
            assert!(matches!(d.why, SetAside::Copy { .. }));
            assert_ne!(d.path, own, "the file named after the id stays");
            let text = d.to_string();
            assert!(
                text.contains(
                    "is a copy (of the session 20261120T070000Z-ab12 in 20261120T070000Z-ab12.ron)"
                ),
                "{text}"
            );
            let moved = d.moved_to.as_ref().expect("moved aside");
            assert_eq!(std::fs::read(moved).unwrap(), std::fs::read(&own).unwrap());
        }
        assert!(own.exists() && !before.exists() && !after.exists());
        // Read again: nothing more to set aside.
        let (again, none) = load_sessions(dir.path());
        assert_eq!(again, vec![record]);
        assert!(none.is_empty());
    }

    use super::*;
    use crate::cadence::session::Ending;

    fn record(id: &str, started: &str) -> SessionRecord {
        let mut r = SessionRecord::new(id, started.parse().unwrap(), "Steady 170 spm", 170.0);
        r.step(0.0, 0, (0, 340), "Steady", 170_000);
        r.step(60.0, 170, (0, 340), "Steady", 170_000);
        r.ending = Ending::Stopped;
        r
    }

    /// A file as this app wrote them before the start time was a `Timestamp`: it must load, and
    /// saving it again must write the same text, so older and newer versions share files.
    #[test]
    fn a_file_from_before_loads_and_saves_the_same_text() {
        const TODAY: &str = r#"SessionRecord(
    version: 2,
    id: "20261120T070000Z-ab12",
    started: "2026-11-20T07:00:00Z",
    workout: "Steady 170 spm",
    target_spm: 170.0,
    duration_secs: 60.0,
    steps: 171,
    segments: [
        PlayedSegment(
            name: "Steady 170.0 spm",
            start_secs: 0.0,
            secs: 60.0,
            start_spm: 170.0,
            end_spm: 170.0,
            first_step: 0,
            last_step: 170,
        ),
    ],
    ending: Stopped,
    review: None,
    imported: None,
    plan: None,
)
"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join("sessions")
            .join("20261120T070000Z-ab12.ron");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, TODAY).unwrap();
        let (loaded, damaged) = load_sessions(dir.path());
        assert!(damaged.is_empty(), "{damaged:?}");
        assert_eq!(
            loaded[0].started,
            jiff::Timestamp::from_second(1_795_158_000).unwrap()
        );
        save_session(dir.path(), &loaded[0]).unwrap();
        let again = std::fs::read_to_string(&path).unwrap();
        let started = |text: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with("started:"))
                .unwrap()
                .to_string()
        };
        assert_eq!(started(&again), "    started: \"2026-11-20T07:00:00Z\",");
        assert_eq!(again, TODAY, "the whole file is written as before");
    }

    #[test]
    fn a_start_time_that_is_not_a_time_is_named_and_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let sessions = dir.path().join("sessions");
        std::fs::create_dir_all(&sessions).unwrap();
        std::fs::write(
            sessions.join("x.ron"),
            "SessionRecord(version: 2, id: \"x\", started: \"yesterday\")",
        )
        .unwrap();
        let (loaded, damaged) = load_sessions(dir.path());
        assert!(loaded.is_empty());
        let text = damaged[0].to_string();
        assert!(text.contains("'yesterday' is not a time"), "{text}");
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
    fn a_deleted_session_is_set_aside_and_can_be_restored() {
        let dir = tempfile::tempdir().unwrap();
        let r = record("x", "2026-11-20T10:00:00Z");
        save_session(dir.path(), &r).unwrap();
        let aside = delete_session(dir.path(), "x").unwrap();
        assert!(aside.exists());
        assert!(load_sessions(dir.path()).0.is_empty());
        restore_session(dir.path(), &r, &aside).unwrap();
        assert!(!aside.exists());
        assert_eq!(load_sessions(dir.path()).0, [r]);
        assert!(delete_session(dir.path(), "missing").is_err());
    }

    mod round_trip {
        use super::*;
        use crate::cadence::session::{ImportedCadence, PlayedSegment, Review, Surface};
        use proptest::prelude::*;

        fn text() -> impl Strategy<Value = String> {
            // Quotes, backslashes, RON syntax, line breaks and non-ASCII, as runners type.
            proptest::string::string_regex(r#"[a-zA-Z0-9 "\\(),:\[\]{}#/\n\té°…]{0,24}"#).unwrap()
        }

        fn review() -> impl Strategy<Value = Review> {
            (
                (
                    proptest::option::of(100.0f64..240.0),
                    proptest::option::of(1u8..=10),
                    proptest::option::of(0u8..=10),
                    text(),
                    proptest::option::of(proptest::sample::select(Surface::ALL.to_vec())),
                ),
                (
                    text(),
                    proptest::option::of(0.0f64..500.0),
                    proptest::option::of(1.0f64..40.0),
                    proptest::collection::vec(text(), 0..4),
                    text(),
                ),
            )
                .prop_map(
                    |((m, rpe, d, w, surface), (shoes, dist, speed, cues, notes))| Review {
                        measured_spm: m,
                        rpe,
                        discomfort: d,
                        discomfort_where: w,
                        surface,
                        shoes,
                        distance_km: dist,
                        speed_kmh: speed,
                        cues_held: cues,
                        notes,
                    },
                )
        }

        fn record() -> impl Strategy<Value = SessionRecord> {
            (
                (
                    "[0-9A-Za-z-]{1,30}",
                    // Any time jiff can hold, to the nanosecond (a hand edit may give one).
                    (
                        jiff::Timestamp::MIN.as_second()..=jiff::Timestamp::MAX.as_second() - 1,
                        proptest::option::of(1i32..1_000_000_000),
                    ),
                    text(),
                    0.0f64..240.0,
                    0.0f64..1e6,
                    0u64..u64::MAX / 2,
                ),
                proptest::collection::vec(
                    (
                        text(),
                        0.0f64..1e5,
                        0.0f64..1e4,
                        100.0f64..240.0,
                        0u64..1_000_000,
                    ),
                    0..6,
                ),
                proptest::sample::select(vec![
                    Ending::InProgress,
                    Ending::Finished,
                    Ending::Stopped,
                ]),
                proptest::option::of(review()),
                proptest::option::of((
                    text(),
                    proptest::collection::vec((0.0f32..1e5, 0.0f32..400.0), 0..50),
                    proptest::option::of(0.0f64..1e6),
                    proptest::option::of(0.0f64..1e6),
                )),
            )
                .prop_map(
                    |(
                        (id, started, workout, target, secs, steps),
                        segs,
                        ending,
                        review,
                        imported,
                    )| {
                        let (secs_since_epoch, nanos) = started;
                        let started =
                            jiff::Timestamp::new(secs_since_epoch, nanos.unwrap_or(0)).unwrap();
                        let mut r = SessionRecord::new(&id, started, &workout, target);
                        r.duration_secs = secs;
                        r.steps = steps;
                        r.segments = segs
                            .into_iter()
                            .map(|(name, start, len, spm, first)| PlayedSegment {
                                name,
                                start_secs: start,
                                secs: len,
                                start_spm: spm,
                                end_spm: spm,
                                first_step: first,
                                last_step: first + 10,
                            })
                            .collect();
                        r.ending = ending;
                        r.review = review;
                        r.imported = imported.map(|(source, samples, distance_m, moving_secs)| {
                            ImportedCadence {
                                source,
                                format: "FIT".into(),
                                average_spm: 171.25,
                                samples,
                                distance_m,
                                moving_secs,
                            }
                        });
                        r
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            #[test]
            fn any_record_survives_a_save_and_a_load(r in record()) {
                let dir = tempfile::tempdir().unwrap();
                save_session(dir.path(), &r).unwrap();
                let (loaded, damaged) = load_sessions(dir.path());
                prop_assert!(damaged.is_empty(), "{:?}", damaged);
                prop_assert_eq!(loaded.len(), 1);
                prop_assert_eq!(&loaded[0], &r);
            }
        }
    }
}
