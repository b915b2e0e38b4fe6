//! `CoachApp`: owns the state, applies what the screens ask for, talks to the audio engine and
//! saves. Everything a session needs — following the audio clock, recording, saving, the cue
//! chime, ending a workout and opening its review, applying commands — happens in `App::logic`,
//! which eframe calls whether or not the window is shown (only `logic` while it is minimized or
//! occluded). `App::ui` only draws from state and queues the commands the screens return.
//!
//! - `apply.rs`: the one exhaustive `match` over `Command`.
//! - `draw.rs`: the tabs, banners and the screen shown (`App::ui`).
//! - `session.rs`: starting and stopping, following the clock, and when to wake next.
//! - `history.rs`, `plan.rs`: the history (review, delete, import, export) and the plan.
//! - `recording.rs`, `clock.rs`: the session's record, and what is heard now.
//! - `ear.rs`: listening to the runner on the microphone while listening is on.

mod apply;
mod clock;
mod coaching;
mod draw;
mod ear;
mod history;
mod music;
mod plan;
mod recording;
mod session;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;
use jiff::civil::Date;

pub use clock::Heard;
pub use plan::until_next_midnight;
pub use recording::{Recording, SAVE_EVERY_SECS};

use self::clock::UiClock;
use super::command::{Command, Screen};
use super::history::History;
use super::review::ReviewDraft;
use super::{form, progress, run};
use crate::audio::{AudioEngine, DeviceState, TrackHandle};
use crate::store::data_dir::{default_data_dir, resolve_data_dir};
use crate::store::settings::{Settings, TextSize, Theme, load_settings, save_settings};

/// The window's title when nothing is going on.
pub const TITLE: &str = "Cadence Coach";

/// The Run screen's state that is not a setting.
#[derive(Debug, Default)]
pub struct RunState {
    /// What the screen's text fields hold.
    pub view: run::RunView,
    pub message: Option<String>,
    pub taps: crate::cadence::tap::TapTempo,
    pub loaded: Option<crate::cadence::Workout>,
    pub pinned_cue: Option<usize>,
    pub cue_skip: usize,
    /// The planned session the loaded workout is, if it came from the plan.
    pub plan_link: Option<crate::cadence::session::PlanLink>,
}

/// The app.
pub struct CoachApp {
    pub settings: Settings,
    settings_path: PathBuf,
    settings_dirty: Option<Instant>,
    pub engine: AudioEngine,
    pub track: Option<TrackHandle>,
    pub playing: bool,
    pub screen: Screen,
    pub run: RunState,
    pub form: form::FormState,
    pub devices: Option<Vec<String>>,
    /// The Settings screen's data-folder field, and what became of the last "Use this folder".
    pub data_dir_text: String,
    pub settings_message: Option<String>,
    pub notices: Vec<String>,
    clock: UiClock,
    pub heard: Heard,
    last_cue: Option<usize>,
    applied_look: Option<(Theme, TextSize)>,
    report: Option<FrameReport>,
    /// The data folder given on the command line (or by environment), which beats Settings.
    data_dir_flag: Option<PathBuf>,
    pub recording: Recording,
    /// The recorded sessions and what the Progress screen derives from them.
    pub history: History,
    /// The Progress screen's own fields.
    pub progress_view: progress::ProgressView,
    /// The review being filled in.
    pub review: Option<ReviewDraft>,
    /// The ramp-up plan and how it is going.
    pub plan: plan::PlanState,
    /// What the screens asked for in the last frame drawn, applied by the next `logic`.
    queued: Vec<Command>,
    /// The device as `logic` last saw it, for the banner.
    device: DeviceState,
    /// Today as `logic` last saw it.
    today: Date,
    /// How long `logic` asked to sleep before it runs again (`None`: until an event).
    wake: Option<Duration>,
    /// The window title last set.
    title: &'static str,
    /// How listening starts when the runner turns it on (the default microphone).
    open_listener: crate::audio::listener::OpenListener,
    /// The listener, open exactly while listening is on.
    ear: Option<ear::Ear>,
    /// The closed loop, while a session plays with listening on.
    coach: Option<crate::audio::coaching::CoachLink>,
    /// The session second the coach's summary was last put into the record.
    coach_second: Option<u64>,
    /// What earlier coaches of the session playing did (listening turned off and on again).
    coach_earlier: Option<crate::cadence::closed_loop::ClosedLoopSummary>,
    /// The runner's music: the library, the picker and the player.
    music: music::MusicState,
}

