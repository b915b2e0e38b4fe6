//! The session being played: starting and stopping it, the tempo asked for, following the audio
//! clock (recording, the end of a workout, the cue chime), and when to look at the clock next —
//! at the next step while the window is shown, only when something is due while it is hidden.

use std::time::Duration;

use super::CoachApp;
use crate::audio::Program;
use crate::cadence::cues::{CUES, cue_at};
use crate::cadence::session::Ending;
use crate::cadence::{Spm, shift_text};
use crate::store::settings::Settings;
use crate::ui::run::RunShown;

/// While hidden, how long after a due moment the app looks (the clock is read a little late
/// rather than a little early, so the step or the end it waits for has been heard).
const DUE_MARGIN: Duration = Duration::from_millis(30);

/// How far ± can move a playing workout from its tempos as written: 20 spm either way.
const MAX_SHIFT_HALF_STEPS: i32 = 40;

impl CoachApp {
    pub(super) fn start(&mut self) {
        let program = match (
            &self.run.loaded,
            self.settings.preset.workout(self.settings.target),
        ) {
            (Some(workout), _) => Program::Workout(workout.clone()),
            (None, Some(workout)) => Program::Workout(workout),
            (None, None) => Program::Open {
                spm: self.settings.target,
                duration_ms: None,
            },
        };
        let target = self.session_target();
        let track = self.engine.play(program, self.settings.click);
        let error = self.recording.start(
            track.program(),
            track.rate(),
            target.get(),
            self.run.plan_link.clone(),
        );
        self.run.message = None;
        // Taps belong to the session they were tapped in.
        self.run.taps.reset();
        self.note(error);
        self.track = Some(track);
        self.playing = true;
        self.clock = super::clock::UiClock::default();
        self.run.cue_skip = 0;
        self.last_cue = None;
        self.coach_earlier = None;
        self.start_music();
    }

    pub(super) fn stop(&mut self) {
        self.finish_coach();
        self.stop_music();
        if let Some(track) = &self.track {
            track.stop();
        }
        self.playing = false;
        let ended = self.recording.end(Ending::Stopped);
        self.ended(ended);
    }

    /// Forgets the last session's clock once another workout is chosen, so its time is not
    /// shown against the new one.
    pub(super) fn forget_last_session(&mut self) {
        if !self.playing {
            self.track = None;
            self.heard = super::Heard::default();
        }
    }

    /// The index of the form cue on show.
    pub fn current_cue(&self) -> usize {
        let elapsed = self.heard.elapsed.as_secs();
        let base = cue_at(elapsed, u64::from(self.settings.cue_minutes) * 60, None);
        match self.run.pinned_cue {
            Some(i) => i,
            None => (base + self.run.cue_skip) % CUES.len(),
        }
    }

    pub(super) fn set_target(&mut self, spm: Spm) {
        self.run.view.typed = spm.to_string();
        if spm != self.settings.target {
            let mut settings = self.settings.clone();
            settings.target = spm;
            self.update_settings(settings);
        }
        self.run.message = self.target_note(spm);
    }

    /// ± while a workout plays: the rest of the workout moves by `delta` spm from the next step
    /// (the record names the shifted parts); the saved target is left alone.
    pub(super) fn shift_workout(&mut self, delta: f64) {
        let Some(track) = &self.track else {
            return;
        };
        if track.shifts_full() {
            self.run.message =
                Some("This workout's tempo cannot be changed again; it plays on as it is".into());
            return;
        }
        let wanted = track.shift() + (delta * 2.0).round() as i32;
        let half = wanted.clamp(-MAX_SHIFT_HALF_STEPS, MAX_SHIFT_HALF_STEPS);
        track.set_shift(half);
        self.run.message = Some(if half == 0 {
            "The rest of the workout plays as written".to_string()
        } else if half != wanted {
            format!(
                "The rest of the workout plays {} (as far as it goes); the target stays {} spm",
                shift_text(half),
                self.settings.target
            )
        } else {
            format!(
                "The rest of the workout plays {}; the target stays {} spm",
                shift_text(half),
                self.settings.target
            )
        });
    }

    /// The workout's shift asked for, in half-steps per minute (0 when none plays).
    pub fn workout_shift(&self) -> i32 {
        match &self.track {
            Some(track) if self.playing_workout().is_some() => track.shift(),
            _ => 0,
        }
    }

