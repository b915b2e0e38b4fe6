//! `cadence-coach play` on a real sound server, as a listener hears it: the app plays into a
//! PulseAudio null sink, parecord records the sink's monitor, and the clicks are found in the
//! recording's samples.

mod support;

use support::{SoundServer, Wav, bin, stderr, stdout};

#[test]
fn play_sounds_every_click_on_the_exact_grid() {
    let server = SoundServer::start();
    let recording = server.dir().join("heard.wav");
    let recorder = server.record(&recording);

    let mut play = bin();
    play.args(["play", "--spm", "180", "--minutes", "0.5"]);
    server.apply(&mut play);
    let out = play.output().unwrap();
    assert!(out.status.success(), "play failed: {}", stderr(&out));
    assert!(
        stdout(&out).contains("Finished after 0:30 with 90 steps"),
        "{}",
        stdout(&out)
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    recorder.finish();

    let wav = Wav::read(&recording);
    assert_eq!(wav.rate, 48_000);
    let clicks = wav.onsets(1000);
    assert_eq!(
        clicks.len(),
        90,
        "heard {} clicks in {} frames: {clicks:?}\nplay said: {}",
        clicks.len(),
        wav.frames(),
        stdout(&out)
    );

    // 180 spm at 48 kHz: exactly 16 000 frames between steps.
    let ideal = 16_000.0;
    let span = (clicks[89] - clicks[0]) as f64 / 89.0;
    let tempo_error = (span - ideal).abs() / ideal;
    assert!(
        tempo_error <= 1e-4,
        "tempo off by {:.5} %",
        tempo_error * 100.0
    );
    let worst = clicks
        .windows(2)
        .map(|w| (w[1] - w[0]) as i64 - 16_000)
        .map(i64::abs)
        .max()
        .unwrap();
    assert!(
        worst <= 1,
        "an interval is {worst} frames off the ideal 16 000"
    );
    eprintln!(
        "heard 90 clicks; mean interval {span:.3} frames (tempo error {:.6} %), worst interval deviation {worst} frames",
        tempo_error * 100.0
    );
}

#[test]
fn play_without_a_sound_server_exits_1_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["play", "--spm", "180", "--minutes", "0.5"])
        .env("XDG_RUNTIME_DIR", dir.path())
        .env("HOME", dir.path())
        .env(
            "PULSE_SERVER",
            format!("unix:{}/no-server-here", dir.path().display()),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "expected one line, got: {err}"
    );
    assert!(
        err.starts_with("cadence-coach: no audio output device"),
        "{err}"
    );
    assert!(!err.contains("ALSA lib"), "{err}");
}
