//! The Plan screen, headless with egui_kittest: make a plan, start today's session from it,
//! finish it, see it counted on the plan and its plot; skip three days and see the dates move;
//! a bad hand edit of the plan file is reported and the app goes on.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cadence_coach::audio::AudioEngine;
use cadence_coach::cadence::session::Ending;
use cadence_coach::store::sessions::load_sessions;
use cadence_coach::ui::{CoachApp, Command, Screen};
use eframe::egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::civil::Date;
use support::ui::replace_text;

/// A fixed Monday, for tests that record nothing.
const START: Date = Date::constant(2026, 11, 23);

/// `d` plus `n` days, as text.
fn plus(d: Date, n: i64) -> String {
    d.checked_add(jiff::Span::new().days(n))
        .unwrap()
        .to_string()
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

fn data(dir: &Path) -> PathBuf {
    dir.join("data")
}

fn dates(h: &Harness<'_, CoachApp>) -> Vec<String> {
    h.state().plan.following.as_ref().unwrap().sessions[..4]
        .iter()
        .map(|s| s.date.to_string())
        .collect()
}

#[test]
fn make_a_plan_run_todays_session_and_see_it_counted_then_skip_three_days() {
    let dir = tempfile::tempdir().unwrap();
    // The session's record carries the real clock's date, so the plan starts on the real today.
    let today = jiff::Zoned::now().date();
    let mut h = app(dir.path(), today);
    h.get_by_label("Plan").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Plan);
    replace_text(&mut h, "Baseline (spm)", "160");
    replace_text(&mut h, "Target (spm)", "168");
    assert!(
        h.query_all_by_label_contains("Heiderscheit et al. 2011")
            .count()
            >= 2,
        "reasons cite the sources"
    );
    assert_eq!(
        h.query_all_by_label_contains("(moderate evidence.)")
            .count(),
        6,
        "every reason that makes a claim gives its evidence level"
    );
    h.get_by_label("Make plan").click();
    h.run();
    let plan = h.state().plan.plan.clone().expect("a plan was made");
    assert_eq!(plan.inputs.start, today, "it starts today");
    assert_eq!(plan.sessions().len(), 8);
    assert_eq!(
        std::fs::read_dir(data(dir.path()).join("plans"))
            .unwrap()
            .count(),
        1
    );
    assert!(h.query_by_label_contains("0 of 8 done").is_some());
    // Every other day (a fourth in one week would wait for the next Monday).
    assert_eq!(
        dates(&h)[..3],
        [plus(today, 0), plus(today, 2), plus(today, 4)]
    );

    // Today's session: 15 minutes, warm-up at 160, 9 minutes at 168 with the click, cool-down.
    h.get_by_label("Start today's session").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Run);
    assert!(
        h.query_by_label_contains("Loaded 'Plan stage 1, session 1")
            .is_some()
    );
    h.key_press(Key::Space);
    h.run();
    for _ in 0..(15 * 12 + 2) {
        h.state().engine.advance(Duration::from_secs(5));
        h.run();
    }
    assert!(!h.state().playing, "the planned workout ran to its end");
    assert_eq!(h.state().screen, Screen::Review);
    h.get_by_label("Save review").click();
    h.run();
    // The Run screen does not keep the planned session: the plan offers the next one.
    assert!(h.state().run.loaded.is_none());
    assert!(h.state().run.plan_link.is_none());
    let (saved, _) = load_sessions(&data(dir.path()));
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].ending, Ending::Finished);
    assert_eq!(saved[0].target_spm, 168.0);
    let link = saved[0]
        .plan
        .as_ref()
        .expect("the session names its planned session");
    assert_eq!(
        (link.plan_id.as_str(), link.key.as_str()),
        (plan.id.as_str(), "1.0.1")
    );

    // Counted on the plan and drawn on its plot.
    h.get_by_label("Plan").click();
    h.run();
    assert!(h.query_by_label_contains("1 of 8 done").is_some());
    let following = h.state().plan.following.clone().unwrap();
    assert_eq!(following.done_count(), 1);
    assert_eq!(following.sessions[0].done, Some(today));
    assert_eq!(following.next().unwrap().session.key, "1.0.2");
    assert!(
        h.query_by_label_contains(&format!("done {today}"))
            .is_some()
    );

    // Three days pass with no running: the next session is today, and the rest move on
    // instead of being crammed into the week.
    // Session 2 was due on day 2; it is now day 5.
    let later = today.checked_add(jiff::Span::new().days(5)).unwrap();
    h.state_mut().set_today(later);
    h.state_mut().apply(Command::Show(Screen::Plan));
    h.run();
    let following = h.state().plan.following.clone().unwrap();
    let next = following.next().unwrap();
    assert_eq!(next.session.key, "1.0.2");
    assert_eq!(next.date, later, "the missed session is today");
    let moved = &following.sessions[1..];
    for pair in moved.windows(2) {
        let gap = pair[1].date.since(pair[0].date).unwrap().get_days();
        assert!(
            gap >= 2,
            "not crammed: {} then {}",
            pair[0].date,
            pair[1].date
        );
    }
    let mut per_week = std::collections::BTreeMap::new();
    for s in &following.sessions {
        let w = s.date.iso_week_date();
        *per_week.entry((w.year(), w.week())).or_insert(0) += 1;
    }
    assert!(per_week.values().all(|&n| n <= 3), "{per_week:?}");
    assert!(
        h.query_by_label_contains(&format!("moved from {}", plus(today, 2)))
            .is_some()
    );
}

