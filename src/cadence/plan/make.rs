//! Making a plan: the runner's inputs and their checks, the stages from the baseline to the
//! target in steps of at most +5 % of the baseline, and every session with its tempo, minutes,
//! feedback, first planned date and the workout it plays.
//!
//! Where the defaults come from (see the evidence notes): +5 % and +10 % step rates lowered knee
//! and hip loading (Heiderscheit et al. 2011); gait retraining over 8 sessions at +7.5 % held at
//! 30 days (Willy et al. 2016); the best lasting results used faded feedback, 8–18 sessions over
//! 2–6 weeks, 3–4 a week, sessions growing to 30 min (Davis et al. 2020). `REASONS` says so on the
//! Plan screen, field by field.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::dates::Dates;
use crate::cadence::cues::Evidence;
use crate::cadence::workout::{Click, Segment, Workout};
use crate::cadence::{Spm, SpmError};

/// A plan's id, which also names its file: when it was made, in UTC to the second
/// ("20261121T070000Z"), so the newest plan sorts last.
pub fn plan_id(made: jiff::Timestamp) -> String {
    made.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The plan file's format version.
pub const PLAN_VERSION: u32 = 1;
/// A stage's step may not be more than this share of the baseline, in percent.
pub const MAX_STEP_PERCENT: f64 = 5.0;
/// Totals above this (percent over the baseline) need the explicit override.
pub const OVERRIDE_ABOVE_PERCENT: f64 = 10.0;
/// Faded feedback blocks in the second half of a stage: click on, then off, in seconds.
pub const FADED_ON_SECS: u32 = 60;
pub const FADED_OFF_SECS: u32 = 30;

/// What the runner chooses; every field has a default with a reason (see `REASONS`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanInputs {
    pub baseline: Spm,
    pub target: Spm,
    /// Step per stage, percent of the baseline (1–5).
    pub step_percent: f64,
    pub per_week: u8,
    pub per_stage: u8,
    /// Minutes of the first session and of the last; the ones between grow evenly.
    pub first_minutes: u16,
    pub last_minutes: u16,
    pub start: Date,
    /// Faded feedback (on/off blocks) in the second half of each stage.
    pub faded: bool,
    /// Allows a total above +10 % over the baseline.
    pub allow_over_ten_percent: bool,
}

impl Default for PlanInputs {
    fn default() -> Self {
        PlanInputs {
            baseline: Spm::new(160.0).expect("valid"),
            target: Spm::new(168.0).expect("valid"),
            step_percent: MAX_STEP_PERCENT,
            per_week: 3,
            per_stage: 8,
            first_minutes: 15,
            last_minutes: 30,
            start: Date::constant(2026, 1, 5),
            faded: true,
            allow_over_ten_percent: false,
        }
    }
}

/// Why a default is what it is, with its source and how strong the evidence is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reason {
    pub field: &'static str,
    pub why: &'static str,
    /// `None` for a default that is a method, not a claim (how to measure the baseline).
    pub evidence: Option<Evidence>,
}

/// Why each default is what it is, with its source, for the Plan screen. Ratings: the effects
/// on loading are strong evidence (Heiderscheit 2011, Anderson 2022), but each protocol choice
/// rests on a few retraining studies and a review, so the choices are moderate.
pub const REASONS: [Reason; 7] = [
    Reason {
        field: "Target",
        why: "Raise your own cadence by 5–10 %, not toward a universal 180: +5 % already lowered knee \
             loading and +10 % hip and knee loading (Heiderscheit et al. 2011). More than +10 % needs \
             the override.",
        evidence: Some(Evidence::Moderate),
    },
    Reason {
        field: "Step per stage",
        why: "+5 % of the baseline per stage: the smallest change shown to lower knee loading \
             (Heiderscheit et al. 2011), small enough to feel natural within a few sessions.",
        evidence: Some(Evidence::Moderate),
    },
    Reason {
        field: "Sessions per week",
        why: "3 a week: the 3–4 sessions a week of the retraining studies with lasting results \
             (Davis et al. 2020).",
        evidence: Some(Evidence::Moderate),
    },
    Reason {
        field: "Sessions per stage",
        why: "8: an 8-session retraining reached +8.6 % and held it at 30 days (Willy et al. 2016).",
        evidence: Some(Evidence::Moderate),
    },
    Reason {
        field: "Session minutes",
        why: "15 growing to 30: the common protocol grows sessions from 15 to 30 minutes \
             (Davis et al. 2020).",
        evidence: Some(Evidence::Moderate),
    },
    Reason {
        field: "Faded feedback",
        why: "The click always on in the first half of a stage, then on/off blocks: faded feedback \
             gave the most lasting results (Davis et al. 2020). The last session of each stage has \
             no click: a self-check.",
        evidence: Some(Evidence::Moderate),
    },
    Reason {
        field: "Baseline",
        why: "Your cadence at an easy run today: run easy for 30 s and tap T on each footfall.",
        evidence: None,
    },
];

