//! The app's side of the history: loading it, the review after a session, editing, deleting
//! with undo, and CSV export. Every change is saved to the session's own file at once.

use std::path::Path;

use super::CoachApp;
use crate::cadence::session::{Review, SessionRecord};
use crate::cadence::tempo_text;
use crate::store::attach::attach_track;
use crate::store::export::export_csv;
use crate::store::import::{ReadOptions, read_watch_file};
use crate::store::sessions::{
    delete_session, load_sessions, read_saved_session, restore_session, save_session,
};
use crate::store::settings::Settings;
use crate::ui::command::Screen;
use crate::ui::history::{History, local_time};
use crate::ui::review::ReviewDraft;

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
    /// A session just ended: into the history, and the review opens, unless it was short (under
    /// a minute: an accidental start or a sound check), which is kept, marked, and not reviewed.
    pub(super) fn ended(&mut self, (record, error): (Option<SessionRecord>, Option<String>)) {
        self.note(error);
        // Notes about the run that ended (a workout keeping its tempo) no longer hold.
        self.run.message = None;
        if let Some(record) = record {
            if record.is_short() {
                // A planned session started by accident stays loaded, to be run for real.
                self.run.message = Some(self.short_note(&record));
            } else {
                if record.plan.is_some() {
                    // A planned session is played once; the plan offers the next one.
                    self.run.loaded = None;
                    self.run.plan_link = None;
                }
                self.open_review(&record);
            }
            self.history.put(record, self.settings.units);
        }
    }

    /// What became of a short session, in one line for the Run screen.
    fn short_note(&self, record: &SessionRecord) -> String {
        let counted = self.counts_toward_plan(record);
        format!(
            "{} played: under a minute, so kept as short, with no review{}.",
            crate::cadence::clock_text(record.duration_secs as u64),
            match (record.plan.is_some(), counted) {
                (true, false) => ", not in the trend or the plan",
                (true, true) => ", not in the trend (it counts toward the plan)",
                (false, _) => ", not in the trend",
            }
        )
    }

    pub(super) fn open_review(&mut self, record: &SessionRecord) {
        // A review left half-filled is saved before another opens (if it reads; if not, it
        // is given up for this one, as the runner moved on).
        if self
            .review
            .as_ref()
            .is_some_and(|d| d.touched() && d.id != record.id)
        {
            let _ = self.save_review();
        }
        // Shoes and surface carry over from the last review; the tapped cadence and the
        // treadmill speed come from the Run screen. Without taps, the cadence is what the
        // microphone heard over the main part (if a review would take it).
        let last = self
            .history
            .sessions
            .iter()
            .rev()
            .find_map(|s| s.review.as_ref());
        let defaults = Review {
            shoes: last.map(|r| r.shoes.clone()).unwrap_or_default(),
            surface: last.and_then(|r| r.surface),
            measured_spm: self.run.taps.estimate().map(|e| e.spm).or_else(|| {
                record
                    .heard_spm()
                    .filter(|&spm| (100.0..=240.0).contains(&spm))
            }),
            speed_kmh: self.settings.treadmill_kmh,
            ..Review::default()
        };
        let summary = self.summary(record);
        self.review = Some(
            ReviewDraft::new(record, &defaults, self.settings.units, &self.history.tz)
                .with_summary(summary),
        );
        self.screen = Screen::Review;
    }

    /// The session at a glance: time and steps, the cadence measured (taps, a watch), the
    /// time in each part, and whether it counted toward the plan.
    fn summary(&self, record: &SessionRecord) -> Vec<String> {
        let mut lines = vec![format!(
            "{} · {}{}",
            crate::cadence::clock_text(record.duration_secs as u64),
            crate::cadence::count_text(record.steps, "step"),
            record
                .average_spm()
                .map(|a| format!(" · clicks at {a:.1} spm on average"))
                .unwrap_or_default()
        )];
        let tapped = self.run.taps.estimate().filter(|_| record.review.is_none());
        let measured = match (&record.review, tapped, &record.imported) {
            (Some(r), _, _) if r.measured_spm.is_some() => record
                .measured_spm()
                .map(|m| format!("Measured {m:.1} spm (your review)")),
            (_, Some(t), _) => Some(format!("Measured {:.1} spm ({} taps)", t.spm, t.taps)),
            (_, _, Some(i)) if i.average_spm > 0.0 => {
                Some(format!("Measured {:.1} spm (the watch)", i.average_spm))
            }
            _ => record.heard_spm().map(|m| {
                format!(
                    "Measured {m:.1} spm (heard on the microphone, the middle of the main part)"
                )
            }),
        };
        lines.push(measured.unwrap_or_else(|| "No cadence measured (tap T while running)".into()));
        if record.segments.len() > 1 {
            let parts: Vec<String> = record
                .segments
                .iter()
                .map(|s| {
                    let (from, to) = (tempo_text(s.start_spm), tempo_text(s.end_spm));
                    let tempo = if from == to {
                        from
                    } else {
                        format!("{from}–{to}")
                    };
                    format!(
                        "{} {} at {} spm",
                        s.name,
                        crate::cadence::clock_text(s.secs.round() as u64),
                        tempo
                    )
                })
                .collect();
            lines.push(parts.join(" · "));
        }
        lines.push(self.plan_note(record));
        lines
    }

    /// Saves the review being filled in with its session; false (and a message on the draft)
    /// if it does not read or cannot be written.
    pub(super) fn save_review(&mut self) -> bool {
        let units = self.settings.units;
        let data = self.recording.data_dir.clone();
        let Some(draft) = &mut self.review else {
            return false;
        };
        let review = match draft.review(units) {
            Ok(review) => review,
            Err(message) => {
                draft.message = Some(message);
                return false;
            }
        };
        // The file as it is now, so a watch file imported meanwhile (or a plan link)
        // is kept; only the review changes.
        let Some(mut record) = read_saved_session(&data, &draft.id)
            .ok()
            .or_else(|| self.history.get(&draft.id).cloned())
        else {
            draft.message = Some("That session is no longer in the history.".into());
            return false;
        };
        record.review = Some(review);
        match save_session(&data, &record) {
            Ok(_) => {
                self.history.message = Some(format!(
                    "Review saved with the session of {}.",
                    local_time(record.started, &self.history.tz)
                ));
                self.history.selected = Some(record.id.clone());
                self.history.put(record, units);
                true
            }
            // The draft stays open, so nothing typed is lost; the old file is intact.
            Err(e) => {
                draft.message = Some(format!("The review was not saved: {e}"));
                false
            }
        }
    }

    /// Leaves the review for a new run: a half-filled review is saved as it is (the clicks and
    /// words are the runner's); one that does not read stays open under the Review tab.
    pub(super) fn leave_review(&mut self) {
        let keep = match &self.review {
            Some(d) if d.touched() => !self.save_review(),
            _ => false,
        };
        if !keep {
            self.review = None;
        }
        self.screen = Screen::Run;
    }

    /// Deletes the session waiting for "yes": its file goes aside, so it can be undone.
    pub(super) fn confirm_delete(&mut self) {
        let units = self.settings.units;
        let data = self.recording.data_dir.clone();
        let Some(id) = self.history.confirm_delete.take() else {
            return;
        };
        if self.recording.current().is_some_and(|r| r.id == id) {
            self.history.message = Some("That session is still playing; stop it first.".into());
            return;
        }
        match delete_session(&data, &id) {
            Ok(aside) => {
                if let Some(record) = self.history.remove(&id, units) {
                    self.history.message = Some(format!(
                        "Deleted the session of {} (kept in {} until you undo or clear it).",
                        local_time(record.started, &self.history.tz),
                        aside.parent().unwrap_or(&aside).display()
                    ));
                    self.history.undo.push((record, aside));
                }
            }
            Err(e) => self.history.message = Some(e.to_string()),
        }
    }

    /// Brings the last deleted session back, the same bytes.
    pub(super) fn undo_delete(&mut self) {
        let units = self.settings.units;
        let data = self.recording.data_dir.clone();
        let Some((record, aside)) = self.history.undo.pop() else {
            return;
        };
        match restore_session(&data, &record, &aside) {
            Ok(_) => {
                self.history.message = Some(format!(
                    "The session of {} is back.",
                    local_time(record.started, &self.history.tz)
                ));
                self.history.put(record, units);
            }
            Err(e) => {
                self.history.message = Some(format!("Could not undo: {e}"));
                self.history.undo.push((record, aside));
            }
        }
    }

    /// Every session to a CSV file in the data folder.
    pub(super) fn export_csv(&mut self) {
        let data = &self.recording.data_dir;
        let name = format!(
            "sessions-{}.csv",
            jiff::Zoned::now().strftime("%Y-%m-%d-%H%M%S")
        );
        let path = data.join(name);
        self.history.message = Some(match export_csv(&path, &self.history.sessions) {
            Ok(()) => format!(
                "Exported {} to {}",
                crate::cadence::count_text(self.history.sessions.len() as u64, "session"),
                path.display()
            ),
            Err(e) => format!("Export failed: {e}"),
        });
    }

    /// Puts a watch file's cadence onto the session it overlaps, or into a new one, and says
    /// what happened (or why not, naming the file).
    pub(super) fn import_file(&mut self, path: &Path) -> String {
        let (track, source) = match read_watch_file(path, &ReadOptions::default()) {
            Ok(read) => read,
            Err(e) => return e.to_string(),
        };
        let data = self.recording.data_dir.clone();
        match attach_track(&data, &self.history.sessions, &track, &source) {
            Ok(attached) => {
                let when = local_time(attached.record.started, &self.history.tz);
                let text = attached.summary(&track, &when);
                self.history.selected = Some(attached.record.id.clone());
                self.history.put(attached.record, self.settings.units);
                text
            }
            Err(e) => format!("{} could not be imported: {e}", path.display()),
        }
    }
}
