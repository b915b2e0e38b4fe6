//! Drawing a frame: the tabs, the banners and the screen shown, each screen given its own view
//! state and a read-only snapshot. Nothing here changes the app's state; what the screens ask
//! for is returned.

use eframe::egui;

use super::CoachApp;
use crate::ui::command::{Command, Screen};
use crate::ui::{form, plan as plan_screen, progress, review, run, settings_screen};

impl CoachApp {
    /// Draws the tabs, banners and the screen shown; returns what the screens asked for.
    pub(super) fn draw(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        // The panels draw no background of their own: the frame is cleared to the panel colour
        // (see `clear_color`), which saves software OpenGL one full-window pass per frame.
        let bare =
            |ui: &egui::Ui| egui::Frame::central_panel(ui.style()).fill(egui::Color32::TRANSPARENT);
        egui::Panel::top("screens").frame(bare(ui)).show(ui, |ui| {
            tabs(ui, self.screen, self.review.is_some(), &mut commands);
            crate::ui::widgets::banners(ui, &self.device, &self.notices, &mut commands);
            if ui.ctx().input(|i| !i.raw.hovered_files.is_empty()) {
                ui.label(
                    egui::RichText::new("Drop watch files (FIT, TCX, GPX) to import them")
                        .size(22.0)
                        .strong(),
                );
            }
        });
        // A review asked for but gone (saved from elsewhere) shows Progress instead.
        let screen = match (self.screen, &self.review) {
            (Screen::Review, None) => Screen::Progress,
            (screen, _) => screen,
        };
        // Away from the Run screen, a session playing keeps a strip in view: the tempo, the
        // lamp, the time and Stop.
        if self.playing && screen != Screen::Run {
            let shown = self.run_snapshot();
            egui::Panel::top("session-strip")
                .frame(bare(ui))
                .show(ui, |ui| run::strip(ui, &shown, &mut commands));
        }
        egui::CentralPanel::default()
            .frame(bare(ui))
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink(false)
                    .show(ui, |ui| match screen {
                        Screen::Run => {
                            // The view is lent out while the snapshot borrows the rest.
                            let mut view = std::mem::take(&mut self.run.view);
                            commands.extend(run::ui(ui, &mut view, &self.run_snapshot()));
                            self.run.view = view;
                        }
                        Screen::Plan => {
                            let (form, shown) = self.plan.split(self.today);
                            commands.extend(plan_screen::ui(ui, form, &shown));
                        }
                        Screen::Progress => commands.extend(progress::ui(
                            ui,
                            &mut self.progress_view,
                            &progress::ProgressShown {
                                history: &self.history,
                                planned: &self.plan.planned,
                                units: self.settings.units,
                            },
                        )),
                        Screen::Review => {
                            if let Some(draft) = &mut self.review {
                                commands.extend(review::ui(ui, draft, self.settings.units));
                            }
                        }
                        Screen::Form => commands.extend(form::ui(ui, &mut self.form)),
                        Screen::Settings => {
                            let shown = settings_screen::SettingsShown {
                                settings: &self.settings,
                                devices: self.devices.as_deref(),
                                data_dir_in_use: &self.recording.data_dir,
                                settings_path: &self.settings_path,
                                message: self.settings_message.as_deref(),
                            };
                            commands.extend(settings_screen::ui(
                                ui,
                                &mut self.data_dir_text,
                                &shown,
                            ));
                        }
                    });
            });
        commands
    }
}

/// The row of screen tabs; the Review tab is there while a review is being filled in.
fn tabs(ui: &mut egui::Ui, current: Screen, reviewing: bool, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let review = reviewing.then_some((Screen::Review, "Review", "The review being filled in"));
        let tabs = [
            Some((Screen::Run, "Run", "The metronome and today's session")),
            Some((
                Screen::Plan,
                "Plan",
                "The cadence ramp-up plan and its sessions",
            )),
            Some((
                Screen::Progress,
                "Progress",
                "Sessions, plots and the session table",
            )),
            Some((Screen::Form, "Form", "Form cues and checklists")),
            review,
            Some((
                Screen::Settings,
                "Settings",
                "Units, sound, theme, device and data folder",
            )),
        ];
        for (screen, label, tip) in tabs.into_iter().flatten() {
            if ui
                .selectable_label(current == screen, egui::RichText::new(label).size(20.0))
                .on_hover_text(tip)
                .clicked()
            {
                commands.push(Command::Show(screen));
            }
        }
    });
}
