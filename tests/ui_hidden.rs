//! The window hidden (minimized, occluded, on another workspace): eframe then calls only
//! `App::logic`, never `App::ui`. Headless with egui_kittest: a session is started in a shown
//! window, then the app is driven by `logic` alone with its viewport marked minimized, and the
//! session must be saved, the workout end and its review open — the same record a shown window
//! makes — while the app wakes only when something is due, not on every step.

mod support;

use std::path::Path;
use std::time::Duration;

use cadence_coach::audio::AudioEngine;
use cadence_coach::cadence::session::{Ending, SessionRecord};
use cadence_coach::store::sessions::load_sessions;
use cadence_coach::ui::{CoachApp, Command, Screen};
use eframe::egui::{Key, ViewportId};
use egui_kittest::Harness;
use support::{RefSegment, reference_beats};

/// 20 s at 160, 40 s at 170 and 20 s at 165 spm: 80 s with two tempo changes.
const WORKOUT: &str = r#"Workout(
    version: 1,
    name: "Hidden test",
    segments: [
        (name: "Warm-up", seconds: 20, tempo: Steady(160)),
        (name: "Main", seconds: 40, tempo: Steady(170)),
        (name: "Cool-down", seconds: 20, tempo: Steady(165)),
    ],
)"#;

fn reference() -> Vec<(u64, bool, usize)> {
    let seg = |secs: f64, spm: f64| RefSegment {
        secs,
        from_spm: spm,
        to_spm: spm,
        audible: true,
    };
    reference_beats(
        &[seg(20.0, 160.0), seg(40.0, 170.0), seg(20.0, 165.0)],
        48_000,
    )
}

/// A shown window with the workout loaded and started by Space.
fn started(dir: &Path) -> Harness<'static, CoachApp> {
    let settings = dir.join("settings.ron");
    let data = dir.join("data");
    let workout = dir.join("hidden.ron");
    std::fs::write(&workout, WORKOUT).unwrap();
    let mut h = Harness::builder()
        .with_size([1100.0, 780.0])
        .with_step_dt(0.05)
        .build_eframe(move |cc| {
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
        });
    h.state_mut().apply(Command::LoadWorkout(workout));
    h.run();
    h.key_press(Key::Space);
    h.run();
    assert!(h.state().playing, "Space started the workout");
    h
}

/// The app from `shown`, from now on driven the way eframe drives a hidden window: `logic`
/// only (no egui pass, no drawing), with the viewport minimized.
fn hide(shown: Harness<'static, CoachApp>) -> Harness<'static, CoachApp> {
    let app = shown.into_state();
    let mut h = Harness::builder()
        .with_size([1100.0, 780.0])
        .build_ui_state(|ui, app: &mut CoachApp| app.tick(ui.ctx()), app);
    h.input_mut()
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .minimized = Some(true);
    h
}

fn saved(dir: &Path) -> SessionRecord {
    let (sessions, damaged) = load_sessions(&dir.join("data"));
    assert!(damaged.is_empty(), "no damaged files: {damaged:?}");
    assert_eq!(sessions.len(), 1, "one session file");
    sessions.into_iter().next().unwrap()
}

/// Moves the offline clock on by `secs` seconds, one second at a time, letting the app look
/// after each (`step`: one pass, as one wake-up of eframe would be).
fn play(h: &mut Harness<'static, CoachApp>, secs: u64, step: fn(&mut Harness<'static, CoachApp>)) {
    for _ in 0..secs {
        h.state().engine.advance(Duration::from_secs(1));
        step(h);
    }
}

#[test]
fn hidden_the_session_is_saved_the_workout_ends_and_the_review_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = started(dir.path());
    // Shown, the app looks again at the next step (the lamp): 160 spm is a step in 375 ms.
    h.state().engine.advance(Duration::from_millis(500));
    h.run();
    let shown_wake = h.state().next_wake().expect("a wake-up while playing");
    assert!(
        shown_wake <= Duration::from_millis(400),
        "shown, the next wake-up is the next step: {shown_wake:?}"
    );

    let mut h = hide(h);
    play(&mut h, 55, |h| h.step());
    // At 55.5 s: saved when the main segment began (20.5 s) and 30 s after that, so at least
    // 50 s of steps are on disk, split at the segment edge.
    let record = saved(dir.path());
    assert_eq!(record.ending, Ending::InProgress);
    assert!(
        record.duration_secs >= 50.0,
        "{} s saved after 55 s hidden",
        record.duration_secs
    );
    let beats = reference();
    let heard = |secs: f64| {
        beats
            .iter()
            .filter(|b| b.0 as f64 / 48_000.0 <= secs)
            .count() as u64
    };
    assert!(
        record.steps >= heard(50.0),
        "{} steps saved, {} heard by 50 s",
        record.steps,
        heard(50.0)
    );
    assert_eq!(record.segments.len(), 2, "warm-up and main so far");
    assert_eq!(record.segments[1].name, "Main");
    let first_main = beats.iter().position(|b| b.2 == 1).unwrap() as u64;
    assert_eq!(record.segments[0].last_step, first_main - 1);
    assert_eq!(record.segments[1].first_step, first_main);

    // Hidden, the app sleeps until something is due (here: the cool-down's first step at
    // 60 s), not for a step.
    let wake = h.state().next_wake().expect("a wake-up while playing");
    assert!(
        wake >= Duration::from_secs(4) && wake <= Duration::from_millis(4_900),
        "hidden at 55.5 s, the next wake-up is the cool-down at 60 s, not the next step: {wake:?}"
    );

    play(&mut h, 30, |h| h.step());
    assert!(!h.state().playing, "the workout ended while hidden");
    assert_eq!(h.state().screen, Screen::Review, "its review is open");
    let review = h.state().review.as_ref().expect("a review draft");
    let record = saved(dir.path());
    assert_eq!(review.id, record.id);
    assert_eq!(record.ending, Ending::Finished);
    assert_eq!(
        record.steps,
        beats.len() as u64,
        "every step of the workout"
    );
    assert_eq!(
        record
            .segments
            .iter()
            .map(|s| (s.name.as_str(), s.steps()))
            .collect::<Vec<_>>(),
        ["Warm-up", "Main", "Cool-down"]
            .iter()
            .enumerate()
            .map(|(i, &name)| (name, beats.iter().filter(|b| b.2 == i).count() as u64))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_hidden_session_is_recorded_exactly_as_a_shown_one() {
    let record_of = |hidden: bool| -> SessionRecord {
        let dir = tempfile::tempdir().unwrap();
        let mut h = started(dir.path());
        if hidden {
            let mut h = hide(h);
            play(&mut h, 85, |h| h.step());
            assert_eq!(h.state().screen, Screen::Review);
        } else {
            play(&mut h, 85, |h| {
                h.run();
            });
            assert_eq!(h.state().screen, Screen::Review);
        }
        saved(dir.path())
    };
    let shown = record_of(false);
    let hidden = record_of(true);
    assert_eq!(hidden.steps, shown.steps);
    assert_eq!(hidden.segments, shown.segments);
    assert_eq!(hidden.duration_secs, shown.duration_secs);
    assert_eq!(hidden.ending, shown.ending);
}
