//! The three panels under the transport on the Run screen: the workout, the sound, and
//! measuring (tap tempo and treadmill step length).

use eframe::egui::{self, RichText, Ui};

use super::app::format_speed;
use super::command::Command;
use super::run::{RunShown, RunView};
use crate::cadence::presets::Preset;
use crate::cadence::stride::{step_change_percent, step_length_m};
use crate::cadence::{ClickSound, Every, FadeBlocks, Workout};

pub fn workout_panel(ui: &mut Ui, view: &mut RunView, app: &RunShown, commands: &mut Vec<Command>) {
    let mut settings = app.settings.clone();
    egui::ComboBox::from_label("Built-in workout")
        .selected_text(settings.preset.name())
        .show_ui(ui, |ui| {
            for preset in Preset::ALL {
                ui.selectable_value(&mut settings.preset, preset, preset.name());
            }
        })
        .response
        .on_hover_text("Workouts built around your target cadence; they play from the next start");
    if settings != *app.settings {
        commands.push(Command::UpdateSettings(Box::new(settings)));
    }
    ui.horizontal(|ui| {
        let label = ui.label("File");
        ui.add(
            egui::TextEdit::singleline(&mut view.workout_path)
                .hint_text("workout file (.ron)")
                .desired_width(160.0),
        )
        .labelled_by(label.id)
        .on_hover_text("Path of a workout file in RON; see examples/ in the source");
        if ui
            .button("Load")
            .on_hover_text("Load the workout file; it plays from the next start")
            .clicked()
        {
            commands.push(Command::LoadWorkout(view.workout_path.trim().into()));
        }
    });
    let shown: Option<Workout> = app
        .loaded
        .cloned()
        .or_else(|| app.settings.preset.workout(app.settings.target));
    match &shown {
        Some(w) => {
            ui.label(format!(
                "{}: {} min, {} segments",
                w.name(),
                w.duration_ms() / 60_000,
                w.segments().len()
            ));
            if app.loaded.is_some()
                && ui
                    .button("Back to built-in")
                    .on_hover_text("Forget the loaded file and use the built-in workout")
                    .clicked()
            {
                commands.push(Command::ClearWorkout);
            }
        }
        None => {
            ui.label(format!("Open-ended at {} spm", app.settings.target));
        }
    }
}

pub fn sound_panel(ui: &mut Ui, app: &RunShown, commands: &mut Vec<Command>) {
    let mut settings = app.settings.clone();
    let click = &mut settings.click;
    egui::ComboBox::from_label("Click sound")
        .selected_text(click.sound.name())
        .show_ui(ui, |ui| {
            for sound in ClickSound::ALL {
                ui.selectable_value(&mut click.sound, sound, sound.name());
            }
        })
        .response
        .on_hover_text("click, woodblock, beep or cowbell");
    let mut volume = click.volume * 100.0;
    ui.add(
        egui::Slider::new(&mut volume, 0.0..=100.0)
            .text("Volume %")
            .integer(),
    )
    .on_hover_text("Loudness of the click");
    click.volume = volume / 100.0;
    ui.horizontal(|ui| {
        ui.label("Accent:");
        for (every, name, tip) in [
            (Every::None, "none", "No accented steps"),
            (
                Every::Second,
                "every 2nd",
                "A higher click on every 2nd step",
            ),
            (
                Every::Fourth,
                "every 4th",
                "A higher click on every 4th step",
            ),
        ] {
            ui.radio_value(&mut click.accent, every, name)
                .on_hover_text(format!("Accent {tip}"));
        }
    });
    ui.horizontal(|ui| {
        ui.label("Sound on:");
        for (every, name) in [
            (Every::None, "every step"),
            (Every::Second, "every 2nd"),
            (Every::Fourth, "every 4th"),
        ] {
            ui.radio_value(&mut click.quiet, every, name)
                .on_hover_text(format!("Quiet pattern: click on {name}"));
        }
    });
    ui.checkbox(&mut click.pan, "Left foot in the left ear")
        .on_hover_text("Alternate steps between the left and right channel");
    let mut faded = click.fade.is_some();
    ui.checkbox(&mut faded, "Faded feedback")
        .on_hover_text("Click on for a while, then off, so you learn to hold the cadence alone");
    match (faded, click.fade) {
        (true, None) => {
            click.fade = Some(FadeBlocks {
                on_secs: 60,
                off_secs: 30,
            })
        }
        (false, Some(_)) => click.fade = None,
        _ => {}
    }
    if let Some(fade) = &mut click.fade {
        ui.horizontal(|ui| {
            let on = ui.label("Click on");
            ui.add(
                egui::DragValue::new(&mut fade.on_secs)
                    .range(5..=600)
                    .suffix(" s"),
            )
            .labelled_by(on.id)
            .on_hover_text("Seconds with the click");
            let off = ui.label("off");
            ui.add(
                egui::DragValue::new(&mut fade.off_secs)
                    .range(5..=600)
                    .suffix(" s"),
            )
            .labelled_by(off.id)
            .on_hover_text("Seconds without the click");
        });
    }
    if settings != *app.settings {
        commands.push(Command::UpdateSettings(Box::new(settings)));
    }
}

