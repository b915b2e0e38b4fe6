//! What the Run screen shows of listening: the switch, the indicator (or why the microphone is
//! unavailable), the cadence heard beside the target with how sure the ear is, and the strip
//! of the last steps early or late against the click. It draws from the microphone's last
//! reading and asks only for listening on or off.

use eframe::egui::{self, Color32, RichText, Sense, Ui, Vec2, pos2, vec2};

use super::command::Command;
use crate::audio::coaching::CoachView;
use crate::audio::microphone::{MicState, MicStatus};
use crate::cadence::closed_loop::CoachMode;
use crate::hearing::Hearing;
use crate::store::settings::Settings;

/// At or above this confidence the cadence heard is shown plainly; below, faded and "unsure".
pub const SURE: f64 = 0.6;
/// How many of the latest steps the timing strip shows.
pub const STRIP_STEPS: usize = 16;
/// The strip's reach either side of the click, in milliseconds (steps further off sit at its
/// ends).
const STRIP_MS: f64 = 100.0;
/// Height of the line with the indicator and the strip.
pub const EAR_LINE: f32 = 44.0;
/// The indicator's red.
const RED: Color32 = Color32::from_rgb(220, 40, 40);

/// What the Run screen shows while listening is on: the microphone's last reading (`None`
/// until the first).
#[derive(Debug, Clone, Copy)]
pub struct EarShown<'a> {
    pub state: Option<&'a MicState>,
    /// The closed loop, while a session plays.
    pub coach: Option<CoachView>,
}

impl<'a> EarShown<'a> {
    pub fn new(state: Option<&'a MicState>) -> EarShown<'a> {
        EarShown { state, coach: None }
    }

    pub fn with_coach(self, coach: Option<CoachView>) -> EarShown<'a> {
        EarShown { coach, ..self }
    }

    /// What is heard of a runner, if the microphone hears one.
    pub fn hearing(&self) -> Option<&'a Hearing> {
        self.state?.hearing.as_ref()
    }

    /// Why nothing can be heard, in one sentence, when the microphone is unavailable.
    pub fn unavailable(&self) -> Option<&'a str> {
        match &self.state?.status {
            MicStatus::Unavailable(why) => Some(why),
            _ => None,
        }
    }
}

/// The cadence heard in digits and what it says under them: `"166"` and "heard", faded and
/// "heard · unsure" under [`SURE`], "—" and "not hearing steps" with no runner heard.
pub fn heard_text(ear: &EarShown) -> (String, &'static str, bool) {
    match ear.hearing() {
        Some(h) if h.confidence >= SURE => (format!("{:.0}", h.cadence_spm), "heard", true),
        Some(h) => (format!("{:.0}", h.cadence_spm), "heard · unsure", false),
        None if ear.unavailable().is_some() => ("---".into(), "microphone unavailable", false),
        None => ("---".into(), "not hearing steps", false),
    }
}

/// The cadence heard, in digits the size of the target's, with its caption underneath. A
/// screen reader hears "Heard 166 spm" (or "Heard 166 spm, unsure", "Heard nothing: …").
pub fn heard_number(ui: &mut Ui, ear: &EarShown, size: Vec2, caption: f32) {
    let (text, says, sure) = heard_text(ear);
    ui.vertical(|ui| {
        let strong = ui.visuals().strong_text_color();
        let colour = if sure {
            strong
        } else {
            strong.gamma_multiply(0.4)
        };
        let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
        super::digits::paint(ui.painter(), rect, &text, colour);
        let name = match ear.hearing() {
            Some(_) if sure => format!("Heard {text} spm"),
            Some(_) => format!("Heard {text} spm, unsure"),
            None => format!("Heard nothing: {says}"),
        };
        response
            .widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Label, true, &name));
        let caption_text = RichText::new(says).size(caption);
        ui.allocate_ui(vec2(size.x, caption * 1.4), |ui| {
            ui.centered_and_justified(|ui| {
                ui.label(if sure {
                    caption_text
                } else {
                    caption_text.weak()
                })
            });
        });
    });
}

