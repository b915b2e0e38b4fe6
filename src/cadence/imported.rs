//! A watch's record of a session, as it is kept with the session: the file it came from, the
//! cadence series (averaged into bins when long) and its mean.

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
}

/// Imported series longer than this are averaged into this many bins, so a session file stays
/// small (a 4-hour run at one sample a second is 14,400 samples).
pub const MAX_IMPORTED_SAMPLES: usize = 3_600;

impl ImportedCadence {
    /// Builds the attachment from samples (seconds after the session start, spm), averaging
    /// neighbours when there are more than `MAX_IMPORTED_SAMPLES`.
    pub fn new(source: &str, format: &str, samples: &[(f64, f64)]) -> ImportedCadence {
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
        }
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
        let imported = ImportedCadence::new("long.fit", "FIT", &samples);
        assert_eq!(imported.samples.len(), 3_334);
        assert!(imported.samples.len() <= MAX_IMPORTED_SAMPLES);
        assert_eq!(imported.average_spm, 170.0);
        assert_eq!(imported.samples[0], (1.0, 0.0));
    }
}
