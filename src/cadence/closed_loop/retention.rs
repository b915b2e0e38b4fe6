//! Retention probes and the session summary.
//!
//! Feedback helps while it is there; what is learned is what stays when it is gone (Roemmich et
//! al. 2016), and the lasting retraining was measured without the feedback (Crowell & Davis
//! 2011; Willy et al. 2016). So retention is measured only in a session's silent blocks — the
//! times the click was silent by plan or by fading — and only from readings made in them: the
//! cadence while the click sounded says how well the runner follows, not what they learned.
//!
//! A reading describes the time since the reading before it (at most `max_gap_s`), clipped to
//! its block; the first `settle_s` of a block are left out, because the ear's cadence spans the
//! last several seconds and the first readings of a block still hear the clicked steps.
//!
//! Probes are meant for blocks whose length was set in advance — a plan's faded sessions and
//! its self-check. A block the adaptive fade cut short because the runner drifted ends before
//! the readings show the drift, so probing those would favour the blocks the runner held; the
//! session's time in band ([`Tally`]) counts them instead.

use serde::{Deserialize, Serialize};

use super::Band;
use super::live::LiveCadence;

/// A stretch of a session when the click was silent, seconds on the session's clock.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SilentBlock {
    pub start_s: f64,
    pub end_s: f64,
}

/// Collects the silent blocks of a session from the beats as they play: a block starts at the
/// first silent beat and ends at the next heard one (or the session's end).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SilentBlocks {
    blocks: Vec<SilentBlock>,
    open_from_s: Option<f64>,
}

impl SilentBlocks {
    /// A beat at `at_s`, heard or silent.
    pub fn beat(&mut self, at_s: f64, heard: bool) {
        match (heard, self.open_from_s) {
            (false, None) => self.open_from_s = Some(at_s),
            (true, Some(start_s)) => {
                self.blocks.push(SilentBlock {
                    start_s,
                    end_s: at_s,
                });
                self.open_from_s = None;
            }
            _ => {}
        }
    }

    /// The blocks, the one still silent closed at `end_s`.
    pub fn finish(mut self, end_s: f64) -> Vec<SilentBlock> {
        if let Some(start_s) = self.open_from_s.take().filter(|&s| end_s > s) {
            self.blocks.push(SilentBlock { start_s, end_s });
        }
        self.blocks
    }
}

/// How retention is judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionSettings {
    /// Around the target. ±3 %, the tolerance a self-check is held to.
    pub band: Band,
    /// A stage is learned when at least this share of its silent time was measured in the band.
    pub learned_share: f64,
    /// Less than this share of the silent time measured says nothing either way.
    pub min_measured_share: f64,
    /// Readings less sure than this do not count.
    pub min_confidence: f64,
    /// Left out at the start of each silent block, seconds.
    pub settle_s: f64,
    /// The longest time one reading speaks for, seconds.
    pub max_gap_s: f64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings {
            band: Band::Percent(crate::cadence::plan::SELF_CHECK_TOLERANCE_PERCENT),
            learned_share: 0.8,
            min_measured_share: 0.5,
            min_confidence: super::live::Trust::default().min_confidence,
            settle_s: 5.0,
            max_gap_s: 2.5,
        }
    }
}

/// Time without the click, and how much of it the runner held the band. Adds up over the
/// probes of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Retention {
    /// Silent time probed (after each block's settling), seconds.
    pub silent_s: f64,
    /// Of it, time with a trusted reading.
    pub measured_s: f64,
    /// Of that, time in the band.
    pub in_band_s: f64,
}

/// Two sets of probes together (a stage's sessions).
impl std::ops::Add for Retention {
    type Output = Retention;
    fn add(self, other: Retention) -> Retention {
        Retention {
            silent_s: self.silent_s + other.silent_s,
            measured_s: self.measured_s + other.measured_s,
            in_band_s: self.in_band_s + other.in_band_s,
        }
    }
}

/// What the probes say about a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The runner held the band without the click.
    Learned,
    /// They did not: repeat the stage.
    Repeat,
    /// Too little of the silent time was measured to say.
    NotMeasured,
}

impl Retention {
    /// The probes of `blocks`, from `readings` (in any order) against `target_spm`.
    pub fn probe(
        blocks: &[SilentBlock],
        readings: &[LiveCadence],
        target_spm: f64,
        settings: &RetentionSettings,
    ) -> Retention {
        let mut sorted: Vec<LiveCadence> = readings.to_vec();
        sorted.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        let mut probe = Retention::default();
        for block in blocks {
            let from = block.start_s + settings.settle_s;
            let probed = block.end_s > from;
            if !probed {
                continue;
            }
            probe.silent_s += block.end_s - from;
            let first = sorted.partition_point(|r| r.at_s < from);
            let mut previous = first.checked_sub(1).map(|i| sorted[i].at_s);
            for r in &sorted[first..] {
                if r.at_s > block.end_s {
                    break;
                }
                let start = previous
                    .unwrap_or(f64::NEG_INFINITY)
                    .max(r.at_s - settings.max_gap_s)
                    .max(from);
                previous = Some(r.at_s);
                let secs = r.at_s - start;
                let counts = secs > 0.0 && r.confidence >= settings.min_confidence;
                if !counts {
                    continue;
                }
                probe.measured_s += secs;
                if settings.band.holds(target_spm, r.spm) {
                    probe.in_band_s += secs;
                }
            }
        }
        probe
    }

