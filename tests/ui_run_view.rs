//! The Run screen made for running, headless with egui_kittest: the digits stay on one line for
//! any tempo, the running view fits the laptop screens runners own in Normal and Large text,
//! nothing moves during a count-in, Space and the arrows work on every screen and never type
//! into a field for numbers, other screens show a strip while a session plays, and the taps
//! belong to the session they were tapped in.

mod support;

use std::path::Path;
use std::time::Duration;

use cadence_coach::audio::AudioEngine;
use cadence_coach::store::settings::TextSize;
use cadence_coach::ui::{CoachApp, Command, Screen};
use eframe::egui::{Key, Rect};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable};

/// 8 s at 165, a 20 s ramp from 172.5 to 178, then 40 s at 177.5 (over a minute in all, so
/// it is long enough for a review).
const RAMP: &str = r#"Workout(version: 1, name: "Ramp", segments: [
    (name: "Warm-up", seconds: 8, tempo: Steady(165)),
    (name: "Build", seconds: 20, tempo: Ramp(from: 172.5, to: 178)),
    (name: "Hold", seconds: 40, tempo: Steady(177.5)),
])"#;

fn app(dir: &Path, size: [f32; 2]) -> Harness<'static, CoachApp> {
    let settings = dir.join("settings.ron");
    let data = dir.join("data");
    Harness::builder()
        .with_size(size)
        .with_step_dt(0.05)
        .build_eframe(move |cc| {
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
        })
}

fn with_ramp(dir: &Path, size: [f32; 2]) -> Harness<'static, CoachApp> {
    let path = dir.join("ramp.ron");
    std::fs::write(&path, RAMP).unwrap();
    let mut h = app(dir, size);
    h.run();
    h.state_mut().apply(Command::LoadWorkout(path));
    h.run();
    h
}

fn advance(h: &mut Harness<'static, CoachApp>, by: Duration) {
    h.state().engine.advance(by);
    h.run();
}

/// Plays on past a minute, a second at a time: a session under a minute gets no review.
fn play_past_a_minute(h: &mut Harness<'static, CoachApp>) {
    for _ in 0..61 {
        advance(h, Duration::from_secs(1));
    }
}

/// The digits' node: the label a screen reader reads as "Cadence … spm".
fn digits(h: &Harness<'_, CoachApp>) -> (String, Rect) {
    let node = h
        .query_all(By::new().predicate(|n| {
            // A label's text is its accessible value.
            n.value()
                .is_some_and(|l| l.starts_with("Cadence ") && l.ends_with(" spm"))
        }))
        .next()
        .expect("the cadence digits");
    (format!("{node:?}"), node.rect())
}

#[test]
fn a_decimal_tempo_and_a_ramp_keep_the_digits_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = with_ramp(dir.path(), [1366.0, 768.0]);
    h.key_press(Key::Space);
    h.run();
    advance(&mut h, Duration::from_secs(2));
    let (steady, steady_rect) = digits(&h);
    assert!(steady.contains("Cadence 165 spm"), "{steady}");
    // Into the ramp: tempos with a decimal.
    advance(&mut h, Duration::from_secs(9));
    let (ramp, ramp_rect) = digits(&h);
    assert!(ramp.contains('.'), "a ramp tempo has a decimal: {ramp}");
    // One row of glyphs: the box is the height of one row, the same for both.
    assert_eq!(ramp_rect.height(), steady_rect.height());
    assert!(
        ramp_rect.height() <= 0.45 * 768.0,
        "the digits take one row of about 40 % of the height: {ramp_rect:?}"
    );
    assert!(
        ramp_rect.height() >= 120.0,
        "never under 120 px: {ramp_rect:?}"
    );
    // Centred between the lamps.
    let lamp = |h: &Harness<'_, CoachApp>, side: &str| {
        let prefix = format!("{side} step lamp");
        h.query_all(By::new().predicate(move |n| n.label().is_some_and(|l| l.starts_with(&prefix))))
            .next()
            .unwrap()
            .rect()
    };
    let (left, right) = (lamp(&h, "L"), lamp(&h, "R"));
    let middle = (left.center().x + right.center().x) / 2.0;
    assert!(
        (middle - ramp_rect.center().x).abs() <= 2.0,
        "digits at {} between lamps centred on {middle}",
        ramp_rect.center().x
    );
}

