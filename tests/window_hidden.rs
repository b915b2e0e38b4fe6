//! The real window minimized while a session plays (release binary, virtual display with a real
//! window manager, private PulseAudio): the session goes on being recorded, a workout that ends
//! while the window is hidden opens its review, and the window restored shows it.

mod support;

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use support::{SoundServer, VirtualDisplay, finish, history_json, sleep};

/// openbox on `display`, with its own home so no desktop settings leak in; ended when dropped.
struct WindowManager(Child);

impl WindowManager {
    fn start(display: &VirtualDisplay, home: &Path) -> WindowManager {
        let child = Command::new("openbox")
            .arg("--sm-disable")
            .env("DISPLAY", &display.name)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openbox starts (scripts/test.sh installs it)");
        // A window manager announces itself on the root window.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !display
            .tool("xprop", &["-root", "_NET_SUPPORTING_WM_CHECK"])
            .contains("window id")
        {
            assert!(Instant::now() < deadline, "openbox did not come up");
            sleep(0.1);
        }
        WindowManager(child)
    }
}

impl Drop for WindowManager {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Minimizes `win` the way a task bar would, and waits until the window manager has taken it
/// as such (it may answer a moment after the window is unmapped; a request it missed is sent
/// again).
fn minimize(display: &VirtualDisplay, win: &str) {
    wait_for_state(display, win, "Iconic", |d| {
        d.tool("xdotool", &["windowminimize", "--sync", win]);
    });
}

fn restore(display: &VirtualDisplay, win: &str) {
    wait_for_state(display, win, "Normal", |d| {
        d.tool("xdotool", &["windowactivate", "--sync", win]);
    });
}

/// Asks for `state` (`ask`) until the window's WM_STATE says it, up to 10 s.
fn wait_for_state(display: &VirtualDisplay, win: &str, state: &str, ask: impl Fn(&VirtualDisplay)) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut asked = Instant::now() - Duration::from_secs(10);
    loop {
        if asked.elapsed() >= Duration::from_secs(2) {
            ask(display);
            asked = Instant::now();
        }
        let now = display.tool("xprop", &["-id", win, "WM_STATE"]);
        if now.contains(state) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the window did not become {state}: {now}"
        );
        sleep(0.1);
    }
}

fn title(display: &VirtualDisplay, win: &str) -> String {
    display
        .tool("xdotool", &["getwindowname", win])
        .trim()
        .to_string()
}

/// Waits up to `secs` for the window's title to become `want`.
fn wait_for_title(display: &VirtualDisplay, win: &str, want: &str, secs: f64) {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    loop {
        let now = title(display, win);
        if now == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the title is {now:?}, not {want:?}"
        );
        sleep(0.2);
    }
}

#[test]
fn minimized_for_70_s_then_killed_the_session_file_holds_the_run() {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    let display = VirtualDisplay::start();
    let config = tempfile::tempdir().unwrap();
    let _wm = WindowManager::start(&display, config.path());
    let data = config.path().join("data");
    let mut app = display.launch(Some(&server), config.path(), &data, None);
    let win = display.wait_for_window_of("Cadence Coach", &mut app);
    sleep(2.0);
    display.key(&win, "space");
    sleep(1.0);
    minimize(&display, &win);
    // The title says it plays on, also while minimized (the task bar shows it).
    wait_for_title(&display, &win, "Cadence Coach · playing", 5.0);
    sleep(70.0);
    // kill -9: nothing is written on the way out.
    let err = finish(app);

    let sessions = history_json(&data);
    assert_eq!(sessions.len(), 1, "{sessions:?} {err}");
    let s = &sessions[0];
    let secs = s["duration_secs"].as_f64().unwrap();
    let steps = s["steps"].as_u64().unwrap();
    println!("minimized 70 s, killed: {secs:.1} s and {steps} steps recorded");
    assert!(secs >= 55.0, "only {secs} s recorded in 71 s of play: {s}");
    // 170 spm, the default target: the steps match the time recorded.
    let expected = secs * 170.0 / 60.0;
    assert!(
        (steps as f64 - expected).abs() <= 3.0,
        "{steps} steps in {secs} s at 170 spm (expected {expected:.0}): {s}"
    );
    assert_eq!(s["ending"], "InProgress", "{s}");
}

/// 10 s at 160, 42 s at 170, 10 s at 165 spm: just over a minute, as a session needs for its
/// review.
const WORKOUT: &str = r#"Workout(
    version: 1,
    name: "Sixty-two seconds",
    segments: [
        (name: "Warm-up", seconds: 10, tempo: Steady(160)),
        (name: "Main", seconds: 42, tempo: Steady(170)),
        (name: "Cool-down", seconds: 10, tempo: Steady(165)),
    ],
)"#;

#[test]
fn a_workout_ends_with_its_review_whether_the_window_is_shown_or_minimized() {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    let display = VirtualDisplay::start();
    let config = tempfile::tempdir().unwrap();
    let _wm = WindowManager::start(&display, config.path());
    let data = config.path().join("data");
    let workout = config.path().join("sixty-two.ron");
    std::fs::write(&workout, WORKOUT).unwrap();
    let mut app = display.launch_with(
        Some(&server),
        config.path(),
        &data,
        &["--workout", workout.to_str().unwrap()],
    );
    let win = display.wait_for_window_of("Cadence Coach", &mut app);
    sleep(2.0);

    // Minimized for a while, restored before the workout ends: it ends shown, with its review.
    display.key(&win, "space");
    sleep(1.0);
    minimize(&display, &win);
    sleep(15.0);
    restore(&display, &win);
    wait_for_title(&display, &win, "Cadence Coach · review waiting", 60.0);
    let sessions = history_json(&data);
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["ending"], "Finished", "{}", sessions[0]);

    // Space on the review starts the workout again; this time it ends while minimized.
    display.key(&win, "space");
    wait_for_title(&display, &win, "Cadence Coach · playing", 5.0);
    sleep(1.0);
    minimize(&display, &win);
    wait_for_title(&display, &win, "Cadence Coach · review waiting", 75.0);
    let state = display.tool("xprop", &["-id", &win, "WM_STATE"]);
    assert!(state.contains("Iconic"), "ended while minimized: {state}");
    let sessions = history_json(&data);
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    for s in &sessions {
        assert_eq!(s["ending"], "Finished", "{s}");
        let names: Vec<&str> = s["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Warm-up", "Main", "Cool-down"], "{s}");
    }
    // Both runs recorded the same steps: the hidden one exactly as the shown one.
    assert_eq!(sessions[0]["steps"], sessions[1]["steps"]);
    assert_eq!(sessions[0]["segments"], sessions[1]["segments"]);

    // Restored, the window shows the review.
    restore(&display, &win);
    sleep(1.5);
    let shot = config.path().join("restored.png");
    display.tool("import", &["-window", "root", shot.to_str().unwrap()]);
    if let Ok(dir) = std::env::var("CADENCE_COACH_SHOTS") {
        let _ = std::fs::copy(&shot, Path::new(&dir).join("restored-review.png"));
    }
    assert_eq!(title(&display, &win), "Cadence Coach · review waiting");
    let err = finish(app);
    assert!(!err.contains("could not"), "{err}");
}
