//! The session table on the Progress screen: newest first, in the page's own scroll (a table
//! scrolling inside the scrolling page got only the room left below the plots: two rows at
//! 1366×768), with only the rows in view laid out; show a session's tempo, review or edit it,
//! delete it (asks first, can be undone), and export everything to CSV. Sessions under a minute
//! are marked short, and can be hidden.

use eframe::egui::{self, RichText, Ui};

use super::command::Command;
use super::history::{History, local_time};
use super::progress::ProgressView;
use crate::cadence::session::{Ending, SessionRecord};
use crate::cadence::stride::Units;

/// A row's height, without the spacing between rows.
const ROW_HEIGHT: f32 = 26.0;

pub fn ui(
    ui: &mut Ui,
    view: &mut ProgressView,
    history: &History,
    units: Units,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Sessions").size(20.0).strong());
        if ui
            .button("Export CSV")
            .on_hover_text("Write every session, with its review, to a CSV file in the data folder")
            .clicked()
        {
            commands.push(Command::ExportCsv);
        }
        if let Some((record, _)) = history.undo.last()
            && ui
                .button("Undo delete")
                .on_hover_text(format!(
                    "Bring back the session of {}",
                    local_time(record.started, &history.tz)
                ))
                .clicked()
        {
            commands.push(Command::UndoDelete);
        }
        ui.add_space(16.0);
        super::progress::import_field(ui, view, commands);
    });

    if let Some(message) = &history.message {
        ui.label(RichText::new(message).size(16.0));
    }
    ui.horizontal(|ui| {
        ui.checkbox(&mut view.hide_short, "Hide short sessions")
            .on_hover_text(
                "Leave sessions under a minute (an accidental start, a sound check) out of \
                 the table",
            );
        let short = history.sessions.iter().filter(|s| s.is_short()).count();
        if view.hide_short && short > 0 {
            ui.label(RichText::new(format!("{short} hidden")).weak());
        }
    });
    let header = [
        ("Date", 150.0),
        ("Workout", 220.0),
        ("Min", 50.0),
        ("Target", 60.0),
        ("Measured", 80.0),
        ("RPE", 40.0),
        ("Disc.", 45.0),
        ("Distance", 80.0),
    ];
    ui.horizontal(|ui| {
        for (name, width) in header {
            ui.add_sized(
                [width, 20.0],
                egui::Label::new(RichText::new(name).strong()),
            );
        }
    });
    // Newest first.
    let shown: Vec<&SessionRecord> = history
        .sessions
        .iter()
        .rev()
        .filter(|s| !(view.hide_short && s.is_short()))
        .collect();
    let n = shown.len();
    // Every row takes its place on the page; only those in the page's view are laid out.
    let spacing = ui.spacing().item_spacing.y;
    let step = ROW_HEIGHT + spacing;
    let (table, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), (step * n as f32 - spacing).max(0.0)),
        egui::Sense::hover(),
    );
    let in_view = ui.clip_rect();
    let row_at = |y: f32| (((y - table.top()) / step).max(0.0) as usize).min(n);
    let (first, end) = (row_at(in_view.top()), (row_at(in_view.bottom()) + 1).min(n));
    let mut rows = ui.new_child(egui::UiBuilder::new().max_rect(egui::Rect::from_x_y_ranges(
        table.x_range(),
        table.top() + first as f32 * step..=table.bottom(),
    )));
    // A row keeps its ids wherever the view starts.
    rows.skip_ahead_auto_ids(first);
    for s in &shown[first..end] {
        rows.horizontal(|ui| {
            ui.set_height(ROW_HEIGHT);
            session_row(ui, s, history, &header, units, commands);
        });
    }
}

/// One session's cells and buttons, in `header`'s columns.
fn session_row(
    ui: &mut Ui,
    s: &SessionRecord,
    history: &History,
    header: &[(&str, f32)],
    units: Units,
    commands: &mut Vec<Command>,
) {
    let r = s.review.as_ref();
    let distance = |km: f64| match units {
        Units::Metric => format!("{km:.1} km"),
        Units::Imperial => format!("{:.1} mi", km / crate::cadence::stride::KM_PER_MILE),
    };
    let date = local_time(s.started, &history.tz);
    let cells = [
        date.clone(),
        s.workout.chars().take(30).collect(),
        format!("{:.0}", s.duration_secs / 60.0),
        s.target().map_or("-".into(), |t| format!("{t}")),
        s.measured_spm().map_or("-".into(), |m| format!("{m:.1}")),
        r.and_then(|r| r.rpe).map_or("-".into(), |v| v.to_string()),
        r.and_then(|r| r.discomfort)
            .map_or("-".into(), |v| v.to_string()),
        r.and_then(|r| r.distance_km).map_or("-".into(), distance),
    ];
    for ((_, width), text) in header.iter().zip(cells) {
        ui.add_sized([*width, 20.0], egui::Label::new(text).truncate());
    }
    let selected = history.selected.as_deref() == Some(s.id.as_str());
    if ui
        .add(egui::Button::selectable(selected, "Tempo"))
        .on_hover_text(format!("Plot the tempo of the session of {date}"))
        .clicked()
    {
        commands.push(Command::SelectSession(s.id.clone()));
    }
    let (label, tip) = if s.review.is_some() {
        ("Edit", "Edit the review of the session of")
    } else {
        ("Review", "Review the session of")
    };
    if ui
        .button(label)
        .on_hover_text(format!("{tip} {date}"))
        .clicked()
    {
        commands.push(Command::EditReview(s.id.clone()));
    }
    if history.confirm_delete.as_deref() == Some(s.id.as_str()) {
        ui.label(RichText::new("Delete it?").color(ui.visuals().warn_fg_color));
        if ui
            .button("Yes, delete")
            .on_hover_text(format!("Delete the session of {date}"))
            .clicked()
        {
            commands.push(Command::ConfirmDelete);
        }
        if ui
            .button("Keep")
            .on_hover_text("Keep the session")
            .clicked()
        {
            commands.push(Command::CancelDelete);
        }
    } else if ui
        .button("Delete")
        .on_hover_text(format!("Delete the session of {date} (asks first)"))
        .clicked()
    {
        commands.push(Command::AskDelete(s.id.clone()));
    }
    if s.is_short() {
        ui.label(RichText::new("short").weak())
            .on_hover_text("Under a minute: an accidental start, or a sound check");
    }
    if s.ending == Ending::InProgress {
        ui.label(RichText::new("interrupted").weak()).on_hover_text(
            "The app closed or crashed during this session; what was recorded is kept",
        );
    }
}
