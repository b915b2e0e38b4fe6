//! Screenshots of the real window as a runner sees it, at the laptop size most runners own
//! (1366×768) and at 1920×1080: the Run screen stopped, playing, in a count-in and in a ramp with
//! a tempo that has a half; the summary and review when the workout ends; Progress with 18 sessions;
//! the Plan. They are kept in target/screenshots/ to be looked at; the test checks that each was
//! taken and is not blank.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cadence_coach::cadence::session::{Ending, PlayedSegment, Review, SessionRecord, Surface};
use cadence_coach::store::sessions::save_session;
use support::{SoundServer, VirtualDisplay, bin, finish, sleep};

/// 6 s at 165, a 20 s ramp from 172.5 to 178, then 40 s at 177.5: a count-in before each change,
/// and over a minute in all, so it ends with its summary and review (a shorter one is kept as
/// short, with no review).
const WORKOUT: &str = r#"Workout(
    version: 1,
    name: "Ramp sampler",
    segments: [
        (name: "Warm-up", seconds: 6, tempo: Steady(165)),
        (name: "Build", seconds: 20, tempo: Ramp(from: 172.5, to: 178)),
        (name: "Hold", seconds: 40, tempo: Steady(177.5)),
    ],
)"#;

/// Eighteen sessions over six weeks, cadence climbing from 164 to 173 with reviews.
fn history(data: &Path) {
    let first = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    for i in 0..18i64 {
        let started = first + jiff::SignedDuration::from_hours(i * 56);
        let id = format!("{}-{i:04x}", started.strftime("%Y%m%dT%H%M%SZ"));
        let target = 166.0 + (i / 4) as f64 * 2.0;
        let mut r = SessionRecord::new(&id, started, &format!("Steady {target} spm"), target);
        let secs = 900.0 + 60.0 * i as f64;
        r.duration_secs = secs;
        r.steps = (secs * target / 60.0) as u64;
        r.segments = vec![PlayedSegment {
            name: format!("Steady {target} spm"),
            start_secs: 0.0,
            secs,
            start_spm: target,
            end_spm: target,
            first_step: 0,
            last_step: r.steps - 1,
        }];
        r.ending = Ending::Finished;
        r.review = Some(Review {
            measured_spm: Some(164.0 + i as f64 * 0.5),
            rpe: Some(5 + (i % 3) as u8),
            discomfort: Some((i % 4) as u8),
            surface: Some(Surface::Treadmill),
            shoes: "Trainers".into(),
            speed_kmh: Some(9.5 + (i % 5) as f64 * 0.3),
            ..Review::default()
        });
        save_session(data, &r).unwrap();
    }
    let plan = bin()
        .args([
            "plan",
            "--baseline",
            "168",
            "--target",
            "176",
            "--start",
            "2026-11-20",
            "--save",
            "--data-dir",
        ])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
}

fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("..")
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shoot(display: &VirtualDisplay, name: &str) -> PathBuf {
    let shot = shots_dir().join(name);
    display.tool("import", &["-window", "root", shot.to_str().unwrap()]);
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 15_000, "{name} is suspiciously small ({size} bytes)");
    shot
}

/// Clicks at a point of the window (its top-left is the screen's).
fn click(display: &VirtualDisplay, x: u32, y: u32) {
    display.tool(
        "xdotool",
        &["mousemove", &x.to_string(), &y.to_string(), "click", "1"],
    );
}

fn screens_at(width: u32, height: u32) {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    let display = VirtualDisplay::start_sized(width, height);
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    history(&data);
    let workout = config.path().join("ramp.ron");
    std::fs::write(&workout, WORKOUT).unwrap();
    let mut app = display.launch_with(
        Some(&server),
        config.path(),
        &data,
        &["--workout", workout.to_str().unwrap()],
    );
    let win = display.wait_for_window_of("Cadence Coach", &mut app);
    // The window filling the screen, as a runner would have it on the treadmill.
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
    let size = format!("{width}x{height}");
    shoot(&display, &format!("{size}-run-stopped.png"));
    display.key(&win, "space");
    // Wait for the title that says it plays (the device opens first), then into the count-in
    // before the ramp: the last four steps before 6 s.
    let started = std::time::Instant::now();
    while display.tool("xdotool", &["getwindowname", &win]).trim() != "Cadence Coach · playing" {
        assert!(started.elapsed() < Duration::from_secs(10), "never played");
        sleep(0.05);
    }
    sleep(2.0);
    shoot(&display, &format!("{size}-run-playing.png"));
    // Into the count-in (about 4.6–6 s after the first step), a few shots to catch it.
    let t = started.elapsed().as_secs_f64();
    sleep((4.8 - t).max(0.0));
    shoot(&display, &format!("{size}-run-count-in-1.png"));
    sleep(0.4);
    shoot(&display, &format!("{size}-run-count-in-2.png"));
    sleep(6.0);
    shoot(&display, &format!("{size}-run-ramp.png"));
    // The workout plays to its end; its summary and review open.
    while display.tool("xdotool", &["getwindowname", &win]).trim() == "Cadence Coach · playing" {
        assert!(started.elapsed() < Duration::from_secs(90), "never ended");
        sleep(0.2);
    }
    sleep(1.5);
    shoot(&display, &format!("{size}-summary.png"));
    // The tabs: Progress and Plan.
    click(&display, 180, 26);
    sleep(1.5);
    shoot(&display, &format!("{size}-progress.png"));
    click(&display, 95, 26);
    sleep(1.5);
    shoot(&display, &format!("{size}-plan.png"));
    let err = finish(app);
    assert!(!err.contains("could not"), "{err}");
}

#[test]
fn screens_at_1366_by_768() {
    screens_at(1366, 768);
}

#[test]
fn screens_at_1920_by_1080() {
    screens_at(1920, 1080);
}