    /// What a new target means now: a workout playing or loaded keeps its own tempo (said, so
    /// the key press is not taken for lost); an unusual cadence is pointed out.
    fn target_note(&self, spm: Spm) -> Option<String> {
        if self.playing_workout().is_some() {
            return Some(format!(
                "Target {spm} spm saved; the workout playing keeps its own tempo until it ends"
            ));
        }
        if let Some(w) = &self.run.loaded {
            return Some(format!(
                "Target {spm} spm saved for runs without a workout; '{}' plays its own tempo",
                w.name()
            ));
        }
        spm.unusual_note()
    }

    /// The workout being played, if one is.
    pub fn playing_workout(&self) -> Option<&crate::cadence::Workout> {
        match self.track.as_ref()?.program() {
            Program::Workout(w) if self.playing => Some(w),
            _ => None,
        }
    }

    /// The target of a session started now: a loaded workout's own tempo (a plan session, a
    /// file); the Run screen's target for the built-in workouts, which are shaped around it,
    /// and for the open metronome.
    fn session_target(&self) -> Spm {
        self.run
            .loaded
            .as_ref()
            .and_then(|w| w.main_spm())
            .unwrap_or(self.settings.target)
    }

    /// The cadence the runner is asked for now: while a workout plays, the tempo heard (the
    /// session's target before the first step); before the start, a loaded workout's main
    /// tempo; otherwise the target.
    pub fn asked_spm(&self) -> f64 {
        if self.playing_workout().is_some() {
            return match self.heard.beat {
                Some(b) => f64::from(b.milli_spm) / 1000.0,
                None => self
                    .recording
                    .target()
                    .unwrap_or(self.settings.target.get()),
            };
        }
        if self.playing {
            return self.settings.target.get();
        }
        self.session_target().get()
    }

    /// What the Run screen shows, read-only.
    pub(crate) fn run_snapshot(&self) -> RunShown<'_> {
        RunShown {
            settings: &self.settings,
            playing: self.playing,
            started: self.track.is_some(),
            heard: self.heard,
            workout: self.playing_workout(),
            loaded: self.run.loaded.as_ref(),
            asked_spm: self.asked_spm(),
            message: self.run.message.as_deref(),
            taps: &self.run.taps,
            cue: self.current_cue(),
            pinned: self.run.pinned_cue.is_some(),
            shift: self.workout_shift(),
            music: self.music_snapshot(),
            ear: self
                .settings
                .listening
                .then(|| crate::ui::run_ear::EarShown::new(self.mic_state()))
                .map(|ear| ear.with_coach(self.coach_view())),
        }
    }

    pub(super) fn update_settings(&mut self, settings: Settings) {
        if settings == self.settings {
            return;
        }
        if settings.output_device != self.settings.output_device {
            self.engine.set_device(settings.output_device.clone());
        }
        let data_dir_changed = settings.data_dir != self.settings.data_dir;
        let units_changed = settings.units != self.settings.units;
        self.settings = settings;
        if data_dir_changed {
            self.recording.data_dir = crate::store::data_dir::resolve_data_dir(
                self.data_dir_flag.as_deref(),
                self.settings.data_dir.as_deref(),
            );
            let (history, damaged) =
                super::history::load_history(&self.recording.data_dir, &self.settings);
            self.history = history;
            self.load_plan();
            damaged.into_iter().for_each(|d| self.note(Some(d)));
        }
        if units_changed {
            self.history.refresh(self.settings.units);
        }
        // While the nudge moves the tempo, a new target is the nudge's to reach.
        let nudging = self.coach_takes_target(self.settings.target);
        if let Some(track) = &self.track {
            track.set_settings(self.settings.click);
            if !nudging {
                track.set_spm(self.settings.target);
            }
        }
        self.apply_music_settings();
        self.settings_dirty
            .get_or_insert_with(std::time::Instant::now);
    }

    /// Reads the audio clock; records what was heard, ends a finished workout (the review
    /// opens) and rings the cue chime.
    pub(super) fn follow_clock(&mut self, device: &crate::audio::DeviceState) {
        let Some(track) = &self.track else {
            self.heard = super::Heard::default();
            return;
        };
        let measured = self
            .ear
            .as_ref()
            .and_then(|e| e.state.as_ref())
            .and_then(|s| s.round_trip);
        let device = lamp_device(device, measured);
        self.heard = self
            .clock
            .read(track, &device, Some(track.clock_observation()));
        if self.playing {
            let shifts = track.shifts_since(self.recording.shifts_known());
            let error = self
                .recording
                .observe(&self.heard, track.program(), track.rate(), &shifts);
            if track.finished() {
                if let Some(link) = self.coach.take() {
                    let summary = link.finish(track);
                    let whole = self
                        .coach_earlier
                        .take()
                        .map_or(summary, |e| e.then(summary));
                    self.recording.set_closed_loop(whole);
                }
                self.playing = false;
                let ended = self.recording.end(Ending::Finished);
                self.ended(ended);
            }
            self.note(error);
        }
        if self.playing {
            let cue = self.current_cue();
            if self.last_cue.is_some_and(|c| c != cue) && self.settings.cue_chime {
                self.engine.chime();
            }
            self.last_cue = Some(cue);
        }
    }

    /// While shown and playing: when the next step will be heard (the lamp flashes on it).
    /// Until the first step is heard, look again shortly: the device may not have started
    /// pulling samples yet. While it is still being opened, the engine says when it is, so a
    /// slower look suffices.
    pub(super) fn next_step(&self) -> Option<Duration> {
        let opening = matches!(
            self.device,
            crate::audio::DeviceState::Connecting | crate::audio::DeviceState::Standby { .. }
        );
        let first = if opening { 250 } else { 20 };
        self.playing.then(|| {
            self.heard
                .next_change
                .unwrap_or(Duration::from_millis(first))
        })
    }

    /// While hidden and playing: the time to the first thing due — the next 30 s save or the
    /// next part of the session (both recorded), the end of a workout, the next cue (its
    /// chime), or with listening on the next second (its reading is recorded) — never the next
    /// step.
    pub(super) fn next_due(&self) -> Option<Duration> {
        if !self.playing {
            return None;
        }
        let Some(track) = &self.track else {
            return None;
        };
        let heard = self.heard.frames;
        let rate = u64::from(track.rate().max(1));
        let frames_to_time =
            |f: u64| Duration::from_micros(f.saturating_sub(heard) * 1_000_000 / rate);
        let mut due: Vec<Duration> = Vec::new();
        // Until the clock has moved, the device may still be opening: look again soon.
        if self.heard.beat.is_none() && heard == 0 {
            due.push(Duration::from_millis(100));
        }
        if let Some(frame) = self.recording.next_save_frame(rate) {
            due.push(frames_to_time(frame));
        }
        if let Some(frame) = self.recording.next_part_frame() {
            due.push(frames_to_time(frame));
        }
        if let Program::Workout(w) = track.program() {
            let end = w.duration_ms() * rate / 1000;
            // Past the end and not finished yet: the last samples are still in the device.
            due.push(frames_to_time(end).max(Duration::from_millis(100)));
        }
        // Listening: the next second's reading is recorded.
        due.extend(self.next_reading());
        // The coach deciding the clicks: the next step.
        due.extend(self.coach_due());
        if self.settings.cue_chime && self.run.pinned_cue.is_none() {
            let every = u64::from(self.settings.cue_minutes).max(1) * 60;
            let next = (self.heard.elapsed.as_secs() / every + 1) * every;
            due.push(Duration::from_secs(next).saturating_sub(self.heard.elapsed));
        }
        due.into_iter().min().map(|d| d + DUE_MARGIN)
    }
}

