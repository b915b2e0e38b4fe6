//! The closed loop on a playing track: what the microphone heard goes to a [`Coach`], and the
//! coach's decisions go to the track — the click held quiet from the next beat, or a new tempo.
//!
//! Followed from the session's loop (the terminal's poll, the window's `logic`), not from the
//! audio callback: a decision is made once the beat before it has started, about a beat ahead,
//! and the track latches it when that beat begins, so a click is never cut short. Everything
//! is on the track's clock: the beats' frames, and the steps as the microphone times them
//! (when the click the runner heard with them was sent).

use crate::audio::microphone::MicState;
use crate::audio::{Program, TrackHandle};
use crate::cadence::closed_loop::{ClosedLoopSummary, Coach, CoachMode, LiveCadence};
use crate::cadence::{Click, FadeBlocks, Spm};

/// A coach following one track.
#[derive(Debug)]
pub struct CoachLink {
    coach: Coach,
    /// The microphone report last taken in (its seconds heard), so each is taken once.
    last_report: Option<f64>,
    /// The last beat seen, by index.
    last_beat: Option<u64>,
    /// The beat the quiet was last asked for, and whether it was.
    asked: Option<(u64, bool)>,
    /// Whether the last beat played was held quiet by the coach.
    quiet_now: bool,
}

/// What the running view shows of the loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoachView {
    pub mode: CoachMode,
    /// Session seconds measured within the band of the target, and measured at all.
    pub in_band_s: f64,
    pub measured_s: f64,
    /// The last beat was held quiet because the runner was in the band.
    pub quiet: bool,
    pub nudges: u32,
    /// The nudge's tempo, once it started.
    pub nudge_tempo: Option<Spm>,
    /// In a faded part: the silent blocks' length now, as the coach adapts them.
    pub fade_off_secs: Option<u32>,
}

impl CoachLink {
    pub fn new(coach: Coach) -> CoachLink {
        CoachLink {
            coach,
            last_report: None,
            last_beat: None,
            asked: None,
            quiet_now: false,
        }
    }

    pub fn coach(&self) -> &Coach {
        &self.coach
    }

    /// The runner changed the target: the nudge moves toward it instead. Returns whether the
    /// coach sets the tempo (a nudge under way), so the caller leaves the track's tempo alone.
    pub fn retarget(&mut self, target: Spm) -> bool {
        self.coach.set_nudge_target(target);
        self.coach.nudge_tempo().is_some()
    }

    /// Takes in what is new on the microphone and the track; call it often (every poll or
    /// frame, at least a few times a beat).
    pub fn follow(&mut self, track: &TrackHandle, mic: Option<&MicState>) {
        let now_s = seconds(track, track.frames());
        if let Some(state) = mic {
            self.hear(state, now_s);
        }
        let Some(beat) = track.beat() else {
            return;
        };
        if self.last_beat == Some(beat.index) {
            return;
        }
        self.last_beat = Some(beat.index);
        let at_s = seconds(track, beat.frame);
        let tempo = f64::from(beat.milli_spm) / 1000.0;
        // A faded part's blocks are the coach's to make: its planned off blocks sound, and
        // they are not probes (blocks cut short by a drift would favour the ones held).
        let blocks = fade_blocks(track, &beat);
        self.coach.fading(blocks);
        track.set_unfaded(blocks.is_some());
        self.coach
            .played(at_s, beat.sounded, beat.planned || beat.faded, tempo);
        self.quiet_now = self.asked == Some((beat.index, true));
        // The next beat, a beat on.
        let next = self.coach.decide(at_s + 60.0 / tempo, tempo);
        track.set_quiet(!next.sound);
        self.asked = Some((beat.index + 1, !next.sound));
        if let (Some(spm), Program::Open { .. }) = (next.tempo, track.program()) {
            track.set_spm(spm);
        }
    }

    fn hear(&mut self, state: &MicState, now_s: f64) {
        if self.last_report == Some(state.heard_s) {
            return;
        }
        self.last_report = Some(state.heard_s);
        let Some(h) = &state.hearing else {
            return;
        };
        // Steps are on the track's clock only once the round trip is known.
        if state.round_trip.is_some() {
            for step in &h.steps {
                self.coach.step(step.at_s);
            }
        }
        self.coach.reading(LiveCadence {
            at_s: now_s,
            spm: h.cadence_spm,
            confidence: h.confidence,
        });
    }

    /// The loop as the running view shows it.
    pub fn view(&self) -> CoachView {
        // Drawn every frame: the tally only, not the probes (they sort every reading).
        let s = self.coach.running();
        CoachView {
            mode: self.coach.mode(),
            in_band_s: s.in_band_s,
            measured_s: s.measured_s,
            quiet: self.quiet_now,
            nudges: s.nudges,
            nudge_tempo: self.coach.nudge_tempo(),
            fade_off_secs: self.coach.fade_off_secs(),
        }
    }

    /// The session's summary up to the track's time now.
    pub fn summary(&self, track: &TrackHandle) -> ClosedLoopSummary {
        self.coach.summary(seconds(track, track.frames()))
    }

    /// The summary, the coach done with the track: its click sounds again, by its own plan.
    pub fn finish(&self, track: &TrackHandle) -> ClosedLoopSummary {
        track.set_quiet(false);
        track.set_unfaded(false);
        self.summary(track)
    }
}

/// The blocks of the faded part `beat` is in: a workout segment's, or an open tempo's.
fn fade_blocks(track: &TrackHandle, beat: &crate::audio::BeatSnapshot) -> Option<FadeBlocks> {
    if !beat.faded {
        return None;
    }
    match track.program() {
        Program::Workout(w) => match w.segments().get(beat.segment)?.click {
            Click::Faded { on_secs, off_secs } => Some(FadeBlocks { on_secs, off_secs }),
            _ => None,
        },
        Program::Open { .. } => track.settings().fade,
    }
}

fn seconds(track: &TrackHandle, frames: u64) -> f64 {
    frames as f64 / f64::from(track.rate().max(1))
}
