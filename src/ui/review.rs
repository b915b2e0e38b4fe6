//! The review after a session (or later, from the Progress table): the session at a glance and
//! its closed-loop coaching, then effort, discomfort, surface, shoes, distance, speed, measured
//! cadence, the cues held, and notes. Every field may be left empty; "Later" keeps the session
//! without a review.

use eframe::egui::{self, RichText, Ui};

use super::command::Command;
use crate::cadence::clock_text;
use crate::cadence::cues::CUES;
use crate::cadence::session::{Review, SessionRecord, Surface};
use crate::cadence::stride::{KM_PER_MILE, Units};

/// The review being filled in, numbers still as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDraft {
    pub id: String,
    /// What the form says about the session ("Steady 170 spm, 20:00, stopped").
    pub heading: String,
    /// The session at a glance, shown before the fields: time and steps, the cadence
    /// measured, the time in each part, and whether it counted toward the plan.
    pub summary: Vec<String>,
    /// The closed-loop coaching in a line, if the session had it: the mode, the time in band,
    /// clicks heard and silent, nudges.
    pub closed_loop: Option<String>,
    /// The music that played, in a line, if any did.
    pub music: Option<String>,
    pub measured: String,
    pub rpe: Option<u8>,
    pub discomfort: Option<u8>,
    pub discomfort_where: String,
    pub surface: Option<Surface>,
    pub shoes: String,
    pub distance: String,
    pub speed: String,
    pub cues_held: Vec<bool>,
    pub notes: String,
    pub message: Option<String>,
    /// The draft as it was opened, to tell whether the runner has changed anything.
    pub opened: Option<Box<ReviewDraft>>,
}

fn number_text(v: Option<f64>, decimals: usize) -> String {
    v.map_or(String::new(), |v| format!("{v:.decimals$}"))
}

impl ReviewDraft {
    /// A draft for `record`: its own review if it has one, else `defaults` (the last review's
    /// shoes and surface, today's tapped cadence and treadmill speed).
    pub fn new(
        record: &SessionRecord,
        defaults: &Review,
        units: Units,
        tz: &jiff::tz::TimeZone,
    ) -> ReviewDraft {
        let r = record.review.as_ref().unwrap_or(defaults);
        let mut distance_km = r.distance_km;
        if record.review.is_none()
            && let Some(kmh) = r.speed_kmh
        {
            // At a known speed the distance follows from the time run.
            distance_km = Some(kmh * record.duration_secs / 3600.0);
        }
        let (distance, speed) = match units {
            Units::Metric => (distance_km, r.speed_kmh),
            Units::Imperial => (
                distance_km.map(|d| d / KM_PER_MILE),
                r.speed_kmh.map(|s| s / KM_PER_MILE),
            ),
        };
        let target = record
            .target()
            .map(|t| format!(", target {t} spm"))
            .unwrap_or_default();
        let heading = format!(
            "{}, {}{target}, started {}",
            record.workout,
            clock_text(record.duration_secs as u64),
            super::history::local_time(record.started, tz)
        );
        ReviewDraft {
            id: record.id.clone(),
            heading,
            summary: Vec::new(),
            closed_loop: record
                .closed_loop
                .as_ref()
                .map(crate::cadence::progress::closed_loop_text),
            music: crate::cadence::session::music_text(&record.music),
            measured: number_text(r.measured_spm, 1),
            rpe: r.rpe,
            discomfort: r.discomfort,
            discomfort_where: r.discomfort_where.clone(),
            surface: r.surface,
            shoes: r.shoes.clone(),
            distance: number_text(distance, 2),
            speed: number_text(speed, 1),
            cues_held: CUES
                .iter()
                .map(|c| r.cues_held.iter().any(|h| h == c.title))
                .collect(),
            notes: r.notes.clone(),
            message: None,
            opened: None,
        }
        .remember_opened()
    }

    /// The same draft with `summary` shown before its fields.
    pub fn with_summary(mut self, summary: Vec<String>) -> ReviewDraft {
        self.summary = summary.clone();
        if let Some(opened) = &mut self.opened {
            opened.summary = summary;
        }
        self
    }

    fn remember_opened(mut self) -> ReviewDraft {
        self.opened = Some(Box::new(self.clone()));
        self
    }

    /// Whether the runner changed anything since it opened.
    pub fn touched(&self) -> bool {
        let mut now = self.clone();
        now.message = None;
        now.opened = None;
        self.opened.as_deref() != Some(&now)
    }

