//! Following a plan: sessions done count toward their stage; days missed move the remaining
//! dates (never cramming more sessions into a week than asked); a self-check that misses its
//! tempo by more than 3 % suggests repeating the stage. "Today" is always passed in.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::dates::Dates;
use super::make::{Feedback, Plan, PlannedSession};

/// A self-check this far off its stage's tempo (percent) suggests repeating the stage.
pub const SELF_CHECK_TOLERANCE_PERCENT: f64 = 3.0;
/// A planned session counts as done when at least this share of it was run.
pub const DONE_SHARE: f64 = 0.75;

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
    records: &[crate::cadence::session::SessionRecord],
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
            let counts = r.ending == crate::cadence::session::Ending::Finished
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
