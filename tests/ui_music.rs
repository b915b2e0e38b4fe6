//! The Music panel headless with egui_kittest: a folder typed and scanned with its progress,
//! what would play next, a track queued, the music playing with a session (its track, tempo and
//! stretch on the running view), Skip, Ban (kept in Settings), the click on top turned off, and
//! the music stopping with the session.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use cadence_coach::audio::AudioEngine;
use cadence_coach::ui::CoachApp;
use eframe::egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use support::music::write_beat_track;
use support::ui::replace_text;

fn app(dir: &Path) -> Harness<'static, CoachApp> {
    let settings = dir.join("settings.ron");
    let data = dir.join("data");
    Harness::builder()
        .with_size([1366.0, 768.0])
        .with_step_dt(0.05)
        .build_eframe(move |cc| {
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
        })
}

/// Runs the window until `text` shows, at most 60 s of wall clock (a scan runs on its own
/// thread).
fn wait_for(h: &mut Harness<'static, CoachApp>, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while h.query_by_label_contains(text).is_none() {
        assert!(Instant::now() < deadline, "'{text}' never showed");
        std::thread::sleep(Duration::from_millis(50));
        h.run();
    }
}

/// Plays the offline engine on by `secs`, a tenth at a time, giving the music player (its own
/// thread) time to keep up.
fn play(h: &mut Harness<'static, CoachApp>, secs: f64) {
    for _ in 0..(secs * 10.0) as usize {
        h.state().engine.advance(Duration::from_millis(100));
        std::thread::sleep(Duration::from_millis(30));
        h.run();
    }
}

#[test]
fn a_folder_is_scanned_and_its_music_plays_with_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("Running Music");
    std::fs::create_dir_all(&music).unwrap();
    write_beat_track(&music.join("one-sixty-eight.wav"), 44_100, 168.0, 60.0);
    write_beat_track(&music.join("eighty-six.wav"), 44_100, 86.0, 60.0);
    std::fs::write(music.join("notes.mp3"), "not music\n".repeat(30)).unwrap();
    let mut h = app(dir.path());
    h.run();
    assert!(h.query_by_label("No music folder chosen yet").is_some());

    replace_text(&mut h, "Folder", &music.display().to_string());
    h.get_by_label("Use").click();
    h.run();
    wait_for(&mut h, "2 tracks with a steady beat, 1 unreadable");
    // The unreadable file is named; what plays next at 170 spm is shown.
    assert!(h.query_by_label_contains("notes.mp3").is_some());
    // The smallest stretch first: the half-time song, a beat every other step.
    assert!(
        h.query_by_label_contains("Next at 170 spm: eighty-six (86.0 BPM ×2, -1.2 %)")
            .is_some()
    );
    let settings = &h.state().settings.music;
    assert_eq!(settings.folder.as_deref(), Some(music.as_path()));
    assert!(settings.on, "choosing a folder turns the music on");

    // Queued, the other song plays first.
    h.get_by_label("Queue a track").click();
    h.run();
    h.get_all_by_label("Queue")
        .nth(1)
        .expect("a second track to queue")
        .click();
    h.run();
    assert!(h.query_by_label("queued").is_some());

    h.key_press(Key::Space);
    h.run();
    play(&mut h, 2.0);
    wait_for(&mut h, "Music: one-sixty-eight  ·  168 BPM +1.2 %");
    let track = h.state().track.clone().unwrap();
    assert!(!track.click_muted(), "the click plays on top by default");

    // Ban: it never plays again, the other fades in, and Settings keep the ban.
    h.get_by_label("Ban").click();
    h.run();
    play(&mut h, 2.0);
    wait_for(&mut h, "Music: eighty-six  ·  86 BPM -1.2 %");
    let banned = &h.state().settings.music.banned;
    assert_eq!(banned, &vec![music.join("one-sixty-eight.wav")]);
    // Skip: with the banned one out there is only one track, which plays on.
    h.get_by_label("Skip").click();
    h.run();
    play(&mut h, 2.0);
    wait_for(&mut h, "Music: eighty-six");

    // Stopped, the music stops with the session and the panel offers the unban.
    h.key_press(Key::Space);
    h.run();
    assert!(h.query_by_label_contains("Music: eighty-six").is_none());
    // The session's record keeps what played, in order (the skip started the same song again).
    let record = h
        .state()
        .history
        .sessions
        .last()
        .cloned()
        .expect("a record");
    let titles: Vec<&str> = record.music.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["one-sixty-eight", "eighty-six", "eighty-six"]);
    assert!(record.music.windows(2).all(|w| w[1].at_secs > w[0].at_secs));
    assert_eq!(
        cadence_coach::cadence::session::music_text(&record.music).as_deref(),
        Some("Music: 3 tracks, one-sixty-eight, eighty-six, eighty-six")
    );
    assert!(h.query_by_label("Unban 1 tracks").is_some());
    h.get_by_label("Click on top").click();
    h.run();
    assert!(!h.state().settings.music.click);
    h.key_press(Key::Space);
    h.run();
    play(&mut h, 1.0);
    let track = h.state().track.clone().unwrap();
    assert!(track.click_muted(), "the music's beat alone leads");
}

#[test]
fn a_folder_that_is_not_there_is_named_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    h.run();
    let missing = dir.path().join("nowhere");
    replace_text(&mut h, "Folder", &missing.display().to_string());
    h.get_by_label("Use").click();
    h.run();
    h.run();
    assert!(
        h.query_by_label_contains("nowhere is not a folder")
            .is_some()
    );
    assert_eq!(h.state().settings.music.folder, None);
    assert!(!h.state().settings.music.on);
}
