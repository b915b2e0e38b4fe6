//! Sound: the click track, its sounds, the output stream and its mixer, the device engine,
//! listening on the microphone, offline rendering to WAV, and reading recordings for the ear.
//!
//! Depends on `cadence` for what to play; knows nothing of windows, terminals or the data folder.

pub mod click_track;
pub mod coaching;
mod control;
mod device;
pub mod engine;
pub mod listener;
pub mod microphone;
mod mix;
pub mod music;
pub mod recording;
pub mod render;
pub mod sounds;

pub use click_track::{ClickTrack, Program, TrackHandle, perceived_gain};
pub use control::{BeatSnapshot, CLICK_LOG_LEN, SoundedClick};
pub use device::{AudioError, output_devices};
pub use engine::{AudioEngine, DeviceState};
pub use listener::Listener;
pub use recording::{Recording, RecordingError, read_mono_wav};
pub use render::{MusicMix, RenderError, render_wav, render_wav_with};
pub use sounds::SoundBank;
