//! Files: reading workouts the runner wrote by hand (and, later, the data folder).
//!
//! Every error names the file, and for a parse error the line and column, so a runner can fix
//! a typo in a text editor without guessing.

pub mod workout_file;

pub use workout_file::{WorkoutFileError, load_workout, parse_workout};