    /// Share of the silent time measured in the band, 0–1 (0 with no silent time).
    pub fn share_in_band(&self) -> f64 {
        if self.silent_s > 0.0 {
            self.in_band_s / self.silent_s
        } else {
            0.0
        }
    }

    pub fn verdict(&self, settings: &RetentionSettings) -> Verdict {
        if self.share_in_band() >= settings.learned_share {
            Verdict::Learned
        } else if self.silent_s <= 0.0
            || self.measured_s < settings.min_measured_share * self.silent_s
        {
            Verdict::NotMeasured
        } else {
            Verdict::Repeat
        }
    }
}

/// What a session record keeps of closed-loop coaching. Every field defaults, so records
/// written before it existed load with an empty summary.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClosedLoopSummary {
    /// What the click did with the cadence.
    pub mode: super::CoachMode,
    /// Session time with a trusted cadence, seconds.
    pub measured_s: f64,
    /// Of it, time within the band of the target.
    pub in_band_s: f64,
    pub clicks_heard: u64,
    pub clicks_silent: u64,
    /// Tempo changes the guided nudge made.
    pub nudges: u32,
    /// The session's retention probes, if it had silent blocks.
    pub retention: Option<Retention>,
}

impl ClosedLoopSummary {
    /// This part of a session followed by `later` (listening turned off and on again): the
    /// times, clicks, nudges and probes add up; the mode is the later one's.
    pub fn then(self, later: ClosedLoopSummary) -> ClosedLoopSummary {
        ClosedLoopSummary {
            mode: later.mode,
            measured_s: self.measured_s + later.measured_s,
            in_band_s: self.in_band_s + later.in_band_s,
            clicks_heard: self.clicks_heard + later.clicks_heard,
            clicks_silent: self.clicks_silent + later.clicks_silent,
            nudges: self.nudges + later.nudges,
            retention: match (self.retention, later.retention) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            },
        }
    }
}

/// Builds a [`ClosedLoopSummary`] beat by beat.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    band: Band,
    last_beat_s: Option<f64>,
    summary: ClosedLoopSummary,
}

impl Tally {
    /// Time in band is counted within `band` of the target.
    pub fn new(band: Band) -> Tally {
        Tally {
            band,
            last_beat_s: None,
            summary: ClosedLoopSummary::default(),
        }
    }

    /// A beat at `at_s`, heard or silent, with the cadence measured at it. The time since the
    /// previous beat counts as this beat's.
    pub fn beat(&mut self, at_s: f64, heard: bool, target_spm: f64, measure: super::live::Measure) {
        let dt = self.last_beat_s.map_or(0.0, |last| (at_s - last).max(0.0));
        self.last_beat_s = Some(at_s);
        if heard {
            self.summary.clicks_heard += 1;
        } else {
            self.summary.clicks_silent += 1;
        }
        if let Some(spm) = measure.sure() {
            self.summary.measured_s += dt;
            if self.band.holds(target_spm, spm) {
                self.summary.in_band_s += dt;
            }
        }
    }

    /// The nudge changed the tempo.
    pub fn nudged(&mut self) {
        self.summary.nudges += 1;
    }

