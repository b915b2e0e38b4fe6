//! The Progress screen's closed-loop plots: the share of each session's measured time in the
//! band, and what the retention probes say of each stage of the current plan, against the share
//! that makes a stage learned. Draws only, from data built when the history or the plan changed.

use eframe::egui::{self, RichText, Ui};
use egui_plot::{Bar, BarChart, HLine, Legend, Plot, Points};

use super::charts::{MEASURED, TARGET, date_plot, no_data, series_line};
use crate::cadence::closed_loop::{RetentionSettings, Verdict};
use crate::cadence::plan::StageRetention;
use crate::cadence::progress::ProgressSeries;

/// A stage whose probes suggest a repeat.
const REPEAT: egui::Color32 = egui::Color32::from_rgb(200, 60, 60);
/// A stage learned by its probes.
const LEARNED: egui::Color32 = egui::Color32::from_rgb(60, 160, 90);

/// Both plots side by side; nothing at all for a runner who never coached with the cadence
/// measured (two empty boxes would only say "a feature you do not use").
pub(super) fn ui(ui: &mut Ui, series: &ProgressSeries, stages: &[StageRetention]) {
    if series.time_in_band.is_empty() && stages.is_empty() {
        return;
    }
    ui.columns(2, |cols| {
        time_in_band(&mut cols[0], &series.time_in_band);
        stage_retention(&mut cols[1], stages);
    });
}

/// Percent of each session's measured time within the band of its target.
fn time_in_band(ui: &mut Ui, points: &[[f64; 2]]) {
    ui.label(
        RichText::new("Time in band per session")
            .size(20.0)
            .strong(),
    );
    if points.is_empty() {
        no_data(
            ui,
            180.0,
            "No session measured its time in band yet: listen on the Run screen while a \
             session plays.",
        );
        return;
    }
    date_plot(ui, "time-in-band", 180.0, "%")
        .y_axis_label("% of measured time")
        .include_y(0.0)
        .include_y(100.0)
        .show(ui, |plot| {
            plot.line(series_line("Time in band", points.to_vec()).color(MEASURED));
            plot.points(
                Points::new("Time in band", points.to_vec())
                    .color(MEASURED)
                    .radius(4.0)
                    .filled(true),
            );
        });
}

/// The share of each stage's click-free time the runner held the band, one bar a stage,
/// coloured by what it says, with the line from which a stage counts as learned.
fn stage_retention(ui: &mut Ui, stages: &[StageRetention]) {
    ui.label(RichText::new("Retention per stage").size(20.0).strong());
    if stages.is_empty() {
        no_data(
            ui,
            180.0,
            "No probes for the plan yet: its faded sessions, played with listening on, \
             measure how well you hold the cadence without the click.",
        );
        return;
    }
    let learned = RetentionSettings::default().learned_share * 100.0;
    let bars = stages
        .iter()
        .map(|r| {
            let fill = match r.verdict {
                Verdict::Learned => LEARNED,
                Verdict::Repeat => REPEAT,
                Verdict::NotMeasured => TARGET,
            };
            Bar::new(r.stage as f64, r.retention.share_in_band() * 100.0)
                .width(0.6)
                .fill(fill)
                .name(format!("Stage {}", r.stage))
        })
        .collect();
    Plot::new("stage-retention")
        .height(180.0)
        .include_x(0.5)
        .include_x(stages.iter().map(|r| r.stage).max().unwrap_or(1) as f64 + 0.5)
        .include_y(0.0)
        .include_y(100.0)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .allow_scroll(false)
        .x_axis_label("stage")
        .y_axis_label("% of click-free time in band")
        // Stages are whole numbers; a mark between them would name no stage.
        .x_axis_formatter(|mark, _| {
            if mark.value.fract() == 0.0 && mark.value >= 1.0 {
                format!("{}", mark.value)
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("Share in band", bars).color(MEASURED));
            plot.hline(HLine::new(format!("Learned from {learned:.0} %"), learned).color(TARGET));
        });
}
