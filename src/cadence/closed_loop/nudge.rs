//! Guided nudge: the click starts at the runner's own cadence and moves toward the target in
//! changes too small to notice, each only after the runner has followed the last.
//!
//! Runners' cadence follows tempo shifts of 1–3 % they do not consciously hear, in proportion
//! and up to a ceiling (Van Dyck et al. 2015); a tempo change is noticed from about 1.5–3 %
//! (Drake & Botte 1993). So a change is at most 1.5 % of the tempo it changes from, there is at
//! most one every `every_steps` beats, and the next waits until the measured cadence is back
//! within a band of the tempo played. It never passes the target, from below or above.
//!
//! The phase nudge is the other small lever: runners land slightly before the beat, and a beat
//! placed later than their landing raised cadence without more effort (Buhmann et al. 2018). It
//! delays the click, a few milliseconds at a time and never more than a few tens in all, until
//! it falls a chosen lead after the landing.

use serde::{Deserialize, Serialize};

use super::{Band, ClosedLoopError};
use crate::cadence::Spm;
use crate::cadence::closed_loop::live::Measure;

/// The largest tempo change the nudge makes at once, in percent of the tempo played.
pub const MAX_NUDGE_PERCENT: f64 = 1.5;
/// The smallest the setting may be: half a step per minute is 0.5 % at the slowest tempo, so
/// every tempo can still move.
pub const MIN_NUDGE_PERCENT: f64 = 0.5;

/// How the tempo moves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NudgeSettings {
    /// The largest change at once, percent of the tempo it changes from
    /// ([`MIN_NUDGE_PERCENT`]–[`MAX_NUDGE_PERCENT`]).
    pub max_change_percent: f64,
    /// At least this many beats between two changes.
    pub every_steps: u32,
    /// The runner has followed when their cadence is within this band of the tempo played.
    pub follow_band: Band,
}

impl Default for NudgeSettings {
    fn default() -> Self {
        NudgeSettings {
            max_change_percent: MAX_NUDGE_PERCENT,
            every_steps: 16,
            // Half the smallest change at usual tempos (2 spm at 160), so a runner who stayed
            // where they were is not taken for one who followed.
            follow_band: Band::Spm(1.0),
        }
    }
}

impl NudgeSettings {
    /// Whether the settings keep the nudge unnoticed and able to move.
    pub fn check(&self) -> Result<(), ClosedLoopError> {
        let p = self.max_change_percent;
        if !(MIN_NUDGE_PERCENT..=MAX_NUDGE_PERCENT).contains(&p) {
            return Err(ClosedLoopError::NudgePercent(p));
        }
        if self.every_steps == 0 {
            return Err(ClosedLoopError::NudgeEveryZero);
        }
        self.follow_band.check()
    }
}

/// Moves the click's tempo from the runner's cadence to the target.
#[derive(Debug, Clone, PartialEq)]
pub struct GuidedNudge {
    settings: NudgeSettings,
    tempo: Spm,
    target: Spm,
    since_change: u32,
    changes: u32,
}

impl GuidedNudge {
    /// Starts at `from` (the runner's cadence) toward `target`.
    pub fn new(
        from: Spm,
        target: Spm,
        settings: NudgeSettings,
    ) -> Result<GuidedNudge, ClosedLoopError> {
        settings.check()?;
        Ok(GuidedNudge {
            settings,
            tempo: from,
            target,
            since_change: 0,
            changes: 0,
        })
    }

    /// Starts at a measured cadence, to the nearest half step (held inside 100–240 spm).
    pub fn from_measured(
        spm: f64,
        target: Spm,
        settings: NudgeSettings,
    ) -> Result<GuidedNudge, ClosedLoopError> {
        if !spm.is_finite() {
            return Err(ClosedLoopError::NotACadence(spm));
        }
        // `nudged` rounds to the half step and holds the result inside the playable range.
        let from = Spm::MIN.nudged(spm - Spm::MIN.get());
        GuidedNudge::new(from, target, settings)
    }

    /// The tempo to play now.
    pub fn tempo(&self) -> Spm {
        self.tempo
    }

    pub fn target(&self) -> Spm {
        self.target
    }

    /// How many changes were made.
    pub fn changes(&self) -> u32 {
        self.changes
    }

    pub fn reached(&self) -> bool {
        self.tempo == self.target
    }

