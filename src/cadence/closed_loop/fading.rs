//! Adaptive fading: faded feedback whose silent blocks lengthen while the runner holds the band
//! without the click and shorten when they drift, always between given limits.
//!
//! Feedback that is always there speeds performance but not learning, and the errors come back
//! when it goes (Roemmich et al. 2016); faded feedback made the most lasting gait retraining
//! (Crowell & Davis 2011; Davis et al. 2020). Fading by how the runner does, not by the clock
//! alone, takes the click away as fast as the runner can do without it and no faster.
//!
//! Driven beat by beat with the beat's time: the click sounds for `on_secs`, then is silent for
//! the current off length. An off block ends early when the runner has been out of the band (or
//! unmeasured) for `give_up_secs` in a row; the click then returns on the next beat. Each off
//! block that ends is judged: held (in the band for at least `hold_share` of it) lengthens the
//! next one by `grow_secs`, anything else shortens it by `shrink_secs`.

use serde::{Deserialize, Serialize};

use super::retention::SilentBlock;
use super::{Band, ClosedLoopError};
use crate::cadence::FadeBlocks;
use crate::cadence::closed_loop::live::Measure;

/// The shortest and longest silent block, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FadeLimits {
    pub min_off_secs: u32,
    pub max_off_secs: u32,
}

/// How the blocks adapt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FadeSettings {
    /// The blocks to start from: the plan's faded sessions use 60 s on, 30 s off.
    pub start: FadeBlocks,
    pub limits: FadeLimits,
    /// Around the target.
    pub band: Band,
    /// A silent block counts as held when at least this share of it was in the band.
    pub hold_share: f64,
    pub grow_secs: u32,
    pub shrink_secs: u32,
    /// Out of the band (or unmeasured) this long in a row ends a silent block early.
    pub give_up_secs: f64,
}

impl Default for FadeSettings {
    fn default() -> Self {
        FadeSettings {
            start: FadeBlocks {
                on_secs: crate::cadence::plan::FADED_ON_SECS,
                off_secs: crate::cadence::plan::FADED_OFF_SECS,
            },
            limits: FadeLimits {
                min_off_secs: 15,
                max_off_secs: 120,
            },
            band: Band::default(),
            hold_share: 0.8,
            grow_secs: 10,
            shrink_secs: 10,
            give_up_secs: 5.0,
        }
    }
}

impl FadeSettings {
    pub fn check(&self) -> Result<(), ClosedLoopError> {
        let FadeLimits {
            min_off_secs: lo,
            max_off_secs: hi,
        } = self.limits;
        let off = self.start.off_secs;
        if lo == 0 || lo > hi || !(lo..=hi).contains(&off) || self.start.on_secs == 0 {
            return Err(ClosedLoopError::FadeLimits {
                on: self.start.on_secs,
                off,
                min: lo,
                max: hi,
            });
        }
        let judged = self.hold_share > 0.0 && self.hold_share <= 1.0 && self.give_up_secs > 0.0;
        if !judged {
            return Err(ClosedLoopError::FadeJudgement {
                hold_share: self.hold_share,
                give_up_secs: self.give_up_secs,
            });
        }
        self.band.check()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    On {
        from_s: f64,
    },
    Off {
        from_s: f64,
        in_band_s: f64,
        out_since_s: Option<f64>,
    },
}

/// Decides, beat by beat, whether the click sounds in a faded session, and adapts the blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveFade {
    settings: FadeSettings,
    off_secs: u32,
    phase: Option<Phase>,
    last_beat_s: Option<f64>,
    silent: Vec<SilentBlock>,
}

impl AdaptiveFade {
    pub fn new(settings: FadeSettings) -> Result<AdaptiveFade, ClosedLoopError> {
        settings.check()?;
        Ok(AdaptiveFade {
            settings,
            off_secs: settings.start.off_secs,
            phase: None,
            last_beat_s: None,
            silent: Vec::new(),
        })
    }

    /// The length the next (or current) silent block is given, in seconds.
    pub fn off_secs(&self) -> u32 {
        self.off_secs
    }

    /// The silent blocks that have ended, for the retention probes.
    pub fn silent_blocks(&self) -> &[SilentBlock] {
        &self.silent
    }

