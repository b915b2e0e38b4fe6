//! Shared pieces of the window: the big cadence display, the beat lamp, the form-cue card, the
//! banners for sound and file problems, and reading a typed path.

use eframe::egui::{self, Color32, RichText, Sense, Ui, Vec2};

use super::command::Command;
use crate::audio::DeviceState;
use crate::cadence::cues::FormCue;

/// Font size of the cadence digits: their glyphs stand about 130 px tall at 1× zoom, readable
/// from a treadmill 1.5 m away.
pub const BIG_DIGITS: f32 = 190.0;

/// The lamp colours: a lit step, a silent step (off block or quiet pattern), and unlit.
fn lamp_colours(ui: &Ui) -> (Color32, Color32, Color32) {
    if ui.visuals().dark_mode {
        (
            Color32::from_rgb(255, 150, 40),
            Color32::from_rgb(90, 160, 255),
            Color32::from_gray(55),
        )
    } else {
        (
            Color32::from_rgb(230, 110, 0),
            Color32::from_rgb(30, 100, 220),
            Color32::from_gray(215),
        )
    }
}

/// One side of the beat lamp: lit on this foot's steps.
pub fn lamp(ui: &mut Ui, side: &str, lit: bool, sounded: bool) -> egui::Response {
    let size = Vec2::splat(110.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let (on, silent, off) = lamp_colours(ui);
    let colour = match (lit, sounded) {
        (true, true) => on,
        (true, false) => silent,
        (false, _) => off,
    };
    let painter = ui.painter();
    painter.circle_filled(rect.center(), 50.0, colour);
    let text = if lit {
        Color32::BLACK
    } else {
        ui.visuals().weak_text_color()
    };
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        side,
        egui::FontId::proportional(40.0),
        text,
    );
    let label = format!("{side} step lamp, {}", if lit { "lit" } else { "dark" });
    response.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Image, true, &label));
    response
}

/// The cadence in very large digits; a screen reader hears "Cadence 172.5 spm".
pub fn big_number(ui: &mut Ui, text: &str) -> egui::Response {
    let colour = ui.visuals().strong_text_color();
    let response = ui.label(
        RichText::new(text)
            .size(BIG_DIGITS)
            .color(colour)
            .monospace(),
    );
    let name = format!("Cadence {text} spm");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Label, true, &name));
    response
}

/// The form cue card: the cue in large type, what to do, and its evidence.
pub fn cue_card(
    ui: &mut Ui,
    cue: &FormCue,
    pinned: bool,
    commands: &mut Vec<Command>,
    index: usize,
) {
    egui::Frame::group(ui.style())
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(RichText::new(cue.title).size(40.0).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .button(RichText::new("Next cue").size(18.0))
                        .on_hover_text("Show the next form cue now")
                        .clicked()
                    {
                        commands.push(Command::NextCue);
                    }
                    let pin_label = if pinned { "Unpin cue" } else { "Pin cue" };
                    if ui
                        .button(RichText::new(pin_label).size(18.0))
                        .on_hover_text("Keep this cue on screen instead of rotating")
                        .clicked()
                    {
                        commands.push(Command::PinCue(if pinned { None } else { Some(index) }));
                    }
                });
            });
            ui.label(RichText::new(cue.what_to_do).size(24.0));
            ui.label(
                RichText::new(format!("Feel: {}   ·   {}", cue.what_to_feel, cue.evidence))
                    .size(16.0)
                    .weak(),
            );
        });
}

/// The sound banner (no device, connecting) and notices about files.
pub fn banners(ui: &mut Ui, device: &DeviceState, notices: &[String], commands: &mut Vec<Command>) {
    match device {
        DeviceState::Missing { reason } => {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!(
                        "No sound: {reason}. The session still keeps time and the lamp still flashes; the app keeps trying."
                    ))
                    .color(ui.visuals().warn_fg_color)
                    .size(16.0),
                );
                if ui
                    .button("Retry sound")
                    .on_hover_text("Try to open the audio device again now")
                    .clicked()
                {
                    commands.push(Command::RetryAudio);
                }
            });
        }
        DeviceState::Connecting => {
            ui.label(RichText::new("Connecting to the sound device…").weak());
        }
        DeviceState::Connected { .. } | DeviceState::Standby { .. } => {}
    }
    for notice in notices {
        ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
    }
}

/// A path as a runner types or pastes it: `~/` for the home folder, or a `file://` URL copied
/// from a file manager.
pub fn typed_path(text: &str) -> std::path::PathBuf {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("file://") {
        return std::path::PathBuf::from(percent_decoded(rest));
    }
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    std::path::PathBuf::from(text)
}

/// `%20` and the like back to their bytes (file URLs escape spaces and non-ASCII names); a `%`
/// not followed by two hex digits stays as it is.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|&b| (b as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::typed_path;
    use std::path::PathBuf;

    #[test]
    fn typed_paths_take_file_urls_and_the_home_folder() {
        assert_eq!(typed_path("  /runs/a.fit "), PathBuf::from("/runs/a.fit"));
        assert_eq!(
            typed_path("file:///home/r/My%20Runs/Lauf%C3%BC.gpx"),
            PathBuf::from("/home/r/My Runs/Laufü.gpx")
        );
        assert_eq!(
            typed_path("file:///x/100%.fit"),
            PathBuf::from("/x/100%.fit")
        );
        let home = directories::BaseDirs::new()
            .unwrap()
            .home_dir()
            .to_path_buf();
        assert_eq!(typed_path("~/runs/a.tcx"), home.join("runs/a.tcx"));
    }
}