/// The switch: "Listen" off, "Listening" with a red dot on.
pub fn toggle(ui: &mut Ui, listening: bool, commands: &mut Vec<Command>) {
    let text = if listening {
        RichText::new("Listening").size(22.0).color(RED)
    } else {
        RichText::new("Listen").size(22.0)
    };
    let tip = if listening {
        "Stop listening: the microphone is closed"
    } else {
        "Listen to your steps on the microphone: your cadence and step timing while you run \
         (what it hears stays in memory; only the cadence is kept with the session)"
    };
    let response = ui
        .add_sized([170.0, 54.0], egui::Button::selectable(listening, text))
        .on_hover_text(tip);
    if listening {
        red_dot(ui, response.rect.left_center() + vec2(16.0, 0.0));
    }
    if response.clicked() {
        commands.push(Command::Listen(!listening));
    }
}

/// The red dot that says the microphone is open (painted: not every font has "●").
fn red_dot(ui: &Ui, at: egui::Pos2) {
    ui.painter().circle_filled(at, 7.0, RED);
}

/// One line while listening: the red dot and the microphone heard (or why it cannot be), and
/// while a session plays the timing of the last steps against the click.
pub fn ear_line(
    ui: &mut Ui,
    ear: &EarShown,
    playing: bool,
    settings: &Settings,
    commands: &mut Vec<Command>,
) {
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), EAR_LINE), Sense::hover());
    let mut line = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    let ui = &mut line;
    let status = match ear.state.map(|s| &s.status) {
        // While the coach decides the click, what it does and the time in band say more
        // than the device's name.
        Some(MicStatus::Listening { .. })
            if playing
                && ear
                    .coach
                    .is_some_and(|c| c.mode != CoachMode::Always || c.fade_off_secs.is_some()) =>
        {
            coach_text(ear.coach.as_ref().expect("just matched"))
        }
        None | Some(MicStatus::Opening) => "Listening: opening the microphone…".to_string(),
        Some(MicStatus::Listening { device, .. }) => match ear.state.and_then(|s| s.round_trip) {
            Some(rt) if rt.heard => format!("Listening: {device} · click back in {:.0} ms", rt.ms),
            Some(_) => format!("Listening: {device} · click not heard back (headphones?)"),
            None => format!("Listening: {device}"),
        },
        Some(MicStatus::Unavailable(why)) => format!("Not listening: {why}"),
    };
    let (dot, _) = ui.allocate_exact_size(vec2(18.0, EAR_LINE), Sense::hover());
    red_dot(ui, dot.center());
    let colour = if ear.unavailable().is_some() {
        ui.visuals().warn_fg_color
    } else {
        ui.visuals().text_color()
    };
    // While playing, the strip (420) and its line (about 300) share the row with it.
    let width = if playing {
        (ui.available_width() - 420.0 - 16.0 - 300.0).clamp(330.0, 560.0)
    } else {
        (ui.available_width() - CHOICE_WIDTH).max(200.0)
    };
    ui.add_sized(
        [width, EAR_LINE],
        egui::Label::new(RichText::new(status).size(18.0).color(colour)).truncate(),
    );
    if !playing {
        coach_choice(ui, settings, commands);
        return;
    }
    if ear.unavailable().is_some() {
        return;
    }
    let offsets = ear.hearing().map(last_offsets).unwrap_or_default();
    strip(ui, &offsets, vec2(420.0, EAR_LINE - 4.0));
    ui.add_space(8.0);
    // With the click quiet there is nothing to time the steps against: say so, not "yet".
    let quiet = ear.coach.is_some_and(|c| c.quiet);
    let mut timing = if offsets.is_empty() && quiet {
        "click quiet".to_string()
    } else {
        timing_text(&offsets)
    };
    // The time in band goes with the timing: with every click the status keeps the device;
    // otherwise it has the time already, and the share is added here.
    match ear.coach {
        Some(view) if view.mode == CoachMode::Always && view.fade_off_secs.is_none() => {
            timing.push_str(&format!(" · {}", in_band_text(&view)));
        }
        Some(view) if view.measured_s >= 1.0 => timing.push_str(&format!(
            " · {:.0} % in band",
            100.0 * view.in_band_s / view.measured_s
        )),
        _ => {}
    }
    ui.add(egui::Label::new(RichText::new(timing).size(18.0)).truncate());
}