/// For the measurement script: counts painted frames and notes the first one, in a file.
struct FrameReport {
    path: PathBuf,
    started: Instant,
    frames: u64,
    logic_runs: u64,
    first_ms: Option<u128>,
}

impl CoachApp {
    /// Builds the app with its settings from `settings_path`, sessions in `data_dir` (else the
    /// environment's or the Settings' folder) and the engine `engine` makes.
    pub fn new(
        ctx: &egui::Context,
        settings_path: &Path,
        data_dir: Option<&Path>,
        engine: impl FnOnce(&Settings) -> AudioEngine,
    ) -> CoachApp {
        let (settings, note) = load_settings(settings_path);
        let recording = Recording::new(resolve_data_dir(data_dir, settings.data_dir.as_deref()));
        let (history, damaged) = history::load_history(&recording.data_dir, &settings);
        let engine = engine(&settings);
        let repaint = ctx.clone();
        engine.set_notify(move || repaint.request_repaint());
        let data_dir_text = settings
            .data_dir
            .clone()
            .unwrap_or_else(default_data_dir)
            .display()
            .to_string();
        let device = engine.device();
        let music = music::MusicState::new(&settings.music);
        let mut app = CoachApp {
            run: RunState {
                view: run::RunView {
                    typed: settings.target.to_string(),
                    speed_text: settings
                        .treadmill_kmh
                        .map(|kmh| format_speed(kmh, settings.units))
                        .unwrap_or_default(),
                    workout_path: String::new(),
                    music_folder: settings
                        .music
                        .folder
                        .as_ref()
                        .map(|f| f.display().to_string())
                        .unwrap_or_default(),
                },
                ..RunState::default()
            },
            settings,
            settings_path: settings_path.to_path_buf(),
            settings_dirty: None,
            engine,
            track: None,
            playing: false,
            screen: Screen::Run,
            form: form::FormState::default(),
            devices: None,
            data_dir_text,
            settings_message: None,
            notices: Vec::new(),
            clock: UiClock::default(),
            heard: Heard::default(),
            last_cue: None,
            applied_look: None,
            report: None,
            data_dir_flag: data_dir.map(Path::to_path_buf),
            recording,
            history,
            progress_view: progress::ProgressView::default(),
            review: None,
            plan: plan::PlanState::default(),
            queued: Vec::new(),
            device,
            today: jiff::Zoned::now().date(),
            wake: None,
            title: TITLE,
            open_listener: crate::audio::listener::open_microphone(),
            ear: None,
            coach: None,
            coach_second: None,
            coach_earlier: None,
            music,
        };
        // Problems found while loading go through `note`, like every other (banner and stderr).
        note.into_iter()
            .chain(damaged)
            .for_each(|n| app.note(Some(n)));
        app.load_plan();
        app.apply_look(ctx);
        // The cache makes a scan of a known folder quick; new files are analysed on its worker.
        app.scan_music();
        app
    }

    /// Writes the number of frames painted (and of `logic` runs), and when the first frame
    /// was, to `path` after every one (`started`: when the process began). Used by
    /// `scripts/measure-window.sh`.
    pub fn report_frames(&mut self, path: PathBuf, started: Instant) {
        self.report = Some(FrameReport {
            path,
            started,
            frames: 0,
            logic_runs: 0,
            first_ms: None,
        });
    }

    /// The settings file in use.
    pub fn settings_path(&self) -> &Path {
        &self.settings_path
    }