/// Every control of the running view, while a session plays.
const RUNNING: [&str; 7] = ["Stop", "−5", "−1", "+1", "+5", "Pin cue", "Next cue"];

#[test]
fn the_running_view_fits_1366_by_768_and_1280_by_720_in_normal_and_large_text() {
    for size in [[1366.0, 768.0], [1280.0, 720.0]] {
        for text in [TextSize::Normal, TextSize::Large] {
            let dir = tempfile::tempdir().unwrap();
            let mut h = with_ramp(dir.path(), size);
            let mut settings = h.state().settings.clone();
            settings.text_size = text;
            h.state_mut()
                .apply(Command::UpdateSettings(Box::new(settings)));
            h.run();
            h.key_press(Key::Space);
            h.run();
            advance(&mut h, Duration::from_secs(2));
            let screen = h.ctx.content_rect();
            let mut rects: Vec<(String, Rect)> = RUNNING
                .iter()
                .map(|name| (name.to_string(), h.get_by_label(name).rect()))
                .collect();
            rects.push(("digits".into(), digits(&h).1));
            for (name, rect) in rects {
                assert!(
                    screen.contains_rect(rect),
                    "{name} at {rect:?} is outside the {size:?} window ({screen:?}) in {text:?} text"
                );
            }
            // The cue card's text is in view too.
            let cue = h.get_by_label("Pin cue").rect();
            assert!(cue.bottom() <= screen.bottom());
        }
    }
}

#[test]
fn stop_does_not_move_before_during_or_after_a_count_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = with_ramp(dir.path(), [1366.0, 768.0]);
    h.key_press(Key::Space);
    h.run();
    advance(&mut h, Duration::from_secs(3));
    let before = h.get_by_label("Stop").rect();
    // The count-in: the last four steps before 8 s (165 spm: a step in 364 ms).
    let mut during = None;
    for _ in 0..40 {
        advance(&mut h, Duration::from_millis(130));
        if h.query_by_label_contains("Change to 172.5 spm in")
            .is_some()
        {
            during = Some(h.get_by_label("Stop").rect());
            break;
        }
    }
    let during = during.expect("a count-in was shown");
    advance(&mut h, Duration::from_secs(3));
    assert!(h.query_by_label_contains("Change to").is_none());
    let after = h.get_by_label("Stop").rect();
    assert_eq!(before, during, "Stop moved when the count-in came");
    assert_eq!(during, after, "Stop moved when the count-in went");
}

#[test]
fn space_and_up_work_on_every_screen_and_a_playing_session_keeps_a_strip() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path(), [1366.0, 768.0]);
    h.run();
    for screen in [
        Screen::Plan,
        Screen::Progress,
        Screen::Form,
        Screen::Settings,
    ] {
        h.state_mut().apply(Command::Show(screen));
        h.run();
        let target = h.state().settings.target.get();
        h.key_press(Key::ArrowUp);
        h.run();
        assert_eq!(
            h.state().settings.target.get(),
            target + 1.0,
            "Up on {screen:?}"
        );
        h.key_press(Key::Space);
        h.run();
        assert!(h.state().playing, "Space starts on {screen:?}");
        assert_eq!(h.state().screen, screen, "the screen stays");
        advance(&mut h, Duration::from_secs(2));
        // The strip: tempo, time and Stop.
        assert!(
            h.query_by_label_contains(&format!("{} spm", target + 1.0))
                .is_some(),
            "the tempo in the strip on {screen:?}"
        );
        assert!(h.query_by_label_contains("Elapsed 0:0").is_some());
        h.get_by_label("Stop").click();
        h.run();
        assert!(!h.state().playing, "Stop in the strip on {screen:?}");
        h.state_mut().apply(Command::SkipReview);
        h.run();
    }
}

