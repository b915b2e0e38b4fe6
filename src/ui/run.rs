//! The Run screen: the cadence in big digits between the left and right beat lamps, time and
//! segment, the transport and tempo controls, then the panels and the form-cue card.

use eframe::egui::{self, RichText, Ui};

use super::app::Heard;
use super::command::Command;
use super::run_ear::{self, EarShown};
use super::run_music;
use super::run_panels;
use super::widgets::{MIN_DIGIT_HEIGHT, big_number, cue_card, lamp};
use crate::cadence::cues::CUES;
use crate::cadence::tap::TapTempo;
use crate::cadence::{Spm, Workout, clock_text, tempo_text};
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
    /// The typed music folder.
    pub music_folder: String,
}

/// The strip other screens show while a session plays: the tempo, a lamp, the elapsed time
/// and Stop.
pub fn strip(ui: &mut Ui, app: &RunShown, commands: &mut Vec<Command>) {
    let beat = app.heard.beat;
    ui.horizontal(|ui| {
        let lit = beat.is_some();
        let left = beat.is_some_and(|b| b.index % 2 == 0);
        let sounded = beat.is_none_or(|b| b.sounded);
        lamp(ui, if left { "L" } else { "R" }, lit, sounded, 44.0);
        let shown = tempo_text(app.asked_spm);
        ui.label(RichText::new(format!("{shown} spm")).size(34.0).strong());
        ui.label(
            RichText::new(format!(
                "Elapsed {}",
                clock_text(app.heard.elapsed.as_secs())
            ))
            .size(24.0),
        );
        if ui
            .add_sized(
                [110.0, 44.0],
                egui::Button::new(RichText::new("Stop").size(24.0)),
            )
            .on_hover_text("Stop the click (Space)")
            .clicked()
        {
            commands.push(Command::StartStop);
        }
    });
    ui.separator();
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
    /// The runner's shift of the workout playing, in half-steps per minute (0: as written).
    pub shift: i32,
    /// What the microphone hears, while listening is on.
    pub ear: Option<EarShown<'a>>,
    /// The runner's music.
    pub music: super::run_music::MusicShown<'a>,
}

/// The Run screen: `view` is its own state (the text fields), `app` what it shows.
pub fn ui(ui: &mut Ui, view: &mut RunView, app: &RunShown) -> Vec<Command> {
    let mut commands = Vec::new();
    let heard = app.heard;
    let beat = heard.beat.filter(|_| app.started);
    let workout = app.workout;
    let shown = tempo_text(app.asked_spm);
    // The digits take about 40 % of the window's height, less what the rest of the running
    // view needs on a small screen, and never less than a readable minimum.
    // Stopped, the controls around them matter more and the digits give them room.
    let height = ui.ctx().content_rect().height();
    let share = if app.playing { 0.40 } else { 0.22 };
    // Listening, the line with the indicator (and the step timing) takes its room too, as
    // does the music's line while music plays.
    let ear_room = if app.ear.is_some() {
        run_ear::EAR_LINE + 6.0
    } else {
        0.0
    };
    let music_room = if app.playing && app.music.playing {
        run_music::MUSIC_LINE
    } else {
        0.0
    };
    let digits = (share * height)
        .min(height - RUNNING_VIEW_REST - ear_room - music_room)
        .max(MIN_DIGIT_HEIGHT);
    let lamp_size = (digits * 0.55).clamp(70.0, 170.0);
    let lit_left = app.playing && beat.is_some_and(|b| b.index % 2 == 0);
    let lit_right = app.playing && beat.is_some_and(|b| b.index % 2 == 1);
    let sounded = beat.is_none_or(|b| b.sounded);
    // While a session plays with listening on, the cadence heard stands beside the target, the
    // two the same size, each with its caption.
    let listened = app.ear.filter(|_| app.playing);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let gap = lamp_size * 0.3;
        let full = ui.available_width();
        // The digits' box: as wide as the widest tempo ("188.5") at this height, within the
        // window; fixed, so the lamps and everything below stay put as the tempo changes.
        let room = full - 2.0 * (lamp_size + gap) - 16.0;
        let numbers = if listened.is_some() { 2.0 } else { 1.0 };
        let each = (room - (numbers - 1.0) * gap) / numbers;
        let tall = super::digits::fitting_height("888.8", egui::vec2(each, digits));
        let high = if listened.is_some() { tall } else { digits };
        let boxed = egui::vec2(super::digits::width("888.8", tall).min(each), high);
        let row = 2.0 * (lamp_size + gap) + numbers * boxed.x + (numbers - 1.0) * gap;
        let row_high = if listened.is_some() {
            high + CAPTION * 1.4 + ui.spacing().item_spacing.y
        } else {
            high
        };
        ui.add_space(((full - row) / 2.0).max(0.0));
        ui.spacing_mut().item_spacing.x = gap;
        centred_lamp(ui, "L", lit_left, sounded, lamp_size, row_high);
        let tip =
            "Target cadence in steps per minute (Up/Down ±1, PageUp/PageDown or Shift+Up/Down ±5)";
        match listened {
            Some(ear) => {
                ui.vertical(|ui| {
                    big_number(ui, &shown, boxed).on_hover_text(tip);
                    ui.allocate_ui(egui::vec2(boxed.x, CAPTION * 1.4), |ui| {
                        ui.centered_and_justified(|ui| {
                            ui.label(RichText::new("target").size(CAPTION))
                        });
                    });
                });
                run_ear::heard_number(ui, &ear, boxed, CAPTION);
            }
            None => {
                big_number(ui, &shown, boxed).on_hover_text(tip);
            }
        }
        centred_lamp(ui, "R", lit_right, sounded, lamp_size, row_high);
    });
    ui.vertical_centered(|ui| {
        ui.label(RichText::new("steps per minute").size(18.0).weak());
        status_line(ui, app, workout, beat, heard.elapsed.as_secs());
        // One line kept for the count-in, a message or the tapped cadence, so nothing below
        // moves when one comes or goes.
        reserved_line(ui, app, workout, beat);
    });
    if let Some(ear) = &app.ear {
        run_ear::ear_line(ui, ear, app.playing, app.settings, &mut commands);
    }
    transport(ui, view, app, &mut commands);
    if app.playing && app.music.playing {
        run_music::music_line(ui, &app.music, &mut commands);
    }
    ui.add_space(4.0);
    // The rest folds away while a session plays: from 1.5 m only the above is read.
    if app.playing {
        cue_card(ui, &CUES[app.cue], app.pinned, &mut commands, app.cue);
    } else {
        ui.columns(3, |cols| {
            panel(&mut cols[0], "Workout", |ui| {
                run_panels::workout_panel(ui, view, app, &mut commands)
            });
            panel(&mut cols[0], "Measure", |ui| {
                run_panels::measure_panel(ui, view, app, &mut commands)
            });
            panel(&mut cols[1], "Sound", |ui| {
                run_panels::sound_panel(ui, app, &mut commands)
            });
            panel(&mut cols[2], "Music", |ui| {
                run_music::music_panel(ui, view, app.settings, &app.music, &mut commands)
            });
        });
        ui.add_space(6.0);
        cue_card(ui, &CUES[app.cue], app.pinned, &mut commands, app.cue);
    }
    commands
}

