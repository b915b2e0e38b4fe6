//! The Plan screen: the current ramp-up plan (how far along, the next session and the button
//! that starts it, today's or a later one early, a repeat when the probes or a self-check missed,
//! what each stage's probes say, the plot of planned cadence with the sessions done on top, the
//! dated list and its key in `plan_list`, and the reasons behind the plan's numbers), and the
//! inputs for a new plan with the reason behind each default and a baseline tap test.

use eframe::egui::{self, RichText, Ui};
use egui_plot::{Legend, Line, MarkerShape, Points, VLine};
use jiff::civil::Date;

use super::charts::{MEASURED, TARGET, date_plot, day_number};
use super::command::Command;
use crate::cadence::Spm;
use crate::cadence::plan::{Following, Plan, PlanInputs, REASONS};
use crate::cadence::tap::TapTempo;

/// The inputs of a new plan, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanForm {
    pub baseline: String,
    pub target: String,
    pub step: String,
    pub per_week: String,
    pub per_stage: String,
    pub first_minutes: String,
    pub last_minutes: String,
    pub start: String,
    pub faded: bool,
    pub allow_over: bool,
}

impl PlanForm {
    pub fn new(i: &PlanInputs) -> PlanForm {
        PlanForm {
            baseline: i.baseline.to_string(),
            target: i.target.to_string(),
            step: format!("{}", i.step_percent),
            per_week: i.per_week.to_string(),
            per_stage: i.per_stage.to_string(),
            first_minutes: i.first_minutes.to_string(),
            last_minutes: i.last_minutes.to_string(),
            start: i.start.to_string(),
            faded: i.faded,
            allow_over: i.allow_over_ten_percent,
        }
    }

    /// The inputs, or a message naming the field that does not read.
    pub fn inputs(&self) -> Result<PlanInputs, String> {
        fn num<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, String> {
            text.trim()
                .replace(',', ".")
                .parse()
                .map_err(|_| format!("{name} '{}' is not a number", text.trim()))
        }
        let spm = |name: &str, text: &str| text.parse::<Spm>().map_err(|e| format!("{name}: {e}"));
        Ok(PlanInputs {
            baseline: spm("Baseline", &self.baseline)?,
            target: spm("Target", &self.target)?,
            step_percent: num("Step per stage", &self.step)?,
            per_week: num("Sessions per week", &self.per_week)?,
            per_stage: num("Sessions per stage", &self.per_stage)?,
            first_minutes: num("First session minutes", &self.first_minutes)?,
            last_minutes: num("Last session minutes", &self.last_minutes)?,
            start: self.start.trim().parse().map_err(|_| {
                format!(
                    "Start date '{}' is not a date as YYYY-MM-DD",
                    self.start.trim()
                )
            })?,
            faded: self.faded,
            allow_over_ten_percent: self.allow_over,
        })
    }
}

/// What the Plan screen shows, read-only.
pub struct PlanShown<'a> {
    pub plan: Option<&'a Plan>,
    pub following: Option<&'a Following>,
    /// A plan file that could not be used (a bad hand edit), or a failed save.
    pub problem: Option<&'a str>,
    pub message: Option<&'a str>,
    /// The baseline tap test.
    pub taps: &'a TapTempo,
    /// Where the baseline came from, when it is the runner's recent cadence.
    pub baseline_note: Option<&'a str>,
    pub today: Date,
}

/// The reason for a field's default, with its evidence level.
fn reason(field: &str) -> String {
    REASONS
        .iter()
        .find(|r| r.field == field)
        .map_or(String::new(), |r| match r.evidence {
            Some(level) => format!("{} ({level}.)", r.why),
            None => r.why.to_string(),
        })
}

/// The Plan screen: `form` is its own state (the inputs being typed), `shown` the rest.
pub fn ui(ui: &mut Ui, form_state: &mut Option<PlanForm>, shown: &PlanShown) -> Vec<Command> {
    let mut commands = Vec::new();
    let today = shown.today;
    ui.label(RichText::new("Plan").size(30.0).strong());
    if let Some(problem) = shown.problem {
        ui.label(
            RichText::new(problem)
                .size(16.0)
                .color(ui.visuals().warn_fg_color),
        );
    }
    if let Some(message) = shown.message {
        ui.label(RichText::new(message).size(16.0));
    }
    if let (Some(plan), Some(following)) = (shown.plan, shown.following) {
        current_plan(ui, plan, following, today, &mut commands);
        ui.add_space(8.0);
        egui::CollapsingHeader::new(RichText::new("Make a new plan").size(20.0))
            .default_open(false)
            .show(ui, |ui| form(ui, form_state, shown, &mut commands));
    } else {
        ui.label(
            RichText::new(
                "A plan raises your cadence in small stages over a few weeks, with the click fading \
                 as each stage settles. Fill in your baseline and target, then \"Make plan\".",
            )
            .size(17.0),
        );
        form(ui, form_state, shown, &mut commands);
    }
    commands
}

