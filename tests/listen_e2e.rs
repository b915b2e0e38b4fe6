//! `cadence-coach listen` through a real sound server: a second PulseAudio null sink stands in
//! for the microphone (its monitor is the default source), footfalls the test makes are played
//! into it with paplay, and the cadence the app prints must be theirs.

mod support;

use std::process::{Command, Stdio};

use support::mic::{footfalls, pactl, speakers_into_the_microphone, write_wav};
use support::{SoundServer, bin, stderr, stdout};

#[test]
fn listen_hears_footfalls_at_166_from_the_microphone() {
    let _alone = support::exclusive();
    let server = SoundServer::start();
    pactl(
        &server,
        &[
            "load-module",
            "module-null-sink",
            "sink_name=mic",
            "rate=48000",
            "channels=1",
        ],
    );
    pactl(&server, &["set-default-source", "mic.monitor"]);
    let steps = server.dir().join("steps.wav");
    write_wav(&steps, &footfalls(166.0, 24.0));

    let mut player = Command::new("paplay");
    player.args(["-d", "mic"]).arg(&steps).stdout(Stdio::null());
    server.apply(&mut player);
    let mut player = player.spawn().expect("paplay starts");

    let mut listen = bin();
    listen.args(["listen", "--seconds", "18", "--json"]);
    server.apply(&mut listen);
    let out = listen.output().unwrap();
    let _ = player.kill();
    let _ = player.wait();
    assert!(out.status.success(), "listen failed: {}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is one JSON object"))
        .collect();
    assert!(lines.len() >= 17, "a line a second: {}", stdout(&out));
    let last = lines.last().unwrap();
    let cadence = last["cadence_spm"].as_f64().unwrap_or_else(|| {
        panic!("a cadence by the end: {}", stdout(&out));
    });
    assert!(
        (cadence - 166.0).abs() <= 1.0,
        "heard {cadence} spm, played 166: {}",
        stdout(&out)
    );
    assert!(last["confidence"].as_f64().unwrap() > 0.5, "{last}");
    // The steps of the last seconds, 60/166 s apart give or take the jitter.
    let times: Vec<f64> = last["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap())
        .collect();
    assert!(times.len() >= 20, "{last}");
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            (gap - 60.0 / 166.0).abs() < 0.03,
            "a step gap of {gap} s: {last}"
        );
    }
}

/// Runs `play --spm 172 --listen --json` for `minutes`; its JSON object and its stderr.
fn play_listening(server: &SoundServer, minutes: &str) -> (serde_json::Value, String) {
    let mut play = bin();
    play.args([
        "play",
        "--spm",
        "172",
        "--minutes",
        minutes,
        "--listen",
        "--json",
    ]);
    server.apply(&mut play);
    let out = play.output().unwrap();
    assert!(out.status.success(), "play failed: {}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("stdout is one JSON object ({e}): {}", stdout(&out)));
    (json, stderr(&out))
}

/// `play --listen` on speakers: the app's own click at 172 leaks back into the microphone
/// (module-loopback from the output's monitor), a runner at 166 is heard under it, and the
/// reading is the runner's, with the click's round trip measured and every step timed.
#[test]
fn play_listen_hears_a_runner_at_166_under_its_own_click_at_172() {
    let _alone = support::exclusive();
    let server = speakers_into_the_microphone();
    let steps = server.dir().join("steps.wav");
    write_wav(&steps, &footfalls(166.0, 40.0));
    let mut player = Command::new("paplay");
    player.args(["-d", "mic"]).arg(&steps).stdout(Stdio::null());
    server.apply(&mut player);
    let mut player = player.spawn().expect("paplay starts");

    let (json, err) = play_listening(&server, "0.4");
    let _ = player.kill();
    let _ = player.wait();
    let cadence = json["cadence_spm"]
        .as_f64()
        .unwrap_or_else(|| panic!("a cadence: {json} {err}"));
    assert!(
        (cadence - 166.0).abs() <= 1.0,
        "heard {cadence} spm under a click at 172, the runner ran 166: {json}"
    );
    assert!(json["confidence"].as_f64().unwrap() > 0.5, "{json}");
    // The click came back through the loopback and was measured, not guessed.
    assert_eq!(json["round_trip_heard"], true, "{json} {err}");
    let rt = json["round_trip_ms"].as_f64().unwrap();
    assert!((20.0..1000.0).contains(&rt), "round trip {rt} ms");
    // Steps on the session's clock, each timed against a click: 166 against 172 drifts
    // through the whole step, so the offsets spread both early and late.
    let times: Vec<f64> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap())
        .collect();
    assert!(times.len() >= 20, "{json}");
    assert!(
        times.iter().all(|&t| (0.0..=25.0).contains(&t)),
        "step times on the session clock: {json}"
    );
    let offsets: Vec<f64> = json["offsets_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap())
        .collect();
    assert!(offsets.len() + 2 >= times.len(), "{json}");
    assert!(
        offsets
            .iter()
            .all(|o| o.abs() <= 60_000.0 / 172.0 / 2.0 + 1.0)
    );
    assert!(
        err.contains("Heard 16"),
        "the closing line says what was heard: {err}"
    );
}

/// The click alone, leaking back at full level and landing exactly on its own grid, is not a
/// runner: it is removed, and nothing is heard.
#[test]
fn play_listen_does_not_take_its_own_click_for_a_runner() {
    let _alone = support::exclusive();
    let server = speakers_into_the_microphone();
    let (json, err) = play_listening(&server, "0.25");
    assert_eq!(json["round_trip_heard"], true, "{json} {err}");
    assert!(
        json["cadence_spm"].is_null(),
        "heard a runner in the click alone: {json}"
    );
    assert!(err.contains("No running steps heard"), "{err}");
}

#[test]
fn listen_without_a_sound_server_says_so_in_one_sentence() {
    let _alone = support::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let mut listen = bin();
    listen
        .args(["listen", "--seconds", "2"])
        .env("XDG_RUNTIME_DIR", dir.path())
        .env("HOME", dir.path())
        .env(
            "PULSE_SERVER",
            format!("unix:{}/no-server-here", dir.path().display()),
        );
    let out = listen.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines.iter().all(|l| l.contains("microphone")),
        "only sentences about the microphone: {err}"
    );
    assert!(lines.len() <= 2, "{err}");
    assert!(!err.contains("ALSA lib"), "{err}");
}

