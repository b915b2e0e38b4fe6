//! Tap to measure: the runner taps a key on each footfall and gets their cadence.
//!
//! People miss a tap or hit the key twice. The estimate survives both: each tap is given a step
//! number from the typical interval (a gap of two intervals is two steps, a tap far closer than
//! one interval to the last is dropped as a double), and the interval is the Theil–Sen slope of
//! time against step number, the median of all pairwise slopes, which one bad tap cannot pull.

/// A pause this long starts a new measurement.
pub const RESET_AFTER_SECS: f64 = 2.5;
/// Only the most recent taps count, so the estimate follows a runner who changes pace.
pub const MAX_TAPS: usize = 24;
/// Taps needed before an estimate is shown.
pub const MIN_TAPS: usize = 4;

/// Collected tap times, in seconds on any steady clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TapTempo {
    taps: Vec<f64>,
}

/// A measured cadence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TapEstimate {
    /// Steps per minute, to 0.1.
    pub spm: f64,
    /// How many taps went into it.
    pub taps: usize,
}

impl TapTempo {
    /// Records a tap at `secs`. A long pause starts over; a time that goes backwards is ignored.
    pub fn tap(&mut self, secs: f64) {
        if let Some(&last) = self.taps.last() {
            if secs <= last {
                return;
            }
            if secs - last > RESET_AFTER_SECS {
                self.taps.clear();
            }
        }
        self.taps.push(secs);
        if self.taps.len() > MAX_TAPS {
            self.taps.remove(0);
        }
    }

    pub fn reset(&mut self) {
        self.taps.clear();
    }

    pub fn taps(&self) -> usize {
        self.taps.len()
    }

    /// The cadence the taps show, once there are enough of them.
    pub fn estimate(&self) -> Option<TapEstimate> {
        if self.taps.len() < MIN_TAPS {
            return None;
        }
        let mut intervals: Vec<f64> = self.taps.windows(2).map(|w| w[1] - w[0]).collect();
        let typical = median(&mut intervals)?;
        if typical <= 0.0 {
            return None;
        }
        // Step numbers: a missed tap leaves a gap of two steps; a double tap is dropped.
        let mut points = vec![(0.0f64, self.taps[0])];
        let mut step = 0.0;
        let mut last = self.taps[0];
        for &t in &self.taps[1..] {
            let steps = ((t - last) / typical).round();
            if steps < 1.0 {
                continue;
            }
            step += steps;
            last = t;
            points.push((step, t));
        }
        if points.len() < MIN_TAPS - 1 {
            return None;
        }
        let mut slopes = Vec::with_capacity(points.len() * points.len() / 2);
        for (i, a) in points.iter().enumerate() {
            for b in &points[i + 1..] {
                slopes.push((b.1 - a.1) / (b.0 - a.0));
            }
        }
        let interval = median(&mut slopes)?;
        if interval <= 0.0 {
            return None;
        }
        let spm = (60.0 / interval * 10.0).round() / 10.0;
        Some(TapEstimate {
            spm,
            taps: self.taps.len(),
        })
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taps(times: &[f64]) -> TapTempo {
        let mut t = TapTempo::default();
        times.iter().for_each(|&s| t.tap(s));
        t
    }

    fn even(n: usize, interval: f64) -> Vec<f64> {
        (0..n).map(|i| 10.0 + i as f64 * interval).collect()
    }

    #[test]
    fn nine_taps_350_ms_apart_read_171_4() {
        let t = taps(&even(9, 0.35));
        assert_eq!(t.estimate().unwrap().spm, 171.4);
    }

    #[test]
    fn one_missed_or_doubled_tap_barely_moves_it() {
        let good = even(9, 0.35);
        for skip in 1..8 {
            let mut missing = good.clone();
            missing.remove(skip);
            let spm = taps(&missing).estimate().unwrap().spm;
            assert!((spm - 171.4).abs() <= 0.5, "missing tap {skip}: {spm}");
        }
        for (after, offset) in [
            (0, 0.08),
            (3, 0.05),
            (4, 0.25),
            (7, 0.2),
            (8, 0.1),
            (8, 0.3),
        ] {
            let mut doubled = good.clone();
            doubled.insert(after + 1, good[after] + offset);
            doubled.sort_by(f64::total_cmp);
            let spm = taps(&doubled).estimate().unwrap().spm;
            assert!(
                (spm - 171.4).abs() <= 1.0,
                "extra tap after {after}+{offset}: {spm}"
            );
        }
    }

    #[test]
    fn human_jitter_averages_out() {
        let jitter = [
            0.012, -0.02, 0.005, 0.018, -0.011, -0.004, 0.02, -0.015, 0.0, 0.007,
        ];
        let times: Vec<f64> = even(10, 60.0 / 176.0)
            .iter()
            .zip(jitter)
            .map(|(t, j)| t + j)
            .collect();
        let spm = taps(&times).estimate().unwrap().spm;
        assert!((spm - 176.0).abs() < 2.0, "{spm}");
    }

    #[test]
    fn needs_four_taps_and_a_pause_starts_over() {
        assert_eq!(taps(&even(3, 0.35)).estimate(), None);
        let mut t = taps(&even(6, 0.3));
        t.tap(100.0);
        assert_eq!(t.taps(), 1);
        assert_eq!(t.estimate(), None);
    }
}
