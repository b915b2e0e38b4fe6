//! Listening to the runner: the microphone is opened while listening is on and dropped when it
//! is turned off; it follows the session playing (so it removes the app's own clicks and times
//! the steps against them) and is told the cadence asked for. While a session plays, one
//! reading a second of session time goes into the record; this happens in `logic`, so it goes
//! on while the window is minimized.

use std::time::Duration;

use super::CoachApp;
use crate::audio::listener::Listener;
use crate::audio::microphone::{MicState, MicStatus};
use crate::cadence::Spm;

/// The listener in use, and what the app last told it.
pub(super) struct Ear {
    listener: Box<dyn Listener>,
    target: Option<Spm>,
    following: bool,
    /// The last reading taken.
    pub state: Option<MicState>,
    /// The session second of the last reading taken while playing.
    sampled_second: Option<u64>,
}

/// While stopped and the microphone is still opening, how soon the window looks again.
const OPENING_LOOK: Duration = Duration::from_millis(250);
/// While stopped and the microphone is unavailable, how often the window looks whether it came
/// back (the microphone itself tries again every few seconds).
const UNAVAILABLE_LOOK: Duration = Duration::from_secs(3);

impl CoachApp {
    /// Opens or drops the microphone as listening is turned on or off, keeps it following the
    /// session and its target, takes its reading, and records it while a session plays.
    pub(super) fn follow_ear(&mut self) {
        let target = self.ear_target();
        match (&self.ear, self.settings.listening) {
            (None, true) => {
                self.ear = Some(Ear {
                    listener: (self.open_listener)(target),
                    target,
                    following: false,
                    state: None,
                    sampled_second: None,
                });
            }
            (Some(_), false) => self.ear = None,
            _ => {}
        }
        let playing = self.playing;
        let second = self.heard.elapsed.as_secs();
        let Some(ear) = &mut self.ear else {
            return;
        };
        if ear.target != target {
            ear.listener.set_target(target);
            ear.target = target;
        }
        if ear.following != playing {
            ear.listener.follow(self.track.clone().filter(|_| playing));
            ear.following = playing;
            ear.sampled_second = None;
        }
        // The reading changes twice a second and the coach acts on every one: take it at
        // every pass (a lock and a copy of a few dozen numbers); the record keeps one a second.
        let state = ear.listener.state();
        if playing && ear.sampled_second != Some(second) {
            ear.sampled_second = Some(second);
            if let Some(hearing) = &state.hearing {
                self.recording.hear(second as f64, hearing.cadence_spm);
            }
        }
        ear.state = Some(state);
    }

    /// The cadence the ear is told to expect: the tempo asked for now.
    fn ear_target(&self) -> Option<Spm> {
        Spm::new((self.asked_spm() * 2.0).round() / 2.0).ok()
    }

    /// While shown and stopped: when to look at the microphone again so a change of its state
    /// is drawn (opening, or coming back); `None` once it listens, or while a session plays
    /// (the window looks at every step then).
    pub(super) fn ear_look(&self) -> Option<Duration> {
        if self.playing {
            return None;
        }
        match self.ear.as_ref()?.state.as_ref().map(|s| &s.status) {
            None | Some(MicStatus::Opening) => Some(OPENING_LOOK),
            Some(MicStatus::Unavailable(_)) => Some(UNAVAILABLE_LOOK),
            Some(MicStatus::Listening { .. }) => None,
        }
    }

    /// While hidden and playing with listening on: the time to the next second of session
    /// time, when the next reading is recorded (nothing is painted).
    pub(super) fn next_reading(&self) -> Option<Duration> {
        self.ear.as_ref()?;
        if !self.playing {
            return None;
        }
        let into = self.heard.elapsed.subsec_nanos();
        Some(Duration::from_nanos(u64::from(1_000_000_000 - into)))
    }

    /// The microphone's last reading, while listening is on (`None` too until the first).
    pub fn mic_state(&self) -> Option<&MicState> {
        self.ear.as_ref()?.state.as_ref()
    }

    /// Whether a listener is open (it is exactly while listening is on).
    pub fn listener_open(&self) -> bool {
        self.ear.is_some()
    }

    /// Builds the app with `open` as the way it starts listening, instead of the default
    /// microphone: for driving the window with readings chosen in advance.
    pub fn with_listener(
        mut self,
        open: impl Fn(Option<Spm>) -> Box<dyn Listener> + 'static,
    ) -> CoachApp {
        self.ear = None;
        self.open_listener = Box::new(open);
        self
    }
}