fn current_plan(
    ui: &mut Ui,
    plan: &Plan,
    following: &Following,
    today: Date,
    commands: &mut Vec<Command>,
) {
    let i = &plan.inputs;
    ui.label(
        RichText::new(format!(
            "{}. {} of {} done.",
            plan.summary(),
            following.done_count(),
            following.sessions.len()
        ))
        .size(20.0),
    );
    for warning in plan.warnings() {
        ui.label(RichText::new(warning).color(ui.visuals().warn_fg_color));
    }
    match following.next() {
        Some(next) => {
            let s = &next.session;
            let when = if next.date == today {
                "today".to_string()
            } else {
                format!("{} {}", next.date.strftime("%a"), next.date)
            };
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!(
                        "Next: stage {}, session {} of {}, {when}: {} min at {} spm, {}.",
                        s.stage,
                        s.number,
                        i.per_stage,
                        s.minutes,
                        s.spm,
                        s.feedback.name()
                    ))
                    .size(18.0),
                );
                let (label, hover) = start_button(next.date, today);
                if ui
                    .add(egui::Button::new(RichText::new(label).size(20.0)))
                    .on_hover_text(hover)
                    .clicked()
                {
                    commands.push(Command::StartPlanned);
                }
            });
        }
        None => {
            ui.label(
                RichText::new(
                    "Every session is done. Hold the new cadence on your easy runs, and check it \
                     with the tap test now and then.",
                )
                .size(18.0),
            );
        }
    }
    for (stage, text) in &following.repeat_suggestions {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(text).color(ui.visuals().warn_fg_color));
            if ui
                .button(format!("Repeat stage {stage}"))
                .on_hover_text("Add the stage's sessions once more before the next stage")
                .clicked()
            {
                commands.push(Command::RepeatStage(*stage));
            }
        });
    }
    super::plan_list::stage_probes(ui, following);
    plan_plot(ui, plan, following, today);
    super::plan_list::session_list(ui, following, today);
    super::plan_list::feedback_key(ui, following);
    ui.add_space(8.0);
    why_this_plan(ui, plan);
}

/// The start button's words and hover text: the session is today's, or a later day's run early.
pub(super) fn start_button(date: Date, today: Date) -> (String, String) {
    let days = today.until(date).map_or(0, |span| span.get_days());
    if days <= 0 {
        return (
            "Start today's session".into(),
            "Load today's session of the plan into the Run screen (Space starts it)".into(),
        );
    }
    let weekday = date.strftime("%A").to_string();
    (
        format!(
            "Start {weekday}'s session now ({} early)",
            crate::cadence::count_text(days.unsigned_abs(), "day")
        ),
        format!(
            "The next session is planned for {weekday} {date}. Load it into the Run screen now \
             (Space starts it); run early, it counts toward the plan on the day you run it."
        ),
    )
}

/// Planned cadence over the calendar (a step line: the tempo holds until the day the next
/// stage starts), with the sessions done on top: at the cadence measured in them, or hollow at
/// the planned tempo when nothing was measured.
fn plan_plot(ui: &mut Ui, plan: &Plan, following: &Following, today: Date) {
    let i = &plan.inputs;
    let mut planned: Vec<[f64; 2]> = Vec::with_capacity(following.sessions.len() * 2);
    for s in &following.sessions {
        let point = [day_number(s.date), s.session.spm.get()];
        if let Some(&[_, before]) = planned.last()
            && before != point[1]
        {
            planned.push([point[0], before]);
        }
        planned.push(point);
    }
    let (mut measured, mut unmeasured) = (Vec::new(), Vec::new());
    // A self-check done by the probes was not run: no dot for it.
    for s in &following.sessions {
        let Some(day) = s.done.filter(|_| !s.by_probes) else {
            continue;
        };
        match s.measured {
            Some(m) => measured.push([day_number(day), m]),
            None => unmeasured.push([day_number(day), s.session.spm.get()]),
        }
    }
    date_plot(ui, "plan-plot", 220.0, "spm")
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .include_y(i.baseline.get() - 2.0)
        .include_y(i.target.get() + 2.0)
        .y_axis_label("steps per minute")
        .show(ui, |plot| {
            plot.line(
                Line::new("Planned", planned)
                    .color(TARGET)
                    .width(2.0)
                    .allow_band(false),
            );
            if !measured.is_empty() {
                plot.points(
                    Points::new("Done, cadence measured", measured)
                        .color(MEASURED)
                        .radius(5.0)
                        .shape(MarkerShape::Circle)
                        .filled(true),
                );
            }
            if !unmeasured.is_empty() {
                plot.points(
                    Points::new("Done, not measured (at the planned tempo)", unmeasured)
                        .color(MEASURED)
                        .radius(5.0)
                        .shape(MarkerShape::Circle)
                        .filled(false),
                );
            }
            plot.vline(VLine::new("Today", day_number(today)));
        });
}

