//! A closed-loop session: the controllers of this module put together the way a playing session
//! drives them, so the terminal and the window share one set of rules.
//!
//! The session hands the [`Coach`] what the live source says (readings and step times) as it
//! arrives, asks it before each beat whether that beat sounds and at what tempo
//! ([`Coach::decide`]), and tells it what each beat did once it played ([`Coach::played`]), from
//! which the time in band, the clicks heard and silent and the retention probes are kept. It
//! reads no clock: every time is seconds on the session's clock, given by the caller.
//!
//! Retention is probed only in the blocks the program itself made silent (a faded session's off
//! blocks, a self-check): the blocks click-when-off silences are silent *because* the runner was
//! in the band, so probing them would only measure the rule that made them.

use serde::{Deserialize, Serialize};

use super::live::{CadenceTracker, LiveCadence, Measure, Trust};
use super::retention::{ClosedLoopSummary, Retention, RetentionSettings, SilentBlocks, Tally};
use super::{
    AdaptiveFade, Band, ClickWhenOff, ClickWhenOffSettings, ClosedLoopError, CoachMode,
    FadeSettings, GuidedNudge, NudgeSettings,
};
use crate::cadence::{FadeBlocks, Spm};

/// Step times closer than this to the last one are the same step reported again (the ear
/// re-times the steps of its window with every report): 300 spm is faster than anyone runs.
const MIN_STEP_INTERVAL_S: f64 = 0.2;

/// The guided nudge listens first: its click joins the runner at their own cadence, so it
/// stays silent until that is heard, for at most this long; then it plays the program's tempo
/// rather than leave a runner the ear cannot hear without a click.
pub const LISTEN_FIRST_S: f64 = 15.0;

/// At most this many readings are kept for the retention probes: one a second for ten hours.
const MAX_READINGS: usize = 36_000;

/// Everything a closed-loop session is set up with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoachSettings {
    pub mode: CoachMode,
    /// The band of click when off; also the band time in band is counted in.
    pub when_off: ClickWhenOffSettings,
    pub nudge: NudgeSettings,
    pub trust: Trust,
    pub retention: RetentionSettings,
    /// How a faded session's blocks adapt (their start is the session's own blocks).
    pub fade: FadeSettings,
}

/// Every click, the default bands, trusting the microphone as it reports.
impl Default for CoachSettings {
    fn default() -> Self {
        CoachSettings {
            mode: CoachMode::default(),
            when_off: ClickWhenOffSettings::default(),
            nudge: NudgeSettings::default(),
            trust: Trust::microphone(),
            retention: RetentionSettings::default(),
            fade: FadeSettings::default(),
        }
    }
}

impl CoachSettings {
    /// Click when off within `band_spm` either side of the target.
    pub fn when_off(band_spm: f64) -> CoachSettings {
        CoachSettings {
            mode: CoachMode::WhenOff,
            when_off: ClickWhenOffSettings {
                band: Band::Spm(band_spm),
                ..ClickWhenOffSettings::default()
            },
            ..CoachSettings::default()
        }
    }

    /// Refuses settings no controller can work with; the message names the value.
    pub fn check(&self) -> Result<(), ClosedLoopError> {
        self.when_off.band.check()?;
        self.nudge.check()?;
        self.fade.check()?;
        self.retention.band.check()
    }
}

/// What the next beat does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoachBeat {
    /// The click sounds (if the program sounds it: a planned off block stays off).
    pub sound: bool,
    /// A new tempo, from this beat on (the guided nudge).
    pub tempo: Option<Spm>,
}

