//! Closed-loop coaching: the click and its tempo decided from the runner's measured cadence.
//!
//! With the cadence measured live (the microphone's ear reports it twice a second with a
//! confidence, and times each step), the coach can do four things a fixed click track cannot.
//! Each is a small controller, driven by the session with explicit times — one call per beat,
//! before the beat plays, and one per reading or step as they arrive — and none of them reads a
//! clock, so every rule here is tested with a simulated runner:
//!
//! - [`live`]: readings from any [`CadenceSource`] and the steps feed a [`CadenceTracker`],
//!   which says at each beat whether the cadence is known ([`Measure::Sure`]) or not: a reading
//!   too old or less sure than the threshold leaves it unknown, and every controller then acts
//!   as if the runner were off the target.
//! - [`click_when_off`]: the click goes quiet while the runner holds a band around the target and
//!   returns on the next beat once they leave it. Error feedback only when there is an error:
//!   music overlaid with noise when off target moved cadence better than instructions
//!   (Lorenzoni 2018), and RunCadence clicks only outside the range (weak to moderate evidence).
//! - [`nudge`]: the tempo starts at the runner's cadence and moves to the target in changes of at
//!   most 1.5 %, waiting for the runner to follow each. Runners follow 1–3 % tempo shifts they do
//!   not hear (Van Dyck et al. 2015); a change is noticed from about 1.5–3 % (Drake & Botte 1993).
//!   A phase nudge places the click slightly after the landing, which raised cadence without more
//!   effort (Buhmann et al. 2018). Moderate evidence.
//! - [`fading`]: faded feedback whose silent blocks grow while the runner holds the band and
//!   shrink when they drift. Fading is the strongest finding for lasting retraining (Crowell &
//!   Davis 2011; Davis et al. 2020), since feedback that stays speeds performance but not learning
//!   (Roemmich et al. 2016).
//! - [`coach`]: the above put together for a playing session, one [`Coach`] per session.
//! - [`retention`]: from the silent blocks only, the time the runner held the band without the
//!   click — a stage is learned when they did — and the summary a session record keeps.
//!
//! Times are seconds on the session's clock; the caller puts the beats (from the audio clock)
//! and the source's readings and steps (shifted by the measured round trip) on that one clock.
//!
//! # How a session drives it
//!
//! Per reading: `tracker.reading(r)`; per footfall: `tracker.step(at_s)` (and, with the phase
//! nudge, `phase.step(offset_ms)`). Per beat, before it plays: `tracker.measure(at_s)` for the
//! click decisions, `tracker.settled(at_s)` for the nudge; the click sounds if the controller in
//! use says so, a new tempo takes effect from the next beat, and the [`Tally`] and
//! [`SilentBlocks`] log what was played for the record and the retention probes.
//!
//! ```
//! use cadence_coach::cadence::Spm;
//! use cadence_coach::cadence::closed_loop::*;
//!
//! let target = Spm::new(170.0).unwrap();
//! let mut tracker = CadenceTracker::new(Trust::default());
//! let mut off = ClickWhenOff::new(ClickWhenOffSettings::default()).unwrap();
//! let mut tally = Tally::new(Band::default());
//! let mut silent = SilentBlocks::default();
//! // A runner at 170 spm, heard once a second.
//! for n in 0..60u32 {
//!     let at_s = f64::from(n) * 60.0 / 170.0;
//!     tracker.step(at_s);
//!     if n % 3 == 0 {
//!         tracker.reading(LiveCadence { at_s, spm: 170.0, confidence: 0.9 });
//!     }
//!     let measure = tracker.measure(at_s);
//!     let heard = off.beat(target.get(), measure);
//!     tally.beat(at_s, heard, target.get(), measure);
//!     silent.beat(at_s, heard);
//! }
//! let blocks = silent.finish(60.0 * 60.0 / 170.0);
//! let summary = tally.summary(None);
//! assert!(summary.clicks_heard < 20 && summary.clicks_silent > 40);
//! assert_eq!(blocks.len(), 1);
//! ```