/// An input the planner cannot use; each message names the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("Target {target} spm must be above the baseline {baseline} spm")]
    TargetNotAbove { baseline: Spm, target: Spm },
    #[error(
        "Target {target} spm is {percent:.1} % over the baseline {baseline} spm; more than +10 % needs the override (the studies went up to +10 %)"
    )]
    NeedsOverride {
        baseline: Spm,
        target: Spm,
        percent: f64,
    },
    #[error("Step per stage {0} % is outside 1–5 % of the baseline")]
    Step(f64),
    #[error("Sessions per week {0} is outside 1–7")]
    PerWeek(u8),
    #[error("Sessions per stage {0} is outside 2–20 (a stage needs practice and a self-check)")]
    PerStage(u8),
    #[error(
        "Session minutes {first}–{last} must be 10–90 minutes, the first no longer than the last"
    )]
    Minutes { first: u16, last: u16 },
    #[error("{field}: {source}")]
    Spm {
        field: &'static str,
        source: SpmError,
    },
    #[error("the plan would have {0} sessions; at most 400 (check the step and the target)")]
    TooLong(usize),
    #[error("Start date {0} is outside the years 2000–2200")]
    Start(Date),
}

/// What the click does in a session's main part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Feedback {
    /// On all the time (first half of a stage).
    Click,
    /// On/off blocks (second half).
    Faded,
    /// No click: hold the stage's cadence alone, then record it (last session of a stage).
    SelfCheck,
}

impl Feedback {
    pub fn name(self) -> &'static str {
        match self {
            Feedback::Click => "click",
            Feedback::Faded => "faded",
            Feedback::SelfCheck => "self-check",
        }
    }
}

/// One session of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedSession {
    /// Stable across re-planning: "stage.copy.number" ("2.0.5"); sessions done refer to it.
    pub key: String,
    /// Stage number from 1.
    pub stage: usize,
    /// Which time through the stage (0 the first; a repeat is 1).
    pub copy: usize,
    /// Number within the stage from 1.
    pub number: usize,
    pub spm: Spm,
    pub minutes: u16,
    pub feedback: Feedback,
    /// Its date as first planned.
    pub planned: Date,
}

/// A plan as saved: its inputs and the stages the runner chose to repeat. The sessions follow
/// from these, so a hand edit of an input re-plans cleanly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    pub version: u32,
    pub id: String,
    pub inputs: PlanInputs,
    /// Stage numbers to run once more each time they appear here.
    pub repeats: Vec<usize>,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            version: PLAN_VERSION,
            id: String::new(),
            inputs: PlanInputs::default(),
            repeats: Vec::new(),
        }
    }
}

impl Plan {
    /// A checked plan.
    pub fn new(id: &str, inputs: PlanInputs) -> Result<Plan, PlanError> {
        let plan = Plan {
            id: id.to_string(),
            inputs,
            ..Plan::default()
        };
        plan.check()?;
        Ok(plan)
    }

    /// Checks the inputs (a hand-edited file too).
    pub fn check(&self) -> Result<(), PlanError> {
        let i = &self.inputs;
        if i.target <= i.baseline {
            return Err(PlanError::TargetNotAbove {
                baseline: i.baseline,
                target: i.target,
            });
        }
        let percent = self.total_percent();
        if percent > OVERRIDE_ABOVE_PERCENT + 1e-9 && !i.allow_over_ten_percent {
            return Err(PlanError::NeedsOverride {
                baseline: i.baseline,
                target: i.target,
                percent,
            });
        }
        if !(i.step_percent.is_finite() && (1.0..=MAX_STEP_PERCENT).contains(&i.step_percent)) {
            return Err(PlanError::Step(i.step_percent));
        }
        if !(1..=7).contains(&i.per_week) {
            return Err(PlanError::PerWeek(i.per_week));
        }
        if !(2..=20).contains(&i.per_stage) {
            return Err(PlanError::PerStage(i.per_stage));
        }
        if !(10..=90).contains(&i.first_minutes)
            || !(10..=90).contains(&i.last_minutes)
            || i.first_minutes > i.last_minutes
        {
            return Err(PlanError::Minutes {
                first: i.first_minutes,
                last: i.last_minutes,
            });
        }
        if !(Date::constant(2000, 1, 1)..=Date::constant(2200, 12, 31)).contains(&i.start) {
            return Err(PlanError::Start(i.start));
        }
        let stages = ((i.target.get() - i.baseline.get()) / self.stage_step()).ceil() as usize;
        let n = (stages + self.repeats.len()) * usize::from(i.per_stage);
        if n > 400 {
            return Err(PlanError::TooLong(n));
        }
        Ok(())
    }

    /// The plan in one line: "162 to 175 spm (+8.0 %), 2 stages of 8 sessions, 3 a week".
    pub fn summary(&self) -> String {
        let i = &self.inputs;
        let stages = self.stages().len();
        format!(
            "{} to {} spm (+{:.1} %), {} of {}, {} a week",
            i.baseline,
            i.target,
            self.total_percent(),
            crate::cadence::count_text(stages as u64, "stage"),
            crate::cadence::count_text(i.per_stage, "session"),
            i.per_week,
        )
    }