    /// The review, or a message naming the field that does not read.
    pub fn review(&self, units: Units) -> Result<Review, String> {
        fn parse(name: &str, text: &str) -> Result<Option<f64>, String> {
            let t = text.trim().replace(',', ".");
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>()
                .map(Some)
                .map_err(|_| format!("{name} '{}' is not a number", text.trim()))
        }
        let to_km = |v: Option<f64>| match units {
            Units::Metric => v,
            Units::Imperial => v.map(|v| v * KM_PER_MILE),
        };
        let review = Review {
            measured_spm: parse("Measured cadence", &self.measured)?,
            rpe: self.rpe,
            discomfort: self.discomfort,
            discomfort_where: self.discomfort_where.trim().to_string(),
            surface: self.surface,
            shoes: self.shoes.trim().to_string(),
            distance_km: to_km(parse("Distance", &self.distance)?),
            speed_kmh: to_km(parse("Speed", &self.speed)?),
            cues_held: CUES
                .iter()
                .zip(&self.cues_held)
                .filter(|(_, held)| **held)
                .map(|(c, _)| c.title.to_string())
                .collect(),
            notes: self.notes.trim().to_string(),
        };
        review.check()?;
        Ok(review)
    }
}

/// A row of buttons 0..=10 (or 1..=10) for a score; clicking the chosen one clears it.
fn score_row(ui: &mut Ui, name: &str, value: &mut Option<u8>, from: u8, tip: &str) {
    ui.horizontal(|ui| {
        for n in from..=10 {
            let chosen = *value == Some(n);
            let button = egui::Button::selectable(chosen, RichText::new(n.to_string()).size(20.0))
                .min_size(egui::vec2(36.0, 32.0));
            let response = ui.add(button).on_hover_text(format!("{name} {n}: {tip}"));
            // Named "Effort 6", not "6": the two rows hold the same numbers.
            response.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::accesskit::Role::Button,
                    true,
                    chosen,
                    format!("{name} {n}"),
                )
            });
            if response.clicked() {
                *value = if chosen { None } else { Some(n) };
            }
        }
    });
}

