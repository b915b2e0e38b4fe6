//! The app's side of the plan: loading the current plan from the data folder, making and saving
//! a new one, loading its next session into the Run screen, repeating a stage, and following the
//! plan as sessions are recorded and days pass.

use jiff::civil::Date;

use super::CoachApp;
use crate::cadence::plan::{Following, Plan, PlanInputs, done_sessions, follow, plan_id};
use crate::cadence::session::PlanLink;
use crate::cadence::tap::TapTempo;
use crate::store::plan_file::{load_current_plan, save_new_plan, save_plan};
use crate::ui::command::Screen;
use crate::ui::plan::{PlanForm, PlanShown};

/// The plan as the window holds it.
#[derive(Debug, Default)]
pub struct PlanState {
    pub plan: Option<Plan>,
    /// A plan file that could not be used (a bad hand edit), or a failed save.
    pub problem: Option<String>,
    pub message: Option<String>,
    pub following: Option<Following>,
    /// The Plan screen's inputs being typed.
    pub form: Option<PlanForm>,
    /// The baseline tap test.
    pub taps: TapTempo,
    /// Today, when a test sets it; else the system's date.
    pub today_override: Option<Date>,
    /// Where the form's baseline came from, when it is the runner's recent cadence.
    pub baseline_note: Option<String>,
    /// The plan's cadence on each of its dates and its stages' probes, for Progress.
    pub planned: crate::ui::progress::PlanOnProgress,
    /// What `following` was built from: (history revision, today, plan revision).
    built_from: Option<(u64, Date, u64)>,
    revision: u64,
}

impl PlanState {
    /// The Plan screen's own state (the form), and a read-only view of the rest.
    pub(in crate::ui) fn split(&mut self, today: Date) -> (&mut Option<PlanForm>, PlanShown<'_>) {
        let shown = PlanShown {
            plan: self.plan.as_ref(),
            following: self.following.as_ref(),
            problem: self.problem.as_deref(),
            message: self.message.as_deref(),
            taps: &self.taps,
            baseline_note: self.baseline_note.as_deref(),
            today,
        };
        (&mut self.form, shown)
    }
}

impl CoachApp {
    /// Today's date (a test may set it).
    pub fn today(&self) -> Date {
        self.day_and_midnight().0
    }

    /// Today's date and how long until the runner's next local midnight, when it moves on
    /// (`None` while a test holds the date): one clock and time-zone reading for a frame.
    pub(super) fn day_and_midnight(&self) -> (Date, Option<std::time::Duration>) {
        match self.plan.today_override {
            Some(day) => (day, None),
            None => {
                let now = jiff::Zoned::now();
                (now.date(), until_next_midnight(&now))
            }
        }
    }

    /// Sets today's date (for tests); from the next frame on the app treats it as a clock
    /// that passed midnight.
    pub fn set_today(&mut self, day: Date) {
        self.plan.today_override = Some(day);
    }

    /// The inputs a new plan starts from: the defaults, with the baseline at the runner's
    /// recent measured cadence when the history has one (and the target 5 % above it), so the
    /// first stage is not below what they already run.
    fn starting_inputs(&mut self) -> PlanInputs {
        let defaults = PlanInputs::default();
        self.plan.baseline_note = None;
        let Some((baseline, note)) = recent_cadence(&self.history.sessions, &self.history.tz)
        else {
            return defaults;
        };
        let target =
            crate::cadence::Spm::from_half_steps((baseline.get() * 1.05 * 2.0).floor() as u32)
                .unwrap_or(defaults.target);
        self.plan.baseline_note = Some(note);
        PlanInputs {
            baseline,
            target,
            ..defaults
        }
    }

    /// Reads the current plan from the data folder; a bad hand edit is shown, not fatal.
    pub(super) fn load_plan(&mut self) {
        self.plan.plan = None;
        self.plan.problem = None;
        match load_current_plan(&self.recording.data_dir) {
            Ok(found) => self.plan.plan = found.map(|(plan, _)| plan),
            Err(problem) => {
                self.plan.problem = Some(format!(
                    "{problem}. Fix it in a text editor, or make a new plan (the file is kept)."
                ))
            }
        }
        // The form starts from the plan's inputs (or the defaults, unless a form is already
        // being filled in), from today.
        let inputs = match (&self.plan.plan, &self.plan.form) {
            (Some(plan), _) => Some(plan.inputs.clone()),
            (None, None) => Some(self.starting_inputs()),
            (None, Some(_)) => None,
        };
        if let Some(inputs) = inputs {
            self.plan.form = Some(PlanForm::new(&PlanInputs {
                start: self.today(),
                ..inputs
            }));
        }
        self.plan.revision += 1;
    }

