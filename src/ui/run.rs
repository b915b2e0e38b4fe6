//! The Run screen: the cadence in big digits between the left and right beat lamps, time and
//! segment, the transport and tempo controls, then the panels and the form-cue card.

use eframe::egui::{self, RichText, Ui};

use super::app::Heard;
use super::command::Command;
use super::run_panels;
use super::widgets::{big_number, cue_card, lamp};
use crate::cadence::cues::CUES;
use crate::cadence::tap::TapTempo;
use crate::cadence::{Spm, Workout, clock_text};
use crate::store::settings::Settings;

/// The preset cadences offered as one-click buttons.
pub const PRESETS: [f64; 6] = [160.0, 165.0, 170.0, 175.0, 180.0, 185.0];

/// What the Run screen's text fields hold.
#[derive(Debug, Default)]
pub struct RunView {
    /// The typed cadence.
    pub typed: String,
    /// The typed treadmill speed.
    pub speed_text: String,
    /// The typed workout file.
    pub workout_path: String,
}

/// What the Run screen shows, read-only.
pub struct RunShown<'a> {
    pub settings: &'a Settings,
    pub playing: bool,
    /// A session has been started since the window opened (its time stays on show).
    pub started: bool,
    pub heard: Heard,
    /// The workout playing, if one is.
    pub workout: Option<&'a Workout>,
    /// The workout loaded for the next start, if one is.
    pub loaded: Option<&'a Workout>,
    /// The cadence asked for: the workout's tempo at this step while one plays, a loaded
    /// workout's main tempo before it starts, else the target.
    pub asked_spm: f64,
    pub message: Option<&'a str>,
    pub taps: &'a TapTempo,
    /// The form cue on show, and whether it is pinned.
    pub cue: usize,
    pub pinned: bool,
}

/// The Run screen: `view` is its own state (the text fields), `app` what it shows.
pub fn ui(ui: &mut Ui, view: &mut RunView, app: &RunShown) -> Vec<Command> {
    let mut commands = Vec::new();
    let heard = app.heard;
    let beat = heard.beat.filter(|_| app.started);
    let workout = app.workout;
    let spm = app.asked_spm;
    let shown = if (spm * 2.0).fract().abs() < 1e-6 {
        format!("{spm}")
    } else {
        format!("{spm:.1}")
    };
    ui.vertical_centered(|ui| {
        ui.horizontal(|ui| {
            let lit_left = app.playing && beat.is_some_and(|b| b.index % 2 == 0);
            let lit_right = app.playing && beat.is_some_and(|b| b.index % 2 == 1);
            let sounded = beat.is_none_or(|b| b.sounded);
            let width = ui.available_width();
            ui.add_space((width - 860.0).max(0.0) / 2.0);
            ui.vertical(|ui| {
                ui.add_space(50.0);
                lamp(ui, "L", lit_left, sounded);
            });
            ui.vertical_centered(|ui| {
                ui.set_width(560.0);
                big_number(ui, &shown)
                    .on_hover_text("Target cadence in steps per minute (Up/Down ±1, PageUp/PageDown or Shift+Up/Down ±5)");
                ui.label(RichText::new("steps per minute").size(22.0).weak());
            });
            ui.vertical(|ui| {
                ui.add_space(50.0);
                lamp(ui, "R", lit_right, sounded);
            });
        });
        status_line(ui, app, workout, beat, heard.elapsed.as_secs());
    });
    ui.add_space(6.0);
    transport(ui, view, app, &mut commands);
    if let Some(message) = app.message {
        ui.label(
            RichText::new(message)
                .size(18.0)
                .color(ui.visuals().warn_fg_color),
        );
    }
    ui.separator();
    ui.columns(3, |cols| {
        run_panels::workout_panel(&mut cols[0], view, app, &mut commands);
        run_panels::sound_panel(&mut cols[1], app, &mut commands);
        run_panels::measure_panel(&mut cols[2], view, app, &mut commands);
    });
    ui.separator();
    cue_card(ui, &CUES[app.cue], app.pinned, &mut commands, app.cue);
    commands
}

