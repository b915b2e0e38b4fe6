//! Workouts in RON, written by hand or by the app.
//!
//! ```ron
//! Workout(
//!     version: 1,
//!     name: "Tempo builder",
//!     segments: [
//!         (name: "Warm-up", minutes: 5, tempo: Steady(160)),
//!         (name: "Build", minutes: 10, tempo: Ramp(from: 160, to: 170)),
//!         (name: "Hold it", seconds: 90, tempo: Steady(170), click: Off),
//!         (name: "Fade", minutes: 6, tempo: Steady(170), click: Faded(on_secs: 60, off_secs: 30)),
//!     ],
//! )
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::read_capped;
use super::error::RonError;
use crate::cadence::{Click, Segment, Tempo, Workout, WorkoutError};

/// The format version this build writes and reads.
pub const WORKOUT_VERSION: u32 = 1;
/// A workout file larger than this is not a workout.
pub const MAX_WORKOUT_FILE_BYTES: u64 = 1 << 20;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "Workout", deny_unknown_fields)]
struct WorkoutFile {
    version: u32,
    #[serde(default)]
    name: String,
    segments: Vec<SegmentFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentFile {
    #[serde(default)]
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    minutes: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seconds: Option<f64>,
    tempo: Tempo,
    #[serde(default)]
    click: Click,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkoutFileError {
    #[error("could not read workout {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("workout {path} is larger than 1 MiB; it cannot be a workout")]
    TooLarge { path: PathBuf },
    #[error("workout {path}, {error}")]
    Parse { path: PathBuf, error: RonError },
    #[error(
        "workout {path}: format version {found} is newer than this app understands ({WORKOUT_VERSION})"
    )]
    Version { path: PathBuf, found: u32 },
    #[error("workout {path}: segment {index} {problem}")]
    Segment {
        path: PathBuf,
        index: usize,
        problem: String,
    },
    #[error("workout {path}: {source}")]
    Invalid { path: PathBuf, source: WorkoutError },
}

/// Reads and checks a workout file.
pub fn load_workout(path: &Path) -> Result<Workout, WorkoutFileError> {
    let read = |source| WorkoutFileError::Read {
        path: path.to_path_buf(),
        source,
    };
    match read_capped(path, MAX_WORKOUT_FILE_BYTES).map_err(read)? {
        Some(text) => parse_workout(&text, path),
        None => Err(WorkoutFileError::TooLarge {
            path: path.to_path_buf(),
        }),
    }
}

/// Parses workout text; `path` only names the source in errors.
pub fn parse_workout(text: &str, path: &Path) -> Result<Workout, WorkoutFileError> {
    // `minutes: 5` rather than `minutes: Some(5)`: files are written by people.
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let file: WorkoutFile = options
        .from_str(text)
        .map_err(|e| WorkoutFileError::Parse {
            path: path.to_path_buf(),
            error: e.into(),
        })?;
    if file.version > WORKOUT_VERSION || file.version == 0 {
        return Err(WorkoutFileError::Version {
            path: path.to_path_buf(),
            found: file.version,
        });
    }
    let mut segments = Vec::with_capacity(file.segments.len().min(10_000));
    for (i, seg) in file.segments.into_iter().enumerate() {
        let bad = |problem: &str| WorkoutFileError::Segment {
            path: path.to_path_buf(),
            index: i + 1,
            problem: problem.to_string(),
        };
        let secs = match (seg.minutes, seg.seconds) {
            (Some(m), None) => m * 60.0,
            (None, Some(s)) => s,
            (Some(_), Some(_)) => return Err(bad("gives both minutes and seconds; give one")),
            (None, None) => return Err(bad("has no length; add minutes: or seconds:")),
        };
        if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 {
            return Err(bad("must last more than 0 seconds and at most 24 hours"));
        }
        segments.push(Segment {
            name: seg.name,
            duration_ms: (secs * 1000.0).round() as u64,
            tempo: seg.tempo,
            click: seg.click,
        });
    }
    Workout::new(&file.name, segments).map_err(|source| WorkoutFileError::Invalid {
        path: path.to_path_buf(),
        source,
    })
}

/// The RON text of a workout, in the format `parse_workout` reads.
pub fn workout_to_ron(workout: &Workout) -> String {
    let file = WorkoutFile {
        version: WORKOUT_VERSION,
        name: workout.name().to_string(),
        segments: workout
            .segments()
            .iter()
            .map(|s| SegmentFile {
                name: s.name.clone(),
                minutes: None,
                seconds: Some(s.duration_ms as f64 / 1000.0),
                tempo: s.tempo,
                click: s.click,
            })
            .collect(),
    };
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let pretty = ron::ser::PrettyConfig::default().struct_names(true);
    options
        .to_string_pretty(&file, pretty)
        .expect("workouts always serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::Spm;

    const SAMPLE: &str = r#"
Workout(
    version: 1,
    name: "Tempo builder",
    segments: [
        (name: "Warm-up", minutes: 5, tempo: Steady(160)),
        (name: "Build", minutes: 10, tempo: Ramp(from: 160, to: 170.5)),
        (name: "Hold it", seconds: 90, tempo: Steady(170), click: Off),
        (name: "Fade", minutes: 6, tempo: Steady(170), click: Faded(on_secs: 60, off_secs: 30)),
    ],
)
"#;

    #[test]
    fn parses_the_documented_example() {
        let w = parse_workout(SAMPLE, Path::new("w.ron")).unwrap();
        assert_eq!(w.name(), "Tempo builder");
        assert_eq!(w.segments().len(), 4);
        assert_eq!(w.segments()[1].duration_ms, 600_000);
        assert_eq!(
            w.segments()[1].tempo,
            Tempo::Ramp {
                from: Spm::new(160.0).unwrap(),
                to: Spm::new(170.5).unwrap()
            }
        );
        assert_eq!(w.segments()[2].click, Click::Off);
        assert_eq!(w.duration_ms(), (5 + 10 + 6) * 60_000 + 90_000);
    }

    #[test]
    fn round_trips_through_its_own_text() {
        let w = parse_workout(SAMPLE, Path::new("w.ron")).unwrap();
        let again = parse_workout(&workout_to_ron(&w), Path::new("again.ron")).unwrap();
        assert_eq!(w, again);
    }

    #[test]
    fn errors_name_the_file_line_and_problem() {
        let bad_spm = SAMPLE.replace("Steady(160)", "Steady(300)");
        let e = parse_workout(&bad_spm, Path::new("w.ron"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("workout w.ron, line 6"), "{e}");
        assert!(
            e.contains("300 spm is outside the valid range 100–240 spm"),
            "{e}"
        );

        let no_len = SAMPLE.replace("seconds: 90, ", "");
        let e = parse_workout(&no_len, Path::new("w.ron"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "workout w.ron: segment 3 has no length; add minutes: or seconds:"
        );

        let future = SAMPLE.replace("version: 1", "version: 9");
        assert!(matches!(
            parse_workout(&future, Path::new("w.ron")),
            Err(WorkoutFileError::Version { found: 9, .. })
        ));
        let typo = SAMPLE.replace("tempo: Steady(170), click: Off", "tempo: Steddy(170)");
        let e = parse_workout(&typo, Path::new("w.ron"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 8"), "{e}");
    }
}
