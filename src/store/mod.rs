//! Files: the data folder's session records, workouts the runner wrote by hand, the settings
//! file, and atomic writes.
//!
//! Every error names the file, and for a parse error the line and column, so a runner can fix
//! a typo in a text editor without guessing.

pub mod atomic;
pub mod attach;
pub mod data_dir;
pub mod error;
pub mod export;
pub mod import;
pub mod plan_file;
pub mod sessions;
pub mod settings;
pub mod workout_file;

pub use error::{RonError, StoreError};
pub use workout_file::{WorkoutFileError, load_workout, parse_workout};
