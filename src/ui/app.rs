//! `CoachApp`: owns the state, applies what the screens ask for, talks to the audio engine and
//! saves the settings. Screens only draw and return `Command`s.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;

use super::clock::{Heard, UiClock};
use super::progress::History;
use super::recording::Recording;
use super::review::ReviewDraft;
use super::{form, progress, review, run, settings_screen};
use crate::audio::{AudioEngine, DeviceState, Program, TrackHandle};
use crate::cadence::cues::{CUES, cue_at};
use crate::cadence::session::Ending;
use crate::cadence::tap::TapTempo;
use crate::cadence::{Spm, Workout};
use crate::store::data_dir::{default_data_dir, resolve_data_dir};
use crate::store::load_workout;
use crate::store::settings::{Settings, TextSize, Theme, load_settings, save_settings};

/// The screens of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    Run,
    Plan,
    Progress,
    Review,
    Form,
    Settings,
}

/// What the user asked for; only `CoachApp::apply` acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    StartStop,
    Nudge(f64),
    SetTarget(Spm),
    /// A cadence asked for that is not valid: why; the message adds that the old one stays.
    Refuse(String),
    UpdateSettings(Box<Settings>),
    Tap(f64),
    ResetTaps,
    LoadWorkout(PathBuf),
    ClearWorkout,
    PinCue(Option<usize>),
    NextCue,
    RetryAudio,
    FindDevices,
    Show(Screen),
    SaveReview,
    SkipReview,
    /// Leave the review for a new run: what was filled in is saved, an untouched review waits.
    LeaveReview,
    /// Review (or edit the review of) the session with this id.
    EditReview(String),
    /// Plot this session's tempo.
    SelectSession(String),
    /// Ask before deleting this session.
    AskDelete(String),
    ConfirmDelete,
    CancelDelete,
    UndoDelete,
    ExportCsv,
    /// Import watch files (typed on Progress, or dropped on the window).
    ImportFiles(Vec<PathBuf>),
    /// Make a plan from the Plan screen's inputs, and save it.
    MakePlan,
    /// Load the plan's next session into the Run screen.
    StartPlanned,
    /// Run this stage of the plan once more.
    RepeatStage(usize),
    /// A footfall tapped in the Plan screen's baseline test.
    PlanTap(f64),
}

/// State of the Run screen that is not a setting.
#[derive(Debug, Default)]
pub struct RunState {
    pub typed: String,
    pub message: Option<String>,
    pub taps: TapTempo,
    pub speed_text: String,
    pub workout_path: String,
    pub loaded: Option<Workout>,
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
    pub data_dir_text: String,
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
    /// The review being filled in.
    pub review: Option<ReviewDraft>,
    /// The ramp-up plan and how it is going.
    pub plan: super::plan::PlanView,
}

/// For the measurement script: counts painted frames and notes the first one, in a file.
struct FrameReport {
    path: PathBuf,
    started: Instant,
    frames: u64,
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
        let (history, damaged) = super::app_history::load_history(&recording.data_dir, &settings);
        let engine = engine(&settings);
        let repaint = ctx.clone();
        engine.set_notify(move || repaint.request_repaint());
        let data_dir_text = settings
            .data_dir
            .clone()
            .unwrap_or_else(default_data_dir)
            .display()
            .to_string();
        let mut app = CoachApp {
            run: RunState {
                typed: settings.target.to_string(),
                speed_text: settings
                    .treadmill_kmh
                    .map(|kmh| format_speed(kmh, settings.units))
                    .unwrap_or_default(),
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
            notices: Vec::new(),
            clock: UiClock::default(),
            heard: Heard::default(),
            last_cue: None,
            applied_look: None,
            report: None,
            data_dir_flag: data_dir.map(Path::to_path_buf),
            recording,
            history,
            review: None,
            plan: super::plan::PlanView::default(),
        };
        // Problems found while loading go through `note`, like every other (banner and stderr).
        note.into_iter()
            .chain(damaged)
            .for_each(|n| app.note(Some(n)));
        app.load_plan();
        app.apply_look(ctx);
        app
    }

    /// Writes the number of frames painted, and when the first one was, to `path` after every
    /// frame (`started`: when the process began). Used by `scripts/measure-window.sh`.
    pub fn report_frames(&mut self, path: PathBuf, started: Instant) {
        self.report = Some(FrameReport {
            path,
            started,
            frames: 0,
            first_ms: None,
        });
    }

    /// The settings file in use.
    pub fn settings_path(&self) -> &Path {
        &self.settings_path
    }