    /// The summary so far, with the retention probes if there were any.
    pub fn summary(&self, retention: Option<Retention>) -> ClosedLoopSummary {
        ClosedLoopSummary {
            retention,
            ..self.summary
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::closed_loop::live::Measure;

    fn reading(at_s: f64, spm: f64) -> LiveCadence {
        LiveCadence {
            at_s,
            spm,
            confidence: 0.9,
        }
    }

    #[test]
    fn two_parts_of_a_session_add_up() {
        let probes = Retention {
            silent_s: 60.0,
            measured_s: 50.0,
            in_band_s: 40.0,
        };
        let first = ClosedLoopSummary {
            measured_s: 100.0,
            in_band_s: 80.0,
            clicks_heard: 10,
            clicks_silent: 200,
            retention: Some(probes),
            ..ClosedLoopSummary::default()
        };
        let later = ClosedLoopSummary {
            mode: super::super::CoachMode::Nudge,
            measured_s: 30.0,
            in_band_s: 5.0,
            clicks_heard: 90,
            nudges: 3,
            ..ClosedLoopSummary::default()
        };
        let both = first.then(later);
        assert_eq!(both.mode, super::super::CoachMode::Nudge);
        assert_eq!((both.measured_s, both.in_band_s), (130.0, 85.0));
        assert_eq!(
            (both.clicks_heard, both.clicks_silent, both.nudges),
            (100, 200, 3)
        );
        assert_eq!(both.retention, Some(probes));
    }

    #[test]
    fn only_readings_in_the_silent_blocks_count() {
        let settings = RetentionSettings {
            settle_s: 0.0,
            ..RetentionSettings::default()
        };
        // Silent from 10 to 20 s; readings every second from 0 to 30 s, off the band only while
        // the click sounded and in the block's last two seconds.
        let readings: Vec<LiveCadence> = (0..=30)
            .map(|s| {
                let t = f64::from(s);
                let off = !(10.0..=20.0).contains(&t) || t > 18.0;
                reading(t, if off { 150.0 } else { 170.0 })
            })
            .collect();
        let block = [SilentBlock {
            start_s: 10.0,
            end_s: 20.0,
        }];
        let probe = Retention::probe(&block, &readings, 170.0, &settings);
        assert_eq!(probe.silent_s, 10.0);
        assert_eq!(probe.measured_s, 10.0);
        assert_eq!(probe.in_band_s, 8.0);
        assert_eq!(probe.verdict(&settings), Verdict::Learned);
        // The same readings with the click sounding in the block say nothing of retention.
        let none = Retention::probe(&[], &readings, 170.0, &settings);
        assert_eq!(none, Retention::default());
        assert_eq!(none.verdict(&settings), Verdict::NotMeasured);
    }

    #[test]
    fn settling_gaps_and_unsure_readings_are_left_out() {
        let settings = RetentionSettings::default();
        let block = [SilentBlock {
            start_s: 0.0,
            end_s: 25.0,
        }];
        let mut readings = vec![
            reading(3.0, 170.0),
            reading(10.0, 160.0),
            reading(12.0, 170.0),
        ];
        readings.push(LiveCadence {
            confidence: 0.3,
            ..reading(14.0, 170.0)
        });
        readings.push(reading(24.0, 169.0));
        let probe = Retention::probe(&block, &readings, 170.0, &settings);
        assert_eq!(probe.silent_s, 20.0);
        // 3 s is settling; 10 s speaks for 7.5–10, 12 s for 10–12, 14 s is unsure, 24 s for 21.5–24.
        assert_eq!(probe.measured_s, 2.5 + 2.0 + 2.5);
        assert_eq!(probe.in_band_s, 4.5);
        assert_eq!(probe.verdict(&settings), Verdict::NotMeasured);
        let stage = probe
            + Retention {
                silent_s: 20.0,
                measured_s: 20.0,
                in_band_s: 10.0,
            };
        assert_eq!(stage.verdict(&settings), Verdict::Repeat);
    }

    #[test]
    fn silent_blocks_run_from_the_first_silent_beat_to_the_next_heard_one() {
        let mut log = SilentBlocks::default();
        for (i, heard) in [true, false, false, true, true, false]
            .into_iter()
            .enumerate()
        {
            log.beat(f64::from(i as u8), heard);
        }
        let blocks = log.finish(7.0);
        assert_eq!(
            blocks,
            [
                SilentBlock {
                    start_s: 1.0,
                    end_s: 3.0
                },
                SilentBlock {
                    start_s: 5.0,
                    end_s: 7.0
                }
            ]
        );
    }

    #[test]
    fn the_tally_counts_clicks_time_in_band_and_nudges_and_loads_from_nothing() {
        let mut tally = Tally::new(Band::Spm(3.0));
        tally.beat(0.0, true, 170.0, Measure::Sure(160.0));
        tally.beat(0.5, true, 170.0, Measure::Sure(168.0));
        tally.beat(1.0, false, 170.0, Measure::Sure(171.0));
        tally.beat(
            1.5,
            false,
            170.0,
            Measure::Unsure(super::super::live::Unsure::Stale),
        );
        tally.nudged();
        let summary = tally.summary(None);
        assert_eq!(summary.clicks_heard, 2);
        assert_eq!(summary.clicks_silent, 2);
        assert_eq!(summary.measured_s, 1.0);
        assert_eq!(summary.in_band_s, 1.0);
        assert_eq!(summary.nudges, 1);
        let text = ron::to_string(&summary).unwrap();
        assert_eq!(ron::from_str::<ClosedLoopSummary>(&text).unwrap(), summary);
        assert_eq!(
            ron::from_str::<ClosedLoopSummary>("()").unwrap(),
            ClosedLoopSummary::default()
        );
    }
}
