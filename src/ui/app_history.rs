//! The app's side of the history: loading it, the review after a session, editing, deleting
//! with undo, and CSV export. Every change is saved to the session's own file at once.

use std::path::Path;

use super::app::{CoachApp, Command, Screen};
use super::progress::{History, local_time};
use super::review::ReviewDraft;
use crate::cadence::session::{Review, SessionRecord};
use crate::store::export::export_csv;
use crate::store::sessions::{delete_session, load_sessions, restore_session, save_session};
use crate::store::settings::Settings;

/// Loads the sessions in `data`; damaged files come back as messages (they have been moved
/// aside).
pub(super) fn load_history(data: &Path, settings: &Settings) -> (History, Vec<String>) {
    let (sessions, damaged) = load_sessions(data);
    (
        History::new(sessions, settings.units),
        damaged.iter().map(ToString::to_string).collect(),
    )
}

impl CoachApp {
    /// A session just ended: into the history, and the review opens.
    pub(super) fn ended(&mut self, (record, error): (Option<SessionRecord>, Option<String>)) {
        self.note(error);
        if let Some(record) = record {
            self.open_review(&record);
            self.history.put(record, self.settings.units);
        }
    }

    fn open_review(&mut self, record: &SessionRecord) {
        // Shoes and surface carry over from the last review; the tapped cadence and the
        // treadmill speed come from the Run screen.
        let last = self
            .history
            .sessions
            .iter()
            .rev()
            .find_map(|s| s.review.as_ref());
        let defaults = Review {
            shoes: last.map(|r| r.shoes.clone()).unwrap_or_default(),
            surface: last.and_then(|r| r.surface),
            measured_spm: self.run.taps.estimate().map(|e| e.spm),
            speed_kmh: self.settings.treadmill_kmh,
            ..Review::default()
        };
        self.review = Some(ReviewDraft::new(
            record,
            &defaults,
            self.settings.units,
            self.history.utc_offset_secs,
        ));
        self.screen = Screen::Review;
    }

    /// The commands of the Review and Progress screens.
    pub(super) fn apply_history(&mut self, command: Command) {
        let units = self.settings.units;
        let data = self.recording.data_dir.clone();
        match command {
            Command::SaveReview => {
                let Some(draft) = &mut self.review else {
                    return;
                };
                let review = match draft.review(units) {
                    Ok(review) => review,
                    Err(message) => {
                        draft.message = Some(message);
                        return;
                    }
                };
                let Some(mut record) = self.history.get(&draft.id).cloned() else {
                    draft.message = Some("That session is no longer in the history.".into());
                    return;
                };
                record.review = Some(review);
                match save_session(&data, &record) {
                    Ok(_) => {
                        self.history.message = Some(format!(
                            "Review saved with the session of {}.",
                            local_time(&record.started, self.history.utc_offset_secs)
                        ));
                        self.history.selected = Some(record.id.clone());
                        self.history.put(record, units);
                        self.review = None;
                        self.screen = Screen::Progress;
                    }
                    // The draft stays open, so nothing typed is lost; the old file is intact.
                    Err(e) => draft.message = Some(format!("The review was not saved: {e}")),
                }
            }
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
                self.history.refresh(units);
            }
            Command::AskDelete(id) => self.history.confirm_delete = Some(id),
            Command::CancelDelete => self.history.confirm_delete = None,
            Command::ConfirmDelete => {
                let Some(id) = self.history.confirm_delete.take() else {
                    return;
                };
                if self.recording.current().is_some_and(|r| r.id == id) {
                    self.history.message =
                        Some("That session is still playing; stop it first.".into());
                    return;
                }
                match delete_session(&data, &id) {
                    Ok(aside) => {
                        if let Some(record) = self.history.remove(&id, units) {
                            self.history.message = Some(format!(
                                "Deleted the session of {} (kept in {} until you undo or clear it).",
                                local_time(&record.started, self.history.utc_offset_secs),
                                aside.parent().unwrap_or(&aside).display()
                            ));
                            self.history.undo = Some((record, aside));
                        }
                    }
                    Err(e) => self.history.message = Some(e),
                }
            }
            Command::UndoDelete => {
                let Some((record, aside)) = self.history.undo.take() else {
                    return;
                };
                match restore_session(&data, &record, &aside) {
                    Ok(_) => {
                        self.history.message = Some(format!(
                            "The session of {} is back.",
                            local_time(&record.started, self.history.utc_offset_secs)
                        ));
                        self.history.put(record, units);
                    }
                    Err(e) => {
                        self.history.message = Some(format!("Could not undo: {e}"));
                        self.history.undo = Some((record, aside));
                    }
                }
            }
            Command::ExportCsv => {
                let name = format!(
                    "sessions-{}.csv",
                    jiff::Zoned::now().strftime("%Y-%m-%d-%H%M%S")
                );
                let path = data.join(name);
                self.history.message = Some(
                    match std::fs::create_dir_all(&data)
                        .map_err(|e| format!("could not create {}: {e}", data.display()))
                        .and_then(|()| export_csv(&path, &self.history.sessions))
                    {
                        Ok(()) => format!(
                            "Exported {} sessions to {}",
                            self.history.sessions.len(),
                            path.display()
                        ),
                        Err(e) => format!("Export failed: {e}"),
                    },
                );
            }
            other => self.apply_plan(other),
        }
    }
}