#[test]
fn a_refused_input_is_named_and_a_bad_hand_edit_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path(), START);
    h.get_by_label("Plan").click();
    h.run();
    replace_text(&mut h, "Baseline (spm)", "160");
    replace_text(&mut h, "Target (spm)", "185");
    h.get_by_label("Make plan").click();
    h.run();
    assert!(h.state().plan.plan.is_none());
    assert!(
        h.query_by_label_contains(
            "15.6 % over the baseline 160 spm; more than +10 % needs the override"
        )
        .is_some()
    );
    replace_text(&mut h, "Target (spm)", "170");
    h.get_by_label("Make plan").click();
    h.run();
    assert!(h.state().plan.plan.is_some());
    drop(h);

    let plans = data(dir.path()).join("plans");
    let file = std::fs::read_dir(&plans)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("per_week: 3", "per_week: lots")).unwrap();
    let mut h = app(dir.path(), START);
    h.get_by_label("Plan").click();
    h.run();
    assert!(h.state().plan.plan.is_none());
    assert!(h.query_by_label_contains("does not read at line").is_some());
    assert!(file.exists(), "the runner's file is left to fix");
    // A hand edit that reads is followed.
    std::fs::write(&file, text.replace("per_week: 3", "per_week: 2")).unwrap();
    drop(h);
    let h = app(dir.path(), START);
    assert_eq!(h.state().plan.plan.as_ref().unwrap().inputs.per_week, 2);
}

#[test]
fn a_window_open_past_midnight_starts_a_new_plan_on_the_new_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path(), START);
    h.state_mut().apply(Command::Show(Screen::Plan));
    h.run();
    let start = |h: &Harness<'_, CoachApp>| h.state().plan.form.as_ref().unwrap().start.clone();
    assert_eq!(start(&h), START.to_string());
    // Midnight passes with the window open.
    h.state_mut().set_today(START.tomorrow().unwrap());
    h.run();
    assert_eq!(
        start(&h),
        plus(START, 1),
        "the new plan starts today, not yesterday"
    );
    // A start the runner typed stays.
    h.state_mut().plan.form.as_mut().unwrap().start = plus(START, 10);
    h.state_mut().set_today(plus(START, 2).parse().unwrap());
    h.run();
    assert_eq!(start(&h), plus(START, 10));
}

/// Makes a plan from 160 to 168 spm starting on `start` (typed into the form, as a runner does).
fn make_plan(h: &mut Harness<'static, CoachApp>, start: Date) {
    h.get_by_label("Plan").click();
    h.run();
    replace_text(h, "Baseline (spm)", "160");
    replace_text(h, "Target (spm)", "168");
    replace_text(h, "Start date", &start.to_string());
    h.get_by_label("Make plan").click();
    h.run();
    assert!(h.state().plan.plan.is_some(), "a plan was made");
}

#[test]
fn the_plan_keeps_its_reasons_in_view_and_a_key_says_what_each_session_asks() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path(), START);
    make_plan(&mut h, START);
    // The form for a new plan is folded away, yet the reasons behind this plan stay in view.
    assert!(
        h.query_by_label("Baseline (spm)").is_none(),
        "the form is folded"
    );
    assert!(h.query_by_label("Why these numbers").is_some());
    assert!(
        h.query_all_by_label_contains("Heiderscheit et al. 2011")
            .count()
            >= 2,
        "the reasons cite their sources"
    );
    assert_eq!(
        h.query_all_by_label_contains("(moderate evidence.)")
            .count(),
        6,
        "every reason that makes a claim gives its evidence level"
    );
    // Each beside this plan's own value.
    assert!(h.query_by_label("168 spm (+5.0 %)").is_some());
    assert!(h.query_by_label("15 to 30 min").is_some());
    // The summary counts right.
    assert!(
        h.query_by_label_contains("1 stage of 8 sessions, 3 a week")
            .is_some()
    );
    // The key under the list, in plain words, one line for each kind of session.
    for (word, meaning) in [
        ("click: ", "the click plays through the main part"),
        ("faded: ", "the click comes and goes (60 s on, 30 s off)"),
        (
            "self-check: ",
            "no click in the main part: hold the stage's cadence",
        ),
    ] {
        let word = h.get_by_label(word).rect();
        let meaning = h.get_by_label_contains(meaning).rect();
        assert!(
            (word.center().y - meaning.top()).abs() < 20.0,
            "the meaning of {word:?} is beside it"
        );
    }
    assert!(
        h.query_by_label_contains("More than 3 % off suggests repeating")
            .is_some()
    );
    // The key comes after the list.
    let last_row = h.get_by_label("Sessions").rect();
    assert!(last_row.bottom() < h.get_by_label("faded: ").rect().top());
}

