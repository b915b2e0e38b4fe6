//! The coaching domain: step rates, workouts, the beat timeline, tap tempo, step length,
//! form cues and checklists, and the closed-loop coaching that listens to the runner.
//!
//! Pure and deterministic: no sound, no window, no clock and no files live here, so every rule
//! can be unit-tested with plain values.

pub mod beats;
mod clock_text;
pub mod closed_loop;
mod count_text;
pub mod cues;
pub mod imported;
pub mod plan;
pub mod presets;
pub mod progress;
pub mod session;
pub mod sound;
pub mod spm;
pub mod stride;
pub mod tap;
pub mod workout;

pub use beats::{Beat, BeatCursor};
pub use clock_text::clock_text;
pub use count_text::count_text;
pub use imported::ImportedCadence;
pub use sound::{ClickSettings, ClickSound, Every, FadeBlocks};
pub use spm::{Spm, SpmError, shift_text, tempo_text};
pub use workout::{Click, Segment, Tempo, Workout, WorkoutError};
