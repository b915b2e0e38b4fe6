//! Attaching an imported watch cadence to the history: onto the session it overlaps in time,
//! or as a new session when none does. The session file is rewritten whole and atomically, so
//! a failed write leaves the earlier version as it was. A session that already had imported
//! cadence is first copied, byte for byte, into its history folder
//! (`sessions/history/<id>/`, never over an earlier copy), so a second import replaces the
//! first without losing it; the summary says what was replaced and where it is kept.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::import::{CadenceTrack, Format, samples_phrase};
use super::sessions::{read_saved_session, save_session, sessions_dir};
use crate::cadence::session::{Ending, IdSuffix, ImportedCadence, SessionRecord, session_id};

/// A watch may be started a little before or after the app; sessions this close count.
pub const MATCH_SLACK_SECS: i64 = 180;

/// Why a track could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("the file's start time {0} is out of range")]
    TrackStart(i64),
    #[error("none of its cadence falls within the session of {0}")]
    NothingDuring(jiff::Timestamp),
    #[error("could not keep the session's earlier cadence in {}: {source}", .path.display())]
    History { path: PathBuf, source: io::Error },
    /// The store's own message, which names the file.
    #[error("{0}")]
    Save(String),
}

/// The cadence a session had before an import replaced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Replaced {
    pub source: String,
    pub format: String,
    pub average_spm: f64,
    /// Where the session file as it was before is kept; `None` if it was not on disk.
    pub kept: Option<PathBuf>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct Attached {
    pub record: SessionRecord,
    /// True when the cadence went onto a session already in the history.
    pub existing: bool,
    pub saved: PathBuf,
    /// How many of the track's samples went onto the session.
    pub samples: usize,
    /// How many were left out as outside the session's time.
    pub left_out: usize,
    /// The imported cadence this one replaced, if the session had one.
    pub replaced: Option<Replaced>,
}

impl Attached {
    /// One line on what the import of `track` did, naming the session by `when`.
    pub fn summary(&self, track: &CadenceTrack, when: &str) -> String {
        let average = self.record.imported.as_ref().map_or(0.0, |i| i.average_spm);
        let units = if track.doubled {
            " (the file counts one foot; doubled to steps)"
        } else {
            ""
        };
        let whom = if self.existing {
            format!("added to the session of {when}")
        } else {
            format!("saved as a new session at {when}")
        };
        let mut line = format!(
            "{}, average {average:.1} spm{units}, {whom} ({})",
            samples_phrase(self.samples),
            self.saved.display()
        );
        if let Some(r) = &self.replaced {
            line.push_str(&format!(
                ", replacing its cadence from {} ({}, average {:.1} spm",
                r.source, r.format, r.average_spm
            ));
            match &r.kept {
                Some(kept) => line.push_str(&format!("; kept in {})", kept.display())),
                None => line.push(')'),
            }
        }
        line.push('.');
        if self.left_out > 0 {
            line.push_str(&format!(
                " {} from outside the session's time were left out.",
                samples_phrase(self.left_out)
            ));
        }
        for note in &track.notes {
            line.push(' ');
            line.push_str(note);
        }
        line
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Fit => "FIT",
        Format::Tcx => "TCX",
        Format::Gpx => "GPX",
    }
}

/// A session's start and end in Unix seconds, if its start time reads.
fn span(record: &SessionRecord) -> (i64, i64) {
    let start = record.started.as_second();
    // `as` saturates: a hostile duration of 1e300 s is merely very long, not an overflow.
    (
        start,
        start.saturating_add(record.duration_secs.ceil() as i64),
    )
}

/// The session `track` overlaps most (with `MATCH_SLACK_SECS` either side), if any.
pub fn matching_session<'a>(
    sessions: &'a [SessionRecord],
    track: &CadenceTrack,
) -> Option<&'a SessionRecord> {
    // A single sample still has a moment in time to match.
    let (t0, t1) = (track.start_unix, track.end_unix().max(track.start_unix + 1));
    sessions
        .iter()
        .filter_map(|s| {
            let (s0, s1) = span(s);
            let overlap = t1.min(s1.saturating_add(MATCH_SLACK_SECS))
                - t0.max(s0.saturating_sub(MATCH_SLACK_SECS));
            (overlap > 0).then_some((overlap, s))
        })
        .max_by_key(|(overlap, _)| *overlap)
        .map(|(_, s)| s)
}

