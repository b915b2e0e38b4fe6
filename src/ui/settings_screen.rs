//! The Settings screen: units, sound, cues, theme, text size, output device and data folder.
//! Every change is applied at once and saved to the settings file.

use eframe::egui::{self, RichText, Ui};

use std::path::Path;

use super::command::Command;
use crate::cadence::stride::Units;
use crate::cadence::{ClickSound, Every};
use crate::store::data_dir::default_data_dir;
use crate::store::settings::{Settings, TextSize, Theme};

/// What the Settings screen shows, read-only.
pub struct SettingsShown<'a> {
    pub settings: &'a Settings,
    /// The output devices found by "Find devices".
    pub devices: Option<&'a [String]>,
    /// The data folder in use (a flag or the environment may override the setting).
    pub data_dir_in_use: &'a Path,
    pub settings_path: &'a Path,
    /// What became of the last "Use this folder".
    pub message: Option<&'a str>,
}

/// The Settings screen: `data_dir_text` is its own state (the folder typed), `app` the rest.
/// Changes go out as commands; the folder is created by the app, not here.
pub fn ui(ui: &mut Ui, data_dir_text: &mut String, app: &SettingsShown) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut s = app.settings.clone();
    ui.label(RichText::new("Settings").size(30.0).strong());
    egui::Grid::new("settings")
        .num_columns(2)
        .spacing([24.0, 12.0])
        .show(ui, |ui| {
            ui.label("Units");
            ui.horizontal(|ui| {
                ui.radio_value(&mut s.units, Units::Metric, "Metric (km/h, cm)")
                    .on_hover_text("Speeds in km/h, step lengths in cm");
                ui.radio_value(&mut s.units, Units::Imperial, "Imperial (mph, in)")
                    .on_hover_text("Speeds in mph, step lengths in inches");
            });
            ui.end_row();

            let label = ui.label("Click sound");
            egui::ComboBox::from_id_salt("settings-sound")
                .selected_text(s.click.sound.name())
                .show_ui(ui, |ui| {
                    for sound in ClickSound::ALL {
                        ui.selectable_value(&mut s.click.sound, sound, sound.name());
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text("The default click sound");
            ui.end_row();

            let label = ui.label("Volume");
            let mut volume = s.click.volume * 100.0;
            ui.add(
                egui::Slider::new(&mut volume, 0.0..=100.0)
                    .suffix(" %")
                    .integer(),
            )
            .labelled_by(label.id)
            .on_hover_text("Loudness of the click");
            s.click.volume = volume / 100.0;
            ui.end_row();

            ui.label("Accent");
            ui.horizontal(|ui| {
                for (every, name) in [
                    (Every::None, "none"),
                    (Every::Second, "every 2nd"),
                    (Every::Fourth, "every 4th"),
                ] {
                    ui.radio_value(&mut s.click.accent, every, name)
                        .on_hover_text(format!("Accented step: {name}"));
                }
            });
            ui.end_row();

            let label = ui.label("Form cue every");
            ui.add(
                egui::DragValue::new(&mut s.cue_minutes)
                    .range(1..=30)
                    .suffix(" min"),
            )
            .labelled_by(label.id)
            .on_hover_text("Minutes between form cues on the Run screen");
            ui.end_row();

            ui.label("Cue chime");
            ui.checkbox(&mut s.cue_chime, "A soft chime when the cue changes")
                .on_hover_text("Plays a quiet two-note chime over the click");
            ui.end_row();

            ui.label("Theme");
            ui.horizontal(|ui| {
                for (theme, name) in [
                    (Theme::FollowSystem, "Follow system"),
                    (Theme::Light, "Light"),
                    (Theme::Dark, "Dark"),
                ] {
                    ui.radio_value(&mut s.theme, theme, name)
                        .on_hover_text(format!("Theme: {name}"));
                }
            });
            ui.end_row();

            ui.label("Text size");
            ui.horizontal(|ui| {
                for (size, name) in [
                    (TextSize::Normal, "Normal"),
                    (TextSize::Large, "Large"),
                    (TextSize::Huge, "Huge"),
                ] {
                    ui.radio_value(&mut s.text_size, size, name)
                        .on_hover_text(format!("{name} text, on top of the system's scale"));
                }
            });
            ui.end_row();

            let label = ui.label("Audio output");
            ui.horizontal(|ui| {
                let current = s
                    .output_device
                    .clone()
                    .unwrap_or_else(|| "System default".into());
                egui::ComboBox::from_id_salt("settings-device")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut s.output_device, None, "System default");
                        for name in app.devices.into_iter().flatten() {
                            ui.selectable_value(&mut s.output_device, Some(name.clone()), name);
                        }
                    })
                    .response
                    .labelled_by(label.id)
                    .on_hover_text("Where the click plays");
                if ui
                    .button("Find devices")
                    .on_hover_text("List the output devices the sound system offers")
                    .clicked()
                {
                    commands.push(Command::FindDevices);
                }
            });
            ui.end_row();

            let label = ui.label("Data folder");
            let default_dir = default_data_dir();
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    ui.add(egui::TextEdit::singleline(data_dir_text).desired_width(420.0))
                        .labelled_by(label.id)
                        .on_hover_text("Where sessions and plans are kept");
                    if ui
                        .button("Use this folder")
                        .on_hover_text("Create the folder if needed and keep data there")
                        .clicked()
                    {
                        commands.push(Command::UseDataDir(super::widgets::typed_path(
                            data_dir_text,
                        )));
                    }
                });
                ui.label(RichText::new(format!("Default: {}", default_dir.display())).weak());
                // --data-dir and CADENCE_COACH_DATA_DIR win over this setting; say so, or
                // "Use this folder" would seem to do nothing.
                if app.data_dir_in_use != s.data_dir.as_ref().unwrap_or(&default_dir) {
                    ui.label(
                        RichText::new(format!(
                            "In use now: {} (given by --data-dir or CADENCE_COACH_DATA_DIR, \
                             which win over this setting)",
                            app.data_dir_in_use.display()
                        ))
                        .color(ui.visuals().warn_fg_color),
                    );
                }
            });
            ui.end_row();

            ui.label("Settings file");
            ui.label(RichText::new(app.settings_path.display().to_string()).weak());
            ui.end_row();
        });
    if let Some(message) = app.message {
        ui.label(RichText::new(message).color(ui.visuals().warn_fg_color));
    }
    if s != *app.settings {
        commands.push(Command::UpdateSettings(Box::new(s)));
    }
    commands
}
