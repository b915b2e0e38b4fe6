//! ± during a workout: the rest of the workout moves by that much from the next step, the Run
//! screen says by how much, the record names the shifted parts and every step lands where the
//! shifted grid puts it; the saved target is left alone. Headless with egui_kittest and the
//! offline audio engine, whose clock the test moves on.

mod support;

use std::time::Duration;

use cadence_coach::audio::AudioEngine;
use cadence_coach::cadence::BeatCursor;
use cadence_coach::cadence::session::Ending;
use cadence_coach::store::load_workout;
use cadence_coach::store::sessions::load_sessions;
use cadence_coach::ui::{CoachApp, Command, Screen};
use eframe::egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// 20 s at 160, 40 s at 170 and 20 s at 165 spm.
const WORKOUT: &str = r#"Workout(
    version: 1,
    name: "Shift test",
    segments: [
        (name: "Warm-up", seconds: 20, tempo: Steady(160)),
        (name: "Main", seconds: 40, tempo: Steady(170)),
        (name: "Cool-down", seconds: 20, tempo: Steady(165)),
    ],
)"#;

fn advance(h: &mut Harness<'static, CoachApp>, secs: u64) {
    for _ in 0..secs * 4 {
        h.state().engine.advance(Duration::from_millis(250));
        h.run();
    }
}

#[test]
fn plus_and_minus_during_a_workout_shift_the_rest_of_it_and_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.ron");
    let data = dir.path().join("data");
    let file = dir.path().join("shift.ron");
    std::fs::write(&file, WORKOUT).unwrap();
    let mut h = Harness::builder()
        .with_size([1366.0, 768.0])
        .with_step_dt(0.05)
        .build_eframe(move |cc| {
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
        });
    h.state_mut().apply(Command::LoadWorkout(file.clone()));
    h.run();
    let target = h.state().settings.target;
    h.key_press(Key::Space);
    h.run();
    assert!(h.state().playing);

    // In the main segment: Up, Up → +2 spm for the rest.
    advance(&mut h, 25);
    h.key_press(Key::ArrowUp);
    h.run();
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(
        h.state().settings.target,
        target,
        "the saved target is left alone"
    );
    assert!(
        h.query_all_by_label_contains("+2 spm").next().is_some(),
        "the Run screen says the workout is shifted"
    );
    advance(&mut h, 5);
    let asked = h.state().asked_spm();
    assert_eq!(asked, 172.0, "the main segment now plays at 172");
    assert!(
        h.query_by_label("Cadence 172 spm").is_some(),
        "the digits show 172"
    );

    // Down once in the cool-down: +1.5 spm from there.
    advance(&mut h, 32);
    assert_eq!(h.state().asked_spm(), 167.0, "the cool-down starts shifted");
    h.key_press(Key::ArrowDown);
    h.run();
    h.state_mut().apply(Command::Nudge(0.5));
    h.run();
    advance(&mut h, 20);
    assert!(!h.state().playing, "the workout ended at its nominal end");
    assert_eq!(h.state().settings.target, target);
    assert_eq!(h.state().screen, Screen::Review);

    let (sessions, damaged) = load_sessions(&dir.path().join("data"));
    assert!(damaged.is_empty());
    let record = &sessions[0];
    assert_eq!(record.ending, Ending::Finished);
    let parts: Vec<(&str, f64)> = record
        .segments
        .iter()
        .map(|s| (s.name.as_str(), s.start_spm))
        .collect();
    assert_eq!(
        parts,
        [
            ("Warm-up", 160.0),
            ("Main", 170.0),
            ("Main (+2 spm)", 172.0),
            ("Cool-down (+2 spm)", 167.0),
            ("Cool-down (+1.5 spm)", 166.5),
        ]
    );
    // Every step where the shifted grid puts it: replay the workout with the shifts made at the
    // last step before each shifted part.
    let workout = load_workout(&file).unwrap();
    let shifts = [
        (record.segments[2].first_step - 1, 4),
        (record.segments[4].first_step - 1, 3),
    ];
    let beats: Vec<_> = BeatCursor::workout_shifted(&workout, 48_000, &shifts).collect();
    assert_eq!(record.steps, beats.len() as u64, "every step recorded");
    for (part, segment) in record.segments.iter().zip([0, 1, 1, 2, 2]) {
        let first = &beats[part.first_step as usize];
        let last = &beats[part.last_step as usize];
        assert_eq!(first.segment, segment, "{}", part.name);
        assert_eq!(last.segment, segment, "{}", part.name);
        assert!((part.start_secs - first.frame as f64 / 48_000.0).abs() < 1e-9);
    }
    // The shifted parts are faster by what was asked, step to step.
    let interval = |i: u64| beats[i as usize + 1].frame - beats[i as usize].frame;
    let main = &record.segments[2];
    assert_eq!(
        interval(main.first_step + 3),
        (60.0 * 48_000.0 / 172.0_f64).round() as u64
    );
}