/// The lamp lights when the click is heard: by the output latency the round-trip check
/// measured when it heard the clicks come back, else by the device's own buffer.
fn lamp_device(
    device: &crate::audio::DeviceState,
    measured: Option<crate::audio::microphone::RoundTrip>,
) -> crate::audio::DeviceState {
    match (device, measured.filter(|rt| rt.heard)) {
        (crate::audio::DeviceState::Connected { name, rate, .. }, Some(rt)) => {
            crate::audio::DeviceState::Connected {
                name: name.clone(),
                rate: *rate,
                latency_frames: (rt.output_ms / 1000.0 * f64::from(*rate)).round() as u32,
            }
        }
        _ => device.clone(),
    }
}

#[cfg(test)]
mod lamp_tests {
    use super::lamp_device;
    use crate::audio::DeviceState;
    use crate::audio::microphone::RoundTrip;

    fn connected(latency_frames: u32) -> DeviceState {
        DeviceState::Connected {
            name: "speakers".into(),
            rate: 48_000,
            latency_frames,
        }
    }

    #[test]
    fn the_lamp_follows_the_measured_output_latency_only_when_the_clicks_were_heard() {
        let heard = RoundTrip {
            ms: 262.0,
            output_ms: 240.0,
            heard: true,
        };
        assert_eq!(
            lamp_device(&connected(8_160), Some(heard)),
            connected(11_520)
        );
        let guessed = RoundTrip {
            heard: false,
            ..heard
        };
        assert_eq!(
            lamp_device(&connected(8_160), Some(guessed)),
            connected(8_160)
        );
        assert_eq!(lamp_device(&connected(8_160), None), connected(8_160));
        let gone = DeviceState::Connecting;
        assert_eq!(lamp_device(&gone, Some(heard)), gone);
    }
}