/// `play --listen --only-when-off 3` on speakers: a runner at 170 holds the tempo, so after the
/// first seconds the click is silent; when they drop to 160 the click is back within 5 s, on
/// the exact 170 grid it never left, and every beat sounds from then on.
#[test]
fn click_when_off_goes_quiet_while_the_runner_holds_170_and_returns_on_the_grid_at_160() {
    let _alone = support::exclusive();
    let server = speakers_into_the_microphone();
    const SWITCH_S: f64 = 25.0;
    let steps = support::mic::footfalls_changing(170.0, SWITCH_S, 160.0, 50.0);
    let output = server.dir().join("heard.wav");
    let recorder = server.record(&output);
    let recording_began = std::time::Instant::now();
    let mut player = support::mic::play_into_the_microphone(&server, &steps);
    let switch_at = recording_began.elapsed().as_secs_f64() + SWITCH_S;

    let mut play = bin();
    play.args([
        "play",
        "--spm",
        "170",
        "--minutes",
        "0.7",
        "--listen",
        "--only-when-off",
        "3",
        "--json",
    ]);
    server.apply(&mut play);
    let out = play.output().unwrap();
    let _ = player.kill();
    let _ = player.wait();
    recorder.finish();
    assert!(out.status.success(), "play failed: {}", stderr(&out));
    let err = stderr(&out);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("stdout is one JSON object ({e}): {}", stdout(&out)));
    assert_eq!(json["mode"], "click when off", "{json}");

    let wav = support::Wav::read(&output);
    let rate = f64::from(wav.rate);
    let clicks = wav.onsets(1000);
    assert!(clicks.len() > 10, "{} clicks: {err}", clicks.len());
    // Every click on the 170 grid of the first, to the millisecond.
    let first = clicks[0];
    let step = 60.0 * rate / 170.0;
    let beat_of = |frame: u64| ((frame - first) as f64 / step).round() as u64;
    let mut worst = 0;
    for &c in &clicks {
        let on_grid = first + (beat_of(c) as f64 * step).round() as u64;
        assert!(
            c.abs_diff(on_grid) as f64 <= rate / 1000.0,
            "a click at frame {c} is {} frames off the 170 grid",
            c as i64 - on_grid as i64
        );
        worst = worst.max(c.abs_diff(on_grid));
    }
    eprintln!(
        "{} clicks, the furthest {worst} frames off the 170 grid",
        clicks.len()
    );
    let secs = |frame: u64| frame as f64 / rate;
    // Quiet after the first seconds: the longest silence starts within 14 s of the first click
    // (a 6 s round-trip check, the first readings, 8 beats in the band) and lasts until the
    // runner slows.
    let (gap_from, gap_to) = clicks
        .windows(2)
        .map(|w| (w[0], w[1]))
        .max_by_key(|(a, b)| b - a)
        .unwrap();
    assert!(
        secs(gap_from - first) < 14.0,
        "the click was still sounding {:.1} s in: {err}",
        secs(gap_from - first)
    );
    assert!(
        secs(gap_to) > switch_at - 1.0,
        "the click came back at {:.1} s, before the runner slowed at {switch_at:.1} s: {err}",
        secs(gap_to)
    );
    assert!(
        secs(gap_to) < switch_at + 5.0,
        "the click came back {:.1} s after the runner slowed to 160: {err}",
        secs(gap_to) - switch_at
    );
    eprintln!(
        "quiet from {:.1} s after the first click; back {:.1} s after the runner slowed",
        secs(gap_from - first),
        secs(gap_to) - switch_at
    );
    // Back for good: every beat from the return to the end sounds.
    let back: Vec<u64> = clicks.iter().copied().filter(|&c| c >= gap_to).collect();
    let beats = beat_of(*back.last().unwrap()) - beat_of(back[0]) + 1;
    assert_eq!(
        back.len() as u64,
        beats,
        "beats missing after the return: {err}"
    );
    assert!(json["clicks_silent"].as_u64().unwrap() >= 30, "{json}");
    assert!(json["time_in_band_s"].as_f64().unwrap() >= 10.0, "{json}");
    assert!(err.contains("Click when off: "), "the closing line: {err}");
}
