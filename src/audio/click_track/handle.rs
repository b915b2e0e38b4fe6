//! What a track plays, and the handle that steers a playing track from any thread and reads its
//! clock. Every call goes through the wait-free atomics of `control`, so none can stall the audio
//! thread.

use std::sync::Arc;
use std::sync::atomic::Ordering::*;
use std::time::Duration;

use crate::audio::control::{BeatSnapshot, Shared, SoundedClick};
use crate::cadence::{BeatCursor, ClickSettings, Spm, Workout};

/// What a track plays.
#[derive(Debug, Clone)]
pub enum Program {
    /// One tempo until stopped (or for `duration_ms`); the tempo and fade can change live.
    Open { spm: Spm, duration_ms: Option<u64> },
    /// A workout: its segments own tempo and click on/off.
    Workout(Workout),
}

impl Program {
    pub fn first_spm(&self) -> Spm {
        match self {
            Program::Open { spm, .. } => *spm,
            Program::Workout(w) => w.segments()[0].tempo.start(),
        }
    }

    /// Length in milliseconds, if it ends by itself.
    pub fn duration_ms(&self) -> Option<u64> {
        match self {
            Program::Open { duration_ms, .. } => *duration_ms,
            Program::Workout(w) => Some(w.duration_ms()),
        }
    }

    /// The program's beats at `rate`.
    pub fn cursor(&self, rate: u32) -> BeatCursor {
        match self {
            Program::Open { spm, duration_ms } => BeatCursor::open(*spm, *duration_ms, rate),
            Program::Workout(w) => BeatCursor::workout(w, rate),
        }
    }

    /// The frame at `rate` where it ends by itself, if it does.
    pub fn end_frame(&self, rate: u32) -> Option<u64> {
        self.cursor(rate).end_frame()
    }
}

/// Controls a playing track from any thread, and reads its clock. Cheap to clone.
#[derive(Clone)]
pub struct TrackHandle {
    pub(super) shared: Arc<Shared>,
    pub(super) program: Arc<Program>,
}

impl TrackHandle {
    /// Changes the tempo of an open track from the next beat on (with music playing, from the
    /// first beat past the music's lead, about 0.4 s). Workouts ignore it.
    pub fn set_spm(&self, spm: Spm) {
        self.shared.controls.set_spm(spm, self.frames());
    }

    /// Shifts a workout's tempos by `half_steps` half-steps per minute against the workout as
    /// written, from the next beat to the end. Open tracks ignore it (they change tempo).
    pub fn set_shift(&self, half_steps: i32) {
        self.shared.controls.set_shift(half_steps, self.frames());
    }

    /// The workout shift asked for, in half-steps per minute.
    pub fn shift(&self) -> i32 {
        self.shared.controls.shift()
    }

    /// The shifts the workout made, from the `from`-th on: (step index, half-steps), each in
    /// force from the step after `index`.
    pub fn shifts_since(&self, from: usize) -> Vec<(u64, i32)> {
        self.shared.status.shifts.since(from)
    }

    /// The clicks that sounded from the `from`-th on (those still kept: the last
    /// [`CLICK_LOG_LEN`](crate::audio::control::CLICK_LOG_LEN)), appended to `out`; returns the
    /// count to ask from next time.
    pub fn clicks_since(&self, from: usize, out: &mut Vec<SoundedClick>) -> usize {
        self.shared.status.clicks.since(from, out)
    }

    /// True when the workout cannot make another shift.
    pub fn shifts_full(&self) -> bool {
        self.shared.status.shifts.is_full()
    }

    /// The tempo asked for (an open track plays it from the next beat).
    pub fn spm(&self) -> Spm {
        self.shared.controls.spm()
    }

    /// Changes sound, volume, accents, quiet pattern, panning and fading from the next beat on.
    pub fn set_settings(&self, settings: ClickSettings) {
        self.shared.controls.set_settings(settings);
    }

    pub fn settings(&self) -> ClickSettings {
        self.shared.controls.settings()
    }