    /// The target's distance over the baseline, percent.
    pub fn total_percent(&self) -> f64 {
        (self.inputs.target.get() / self.inputs.baseline.get() - 1.0) * 100.0
    }

    /// Things to know that do not stop the plan.
    pub fn warnings(&self) -> Vec<String> {
        let i = &self.inputs;
        let mut out = Vec::new();
        let percent = self.total_percent();
        if percent > OVERRIDE_ABOVE_PERCENT + 1e-9 {
            out.push(format!(
                "The target is {percent:.1} % over your baseline. The studies behind this plan went up to +10 %; beyond that there is no evidence it helps, and the first weeks will feel harder."
            ));
        }
        for (name, spm) in [("baseline", i.baseline), ("target", i.target)] {
            if !spm.is_usual() {
                out.push(format!(
                    "A {name} of {spm} spm is outside the 150–200 spm most runners run at; check it with the tap test (weak evidence: our own rule of thumb)."
                ));
            }
        }
        out
    }

    /// The step between stages, spm: the step share of the baseline, rounded down to 0.5 (so
    /// a stage never goes beyond the share asked for).
    pub fn stage_step(&self) -> f64 {
        let i = &self.inputs;
        ((i.baseline.get() * i.step_percent / 100.0 * 2.0 + 1e-9).floor() / 2.0).max(0.5)
    }

    /// The tempo of each stage, the last exactly the target.
    pub fn stages(&self) -> Vec<Spm> {
        let (base, target) = (self.inputs.baseline.get(), self.inputs.target.get());
        let step = self.stage_step();
        let mut out = Vec::new();
        let mut k = 1.0;
        while base + k * step < target - 1e-9 {
            out.push(Spm::new(base + k * step).expect("between baseline and target"));
            k += 1.0;
        }
        out.push(self.inputs.target);
        out
    }

    /// Every session in order, each with the date it was first planned for.
    pub fn sessions(&self) -> Vec<PlannedSession> {
        let i = &self.inputs;
        let per_stage = usize::from(i.per_stage);
        let mut shape = Vec::new();
        for (s, spm) in self.stages().into_iter().enumerate() {
            let stage = s + 1;
            let copies = 1 + self.repeats.iter().filter(|&&r| r == stage).count();
            for copy in 0..copies {
                for n in 1..=per_stage {
                    let feedback = if n == per_stage {
                        Feedback::SelfCheck
                    } else if i.faded && n > per_stage / 2 {
                        Feedback::Faded
                    } else {
                        Feedback::Click
                    };
                    shape.push((stage, copy, n, spm, feedback));
                }
            }
        }
        let total = shape.len();
        let mut dates = Dates::new(i.per_week);
        let mut day = i.start;
        shape
            .into_iter()
            .enumerate()
            .map(|(idx, (stage, copy, number, spm, feedback))| {
                let grow = if total > 1 {
                    f64::from(i.last_minutes - i.first_minutes) * idx as f64 / (total - 1) as f64
                } else {
                    0.0
                };
                let planned = dates.place(day);
                day = planned;
                PlannedSession {
                    key: format!("{stage}.{copy}.{number}"),
                    stage,
                    copy,
                    number,
                    spm,
                    minutes: i.first_minutes + grow.round() as u16,
                    feedback,
                    planned,
                }
            })
            .collect()
    }

    /// The workout a planned session plays: a warm-up at the baseline, the main part at the
    /// stage's tempo with its feedback, and a cool-down at the baseline.
    pub fn workout(&self, s: &PlannedSession) -> Workout {
        let base = self.inputs.baseline;
        let warm = if s.minutes < 20 { 3.0 } else { 5.0 };
        let cool = 3.0;
        let main = f64::from(s.minutes) - warm - cool;
        let click = match s.feedback {
            Feedback::Click => Click::On,
            Feedback::Faded => Click::Faded {
                on_secs: FADED_ON_SECS,
                off_secs: FADED_OFF_SECS,
            },
            Feedback::SelfCheck => Click::Off,
        };
        let main_name = match s.feedback {
            Feedback::SelfCheck => "Self-check: hold it alone".to_string(),
            _ => format!("Stage {}", s.stage),
        };
        Workout::new(
            &format!(
                "Plan stage {}{}, session {} ({}, {} spm)",
                s.stage,
                if s.copy > 0 { " again" } else { "" },
                s.number,
                s.feedback.name(),
                s.spm
            ),
            vec![
                Segment::steady("Warm-up", warm * 60.0, base),
                Segment::steady(&main_name, main * 60.0, s.spm).with_click(click),
                Segment::steady("Cool-down", cool * 60.0, base),
            ],
        )
        .expect("10–90 minute sessions make valid workouts")
    }
}