/// What the running view needs besides the digits, in points: the tabs, the lines under the
/// digits, the transport and the cue card.
const RUNNING_VIEW_REST: f32 = 430.0;

/// The size of "target" and "heard" under the two numbers while listening.
const CAPTION: f32 = 22.0;

/// A lamp centred on the digits' height.
fn centred_lamp(ui: &mut Ui, side: &str, lit: bool, sounded: bool, size: f32, digits: f32) {
    ui.vertical(|ui| {
        ui.add_space(((digits - size) / 2.0).max(0.0));
        lamp(ui, side, lit, sounded, size);
    });
}

/// A folding panel under the running view, open while stopped.
fn panel(ui: &mut Ui, title: &str, body: impl FnOnce(&mut Ui)) {
    egui::CollapsingHeader::new(RichText::new(title).size(22.0).strong())
        .default_open(true)
        .show(ui, body);
}

/// The count-in before a tempo change, else a message, else the tapped cadence: one line of a
/// fixed height, empty when there is nothing to say.
fn reserved_line(
    ui: &mut Ui,
    app: &RunShown,
    workout: Option<&Workout>,
    beat: Option<crate::audio::BeatSnapshot>,
) {
    let count_in = match (workout, beat) {
        (Some(w), Some(b)) if b.count_in > 0 => w.segments().get(b.segment + 1).map(|next| {
            let spm = next.tempo.start().nudged(f64::from(app.shift) / 2.0);
            format!("Change to {spm} spm in {}…", b.count_in)
        }),
        _ => None,
    };
    let tapped = app.taps.estimate().map(|m| {
        format!(
            "Tapped {:.1} spm, {:+.1} from {}",
            m.spm,
            m.spm - app.asked_spm,
            app.asked_spm
        )
    });
    let (text, size, strong) = match (count_in, app.message, tapped) {
        (Some(c), _, _) => (c, 30.0, true),
        (None, Some(m), _) => (m.to_string(), 18.0, false),
        (None, None, Some(t)) => (t, 24.0, false),
        (None, None, None) => (String::new(), 18.0, false),
    };
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), RESERVED_LINE),
        egui::Sense::hover(),
    );
    if text.is_empty() {
        return;
    }
    let colour = if strong || app.message.is_some() {
        ui.visuals().warn_fg_color
    } else {
        ui.visuals().text_color()
    };
    let mut text = RichText::new(text).size(size).color(colour);
    if strong {
        text = text.strong();
    }
    ui.put(rect, egui::Label::new(text).truncate());
}

/// Height of the line kept for the count-in and messages.
const RESERVED_LINE: f32 = 40.0;

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
            if app.shift != 0 {
                parts.push(crate::cadence::shift_text(app.shift));
            }
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
    ui.label(RichText::new(text).size(28.0));
}

/// Start/stop, ±1/±5, a typed value and the presets.
fn transport(ui: &mut Ui, view: &mut RunView, app: &RunShown, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
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
                .on_hover_text(if app.playing && app.workout.is_some() {
                    format!("{tip}: the rest of the workout moves, the target stays")
                } else {
                    tip.to_string()
                })
                .clicked()
            {
                commands.push(Command::Nudge(delta));
            }
        }
        ui.add_space(12.0);
        run_ear::toggle(ui, app.settings.listening, commands);
        // While a session plays, Stop, ± and listening are all the transport there is.
        if app.playing {
            return;
        }
        ui.add_space(12.0);
        let label = ui.label(RichText::new("Cadence").size(20.0));
        // Not being edited, the field shows the target in force.
        let id = egui::Id::unique("run-cadence");
        if ui.ctx().memory(|m| !m.has_focus(id)) {
            let target = app.settings.target.to_string();
            if view.typed != target {
                view.typed = target;
            }
        }
        let field = super::widgets::numeric(
            ui.add_sized(
                [100.0, 54.0],
                egui::TextEdit::singleline(&mut view.typed)
                    .id(id)
                    .font(egui::FontId::proportional(28.0))
                    .hint_text("spm"),
            ),
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
    if app.playing {
        return;
    }
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
