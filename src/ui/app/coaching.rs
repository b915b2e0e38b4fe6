//! The closed loop in the window: while a session plays with listening on, a coach follows the
//! microphone's readings and the track's beats, holds the click quiet or moves its tempo, and
//! its summary goes into the session's record. Followed in `logic`, so it goes on while the
//! window is minimized (then woken at every step while the coach decides the clicks).

use std::time::Duration;

use super::CoachApp;
use crate::audio::Program;
use crate::audio::coaching::{CoachLink, CoachView};
use crate::cadence::Spm;
use crate::cadence::closed_loop::{Band, ClickWhenOffSettings, Coach, CoachMode, CoachSettings};

impl CoachApp {
    /// The coach for a session starting now with listening on: the mode chosen on Run. The
    /// nudge moves an open tempo; a workout plays its own tempos, so it gets every click.
    fn new_coach(&self, track: &crate::audio::TrackHandle) -> CoachLink {
        let open = matches!(track.program(), Program::Open { .. });
        let mode = match self.settings.coach {
            CoachMode::Nudge if !open => CoachMode::Always,
            mode => mode,
        };
        let settings = CoachSettings {
            mode,
            when_off: ClickWhenOffSettings {
                band: Band::Spm(self.settings.band_spm),
                ..ClickWhenOffSettings::default()
            },
            ..CoachSettings::default()
        };
        let coach = Coach::new(settings, Some(self.settings.target))
            .or_else(|_| Coach::new(CoachSettings::default(), None))
            .expect("the default coach settings are valid");
        CoachLink::new(coach)
    }

    /// Starts the coach when a session plays with listening on, follows it, and ends it (its
    /// summary kept) when either stops.
    pub(super) fn follow_coach(&mut self) {
        let wanted = self.playing && self.settings.listening;
        if !wanted {
            self.finish_coach();
            return;
        }
        let Some(track) = self.track.clone() else {
            return;
        };
        if self.coach.is_none() {
            self.coach = Some(self.new_coach(&track));
            self.coach_second = None;
        }
        // The ear's last reading, borrowed beside the coach (they are separate fields).
        let state = self.ear.as_ref().and_then(|e| e.state.as_ref());
        let Some(link) = &mut self.coach else {
            return;
        };
        link.follow(&track, state);
        // Into the record once a second of session time (it is saved with the record).
        let second = self.heard.elapsed.as_secs();
        if self.coach_second != Some(second) {
            self.coach_second = Some(second);
            let summary = link.summary(&track);
            self.recording
                .set_closed_loop(self.coach_earlier.map_or(summary, |e| e.then(summary)));
        }
    }

    /// The coach's summary into the record, the click let sound again, the coach gone: before
    /// the record is ended, and when listening is turned off mid-session.
    pub(super) fn finish_coach(&mut self) {
        if let (Some(link), Some(track)) = (self.coach.take(), &self.track) {
            let summary = link.finish(track);
            let whole = self.coach_earlier.map_or(summary, |e| e.then(summary));
            self.recording.set_closed_loop(whole);
            // Kept while the session plays on, for a coach started again in it.
            self.coach_earlier = self.playing.then_some(whole);
        }
    }

    /// What the running view shows of the coach, while one follows the session.
    pub(super) fn coach_view(&self) -> Option<CoachView> {
        Some(self.coach.as_ref()?.view())
    }

    /// The runner changed the target while the nudge is under way: the nudge takes it, and
    /// the track's tempo is left to the nudge. Returns whether it did.
    pub(super) fn coach_takes_target(&mut self, target: Spm) -> bool {
        self.coach
            .as_mut()
            .is_some_and(|link| link.retarget(target))
    }

    /// While hidden: the next step, when the coach decides the click (every click mode only
    /// measures, and needs no wake-up of its own).
    pub(super) fn coach_due(&self) -> Option<Duration> {
        let link = self.coach.as_ref()?;
        if link.coach().mode() == CoachMode::Always {
            return None;
        }
        Some(self.heard.next_change.unwrap_or(Duration::from_millis(100)))
    }
}
