//! Shared pieces of the window: the big cadence display, the beat lamp, the form-cue card, the
//! banners for sound and file problems, and reading a typed path.

use eframe::egui::{self, Color32, RichText, Sense, Ui, Vec2};

use super::command::Command;
use crate::audio::DeviceState;
use crate::cadence::cues::FormCue;

/// The smallest the cadence digits get, in points of glyph height: still readable from a
/// treadmill 1.5 m away.
pub const MIN_DIGIT_HEIGHT: f32 = 120.0;

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
pub fn lamp(ui: &mut Ui, side: &str, lit: bool, sounded: bool, diameter: f32) -> egui::Response {
    let size = Vec2::splat(diameter);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let (on, silent, off) = lamp_colours(ui);
    let colour = match (lit, sounded) {
        (true, true) => on,
        (true, false) => silent,
        (false, _) => off,
    };
    let painter = ui.painter();
    painter.circle_filled(rect.center(), diameter * 0.45, colour);
    let text = if lit {
        Color32::BLACK
    } else {
        ui.visuals().weak_text_color()
    };
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        side,
        egui::FontId::proportional(diameter * 0.36),
        text,
    );
    let label = format!("{side} step lamp, {}", if lit { "lit" } else { "dark" });
    response.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Image, true, &label));
    response
}

/// The cadence in very large digits on one line, in a box of `size` that does not change
/// with the text (so nothing around it moves when a tempo gets a decimal): the digits are as
/// tall as the box allows, narrower if the text would not fit its width, and centred in it.
/// A screen reader hears "Cadence 172.5 spm".
pub fn big_number(ui: &mut Ui, text: &str, size: Vec2) -> egui::Response {
    let colour = ui.visuals().strong_text_color();
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    super::digits::paint(ui.painter(), rect, text, colour);
    let name = format!("Cadence {text} spm");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Label, true, &name));
    response
}

/// Marks a text field as one for numbers (a cadence, a speed, a date): it never takes a
/// space, and Space and the arrow keys keep their shortcuts while it has focus.
pub fn numeric(response: egui::Response) -> egui::Response {
    response
        .ctx
        .data_mut(|d| d.insert_temp(response.id, NumericField));
    response
}

/// Whether the field with keyboard focus, if any, is one for numbers.
pub fn numeric_focused(ctx: &egui::Context) -> bool {
    ctx.memory(|m| m.focused())
        .is_some_and(|id| ctx.data(|d| d.get_temp::<NumericField>(id).is_some()))
}

#[derive(Clone, Copy)]
struct NumericField;

/// The form cue card: the cue in large type, what to do, and its evidence.
pub fn cue_card(
    ui: &mut Ui,
    cue: &FormCue,
    pinned: bool,
    commands: &mut Vec<Command>,
    index: usize,
) {
    egui::Frame::group(ui.style())
        .inner_margin(10.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(RichText::new(cue.title).size(34.0).strong());
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
            ui.label(RichText::new(cue.what_to_do).size(22.0));
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
