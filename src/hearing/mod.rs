//! The ear: what the microphone tells about the runner — each footfall, the cadence they make
//! with a confidence, and how each step lands against the click.
//!
//! Pure signal processing over sample buffers: no device, no clock, no files. `audio` feeds an
//! [`Ear`] from the input stream on a worker thread (never in the output callback) and tells it
//! every click it played; `measure` hands a whole recording to [`hear_recording`]. The stages:
//! `filters` brings the input down to a working rate of 7–14 kHz, `cancel` subtracts the app's
//! own clicks and their echoes, `onsets` finds impacts in the low bands, and `tempo` turns
//! onsets into steps and a cadence.
//!
//! Frames: sample `n` of everything fed is frame `n`. A click "played at frame f" is one the
//! app sent to the speakers when the input stream was at frame `f`; it is expected back in the
//! microphone at `f + round trip`. A step's offset is its frame minus that arrival, so it says
//! early (negative) or late (positive) against the click as the runner heard it — the output
//! and input latencies both sit inside the measured round trip.

mod cancel;
mod filters;
mod onsets;
mod round_trip;
#[cfg(test)]
mod synth;
mod tempo;
#[cfg(test)]
mod tests;

use cancel::{Canceller, PendingClick};
use filters::Decimator;
use onsets::{Onset, OnsetDetector};

pub use cancel::ClickWave;
pub use round_trip::{MAX_ROUND_TRIP_S, measure_round_trip};

use crate::cadence::Spm;

/// The rates the ear accepts, in Hz.
pub const RATES: std::ops::RangeInclusive<u32> = 8_000..=384_000;
/// A live report looks at the steps of this many recent seconds.
pub const REPORT_WINDOW_S: f64 = 10.0;
/// Samples are held this long before detection, so a click reported a little late is still
/// removed before its sound is judged.
const HOLD_S: f64 = 0.25;
/// A click found making up this share of what was heard around it is clearly the click, and
/// where it was found moves the expected arrival of the next ones by [`DRIFT_GAIN`] of the gap.
const CLEARLY_HEARD: f64 = 0.3;
const DRIFT_GAIN: f64 = 0.5;
/// With no step for this long, nobody is running.
const STALE_S: f64 = 3.0;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HearingError {
    #[error("a sample rate of {0} Hz cannot be heard; the ear takes 8 000–384 000 Hz")]
    UnsupportedRate(u32),
}

/// One footfall: when it was heard, and how it landed against the nearest click.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Footfall {
    /// Seconds from the first sample fed.
    pub at_s: f64,
    /// Milliseconds from the click as the runner heard it: negative early, positive late.
    /// `None` when no click was playing near this step.
    pub click_offset_ms: Option<f64>,
}

/// What the ear heard: a runner's cadence, how sure it is, and the steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Hearing {
    /// Steps per minute.
    pub cadence_spm: f64,
    /// 0–1: how regular, complete and uncluttered the steps are.
    pub confidence: f64,
    pub steps: Vec<Footfall>,
}

impl Hearing {
    /// The steps' times in seconds.
    pub fn step_times_s(&self) -> Vec<f64> {
        self.steps.iter().map(|s| s.at_s).collect()
    }

    /// The offsets of the steps that had a click near them, in order.
    pub fn offsets_ms(&self) -> Vec<f64> {
        self.steps
            .iter()
            .filter_map(|s| s.click_offset_ms)
            .collect()
    }
}

/// A click the app played, for [`hear_recording`].
#[derive(Debug, Clone)]
pub struct PlayedClick {
    pub frame: u64,
    pub wave: ClickWave,
}

/// The streaming ear: feed it microphone samples and the clicks played; ask it what it hears.
pub struct Ear {
    rate: u32,
    factor: usize,
    decimator: Decimator,
    canceller: Canceller,
    detector: OnsetDetector,
    round_trip: i64,
    /// How far (input frames) the clicks lately came back from where the round trip put them:
    /// the output's and the input's clocks drift apart slowly, and this follows them.
    drift: f64,
    target: Option<Spm>,
    /// Working-rate samples not yet judged; `work[0]` is working sample `work_base`.
    work: Vec<f32>,
    /// The clicks taken out of `work`, sample for sample.
    removed: Vec<f32>,
    work_base: i64,
    hold: i64,
    fed: u64,
    /// Clicks still to be removed, by arrival.
    pending: Vec<PendingClick>,
    /// Every click's expected arrival (input frames), ascending: what steps are timed against.
    arrivals: Vec<i64>,
    onsets: Vec<Onset>,
}