/// One session's closed loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Coach {
    settings: CoachSettings,
    tracker: CadenceTracker,
    when_off: ClickWhenOff,
    /// The nudge's target, and the nudge once the runner's cadence is known.
    nudge_to: Option<Spm>,
    nudge: Option<GuidedNudge>,
    tally: Tally,
    /// The beats the program left silent, for the probes.
    planned_silent: SilentBlocks,
    readings: Vec<LiveCadence>,
    last_step_s: Option<f64>,
    /// The target at the start of each planned silent block, in order, for its probe.
    block_targets: Vec<f64>,
    /// Whether the last beat played was planned to sound.
    last_planned: bool,
    /// The first beat decided.
    first_beat_s: Option<f64>,
    /// Faded feedback by the runner's cadence, while the session is in a faded part: its own
    /// blocks, and the fade made from them.
    fade_blocks: Option<FadeBlocks>,
    fade: Option<AdaptiveFade>,
}

impl Coach {
    /// A coach for a session; `nudge_to` is the guided nudge's target (needed in that mode).
    pub fn new(settings: CoachSettings, nudge_to: Option<Spm>) -> Result<Coach, ClosedLoopError> {
        settings.check()?;
        Ok(Coach {
            settings,
            tracker: CadenceTracker::new(settings.trust),
            when_off: ClickWhenOff::new(settings.when_off)?,
            nudge_to: nudge_to.filter(|_| settings.mode == CoachMode::Nudge),
            nudge: None,
            tally: Tally::new(settings.when_off.band),
            planned_silent: SilentBlocks::default(),
            readings: Vec::new(),
            last_step_s: None,
            block_targets: Vec::new(),
            last_planned: true,
            first_beat_s: None,
            fade_blocks: None,
            fade: None,
        })
    }

    pub fn mode(&self) -> CoachMode {
        self.settings.mode
    }

    pub fn settings(&self) -> &CoachSettings {
        &self.settings
    }

    /// A reading from the live source.
    pub fn reading(&mut self, reading: LiveCadence) {
        self.tracker.reading(reading);
        if self.readings.len() < MAX_READINGS {
            self.readings.push(reading);
        }
    }

    /// A footfall; one reported again (within a fifth of a second of the last) is ignored.
    pub fn step(&mut self, at_s: f64) {
        if self
            .last_step_s
            .is_some_and(|last| at_s < last + MIN_STEP_INTERVAL_S)
        {
            return;
        }
        self.last_step_s = Some(at_s);
        self.tracker.step(at_s);
    }

    /// The cadence as it is known at `at_s`.
    pub fn measure(&self, at_s: f64) -> Measure {
        self.tracker.measure(at_s)
    }

    /// Whether the beat at `at_s` sounds, and the tempo from it on; `target_spm` is the tempo
    /// the program asks for at that beat. Called once per beat, before it plays.
    pub fn decide(&mut self, at_s: f64, target_spm: f64) -> CoachBeat {
        let measure = self.tracker.measure(at_s);
        let first = *self.first_beat_s.get_or_insert(at_s);
        // In a faded part the fade decides first; the mode can only hold the click quieter.
        let faded = self
            .fade
            .as_mut()
            .is_none_or(|fade| fade.beat(at_s, target_spm, measure));
        let beat = match self.settings.mode {
            CoachMode::Always => CoachBeat {
                sound: true,
                tempo: None,
            },
            CoachMode::WhenOff => CoachBeat {
                sound: self.when_off.beat(target_spm, measure),
                tempo: None,
            },
            CoachMode::Nudge => {
                let tempo = self.nudge_beat(at_s);
                CoachBeat {
                    sound: self.nudge.is_some() || at_s - first >= LISTEN_FIRST_S,
                    tempo,
                }
            }
        };
        CoachBeat {
            sound: beat.sound && faded,
            ..beat
        }
    }

    /// The session is in a faded part with these blocks (or in none): from here the coach
    /// fades the click itself, starting from the blocks and lengthening or shortening the
    /// silent ones by how the runner holds the band, within the fade's limits (widened to take
    /// in the part's own off length). The caller lets the part's planned off blocks sound.
    pub fn fading(&mut self, blocks: Option<FadeBlocks>) {
        if blocks == self.fade_blocks {
            return;
        }
        self.fade_blocks = blocks;
        self.fade = blocks.and_then(|start| {
            let mut settings = FadeSettings {
                start,
                band: self.settings.when_off.band,
                ..self.settings.fade
            };
            let limits = &mut settings.limits;
            limits.min_off_secs = limits.min_off_secs.min(start.off_secs).max(1);
            limits.max_off_secs = limits.max_off_secs.max(start.off_secs);
            AdaptiveFade::new(settings).ok()
        });
    }

