//! The Progress screen: advice the records call for, the plots (cadence per session, time in band
//! and retention per stage in `progress_closed_loop`, step length, discomfort, weekly minutes,
//! one session's tempo and its closed-loop summary), then the session table (`progress_table`).
//! The plot data is built when the history or the plan changes, not per frame.

use eframe::egui::{self, RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, MarkerShape, Plot, Points};

use super::charts::{HEARD, MEASURED, TARGET, date_plot, key, no_data, series_line};
use super::command::Command;
use super::history::{History, local_time};
use super::progress_table;
use crate::cadence::stride::Units;

/// The Progress screen's own state.
#[derive(Debug, Default)]
pub struct ProgressView {
    /// The watch file path typed for import.
    pub import_path: String,
    /// Leave sessions under a minute out of the table (they are shown, marked, by default).
    pub hide_short: bool,
}

/// What the Progress screen shows of the current plan; empty without one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOnProgress {
    /// The plan's cadence on its dates (`[day, spm]`).
    pub cadence: Vec<[f64; 2]>,
    /// What the retention probes say of each stage that has them.
    pub stages: Vec<crate::cadence::plan::StageRetention>,
}

/// What the Progress screen shows, read-only.
pub struct ProgressShown<'a> {
    pub history: &'a History,
    pub planned: &'a PlanOnProgress,
    pub units: Units,
}

/// Colour of the plan's cadence and of the measured trend.
const PLANNED: egui::Color32 = egui::Color32::from_rgb(90, 160, 255);
const TREND: egui::Color32 = egui::Color32::from_rgb(255, 190, 120);

/// The Progress screen: `view` is its own state, `shown` what it shows.
pub fn ui(ui: &mut Ui, view: &mut ProgressView, shown: &ProgressShown) -> Vec<Command> {
    let (history, units) = (shown.history, shown.units);
    let mut commands = Vec::new();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Progress").size(30.0).strong());
        ui.label(
            RichText::new(crate::cadence::count_text(
                history.sessions.len() as u64,
                "session",
            ))
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
        progress_table::ui(ui, view, history, units, &mut commands);
        return commands;
    }
    let s = &history.series;
    let planned = &shown.planned.cadence;

    ui.horizontal(|ui| {
        ui.label(RichText::new("Cadence per session").size(20.0).strong());
        ui.add_space(12.0);
        key(ui, "• Target", TARGET);
        key(ui, "• Measured", MEASURED);
        key(ui, "— Trend (median of 5)", TREND);
        if !planned.is_empty() {
            key(ui, "— Plan", PLANNED);
        }
    });
    date_plot(ui, "cadence-per-session", 220.0, "spm")
        .y_axis_label("steps per minute")
        .show(ui, |plot| {
            if !planned.is_empty() {
                plot.line(
                    series_line("Plan", planned.to_vec())
                        .color(PLANNED)
                        .width(1.5)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            plot.line(
                series_line("Target", s.target.clone())
                    .color(TARGET)
                    .width(1.0),
            );
            plot.points(
                Points::new("Target", s.target.clone())
                    .color(TARGET)
                    .radius(3.0)
                    .shape(MarkerShape::Diamond)
                    .filled(true),
            );
            plot.line(
                series_line("Trend", s.trend.clone())
                    .color(TREND)
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
    super::progress_closed_loop::ui(ui, s, &shown.planned.stages);

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
                "No step lengths yet: a review with the treadmill speed gives one, or a \
                 watch file with a distance.",
            );
        } else {
            date_plot(&cols[0], "step-length", 180.0, unit)
                .y_axis_label(unit)
                .show(&mut cols[0], |plot| {
                    plot.line(series_line("Step length", lengths.clone()).color(MEASURED));
                    plot.points(
                        Points::new("Step length", lengths)
                            .color(MEASURED)
                            .radius(4.0)
                            .filled(true),
                    );
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
            date_plot(&cols[1], "discomfort", 180.0, "of 10")
                .y_axis_label("0–10")
                .include_y(0.0)
                .include_y(10.0)
                .show(&mut cols[1], |plot| {
                    let red = egui::Color32::from_rgb(200, 60, 60);
                    plot.line(series_line("Discomfort", s.discomfort.clone()).color(red));
                    plot.points(
                        Points::new("Discomfort", s.discomfort.clone())
                            .color(red)
                            .radius(4.0)
                            .filled(true),
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
        date_plot(&cols[0], "weekly-minutes", 180.0, "min")
            .y_axis_label("minutes")
            .include_y(0.0)
            .show(&mut cols[0], |plot| {
                plot.bar_chart(BarChart::new("Minutes", bars).color(TARGET));
            });
        let selected = history.selected.as_ref().and_then(|id| history.get(id));
        let title = selected.map_or(String::new(), |r| {
            format!(" of {}", local_time(r.started, &history.tz))
        });
        cols[1].label(RichText::new(format!("Tempo{title}")).size(20.0).strong());
        if let Some(summary) = selected.and_then(|r| r.closed_loop.as_ref()) {
            cols[1].label(crate::cadence::progress::closed_loop_text(summary));
        }
        // A little room above and below the tempo, so a warm-up is not drawn on the frame.
        let (lo, hi) = history
            .profile
            .points()
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
                // A part's end and the next one's start share a minute: as a band, the line
                // would fill the space between them.
                plot.line(
                    series_line("Click", history.profile.played.clone())
                        .color(TARGET)
                        .width(2.0),
                );
                if !history.profile.watch.is_empty() {
                    plot.line(series_line("Watch", history.profile.watch.clone()).color(MEASURED));
                }
                if !history.profile.microphone.is_empty() {
                    plot.line(
                        series_line("microphone", history.profile.microphone.clone()).color(HEARD),
                    );
                }
            });
    });
    ui.add_space(8.0);
    progress_table::ui(ui, view, history, units, &mut commands);
    commands
}

/// One entry of a plot's key, in the series' colour.
/// A watch file's cadence onto the session it overlaps in time: a path typed here, or files
/// dropped on the window. Laid out in the caller's row.
pub(super) fn import_field(ui: &mut Ui, view: &mut ProgressView, commands: &mut Vec<Command>) {
    let label = ui.label("Watch file");
    let field = ui
        .add(
            egui::TextEdit::singleline(&mut view.import_path)
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
        && !view.import_path.trim().is_empty()
    {
        commands.push(Command::ImportFiles(vec![super::widgets::typed_path(
            &view.import_path,
        )]));
    }
    // winit cannot take files dropped on a Wayland window yet; under X11 it can.
    if std::env::var_os("WAYLAND_DISPLAY").is_none_or(|v| v.is_empty()) {
        ui.label(RichText::new("or drop files on the window").weak());
    }
}