impl Ear {
    pub fn new(rate: u32) -> Result<Ear, HearingError> {
        if !RATES.contains(&rate) {
            return Err(HearingError::UnsupportedRate(rate));
        }
        let decimator = Decimator::new(rate);
        let factor = decimator.factor();
        Ok(Ear {
            rate,
            factor,
            decimator,
            canceller: Canceller::new(rate),
            detector: OnsetDetector::new(rate, factor),
            round_trip: 0,
            drift: 0.0,
            target: None,
            work: Vec::new(),
            removed: Vec::new(),
            work_base: 0,
            hold: (HOLD_S * f64::from(rate) / factor as f64).round() as i64,
            fed: 0,
            pending: Vec::new(),
            arrivals: Vec::new(),
            onsets: Vec::new(),
        })
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Output plus input latency, in frames, as the round-trip check measured it.
    pub fn set_round_trip(&mut self, frames: u64) {
        self.round_trip = frames as i64;
        self.drift = 0.0;
    }

    /// The cadence the runner is asked for: a prior between equally good readings, never
    /// forced.
    pub fn set_target(&mut self, target: Option<Spm>) {
        self.target = target;
    }

    /// The app played `wave` at input frame `frame` (see the module docs). Best told before the
    /// sound comes back, and at the latest within a quarter second of it.
    pub fn played_click(&mut self, frame: u64, wave: &ClickWave) {
        let arrival = frame as i64 + self.round_trip;
        let click = self.canceller.pending(arrival, wave);
        let at = self.pending.partition_point(|c| c.arrival <= arrival);
        self.pending.insert(at, click);
        let at = self.arrivals.partition_point(|&a| a <= arrival);
        self.arrivals.insert(at, arrival);
    }

    /// Mono microphone samples, in order.
    pub fn feed(&mut self, samples: &[f32]) {
        self.decimator.push(samples, &mut self.work);
        self.removed.resize(self.work.len(), 0.0);
        self.fed += samples.len() as u64;
        self.process(false);
    }

    fn process(&mut self, flush: bool) {
        let end = self.work_base + self.work.len() as i64;
        let drift = self.drift.round() as i64;
        // Remove every click whose whole neighbourhood has arrived.
        let ready = self
            .pending
            .iter()
            .take_while(|c| flush || self.canceller.needs_until(&Canceller::moved(c, drift)) <= end)
            .count();
        let clicks: Vec<PendingClick> = self.pending.drain(..ready).collect();
        for click in clicks {
            let expected = Canceller::moved(&click, self.drift.round() as i64);
            let found =
                self.canceller
                    .cancel(&mut self.work, &mut self.removed, self.work_base, &expected);
            if let Some((direct, share)) = found
                && share >= CLEARLY_HEARD
            {
                // The clicks come back where they were found: follow the two clocks' slow
                // drift, and time the steps against the click as it really arrived.
                self.drift += DRIFT_GAIN * (direct - expected.arrival) as f64;
                if let Ok(i) = self.arrivals.binary_search(&click.arrival) {
                    self.arrivals[i] = direct;
                }
            }
        }
        let mut commit = if flush { end } else { end - self.hold };
        if let Some(next) = self.pending.first() {
            let next = Canceller::moved(next, self.drift.round() as i64);
            commit = commit.min(self.canceller.touches_from(&next));
        }
        if commit > self.work_base {
            let n = (commit - self.work_base) as usize;
            self.detector
                .push(&self.work[..n], &self.removed[..n], &mut self.onsets);
            self.work.drain(..n);
            self.removed.drain(..n);
            self.work_base = commit;
        }
    }

    /// Seconds of input fed so far.
    pub fn heard_s(&self) -> f64 {
        self.fed as f64 / f64::from(self.rate)
    }

    /// The cadence of the last [`REPORT_WINDOW_S`] seconds, or `None` if nobody is running.
    pub fn report(&self) -> Option<Hearing> {
        let now = self.heard_s();
        let from = (now - REPORT_WINDOW_S) * f64::from(self.rate);
        let start = self.onsets.partition_point(|o| o.frame < from);
        let hearing = self.hear(&self.onsets[start..])?;
        let last = hearing.steps.last()?.at_s;
        (now - last <= STALE_S + HOLD_S).then_some(hearing)
    }

    /// Judges what is still held, and reads the whole of what was fed.
    pub fn finish(mut self) -> Option<Hearing> {
        self.process(true);
        // Silence after the end lets the last hops be judged.
        let pad = vec![0.0f32; (0.2 * f64::from(self.rate)) as usize / self.factor];
        self.detector.push(&pad, &pad, &mut self.onsets);
        self.hear(&self.onsets)
    }

    fn hear(&self, onsets: &[Onset]) -> Option<Hearing> {
        let times = tempo::in_seconds(onsets, self.rate);
        let target = self.target.map(|s| s.interval_secs());
        let stepping = tempo::find_steps(&times, target)?;
        let rate = f64::from(self.rate);
        let half_step = stepping.period_s / 2.0 * rate;
        let steps = stepping
            .steps
            .iter()
            .map(|&at_s| {
                let frame = at_s * rate;
                Footfall {
                    at_s,
                    click_offset_ms: self
                        .nearest_click(frame)
                        .filter(|d| d.abs() <= half_step)
                        .map(|d| d / rate * 1000.0),
                }
            })
            .collect();
        Some(Hearing {
            cadence_spm: 60.0 / stepping.period_s,
            confidence: stepping.confidence.min(1.0),
            steps,
        })
    }

    /// Frames from the nearest click's arrival to `frame`.
    fn nearest_click(&self, frame: f64) -> Option<f64> {
        let i = self.arrivals.partition_point(|&a| (a as f64) < frame);
        [i.checked_sub(1), Some(i)]
            .into_iter()
            .flatten()
            .filter_map(|j| self.arrivals.get(j))
            .map(|&a| frame - a as f64)
            .min_by(|a, b| a.abs().total_cmp(&b.abs()))
    }
}

/// Reads a whole recording: mono `samples` at `rate`, with the clicks played over it (if any)
/// and the round trip they took, and the cadence asked for (if any).
pub fn hear_recording(
    samples: &[f32],
    rate: u32,
    clicks: &[PlayedClick],
    round_trip_frames: u64,
    target: Option<Spm>,
) -> Result<Option<Hearing>, HearingError> {
    let mut ear = Ear::new(rate)?;
    ear.set_round_trip(round_trip_frames);
    ear.set_target(target);
    for click in clicks {
        ear.played_click(click.frame, &click.wave);
    }
    for block in samples.chunks(4_096) {
        ear.feed(block);
    }
    Ok(ear.finish())
}