    /// The silent blocks' length now, while the coach fades the click.
    pub fn fade_off_secs(&self) -> Option<u32> {
        self.fade.as_ref().map(AdaptiveFade::off_secs)
    }

    /// The guided nudge: started at the runner's settled cadence once it is known (the click
    /// silent until then, see [`LISTEN_FIRST_S`]), then moved by its own rules.
    fn nudge_beat(&mut self, at_s: f64) -> Option<Spm> {
        let target = self.nudge_to?;
        let settled = self.tracker.settled(at_s);
        match &mut self.nudge {
            Some(nudge) => {
                let next = nudge.beat(settled);
                if next.is_some() {
                    self.tally.nudged();
                }
                next
            }
            None => {
                let spm = settled.sure()?;
                let nudge = GuidedNudge::from_measured(spm, target, self.settings.nudge).ok()?;
                let start = nudge.tempo();
                self.nudge = Some(nudge);
                Some(start)
            }
        }
    }

    /// The beat at `at_s` played: `heard` whether its click sounded, `planned` whether the
    /// program meant it to (false in a planned off block), against `target_spm`.
    pub fn played(&mut self, at_s: f64, heard: bool, planned: bool, target_spm: f64) {
        let measure = self.tracker.measure(at_s);
        let target = self.nudge_to.map_or(target_spm, Spm::get);
        self.tally.beat(at_s, heard, target, measure);
        self.planned_silent.beat(at_s, planned);
        if self.last_planned && !planned {
            self.block_targets.push(target);
        }
        self.last_planned = planned;
    }

    /// A new target for the nudge (the runner changed it); the tempo moves toward it from
    /// where it is, by the same small changes.
    pub fn set_nudge_target(&mut self, target: Spm) {
        if self.settings.mode != CoachMode::Nudge {
            return;
        }
        self.nudge_to = Some(target);
        if let Some(nudge) = &mut self.nudge {
            nudge.set_target(target);
        }
    }

    /// Where the guided nudge is heading, in that mode.
    pub fn nudge_target(&self) -> Option<Spm> {
        self.nudge_to
    }

    /// The nudge's tempo now, once it has started.
    pub fn nudge_tempo(&self) -> Option<Spm> {
        self.nudge.as_ref().map(GuidedNudge::tempo)
    }

    /// The session so far without the probes: cheap enough for every frame drawn.
    pub fn running(&self) -> ClosedLoopSummary {
        ClosedLoopSummary {
            mode: self.settings.mode,
            ..self.tally.summary(None)
        }
    }

