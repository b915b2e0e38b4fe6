//! The Progress screen: advice the records call for, the plots (cadence per session, step
//! length, discomfort, weekly minutes, one session's tempo), then the session table
//! (`progress_table`). The plot data is built when the history changes, not per frame.

use std::path::PathBuf;

use eframe::egui::{self, RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Line, MarkerShape, Plot, Points};

use super::app::Command;
use super::progress_table;
use crate::cadence::progress::{Advice, ProgressSeries, advice, tempo_profile};
use crate::cadence::session::SessionRecord;
use crate::cadence::stride::Units;

/// The history as the window holds it, with everything derived from it.
#[derive(Debug)]
pub struct History {
    /// Oldest first.
    pub sessions: Vec<SessionRecord>,
    pub series: ProgressSeries,
    pub advice: Vec<Advice>,
    /// The session whose tempo profile is shown.
    pub selected: Option<String>,
    /// `(played, imported)` tempo of the selected session, `[minute, spm]`.
    pub profile: (Vec<[f64; 2]>, Vec<[f64; 2]>),
    /// A delete waiting for "yes".
    pub confirm_delete: Option<String>,
    /// Sessions deleted since the window opened and where their files went, for Undo (the
    /// latest last).
    pub undo: Vec<(SessionRecord, PathBuf)>,
    pub message: Option<String>,
    /// The watch file path typed for import.
    pub import_path: String,
    /// The runner's time zone, for days on the axis and times in the table.
    pub tz: jiff::tz::TimeZone,
    /// Counts changes, so views built from the history know when to rebuild.
    pub revision: u64,
}

impl History {
    pub fn new(sessions: Vec<SessionRecord>, units: Units) -> History {
        let mut history = History {
            sessions,
            series: ProgressSeries::default(),
            advice: Vec::new(),
            selected: None,
            profile: Default::default(),
            confirm_delete: None,
            undo: Vec::new(),
            message: None,
            import_path: String::new(),
            tz: jiff::tz::TimeZone::system(),
            revision: 0,
        };
        history.refresh(units);
        history
    }

    /// Rebuilds the plot data and advice after the sessions changed.
    pub fn refresh(&mut self, units: Units) {
        self.revision += 1;
        self.sessions
            .sort_by(|a, b| a.started.cmp(&b.started).then(a.id.cmp(&b.id)));
        self.series = ProgressSeries::new(&self.sessions, &self.tz);
        self.advice = advice(&self.sessions, units);
        if self
            .selected
            .as_ref()
            .is_none_or(|id| self.get(id).is_none())
        {
            self.selected = self.sessions.last().map(|s| s.id.clone());
        }
        self.profile = self
            .selected
            .as_ref()
            .and_then(|id| self.get(id))
            .map(tempo_profile)
            .unwrap_or_default();
    }

    pub fn get(&self, id: &str) -> Option<&SessionRecord> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// Adds or replaces a session (by id).
    pub fn put(&mut self, record: SessionRecord, units: Units) {
        match self.sessions.iter_mut().find(|s| s.id == record.id) {
            Some(s) => *s = record,
            None => self.sessions.push(record),
        }
        self.refresh(units);
    }

    pub fn remove(&mut self, id: &str, units: Units) -> Option<SessionRecord> {
        let i = self.sessions.iter().position(|s| s.id == id)?;
        let record = self.sessions.remove(i);
        self.refresh(units);
        Some(record)
    }
}

