//! The planner's tests: making a plan (stages, dates, minutes, feedback, refused inputs) and
//! following it (missed days, self-checks), and the rules every plan keeps, both halves at once.

use std::collections::BTreeMap;

use jiff::civil::Date;
use proptest::prelude::*;

use super::dates::week;
use super::*;
use crate::cadence::Spm;
use crate::cadence::workout::Click;

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
        retention: None,
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
            retention: None,
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

/// Session `key` done on day `n` of the plan, its probes `in_band_s` of 300 s without the
/// click in the band and `measured_s` of them measured.
fn probed(plan: &Plan, key: &str, n: i64, measured_s: f64, in_band_s: f64) -> DoneSession {
    DoneSession {
        key: key.into(),
        day: plan
            .inputs
            .start
            .checked_add(jiff::Span::new().days(n))
            .unwrap(),
        measured: None,
        retention: Some(crate::cadence::closed_loop::Retention {
            silent_s: 300.0,
            measured_s,
            in_band_s,
        }),
    }
}

#[test]
fn probes_that_held_the_band_do_the_self_check_and_the_plan_moves_on() {
    use crate::cadence::closed_loop::Verdict;
    let plan = Plan::new("p", inputs(160.0, 172.0)).unwrap();
    // Stage 1's faded sessions (5 to 7), 250 and 260 of each 300 s in the band: 85.6 %.
    let done: Vec<DoneSession> = (1..=4)
        .map(|n| DoneSession {
            retention: None,
            ..probed(&plan, &format!("1.0.{n}"), 2 * n, 0.0, 0.0)
        })
        .chain([
            probed(&plan, "1.0.5", 10, 290.0, 250.0),
            probed(&plan, "1.0.6", 12, 290.0, 260.0),
            probed(&plan, "1.0.7", 14, 290.0, 260.0),
        ])
        .collect();
    let today = plan
        .inputs
        .start
        .checked_add(jiff::Span::new().days(15))
        .unwrap();
    let f = follow(&plan, &done, today);
    let stage = f.retention_of(1).expect("stage 1 was probed");
    assert_eq!(stage.verdict, Verdict::Learned);
    assert_eq!(stage.retention.silent_s, 900.0);
    assert_eq!(stage.retention.in_band_s, 770.0);
    assert_eq!(
        stage.describe(),
        "probes: 86 % of the click-free time in band — learned"
    );
    let check = &f.sessions[7];
    assert!(check.by_probes);
    assert_eq!(
        check.done,
        Some(done[6].day),
        "on the day of the last probe"
    );
    assert_eq!(f.next().unwrap().session.key, "2.0.1");
    assert!(f.next().unwrap().date >= today);
    assert!(f.repeat_suggestions.is_empty());
    // A self-check run and tapped 5 % off changes nothing: the probes decide.
    let mut missed = done.clone();
    missed.push(DoneSession {
        measured: Some(160.0),
        retention: None,
        ..probed(&plan, "1.0.8", 15, 0.0, 0.0)
    });
    let f = follow(&plan, &missed, today);
    assert!(!f.sessions[7].by_probes, "run, not done by the probes");
    assert!(f.repeat_suggestions.is_empty());
    assert_eq!(f.next().unwrap().session.key, "2.0.1");
}

#[test]
fn probes_that_did_not_hold_the_band_suggest_a_repeat_with_their_numbers() {
    let mut plan = Plan::new("p", inputs(160.0, 172.0)).unwrap();
    let done = [
        probed(&plan, "2.0.5", 20, 280.0, 150.0),
        probed(&plan, "2.0.6", 22, 280.0, 174.0),
    ];
    let f = follow(&plan, &done, plan.inputs.start);
    assert_eq!(f.repeat_suggestions.len(), 1);
    let (stage, text) = &f.repeat_suggestions[0];
    assert_eq!(*stage, 2);
    assert!(
        text.starts_with(
            "Stage 2's probes held the band for 54 % of the click-free time (80 % needed). Repeating"
        ),
        "{text}"
    );
    assert!(!f.sessions[15].by_probes);
    assert!(f.sessions[15].done.is_none());
    // A self-check that passed does not overrule them.
    let mut passed = done.to_vec();
    passed.push(DoneSession {
        measured: Some(172.0),
        retention: None,
        ..probed(&plan, "2.0.8", 24, 0.0, 0.0)
    });
    let f = follow(&plan, &passed, plan.inputs.start);
    assert_eq!(f.repeat_suggestions.len(), 1);
    let text = &f.repeat_suggestions[0].1;
    assert!(text.contains("probes held the band for 54 %"), "{text}");
    assert!(
        text.contains("Its self-check measured 172.0 spm (+0.0 %)."),
        "{text}"
    );
    // Once repeated, the new copy has no probes yet: no suggestion until it does.
    plan.repeats.push(2);
    let f = follow(&plan, &passed, plan.inputs.start);
    assert!(f.repeat_suggestions.is_empty());
    assert!(f.retention_of(2).is_none());
}

#[test]
fn probes_that_measured_too_little_leave_the_self_check_to_decide() {
    use crate::cadence::closed_loop::Verdict;
    let plan = Plan::new("p", inputs(160.0, 168.0)).unwrap();
    // 100 of 300 s measured, all in the band: a third, too little to say.
    let mut done = vec![probed(&plan, "1.0.5", 8, 100.0, 100.0)];
    let f = follow(&plan, &done, plan.inputs.start);
    assert_eq!(f.retention_of(1).unwrap().verdict, Verdict::NotMeasured);
    assert!(f.repeat_suggestions.is_empty());
    assert!(!f.sessions[7].by_probes && f.sessions[7].done.is_none());
    // The self-check 3.6 % off suggests the repeat, as it did without probes.
    done.push(DoneSession {
        measured: Some(162.0),
        retention: None,
        ..probed(&plan, "1.0.8", 10, 0.0, 0.0)
    });
    let f = follow(&plan, &done, plan.inputs.start);
    assert_eq!(f.repeat_suggestions.len(), 1);
    assert!(
        f.repeat_suggestions[0]
            .1
            .contains("self-check measured 162.0 spm")
    );
}

#[test]
fn sessions_without_probes_follow_as_before() {
    let plan = Plan::new("p", inputs(160.0, 172.0)).unwrap();
    // A click session's probes (it has no click-free blocks by plan) do not count.
    let done = [
        probed(&plan, "1.0.1", 0, 300.0, 300.0),
        DoneSession {
            retention: None,
            ..probed(&plan, "1.0.5", 2, 0.0, 0.0)
        },
    ];
    let f = follow(&plan, &done, plan.inputs.start);
    assert!(f.stage_retention.is_empty());
    assert!(f.sessions.iter().all(|s| !s.by_probes));
    assert_eq!(f.done_count(), 2);
    assert_eq!(f.next().unwrap().session.key, "1.0.2");
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