    /// Follows the plan again when the history, the day (`today`) or the plan changed.
    /// Returns whether it did.
    pub(super) fn refresh_plan_if_stale(&mut self, today: Date) -> bool {
        let key = (self.history.revision, today, self.plan.revision);
        if self.plan.built_from == Some(key) {
            return false;
        }
        // A new day (the window open past midnight): a plan form that was to start "today"
        // starts on the new today, not yesterday.
        if let Some((_, before, _)) = self.plan.built_from
            && before != today
            && let Some(form) = &mut self.plan.form
            && form.start == before.to_string()
        {
            form.start = today.to_string();
        }
        self.plan.built_from = Some(key);
        self.plan.following = self.plan.plan.as_ref().map(|plan| {
            let done = done_sessions(plan, &self.history.sessions, &self.history.tz);
            follow(plan, &done, key.1)
        });
        let following = self.plan.following.iter();
        self.plan.planned = crate::ui::progress::PlanOnProgress {
            cadence: following
                .clone()
                .flat_map(|f| &f.sessions)
                .map(|s| [crate::ui::charts::day_number(s.date), s.session.spm.get()])
                .collect(),
            stages: following.flat_map(|f| f.stage_retention.clone()).collect(),
        };
        true
    }

    /// Whether `record` counted toward the plan, in words for the summary after a session.
    pub(super) fn plan_note(&self, record: &crate::cadence::session::SessionRecord) -> String {
        let Some(link) = &record.plan else {
            return "Not a session of the plan".into();
        };
        let Some(plan) = self.plan.plan.as_ref().filter(|p| p.id == link.plan_id) else {
            return "Played for a plan that is no longer the current one".into();
        };
        let Some(session) = plan.sessions().into_iter().find(|s| s.key == link.key) else {
            return "Played for a session the plan no longer has".into();
        };
        if self.counts_toward_plan(record) {
            format!(
                "Counted toward the plan: stage {}, session {} of {}",
                session.stage, session.number, plan.inputs.per_stage
            )
        } else {
            format!(
                "Not counted toward the plan: {} of its {} minutes run (it counts from {:.0} %, or \
                 when run to the end)",
                crate::cadence::clock_text(record.duration_secs as u64),
                session.minutes,
                crate::cadence::plan::DONE_SHARE * 100.0
            )
        }
    }

    /// Whether `record` was played for the current plan and counts as one of its sessions done.
    pub(super) fn counts_toward_plan(
        &self,
        record: &crate::cadence::session::SessionRecord,
    ) -> bool {
        let Some(plan) = self
            .plan
            .plan
            .as_ref()
            .filter(|p| record.plan.as_ref().is_some_and(|l| l.plan_id == p.id))
        else {
            return false;
        };
        !done_sessions(plan, std::slice::from_ref(record), &self.history.tz).is_empty()
    }

    /// Makes a plan from the Plan screen's inputs, and saves it as the current plan.
    pub(super) fn make_plan(&mut self) {
        let Some(form) = &self.plan.form else { return };
        let id = plan_id(jiff::Timestamp::now());
        let made = form
            .inputs()
            .and_then(|inputs| Plan::new(&id, inputs).map_err(|e| e.to_string()));
        match made {
            Ok(mut plan) => match save_new_plan(&self.recording.data_dir, &mut plan) {
                Ok(_) => {
                    let mut message = format!(
                        "Plan saved: {} from {}.",
                        crate::cadence::count_text(plan.sessions().len() as u64, "session"),
                        plan.inputs.start
                    );
                    for w in plan.warnings() {
                        message.push(' ');
                        message.push_str(&w);
                    }
                    self.plan.message = Some(message);
                    self.plan.problem = None;
                    self.plan.plan = Some(plan);
                    self.plan.revision += 1;
                }
                Err(e) => self.plan.problem = Some(format!("The plan was not saved: {e}")),
            },
            Err(e) => self.plan.problem = Some(e),
        }
    }