    /// A new target (a workout moving on); the tempo moves toward it from where it is.
    pub fn set_target(&mut self, target: Spm) {
        self.target = target;
    }

    /// A beat played at [`tempo`](Self::tempo) with the cadence measured at it. Returns the new
    /// tempo when it changes, to take effect from the next beat.
    ///
    /// Give it the settled cadence ([`CadenceTracker::settled`](super::CadenceTracker::settled)):
    /// a change of 2 spm is about 1 %, as much as one step's interval wanders, so whether the
    /// runner followed is judged over the source's window of several seconds, not a few steps.
    pub fn beat(&mut self, measure: Measure) -> Option<Spm> {
        self.since_change = self.since_change.saturating_add(1);
        if self.reached() || self.since_change < self.settings.every_steps {
            return None;
        }
        let followed = measure
            .sure()
            .is_some_and(|spm| self.settings.follow_band.holds(self.tempo.get(), spm));
        if !followed {
            return None;
        }
        let next = self.next_tempo();
        self.tempo = next;
        self.since_change = 0;
        self.changes += 1;
        Some(next)
    }

    /// One change toward the target: the most half steps within the percent, and no further
    /// than the target.
    fn next_tempo(&self) -> Spm {
        let from = self.tempo.half_steps();
        let to = self.target.half_steps();
        let limit = self.settings.max_change_percent / 100.0 * f64::from(from);
        // Half steps as an integer count; the tiny allowance keeps an exact 1.5 % (100 → 101.5).
        let most = ((limit + 1e-9).floor() as u32).max(1);
        let halves = if to > from {
            from + most.min(to - from)
        } else {
            from - most.min(from - to)
        };
        Spm::from_half_steps(halves).unwrap_or(self.target)
    }
}

/// The hard limit on the phase nudge's delay, in milliseconds: a few tens, far less than a step
/// (about 350 ms at 170 spm), so the click never seems to belong to the next step.
pub const PHASE_CAP_MS: f64 = 50.0;

/// How the click is placed against the landing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhaseSettings {
    /// How long after the landing the click should fall, ms.
    pub lead_ms: f64,
    /// The most the click is ever delayed from its grid, ms (at most [`PHASE_CAP_MS`]).
    pub max_offset_ms: f64,
    /// The most the delay changes per step, ms: well under the ~8 ms mistiming listeners notice
    /// at running tempos (Friberg & Sundberg 1995).
    pub max_change_ms: f64,
}

impl Default for PhaseSettings {
    fn default() -> Self {
        PhaseSettings {
            lead_ms: 15.0,
            max_offset_ms: 30.0,
            max_change_ms: 2.0,
        }
    }
}

/// Delays the click a little at a time until it falls `lead_ms` after the landing.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseNudge {
    settings: PhaseSettings,
    offset_ms: f64,
    /// The runner's recent landing against the click as played (ms, negative early), smoothed.
    landing_ms: Option<f64>,
}

impl PhaseNudge {
    pub fn new(settings: PhaseSettings) -> Result<PhaseNudge, ClosedLoopError> {
        let PhaseSettings {
            lead_ms,
            max_offset_ms,
            max_change_ms,
        } = settings;
        let within = |v: f64| (0.0..=PHASE_CAP_MS).contains(&v);
        let ok = within(lead_ms)
            && within(max_offset_ms)
            && max_change_ms > 0.0
            && within(max_change_ms);
        if !ok {
            return Err(ClosedLoopError::Phase {
                lead_ms,
                max_offset_ms,
                max_change_ms,
            });
        }
        Ok(PhaseNudge {
            settings,
            offset_ms: 0.0,
            landing_ms: None,
        })
    }

    /// The delay of the click from its grid, ms (0 to `max_offset_ms`).
    pub fn offset_ms(&self) -> f64 {
        self.offset_ms
    }

