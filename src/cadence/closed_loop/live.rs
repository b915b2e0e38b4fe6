//! The runner's cadence as it is measured while they run: readings from a source (the
//! microphone's ear now, taps, later a footpod), each step's time when the source has them, and
//! one judgement everything else works from — is the cadence known right now, and what is it?
//!
//! Readings arrive about once a second and describe the last several seconds, which is too slow
//! to notice a runner drifting within a few steps. So when step times are fed, the cadence is
//! taken from the last few step intervals (their median, so one missed or doubled footfall does
//! not move it), and the readings decide only whether the measurement can be trusted: a reading
//! that is too old, or less sure than the threshold, makes the cadence unknown.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::cadence::tap::{RESET_AFTER_SECS, TapTempo};

/// One measurement of the runner's cadence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LiveCadence {
    /// When it was measured, in seconds on the session's clock.
    pub at_s: f64,
    /// Steps per minute.
    pub spm: f64,
    /// 0–1: how sure the source is.
    pub confidence: f64,
}

/// Something that measures the runner's cadence while they run.
pub trait CadenceSource {
    /// The name a record keeps for the source ("microphone", "taps").
    fn name(&self) -> &'static str;
    /// The latest reading made at or before `now_s`, if any.
    fn latest(&self, now_s: f64) -> Option<LiveCadence>;
}

/// The runner tapping a key on each footfall, as a source: the tap-tempo estimate, sure once it
/// has enough taps, made at the last tap.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taps {
    tempo: TapTempo,
    last_s: Option<f64>,
}

impl Taps {
    /// A tap at `at_s` on the session's clock (see [`TapTempo::tap`]).
    pub fn tap(&mut self, at_s: f64) {
        self.tempo.tap(at_s);
        if self.last_s.is_none_or(|last| at_s > last) {
            self.last_s = Some(at_s);
        }
    }
}

impl CadenceSource for Taps {
    fn name(&self) -> &'static str {
        "taps"
    }

    /// The estimate while taps keep coming; a pause that would start a new measurement ends it.
    fn latest(&self, now_s: f64) -> Option<LiveCadence> {
        let at_s = self
            .last_s
            .filter(|&t| t <= now_s && now_s - t <= RESET_AFTER_SECS)?;
        let estimate = self.tempo.estimate()?;
        Some(LiveCadence {
            at_s,
            spm: estimate.spm,
            // A tap is the runner's own count of their steps: as sure as it gets.
            confidence: 1.0,
        })
    }
}

/// Readings recorded earlier (a saved session's series, or a test's), played back as a source.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Replay {
    name: &'static str,
    readings: Vec<LiveCadence>,
}

impl Replay {
    /// `readings` in any order; they are kept sorted by time.
    pub fn new(name: &'static str, mut readings: Vec<LiveCadence>) -> Replay {
        readings.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        Replay { name, readings }
    }
}

impl CadenceSource for Replay {
    fn name(&self) -> &'static str {
        self.name
    }

    fn latest(&self, now_s: f64) -> Option<LiveCadence> {
        let made = self.readings.partition_point(|r| r.at_s <= now_s);
        made.checked_sub(1).map(|i| self.readings[i])
    }
}

/// When a measurement is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trust {
    /// A reading less sure than this (0–1) leaves the cadence unknown. The ear reports nothing
    /// below 0.45; 0.6 asks for steps that are clearly regular.
    pub min_confidence: f64,
    /// A reading older than this, in seconds, is stale: the source has stopped hearing the
    /// runner. The ear reports about once a second, so 2.5 s allows one late report.
    pub max_age_s: f64,
    /// How many of the latest step intervals make the cadence when step times are fed. Even,
    /// so that left and right steps count alike; four is about a second and a half of running.
    pub step_window: usize,
    /// How long after a step the source reports it, at most, in seconds: the steps stay
    /// fresh this much longer. Taps arrive as they happen (0); the microphone's steps come
    /// with its report twice a second, after the ear has held them a quarter of a second.
    pub late_s: f64,
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            min_confidence: 0.6,
            max_age_s: 2.5,
            step_window: 4,
            late_s: 0.0,
        }
    }
}