/// Elapsed and remaining time, the segment, and the countdown to the next tempo.
fn status_line(
    ui: &mut Ui,
    app: &RunShown,
    workout: Option<&Workout>,
    beat: Option<crate::audio::BeatSnapshot>,
    elapsed: u64,
) {
    let mut parts = Vec::new();
    if app.started {
        parts.push(format!("Elapsed {}", clock_text(elapsed)));
    }
    if let Some(w) = workout {
        let total = w.duration_ms() / 1000;
        parts.push(format!(
            "Remaining {}",
            clock_text(total.saturating_sub(elapsed))
        ));
        if let Some(b) = beat
            && let Some(seg) = w.segments().get(b.segment)
        {
            parts.push(format!(
                "{} ({}/{})",
                seg.name,
                b.segment + 1,
                w.segments().len()
            ));
            if let (Some(next_start), Some(next)) = (
                w.segment_starts_ms().nth(b.segment + 1),
                w.segments().get(b.segment + 1),
            ) {
                parts.push(format!(
                    "next: {} in {}",
                    next.name,
                    clock_text((next_start / 1000).saturating_sub(elapsed))
                ));
            }
        }
    }
    let text = if parts.is_empty() {
        "Press Space to start".to_string()
    } else {
        parts.join("   ·   ")
    };
    ui.label(RichText::new(text).size(30.0));
    if let (Some(w), Some(b)) = (workout, beat)
        && b.count_in > 0
        && let Some(next) = w.segments().get(b.segment + 1)
    {
        ui.label(
            RichText::new(format!(
                "Change to {} spm in {}…",
                next.tempo.start(),
                b.count_in
            ))
            .size(34.0)
            .strong()
            .color(ui.visuals().warn_fg_color),
        );
    }
}

/// Start/stop, ±1/±5, a typed value and the presets.
fn transport(ui: &mut Ui, view: &mut RunView, app: &RunShown, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        let (label, tip) = if app.playing {
            ("Stop", "Stop the click (Space)")
        } else {
            ("Start", "Start the click (Space)")
        };
        if ui
            .add_sized(
                [150.0, 54.0],
                egui::Button::new(RichText::new(label).size(28.0)),
            )
            .on_hover_text(tip)
            .clicked()
        {
            commands.push(Command::StartStop);
        }
        ui.add_space(12.0);
        for (text, delta, tip) in [
            ("−5", -5.0, "5 spm slower (PageDown or Shift+Down)"),
            ("−1", -1.0, "1 spm slower (Down)"),
            ("+1", 1.0, "1 spm faster (Up)"),
            ("+5", 5.0, "5 spm faster (PageUp or Shift+Up)"),
        ] {
            if ui
                .add_sized(
                    [64.0, 54.0],
                    egui::Button::new(RichText::new(text).size(26.0)),
                )
                .on_hover_text(tip)
                .clicked()
            {
                commands.push(Command::Nudge(delta));
            }
        }
        ui.add_space(12.0);
        let label = ui.label(RichText::new("Cadence").size(20.0));
        let field = ui
            .add_sized(
                [100.0, 54.0],
                egui::TextEdit::singleline(&mut view.typed)
                    .font(egui::FontId::proportional(28.0))
                    .hint_text("spm"),
            )
            .labelled_by(label.id)
            .on_hover_text("Type a cadence, 100–240 in steps of 0.5, then Enter");
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui
            .add_sized(
                [80.0, 54.0],
                egui::Button::new(RichText::new("Set").size(24.0)),
            )
            .on_hover_text("Use the typed cadence (Enter)")
            .clicked()
            || entered
        {
            commands.push(match view.typed.parse::<Spm>() {
                Ok(spm) => Command::SetTarget(spm),
                Err(e) => Command::Refuse(e.to_string()),
            });
        }
    });
    ui.horizontal(|ui| {
        ui.label(RichText::new("Presets").size(20.0));
        for value in PRESETS {
            let spm = Spm::new(value).expect("presets are valid");
            if ui
                .add_sized(
                    [64.0, 54.0],
                    egui::Button::selectable(
                        app.settings.target == spm,
                        RichText::new(spm.to_string()).size(22.0),
                    ),
                )
                .on_hover_text(format!("Set the cadence to {spm} spm"))
                .clicked()
            {
                commands.push(Command::SetTarget(spm));
            }
        }
    });
}
