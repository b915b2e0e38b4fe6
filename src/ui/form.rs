//! The Form screen: every cue card in full, and the warm-up, stretching and strength checklists.

use eframe::egui::{self, RichText, Ui};

use super::command::Command;
use crate::cadence::cues::{CHECKLISTS, CUES};

/// Ticks on the checklists, for this run of the app.
#[derive(Debug)]
pub struct FormState {
    pub checks: Vec<Vec<bool>>,
}

impl Default for FormState {
    fn default() -> Self {
        FormState {
            checks: CHECKLISTS
                .iter()
                .map(|c| vec![false; c.items.len()])
                .collect(),
        }
    }
}

pub fn ui(ui: &mut Ui, state: &mut FormState) -> Vec<Command> {
    // Every line wraps short of the scroll bar, which is drawn over the right edge of the page:
    // a word at the end of a long line would be hidden under it.
    let scroll = &ui.spacing().scroll;
    let bar = scroll.bar_width + scroll.bar_inner_margin + scroll.bar_outer_margin;
    ui.set_max_width((ui.available_width() - bar).max(200.0));
    ui.label(RichText::new("Form cues").size(30.0).strong());
    wrapped(
        ui,
        RichText::new(
            "One at a time on the Run screen. Each says how well studied it is: only the quicker, shorter step has strong evidence behind it.",
        )
        .size(16.0),
    );
    for cue in CUES {
        egui::Frame::group(ui.style())
            .inner_margin(10.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(cue.title).size(24.0).strong());
                    ui.label(
                        RichText::new(format!("({})", cue.evidence))
                            .size(16.0)
                            .weak(),
                    );
                });
                for (label, text) in [
                    ("Do", cue.what_to_do),
                    ("Feel", cue.what_to_feel),
                    ("Common mistake", cue.common_mistake),
                    ("Drill", cue.drill),
                    ("Evidence", cue.evidence_note),
                ] {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(format!("{label}:")).strong().size(16.0));
                        wrapped(ui, RichText::new(text).size(16.0));
                    });
                }
            });
    }
    ui.add_space(10.0);
    ui.columns(CHECKLISTS.len(), |cols| {
        for ((col, list), ticks) in cols.iter_mut().zip(CHECKLISTS).zip(&mut state.checks) {
            col.label(RichText::new(list.title).size(22.0).strong());
            wrapped(col, RichText::new(list.note).weak());
            for (item, done) in list.items.iter().zip(ticks.iter_mut()) {
                col.checkbox(done, RichText::new(*item));
            }
            let all = ticks.iter().all(|&d| d);
            if col
                .button(if all { "Done! Clear" } else { "Clear" })
                .on_hover_text(format!("Untick every item of {}", list.title))
                .clicked()
            {
                ticks.iter_mut().for_each(|d| *d = false);
            }
        }
    });
    Vec::new()
}

/// A label that wraps at the width it has, whatever the layout around it.
fn wrapped(ui: &mut Ui, text: RichText) {
    ui.add(egui::Label::new(text).wrap());
}
