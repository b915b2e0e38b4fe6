//! Workouts: named segments of steady or ramping tempo, each with the click on, off, or faded.
//!
//! A `Workout` is validated when it is built, so the beat timeline (`beats.rs`) and the click
//! track can trust it: at least one segment, every duration positive, the whole at most a day.

use serde::{Deserialize, Serialize};

use super::Spm;

/// The longest workout the app accepts: one day. Longer is a mistake in a file, not a run.
pub const MAX_WORKOUT_MS: u64 = 24 * 60 * 60 * 1000;
/// More segments than this is a hostile or broken file.
pub const MAX_SEGMENTS: usize = 10_000;
/// Longest segment or workout name kept.
pub const MAX_NAME_CHARS: usize = 200;

/// How the tempo moves during a segment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Tempo {
    /// One tempo for the whole segment.
    Steady(Spm),
    /// Tempo changes linearly in time from `from` at the start to `to` at the end.
    Ramp { from: Spm, to: Spm },
}

impl Tempo {
    /// The tempo at the start of the segment.
    pub fn start(self) -> Spm {
        match self {
            Tempo::Steady(spm) => spm,
            Tempo::Ramp { from, .. } => from,
        }
    }

    /// The tempo at the end of the segment.
    pub fn end(self) -> Spm {
        match self {
            Tempo::Steady(spm) => spm,
            Tempo::Ramp { to, .. } => to,
        }
    }
}

/// Whether the runner hears the click during a segment. Beats go on either way, so the click
/// comes back exactly on the grid after a silent block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Click {
    #[default]
    On,
    Off,
    /// Faded feedback: the click sounds for `on_secs`, then is silent for `off_secs`, repeating
    /// from the start of the segment.
    Faded {
        on_secs: u32,
        off_secs: u32,
    },
}

/// One part of a workout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub name: String,
    /// Length in milliseconds; whole milliseconds keep segment boundaries exact at any rate.
    pub duration_ms: u64,
    pub tempo: Tempo,
    pub click: Click,
}

impl Segment {
    /// A steady segment with the click on.
    pub fn steady(name: &str, secs: f64, spm: Spm) -> Segment {
        Segment {
            name: name.to_string(),
            duration_ms: secs_to_ms(secs),
            tempo: Tempo::Steady(spm),
            click: Click::On,
        }
    }

    /// A ramp with the click on.
    pub fn ramp(name: &str, secs: f64, from: Spm, to: Spm) -> Segment {
        Segment {
            name: name.to_string(),
            duration_ms: secs_to_ms(secs),
            tempo: Tempo::Ramp { from, to },
            click: Click::On,
        }
    }

    /// The same segment with another click setting.
    pub fn with_click(mut self, click: Click) -> Segment {
        self.click = click;
        self
    }

    /// The number of steps the tempo integral gives for this segment.
    pub fn expected_steps(&self) -> f64 {
        let minutes = self.duration_ms as f64 / 60_000.0;
        (self.tempo.start().get() + self.tempo.end().get()) / 2.0 * minutes
    }
}

fn secs_to_ms(secs: f64) -> u64 {
    if secs.is_finite() && secs > 0.0 {
        (secs * 1000.0).round().min(u64::MAX as f64 / 2.0) as u64
    } else {
        0
    }
}

/// A validated list of segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workout {
    name: String,
    segments: Vec<Segment>,
}

/// What is wrong with a workout; each message names the segment at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkoutError {
    #[error("the workout has no segments")]
    Empty,
    #[error("the workout has {0} segments; at most {MAX_SEGMENTS} are allowed")]
    TooManySegments(usize),
    #[error("segment {index} ('{name}') has no duration; give it a positive length")]
    ZeroDuration { index: usize, name: String },
    #[error("the workout lasts more than 24 hours")]
    TooLong,
    #[error(
        "segment {index} ('{name}') fades the click with an empty block; on and off must each be at least 1 second"
    )]
    EmptyFadeBlock { index: usize, name: String },
    #[error("segment {index} has a name longer than {MAX_NAME_CHARS} characters")]
    NameTooLong { index: usize },
}

impl Workout {
    /// Checks and builds a workout. Segment numbers in errors count from 1, as a person would.
    pub fn new(name: &str, segments: Vec<Segment>) -> Result<Workout, WorkoutError> {
        if segments.is_empty() {
            return Err(WorkoutError::Empty);
        }
        if segments.len() > MAX_SEGMENTS {
            return Err(WorkoutError::TooManySegments(segments.len()));
        }
        let mut total: u64 = 0;
        for (i, seg) in segments.iter().enumerate() {
            let index = i + 1;
            if seg.name.chars().count() > MAX_NAME_CHARS {
                return Err(WorkoutError::NameTooLong { index });
            }
            if seg.duration_ms == 0 {
                return Err(WorkoutError::ZeroDuration {
                    index,
                    name: seg.name.clone(),
                });
            }
            if let Click::Faded { on_secs, off_secs } = seg.click
                && (on_secs == 0 || off_secs == 0)
            {
                return Err(WorkoutError::EmptyFadeBlock {
                    index,
                    name: seg.name.clone(),
                });
            }
            total = total.saturating_add(seg.duration_ms);
            if total > MAX_WORKOUT_MS {
                return Err(WorkoutError::TooLong);
            }
        }
        let name: String = name.chars().take(MAX_NAME_CHARS).collect();
        Ok(Workout { name, segments })
    }