pub mod click_when_off;
pub mod coach;
pub mod fading;
pub mod live;
pub mod nudge;
pub mod retention;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use click_when_off::{ClickWhenOff, ClickWhenOffSettings};
pub use coach::{Coach, CoachBeat, CoachSettings};
pub use fading::{AdaptiveFade, FadeLimits, FadeSettings};
pub use live::{CadenceSource, CadenceTracker, LiveCadence, Measure, Replay, Taps, Trust, Unsure};
pub use nudge::{GuidedNudge, NudgeSettings, PhaseNudge, PhaseSettings};
pub use retention::{
    ClosedLoopSummary, Retention, RetentionSettings, SilentBlock, SilentBlocks, Tally, Verdict,
};

/// What the click does with the measured cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CoachMode {
    /// Every click plays, as planned; the cadence is only measured.
    #[default]
    Always,
    /// The click is silent while the runner holds the band around the target.
    WhenOff,
    /// The tempo starts at the runner's cadence and moves to the target unnoticed.
    Nudge,
}

impl CoachMode {
    pub const ALL: [CoachMode; 3] = [CoachMode::Always, CoachMode::WhenOff, CoachMode::Nudge];

    /// A few words for the running view and the history.
    pub fn name(self) -> &'static str {
        match self {
            CoachMode::Always => "every click",
            CoachMode::WhenOff => "click when off",
            CoachMode::Nudge => "guided nudge",
        }
    }
}

/// How close to a tempo counts as on it: a fixed number of steps per minute either side, or a
/// percentage of the tempo.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Band {
    Spm(f64),
    Percent(f64),
}

/// ±3 spm, the default band around the target.
impl Default for Band {
    fn default() -> Self {
        Band::Spm(3.0)
    }
}

impl Band {
    /// How far either side of `around` the band reaches, in spm.
    pub fn half_width(self, around: f64) -> f64 {
        match self {
            Band::Spm(spm) => spm,
            Band::Percent(percent) => around * percent / 100.0,
        }
    }

    /// Whether `measured` is within the band around `around`.
    pub fn holds(self, around: f64, measured: f64) -> bool {
        (measured - around).abs() <= self.half_width(around)
    }

    /// A band must have a width, and not a silly one (up to 20 spm or 10 %).
    pub fn check(self) -> Result<(), ClosedLoopError> {
        let ok = match self {
            Band::Spm(spm) => spm > 0.0 && spm <= 20.0,
            Band::Percent(percent) => percent > 0.0 && percent <= 10.0,
        };
        if ok {
            Ok(())
        } else {
            Err(ClosedLoopError::Band(self))
        }
    }
}

/// Settings a closed-loop controller refuses; each message names the value and the rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClosedLoopError {
    #[error("a band of {0:?} is not one: it must be 0–20 spm or 0–10 % either side")]
    Band(Band),
    #[error(
        "a nudge of {0} % at a time is outside 0.5–1.5 %: larger changes are noticed, smaller cannot move every tempo"
    )]
    NudgePercent(f64),
    #[error("a nudge needs at least one step between changes")]
    NudgeEveryZero,
    #[error("{0} is not a cadence to start a nudge from")]
    NotACadence(f64),
    #[error(
        "a phase nudge of lead {lead_ms} ms, at most {max_offset_ms} ms, by {max_change_ms} ms a step is outside 0–50 ms"
    )]
    Phase {
        lead_ms: f64,
        max_offset_ms: f64,
        max_change_ms: f64,
    },
    #[error(
        "faded blocks of {on} s on and {off} s off need the off block within limits {min}–{max} s, both above 0"
    )]
    FadeLimits {
        on: u32,
        off: u32,
        min: u32,
        max: u32,
    },
    #[error(
        "a silent block is held at a share of {hold_share} (must be 0–1) and given up after {give_up_secs} s (must be above 0)"
    )]
    FadeJudgement { hold_share: f64, give_up_secs: f64 },
}

#[cfg(test)]
mod band_tests {
    use super::*;

    #[test]
    fn a_band_in_spm_or_percent() {
        assert!(Band::Spm(3.0).holds(170.0, 173.0));
        assert!(!Band::Spm(3.0).holds(170.0, 166.9));
        assert!(Band::Percent(3.0).holds(170.0, 164.9));
        assert!(!Band::Percent(3.0).holds(170.0, 175.2));
        assert!(Band::Spm(0.0).check().is_err());
        assert!(Band::Percent(f64::NAN).check().is_err());
        let text = ClosedLoopError::NudgePercent(3.0).to_string();
        assert!(text.starts_with("a nudge of 3 % at a time"), "{text}");
    }
}
