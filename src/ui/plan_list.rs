//! The Plan screen's list of dated sessions, what the retention probes say of each stage, and
//! the key under the list that says in plain words what "click", "faded" and "self-check" ask of
//! the runner. Draws only; the list is read-only.

use eframe::egui::{self, RichText, Ui};
use jiff::civil::Date;

use crate::cadence::clock_text;
use crate::cadence::closed_loop::{RetentionSettings, Verdict};
use crate::cadence::plan::{
    FADED_OFF_SECS, FADED_ON_SECS, Feedback, Following, SELF_CHECK_TOLERANCE_PERCENT,
};

/// Every session of the plan, one row each: number, date, stage, tempo, minutes, the click,
/// and whether it is done, today or moved.
pub(super) fn session_list(ui: &mut Ui, following: &Following, today: Date) {
    ui.label(RichText::new("Sessions").size(20.0).strong());
    let header = ["#", "Date", "Stage", "spm", "Min", "Click", ""];
    let widths = [40.0, 150.0, 60.0, 60.0, 50.0, 90.0, 300.0];
    ui.horizontal(|ui| {
        for (name, w) in header.iter().zip(widths) {
            ui.add_sized([w, 20.0], egui::Label::new(RichText::new(*name).strong()));
        }
    });
    let rows = following.sessions.len();
    egui::ScrollArea::vertical()
        .id_salt("plan-sessions")
        .max_height(26.0 * 12.0)
        .auto_shrink([false, true])
        .show_rows(ui, 26.0, rows, |ui, range| {
            for n in range {
                let s = &following.sessions[n];
                let moved = (s.date != s.session.planned)
                    .then(|| format!("moved from {}", s.session.planned));
                let status = match (s.done, s.date == today, moved) {
                    (Some(day), _, _) if s.by_probes => format!("done by the probes {day}"),
                    (Some(day), _, _) => format!("done {day}"),
                    (None, true, Some(m)) => format!("today ({m})"),
                    (None, true, None) => "today".to_string(),
                    (None, false, m) => m.unwrap_or_default(),
                };
                let cells = [
                    (n + 1).to_string(),
                    format!("{} {}", s.date.strftime("%a"), s.date),
                    format!(
                        "{}{}",
                        s.session.stage,
                        if s.session.copy > 0 { " again" } else { "" }
                    ),
                    s.session.spm.to_string(),
                    s.session.minutes.to_string(),
                    s.session.feedback.name().to_string(),
                    status,
                ];
                ui.horizontal(|ui| {
                    for (text, w) in cells.into_iter().zip(widths) {
                        ui.add_sized([w, 20.0], egui::Label::new(text).truncate());
                    }
                });
            }
        });
}

/// One line per stage with probed sessions: how much of the click-free time the runner held
/// the band, and what that says ("Stage 1 probes: 86 % of the click-free time in band —
/// learned").
pub(super) fn stage_probes(ui: &mut Ui, following: &Following) {
    for r in &following.stage_retention {
        let text = format!("Stage {} {}", r.stage, r.describe());
        let tip = format!(
            "Measured without the click in the faded sessions and the self-check: {} of {} \
             click-free, {} of them in the band. A stage is learned from {:.0} %.",
            clock_text(r.retention.measured_s.round() as u64),
            clock_text(r.retention.silent_s.round() as u64),
            clock_text(r.retention.in_band_s.round() as u64),
            RetentionSettings::default().learned_share * 100.0
        );
        let label = RichText::new(text).size(16.0);
        let label = match r.verdict {
            Verdict::Repeat => label.color(ui.visuals().warn_fg_color),
            _ => label,
        };
        ui.label(label).on_hover_text(tip);
    }
}

/// What each kind of session asks of the runner, and why (see the evidence notes: feedback
/// helps while it is there, but what lasts is what the runner holds without it).
pub(super) fn feedback_meaning(feedback: Feedback) -> String {
    match feedback {
        Feedback::Click => "the click plays through the main part: your steps learn the new \
                            rhythm by landing on it."
            .to_string(),
        Feedback::Faded => format!(
            "the click comes and goes ({FADED_ON_SECS} s on, {FADED_OFF_SECS} s off): you \
             learn to keep the rhythm yourself. A click that fades out is what made cadence \
             retraining last (strong evidence)."
        ),
        Feedback::SelfCheck => format!(
            "no click in the main part: hold the stage's cadence on your own and measure it (tap \
             T on your footfalls, or import your watch's file). More than \
             {SELF_CHECK_TOLERANCE_PERCENT:.0} % off suggests repeating the stage. When the \
             microphone measured the faded sessions' click-free blocks, those probes judge the \
             stage instead, and a stage they show learned needs no self-check."
        ),
    }
}

/// The key under the list: one line for each kind of session the plan has.
pub(super) fn feedback_key(ui: &mut Ui, following: &Following) {
    let kinds = [Feedback::Click, Feedback::Faded, Feedback::SelfCheck];
    ui.add_space(4.0);
    for kind in kinds
        .into_iter()
        .filter(|k| following.sessions.iter().any(|s| s.session.feedback == *k))
    {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 0.0;
            ui.label(RichText::new(format!("{}: ", kind.name())).strong());
            ui.label(feedback_meaning(kind));
        });
    }
}
