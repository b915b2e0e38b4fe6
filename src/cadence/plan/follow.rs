//! Following a plan: sessions done count toward their stage; days missed move the remaining
//! dates (never cramming more sessions into a week than asked); a self-check that misses its
//! tempo by more than 3 % suggests repeating the stage. "Today" is always passed in.
//!
//! Where the sessions were measured without the click (the retention probes of their silent
//! blocks), the probes judge the stage instead of the self-check: the cadence the runner holds
//! in the click-free blocks of the faded sessions is the same thing a self-check asks for, only
//! measured over far more minutes and without a tap test. A stage whose probes held the band is
//! learned, so its self-check is done by the probes and the plan moves on; one whose probes
//! did not suggests a repeat with the numbers. Probes that measured too little leave the
//! self-check's rule as it was.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::dates::Dates;
use super::make::{Feedback, Plan, PlannedSession};
use crate::cadence::closed_loop::{Retention, RetentionSettings, Verdict};

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
    /// A self-check not run but done by its stage's retention probes, which held the band.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub by_probes: bool,
}

/// A session the runner did for a plan: which, on what day, the cadence measured, and what
/// its retention probes found (if it had silent blocks measured).
#[derive(Debug, Clone, PartialEq)]
pub struct DoneSession {
    pub key: String,
    pub day: Date,
    pub measured: Option<f64>,
    pub retention: Option<Retention>,
}

/// What the retention probes of a stage's done sessions add up to, and what they say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageRetention {
    pub stage: usize,
    pub retention: Retention,
    pub verdict: Verdict,
    /// The day of the stage's last probed session.
    pub last_day: Date,
}

impl StageRetention {
    /// In a few words for the Plan screen: "probes: 86 % of the click-free time in band —
    /// learned".
    pub fn describe(&self) -> String {
        let share = self.retention.share_in_band() * 100.0;
        let what = match self.verdict {
            Verdict::Learned => "learned",
            Verdict::Repeat => "repeat suggested",
            Verdict::NotMeasured => "too little measured to say",
        };
        format!("probes: {share:.0} % of the click-free time in band — {what}")
    }
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
                retention: r.closed_loop.and_then(|c| c.retention),
            })
        })
        .collect()
}

/// The plan followed up to `today`.
#[derive(Debug, Clone, PartialEq)]
pub struct Following {
    pub sessions: Vec<ScheduledSession>,
    /// Stages whose probes, or else whose latest self-check, missed, with a sentence for the
    /// runner.
    pub repeat_suggestions: Vec<(usize, String)>,
    /// The stages with probed sessions (of their latest copy), in order.
    pub stage_retention: Vec<StageRetention>,
}

impl Following {
    /// The first session not yet done.
    pub fn next(&self) -> Option<&ScheduledSession> {
        self.sessions.iter().find(|s| s.done.is_none())
    }

    pub fn done_count(&self) -> usize {
        self.sessions.iter().filter(|s| s.done.is_some()).count()
    }

    /// What the probes of `stage` say, if it has probed sessions.
    pub fn retention_of(&self, stage: usize) -> Option<&StageRetention> {
        self.stage_retention.iter().find(|r| r.stage == stage)
    }
}

/// Whether `p` is a later time through the stage of `s`.
fn is_later_copy(p: &PlannedSession, s: &PlannedSession) -> bool {
    p.stage == s.stage && p.copy > s.copy
}

/// Adds up the probes of each stage's faded sessions and self-check, of the stage's latest
/// copy (a repeat starts the count again: the stage is judged on how it went the last time
/// through), and judges them.
fn stage_retention(
    planned: &[PlannedSession],
    found: impl Fn(&str) -> Option<DoneSession>,
) -> Vec<StageRetention> {
    let settings = RetentionSettings::default();
    let mut latest: BTreeMap<usize, usize> = BTreeMap::new();
    for s in planned {
        let copy = latest.entry(s.stage).or_default();
        *copy = (*copy).max(s.copy);
    }
    let mut out: Vec<StageRetention> = Vec::new();
    for s in planned {
        let probed = matches!(s.feedback, Feedback::Faded | Feedback::SelfCheck)
            && latest.get(&s.stage) == Some(&s.copy);
        let Some((day, retention)) = found(&s.key)
            .filter(|_| probed)
            .and_then(|d| Some((d.day, d.retention?)))
        else {
            continue;
        };
        match out.last_mut().filter(|r| r.stage == s.stage) {
            Some(r) => {
                r.retention = r.retention + retention;
                r.last_day = r.last_day.max(day);
            }
            None => out.push(StageRetention {
                stage: s.stage,
                retention,
                verdict: Verdict::NotMeasured,
                last_day: day,
            }),
        }
    }
    for r in &mut out {
        r.verdict = r.retention.verdict(&settings);
    }
    out
}

