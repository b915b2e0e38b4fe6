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

/// How many filled areas plot series painted in the last frame: a `Line` with `fill` is painted
/// as a mesh in the plot's frame, a line whose points lie closer than a pixel as a band. A
/// plot's frame is known by its background, a filled rectangle exactly the size of its clip
/// rect.
pub fn painted_filled_areas(h: &Harness<'_, CoachApp>) -> usize {
    fn flat<'s>(
        shape: &'s egui::Shape,
        clip: egui::Rect,
        out: &mut Vec<(&'s egui::Shape, egui::Rect)>,
    ) {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| flat(s, clip, out)),
            shape => out.push((shape, clip)),
        }
    }
    let mut shapes = Vec::new();
    for clipped in &h.output().shapes {
        flat(&clipped.shape, clipped.clip_rect, &mut shapes);
    }
    let frames: Vec<egui::Rect> = shapes
        .iter()
        .filter_map(|(shape, clip)| match shape {
            egui::Shape::Rect(r) if r.rect == *clip && r.fill != egui::Color32::TRANSPARENT => {
                Some(*clip)
            }
            _ => None,
        })
        .collect();
    assert!(!frames.is_empty(), "no plot painted");
    shapes
        .iter()
        .filter(|(shape, clip)| match shape {
            egui::Shape::Band(_) => true,
            egui::Shape::Mesh(_) => frames.contains(clip),
            _ => false,
        })
        .count()
}