/// The reasons behind the plan's numbers, in view with the plan (not only in the form for a
/// new one): each input, this plan's value, and why the default is what it is.
fn why_this_plan(ui: &mut Ui, plan: &Plan) {
    let i = &plan.inputs;
    ui.label(RichText::new("Why these numbers").size(20.0).strong());
    let value = |field: &str| -> String {
        match field {
            "Baseline" => format!("{} spm", i.baseline),
            "Target" => format!("{} spm (+{:.1} %)", i.target, plan.total_percent()),
            "Step per stage" => format!("+{} %", i.step_percent),
            "Sessions per week" => i.per_week.to_string(),
            "Sessions per stage" => i.per_stage.to_string(),
            "Session minutes" => format!("{} to {} min", i.first_minutes, i.last_minutes),
            "Faded feedback" => if i.faded { "on" } else { "off" }.to_string(),
            _ => String::new(),
        }
    };
    egui::Grid::new("plan-reasons")
        .num_columns(3)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            for r in &REASONS {
                ui.label(RichText::new(r.field).strong());
                ui.label(value(r.field));
                ui.add(egui::Label::new(RichText::new(reason(r.field)).weak()).wrap());
                ui.end_row();
            }
        });
}

fn form(ui: &mut Ui, form: &mut Option<PlanForm>, shown: &PlanShown, commands: &mut Vec<Command>) {
    let estimate = shown.taps.estimate();
    if let Some(note) = shown.baseline_note {
        ui.label(RichText::new(note).size(16.0));
    }
    let Some(form) = form else {
        return;
    };
    egui::Grid::new("plan-inputs")
        .num_columns(3)
        .spacing([16.0, 10.0])
        .show(ui, |ui| {
            let field = |ui: &mut Ui, name: &str, text: &mut String, why: &str| {
                let label = ui.label(name);
                super::widgets::numeric(
                    ui.add(egui::TextEdit::singleline(text).desired_width(110.0)),
                )
                .labelled_by(label.id);
                ui.add(egui::Label::new(RichText::new(why).weak()).wrap());
                ui.end_row();
            };
            field(
                ui,
                "Baseline (spm)",
                &mut form.baseline,
                &reason("Baseline"),
            );
            ui.label("");
            ui.horizontal(|ui| {
                if ui
                    .button("Tap (T)")
                    .on_hover_text("Tap on each footfall while you run easy for 30 s (T)")
                    .clicked()
                {
                    commands.push(Command::PlanTap(ui.input(|i| i.time)));
                }
                match estimate {
                    Some(e) => {
                        ui.label(format!("{} spm from {} taps", e.spm, e.taps));
                        if ui
                            .button("Use as baseline")
                            .on_hover_text("Put the tapped cadence in the baseline")
                            .clicked()
                        {
                            form.baseline = format!("{}", (e.spm * 2.0).round() / 2.0);
                        }
                    }
                    None => {
                        ui.label("Tap at least 4 footfalls");
                    }
                }
            });
            ui.label("");
            ui.end_row();
            field(ui, "Target (spm)", &mut form.target, &reason("Target"));
            field(
                ui,
                "Step per stage (%)",
                &mut form.step,
                &reason("Step per stage"),
            );
            field(
                ui,
                "Sessions per week",
                &mut form.per_week,
                &reason("Sessions per week"),
            );
            field(
                ui,
                "Sessions per stage",
                &mut form.per_stage,
                &reason("Sessions per stage"),
            );
            field(
                ui,
                "First session (min)",
                &mut form.first_minutes,
                &reason("Session minutes"),
            );
            field(ui, "Last session (min)", &mut form.last_minutes, "");
            field(
                ui,
                "Start date",
                &mut form.start,
                "YYYY-MM-DD; today unless you choose.",
            );
            ui.label("Faded feedback");
            ui.checkbox(
                &mut form.faded,
                "Fade the click in the second half of each stage",
            );
            ui.add(egui::Label::new(RichText::new(reason("Faded feedback")).weak()).wrap());
            ui.end_row();
            ui.label("Beyond +10 %");
            ui.checkbox(
                &mut form.allow_over,
                "Allow a target more than 10 % over the baseline",
            );
            ui.add(
                egui::Label::new(
                    RichText::new("Only with care: the studies stopped at +10 %.").weak(),
                )
                .wrap(),
            );
            ui.end_row();
        });
    if ui
        .add(egui::Button::new(RichText::new("Make plan").size(20.0)))
        .on_hover_text("Make the plan from these inputs and save it in the data folder")
        .clicked()
    {
        commands.push(Command::MakePlan);
    }
}