    /// Whether the beat at `at_s` sounds, given the target and the cadence measured at it.
    pub fn beat(&mut self, at_s: f64, target_spm: f64, measure: Measure) -> bool {
        let dt = self.last_beat_s.map_or(0.0, |last| (at_s - last).max(0.0));
        self.last_beat_s = Some(at_s);
        let inside = measure
            .sure()
            .is_some_and(|spm| self.settings.band.holds(target_spm, spm));
        let phase = match self.phase {
            None => Phase::On { from_s: at_s },
            Some(Phase::On { from_s })
                if at_s - from_s >= f64::from(self.settings.start.on_secs) =>
            {
                Phase::Off {
                    from_s: at_s,
                    in_band_s: 0.0,
                    out_since_s: None,
                }
            }
            Some(Phase::Off {
                from_s,
                in_band_s,
                out_since_s,
            }) => {
                let in_band_s = in_band_s + if inside { dt } else { 0.0 };
                let out_since_s = if inside {
                    None
                } else {
                    out_since_s.or(Some(at_s))
                };
                let over = at_s - from_s >= f64::from(self.off_secs);
                let gave_up = out_since_s.is_some_and(|s| at_s - s >= self.settings.give_up_secs);
                if over || gave_up {
                    self.end_off(from_s, at_s, in_band_s, gave_up);
                    Phase::On { from_s: at_s }
                } else {
                    Phase::Off {
                        from_s,
                        in_band_s,
                        out_since_s,
                    }
                }
            }
            Some(on) => on,
        };
        self.phase = Some(phase);
        matches!(phase, Phase::On { .. })
    }

    fn end_off(&mut self, from_s: f64, to_s: f64, in_band_s: f64, gave_up: bool) {
        self.silent.push(SilentBlock {
            start_s: from_s,
            end_s: to_s,
        });
        let held = !gave_up && in_band_s >= self.settings.hold_share * (to_s - from_s);
        let FadeLimits {
            min_off_secs,
            max_off_secs,
        } = self.settings.limits;
        self.off_secs = if held {
            self.off_secs.saturating_add(self.settings.grow_secs)
        } else {
            self.off_secs.saturating_sub(self.settings.shrink_secs)
        }
        .clamp(min_off_secs, max_off_secs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> FadeSettings {
        FadeSettings {
            start: FadeBlocks {
                on_secs: 10,
                off_secs: 20,
            },
            limits: FadeLimits {
                min_off_secs: 10,
                max_off_secs: 40,
            },
            ..FadeSettings::default()
        }
    }

    /// Beats every half second for `secs`, the runner at `spm(t)`; the click heard at each.
    fn run(fade: &mut AdaptiveFade, from_s: f64, secs: f64, spm: impl Fn(f64) -> f64) -> Vec<bool> {
        (0..(secs * 2.0) as u32)
            .map(|i| {
                let t = from_s + f64::from(i) * 0.5;
                fade.beat(t, 170.0, Measure::Sure(spm(t)))
            })
            .collect()
    }

    #[test]
    fn on_then_off_and_the_off_block_grows_while_held() {
        let mut fade = AdaptiveFade::new(settings()).unwrap();
        let heard = run(&mut fade, 0.0, 31.0, |_| 170.0);
        // On from 0 to 10 s (beats 0–19), off from 10 to 30 s (beats 20–59), on again at 30 s.
        assert!(heard[..20].iter().all(|&h| h));
        assert!(heard[20..60].iter().all(|&h| !h));
        assert!(heard[60]);
        assert_eq!(fade.off_secs(), 30);
        assert_eq!(
            fade.silent_blocks(),
            [SilentBlock {
                start_s: 10.0,
                end_s: 30.0
            }]
        );
        run(&mut fade, 31.0, 200.0, |_| 170.0);
        assert_eq!(fade.off_secs(), 40);
    }

    #[test]
    fn a_drift_ends_the_block_early_and_shortens_the_next() {
        let mut fade = AdaptiveFade::new(settings()).unwrap();
        // Off from 10 s; the runner falls out of the band at 14 s.
        run(
            &mut fade,
            0.0,
            25.0,
            |t| if t < 14.0 { 170.0 } else { 160.0 },
        );
        assert_eq!(
            fade.silent_blocks(),
            [SilentBlock {
                start_s: 10.0,
                end_s: 19.0
            }]
        );
        assert_eq!(fade.off_secs(), 10);
        assert!(
            AdaptiveFade::new(FadeSettings {
                limits: FadeLimits {
                    min_off_secs: 30,
                    max_off_secs: 20
                },
                ..settings()
            })
            .is_err()
        );
    }
}