#[test]
fn space_and_up_are_not_typed_into_a_field_for_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path(), [1366.0, 768.0]);
    h.run();
    h.get_by_label("Treadmill speed").click();
    h.run();
    h.get_by_label("Treadmill speed").type_text("10.5");
    h.run();
    let target = h.state().settings.target.get();
    h.key_press(Key::Space);
    h.run();
    assert!(h.state().playing, "Space starts from the speed field");
    assert_eq!(h.state().run.view.speed_text, "10.5", "no space typed");
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(h.state().settings.target.get(), target + 1.0);
    assert_eq!(h.state().run.view.speed_text, "10.5");
    play_past_a_minute(&mut h);
    h.key_press(Key::Space);
    h.run();
    assert!(!h.state().playing);
    // A field for words keeps its Space: the review's notes.
    h.get_by_label("Notes").click();
    h.run();
    h.get_by_label("Notes").type_text("easy run");
    h.run();
    h.key_press(Key::Space);
    h.run();
    assert!(!h.state().playing, "Space in the notes is a space");
}

#[test]
fn taps_belong_to_the_session_they_were_tapped_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path(), [1366.0, 768.0]);
    h.run();
    for _ in 0..6 {
        h.key_press(Key::T);
        h.run_steps(7);
    }
    assert!(h.state().run.taps.estimate().is_some(), "taps before a run");
    h.key_press(Key::Space);
    h.run();
    assert_eq!(h.state().run.taps.taps(), 0, "cleared at the start");
    play_past_a_minute(&mut h);
    h.key_press(Key::Space);
    h.run();
    let review = h.state().review.as_ref().expect("the review");
    assert_eq!(review.measured, "", "no taps, no measured cadence");
}

#[test]
fn after_a_session_its_summary_comes_before_the_review_fields() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = with_ramp(dir.path(), [1366.0, 768.0]);
    h.key_press(Key::Space);
    h.run();
    for _ in 0..70 {
        advance(&mut h, Duration::from_secs(1));
    }
    assert_eq!(h.state().screen, Screen::Review);
    let review = h.state().review.as_ref().unwrap();
    let record = h.state().history.sessions.last().unwrap().clone();
    assert_eq!(
        review.summary[0],
        format!(
            "{}:{:02} · {} steps · clicks at {:.1} spm on average",
            record.duration_secs as u64 / 60,
            record.duration_secs as u64 % 60,
            record.steps,
            record.average_spm().unwrap()
        )
    );
    assert_eq!(
        review.summary[1],
        "No cadence measured (tap T while running)"
    );
    assert_eq!(
        review.summary[2],
        "Warm-up 0:08 at 165 spm · Build 0:20 at 172.5–178 spm · Hold 0:40 at 177.5 spm"
    );
    assert_eq!(review.summary[3], "Not a session of the plan");
    // Shown above the fields.
    let first = h.get_by_label(&review.summary[0]).rect();
    let field = h.get_by_label("Measured cadence (spm)").rect();
    assert!(first.bottom() <= field.top());
}

#[test]
fn a_new_plan_starts_from_the_recent_measured_cadence() {
    use cadence_coach::cadence::session::{Ending, Review, SessionRecord};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    for (i, spm) in [160.0, 168.0, 170.0, 169.5, 171.0, 169.0]
        .into_iter()
        .enumerate()
    {
        let started = first + jiff::SignedDuration::from_hours(48 * i as i64);
        let id = format!("{}-000{i}", started.strftime("%Y%m%dT%H%M%SZ"));
        let mut r = SessionRecord::new(&id, started, "Steady 170 spm", 170.0);
        r.duration_secs = 1200.0;
        r.ending = Ending::Finished;
        r.review = Some(Review {
            measured_spm: Some(spm),
            ..Review::default()
        });
        cadence_coach::store::sessions::save_session(&data, &r).unwrap();
    }
    let mut h = app(dir.path(), [1366.0, 768.0]);
    h.run();
    h.state_mut().apply(Command::Show(Screen::Plan));
    h.run();
    // The last five: 168, 170, 169.5, 171, 169 → 169.5; the target 5 % over it.
    let form = h.state().plan.form.as_ref().unwrap();
    assert_eq!(form.baseline, "169.5");
    assert_eq!(form.target, "177.5");
    assert!(
        h.query_by_label_contains("Your recent cadence: 169.5 spm, the middle of the 5 sessions")
            .is_some()
    );
}
