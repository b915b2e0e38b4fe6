//! The cadence track every reader produces, and the last step they share: scaling strides to
//! steps, dropping impossible values, sorting by time and keeping one sample per instant.

use super::{Format, ImportError, MAX_SAMPLES, MAX_SPM, track_points};

/// The cadence series read from a watch file, in steps per minute (both feet).
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceTrack {
    pub format: Format,
    /// Time of the first sample, Unix seconds (UTC). When the first sample has a fraction of a
    /// second this is rounded down, and the first offset is that fraction.
    pub start_unix: i64,
    /// (seconds after start_unix, steps per minute); sorted by time, only samples that carry a
    /// cadence; zero cadence (standing still) kept as 0.0.
    pub samples: Vec<(f64, f64)>,
    /// True when the file's numbers counted one foot (strides/min) and were doubled.
    pub doubled: bool,
}

impl CadenceTrack {
    /// The start plus the last sample's offset, rounded up to a whole second.
    pub fn end_unix(&self) -> i64 {
        let last = self.samples.last().map_or(0.0, |&(t, _)| t);
        // Offsets are finite, non-negative and at most a few centuries of seconds.
        self.start_unix.saturating_add(last.ceil() as i64)
    }

    /// The mean of the samples above zero (time spent standing still does not pull it down);
    /// `None` when there are none.
    pub fn average_spm(&self) -> Option<f64> {
        let (sum, count) = self
            .samples
            .iter()
            .filter(|&&(_, spm)| spm > 0.0)
            .fold((0.0, 0usize), |(sum, count), &(_, spm)| {
                (sum + spm, count + 1)
            });
        (count > 0).then(|| sum / count as f64)
    }
}

/// Samples as a parser finds them: (Unix nanoseconds, the file's own number), in file order.
pub(super) struct Samples {
    raw: Vec<(i128, f64)>,
}

impl Samples {
    pub(super) fn new() -> Samples {
        Samples { raw: Vec::new() }
    }

    pub(super) fn push(&mut self, unix_nanos: i128, value: f64) -> Result<(), ImportError> {
        if self.raw.len() >= MAX_SAMPLES {
            return Err(ImportError::TooManySamples);
        }
        self.raw.push((unix_nanos, value));
        Ok(())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    pub(super) fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.raw.iter().map(|&(_, v)| v)
    }

    /// Scales by `factor` (2 for strides), drops non-finite, negative and impossible values,
    /// sorts by time (stable, so of samples at the same instant the file's last one wins) and
    /// makes the times relative to the first sample's whole second.
    pub(super) fn finish(
        self,
        format: Format,
        factor: f64,
        doubled: bool,
        points: usize,
    ) -> Result<CadenceTrack, ImportError> {
        let mut raw = self.raw;
        let found = raw.len();
        raw.retain_mut(|(_, v)| {
            // `+ 0.0` turns a negative zero into zero.
            *v = *v * factor + 0.0;
            v.is_finite() && (0.0..=MAX_SPM).contains(v)
        });
        if raw.is_empty() {
            let detail = format!(
                "it has {} with cadence, but every value is impossible \
                 (over 400 steps per minute, or not a number)",
                track_points(found)
            );
            return Err(ImportError::NoCadence { points, detail });
        }
        raw.sort_by_key(|&(t, _)| t);
        const NANOS: i128 = 1_000_000_000;
        let first = raw.first().map_or(0, |&(t, _)| t);
        let start = first.div_euclid(NANOS);
        let mut samples: Vec<(f64, f64)> = Vec::with_capacity(raw.len());
        for (t, v) in raw {
            let offset = (t - start * NANOS) as f64 / 1e9;
            match samples.last_mut() {
                Some(last) if last.0 == offset => last.1 = v,
                _ => samples.push((offset, v)),
            }
        }
        Ok(CadenceTrack {
            format,
            // Times come from a u32 (FIT) or a year between -9999 and 9999 (RFC 3339).
            start_unix: i64::try_from(start).unwrap_or(0),
            samples,
            doubled,
        })
    }
}
