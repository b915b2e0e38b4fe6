//! Listening in the real window, as a runner on a treadmill has it: a private PulseAudio whose
//! default source is a "microphone" sink into which the app's own click leaks back (as from
//! laptop speakers) and into which footfalls at 166 spm are played, while the window plays 172.
//! The window must show the runner's 166 beside the target, and save it with the session.
//! Screenshots at 1366×768 and 1920×1080 go to target/screenshots/ to be looked at.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::mic::{footfalls, play_into_the_microphone, speakers_into_the_microphone};
use support::{VirtualDisplay, finish, history_json, sleep};

fn shot(display: &VirtualDisplay, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("..")
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join(name);
    display.tool("import", &["-window", "root", shot.to_str().unwrap()]);
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 15_000, "{name} is suspiciously small ({size} bytes)");
    shot
}

/// Plays for `secs` (past a minute, the session gets its review, shot too).
fn listening_at(width: u32, height: u32, secs: f64) {
    let _alone = support::exclusive();
    let server = speakers_into_the_microphone();
    let display = VirtualDisplay::start_sized(width, height);
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    // Listening was turned on in an earlier run (the setting is remembered), target 172.
    let settings = config.path().join("cadence-coach");
    std::fs::create_dir_all(&settings).unwrap();
    std::fs::write(
        settings.join("settings.ron"),
        "(version: 1, target: 172, listening: true)",
    )
    .unwrap();
    let mut runner = play_into_the_microphone(&server, &footfalls(166.0, 90.0));
    let mut app = display.launch_with(Some(&server), config.path(), &data, &[]);
    let win = display.wait_for_window_of("Cadence Coach", &mut app);
    display.tool(
        "xdotool",
        &[
            "windowsize",
            "--sync",
            &win,
            &width.to_string(),
            &height.to_string(),
        ],
    );
    sleep(2.0);
    display.key(&win, "space");
    let started = Instant::now();
    while display.tool("xdotool", &["getwindowname", &win]).trim() != "Cadence Coach · playing" {
        assert!(started.elapsed() < Duration::from_secs(10), "never played");
        sleep(0.05);
    }
    // The round-trip check (6 s), then a reading over the steps heard since.
    sleep(16.0);
    let size = format!("{width}x{height}");
    shot(&display, &format!("{size}-run-listening.png"));
    sleep((secs - started.elapsed().as_secs_f64()).max(0.0));
    display.key(&win, "space");
    sleep(1.5);
    if secs > 60.0 {
        shot(&display, &format!("{size}-review-listening.png"));
    }
    let _ = runner.kill();
    let _ = runner.wait();
    display.key(&win, "Escape");
    let err = finish(app);
    assert!(!err.contains("panicked"), "{err}");

    let sessions = history_json(&data);
    let session = sessions.last().expect("the session was saved");
    let mic = &session["microphone"];
    assert_eq!(
        mic["source"], "microphone",
        "a microphone series: {session}"
    );
    let heard: Vec<f64> = mic["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .map(|p| p[1].as_f64().unwrap())
        .collect();
    // About one a second from the first reading (after the round-trip check) to the end.
    let expected = secs - 16.0;
    assert!(
        heard.len() as f64 >= expected,
        "{} readings in {secs} s: {mic}",
        heard.len()
    );
    let off: Vec<&f64> = heard.iter().filter(|s| (*s - 166.0).abs() > 1.0).collect();
    assert!(
        off.len() * 10 <= heard.len(),
        "the window heard {off:?} under its click at 172; the runner ran 166"
    );
    assert!(
        (mic["average_spm"].as_f64().unwrap() - 166.0).abs() <= 1.0,
        "{mic}"
    );
}

#[test]
fn the_window_hears_a_runner_at_166_under_its_click_at_172_at_1366_by_768() {
    listening_at(1366, 768, 62.0);
}

#[test]
fn the_window_hears_a_runner_at_166_under_its_click_at_172_at_1920_by_1080() {
    listening_at(1920, 1080, 28.0);
}