    /// One steady segment: what `--spm 180 --minutes 20` plays.
    pub fn steady(spm: Spm, secs: f64) -> Result<Workout, WorkoutError> {
        Workout::new(
            &format!("Steady {spm} spm"),
            vec![Segment::steady("Steady", secs, spm)],
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The tempo the workout is about: the one it spends the most time at (a ramp counts at
    /// its end tempo), the first reached of equals. A session's target.
    pub fn main_spm(&self) -> Option<Spm> {
        let mut time_at: Vec<(Spm, u64)> = Vec::new();
        for seg in &self.segments {
            let spm = seg.tempo.end();
            match time_at.iter_mut().find(|(s, _)| *s == spm) {
                Some((_, ms)) => *ms += seg.duration_ms,
                None => time_at.push((spm, seg.duration_ms)),
            }
        }
        let mut best: Option<(Spm, u64)> = None;
        for (spm, ms) in time_at {
            if best.is_none_or(|(_, b)| ms > b) {
                best = Some((spm, ms));
            }
        }
        best.map(|(spm, _)| spm)
    }

    /// The whole length in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.segments.iter().map(|s| s.duration_ms).sum()
    }

    /// Start of each segment in milliseconds from the start of the workout.
    pub fn segment_starts_ms(&self) -> impl Iterator<Item = u64> + '_ {
        self.segments.iter().scan(0u64, |start, seg| {
            let this = *start;
            *start += seg.duration_ms;
            Some(this)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spm(v: f64) -> Spm {
        Spm::new(v).unwrap()
    }

    #[test]
    fn refuses_empty_zero_length_and_overlong_workouts() {
        assert_eq!(Workout::new("x", vec![]), Err(WorkoutError::Empty));
        let zero = Segment::steady("Main", 0.0, spm(170.0));
        assert_eq!(
            Workout::new("x", vec![zero]).unwrap_err().to_string(),
            "segment 1 ('Main') has no duration; give it a positive length"
        );
        let day = Segment::steady("Long", 86_400.0, spm(170.0));
        assert_eq!(
            Workout::new("x", vec![day.clone(), day]),
            Err(WorkoutError::TooLong)
        );
        let faded = Segment::steady("F", 60.0, spm(170.0)).with_click(Click::Faded {
            on_secs: 0,
            off_secs: 5,
        });
        assert!(matches!(
            Workout::new("x", vec![faded]),
            Err(WorkoutError::EmptyFadeBlock { index: 1, .. })
        ));
    }

    #[test]
    fn segment_starts_and_expected_steps() {
        let w = Workout::new(
            "w",
            vec![
                Segment::steady("a", 60.0, spm(160.0)),
                Segment::ramp("b", 600.0, spm(160.0), spm(180.0)),
            ],
        )
        .unwrap();
        assert_eq!(w.segment_starts_ms().collect::<Vec<_>>(), vec![0, 60_000]);
        assert_eq!(w.duration_ms(), 660_000);
        assert_eq!(w.segments()[1].expected_steps(), 1700.0);
    }

    #[test]
    fn the_main_tempo_is_the_longest_parts() {
        let spm = |v| Spm::new(v).unwrap();
        let w = Workout::new(
            "w",
            vec![
                Segment::steady("Warm-up", 300.0, spm(160.0)),
                Segment::ramp("Build", 900.0, spm(165.0), spm(175.0)),
                Segment::steady("Cool-down", 300.0, spm(160.0)),
            ],
        )
        .unwrap();
        assert_eq!(w.main_spm(), Some(spm(175.0)));
        // Warm-up and cool-down are each the longest part, but the workout is about the tempo
        // of its 2-minute blocks: 4 × 2 min at 170 beats 2 × 3 min at 160.
        let blocks = Workout::new(
            "blocks",
            vec![
                Segment::steady("Warm-up", 180.0, spm(160.0)),
                Segment::steady("Easy", 120.0, spm(170.0)),
                Segment::steady("Quick", 60.0, spm(178.0)),
                Segment::steady("Easy", 120.0, spm(170.0)),
                Segment::steady("Quick", 60.0, spm(178.0)),
                Segment::steady("Easy", 120.0, spm(170.0)),
                Segment::steady("Easy", 120.0, spm(170.0)),
                Segment::steady("Cool-down", 180.0, spm(160.0)),
            ],
        )
        .unwrap();
        assert_eq!(blocks.main_spm(), Some(spm(170.0)));
    }
}
