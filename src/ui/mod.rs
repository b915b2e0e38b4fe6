//! The window: one file per screen, the shared widgets and plot helpers, the history model, the
//! commands, and `app/`, the app struct that owns the state.
//!
//! Screens draw from their own view state and a read-only snapshot, and return `Command`s;
//! only `CoachApp` changes state, talks to the audio engine and saves — in `App::logic`, which
//! runs whether or not the window is shown. The window repaints on input and when the next step
//! will be heard, never in a loop, so a stopped app uses no CPU; hidden, it wakes only when
//! something is due.

pub mod app;
mod charts;
mod command;
mod date_axis;
mod digits;
mod form;
mod history;
mod plan;
mod plan_list;
mod progress;
mod progress_closed_loop;
mod progress_table;
mod review;
mod run;
mod run_ear;
mod run_music;
mod run_panels;
mod settings_screen;
mod widgets;

pub use app::CoachApp;
pub use command::{Command, Screen};

use crate::audio::AudioEngine;
use crate::store::settings::default_settings_path;

/// The window icon, embedded.
const ICON: &[u8] = include_bytes!("../../assets/icon.png");

/// Opens the app window and runs it until it is closed.
/// With `CADENCE_COACH_FRAME_REPORT=FILE` set, the window writes its frame count and the time of
/// its first frame there (for `scripts/measure-window.sh`).
/// `workout`: a workout file to load into the Run screen (a problem with it is shown there).
pub fn run_window(
    data_dir: Option<std::path::PathBuf>,
    workout: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let report = std::env::var_os("CADENCE_COACH_FRAME_REPORT").map(std::path::PathBuf::from);
    let mut viewport = eframe::egui::ViewportBuilder::default()
        .with_title(app::TITLE)
        .with_app_id("cadence-coach")
        .with_inner_size([1100.0, 700.0])
        .with_min_inner_size([760.0, 560.0]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(ICON) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        // glow costs a fifth of wgpu's CPU per frame on software GL, and a treadmill laptop
        // often has nothing better.
        renderer: eframe::Renderer::Glow,
        // Dithering adds work to every pixel of every frame for banding a flat UI doesn't have.
        dithering: false,
        ..Default::default()
    };
    let settings_path = default_settings_path();
    eframe::run_native(
        "cadence-coach",
        options,
        Box::new(move |cc| {
            let mut app = CoachApp::new(&cc.egui_ctx, &settings_path, data_dir.as_deref(), |s| {
                AudioEngine::start(s.output_device.clone())
            });
            if let Some(path) = report {
                app.report_frames(path, started);
            }
            if let Some(path) = workout {
                app.apply(Command::LoadWorkout(path));
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}
