//! Why a watch file could not be imported: one enum of reasons, each worded so a runner can
//! act on it, and the phrases several readers share ("3,120 track points").

use std::io;
use std::path::PathBuf;

/// Why a watch file could not be imported, in words a runner can act on.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("the file is larger than 64 MiB")]
    TooLarge,
    #[error("the file is empty")]
    Empty,
    #[error(
        "not a file this app can read: choose a FIT, TCX or GPX file from your watch \
         (this one has no .FIT signature and no TrainingCenterDatabase or gpx root element)"
    )]
    UnknownFormat,
    #[error("not a FIT file (no .FIT signature)")]
    NotFit,
    /// A damaged FIT file; `offset` is the byte where the problem starts.
    #[error("FIT byte {offset}: {problem}")]
    Fit { offset: usize, problem: String },
    #[error("TCX line {line}: {problem}")]
    Tcx { line: usize, problem: String },
    #[error("GPX line {line}: {problem}")]
    Gpx { line: usize, problem: String },
    /// The file was read but gave no usable cadence; `points` is how many track points it has.
    #[error("no cadence in this file ({detail})")]
    NoCadence { points: usize, detail: String },
    #[error("the file has more than 500,000 cadence samples; it cannot be one run")]
    TooManySamples,
}

/// "1 track point", "3,120 track points".
pub(super) fn track_points(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let plural = if n == 1 { "" } else { "s" };
    format!("{grouped} track point{plural}")
}

/// The usual "no cadence" error: no points at all, points without any cadence, or cadence only
/// on points that have no time (which cannot be placed on the run).
pub(super) fn no_cadence(points: usize, cadence_without_time: bool) -> ImportError {
    let detail = if points == 0 {
        "it has no track points".to_string()
    } else if cadence_without_time {
        format!(
            "it has {} but none with both a time and a cadence",
            track_points(points)
        )
    } else {
        format!("it has {} but none with a cadence", track_points(points))
    };
    ImportError::NoCadence { points, detail }
}