/// A session's start in local time ("2026-11-21 07:05").
pub fn local_time(started: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    started
        .to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// A day number as a date ("2026-11-21").
pub fn day_text(day: f64) -> String {
    jiff::Timestamp::from_second((day.floor() * 86_400.0) as i64)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A plot with dates on the x axis and hover labels that name the series, the date and value.
/// No legend of its own: one series is named by its title, several by a key beside it, or by a
/// legend the caller places where it covers no points.
pub(super) fn date_plot<'a>(id: &'a str, height: f32, unit: &'a str) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        // Room around the data: a point on the first day or at the highest value would sit on
        // the frame, or under the legend in its corner.
        .set_margin_fraction(egui::vec2(0.04, 0.12))
        .allow_scroll(false)
        .x_axis_formatter(|mark, _| day_text(mark.value))
        .label_formatter(move |pos| match pos {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => Some(format!(
                "{plot_name}\n{}\n{:.1} {unit}",
                day_text(position.x),
                position.y
            )),
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        })
}

/// Colours of what was asked for (target, planned) and what was run (measured, done).
pub(super) const TARGET: egui::Color32 = egui::Color32::from_rgb(120, 130, 150);
pub(super) const MEASURED: egui::Color32 = egui::Color32::from_rgb(235, 120, 20);

pub fn ui(ui: &mut Ui, history: &mut History, units: Units) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Progress").size(30.0).strong());
        ui.label(
            RichText::new(format!("{} sessions", history.sessions.len()))
                .size(18.0)
                .weak(),
        );
    });
    for a in &history.advice {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(&a.text).size(17.0));
            ui.label(RichText::new(format!("{}: {}", a.evidence, a.basis)).weak())
                .on_hover_text("How well founded this advice is");
        });
    }
    if history.sessions.is_empty() {
        ui.label(
            RichText::new(
                "No sessions yet. Every session played on the Run screen is recorded here; \
                 a watch file imported below becomes a session of its own.",
            )
            .size(18.0),
        );
        progress_table::ui(ui, history, units, &mut commands);
        return commands;
    }
    let s = &history.series;

    ui.horizontal(|ui| {
        ui.label(RichText::new("Cadence per session").size(20.0).strong());
        ui.add_space(12.0);
        key(ui, "— Target", TARGET);
        key(ui, "• Measured", MEASURED);
    });
    date_plot("cadence-per-session", 220.0, "spm")
        .y_axis_label("steps per minute")
        .show(ui, |plot| {
            plot.line(
                Line::new("Target", s.target.clone())
                    .color(TARGET)
                    .width(2.0),
            );
            plot.points(
                Points::new("Measured", s.measured.clone())
                    .color(MEASURED)
                    .radius(4.0)
                    .shape(MarkerShape::Circle)
                    .filled(true),
            );
        });

    ui.columns(2, |cols| {
        cols[0].label(RichText::new("Step length").size(20.0).strong());
        let (factor, unit) = match units {
            Units::Metric => (100.0, "cm"),
            Units::Imperial => (1.0 / 0.0254, "in"),
        };
        let lengths: Vec<[f64; 2]> = s
            .step_length_m
            .iter()
            .map(|p| [p[0], p[1] * factor])
            .collect();
        if lengths.is_empty() {
            no_data(
                &mut cols[0],
                180.0,
                "No step lengths yet: a review with the treadmill speed gives one.",
            );
        } else {
            date_plot("step-length", 180.0, unit)
                .y_axis_label(unit)
                .show(&mut cols[0], |plot| {
                    plot.line(Line::new("Step length", lengths).color(MEASURED));
                });
        }
        cols[1].label(RichText::new("Discomfort").size(20.0).strong());
        if s.discomfort.is_empty() {
            no_data(
                &mut cols[1],
                180.0,
                "No discomfort noted yet: each review asks for it (0–10).",
            );
        } else {
            date_plot("discomfort", 180.0, "of 10")
                .y_axis_label("0–10")
                .include_y(0.0)
                .include_y(10.0)
                .show(&mut cols[1], |plot| {
                    plot.line(
                        Line::new("Discomfort", s.discomfort.clone())
                            .color(egui::Color32::from_rgb(200, 60, 60)),
                    );
                });
        }
    });

    ui.columns(2, |cols| {
        cols[0].label(RichText::new("Minutes per week").size(20.0).strong());
        let bars = s
            .weekly_minutes
            .iter()
            .map(|w| Bar::new(w[0] + 3.5, w[1]).width(6.0))
            .collect();
        date_plot("weekly-minutes", 180.0, "min")
            .y_axis_label("minutes")
            .include_y(0.0)
            .show(&mut cols[0], |plot| {
                plot.bar_chart(BarChart::new("Minutes", bars).color(TARGET));
            });
        let title = history
            .selected
            .as_ref()
            .and_then(|id| history.get(id))
            .map_or(String::new(), |r| {
                format!(" of {}", local_time(r.started, &history.tz))
            });
        cols[1].label(RichText::new(format!("Tempo{title}")).size(20.0).strong());
        // A little room above and below the tempo, so a warm-up is not drawn on the frame.
        let (lo, hi) = history
            .profile
            .0
            .iter()
            .chain(&history.profile.1)
            .fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(p[1]), hi.max(p[1]))
            });
        Plot::new("tempo-profile")
            .height(180.0)
            .include_y(if lo <= hi { lo - 3.0 } else { 150.0 })
            .include_y(if lo <= hi { hi + 3.0 } else { 180.0 })
            .legend(Legend::default())
            .allow_scroll(false)
            .x_axis_label("minutes")
            .y_axis_label("spm")
            .show(&mut cols[1], |plot| {
                // No band aggregation: a part's end and the next one's start share a minute,
                // and a band would fill the space between them.
                plot.line(
                    Line::new("Click", history.profile.0.clone())
                        .color(TARGET)
                        .width(2.0)
                        .allow_band(false),
                );
                if !history.profile.1.is_empty() {
                    plot.line(
                        Line::new("Watch", history.profile.1.clone())
                            .color(MEASURED)
                            .allow_band(false),
                    );
                }
            });
    });
    ui.add_space(8.0);
    progress_table::ui(ui, history, units, &mut commands);
    commands
}

