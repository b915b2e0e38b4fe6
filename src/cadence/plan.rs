//! The cadence ramp-up planner: from a baseline to a target in stages of at most +5 % of the
//! baseline, about eight sessions a stage, three a week, sessions growing from 15 to 30 minutes,
//! the click always on in the first half of a stage, faded in the second, and a last session
//! without the click as a self-check. Each planned session is a whole workout.
//!
//! Following a plan: sessions done count toward their stage; days missed move the remaining
//! dates (never cramming more sessions into a week than asked); a self-check that misses its
//! tempo by more than 3 % suggests repeating the stage. "Today" is always passed in.
//!
//! Where the defaults come from (see the evidence notes): +5 % and +10 % step rates lowered knee
//! and hip loading (Heiderscheit et al. 2011); gait retraining over 8 sessions at +7.5 % held at
//! 30 days (Willy et al. 2016); the best lasting results used faded feedback, 8–18 sessions over
//! 2–6 weeks, 3–4 a week, sessions growing to 30 min (Davis et al. 2020).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::cues::Evidence;
use super::workout::{Click, Segment, Workout};
use super::{Spm, SpmError};

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
/// A self-check this far off its stage's tempo (percent) suggests repeating the stage.
pub const SELF_CHECK_TOLERANCE_PERCENT: f64 = 3.0;
/// A planned session counts as done when at least this share of it was run.
pub const DONE_SHARE: f64 = 0.75;
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

/// The gap in days between sessions: every other day up to four a week, else daily.
fn min_gap(per_week: u8) -> i32 {
    match per_week {
        0 | 1 => 7,
        2 => 3,
        3 | 4 => 2,
        _ => 1,
    }
}

