//! Helpers for driving the window headless with egui_kittest.

use cadence_coach::ui::CoachApp;
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// Clicks the text field named `label`, selects what is in it and types `text` over it.
pub fn replace_text(h: &mut Harness<'_, CoachApp>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run();
    h.event(egui::Event::Key {
        key: Key::A,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::COMMAND,
    });
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}