/// One entry of a plot's key, in the series' colour.
fn key(ui: &mut Ui, text: &str, colour: egui::Color32) {
    ui.label(RichText::new(text).size(16.0).color(colour));
}

/// In place of a plot with nothing to show (its axis would start in 1970): the plot's space,
/// framed, and what would fill it.
fn no_data(ui: &mut Ui, height: f32, text: &str) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::hover(),
    );
    ui.painter().rect_stroke(
        rect,
        4.0,
        ui.visuals().widgets.noninteractive.bg_stroke,
        egui::StrokeKind::Inside,
    );
    ui.new_child(egui::UiBuilder::new().max_rect(rect.shrink(8.0)))
        .centered_and_justified(|ui| {
            ui.label(RichText::new(text).size(16.0).weak());
        });
}

/// A watch file's cadence onto the session it overlaps in time: a path typed here, or files
/// dropped on the window. Laid out in the caller's row.
pub(super) fn import_field(ui: &mut Ui, history: &mut History, commands: &mut Vec<Command>) {
    let label = ui.label("Watch file");
    let field = ui
        .add(
            egui::TextEdit::singleline(&mut history.import_path)
                .desired_width(280.0)
                .hint_text("a FIT, TCX or GPX file"),
        )
        .labelled_by(label.id)
        .on_hover_text(
            "A watch's record of a run: its cadence goes onto the session it overlaps in \
             time, or becomes a new session (a path, ~/path or file:// URL).",
        );
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if (ui
        .button("Import")
        .on_hover_text("Import the watch file (Enter)")
        .clicked()
        || entered)
        && !history.import_path.trim().is_empty()
    {
        commands.push(Command::ImportFiles(vec![super::widgets::typed_path(
            &history.import_path,
        )]));
    }
    // winit cannot take files dropped on a Wayland window yet; under X11 it can.
    if std::env::var_os("WAYLAND_DISPLAY").is_none_or(|v| v.is_empty()) {
        ui.label(RichText::new("or drop files on the window").weak());
    }
}