    /// Holds the click silent from the next beat on (or lets it sound again), keeping the grid
    /// and the clock: no click is cut short, and none is logged while silent.
    pub fn set_quiet(&self, quiet: bool) {
        self.shared.controls.set_quiet(quiet);
    }

    /// Lets a faded segment's planned off blocks sound from the next beat on (or not): a coach
    /// that fades the click by the runner's cadence makes its own blocks with
    /// [`set_quiet`](Self::set_quiet). A click-off segment stays silent either way.
    pub fn set_unfaded(&self, unfaded: bool) {
        self.shared.controls.set_unfaded(unfaded);
    }

    /// Leaves the click out from the next beat on (or brings it back), as under the runner's
    /// music with "click on top" off: the grid and the clock go on, and no click is logged.
    pub fn set_click_muted(&self, muted: bool) {
        self.shared.controls.set_click_muted(muted);
    }

    pub fn click_muted(&self) -> bool {
        self.shared.controls.click_muted()
    }

    /// The music's volume, 0–1 (as the click's: on the perceived curve).
    pub fn set_music_volume(&self, volume: f32) {
        self.shared
            .controls
            .set_music_gain(super::perceived_gain(volume));
    }

    /// The tempo asked for (half-steps per minute) and the frame it was asked at.
    pub(crate) fn tempo_request(&self) -> (u32, u64) {
        self.shared.controls.tempo_request()
    }

    /// The workout shift asked for and the frame it was asked at.
    pub(crate) fn shift_request(&self) -> (i32, u64) {
        self.shared.controls.shift_request()
    }

    /// Makes a tempo change wait `frames` after it is asked for (the music's lead), so that
    /// music prepared ahead changes on the same beat as the click.
    pub(crate) fn set_tempo_delay(&self, frames: u64) {
        self.shared.controls.set_tempo_delay(frames);
    }

    pub(crate) fn tempo_delay(&self) -> u64 {
        self.shared.controls.tempo_delay()
    }

    /// Where an open tempo's grid stands: (anchor frame, its step, half-steps per minute;
    /// 0 while the first tempo holds).
    pub(crate) fn open_grid(&self) -> (u64, u64, u32) {
        self.shared.status.grid()
    }

    /// The player's side of the channels that carry music into the track playing now.
    pub(crate) fn music_port(&self) -> std::sync::MutexGuard<'_, crate::audio::music::MusicPort> {
        self.shared.music.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops after the click that is sounding now has finished.
    pub fn stop(&self) {
        self.shared.controls.request_stop();
    }

    /// True once the track has ended (stopped, or the workout is over) and its last click is done.
    pub fn finished(&self) -> bool {
        self.shared.status.finished.load(Acquire)
    }

    /// Frames played since the start: the session clock.
    pub fn frames(&self) -> u64 {
        self.shared.status.frames.load(Acquire)
    }

    /// The rate the clock counts in.
    pub fn rate(&self) -> u32 {
        self.shared.rate.load(Relaxed)
    }

    /// The frames generated so far and when that count was reached: the window interpolates
    /// the heard position from it between two device callbacks.
    pub fn clock_observation(&self) -> (u64, std::time::Instant) {
        let status = &self.shared.status;
        let frames = status.frames.load(Acquire);
        let nanos = status.rendered_at_nanos.load(Relaxed);
        (frames, self.shared.base + Duration::from_nanos(nanos))
    }

    /// Time played since the start, from the frame clock.
    pub fn elapsed(&self) -> Duration {
        let rate = u64::from(self.rate().max(1));
        let frames = self.frames();
        Duration::from_secs(frames / rate)
            + Duration::from_nanos((frames % rate) * 1_000_000_000 / rate)
    }

    /// The latest beat that started, if any.
    pub fn beat(&self) -> Option<BeatSnapshot> {
        self.shared.status.beat()
    }

    /// True when both handles control the same track.
    pub fn same_track(&self, other: &TrackHandle) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    pub fn program(&self) -> &Program {
        &self.program
    }
}
