//! Why a watch file could not be imported: the reason a reader gives ([`ImportError`]), the
//! one line a runner sees, naming the file ([`WatchFileError`]), and the phrases several
//! readers share ("3,120 track points").

use std::io;
use std::path::PathBuf;

use super::sport::Sport;

/// A watch file the runner chose that was not imported: one line naming the file and why.
#[derive(Debug, thiserror::Error)]
pub enum WatchFileError {
    #[error("{} is a folder: import the FIT, TCX or GPX files in it", .path.display())]
    Folder { path: PathBuf },
    /// A ride, a swim, a paddle…: its cadence is real but does not count steps.
    #[error("{} is {}: its cadence counts {}, not steps", .path.display(), .sport.activity(), .sport.counts.what())]
    NotSteps { path: PathBuf, sport: Sport },
    #[error("{} could not be imported: {problem}", .path.display())]
    Refused { path: PathBuf, problem: ImportError },
}

impl WatchFileError {
    pub(super) fn new(path: PathBuf, problem: ImportError) -> WatchFileError {
        match problem {
            ImportError::NotSteps { sport } => WatchFileError::NotSteps { path, sport },
            problem => WatchFileError::Refused { path, problem },
        }
    }
}

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
    /// The file names its sport, and it is not one on foot.
    #[error("it is {}: its cadence counts {}, not steps", .sport.activity(), .sport.counts.what())]
    NotSteps { sport: Sport },
    /// The file names no sport, and its cadence and speed are a ride's.
    #[error(
        "it does not say its sport, and its cadence (a median of {cadence:.0} a minute at \
         {kmh:.0} km/h) is a ride's pedalling, not a run's strides; if it was a run, import it \
         with --sport running"
    )]
    LooksLikeARide { cadence: f64, kmh: f64 },
    /// Every cadence is zero: nothing was counting.
    #[error("{} (no cadence sensor was recording)", all_zero(*.samples))]
    AllZero { samples: usize },
    /// FIT times counted from power-on, with nothing in the file to place them.
    #[error(
        "its times count seconds from when the watch was switched on, and it has no \
         timestamp_correlation, local_timestamp or activity time to tell when that was"
    )]
    NoClock,
}

/// "all 600 of its cadence samples are 0".
fn all_zero(n: usize) -> String {
    if n == 1 {
        "its only cadence sample is 0".to_string()
    } else {
        format!("all {} of its cadence samples are 0", grouped(n))
    }
}

/// "1 cadence sample", "1,574 cadence samples".
pub fn samples_phrase(n: usize) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{} cadence sample{plural}", grouped(n))
}

/// 1574 as "1,574".
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 track point", "3,120 track points".
pub(super) fn track_points(n: usize) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{} track point{plural}", grouped(n))
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
