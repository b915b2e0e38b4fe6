//! The real window, as a runner meets it: the release binary in a virtual display with a
//! PulseAudio null sink for a sound card. Space is pressed with xdotool, 20 s of what the sink
//! plays is recorded and the clicks in it are checked against the target tempo; a screenshot of
//! the Run screen is kept in target/screenshots/ to look at.

mod support;

use std::time::Duration;

use support::{SoundServer, VirtualDisplay, Wav, bin, finish};

#[test]
fn space_starts_the_click_at_the_target_tempo_in_the_real_window() {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    let display = VirtualDisplay::start();
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    let mut app = display.launch(Some(&server), config.path(), &data, None);
    let window = display.wait_for_window_of("Cadence Coach", &mut app);
    // Give the app its first frames and the sound device its verification.
    std::thread::sleep(Duration::from_secs(2));

    let recording = server.dir().join("heard.wav");
    let recorder = server.record(&recording);
    display.key(&window, "space");
    std::thread::sleep(Duration::from_secs(20));

    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("..")
        .join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("run-screen-playing.png");
    display.tool("import", &["-window", "root", shot.to_str().unwrap()]);
    display.tool("xdotool", &["key", "space"]);
    std::thread::sleep(Duration::from_millis(600));
    recorder.finish();
    finish(app);

    let wav = Wav::read(&recording);
    let clicks = wav.onsets(1000);
    // 170 spm for about 20 s: about 57 clicks; every one on the exact grid from the first.
    assert!(
        (50..=62).contains(&clicks.len()),
        "heard {} clicks in {:.1} s",
        clicks.len(),
        wav.frames() as f64 / 48_000.0
    );
    let first = clicks[0];
    let mut worst = 0i64;
    for (n, &at) in clicks.iter().enumerate() {
        let ideal = first + (n as f64 * 60.0 * 48_000.0 / 170.0).round() as u64;
        worst = worst.max((at as i64 - ideal as i64).abs());
    }
    assert!(worst <= 1, "a click is {worst} frames off the 170 spm grid");
    let span = (clicks[clicks.len() - 1] - first) as f64 / (clicks.len() - 1) as f64;
    let spm = 60.0 * 48_000.0 / span;
    assert!((spm - 170.0).abs() / 170.0 < 1e-4, "measured {spm:.4} spm");
    eprintln!(
        "window: {} clicks, {spm:.4} spm, worst deviation {worst} frames; screenshot {}",
        clicks.len(),
        shot.display()
    );

    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 20_000,
        "the screenshot is suspiciously small ({size} bytes)"
    );
}

#[test]
fn kill_9_in_the_middle_of_a_session_loses_at_most_the_last_30_seconds() {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    let display = VirtualDisplay::start();
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    let mut app = display.launch(Some(&server), config.path(), &data, None);
    let window = display.wait_for_window_of("Cadence Coach", &mut app);
    std::thread::sleep(Duration::from_secs(1));
    display.key(&window, "space");
    std::thread::sleep(Duration::from_secs(36));
    app.kill().unwrap(); // SIGKILL: no chance to save anything more
    app.wait().unwrap();

    let out = bin()
        .args(["history", "--json", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sessions: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let s = &sessions[0];
    assert_eq!(s["ending"], "InProgress");
    let secs = s["duration_secs"].as_f64().unwrap();
    // About 35 s played; the last save was at 30 s of session time or later.
    assert!(secs >= 30.0, "only {secs} s were saved");
    assert!(s["steps"].as_u64().unwrap() >= 85);
    let table = bin()
        .args(["history", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("interrupted"));
}
