//! `measure` as a runner uses it: a recording of a run (a WAV this test makes: stereo 16-bit
//! footfalls at 172 spm over treadmill noise) in, the cadence and steps out; and the ways it
//! fails, each one line naming the file.

mod support;

use std::f64::consts::TAU;
use std::path::Path;

use support::{run, run_ok, stderr, stdout};

const RATE: u32 = 44_100;

/// A run at `spm` for `secs` (steps from 0.5 s, a 3 ms wobble), over belt noise, written as a
/// stereo 16-bit WAV; returns the true step times.
fn write_run(path: &Path, spm: f64, secs: f64) -> Vec<f64> {
    let sr = f64::from(RATE);
    let n = (secs * sr) as usize;
    let mut seed = 0x1234_5678_9ABC_DEF1u64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut audio: Vec<f64> = (0..n).map(|_| 0.01 * noise()).collect();
    let mut steps = Vec::new();
    let mut k = 0;
    loop {
        let t = 0.5 + k as f64 * 60.0 / spm + 0.003 * noise();
        if t + 0.2 > secs {
            break;
        }
        let at = (t * sr) as usize;
        for i in 0..(0.1 * sr) as usize {
            let u = i as f64 / sr;
            let s = (TAU * 85.0 * u).sin() * (-u / 0.03).exp()
                + 0.5 * (TAU * 240.0 * u).sin() * (-u / 0.012).exp();
            audio[at + i] += 0.5 * (u / 0.0015).min(1.0) * s;
        }
        steps.push(at as f64 / sr);
        k += 1;
    }
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in audio {
        let v = (s.clamp(-1.0, 1.0) * 32_767.0) as i16;
        w.write_sample(v).unwrap();
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
    steps
}

#[test]
fn a_recorded_run_gives_its_cadence_and_every_step_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("run.wav");
    let truth = write_run(&wav, 172.0, 20.0);
    let out = run_ok(&["measure", wav.to_str().unwrap(), "--json"]);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one object: {text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let spm = v["cadence_spm"].as_f64().unwrap();
    assert!((spm - 172.0).abs() <= 1.0, "{spm}");
    let confidence = v["confidence"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&confidence), "{confidence}");
    let steps: Vec<f64> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_f64().unwrap())
        .collect();
    assert_eq!(steps.len(), truth.len());
    for (s, t) in steps.iter().zip(&truth) {
        assert!((s - t).abs() <= 0.015, "step at {s} s, truth {t} s");
    }
    assert_eq!(v["offsets_ms"], serde_json::json!([]));
}

#[test]
fn the_plain_report_names_the_cadence_and_the_steps() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("run.wav");
    let truth = write_run(&wav, 160.0, 12.0);
    let text = stdout(&run_ok(&["measure", wav.to_str().unwrap()]));
    assert!(text.contains("160."), "{text}");
    assert!(text.contains(&format!("{} steps", truth.len())), "{text}");
    assert!(text.contains("confidence"), "{text}");
}

#[test]
fn silence_is_no_runner_and_still_a_success() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("quiet.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for _ in 0..16_000 * 5 {
        w.write_sample(0.0f32).unwrap();
    }
    w.finalize().unwrap();
    let out = run_ok(&["measure", wav.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(v["cadence_spm"].is_null());
    assert_eq!(v["steps"], serde_json::json!([]));
    let text = stdout(&run_ok(&["measure", wav.to_str().unwrap()]));
    assert!(text.contains("no runner heard"), "{text}");
}

#[test]
fn a_missing_or_broken_file_is_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.wav");
    let out = run(&["measure", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nowhere.wav"), "{err}");

    let broken = dir.path().join("broken.wav");
    std::fs::write(&broken, b"RIFF but not really").unwrap();
    let out = run(&["measure", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.wav"));

    let out = run(&["measure"]);
    assert_eq!(out.status.code(), Some(2));
}