impl Trust {
    /// For the microphone: its steps arrive late (up to two seconds allowed), and six of them
    /// (about two seconds of running) make the cadence — their span, so a landing's own
    /// jitter of ±8 ms moves it by about 0.5 spm and a ±3 spm band is held without a click on
    /// a passing wobble, while a runner who slowed by 10 spm is out of it two steps later.
    pub fn microphone() -> Trust {
        Trust {
            step_window: 6,
            late_s: 2.0,
            ..Trust::default()
        }
    }
}

/// Why the cadence is not known right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unsure {
    /// No reading yet.
    NoReading,
    /// The latest reading is older than [`Trust::max_age_s`].
    Stale,
    /// The latest reading is less sure than [`Trust::min_confidence`].
    LowConfidence,
}

/// The runner's cadence at a moment, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Measure {
    /// Steps per minute, trusted.
    Sure(f64),
    Unsure(Unsure),
}

impl Measure {
    /// The cadence when it is trusted.
    pub fn sure(self) -> Option<f64> {
        match self {
            Measure::Sure(spm) => Some(spm),
            Measure::Unsure(_) => None,
        }
    }
}

/// Follows a source's readings and the runner's steps and says what the cadence is now.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceTracker {
    trust: Trust,
    latest: Option<LiveCadence>,
    steps: VecDeque<f64>,
}

impl CadenceTracker {
    pub fn new(trust: Trust) -> CadenceTracker {
        let trust = Trust {
            step_window: trust.step_window.max(1),
            ..trust
        };
        CadenceTracker {
            trust,
            latest: None,
            steps: VecDeque::with_capacity(trust.step_window + 1),
        }
    }

    pub fn trust(&self) -> Trust {
        self.trust
    }

    /// A new reading. One older than the latest is ignored (reports can arrive out of order).
    pub fn reading(&mut self, reading: LiveCadence) {
        if self.latest.is_none_or(|r| reading.at_s >= r.at_s) {
            self.latest = Some(reading);
        }
    }

    /// A footfall at `at_s`. A time not after the last step is ignored.
    pub fn step(&mut self, at_s: f64) {
        if self.steps.back().is_some_and(|&last| at_s <= last) {
            return;
        }
        if self.steps.len() == self.trust.step_window + 1 {
            self.steps.pop_front();
        }
        self.steps.push_back(at_s);
    }

    /// The latest reading, trusted or not.
    pub fn latest(&self) -> Option<LiveCadence> {
        self.latest
    }

    /// The latest reading's own cadence at `at_s`, under the same trust: slower to follow the
    /// runner than [`measure`](Self::measure) (the source's window spans several seconds) but
    /// far steadier, for judging changes smaller than a step's jitter.
    pub fn settled(&self, at_s: f64) -> Measure {
        match (self.measure(at_s), self.latest) {
            (Measure::Sure(_), Some(reading)) => Measure::Sure(reading.spm),
            (measure, _) => measure,
        }
    }

    /// The cadence at `at_s`: from the recent steps when they are fresh (the last one within two
    /// of their intervals, plus how late the source reports), else the latest reading's — and
    /// only while the reading is fresh and sure enough.
    pub fn measure(&self, at_s: f64) -> Measure {
        let Some(reading) = self.latest else {
            return Measure::Unsure(Unsure::NoReading);
        };
        if at_s - reading.at_s > self.trust.max_age_s {
            return Measure::Unsure(Unsure::Stale);
        }
        // Written so that a NaN confidence is not sure either.
        let sure_enough = reading.confidence >= self.trust.min_confidence;
        if !sure_enough {
            return Measure::Unsure(Unsure::LowConfidence);
        }
        Measure::Sure(self.steps_cadence(at_s).unwrap_or(reading.spm))
    }