/// Puts `track` (read from a file called `source`) onto its session among `sessions`, or into a
/// new one, and saves that session's file in `data`.
pub fn attach_track(
    data: &Path,
    sessions: &[SessionRecord],
    track: &CadenceTrack,
    source: &str,
) -> Result<Attached, AttachError> {
    let format = format_name(track.format);
    let (mut record, existing) = match matching_session(sessions, track) {
        // As saved now, not as listed: another window may have saved a review since.
        Some(s) => (
            read_saved_session(data, &s.id).unwrap_or_else(|_| s.clone()),
            true,
        ),
        None => (new_session(track, source)?, false),
    };
    let (start, _) = span(&record);
    let offset = (track.start_unix - start) as f64;
    // Onto an existing session goes only what the watch saw during it (with the slack either
    // side): a walk to the gym before the run must not pull the measured cadence down.
    let window = if existing {
        let slack = MATCH_SLACK_SECS as f64;
        -slack..=record.duration_secs.max(0.0) + slack
    } else {
        f64::NEG_INFINITY..=f64::INFINITY
    };
    let samples: Vec<(f64, f64)> = track
        .samples
        .iter()
        .map(|&(t, v)| (t + offset, v))
        .filter(|(t, _)| window.contains(t))
        .collect();
    if samples.is_empty() {
        return Err(AttachError::NothingDuring(record.started));
    }
    let replaced = match record.imported.take() {
        Some(earlier) => Some(Replaced {
            kept: keep_in_history(data, &record.id)?,
            source: earlier.source,
            format: earlier.format,
            average_spm: earlier.average_spm,
        }),
        None => None,
    };
    // The metres the watch measured over the same time as the samples kept.
    let distance_m = track.distance_m(window.start() - offset, window.end() - offset);
    record.imported = Some(ImportedCadence::new(source, format, &samples, distance_m));
    let saved = save_session(data, &record).map_err(|e| AttachError::Save(e.to_string()))?;
    Ok(Attached {
        record,
        existing,
        saved,
        samples: samples.len(),
        left_out: track.samples.len() - samples.len(),
        replaced,
    })
}

/// Copies session `id`'s file as it is on disk into `sessions/history/<id>/` under a name not
/// yet taken (as `sessions/deleted/` names its files: the file's own name, then `1-` and on
/// before it), so what an import replaces can be restored by copying it back. `None` when
/// the session has no file (nothing on disk to keep).
fn keep_in_history(data: &Path, id: &str) -> Result<Option<PathBuf>, AttachError> {
    let sessions = sessions_dir(data);
    let name = format!("{id}.ron");
    let Ok(bytes) = std::fs::read(sessions.join(&name)) else {
        return Ok(None);
    };
    let dir = sessions.join("history").join(id);
    let failed = |path: &Path, source| AttachError::History {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(|e| failed(&dir, e))?;
    for n in 0..1000 {
        let path = match n {
            0 => dir.join(&name),
            n => dir.join(format!("{n}-{name}")),
        };
        // create_new: an earlier copy is never overwritten, even by a second app at once.
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(failed(&path, e)),
        };
        let written = file.write_all(&bytes).and_then(|()| file.sync_all());
        if let Err(e) = written {
            let _ = std::fs::remove_file(&path);
            return Err(failed(&path, e));
        }
        return Ok(Some(path));
    }
    Err(failed(
        &dir,
        io::Error::other("too many earlier copies already kept"),
    ))
}

/// A session made from the watch file alone: its time, its length and the steps the cadence
/// adds up to; no target (the app did not set one).
fn new_session(track: &CadenceTrack, source: &str) -> Result<SessionRecord, AttachError> {
    let start = jiff::Timestamp::from_second(track.start_unix)
        .map_err(|_| AttachError::TrackStart(track.start_unix))?;
    let id = session_id(start, IdSuffix::Imported);
    let mut record = SessionRecord::new(&id, start, &format!("Imported: {source}"), 0.0);
    record.duration_secs = (track.end_unix() - track.start_unix) as f64;
    let steps: f64 = track
        .samples
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).min(60.0) * w[0].1 / 60.0)
        .sum();
    record.steps = steps.round() as u64;
    record.ending = Ending::Finished;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::session::Review;

    #[test]
    fn an_import_keeps_what_was_saved_after_the_list_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut record = SessionRecord::new(
            "20261120T070000Z-ab12",
            "2026-11-20T07:00:00Z".parse().unwrap(),
            "Easy",
            170.0,
        );
        record.duration_secs = 600.0;
        save_session(dir.path(), &record).unwrap();
        // The window's list holds the session as it was; another window then saves a review.
        let listed = vec![record.clone()];
        let mut reviewed = record.clone();
        reviewed.review = Some(Review {
            rpe: Some(5),
            notes: "from the other window".into(),
            ..Review::default()
        });
        save_session(dir.path(), &reviewed).unwrap();

        let track = CadenceTrack {
            format: Format::Gpx,
            start_unix: 1_795_158_000 + 30, // 2026-11-20T07:00:30Z
            samples: (0..60).map(|s| (f64::from(s) * 5.0, 172.0)).collect(),
            doubled: false,
            sport: None,
            notes: Vec::new(),
            distance: Vec::new(),
        };
        let attached = attach_track(dir.path(), &listed, &track, "watch.gpx").unwrap();
        assert!(attached.existing);
        let saved = read_saved_session(dir.path(), &record.id).unwrap();
        assert_eq!(
            saved.review, reviewed.review,
            "the other window's review is kept"
        );
        assert_eq!(saved.imported.as_ref().unwrap().average_spm, 172.0);
    }
}
