//! The one place a `Command` is acted on: an exhaustive `match`, so a new command that nobody
//! handles does not compile. Each arm is short; the work lives beside the state it changes
//! (`session.rs`, `history.rs`, `plan.rs`).

use super::CoachApp;
use crate::cadence::cues::CUES;
use crate::store::load_workout;
use crate::ui::command::{Command, Screen};

impl CoachApp {
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
            // During a workout ± moves the rest of it; otherwise the target.
            Command::Nudge(delta) if self.playing_workout().is_some() => self.shift_workout(delta),
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
                self.run.view.typed = self.settings.target.to_string();
            }
            Command::UpdateSettings(settings) => self.update_settings(*settings),
            Command::UseDataDir(path) => self.use_data_dir(path),
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
                    self.forget_last_session();
                }
                Err(e) => self.run.message = Some(e.to_string()),
            },
            Command::ClearWorkout => {
                self.forget_last_session();
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
            Command::SaveReview => {
                if self.save_review() {
                    self.review = None;
                    self.screen = Screen::Progress;
                }
            }
            Command::LeaveReview => self.leave_review(),
            Command::SkipReview => {
                self.review = None;
                self.screen = Screen::Run;
            }
            Command::EditReview(id) => {
                if let Some(record) = self.history.get(&id).cloned() {
                    self.open_review(&record);
                }
            }
            Command::SelectSession(id) => {
                self.history.selected = Some(id);
                self.history.refresh(self.settings.units);
            }
            Command::AskDelete(id) => self.history.confirm_delete = Some(id),
            Command::CancelDelete => self.history.confirm_delete = None,
            Command::ConfirmDelete => self.confirm_delete(),
            Command::UndoDelete => self.undo_delete(),
            Command::ExportCsv => self.export_csv(),
            Command::ImportFiles(paths) => {
                // Several files dropped at once: a line each.
                let lines: Vec<String> = paths.iter().map(|p| self.import_file(p)).collect();
                self.history.message = Some(lines.join("\n"));
                self.screen = Screen::Progress;
            }
            Command::MakePlan => self.make_plan(),
            Command::StartPlanned => self.start_planned(),
            Command::RepeatStage(stage) => self.repeat_stage(stage),
            Command::PlanTap(at) => self.plan.taps.tap(at),
            // The microphone opens or closes in `logic`, right after.
            Command::Listen(on) => {
                let mut settings = self.settings.clone();
                settings.listening = on;
                self.update_settings(settings);
            }
            Command::MusicFolder(path) => self.use_music_folder(path),
            Command::MusicQueue(path) => self.queue_track(path),
            Command::MusicSkip => self.skip_track(),
            Command::MusicBan => self.ban_track(),
            Command::MusicUnbanAll => self.unban_all(),
        }
    }

    /// "Use this folder" on Settings: the folder is created if needed (an empty or relative
    /// path would put the data wherever the app happened to be started), then kept in the
    /// settings.
    fn use_data_dir(&mut self, path: std::path::PathBuf) {
        let made = if path.is_absolute() {
            std::fs::create_dir_all(&path)
        } else {
            Err(std::io::Error::other(
                "give the whole path of a folder (starting from / or ~/)",
            ))
        };
        match made {
            Ok(()) => {
                self.settings_message = None;
                let default_dir = crate::store::data_dir::default_data_dir();
                let mut settings = self.settings.clone();
                settings.data_dir = (path != default_dir).then_some(path);
                self.update_settings(settings);
            }
            Err(e) => {
                self.settings_message = Some(format!("could not use {}: {e}", path.display()))
            }
        }
    }
}