    /// Loads the plan's next session into the Run screen.
    pub(super) fn start_planned(&mut self) {
        let _ = self.refresh_plan_if_stale(self.today());
        let (Some(plan), Some(following)) = (&self.plan.plan, &self.plan.following) else {
            return;
        };
        let Some(next) = following.next() else { return };
        let workout = plan.workout(&next.session);
        self.run.message = Some(format!(
            "Loaded '{}' ({} min). Space starts it.",
            workout.name(),
            next.session.minutes
        ));
        self.run.plan_link = Some(PlanLink {
            plan_id: plan.id.clone(),
            key: next.session.key.clone(),
        });
        self.run.loaded = Some(workout);
        self.forget_last_session();
        self.screen = Screen::Run;
    }

    /// Puts stage `stage` of the plan in once more.
    pub(super) fn repeat_stage(&mut self, stage: usize) {
        let Some(plan) = &mut self.plan.plan else {
            return;
        };
        plan.repeats.push(stage);
        match save_plan(&self.recording.data_dir, plan) {
            Ok(_) => {
                self.plan.message = Some(format!(
                    "Stage {stage} is in the plan once more; the later sessions moved on."
                ));
                self.plan.revision += 1;
            }
            Err(e) => {
                plan.repeats.pop();
                self.plan.problem = Some(format!("The plan was not saved: {e}"));
            }
        }
    }
}

/// The runner's recent cadence: the median of the last five sessions with a measured cadence
/// (a review's, or a watch's), to the nearest 0.5 spm, and where it came from.
fn recent_cadence(
    sessions: &[crate::cadence::session::SessionRecord],
    tz: &jiff::tz::TimeZone,
) -> Option<(crate::cadence::Spm, String)> {
    let recent: Vec<(&crate::cadence::session::SessionRecord, f64)> = sessions
        .iter()
        .rev()
        .filter_map(|s| s.measured_spm().map(|m| (s, m)))
        .take(5)
        .collect();
    let mut values: Vec<f64> = recent.iter().map(|r| r.1).collect();
    values.sort_by(f64::total_cmp);
    let median = *values.get(values.len() / 2)?;
    let spm = crate::cadence::Spm::new((median * 2.0).round() / 2.0).ok()?;
    let day = |s: &crate::cadence::session::SessionRecord| tz.to_datetime(s.started).date();
    let (newest, oldest) = (day(recent.first()?.0), day(recent.last()?.0));
    let when = if newest == oldest {
        format!("on {newest}")
    } else {
        format!("from {oldest} to {newest}")
    };
    let note = format!(
        "Your recent cadence: {spm} spm, the middle of the {} measured {when}.",
        crate::cadence::count_text(recent.len() as u64, "session"),
    );
    Some((spm, note))
}

/// The time from `now` to the start of the next day in its time zone (a little after, so the
/// frame it wakes sees the new date), also on days of 23 or 25 hours.
pub fn until_next_midnight(now: &jiff::Zoned) -> Option<std::time::Duration> {
    let next = now.tomorrow().ok()?.start_of_day().ok()?;
    let wait = now.duration_until(&next).unsigned_abs();
    Some(wait + std::time::Duration::from_millis(500))
}

#[cfg(test)]
mod tests {
    use super::until_next_midnight;
    use std::time::Duration;

    /// A local time in Berlin's rules, from a POSIX zone (no time zone database needed).
    fn at(local: &str) -> jiff::Zoned {
        let berlin = jiff::tz::TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        let local: jiff::civil::DateTime = local.parse().expect("a local time");
        local.to_zoned(berlin).unwrap()
    }

    #[test]
    fn the_wait_ends_just_after_the_next_local_midnight() {
        let half = Duration::from_millis(500);
        assert_eq!(
            until_next_midnight(&at("2026-11-22T23:30:00")),
            Some(Duration::from_secs(30 * 60) + half)
        );
        // 29 March 2026 has 23 hours in Berlin (clocks go forward at 02:00).
        assert_eq!(
            until_next_midnight(&at("2026-03-29T00:30:00")),
            Some(Duration::from_secs(22 * 3600 + 30 * 60) + half)
        );
        // 25 October 2026 has 25 hours.
        assert_eq!(
            until_next_midnight(&at("2026-10-25T00:00:00")),
            Some(Duration::from_secs(25 * 3600) + half)
        );
    }
}