    /// How long the app last asked to sleep before it looks at the clock again (`None`: until
    /// something happens). While hidden this is the time to the next thing due, not the next
    /// step.
    pub fn next_wake(&self) -> Option<Duration> {
        self.wake
    }

    /// Everything that must happen whether or not the window is shown: input (when shown),
    /// the queued commands, the audio clock, the recording, the end of a workout, the chime,
    /// the plan's day, saving settings, and booking the next wake-up. `App::logic` calls it.
    pub fn tick(&mut self, ctx: &egui::Context) {
        // While hidden, `ctx.input` still holds the last shown frame's events: read them once.
        let hidden = ctx.input(|i| i.viewport().visible() == Some(false));
        self.apply_look(ctx);
        if !hidden {
            let mut commands = self.shortcuts(ctx);
            // Watch files dropped on the window are imported.
            let dropped: Vec<PathBuf> = ctx.input(|i| {
                i.raw
                    .dropped_files
                    .iter()
                    .map(|f| f.path().to_path_buf())
                    .collect()
            });
            if !dropped.is_empty() {
                commands.push(Command::ImportFiles(dropped));
            }
            self.queued.extend(commands);
        }
        for command in std::mem::take(&mut self.queued) {
            self.apply(command);
        }
        // One look at the device per pass, for the clock and the banner.
        self.device = self.engine.device();
        let device = self.device.clone();
        self.follow_clock(&device);
        self.follow_ear();
        self.follow_coach();
        let music_look = self.follow_music(hidden);
        // A new day (or a session just recorded) moves the plan before it is drawn.
        let (today, until_midnight) = self.day_and_midnight();
        self.today = today;
        self.refresh_plan_if_stale(today);
        let dragging = !hidden && ctx.input(|i| i.pointer.any_down());
        let settings_wait = self.save_if_due(dragging, false);

        // The next wake-up: the next step heard while shown (the lamp), else only what is due.
        let (due, ear) = if hidden {
            (self.next_due(), None)
        } else {
            (self.next_step(), self.ear_look())
        };
        self.wake = [due, ear, settings_wait, until_midnight, music_look]
            .into_iter()
            .flatten()
            .min();
        if let Some(wait) = self.wake {
            ctx.request_repaint_after(wait);
        }
        self.set_title(ctx);
        if let Some(report) = &mut self.report {
            report.logic_runs += 1;
        }
    }

