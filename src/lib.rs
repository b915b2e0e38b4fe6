//! Cadence Coach: a click track and coach for runners raising their step rate.
//!
//! Layers, with arrows pointing down only: the two faces, `ui` (the window) and `cli` (the
//! terminal), chosen in `main.rs`, use `audio` and `store`, which use `cadence`, the pure
//! coaching domain.
#![forbid(unsafe_code)]

pub mod atomic_file;
pub mod audio;
pub mod cadence;
pub mod cli;
pub mod hearing;
pub mod music;
pub mod store;
pub mod ui;