/// The room the mode buttons take on the line while stopped.
const CHOICE_WIDTH: f32 = 600.0;

/// While stopped: what the click does with the cadence heard in the next session.
fn coach_choice(ui: &mut Ui, settings: &Settings, commands: &mut Vec<Command>) {
    ui.label(RichText::new("Click:").size(18.0));
    for mode in CoachMode::ALL {
        let (text, tip) = match mode {
            CoachMode::Always => (
                "every click".to_string(),
                "Every click plays; your cadence is measured".to_string(),
            ),
            CoachMode::WhenOff => (
                format!("only when off (±{})", crate::cadence::tempo_text(settings.band_spm)),
                format!(
                    "The click is silent while you hold the target within ±{} spm, and back on the next step when you drift",
                    crate::cadence::tempo_text(settings.band_spm)
                ),
            ),
            CoachMode::Nudge => (
                "nudge to target".to_string(),
                "The click starts at your cadence and moves to the target by at most 1.5 % at a time, waiting for you to follow (an open tempo; a workout plays every click)".to_string(),
            ),
        };
        let chosen = settings.coach == mode;
        if ui
            .add(egui::Button::selectable(
                chosen,
                RichText::new(text).size(18.0),
            ))
            .on_hover_text(tip)
            .clicked()
            && !chosen
        {
            let mut s = settings.clone();
            s.coach = mode;
            commands.push(Command::UpdateSettings(Box::new(s)));
        }
    }
}

/// "Click when off · quiet · 1:42 in band": the mode, what it does now and the time the
/// cadence heard was within the band.
pub fn coach_text(view: &CoachView) -> String {
    // Short: it shares the line with the step timing (the share in band is on the right).
    let mut band = format!(
        "{} in band",
        crate::cadence::clock_text(view.in_band_s as u64)
    );
    if let Some(off) = view.fade_off_secs {
        band.push_str(&format!(" · silent blocks {off} s"));
    }
    match view.mode {
        CoachMode::Always if view.fade_off_secs.is_some() => format!("Faded by ear · {band}"),
        CoachMode::Always => format!("Every click · {band}"),
        CoachMode::WhenOff if view.quiet => format!("Click when off · quiet · {band}"),
        CoachMode::WhenOff => format!("Click when off · clicking · {band}"),
        CoachMode::Nudge => match view.nudge_tempo {
            Some(tempo) => format!("Guided nudge · click at {tempo} spm · {band}"),
            None => "Guided nudge · waiting to hear your cadence".to_string(),
        },
    }
}

/// "1:42 in band (86 %)": the time the cadence heard was in the band, and its share of the
/// time it was heard at all.
pub fn in_band_text(view: &CoachView) -> String {
    let in_band = crate::cadence::clock_text(view.in_band_s as u64);
    if view.measured_s >= 1.0 {
        format!(
            "{in_band} in band ({:.0} %)",
            100.0 * view.in_band_s / view.measured_s
        )
    } else {
        format!("{in_band} in band")
    }
}

/// The click offsets of the last [`STRIP_STEPS`] steps that had a click near them, oldest first.
pub fn last_offsets(hearing: &Hearing) -> Vec<f64> {
    let offsets = hearing.offsets_ms();
    offsets[offsets.len().saturating_sub(STRIP_STEPS)..].to_vec()
}

/// "steps land 12 ms late on average", or early, or on the click (within 2 ms).
pub fn timing_text(offsets: &[f64]) -> String {
    if offsets.is_empty() {
        return "no steps timed against the click yet".into();
    }
    let mean = offsets.iter().sum::<f64>() / offsets.len() as f64;
    match mean.round() {
        m if m.abs() <= 2.0 => "steps land on the click on average".into(),
        m if m < 0.0 => format!("steps land {} ms early on average", -m),
        m => format!("steps land {m} ms late on average"),
    }
}