    /// The title says what is going on, so a minimized window tells it in the task bar: a
    /// session playing, or a review waiting to be filled in.
    fn set_title(&mut self, ctx: &egui::Context) {
        let title = if self.playing {
            "Cadence Coach · playing"
        } else if self.review.is_some() {
            "Cadence Coach · review waiting"
        } else {
            TITLE
        };
        if title != self.title {
            self.title = title;
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.to_string()));
        }
    }

    /// Shows a problem (once) in the banner.
    /// Also written to stderr (once), where a desktop session keeps it in its log.
    pub(super) fn note(&mut self, problem: Option<String>) {
        if let Some(p) = problem
            && !self.notices.contains(&p)
        {
            eprintln!("cadence-coach: {p}");
            self.notices.push(p);
        }
    }

    /// Saves pending settings once the user has let go of the pointer (not on every frame of a
    /// slider drag), or at once when `now` is set. Returns how long until it should look again.
    fn save_if_due(&mut self, dragging: bool, now: bool) -> Option<Duration> {
        let since = self.settings_dirty?;
        if now || (!dragging && since.elapsed() >= Duration::from_millis(300)) {
            self.settings_dirty = None;
            if let Err(e) = save_settings(&self.settings_path, &self.settings) {
                self.note(Some(e.to_string()));
            }
            None
        } else {
            Some(Duration::from_millis(350))
        }
    }

    fn apply_look(&mut self, ctx: &egui::Context) {
        let look = (self.settings.theme, self.settings.text_size);
        if self.applied_look == Some(look) {
            return;
        }
        ctx.set_theme(match look.0 {
            Theme::FollowSystem => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        });
        ctx.set_zoom_factor(look.1.zoom());
        self.applied_look = Some(look);
    }

    /// Keyboard shortcuts, read before any widget so a focused button cannot also take Space.
    /// They work on every screen, unless a text field that takes the key has focus: a field
    /// for words keeps Space and the arrows; a field for numbers never takes a space, so
    /// Space and the arrows keep their shortcuts there.
    fn shortcuts(&self, ctx: &egui::Context) -> Vec<Command> {
        use egui::{Key, Modifiers};
        let numeric = super::widgets::numeric_focused(ctx);
        if ctx.text_edit_focused() && !numeric {
            return Vec::new();
        }
        // On the review, Space still starts the next run (the review waits in Progress): a
        // runner who stopped to tie a shoe should not have to find the mouse.
        let review = self.screen == Screen::Review;
        ctx.input_mut(|i| {
            let mut out = Vec::new();
            if i.consume_key(Modifiers::NONE, Key::Space) {
                if review {
                    out.push(Command::LeaveReview);
                }
                out.push(Command::StartStop);
            }
            // The space a key press also types: never into a field for numbers.
            if numeric {
                i.events
                    .retain(|e| !matches!(e, egui::Event::Text(t) if t == " "));
            }
            if i.consume_key(Modifiers::SHIFT, Key::ArrowUp)
                || i.consume_key(Modifiers::NONE, Key::PageUp)
            {
                out.push(Command::Nudge(5.0));
            }
            if i.consume_key(Modifiers::SHIFT, Key::ArrowDown)
                || i.consume_key(Modifiers::NONE, Key::PageDown)
            {
                out.push(Command::Nudge(-5.0));
            }
            if i.consume_key(Modifiers::NONE, Key::ArrowUp) {
                out.push(Command::Nudge(1.0));
            }
            if i.consume_key(Modifiers::NONE, Key::ArrowDown) {
                out.push(Command::Nudge(-1.0));
            }
            // T taps a footfall: on the Run screen for the session, on the Plan screen for
            // the baseline test; not while a field (a letter is typed there) has focus.
            if !numeric {
                match self.screen {
                    Screen::Run if i.consume_key(Modifiers::NONE, Key::T) => {
                        out.push(Command::Tap(i.time))
                    }
                    Screen::Plan if i.consume_key(Modifiers::NONE, Key::T) => {
                        out.push(Command::PlanTap(i.time))
                    }
                    _ => {}
                }
            }
            out
        })
    }
}

impl eframe::App for CoachApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let commands = self.draw(ui);
        if !commands.is_empty() {
            // Applied by the next `logic`, which this repaint brings at once.
            self.queued.extend(commands);
            ui.ctx().request_repaint();
        }
        if let Some(report) = &mut self.report {
            report.frames += 1;
            let first = *report
                .first_ms
                .get_or_insert(report.started.elapsed().as_millis());
            let _ = std::fs::write(
                &report.path,
                format!(
                    "frames {}\nfirst_frame_ms {first}\nlogic_runs {}\n",
                    report.frames, report.logic_runs
                ),
            );
        }
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        visuals.panel_fill.to_normalized_gamma_f32()
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if self.settings_dirty.take().is_some()
            && let Err(e) = save_settings(&self.settings_path, &self.settings)
        {
            eprintln!("cadence-coach: {e}");
        }
        self.finish_coach();
        if let Some(track) = &self.track {
            track.stop();
        }
        if let (_, Some(e)) = self.recording.end(crate::cadence::session::Ending::Stopped) {
            eprintln!("cadence-coach: {e}");
        }
    }
}

impl Drop for CoachApp {
    fn drop(&mut self) {
        let _ = self.recording.end(crate::cadence::session::Ending::Stopped);
        if self.settings_dirty.take().is_some() {
            let _ = save_settings(&self.settings_path, &self.settings);
        }
    }
}

/// A speed in km/h shown in the chosen units.
pub fn format_speed(kmh: f64, units: crate::cadence::stride::Units) -> String {
    format!("{:.1}", units.from_kmh(kmh))
}
