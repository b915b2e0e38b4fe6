//! What the window needs from whatever hears the runner: the latest reading, the cadence asked
//! for (the ear's prior) and the clicks to follow. The microphone is the one the app uses; the
//! trait lets the window be driven with readings chosen in advance, where no microphone exists.

use crate::audio::TrackHandle;
use crate::audio::microphone::{MicState, Microphone};
use crate::cadence::Spm;

/// Something listening for the runner's steps while it lives; dropping it stops listening.
pub trait Listener {
    /// What was heard so far (brought up to date about twice a second).
    fn state(&self) -> MicState;
    /// The cadence asked for, which helps the ear pick the runner's steps out of the noise.
    fn set_target(&self, target: Option<Spm>);
    /// The track whose clicks are removed from what is heard and the steps are timed against
    /// (`None` when no session plays).
    fn follow(&self, track: Option<TrackHandle>);
}

impl Listener for Microphone {
    fn state(&self) -> MicState {
        Microphone::state(self)
    }

    fn set_target(&self, target: Option<Spm>) {
        Microphone::set_target(self, target);
    }

    fn follow(&self, track: Option<TrackHandle>) {
        Microphone::follow(self, track);
    }
}

/// Opens a listener with a target cadence: how the app starts listening when the runner turns
/// it on.
pub type OpenListener = Box<dyn Fn(Option<Spm>) -> Box<dyn Listener>>;

/// The listener the app uses: the default input device.
pub fn open_microphone() -> OpenListener {
    Box::new(|target| Box::new(Microphone::start(target)))
}
