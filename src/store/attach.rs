//! Attaching an imported watch cadence to the history: onto the session it overlaps in time,
//! or as a new session when none does. The session file is rewritten whole and atomically, so
//! a failed write leaves the earlier version as it was.

use std::path::{Path, PathBuf};

use super::import::{CadenceTrack, Format};
use super::sessions::{read_saved_session, save_session};
use crate::cadence::session::{Ending, IdSuffix, ImportedCadence, SessionRecord, session_id};

/// A watch may be started a little before or after the app; sessions this close count.
pub const MATCH_SLACK_SECS: i64 = 180;

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct Attached {
    pub record: SessionRecord,
    /// True when the cadence went onto a session already in the history.
    pub existing: bool,
    pub saved: PathBuf,
}

impl Attached {
    /// One sentence on what the import of `track` did, naming the session by `when`.
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
        format!(
            "{} cadence samples, average {average:.1} spm{units}, {whom} ({}).",
            track.samples.len(),
            self.saved.display()
        )
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
fn span(record: &SessionRecord) -> Option<(i64, i64)> {
    let start = record.started.as_second();
    // `as` saturates: a hostile duration of 1e300 s is merely very long, not an overflow.
    Some((
        start,
        start.saturating_add(record.duration_secs.ceil() as i64),
    ))
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
            let (s0, s1) = span(s)?;
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
) -> Result<Attached, String> {
    let format = format_name(track.format);
    let (mut record, existing) = match matching_session(sessions, track) {
        // As saved now, not as listed: another window may have saved a review since.
        Some(s) => (
            read_saved_session(data, &s.id).unwrap_or_else(|_| s.clone()),
            true,
        ),
        None => (new_session(track, source)?, false),
    };
    let (start, _) = span(&record).ok_or("the session's start time does not read")?;
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
    record.imported = Some(ImportedCadence::new(source, format, &samples));
    let saved = save_session(data, &record).map_err(|e| e.to_string())?;
    Ok(Attached {
        record,
        existing,
        saved,
    })
}

/// A session made from the watch file alone: its time, its length and the steps the cadence
/// adds up to; no target (the app did not set one).
fn new_session(track: &CadenceTrack, source: &str) -> Result<SessionRecord, String> {
    let start = jiff::Timestamp::from_second(track.start_unix)
        .map_err(|_| format!("the file's start time {} is out of range", track.start_unix))?;
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