    /// The index of the form cue on show.
    pub fn current_cue(&self) -> usize {
        let elapsed = self.heard.elapsed.as_secs();
        let base = cue_at(elapsed, u64::from(self.settings.cue_minutes) * 60, None);
        match self.run.pinned_cue {
            Some(i) => i,
            None => (base + self.run.cue_skip) % CUES.len(),
        }
    }

    /// Acts on one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::StartStop => {
                if self.playing {
                    self.stop();
                } else {
                    self.start();
                }
            }
            Command::Nudge(delta) => match self.settings.target.nudge(delta) {
                Ok(spm) => self.set_target(spm),
                Err(e) => self.apply(Command::Refuse(e.to_string())),
            },
            Command::SetTarget(spm) => self.set_target(spm),
            Command::Refuse(why) => {
                self.run.message = Some(format!(
                    "{why}; the target stays at {} spm",
                    self.settings.target
                ));
                self.run.typed = self.settings.target.to_string();
            }
            Command::UpdateSettings(settings) => self.update_settings(*settings),
            Command::Tap(at) => self.run.taps.tap(at),
            Command::ResetTaps => self.run.taps.reset(),
            Command::LoadWorkout(path) => match load_workout(&path) {
                Ok(workout) => {
                    self.run.message = Some(format!(
                        "Loaded '{}': {} segments; it plays at the next start.",
                        workout.name(),
                        workout.segments().len()
                    ));
                    self.run.loaded = Some(workout);
                    self.run.plan_link = None;
                }
                Err(e) => self.run.message = Some(e.to_string()),
            },
            Command::ClearWorkout => {
                self.run.loaded = None;
                self.run.plan_link = None;
                // A note about the workout's own tempo is no longer true.
                self.run.message = None;
            }
            Command::PinCue(pin) => self.run.pinned_cue = pin,
            Command::NextCue => {
                let current = self.current_cue();
                self.run.pinned_cue = self.run.pinned_cue.map(|_| (current + 1) % CUES.len());
                self.run.cue_skip += 1;
            }
            Command::RetryAudio => self.engine.retry_now(),
            Command::FindDevices => self.devices = Some(crate::audio::output_devices()),
            Command::Show(screen) => self.screen = screen,
            other => self.apply_history(other),
        }
    }

    fn start(&mut self) {
        let program = match (
            &self.run.loaded,
            self.settings.preset.workout(self.settings.target),
        ) {
            (Some(workout), _) => Program::Workout(workout.clone()),
            (None, Some(workout)) => Program::Workout(workout),
            (None, None) => Program::Open {
                spm: self.settings.target,
                duration_ms: None,
            },
        };
        let target = self.session_target();
        let track = self.engine.play(program, self.settings.click);
        let error = self
            .recording
            .start(track.program(), target.get(), self.run.plan_link.clone());
        self.run.message = None;
        self.note(error);
        self.track = Some(track);
        self.playing = true;
        self.clock = UiClock::default();
        self.run.cue_skip = 0;
        self.last_cue = None;
    }

    fn stop(&mut self) {
        if let Some(track) = &self.track {
            track.stop();
        }
        self.playing = false;
        let ended = self.recording.end(Ending::Stopped);
        self.ended(ended);
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

    fn set_target(&mut self, spm: Spm) {
        self.run.typed = spm.to_string();
        if spm != self.settings.target {
            let mut settings = self.settings.clone();
            settings.target = spm;
            self.update_settings(settings);
        }
        self.run.message = self.target_note(spm);
    }

    /// What a new target means now: a workout playing or loaded keeps its own tempo (said, so
    /// the key press is not taken for lost); an unusual cadence is pointed out.
    fn target_note(&self, spm: Spm) -> Option<String> {
        if self.playing_workout().is_some() {
            return Some(format!(
                "Target {spm} spm saved; the workout playing keeps its own tempo until it ends"
            ));
        }
        if let Some(w) = &self.run.loaded {
            return Some(format!(
                "Target {spm} spm saved for runs without a workout; '{}' plays its own tempo",
                w.name()
            ));
        }
        spm.unusual_note()
    }

    /// The workout being played, if one is.
    pub fn playing_workout(&self) -> Option<&crate::cadence::Workout> {
        match self.track.as_ref()?.program() {
            Program::Workout(w) if self.playing => Some(w),
            _ => None,
        }
    }

    /// The target of a session started now: a loaded workout's own tempo (a plan session, a
    /// file); the Run screen's target for the built-in workouts, which are shaped around it,
    /// and for the open metronome.
    fn session_target(&self) -> Spm {
        self.run
            .loaded
            .as_ref()
            .and_then(|w| w.main_spm())
            .unwrap_or(self.settings.target)
    }

    /// The cadence the runner is asked for now: while a workout plays, the tempo heard (the
    /// session's target before the first step); before the start, a loaded workout's main
    /// tempo; otherwise the target.
    pub fn asked_spm(&self) -> f64 {
        if self.playing_workout().is_some() {
            return match self.heard.beat {
                Some(b) => f64::from(b.milli_spm) / 1000.0,
                None => self
                    .recording
                    .target()
                    .unwrap_or(self.settings.target.get()),
            };
        }
        if self.playing {
            return self.settings.target.get();
        }
        self.session_target().get()
    }

    fn update_settings(&mut self, settings: Settings) {
        if settings == self.settings {
            return;
        }
        if settings.output_device != self.settings.output_device {
            self.engine.set_device(settings.output_device.clone());
        }
        let data_dir_changed = settings.data_dir != self.settings.data_dir;
        let units_changed = settings.units != self.settings.units;
        self.settings = settings;
        if data_dir_changed {
            self.recording.data_dir = resolve_data_dir(
                self.data_dir_flag.as_deref(),
                self.settings.data_dir.as_deref(),
            );
            let (history, damaged) =
                super::app_history::load_history(&self.recording.data_dir, &self.settings);
            self.history = history;
            self.load_plan();
            damaged.into_iter().for_each(|d| self.note(Some(d)));
        }
        if units_changed {
            self.history.refresh(self.settings.units);
        }
        if let Some(track) = &self.track {
            track.set_settings(self.settings.click);
            track.set_spm(self.settings.target);
        }
        self.settings_dirty.get_or_insert_with(Instant::now);
    }

    /// Saves pending settings once the user has let go of the pointer (not on every frame of a
    /// slider drag), or at once when `now` is set.
    fn save_if_due(&mut self, ctx: &egui::Context, now: bool) {
        let Some(since) = self.settings_dirty else {
            return;
        };
        let dragging = ctx.input(|i| i.pointer.any_down());
        if now || (!dragging && since.elapsed() >= Duration::from_millis(300)) {
            self.settings_dirty = None;
            if let Err(e) = save_settings(&self.settings_path, &self.settings) {
                self.note(Some(e.to_string()));
            }
        } else {
            ctx.request_repaint_after(Duration::from_millis(350));
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
    fn shortcuts(&self, ctx: &egui::Context) -> Vec<Command> {
        // On the review, Space still starts the next run (the review waits in Progress): a runner
        // who stopped to tie a shoe should not have to find the mouse.
        let review = self.screen == Screen::Review;
        if self.screen == Screen::Plan && !ctx.text_edit_focused() {
            return ctx.input_mut(|i| {
                i.consume_key(egui::Modifiers::NONE, egui::Key::T)
                    .then_some(Command::PlanTap(i.time))
                    .into_iter()
                    .collect()
            });
        }
        if ctx.text_edit_focused() || !(self.screen == Screen::Run || review) {
            return Vec::new();
        }
        use egui::{Key, Modifiers};
        ctx.input_mut(|i| {
            let mut out = Vec::new();
            if i.consume_key(Modifiers::NONE, Key::Space) {
                if review {
                    out.push(Command::LeaveReview);
                }
                out.push(Command::StartStop);
            }
            if review {
                return out;
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
            if i.consume_key(Modifiers::NONE, Key::T) {
                out.push(Command::Tap(i.time));
            }
            out
        })
    }

    /// Reads the audio clock, rings the cue chime, and books the next repaint: at the next beat
    /// while playing, never while stopped.
    fn follow_clock(&mut self, ctx: &egui::Context, device: &DeviceState) {
        let Some(track) = &self.track else {
            self.heard = Heard::default();
            return;
        };
        self.heard = self
            .clock
            .read(track, device, Some(track.clock_observation()));
        if self.playing {
            let error = self
                .recording
                .observe(&self.heard, track.program(), track.rate());
            if track.finished() {
                self.playing = false;
                let ended = self.recording.end(Ending::Finished);
                self.ended(ended);
            }
            self.note(error);
        }
        if self.playing {
            let cue = self.current_cue();
            if self.last_cue.is_some_and(|c| c != cue) && self.settings.cue_chime {
                self.engine.chime();
            }
            self.last_cue = Some(cue);
            // Until the first step is heard, look again shortly: the device may not have
            // started pulling samples yet.
            ctx.request_repaint_after(self.heard.next_change.unwrap_or(Duration::from_millis(20)));
        }
    }
}

impl eframe::App for CoachApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.apply_look(&ctx);
        let mut commands = self.shortcuts(&ctx);
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
        commands.iter().cloned().for_each(|c| self.apply(c));
        // One look at the device per frame, for the clock and the banner.
        let device = self.engine.device();
        self.follow_clock(&ctx, &device);
        // A new day (or a session just recorded) moves the plan before it is drawn.
        let (today, until_midnight) = self.day_and_midnight();
        self.refresh_plan_if_stale(today);
        commands.clear();

        // The panels draw no background of their own: the frame is cleared to the panel colour
        // (see `clear_color`), which saves software OpenGL one full-window pass per frame.
        let bare =
            |ui: &egui::Ui| egui::Frame::central_panel(ui.style()).fill(egui::Color32::TRANSPARENT);
        egui::Panel::top("screens").frame(bare(ui)).show(ui, |ui| {
            ui.horizontal(|ui| {
                // The Review tab is there while a review is being filled in.
                let review = self.review.is_some().then_some((
                    Screen::Review,
                    "Review",
                    "The review being filled in",
                ));
                let tabs = [
                    Some((Screen::Run, "Run", "The metronome and today's session")),
                    Some((
                        Screen::Plan,
                        "Plan",
                        "The cadence ramp-up plan and its sessions",
                    )),
                    Some((
                        Screen::Progress,
                        "Progress",
                        "Sessions, plots and the session table",
                    )),
                    Some((Screen::Form, "Form", "Form cues and checklists")),
                    review,
                    Some((
                        Screen::Settings,
                        "Settings",
                        "Units, sound, theme, device and data folder",
                    )),
                ];
                for (screen, label, tip) in tabs.into_iter().flatten() {
                    if ui
                        .selectable_label(
                            self.screen == screen,
                            egui::RichText::new(label).size(20.0),
                        )
                        .on_hover_text(tip)
                        .clicked()
                    {
                        commands.push(Command::Show(screen));
                    }
                }
            });
            super::widgets::banners(ui, &device, &self.notices, &mut commands);
            if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
                ui.label(
                    egui::RichText::new("Drop watch files (FIT, TCX, GPX) to import them")
                        .size(22.0)
                        .strong(),
                );
            }
        });
        egui::CentralPanel::default()
            .frame(bare(ui))
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink(false)
                    .show(ui, |ui| match self.screen {
                        Screen::Run => commands.extend(run::ui(ui, self)),
                        Screen::Plan => commands.extend(super::plan::ui(ui, self, today)),
                        Screen::Progress => commands.extend(progress::ui(
                            ui,
                            &mut self.history,
                            self.settings.units,
                        )),
                        Screen::Review => match &mut self.review {
                            Some(draft) => {
                                commands.extend(review::ui(ui, draft, self.settings.units))
                            }
                            None => self.screen = Screen::Progress,
                        },
                        Screen::Form => commands.extend(form::ui(ui, &mut self.form)),
                        Screen::Settings => commands.extend(settings_screen::ui(ui, self)),
                    });
            });
        for command in commands {
            self.apply(command);
        }
        // What the commands changed is drawn in the next frame.
        if self.refresh_plan_if_stale(today) {
            ctx.request_repaint();
        }
        // An idle window still turns the day at midnight: the plan's "today", what is due and
        // what moved are redrawn then, not at the next mouse move.
        if let Some(wait) = until_midnight {
            ctx.request_repaint_after(wait);
        }
        self.save_if_due(&ctx, false);
        if let Some(report) = &mut self.report {
            report.frames += 1;
            let first = *report
                .first_ms
                .get_or_insert(report.started.elapsed().as_millis());
            let _ = std::fs::write(
                &report.path,
                format!("frames {}\nfirst_frame_ms {first}\n", report.frames),
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
        if let Some(track) = &self.track {
            track.stop();
        }
        if let (_, Some(e)) = self.recording.end(Ending::Stopped) {
            eprintln!("cadence-coach: {e}");
        }
    }
}

impl Drop for CoachApp {
    fn drop(&mut self) {
        let _ = self.recording.end(Ending::Stopped);
        if self.settings_dirty.take().is_some() {
            let _ = save_settings(&self.settings_path, &self.settings);
        }
    }
}

/// A speed in km/h shown in the chosen units.
pub fn format_speed(kmh: f64, units: crate::cadence::stride::Units) -> String {
    format!("{:.1}", units.from_kmh(kmh))
}