pub fn measure_panel(ui: &mut Ui, view: &mut RunView, app: &RunShown, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if ui
            .add_sized(
                [140.0, 44.0],
                egui::Button::new(RichText::new("Tap (T)").size(22.0)),
            )
            .on_hover_text("Tap on each footfall (key T) to measure your cadence")
            .clicked()
        {
            let now = ui.input(|i| i.time);
            commands.push(Command::Tap(now));
        }
        if ui
            .button("Reset")
            .on_hover_text("Forget the taps")
            .clicked()
        {
            commands.push(Command::ResetTaps);
        }
    });
    // The tempo asked for now: a plan session or workout sets its own.
    let target = app.asked_spm;
    let measured = app.taps.estimate();
    match measured {
        Some(m) => {
            let gap = m.spm - target;
            ui.label(
                RichText::new(format!("Measured {:.1} spm", m.spm))
                    .size(26.0)
                    .strong(),
            );
            ui.label(format!(
                "{:+.1} spm ({:+.1} %) from the target {target}, from {} taps",
                gap,
                gap / target * 100.0,
                m.taps
            ));
        }
        None => {
            ui.label(format!(
                "Tap at least 4 footfalls ({} so far)",
                app.taps.taps()
            ));
        }
    }
    ui.add_space(6.0);
    let units = app.settings.units;
    ui.horizontal(|ui| {
        let label = ui.label("Treadmill speed");
        super::widgets::numeric(
            ui.add(
                egui::TextEdit::singleline(&mut view.speed_text)
                    .desired_width(60.0)
                    .hint_text(units.speed_label()),
            ),
        )
        .labelled_by(label.id)
        .on_hover_text("The treadmill's speed, for your step length");
        ui.label(units.speed_label());
    });
    let typed = view.speed_text.trim().replace(',', ".");
    let kmh = typed
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && *v <= 40.0)
        .map(|v| units.to_kmh(v));
    if typed.is_empty() {
        if app.settings.treadmill_kmh.is_some() {
            let mut s = app.settings.clone();
            s.treadmill_kmh = None;
            commands.push(Command::UpdateSettings(Box::new(s)));
        }
    } else if kmh.is_none() {
        ui.label(
            RichText::new("Give the speed as a number, e.g. 10.5")
                .color(ui.visuals().warn_fg_color),
        );
    } else if kmh != app.settings.treadmill_kmh
        && kmh.map(|k| format_speed(k, units))
            != app.settings.treadmill_kmh.map(|k| format_speed(k, units))
    {
        let mut s = app.settings.clone();
        s.treadmill_kmh = kmh;
        commands.push(Command::UpdateSettings(Box::new(s)));
    }
    if let Some(kmh) = kmh {
        // Compare the tapped cadence with the target; without taps, the target with 5 % more
        // (one stage of a plan), and say so: the second number is not the runner's.
        let (from, to) = match measured {
            Some(m) => (m.spm, target),
            None => (target, target * 1.05),
        };
        if let (Some(a), Some(b)) = (step_length_m(kmh, from), step_length_m(kmh, to)) {
            let (a, b) = (units.length_text(a), units.length_text(b));
            let change = step_change_percent(from, to);
            let (now, then) = match measured {
                Some(_) => (
                    format!("Step {a} at {from:.1} spm (tapped)"),
                    format!("then {b} at the target {to:.1} spm ({change:+.1} %)"),
                ),
                None => (
                    format!("Step {a} at the target {from:.1} spm"),
                    format!(
                        "then {b} at {to:.1} spm ({change:+.1} %): the target +5 %, one stage of \
                         a plan. Tap T while running to see your own."
                    ),
                ),
            };
            ui.label(RichText::new(now).size(20.0));
            ui.label(then);
        }
    }
}