    fn steps_cadence(&self, at_s: f64) -> Option<f64> {
        if self.steps.len() < self.trust.step_window + 1 {
            return None;
        }
        let mut intervals: Vec<f64> = self
            .steps
            .iter()
            .zip(self.steps.iter().skip(1))
            .map(|(a, b)| b - a)
            .collect();
        intervals.sort_by(f64::total_cmp);
        let n = intervals.len();
        let median = (intervals[(n - 1) / 2] + intervals[n / 2]) / 2.0;
        let first = *self.steps.front()?;
        let last = *self.steps.back()?;
        if !(median > 0.0 && at_s - last <= 2.0 * median + self.trust.late_s) {
            return None;
        }
        // The span of the steps over the steps it holds, counted by the median interval so a
        // missed step is not taken for a slow one: each landing's own jitter then enters only
        // at the two ends, where a median of intervals would carry it whole.
        let span = last - first;
        let count = (span / median).round().max(1.0);
        Some(60.0 * count / span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(at_s: f64, spm: f64, confidence: f64) -> LiveCadence {
        LiveCadence {
            at_s,
            spm,
            confidence,
        }
    }

    #[test]
    fn a_reading_is_trusted_only_while_fresh_and_sure() {
        let mut tracker = CadenceTracker::new(Trust::default());
        assert_eq!(tracker.measure(0.0), Measure::Unsure(Unsure::NoReading));
        tracker.reading(reading(1.0, 168.0, 0.9));
        assert_eq!(tracker.measure(3.5), Measure::Sure(168.0));
        assert_eq!(tracker.measure(3.6), Measure::Unsure(Unsure::Stale));
        tracker.reading(reading(2.0, 150.0, 0.5));
        assert_eq!(tracker.measure(2.1), Measure::Unsure(Unsure::LowConfidence));
        // An older report arriving late does not replace the newer one.
        tracker.reading(reading(1.5, 170.0, 0.9));
        assert_eq!(tracker.latest().unwrap().spm, 150.0);
        tracker.reading(reading(2.0, f64::NAN, f64::NAN));
        assert_eq!(tracker.measure(2.1), Measure::Unsure(Unsure::LowConfidence));
    }

    #[test]
    fn fresh_steps_give_the_cadence_and_one_missed_step_does_not_move_it() {
        let mut tracker = CadenceTracker::new(Trust::default());
        tracker.reading(reading(1.0, 150.0, 0.9));
        // 170 spm, one footfall (the fourth) not heard.
        for n in [0, 1, 2, 4, 5] {
            tracker.step(f64::from(n) * 60.0 / 170.0);
        }
        let spm = tracker.measure(1.8).sure().unwrap();
        assert!((spm - 170.0).abs() < 1e-9, "{spm}");
        // Until the steps stop: two intervals later, the reading's cadence is all there is.
        assert_eq!(
            tracker.measure(5.0 * 60.0 / 170.0 + 0.8),
            Measure::Sure(150.0)
        );
        assert_eq!(tracker.settled(1.8), Measure::Sure(150.0));
        // A step that goes back in time is ignored.
        tracker.step(0.5);
        assert!((tracker.measure(1.8).sure().unwrap() - 170.0).abs() < 1e-9);
    }

    #[test]
    fn taps_are_a_source_until_they_pause() {
        let mut taps = Taps::default();
        assert_eq!(taps.name(), "taps");
        for n in 0..8 {
            taps.tap(f64::from(n) * 0.35);
        }
        let r = taps.latest(3.0).unwrap();
        assert_eq!(r.at_s, 7.0 * 0.35);
        assert!((r.spm - 60.0 / 0.35).abs() < 0.1, "{}", r.spm);
        assert!(taps.latest(2.45 + RESET_AFTER_SECS + 0.01).is_none());
    }

    #[test]
    fn a_replay_gives_the_latest_reading_made_by_then() {
        let replay = Replay::new(
            "microphone",
            vec![reading(2.0, 171.0, 0.8), reading(1.0, 170.0, 0.8)],
        );
        assert_eq!(replay.name(), "microphone");
        assert!(replay.latest(0.5).is_none());
        assert_eq!(replay.latest(1.0).unwrap().spm, 170.0);
        assert_eq!(replay.latest(9.0).unwrap().spm, 171.0);
    }
}
