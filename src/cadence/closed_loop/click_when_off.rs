//! Click when off: the click is silent while the runner holds the target by themselves, and
//! sounds again as soon as they drift out of the band or the measurement cannot be trusted.
//!
//! Decided once per beat, before the beat plays, so a click is either heard whole or not at
//! all, and the grid goes on underneath: the click returns on it. This is the "click only when
//! outside the range" RunCadence does with a phone's sensors, and error feedback that speaks only
//! on an error (Lorenzoni 2018; weak to moderate evidence). The default band, ±3 spm, is about
//! 1.8 % at 170 spm: a drift the click corrects before it grows past the 1–3 % runners follow
//! without noticing (Van Dyck et al. 2015).

use serde::{Deserialize, Serialize};

use super::live::Measure;
use super::{Band, ClosedLoopError};

/// How the click decides to be quiet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClickWhenOffSettings {
    /// Around the target: inside it the runner needs no click.
    pub band: Band,
    /// Beats the cadence must stay in the band before the click goes quiet, so a runner who just
    /// reached the target hears it a little longer and a passing value does not silence it.
    pub settle_steps: u32,
}

impl Default for ClickWhenOffSettings {
    fn default() -> Self {
        ClickWhenOffSettings {
            band: Band::default(),
            settle_steps: 8,
        }
    }
}

/// Decides, beat by beat, whether the click sounds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClickWhenOff {
    settings: ClickWhenOffSettings,
    /// Beats in a row with a trusted cadence inside the band.
    held: u32,
}

impl ClickWhenOff {
    /// Refuses a band that is no band (see [`Band::check`]).
    pub fn new(settings: ClickWhenOffSettings) -> Result<ClickWhenOff, ClosedLoopError> {
        settings.band.check()?;
        Ok(ClickWhenOff { settings, held: 0 })
    }

    pub fn settings(&self) -> ClickWhenOffSettings {
        self.settings
    }

    /// Whether the next beat sounds, given the target tempo and the cadence measured at it.
    /// Silent once the cadence has been trusted and in the band for `settle_steps` beats; heard
    /// on the first beat it is out of the band or unknown.
    pub fn beat(&mut self, target_spm: f64, measure: Measure) -> bool {
        let inside = measure
            .sure()
            .is_some_and(|spm| self.settings.band.holds(target_spm, spm));
        self.held = if inside {
            self.held.saturating_add(1)
        } else {
            0
        };
        self.held < self.settings.settle_steps.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::closed_loop::live::Unsure;

    #[test]
    fn quiet_after_the_settle_beats_and_heard_on_the_first_beat_out() {
        let mut off = ClickWhenOff::new(ClickWhenOffSettings {
            band: Band::Spm(3.0),
            settle_steps: 3,
        })
        .unwrap();
        let heard: Vec<bool> = [170.0, 172.0, 167.0, 169.0, 173.0, 173.1, 170.0]
            .into_iter()
            .map(|spm| off.beat(170.0, Measure::Sure(spm)))
            .collect();
        assert_eq!(heard, [true, true, false, false, false, true, true]);
        for _ in 0..2 {
            off.beat(170.0, Measure::Sure(170.0));
        }
        assert!(!off.beat(170.0, Measure::Sure(170.0)));
        assert!(off.beat(170.0, Measure::Unsure(Unsure::Stale)));
        let none = ClickWhenOffSettings {
            band: Band::Spm(0.0),
            ..ClickWhenOffSettings::default()
        };
        assert!(ClickWhenOff::new(none).is_err());
    }
}
