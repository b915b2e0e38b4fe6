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

/// Every text painted in the last frame: what it says, where it was painted and the clip rect
/// it was painted in (outside which it is cut off).
pub fn painted_texts(h: &Harness<'_, CoachApp>) -> Vec<(String, egui::Rect, egui::Rect)> {
    fn walk(
        shape: &egui::Shape,
        clip: egui::Rect,
        out: &mut Vec<(String, egui::Rect, egui::Rect)>,
    ) {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, clip, out)),
            egui::Shape::Text(t) => out.push((
                t.galley.text().to_string(),
                egui::Rect::from_min_size(t.pos, t.galley.size()),
                clip,
            )),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &h.output().shapes {
        walk(&clipped.shape, clipped.clip_rect, &mut out);
    }
    out
}

/// Whether `text` reads as a date plot's axis label: "2026-11-21", "Nov 21", "Nov 2026" or a
/// year.
pub fn is_date_label(text: &str) -> bool {
    let parses = |format: &str, text: String| jiff::fmt::strtime::parse(format, text).is_ok();
    (text.len() == 10 && text.parse::<jiff::civil::Date>().is_ok())
        || parses("%b %d %Y", format!("{text} 2026"))
        || parses("%b %Y", text.to_string())
        || (text.len() == 4
            && text
                .parse::<u16>()
                .is_ok_and(|y| (1990..=2100).contains(&y)))
}
