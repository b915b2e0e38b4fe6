//! Retention probes in the window, headless with egui_kittest: stage 1's faded sessions held the
//! band without the click, so the Plan screen shows the stage learned by its probes, its
//! self-check done by them and stage 2 next; Progress plots the time in band and the stage's
//! retention, and says what the closed loop did in the selected session.

mod support;

use std::path::{Path, PathBuf};

use cadence_coach::audio::AudioEngine;
use cadence_coach::cadence::Spm;
use cadence_coach::cadence::closed_loop::{ClosedLoopSummary, CoachMode, Retention};
use cadence_coach::cadence::plan::{Plan, PlanInputs, plan_id};
use cadence_coach::cadence::session::{Ending, IdSuffix, PlanLink, SessionRecord, session_id};
use cadence_coach::store::plan_file::save_new_plan;
use cadence_coach::store::sessions::save_session;
use cadence_coach::ui::{CoachApp, Command, Screen};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::civil::Date;

/// A fixed Monday.
const START: Date = Date::constant(2026, 11, 23);

fn data(dir: &Path) -> PathBuf {
    dir.join("data")
}

fn app(dir: &Path, today: Date) -> Harness<'static, CoachApp> {
    let settings = dir.join("settings.ron");
    let data = data(dir);
    let mut h = Harness::builder()
        .with_size([1100.0, 1000.0])
        .with_step_dt(0.05)
        .build_eframe(move |cc| {
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
        });
    h.state_mut().set_today(today);
    h.run();
    h
}

/// A plan from 160 to 172 spm (stages at 168 and 172) from `START`, saved as the current one;
/// stage 1's sessions 1 to 7 run on its planned days, the faded ones (5–7) with listening on,
/// each holding the band for `in_band_s` of its 300 click-free seconds.
fn plan_with_stage_one_probed(dir: &Path, in_band_s: f64) -> (Plan, Vec<Date>) {
    let inputs = PlanInputs {
        baseline: Spm::new(160.0).unwrap(),
        target: Spm::new(172.0).unwrap(),
        start: START,
        ..PlanInputs::default()
    };
    let made = "2026-11-20T07:00:00Z".parse().unwrap();
    let mut plan = Plan::new(&plan_id(made), inputs).unwrap();
    save_new_plan(&data(dir), &mut plan).unwrap();
    let tz = jiff::tz::TimeZone::system();
    let mut days = Vec::new();
    for s in plan
        .sessions()
        .iter()
        .filter(|s| s.stage == 1 && s.number <= 7)
    {
        let started = s
            .planned
            .at(7, 0, 0, 0)
            .to_zoned(tz.clone())
            .unwrap()
            .timestamp();
        let id = session_id(started, IdSuffix::Played(s.number as u16));
        let mut r = SessionRecord::new(&id, started, "Plan", s.spm.get());
        r.duration_secs = f64::from(s.minutes) * 60.0;
        r.steps = (r.duration_secs * s.spm.get() / 60.0) as u64;
        r.ending = Ending::Finished;
        r.plan = Some(PlanLink {
            plan_id: plan.id.clone(),
            key: s.key.clone(),
        });
        if s.number >= 5 {
            r.closed_loop = Some(ClosedLoopSummary {
                mode: CoachMode::WhenOff,
                measured_s: r.duration_secs * 0.9,
                in_band_s: r.duration_secs * 0.8,
                clicks_heard: 900,
                clicks_silent: 1500,
                nudges: 0,
                retention: Some(Retention {
                    silent_s: 300.0,
                    measured_s: 290.0,
                    in_band_s,
                }),
            });
        }
        save_session(&data(dir), &r).unwrap();
        days.push(s.planned);
    }
    (plan, days)
}

#[test]
fn a_stage_learned_by_its_probes_moves_the_plan_on_and_progress_plots_time_in_band() {
    let dir = tempfile::tempdir().unwrap();
    let (_plan, days) = plan_with_stage_one_probed(dir.path(), 260.0);
    let last_probe = *days.last().unwrap();
    let today = last_probe.tomorrow().unwrap();
    let mut h = app(dir.path(), today);
    h.state_mut().apply(Command::Show(Screen::Plan));
    h.run();

    // 780 of 900 click-free seconds in the band: 87 %, above the 80 % a stage needs.
    assert!(
        h.query_by_label("Stage 1 probes: 87 % of the click-free time in band — learned")
            .is_some(),
        "the stage's probes are shown"
    );
    let following = h.state().plan.following.clone().unwrap();
    let check = &following.sessions[7];
    assert_eq!(check.session.key, "1.0.8");
    assert!(check.by_probes, "the self-check is done by the probes");
    assert_eq!(check.done, Some(last_probe));
    assert!(
        h.query_by_label(&format!("done by the probes {last_probe}"))
            .is_some(),
        "the list says who did the self-check"
    );
    assert_eq!(following.next().unwrap().session.key, "2.0.1");
    assert!(
        h.query_by_label_contains("Next: stage 2, session 1 of 8")
            .is_some()
    );
    assert!(following.repeat_suggestions.is_empty());
    assert!(h.query_by_label_contains("Repeat stage").is_none());
    assert!(h.query_by_label_contains("8 of 16 done").is_some());

    h.state_mut().apply(Command::Show(Screen::Progress));
    h.run();
    assert!(h.query_by_label("Time in band per session").is_some());
    assert!(h.query_by_label("Retention per stage").is_some());
    assert!(
        h.query_by_label_contains("No session measured its time in band yet")
            .is_none()
    );
    assert_eq!(
        h.state().history.series.time_in_band.len(),
        3,
        "the three listened sessions, at 89 % of their measured time"
    );
    // The latest session is the one selected: its closed-loop coaching in a line.
    assert!(
        h.query_by_label_contains("Click when off · 89 % of the measured")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("900 clicks heard, 1500 silent")
            .is_some()
    );
    // And in its review.
    let id = h.state().history.sessions.last().unwrap().id.clone();
    h.state_mut().apply(Command::EditReview(id));
    h.run();
    assert_eq!(h.state().screen, Screen::Review);
    assert!(
        h.query_by_label_contains("Click when off · 89 % of the measured")
            .is_some()
    );
}

#[test]
fn probes_that_did_not_hold_the_band_suggest_repeating_the_stage_with_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (_plan, days) = plan_with_stage_one_probed(dir.path(), 150.0);
    let today = days.last().unwrap().tomorrow().unwrap();
    let mut h = app(dir.path(), today);
    h.state_mut().apply(Command::Show(Screen::Plan));
    h.run();
    assert!(
        h.query_by_label("Stage 1 probes: 50 % of the click-free time in band — repeat suggested")
            .is_some()
    );
    assert!(
        h.query_by_label_contains(
            "Stage 1's probes held the band for 50 % of the click-free time (80 % needed)."
        )
        .is_some()
    );
    let following = h.state().plan.following.clone().unwrap();
    assert!(!following.sessions[7].by_probes);
    assert_eq!(following.next().unwrap().session.key, "1.0.8");
    h.get_by_label("Repeat stage 1").click();
    h.run();
    let following = h.state().plan.following.clone().unwrap();
    assert_eq!(following.sessions.len(), 24, "stage 1 once more");
    assert!(
        following.repeat_suggestions.is_empty(),
        "the repeat is judged on its own probes"
    );
}