    /// A step landed `click_offset_ms` from the click as played (negative early, as the ear
    /// reports it). Returns the delay to give the clicks from the next beat on.
    pub fn step(&mut self, click_offset_ms: f64) -> f64 {
        if !click_offset_ms.is_finite() {
            return self.offset_ms;
        }
        let landing = match self.landing_ms {
            None => click_offset_ms,
            Some(mean) => mean + 0.2 * (click_offset_ms - mean),
        };
        // Wanted: the landing `lead_ms` before the click.
        let error = landing + self.settings.lead_ms;
        let change = error.clamp(-self.settings.max_change_ms, self.settings.max_change_ms);
        let offset = (self.offset_ms + change).clamp(0.0, self.settings.max_offset_ms);
        // Moving the click moves every later landing against it by as much the other way.
        self.landing_ms = Some(landing - (offset - self.offset_ms));
        self.offset_ms = offset;
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spm(v: f64) -> Spm {
        Spm::new(v).unwrap()
    }

    #[test]
    fn each_change_is_the_most_half_steps_within_the_percent_and_stops_at_the_target() {
        let settings = NudgeSettings {
            every_steps: 1,
            ..NudgeSettings::default()
        };
        let mut up = GuidedNudge::new(spm(100.0), spm(104.0), settings).unwrap();
        let tempos: Vec<f64> = (0..4)
            .filter_map(|_| up.beat(Measure::Sure(up.tempo().get())))
            .map(Spm::get)
            .collect();
        // 1.5 % of 100 is exactly 1.5; of 101.5 it is 1.52 (still 1.5); the last stops at 104.
        assert_eq!(tempos, [101.5, 103.0, 104.0]);
        assert!(up.reached());
        assert_eq!(up.changes(), 3);
        let mut down = GuidedNudge::new(spm(180.0), spm(176.0), settings).unwrap();
        assert_eq!(down.beat(Measure::Sure(180.0)), Some(spm(177.5)));
        assert_eq!(down.beat(Measure::Sure(177.5)), Some(spm(176.0)));
    }

    #[test]
    fn waits_for_the_runner_and_for_the_spacing() {
        let mut nudge = GuidedNudge::new(spm(160.0), spm(170.0), NudgeSettings::default()).unwrap();
        for _ in 0..15 {
            assert_eq!(nudge.beat(Measure::Sure(160.0)), None);
        }
        assert_eq!(nudge.beat(Measure::Sure(160.0)), Some(spm(162.0)));
        for _ in 0..40 {
            assert_eq!(nudge.beat(Measure::Sure(159.9)), None);
        }
        assert_eq!(
            nudge.beat(Measure::Unsure(super::super::live::Unsure::Stale)),
            None
        );
        assert_eq!(nudge.beat(Measure::Sure(160.9)), None);
        assert_eq!(nudge.beat(Measure::Sure(161.2)), Some(spm(164.0)));
    }

    #[test]
    fn settings_outside_the_evidence_are_refused() {
        let bad = |p: f64| NudgeSettings {
            max_change_percent: p,
            ..NudgeSettings::default()
        };
        assert!(GuidedNudge::new(spm(160.0), spm(170.0), bad(3.0)).is_err());
        assert!(GuidedNudge::new(spm(160.0), spm(170.0), bad(0.1)).is_err());
        let err = GuidedNudge::from_measured(f64::NAN, spm(170.0), NudgeSettings::default());
        assert!(err.is_err());
        let low = GuidedNudge::from_measured(61.2, spm(170.0), NudgeSettings::default()).unwrap();
        assert_eq!(low.tempo(), Spm::MIN);
        let near = GuidedNudge::from_measured(163.3, spm(170.0), NudgeSettings::default()).unwrap();
        assert_eq!(near.tempo(), spm(163.5));
    }

    #[test]
    fn the_phase_nudge_delays_the_click_until_it_falls_the_lead_after_the_landing() {
        let mut phase = PhaseNudge::new(PhaseSettings::default()).unwrap();
        // The runner lands 5 ms before the grid and keeps landing there.
        let mut last = 0.0;
        for _ in 0..200 {
            let landing = -5.0 - phase.offset_ms();
            let offset = phase.step(landing);
            assert!((offset - last).abs() <= 2.0 + 1e-12);
            assert!((0.0..=30.0).contains(&offset));
            last = offset;
        }
        assert!(
            (phase.offset_ms() - 10.0).abs() < 0.01,
            "{}",
            phase.offset_ms()
        );
        // One landing late on the grid: the delay stops at its limit.
        let mut late = PhaseNudge::new(PhaseSettings::default()).unwrap();
        for _ in 0..200 {
            let landing = 20.0 - late.offset_ms();
            late.step(landing);
        }
        assert_eq!(late.offset_ms(), 30.0);
        assert!(
            PhaseNudge::new(PhaseSettings {
                max_offset_ms: 80.0,
                ..PhaseSettings::default()
            })
            .is_err()
        );
    }
}