/// The strip: a centre line (the click), ticks at ±50 and ±100 ms, and a mark for each step,
/// left early and right late, the latest the strongest.
fn strip(ui: &mut Ui, offsets: &[f64], size: Vec2) {
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    let weak = visuals.weak_text_color();
    let strong = visuals.strong_text_color();
    let label_h = 13.0;
    let bar = egui::Rect::from_min_max(rect.min, pos2(rect.max.x, rect.max.y - label_h));
    let x_of = |ms: f64| {
        let share = (ms.clamp(-STRIP_MS, STRIP_MS) / STRIP_MS) as f32;
        bar.center().x + share * (bar.width() / 2.0 - 6.0)
    };
    painter.line_segment(
        [
            pos2(bar.left(), bar.center().y),
            pos2(bar.right(), bar.center().y),
        ],
        (1.0, weak),
    );
    for ms in [-100.0, -50.0, 0.0, 50.0, 100.0] {
        let x = x_of(ms);
        let reach = if ms == 0.0 { bar.height() / 2.0 } else { 4.0 };
        painter.line_segment(
            [
                pos2(x, bar.center().y - reach),
                pos2(x, bar.center().y + reach),
            ],
            (if ms == 0.0 { 2.0 } else { 1.0 }, weak),
        );
        let text = match ms {
            -100.0 => "100 ms early".to_string(),
            100.0 => "100 ms late".to_string(),
            0.0 => "click".to_string(),
            m => format!("{:.0}", m.abs()),
        };
        let align = match ms {
            -100.0 => egui::Align2::LEFT_BOTTOM,
            100.0 => egui::Align2::RIGHT_BOTTOM,
            _ => egui::Align2::CENTER_BOTTOM,
        };
        let at = match ms {
            -100.0 => bar.left(),
            100.0 => bar.right(),
            _ => x,
        };
        painter.text(
            pos2(at, rect.bottom()),
            align,
            text,
            egui::FontId::proportional(11.0),
            weak,
        );
    }
    let n = offsets.len();
    for (i, &ms) in offsets.iter().enumerate() {
        // Older steps fade: the latest is drawn at full strength.
        let age = (n - 1 - i) as f32 / STRIP_STEPS as f32;
        let colour = strong.gamma_multiply(1.0 - 0.75 * age);
        let x = x_of(ms);
        painter.rect_filled(
            egui::Rect::from_center_size(pos2(x, bar.center().y), vec2(4.0, bar.height() * 0.7)),
            1.0,
            colour,
        );
    }
    let name = format!("Step timing: {}", timing_text(offsets));
    response.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Image, true, &name));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hearing::Footfall;

    #[test]
    fn the_timing_says_early_late_or_on_the_click() {
        assert_eq!(
            timing_text(&[10.0, 14.0]),
            "steps land 12 ms late on average"
        );
        assert_eq!(
            timing_text(&[-20.0, -30.0]),
            "steps land 25 ms early on average"
        );
        assert_eq!(
            timing_text(&[1.0, -2.0]),
            "steps land on the click on average"
        );
        assert_eq!(timing_text(&[]), "no steps timed against the click yet");
    }

    #[test]
    fn the_strip_keeps_the_latest_timed_steps() {
        let steps = (0..30)
            .map(|i| Footfall {
                at_s: f64::from(i) * 0.35,
                click_offset_ms: (i % 5 != 0).then_some(f64::from(i)),
            })
            .collect();
        let hearing = Hearing {
            cadence_spm: 170.0,
            confidence: 0.9,
            steps,
        };
        let last = last_offsets(&hearing);
        assert_eq!(last.len(), STRIP_STEPS);
        assert_eq!(last.last(), Some(&29.0));
        assert!(
            !last.contains(&25.0),
            "a step with no click near it is left out"
        );
    }
}
