//! A microphone for the end-to-end tests: a second null sink of a private PulseAudio whose
//! monitor is the default source, the app's output leaking into it as speakers leak into a
//! laptop's microphone, and footfalls the test makes to play into it.

use std::f64::consts::TAU;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{SoundServer, stderr};

/// A small deterministic noise source (xorshift), so the test hears the same run every time.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn white(&mut self) -> f64 {
        2.0 * self.uniform() - 1.0
    }
}

/// A treadmill runner at `spm` for `secs` at 48 kHz: low thumps with a knock, each step
/// jittered by up to ±8 ms, feet alternating in loudness, over faint belt noise.
pub fn footfalls(spm: f64, secs: f64) -> Vec<i16> {
    footfalls_changing(spm, secs, spm, secs)
}

/// The same runner at `spm` until `switch_s`, then at `then_spm`, without a break in the steps.
#[allow(dead_code)]
pub fn footfalls_changing(spm: f64, switch_s: f64, then_spm: f64, secs: f64) -> Vec<i16> {
    let rate = 48_000.0;
    let mut out = vec![0.0f64; (secs * rate) as usize];
    let mut noise = Noise(0x5eed_f00d);
    for s in out.iter_mut() {
        *s = 0.01 * noise.white();
    }
    let mut t = 0.5;
    let mut step = 0;
    while t < secs - 0.2 {
        let at = t + 0.008 * noise.white();
        let loud = if step % 2 == 0 { 0.6 } else { 0.45 } * (0.9 + 0.2 * noise.uniform());
        let f1 = 70.0 + 40.0 * noise.uniform();
        let f2 = 200.0 + 100.0 * noise.uniform();
        let start = (at * rate) as usize;
        for i in 0..(0.12 * rate) as usize {
            let tt = i as f64 / rate;
            let attack = (tt / 0.0015).min(1.0);
            let thump = (TAU * f1 * tt).sin() * (-tt / 0.030).exp();
            let knock = 0.5 * (TAU * f2 * tt).sin() * (-tt / 0.012).exp();
            if let Some(s) = out.get_mut(start + i) {
                *s += loud * attack * (thump + knock);
            }
        }
        t += 60.0 / if t < switch_s { spm } else { then_spm };
        step += 1;
    }
    out.iter()
        .map(|s| (s.clamp(-1.0, 1.0) * 32_000.0) as i16)
        .collect()
}

pub fn write_wav(path: &Path, samples: &[i16]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

pub fn pactl(server: &SoundServer, args: &[&str]) {
    let mut cmd = Command::new("pactl");
    cmd.args(args);
    server.apply(&mut cmd);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "pactl {args:?}: {}", stderr(&out));
}

/// A private sound server whose default source is a "microphone" null sink into which the
/// output (the `ci` sink) leaks through a loopback, as speakers leak into a laptop's mic.
pub fn speakers_into_the_microphone() -> SoundServer {
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
    pactl(
        &server,
        &[
            "load-module",
            "module-loopback",
            "source=ci.monitor",
            "sink=mic",
            "latency_msec=60",
        ],
    );
    // The loopback carries sound once its streams have started.
    std::thread::sleep(std::time::Duration::from_secs(1));
    server
}

/// Plays `samples` (48 kHz mono) into the microphone sink; kill the child to stop it.
pub fn play_into_the_microphone(server: &SoundServer, samples: &[i16]) -> std::process::Child {
    let path = server.dir().join("into-the-mic.wav");
    write_wav(&path, samples);
    let mut player = Command::new("paplay");
    player.args(["-d", "mic"]).arg(&path).stdout(Stdio::null());
    server.apply(&mut player);
    player.spawn().expect("paplay starts")
}
