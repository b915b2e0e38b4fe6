//! What the plots share: dates on the x axis, the date plot with its hover label, the colour
//! key, the "no data yet" box, and the colours of asked-for and run.

use eframe::egui::{self, RichText, Ui};
use egui_plot::{AxisHints, Line, Plot, PlotPoints};

use super::date_axis::{LabelWidths, date_label, date_marks};
use jiff::civil::Date;

/// A date as a day number from 1970-01-01 (the plots' x axis).
pub fn day_number(d: Date) -> f64 {
    d.duration_since(Date::constant(1970, 1, 1)).as_secs() as f64 / 86_400.0
}

/// A day number as a date ("2026-11-21").
pub fn day_text(day: f64) -> String {
    jiff::Timestamp::from_second((day.floor() * 86_400.0) as i64)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The grid spacing egui_plot is given, in points: its spacer is told the smallest step as
/// days per this many points, which is how the date spacer learns the plot's scale.
const GRID_SPACING: egui::Rangef = egui::Rangef {
    min: 8.0,
    max: 300.0,
};

/// A plot with dates on the x axis and hover labels that name the series, the date and value.
/// The axis has a grid line and a label on whole days, weeks, months or years, as many as fit
/// without overlapping or leaving the plot (see `date_axis`); `ui` gives the labels' font.
/// No legend of its own: one series is named by its title, several by a key beside it, or by a
/// legend the caller places where it covers no points.
pub fn date_plot<'a>(ui: &Ui, id: &'a str, height: f32, unit: &'a str) -> Plot<'a> {
    let widths = label_widths(ui);
    let x_axis = AxisHints::new_x()
        .formatter(date_label)
        // Labels never come closer than the spacer allows, so none is hidden or faded.
        .label_spacing(egui::Rangef::new(0.0, 1.0));
    Plot::new(id)
        .height(height)
        // Room around the data: a point on the first day or at the highest value would sit on
        // the frame, or under the legend in its corner.
        .set_margin_fraction(egui::vec2(0.04, 0.12))
        .allow_scroll(false)
        .grid_spacing(GRID_SPACING)
        .custom_x_axes(vec![x_axis])
        .x_grid_spacer(move |input| {
            let points_per_day = f64::from(GRID_SPACING.min) / input.base_step_size;
            date_marks(input.bounds, points_per_day, &widths)
        })
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

/// The widths of the axis labels in the body font of `ui`, in which egui_plot draws them:
/// measured once per font and scale and kept in egui's memory, not on every frame.
fn label_widths(ui: &Ui) -> LabelWidths {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let scale = ui.ctx().pixels_per_point().to_bits();
    let id = egui::Id::unique(("date-label-widths", &font, scale));
    if let Some(widths) = ui.data(|d| d.get_temp::<LabelWidths>(id)) {
        return widths;
    }
    let painter = ui.painter();
    let widths = LabelWidths::measure(|text| {
        painter
            .layout_no_wrap(text.to_string(), font.clone(), egui::Color32::PLACEHOLDER)
            .size()
            .x
    });
    ui.data_mut(|d| d.insert_temp(id, widths));
    widths
}

/// A line through a series' points, always stroked: egui_plot would draw a line with points
/// closer than a pixel (two sessions on one day, a long session's samples) as a filled band,
/// which looks like an area under or between the points. No series is drawn filled.
pub fn series_line<'a>(name: &str, points: impl Into<PlotPoints<'a>>) -> Line<'a> {
    Line::new(name, points).allow_band(false)
}

/// Colours of what was asked for (target, planned) and what was run (measured, done).
pub const TARGET: egui::Color32 = egui::Color32::from_rgb(120, 130, 150);
pub const MEASURED: egui::Color32 = egui::Color32::from_rgb(235, 120, 20);
/// The cadence heard on the microphone, apart from a watch's.
pub const HEARD: egui::Color32 = egui::Color32::from_rgb(200, 40, 60);

pub fn key(ui: &mut Ui, text: &str, colour: egui::Color32) {
    ui.label(RichText::new(text).size(16.0).color(colour));
}

/// In place of a plot with nothing to show (its axis would start in 1970): the plot's space,
/// framed, and what would fill it.
pub fn no_data(ui: &mut Ui, height: f32, text: &str) {
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