/// Follows `plan` with the sessions `done` up to `today`: done ones keep their day; the rest are
/// laid out again from today (never before their planned date), so missed days move them on.
pub fn follow(plan: &Plan, done: &[DoneSession], today: Date) -> Following {
    let planned = plan.sessions();
    let found = |key: &str| done.iter().filter(|d| d.key == key).max_by_key(|d| d.day);
    let stage_retention = stage_retention(&planned, |key| found(key).cloned());
    // A learned stage's self-check (of its latest copy), if not run, is done by the probes on
    // the day of the last probed session; it takes no day of the week, as nobody ran it.
    let by_probes = |s: &PlannedSession| {
        if s.feedback != Feedback::SelfCheck || planned.iter().any(|p| is_later_copy(p, s)) {
            return None;
        }
        stage_retention
            .iter()
            .find(|r| r.stage == s.stage && r.verdict == Verdict::Learned)
            .map(|r| r.last_day)
    };
    let mut dates = Dates::new(plan.inputs.per_week);
    for s in &planned {
        if let Some(d) = found(&s.key) {
            dates.taken(d.day);
        }
    }
    // Remaining sessions go after the last one done, whatever order they were done in.
    let mut sessions = Vec::with_capacity(planned.len());
    for s in planned.iter().cloned() {
        let (date, done_on, measured, probes) = match (found(&s.key), by_probes(&s)) {
            (Some(d), _) => (d.day, Some(d.day), d.measured, false),
            (None, Some(day)) => (day, Some(day), None, true),
            (None, None) => (dates.place(s.planned.max(today)), None, None, false),
        };
        sessions.push(ScheduledSession {
            session: s,
            date,
            done: done_on,
            measured,
            by_probes: probes,
        });
    }
    let mut repeat_suggestions = Vec::new();
    let stages = plan.stages().len();
    for stage in 1..=stages {
        // The latest copy of the stage's self-check, if run and measured: how far off it was.
        let check = sessions
            .iter()
            .filter(|s| s.session.stage == stage && s.session.feedback == Feedback::SelfCheck)
            .max_by_key(|s| s.session.copy)
            .filter(|c| c.done.is_some())
            .and_then(|c| {
                let m = c.measured?;
                Some((m, (m / c.session.spm.get() - 1.0) * 100.0, c.session.spm))
            });
        // The probes decide where they measured enough to say; else the self-check does.
        let probes = stage_retention.iter().find(|r| r.stage == stage);
        let text = match (probes.map(|r| (r.verdict, r.retention)), check) {
            (Some((Verdict::Learned, _)), _) => None,
            (Some((Verdict::Repeat, retention)), check) => Some(format!(
                "Stage {stage}'s probes held the band for {:.0} % of the click-free time ({:.0} % needed).{} Repeating the stage before moving on gives the new rhythm time to settle.",
                retention.share_in_band() * 100.0,
                RetentionSettings::default().learned_share * 100.0,
                check.map_or(String::new(), |(m, off, _)| format!(
                    " Its self-check measured {m:.1} spm ({off:+.1} %)."
                ))
            )),
            (_, Some((m, off, spm))) if off.abs() > SELF_CHECK_TOLERANCE_PERCENT => Some(format!(
                "Stage {stage}'s self-check measured {m:.1} spm, {off:+.1} % from its {spm} spm (more than 3 %). Repeating the stage before moving on gives the new rhythm time to settle."
            )),
            _ => None,
        };
        if let Some(text) = text {
            repeat_suggestions.push((stage, text));
        }
    }
    Following {
        sessions,
        repeat_suggestions,
        stage_retention,
    }
}
