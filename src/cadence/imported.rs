//! A watch's record of a session, as it is kept with the session: the file it came from, the
//! cadence series (averaged into bins when long) and its mean, the time spent moving and the
//! distance the watch measured, which together give the step length where no treadmill speed
//! was reviewed.

use serde::{Deserialize, Serialize};

/// A cadence series read from a watch file and attached to the session.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportedCadence {
    /// The file's name (not its folder).
    pub source: String,
    /// "FIT", "TCX" or "GPX".
    pub format: String,
    /// Mean of the samples with a cadence above zero, steps per minute.
    pub average_spm: f64,
    /// (seconds after the session's start, steps per minute), at most `MAX_IMPORTED_SAMPLES`.
    pub samples: Vec<(f32, f32)>,
    /// Metres the watch measured on foot during the session, if its file gave a distance.
    /// Files written before distances were kept have none, and none is written when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// Seconds spent moving: from each sample with a cadence above zero to the next, a gap of
    /// more than [`MAX_SAMPLE_GAP_SECS`] (a paused watch) counted as that long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moving_secs: Option<f64>,
}

/// The `source` of a series heard on the microphone while the session played.
pub const MICROPHONE: &str = "microphone";

/// The longest time between two samples that counts as moving in full.
pub const MAX_SAMPLE_GAP_SECS: f64 = 60.0;

/// Steps shorter or longer than this (metres) are not a runner's or a walker's: a watch's GPS
/// drifting on a treadmill, or a distance recorded in a car.
const STEP_LENGTH_M: std::ops::RangeInclusive<f64> = 0.2..=3.0;

/// Imported series longer than this are averaged into this many bins, so a session file stays
/// small (a 4-hour run at one sample a second is 14,400 samples).
pub const MAX_IMPORTED_SAMPLES: usize = 3_600;

impl ImportedCadence {
    /// Builds the attachment from samples (seconds after the session start, spm, in time
    /// order) and the metres covered over them, if known, averaging neighbours when there are
    /// more than `MAX_IMPORTED_SAMPLES`.
    pub fn new(
        source: &str,
        format: &str,
        samples: &[(f64, f64)],
        distance_m: Option<f64>,
    ) -> ImportedCadence {
        let moving_secs = samples
            .windows(2)
            .filter(|w| w[0].1 > 0.0)
            .map(|w| (w[1].0 - w[0].0).clamp(0.0, MAX_SAMPLE_GAP_SECS))
            .sum();
        let moving: Vec<f64> = samples.iter().map(|s| s.1).filter(|&v| v > 0.0).collect();
        let average_spm = if moving.is_empty() {
            0.0
        } else {
            moving.iter().sum::<f64>() / moving.len() as f64
        };
        let per_bin = samples.len().div_ceil(MAX_IMPORTED_SAMPLES).max(1);
        let samples = samples
            .chunks(per_bin)
            .map(|bin| {
                let n = bin.len() as f64;
                let t = bin.iter().map(|s| s.0).sum::<f64>() / n;
                let v = bin.iter().map(|s| s.1).sum::<f64>() / n;
                (t as f32, v as f32)
            })
            .collect();
        ImportedCadence {
            source: source.to_string(),
            format: format.to_string(),
            average_spm,
            samples,
            distance_m,
            moving_secs: Some(moving_secs),
        }
    }

    /// A series heard on the microphone: (seconds into the session, spm), in time order.
    pub fn heard(samples: &[(f64, f64)]) -> ImportedCadence {
        ImportedCadence::new(MICROPHONE, MICROPHONE, samples, None)
    }

    /// The median cadence of the samples above zero from `from_s` to `to_s` (seconds after the
    /// session's start), if any fall there.
    pub fn median_spm(&self, from_s: f64, to_s: f64) -> Option<f64> {
        let mut values: Vec<f64> = self
            .samples
            .iter()
            .filter(|s| s.1 > 0.0 && (from_s..=to_s).contains(&f64::from(s.0)))
            .map(|s| f64::from(s.1))
            .collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        Some(if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        })
    }

    /// Step length in metres: the distance over the steps taken, which are the average
    /// cadence times the minutes moving. `None` without a distance or time moving, or when the
    /// result is no runner's step.
    pub fn step_length_m(&self) -> Option<f64> {
        let steps = self.average_spm * self.moving_secs? / 60.0;
        let length = self.distance_m? / steps;
        (steps > 0.0 && STEP_LENGTH_M.contains(&length)).then_some(length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_imports_are_averaged_into_bins_and_the_mean_skips_standing_still() {
        let samples: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (f64::from(i), if i < 100 { 0.0 } else { 170.0 }))
            .collect();
        let imported = ImportedCadence::new("long.fit", "FIT", &samples, None);
        assert_eq!(imported.samples.len(), 3_334);
        assert!(imported.samples.len() <= MAX_IMPORTED_SAMPLES);
        assert_eq!(imported.average_spm, 170.0);
        assert_eq!(imported.samples[0], (1.0, 0.0));
        // Moving from the 100th second (the first step) to the last sample.
        assert_eq!(imported.moving_secs, Some(9_899.0));
    }

    #[test]
    fn step_length_is_the_distance_over_average_cadence_times_minutes_moving() {
        // Samples every 2 s at 180 spm: 10 minutes, a 2-minute stop at a crossing (cadence
        // 0), 6 minutes, the watch paused for 5 minutes, 2 minutes.
        let run =
            |from: u32, to: u32, spm: f64| (from..=to).map(move |t| (f64::from(t) * 2.0, spm));
        let samples: Vec<(f64, f64)> = run(0, 300, 180.0)
            .chain(run(301, 360, 0.0))
            .chain(run(510, 690, 180.0))
            .chain(run(840, 900, 180.0))
            .collect();
        let imported = ImportedCadence::new("run.tcx", "TCX", &samples, Some(2_000.0));
        // 600 s, 2 s into the stop, 360 s, the pause as a minute, 120 s.
        let moving = 600.0 + 2.0 + 360.0 + MAX_SAMPLE_GAP_SECS + 120.0;
        assert_eq!(imported.moving_secs, Some(moving));
        assert_eq!(imported.average_spm, 180.0);
        let steps = 180.0 * moving / 60.0;
        assert!((imported.step_length_m().unwrap() - 2_000.0 / steps).abs() < 1e-12);

        let no_distance = ImportedCadence::new("run.gpx", "GPX", &samples, None);
        assert_eq!(no_distance.step_length_m(), None);
        // GPS drift on a treadmill: 40 m over 3,000 steps is no step.
        let drift = ImportedCadence::new("run.gpx", "GPX", &samples, Some(40.0));
        assert_eq!(drift.step_length_m(), None);
    }

    #[test]
    fn files_without_distance_load_and_unknown_values_are_not_written() {
        let old =
            r#"(source: "run.fit", format: "FIT", average_spm: 171.0, samples: [(0.0, 171.0)])"#;
        let read: ImportedCadence = ron::from_str(old).unwrap();
        assert_eq!((read.distance_m, read.moving_secs), (None, None));
        assert_eq!(read.step_length_m(), None);
        let text = ron::to_string(&read).unwrap();
        assert!(
            !text.contains("distance_m") && !text.contains("moving_secs"),
            "{text}"
        );

        let new =
            ImportedCadence::new("run.tcx", "TCX", &[(0.0, 170.0), (60.0, 170.0)], Some(85.0));
        let text = ron::to_string(&new).unwrap();
        assert!(text.contains("distance_m:Some(85.0)"), "{text}");
        assert_eq!(ron::from_str::<ImportedCadence>(&text).unwrap(), new);
    }
}