    /// The session so far, the probes of its planned silent blocks up to `end_s` included.
    pub fn summary(&self, end_s: f64) -> ClosedLoopSummary {
        // Each block against the tempo asked for in it (a self-check's main part, not the
        // cool-down after it).
        let blocks = self.planned_silent.clone().finish(end_s);
        let retention = blocks
            .iter()
            .zip(&self.block_targets)
            .map(|(block, &target)| {
                Retention::probe(
                    std::slice::from_ref(block),
                    &self.readings,
                    target,
                    &self.settings.retention,
                )
            })
            .reduce(|a, b| a + b);
        ClosedLoopSummary {
            mode: self.settings.mode,
            ..self.tally.summary(retention)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(at_s: f64, spm: f64) -> LiveCadence {
        LiveCadence {
            at_s,
            spm,
            confidence: 0.9,
        }
    }

    #[test]
    fn a_step_reported_again_is_one_step() {
        let mut coach = Coach::new(CoachSettings::when_off(3.0), None).unwrap();
        coach.reading(reading(3.0, 150.0));
        for n in 0..10 {
            let at = f64::from(n) * 60.0 / 170.0;
            coach.step(at);
            coach.step(at + 0.004);
        }
        let spm = coach.measure(3.2).sure().unwrap();
        assert!((spm - 170.0).abs() < 0.1, "{spm}");
    }

    #[test]
    fn every_click_mode_only_measures() {
        let mut coach = Coach::new(CoachSettings::default(), None).unwrap();
        coach.reading(reading(0.0, 170.0));
        for n in 0..20 {
            let at = f64::from(n) * 60.0 / 170.0;
            assert_eq!(
                coach.decide(at, 170.0),
                CoachBeat {
                    sound: true,
                    tempo: None
                }
            );
            coach.played(at, true, true, 170.0);
            if n % 3 == 0 {
                coach.reading(reading(at, 170.0));
            }
        }
        let s = coach.summary(20.0 * 60.0 / 170.0);
        assert_eq!((s.clicks_heard, s.clicks_silent, s.nudges), (20, 0, 0));
        assert_eq!(s.mode, CoachMode::Always);
        assert!(s.in_band_s > 6.0 && s.retention.is_none(), "{s:?}");
    }

    #[test]
    fn a_nudge_needs_its_target_and_settings_are_checked() {
        let mut settings = CoachSettings {
            mode: CoachMode::Nudge,
            ..CoachSettings::default()
        };
        let mut coach = Coach::new(settings, None).unwrap();
        coach.reading(reading(0.0, 160.0));
        assert_eq!(coach.decide(0.1, 170.0).tempo, None);
        settings.nudge.max_change_percent = 4.0;
        assert_eq!(
            Coach::new(settings, Spm::new(170.0).ok()),
            Err(ClosedLoopError::NudgePercent(4.0))
        );
    }

    #[test]
    fn in_a_faded_part_the_blocks_follow_the_runner_and_leave_with_it() {
        let mut coach = Coach::new(CoachSettings::default(), None).unwrap();
        let beat = 60.0 / 170.0;
        let blocks = FadeBlocks {
            on_secs: 20,
            off_secs: 20,
        };
        coach.fading(Some(blocks));
        assert_eq!(coach.fade_off_secs(), Some(20));
        // A runner holding 170 for four minutes: the silent blocks grow.
        let mut silent = 0;
        for n in 0..680 {
            let at = f64::from(n) * beat;
            if n % 3 == 0 {
                coach.reading(reading(at, 170.0));
            }
            coach.step(at);
            let d = coach.decide(at, 170.0);
            silent += usize::from(!d.sound);
            coach.played(at, d.sound, true, 170.0);
        }
        assert!(
            coach.fade_off_secs().unwrap() > 20,
            "{:?}",
            coach.fade_off_secs()
        );
        assert!(silent > 340, "{silent} of 680 silent");
        // Out of the faded part: every click again.
        coach.fading(None);
        assert_eq!(coach.fade_off_secs(), None);
        assert!(coach.decide(680.0 * beat, 170.0).sound);
    }

    #[test]
    fn probes_come_from_the_planned_silence_not_the_silence_click_when_off_made() {
        let mut coach = Coach::new(CoachSettings::when_off(3.0), None).unwrap();
        let beat = 60.0 / 170.0;
        // 60 s: the first half clicked by plan (but quiet by click when off), the second half a
        // planned off block, runner at 170 throughout.
        for n in 0..170 {
            let at = f64::from(n) * beat;
            if n % 3 == 0 {
                coach.reading(reading(at, 170.0));
            }
            coach.step(at);
            let planned = n >= 85;
            let d = coach.decide(at, 170.0);
            coach.played(at, d.sound && planned, planned, 170.0);
        }
        let s = coach.summary(170.0 * beat);
        let r = s.retention.unwrap();
        // Only the planned block (85 beats, 30 s) less its 5 s of settling is probed.
        assert!((r.silent_s - 25.0).abs() < 0.5, "{r:?}");
        assert!(r.in_band_s > 23.0, "{r:?}");
        assert_eq!(s.clicks_heard + s.clicks_silent, 170);
    }
}
