//! Faults thrown at the real window (release binary, virtual display, private PulseAudio): the
//! sound server killed in the middle of a session and started again, no sound device at start,
//! a data folder that cannot be written to (a file size limit, as a full disk), the settings
//! file deleted while the app runs, and two windows sharing one data folder. In every case the
//! session goes on and keeps its clock, and nothing recorded is lost.

mod support;

use std::time::Duration;

use support::{SoundServer, VirtualDisplay, Wav, finish, history_json, sleep};

#[test]
fn the_sound_server_dies_mid_session_and_returns_the_session_and_its_grid_go_on() {
    let _alone = support::exclusive();
    let mut server = SoundServer::start();
    let display = VirtualDisplay::start();
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    let mut app = display.launch(Some(&server), config.path(), &data, None);
    let win = display.wait_for_window_of("Cadence Coach", &mut app);
    sleep(2.0);
    display.key(&win, "space");
    sleep(6.0);
    server.kill();
    sleep(4.0);
    server.restart();
    // The engine retries every 2 s; then 8 s more are heard and recorded.
    sleep(3.0);
    let heard = server.dir().join("after.wav");
    let recorder = server.record(&heard);
    sleep(8.0);
    display.key(&win, "space");
    sleep(1.0);
    recorder.finish();
    let err = finish(app);

    let sessions = history_json(&data);
    assert_eq!(sessions.len(), 1, "{sessions:?} {err}");
    let s = &sessions[0];
    assert_eq!(s["ending"], "Stopped");
    // Played from the first Space to the second: about 22 s, the outage included.
    let secs = s["duration_secs"].as_f64().unwrap();
    assert!((19.0..=26.0).contains(&secs), "{secs} s recorded");
    let steps = s["steps"].as_u64().unwrap() as f64;
    assert!(
        (steps - secs * 170.0 / 60.0).abs() <= 3.0,
        "{steps} steps in {secs} s"
    );

    let wav = Wav::read(&heard);
    let clicks = wav.onsets(1000);
    assert!(
        clicks.len() >= 15,
        "only {} clicks after the server came back",
        clicks.len()
    );
    let interval = 60.0 * 48_000.0 / 170.0;
    let first = clicks[0];
    let mut worst = 0.0f64;
    for &at in &clicks {
        let n = ((at - first) as f64 / interval).round();
        worst = worst.max(((at - first) as f64 - n * interval).abs());
    }
    // Within 10 ms of the grid (see the note on restarted servers in the play test).
    assert!(worst <= 480.0, "a click is {worst} frames off the grid");
    eprintln!(
        "window through a server restart: {secs:.1} s recorded, {} clicks after it, worst {worst:.0} frames",
        clicks.len()
    );
}

#[test]
fn without_a_sound_device_the_window_keeps_time_and_records_the_session() {
    let _alone = support::exclusive();
    let display = VirtualDisplay::start();
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    let mut app = display.launch(None, config.path(), &data, None);
    let win = display.wait_for_window_of("Cadence Coach", &mut app);
    sleep(2.0);
    display.key(&win, "space");
    sleep(6.0);
    display.key(&win, "space");
    sleep(1.0);
    let err = finish(app);
    let sessions = history_json(&data);
    assert_eq!(sessions.len(), 1, "{err}");
    let secs = sessions[0]["duration_secs"].as_f64().unwrap();
    assert!(
        (5.0..=7.5).contains(&secs),
        "the clock ran without a device: {secs} s"
    );
    assert!(!err.contains("ALSA lib"), "alsa noise on stderr: {err}");
}

#[test]
fn a_data_folder_that_refuses_writes_is_reported_and_the_session_goes_on() {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    let display = VirtualDisplay::start();
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    // An earlier session, which must survive.
    std::fs::create_dir_all(data.join("sessions")).unwrap();
    let earlier = data.join("sessions").join("20261101T070000Z-0001.ron");
    std::fs::write(
        &earlier,
        "SessionRecord(version: 2, id: \"20261101T070000Z-0001\", started: \"2026-11-01T07:00:00Z\", workout: \"Steady\", target_spm: 170.0, duration_secs: 600.0, steps: 1701, segments: [], ending: Finished)",
    )
    .unwrap();
    let before = std::fs::read(&earlier).unwrap();
    // No file may grow past 512 bytes, as on a full disk; the shell ignores SIGXFSZ so the
    // write fails with "File too large" instead of killing the app.
    let mut app = display.launch(
        Some(&server),
        config.path(),
        &data,
        Some("trap '' XFSZ; ulimit -f 1"),
    );
    let win = display.wait_for_window_of("Cadence Coach", &mut app);
    sleep(2.0);
    display.key(&win, "space");
    sleep(4.0);
    display.key(&win, "space");
    sleep(1.0);
    // Still alive and answering: another start and stop.
    display.key(&win, "space");
    sleep(2.0);
    display.key(&win, "space");
    sleep(1.0);
    let err = finish(app);
    assert!(
        err.contains("could not save") && err.contains("File too large"),
        "the failure is said: {err}"
    );
    assert_eq!(
        std::fs::read(&earlier).unwrap(),
        before,
        "the earlier session is intact"
    );
    let names: Vec<String> = std::fs::read_dir(data.join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

#[test]
fn the_settings_file_deleted_while_running_is_written_again_on_the_next_change() {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    let display = VirtualDisplay::start();
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    let mut app = display.launch(Some(&server), config.path(), &data, None);
    let win = display.wait_for_window_of("Cadence Coach", &mut app);
    let settings = config.path().join("cadence-coach").join("settings.ron");
    sleep(2.0);
    display.key(&win, "Up");
    sleep(1.5);
    assert!(settings.exists(), "a change is saved");
    std::fs::remove_file(&settings).unwrap();
    display.key(&win, "Up");
    sleep(1.5);
    let text = std::fs::read_to_string(&settings).expect("written again");
    assert!(text.contains("target: 172"), "{text}");
    finish(app);
}

#[test]
fn two_windows_on_one_data_folder_keep_both_sessions() {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    // Wide enough for the two windows side by side, so each gets its own keys.
    let display = VirtualDisplay::start_sized(1700, 900);
    let config_a = tempfile::tempdir().unwrap();
    let config_b = tempfile::tempdir().unwrap();
    let data = config_a.path().join("data");
    let mut a = display.launch(Some(&server), config_a.path(), &data, None);
    let first = display.wait_for_window_of("Cadence Coach", &mut a);
    let b = display.launch(Some(&server), config_b.path(), &data, None);
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let second = loop {
        let ids = display.tool("xdotool", &["search", "--name", "Cadence Coach"]);
        if let Some(id) = ids.lines().find(|id| *id != first) {
            break id.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "no second window");
        sleep(0.2);
    };
    for (id, x) in [(&first, "0"), (&second, "840")] {
        display.tool("xdotool", &["windowsize", "--sync", id, "800", "780"]);
        display.tool("xdotool", &["windowmove", "--sync", id, x, "0"]);
    }
    sleep(2.0);
    let press = |id: &str, x: &str| {
        // The pointer over the window too, for X servers whose focus follows the pointer.
        display.tool("xdotool", &["mousemove", x, "700"]);
        display.key(id, "space");
    };
    press(&first, "400");
    press(&second, "1240");
    sleep(5.0);
    press(&first, "400");
    press(&second, "1240");
    sleep(1.0);
    finish(a);
    finish(b);
    let sessions = history_json(&data);
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    for s in &sessions {
        assert_eq!(s["ending"], "Stopped");
        assert!(s["duration_secs"].as_f64().unwrap() >= 4.0);
    }
}