#[test]
fn the_start_button_names_todays_session_or_the_day_of_one_run_early() {
    let dir = tempfile::tempdir().unwrap();
    // The plan starts on Friday; it is Wednesday.
    let friday = START.checked_add(jiff::Span::new().days(4)).unwrap();
    let wednesday = START.checked_add(jiff::Span::new().days(2)).unwrap();
    let mut h = app(dir.path(), wednesday);
    make_plan(&mut h, friday);
    assert!(
        h.query_by_label("Start today's session").is_none(),
        "nothing is due today"
    );
    let early = "Start Friday's session now (2 days early)";
    h.get_by_label(early).hover();
    h.run_steps(20);
    assert!(
        h.query_by_label_contains(&format!(
            "The next session is planned for Friday {friday}. Load it into the Run screen now"
        ))
        .is_some(),
        "the hover text says when it was planned"
    );
    // Thursday: one day early.
    h.state_mut()
        .set_today(wednesday.checked_add(jiff::Span::new().days(1)).unwrap());
    h.run();
    assert!(
        h.query_by_label("Start Friday's session now (1 day early)")
            .is_some()
    );
    // On Friday it is today's.
    h.state_mut().set_today(friday);
    h.run();
    assert!(h.query_by_label_contains("Start Friday's").is_none());
    h.get_by_label("Start today's session").click();
    h.run();
    assert_eq!(h.state().screen, Screen::Run);
    assert!(
        h.query_by_label_contains("Loaded 'Plan stage 1, session 1")
            .is_some()
    );
}

#[test]
fn done_sessions_are_drawn_at_their_measured_cadence_or_hollow_when_nothing_was_measured() {
    use cadence_coach::cadence::session::{IdSuffix, PlanLink, Review, SessionRecord, session_id};
    use cadence_coach::store::sessions::save_session;
    use eframe::egui::{Color32, Shape};
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path(), START);
    make_plan(&mut h, START);
    let plan = h.state().plan.plan.clone().unwrap();
    drop(h);
    // Sessions 1 and 2 of the plan done: the first measured at 165 spm, the second not.
    let tz = jiff::tz::TimeZone::system();
    for (n, measured) in [(0i64, Some(165.0)), (2, None)] {
        let day = START.checked_add(jiff::Span::new().days(n)).unwrap();
        let started = day.at(7, 0, 0, 0).to_zoned(tz.clone()).unwrap().timestamp();
        let id = session_id(started, IdSuffix::Played(n as u16));
        let mut s = SessionRecord::new(&id, started, "Plan", 168.0);
        s.duration_secs = 900.0;
        s.steps = 2520;
        s.ending = Ending::Finished;
        s.plan = Some(PlanLink {
            plan_id: plan.id.clone(),
            key: format!("1.0.{}", n / 2 + 1),
        });
        s.review = Some(Review {
            measured_spm: measured,
            ..Review::default()
        });
        save_session(&data(dir.path()), &s).unwrap();
    }
    let today = START.checked_add(jiff::Span::new().days(3)).unwrap();
    let mut h = app(dir.path(), today);
    h.get_by_label("Plan").click();
    h.run();
    assert!(h.query_by_label_contains("2 of 8 done").is_some());
    assert!(h.query_by_label("Done, cadence measured").is_some());
    assert!(
        h.query_by_label("Done, not measured (at the planned tempo)")
            .is_some()
    );
    // The dots as painted: one filled, one only a ring, both in the measured colour.
    let measured_colour = Color32::from_rgb(235, 120, 20);
    let mut filled = Vec::new();
    let mut hollow = Vec::new();
    fn walk(shape: &Shape, out: &mut Vec<eframe::epaint::CircleShape>) {
        match shape {
            Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            Shape::Circle(c) => out.push(*c),
            _ => {}
        }
    }
    let mut circles = Vec::new();
    for clipped in &h.output().shapes {
        walk(&clipped.shape, &mut circles);
    }
    for c in circles.iter().filter(|c| (c.radius - 5.0).abs() < 0.01) {
        if c.fill == measured_colour {
            filled.push(c.center);
        } else if c.fill == Color32::TRANSPARENT && c.stroke.color == measured_colour {
            hollow.push(c.center);
        }
    }
    assert_eq!(
        hollow.len(),
        1,
        "the unmeasured session is a ring: {circles:?}"
    );
    // The filled dot of the plot (the legend may draw its own marks, to the left).
    let dot = filled
        .iter()
        .copied()
        .max_by(|a, b| a.x.total_cmp(&b.x))
        .expect("a filled dot");
    assert!(dot.x < hollow[0].x, "the measured session came first");
    // 165 measured sits below the 168 planned that the hollow dot marks.
    assert!(
        dot.y > hollow[0].y + 5.0,
        "the measured dot is at 165 spm, below 168: {dot:?} vs {:?}",
        hollow[0]
    );
}