fn week(d: Date) -> (i16, i8) {
    let w = d.iso_week_date();
    (w.year(), w.week())
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
            "{} to {} spm (+{:.1} %), {stages} stage{} of {} sessions, {} a week",
            i.baseline,
            i.target,
            self.total_percent(),
            if stages == 1 { "" } else { "s" },
            i.per_stage,
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

/// Places sessions on days: at least `min_gap` days apart, never more than `per_week` in one
/// ISO week (Monday to Sunday).
struct Dates {
    per_week: u8,
    last: Option<Date>,
    weeks: BTreeMap<(i16, i8), u8>,
}

impl Dates {
    fn new(per_week: u8) -> Dates {
        Dates {
            per_week: per_week.max(1),
            last: None,
            weeks: BTreeMap::new(),
        }
    }

    /// A session already done on `d`.
    fn taken(&mut self, d: Date) {
        *self.weeks.entry(week(d)).or_default() += 1;
        self.last = Some(self.last.map_or(d, |l| l.max(d)));
    }

    /// The first day on or after `earliest` that keeps both rules; books it.
    fn place(&mut self, earliest: Date) -> Date {
        let mut d = earliest;
        if let Some(last) = self.last {
            let after_gap = last
                .checked_add(jiff::Span::new().days(min_gap(self.per_week)))
                .unwrap_or(last);
            d = d.max(after_gap);
        }
        while self.weeks.get(&week(d)).copied().unwrap_or(0) >= self.per_week {
            // `check` keeps plans far from the calendar's end, so this always moves on.
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        self.taken(d);
        d
    }
}

/// A session of the plan as it stands today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduledSession {
    #[serde(flatten)]
    pub session: PlannedSession,
    /// When it is (or was) to be run: the planned date, moved on by days missed.
    pub date: Date,
    /// The day it was done, if it was.
    pub done: Option<Date>,
    /// The cadence measured in it (for a self-check), if known.
    pub measured: Option<f64>,
}

/// A session the runner did for a plan: which, on what day, and the cadence measured.
#[derive(Debug, Clone, PartialEq)]
pub struct DoneSession {
    pub key: String,
    pub day: Date,
    pub measured: Option<f64>,
}

/// The sessions in `records` played for `plan` that count as done (run to the end, or for at
/// least three quarters of their minutes), on their local day in `tz`.
pub fn done_sessions(
    plan: &Plan,
    records: &[super::session::SessionRecord],
    tz: &jiff::tz::TimeZone,
) -> Vec<DoneSession> {
    let minutes: BTreeMap<String, u16> = plan
        .sessions()
        .into_iter()
        .map(|s| (s.key, s.minutes))
        .collect();
    records
        .iter()
        .filter_map(|r| {
            let link = r.plan.as_ref().filter(|l| l.plan_id == plan.id)?;
            let planned = f64::from(*minutes.get(&link.key)?) * 60.0;
            let counts = r.ending == super::session::Ending::Finished
                || r.duration_secs >= DONE_SHARE * planned;
            let day = tz.to_datetime(r.started).date();
            counts.then(|| DoneSession {
                key: link.key.clone(),
                day,
                measured: r.measured_spm(),
            })
        })
        .collect()
}

/// The plan followed up to `today`.
#[derive(Debug, Clone, PartialEq)]
pub struct Following {
    pub sessions: Vec<ScheduledSession>,
    /// Stages whose latest self-check missed the tempo, with a sentence for the runner.
    pub repeat_suggestions: Vec<(usize, String)>,
}

impl Following {
    /// The first session not yet done.
    pub fn next(&self) -> Option<&ScheduledSession> {
        self.sessions.iter().find(|s| s.done.is_none())
    }

    pub fn done_count(&self) -> usize {
        self.sessions.iter().filter(|s| s.done.is_some()).count()
    }
}

/// Follows `plan` with the sessions `done` up to `today`: done ones keep their day; the rest are
/// laid out again from today (never before their planned date), so missed days move them on.
pub fn follow(plan: &Plan, done: &[DoneSession], today: Date) -> Following {
    let planned = plan.sessions();
    let found = |key: &str| done.iter().filter(|d| d.key == key).max_by_key(|d| d.day);
    let mut dates = Dates::new(plan.inputs.per_week);
    for s in &planned {
        if let Some(d) = found(&s.key) {
            dates.taken(d.day);
        }
    }
    // Remaining sessions go after the last one done, whatever order they were done in.
    let mut sessions = Vec::with_capacity(planned.len());
    for s in planned {
        let (date, done_on, measured) = match found(&s.key) {
            Some(d) => (d.day, Some(d.day), d.measured),
            None => (dates.place(s.planned.max(today)), None, None),
        };
        sessions.push(ScheduledSession {
            session: s,
            date,
            done: done_on,
            measured,
        });
    }
    let mut repeat_suggestions = Vec::new();
    let stages = plan.stages().len();
    for stage in 1..=stages {
        // The latest copy of the stage decides.
        let check = sessions
            .iter()
            .filter(|s| s.session.stage == stage && s.session.feedback == Feedback::SelfCheck)
            .max_by_key(|s| s.session.copy);
        if let Some(c) = check
            && c.done.is_some()
            && let Some(m) = c.measured
        {
            let off = (m / c.session.spm.get() - 1.0) * 100.0;
            if off.abs() > SELF_CHECK_TOLERANCE_PERCENT {
                repeat_suggestions.push((
                    stage,
                    format!(
                        "Stage {stage}'s self-check measured {m:.1} spm, {off:+.1} % from its {} spm (more than 3 %). Repeating the stage before moving on gives the new rhythm time to settle.",
                        c.session.spm
                    ),
                ));
            }
        }
    }
    Following {
        sessions,
        repeat_suggestions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spm(v: f64) -> Spm {
        Spm::new(v).unwrap()
    }

    fn inputs(baseline: f64, target: f64) -> PlanInputs {
        PlanInputs {
            baseline: spm(baseline),
            target: spm(target),
            start: Date::constant(2026, 11, 23),
            ..PlanInputs::default()
        }
    }

    #[test]
    fn the_default_plan_is_two_stages_of_eight_sessions_three_a_week() {
        let plan = Plan::new("p", inputs(160.0, 172.0)).unwrap();
        assert_eq!(plan.stage_step(), 8.0);
        assert_eq!(plan.stages(), [spm(168.0), spm(172.0)]);
        let s = plan.sessions();
        assert_eq!(s.len(), 16);
        // Monday 23 Nov 2026: Mon, Wed, Fri, then the next Monday.
        let days: Vec<String> = s[..5].iter().map(|s| s.planned.to_string()).collect();
        assert_eq!(
            days,
            [
                "2026-11-23",
                "2026-11-25",
                "2026-11-27",
                "2026-11-30",
                "2026-12-02"
            ]
        );
        assert_eq!(s[0].minutes, 15);
        assert_eq!(s[15].minutes, 30);
        let feedback: Vec<Feedback> = s[..8].iter().map(|s| s.feedback).collect();
        let (c, f, x) = (Feedback::Click, Feedback::Faded, Feedback::SelfCheck);
        assert_eq!(feedback, [c, c, c, c, f, f, f, x]);
        // The first session's workout: 3 min warm-up at 160, 9 min at 168, 3 min cool-down.
        let w = plan.workout(&s[0]);
        assert_eq!(w.duration_ms(), 15 * 60_000);
        assert_eq!(w.segments()[1].tempo.start(), spm(168.0));
        assert_eq!(w.segments()[0].tempo.start(), spm(160.0));
        let check = plan.workout(&s[7]);
        assert_eq!(check.segments()[1].click, Click::Off);
        let faded = plan.workout(&s[5]);
        assert_eq!(
            faded.segments()[1].click,
            Click::Faded {
                on_secs: 60,
                off_secs: 30
            }
        );
    }

    #[test]
    fn bad_inputs_name_their_field() {
        let err = |i: PlanInputs| Plan::new("p", i).unwrap_err().to_string();
        assert!(err(inputs(170.0, 165.0)).starts_with("Target 165 spm must be above"));
        let over = err(inputs(160.0, 180.0));
        assert!(over.contains("12.5 % over the baseline 160 spm"), "{over}");
        assert!(over.contains("override"));
        let mut ok_with_override = inputs(160.0, 180.0);
        ok_with_override.allow_over_ten_percent = true;
        let plan = Plan::new("p", ok_with_override).unwrap();
        assert!(plan.warnings()[0].contains("12.5 % over"));
        let mut i = inputs(160.0, 170.0);
        i.per_week = 9;
        assert_eq!(err(i), "Sessions per week 9 is outside 1–7");
        let mut i = inputs(160.0, 170.0);
        i.step_percent = 7.0;
        assert!(err(i).starts_with("Step per stage 7 %"));
        let mut i = inputs(160.0, 170.0);
        i.start = Date::constant(9999, 12, 1);
        assert_eq!(
            err(i),
            "Start date 9999-12-01 is outside the years 2000–2200"
        );
        // 5 % of 165 is 8.25: the step rounds down to 8, never beyond 5 %.
        let plan = Plan::new("p", inputs(165.0, 181.0)).unwrap();
        assert_eq!(plan.stages(), [spm(173.0), spm(181.0)]);
        let mut i = inputs(160.0, 170.0);
        i.first_minutes = 40;
        assert!(err(i).starts_with("Session minutes 40–30"));
    }

    #[test]
    fn missed_days_move_the_remaining_sessions_instead_of_cramming_them() {
        let plan = Plan::new("p", inputs(160.0, 168.0)).unwrap();
        let start = plan.inputs.start;
        let on_time = follow(&plan, &[], start);
        assert_eq!(on_time.sessions[0].date, start);
        // Nothing done, and three days have passed: the first session is today, the rest follow.
        let today = start.checked_add(jiff::Span::new().days(3)).unwrap();
        let late = follow(&plan, &[], today);
        let days: Vec<String> = late.sessions[..4]
            .iter()
            .map(|s| s.date.to_string())
            .collect();
        assert_eq!(
            days,
            ["2026-11-26", "2026-11-28", "2026-11-30", "2026-12-02"]
        );
        // Done on day 0, then a gap: what is left starts today, one week holds at most three.
        let done = [DoneSession {
            key: "1.0.1".into(),
            day: start,
            measured: None,
        }];
        let f = follow(&plan, &done, today);
        assert_eq!(f.done_count(), 1);
        assert_eq!(f.next().unwrap().session.key, "1.0.2");
        assert_eq!(f.next().unwrap().date, today);
    }

    #[test]
    fn a_self_check_more_than_3_percent_off_suggests_repeating_the_stage() {
        let mut plan = Plan::new("p", inputs(160.0, 168.0)).unwrap();
        let start = plan.inputs.start;
        let check = |measured| {
            [DoneSession {
                key: "1.0.8".into(),
                day: start,
                measured: Some(measured),
            }]
        };
        assert!(
            follow(&plan, &check(164.0), start)
                .repeat_suggestions
                .is_empty()
        );
        let f = follow(&plan, &check(162.0), start);
        assert_eq!(f.repeat_suggestions.len(), 1);
        assert!(
            f.repeat_suggestions[0].1.contains("-3.6 %"),
            "{}",
            f.repeat_suggestions[0].1
        );
        plan.repeats.push(1);
        assert_eq!(plan.sessions().len(), 16);
        assert_eq!(plan.sessions()[8].key, "1.1.1");
        // The repeat's own self-check has not been run: no suggestion until it is.
        assert!(
            follow(&plan, &check(162.0), start)
                .repeat_suggestions
                .is_empty()
        );
    }

    fn any_inputs() -> impl Strategy<Value = PlanInputs> {
        (
            200u32..=440,
            1u32..=60,
            1.0f64..=5.0,
            1u8..=7,
            2u8..=20,
            10u16..=90,
            0u16..=40,
            any::<bool>(),
            0i32..3000,
        )
            .prop_map(
                |(base, up, step, per_week, per_stage, first, more, faded, day)| {
                    let baseline = Spm::from_half_steps(base).unwrap();
                    let target = Spm::from_half_steps((base + up).min(480)).unwrap_or(Spm::MAX);
                    PlanInputs {
                        baseline,
                        target,
                        step_percent: step,
                        per_week,
                        per_stage,
                        first_minutes: first,
                        last_minutes: (first + more).min(90),
                        start: Date::constant(2025, 1, 1)
                            .checked_add(jiff::Span::new().days(day))
                            .unwrap(),
                        faded,
                        allow_over_ten_percent: true,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn every_plan_keeps_the_rules(i in any_inputs(), late in 0i32..30) {
            let Ok(plan) = Plan::new("p", i.clone()) else {
                prop_assume!(false);
                unreachable!()
            };
            let step_limit = i.baseline.get() * MAX_STEP_PERCENT / 100.0;
            let stages = plan.stages();
            let mut prev = i.baseline.get();
            for s in &stages {
                prop_assert!(s.get() - prev > 0.0);
                // At most 5 % of the baseline, after rounding to 0.5.
                prop_assert!(s.get() - prev <= step_limit + 1e-9, "{} → {}", prev, s);
                prev = s.get();
            }
            prop_assert_eq!(*stages.last().unwrap(), i.target);
            for today in [i.start, i.start.checked_add(jiff::Span::new().days(late)).unwrap()] {
                let f = follow(&plan, &[], today);
                let mut per_week: BTreeMap<(i16, i8), u8> = BTreeMap::new();
                for w in f.sessions.windows(2) {
                    prop_assert!(w[0].date < w[1].date, "dates strictly increase");
                }
                for s in &f.sessions {
                    prop_assert!(s.date >= today);
                    let n = per_week.entry(week(s.date)).or_default();
                    *n += 1;
                    prop_assert!(*n <= i.per_week, "no week holds more than asked");
                }
                prop_assert_eq!(f.sessions.last().unwrap().session.spm, i.target);
            }
            for s in plan.sessions().iter().take(3) {
                prop_assert_eq!(plan.workout(s).duration_ms(), u64::from(s.minutes) * 60_000);
            }
        }

        #[test]
        fn more_than_ten_percent_is_refused_without_the_override(i in any_inputs()) {
            let mut i = i;
            i.allow_over_ten_percent = false;
            let over = (i.target.get() / i.baseline.get() - 1.0) * 100.0 > 10.0 + 1e-9;
            match Plan::new("p", i) {
                Err(PlanError::NeedsOverride { .. }) => prop_assert!(over),
                Ok(_) => prop_assert!(!over),
                Err(_) => {}
            }
        }
    }
}