pub fn ui(ui: &mut Ui, draft: &mut ReviewDraft, units: Units) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.label(RichText::new("How did it go?").size(30.0).strong());
    ui.label(RichText::new(&draft.heading).size(18.0));
    if !draft.summary.is_empty() || draft.closed_loop.is_some() || draft.music.is_some() {
        egui::Frame::group(ui.style())
            .inner_margin(10.0)
            .show(ui, |ui| {
                for (i, line) in draft.summary.iter().enumerate() {
                    let text = RichText::new(line).size(if i == 0 { 24.0 } else { 18.0 });
                    ui.label(if i == 0 { text.strong() } else { text });
                }
                if let Some(line) = &draft.closed_loop {
                    ui.label(RichText::new(line).size(18.0));
                }
                if let Some(line) = &draft.music {
                    ui.add(egui::Label::new(RichText::new(line).size(18.0)).truncate());
                }
            });
    }
    ui.label(
        RichText::new(
            "Every field may stay empty. \"Later\" keeps the session; review it from Progress.",
        )
        .weak(),
    );
    ui.add_space(8.0);
    let (distance_unit, speed_unit) = match units {
        Units::Metric => ("km", "km/h"),
        Units::Imperial => ("miles", "mph"),
    };
    egui::Grid::new("review")
        .num_columns(2)
        .spacing([20.0, 10.0])
        .show(ui, |ui| {
            let label = ui.label("Measured cadence (spm)");
            super::widgets::numeric(
                ui.add(
                    egui::TextEdit::singleline(&mut draft.measured)
                        .desired_width(90.0)
                        .hint_text("e.g. 172"),
                ),
            )
            .labelled_by(label.id)
            .on_hover_text("Tapped (T on the Run screen) or counted: steps in 30 s × 2");
            ui.end_row();

            ui.label("Effort (RPE 1–10)");
            score_row(ui, "Effort", &mut draft.rpe, 1, "1 very easy, 10 all-out");
            ui.end_row();

            ui.label("Discomfort (0–10)");
            score_row(
                ui,
                "Discomfort",
                &mut draft.discomfort,
                0,
                "0 none, 10 worst",
            );
            ui.end_row();

            let label = ui.label("Where");
            ui.add(
                egui::TextEdit::singleline(&mut draft.discomfort_where)
                    .hint_text("e.g. lower back"),
            )
            .labelled_by(label.id)
            .on_hover_text("Where the discomfort was");
            ui.end_row();

            ui.label("Surface");
            ui.horizontal(|ui| {
                for s in Surface::ALL {
                    let chosen = draft.surface == Some(s);
                    if ui
                        .add(egui::Button::selectable(chosen, s.name()))
                        .on_hover_text(format!("Surface: {}", s.name()))
                        .clicked()
                    {
                        draft.surface = if chosen { None } else { Some(s) };
                    }
                }
            });
            ui.end_row();

            let label = ui.label("Shoes");
            ui.add(egui::TextEdit::singleline(&mut draft.shoes).hint_text("name or model"))
                .labelled_by(label.id)
                .on_hover_text("Shoes, by a name you reuse: their distance adds up");
            ui.end_row();

            let label = ui.label(format!("Distance ({distance_unit})"));
            super::widgets::numeric(
                ui.add(egui::TextEdit::singleline(&mut draft.distance).desired_width(90.0)),
            )
            .labelled_by(label.id)
            .on_hover_text(format!("Distance run, in {distance_unit}"));
            ui.end_row();

            let label = ui.label(format!("Speed ({speed_unit})"));
            super::widgets::numeric(
                ui.add(egui::TextEdit::singleline(&mut draft.speed).desired_width(90.0)),
            )
            .labelled_by(label.id)
            .on_hover_text(format!(
                "Treadmill or average speed in {speed_unit}; gives the step length"
            ));
            ui.end_row();

            ui.label("Cues held");
            ui.vertical(|ui| {
                for (cue, held) in CUES.iter().zip(draft.cues_held.iter_mut()) {
                    ui.checkbox(held, cue.title);
                }
            });
            ui.end_row();

            let label = ui.label("Notes");
            ui.add(
                egui::TextEdit::multiline(&mut draft.notes)
                    .desired_rows(3)
                    .desired_width(480.0),
            )
            .labelled_by(label.id)
            .on_hover_text("Anything worth remembering");
            ui.end_row();
        });
    ui.add_space(8.0);
    if let Some(message) = &draft.message {
        ui.label(
            RichText::new(message)
                .size(18.0)
                .color(ui.visuals().warn_fg_color),
        );
    }
    ui.horizontal(|ui| {
        if ui
            .add(egui::Button::new(RichText::new("Save review").size(22.0)))
            .on_hover_text("Save the review with the session")
            .clicked()
        {
            commands.push(Command::SaveReview);
        }
        if ui
            .add(egui::Button::new(RichText::new("Later").size(22.0)))
            .on_hover_text("Keep the session without a review; review it from Progress")
            .clicked()
        {
            commands.push(Command::SkipReview);
        }
    });
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_reads_back_in_the_runners_units_and_names_a_bad_field() {
        let mut record = SessionRecord::new(
            "a",
            "2026-11-21T07:00:00Z".parse().unwrap(),
            "Steady",
            170.0,
        );
        record.duration_secs = 1800.0;
        let defaults = Review {
            speed_kmh: Some(10.0 * KM_PER_MILE),
            shoes: "Ghost".into(),
            ..Review::default()
        };
        let mut draft = ReviewDraft::new(
            &record,
            &defaults,
            Units::Imperial,
            &jiff::tz::TimeZone::UTC,
        );
        assert_eq!(draft.speed, "10.0");
        assert_eq!(draft.distance, "5.00");
        assert_eq!(draft.shoes, "Ghost");
        draft.measured = "172,5".into();
        draft.cues_held[0] = true;
        let review = draft.review(Units::Imperial).unwrap();
        assert_eq!(review.measured_spm, Some(172.5));
        assert!((review.distance_km.unwrap() - 5.0 * KM_PER_MILE).abs() < 1e-9);
        assert_eq!(review.cues_held, [CUES[0].title]);
        draft.distance = "far".into();
        assert_eq!(
            draft.review(Units::Imperial).unwrap_err(),
            "Distance 'far' is not a number"
        );
        draft.distance.clear();
        draft.measured = "90".into();
        assert!(
            draft
                .review(Units::Metric)
                .unwrap_err()
                .contains("100–240 spm")
        );
    }
}
