//! The ear's cost: a minute of a runner at 170 spm on a treadmill, with the app's click leaking
//! back, streamed through `Ear` in 10 ms blocks as the microphone delivers it, with a report
//! every second, as a live session does. Single-threaded, so the figure is per core.
//!
//! `cargo bench --bench ear`: prints the real-time factor, then divan's timings.

use std::f64::consts::TAU;
use std::time::Instant;

use cadence_coach::audio::SoundBank;
use cadence_coach::cadence::ClickSound;
use cadence_coach::hearing::{ClickWave, Ear, hear_recording};

const RATE: u32 = 48_000;
const SECS: f64 = 60.0;
const ROUND_TRIP: u64 = 2_000;

fn main() {
    let (audio, clicks) = scene();
    let wave = ClickWave::new(SoundBank::new(RATE).samples(ClickSound::Click, false));
    let best = (0..3)
        .map(|_| {
            let start = Instant::now();
            let heard = stream(&audio, &clicks, &wave);
            let t = start.elapsed().as_secs_f64();
            assert!(heard.is_some_and(|h| (h.cadence_spm - 170.0).abs() < 1.0));
            t
        })
        .fold(f64::MAX, f64::min);
    println!(
        "ear: {SECS:.0} s of 48 kHz with clicks, streamed, in {:.1} ms: {:.0}x real time on one core",
        best * 1000.0,
        SECS / best
    );
    divan::main();
}

/// A runner at 170 spm (footfalls of a low thump and a knock), belt noise, and the click at
/// 172 spm leaking back 2000 frames later.
fn scene() -> (Vec<f32>, Vec<u64>) {
    let sr = f64::from(RATE);
    let n = (SECS * sr) as usize;
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut audio: Vec<f32> = (0..n).map(|_| (0.01 * noise()) as f32).collect();
    let period = 60.0 / 170.0;
    let mut t = 0.2;
    while t + 0.2 < SECS {
        let at = (t * sr) as usize;
        for i in 0..(0.1 * sr) as usize {
            let u = i as f64 / sr;
            let s = (TAU * 90.0 * u).sin() * (-u / 0.03).exp()
                + 0.5 * (TAU * 250.0 * u).sin() * (-u / 0.012).exp();
            audio[at + i] += (0.4 * (u / 0.0015).min(1.0) * s) as f32;
        }
        t += period + 0.005 * noise();
    }
    let bank = SoundBank::new(RATE);
    let click = bank.samples(ClickSound::Click, false);
    let clicks: Vec<u64> = (0..)
        .map(|k| (k as f64 * 60.0 * sr / 172.0).round() as u64)
        .take_while(|&f| (f as usize) + click.len() + 3_000 < n)
        .collect();
    for &f in &clicks {
        let at = (f + ROUND_TRIP) as usize;
        for (j, &s) in click.iter().enumerate() {
            audio[at + j] += 0.5 * s;
        }
    }
    (audio, clicks)
}

fn stream(
    audio: &[f32],
    clicks: &[u64],
    wave: &ClickWave,
) -> Option<cadence_coach::hearing::Hearing> {
    let mut ear = Ear::new(RATE).unwrap();
    ear.set_round_trip(ROUND_TRIP);
    let block = (RATE / 100) as usize;
    let mut told = 0;
    let mut last = None;
    for (i, chunk) in audio.chunks(block).enumerate() {
        let now = (i * block) as u64;
        while told < clicks.len() && clicks[told] <= now + u64::from(RATE) / 10 {
            ear.played_click(clicks[told], wave);
            told += 1;
        }
        ear.feed(chunk);
        if i % 100 == 99 {
            last = ear.report();
        }
    }
    last
}

/// The live path: a minute streamed with a report each second.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn one_minute_streamed(bencher: divan::Bencher) {
    let (audio, clicks) = scene();
    let wave = ClickWave::new(SoundBank::new(RATE).samples(ClickSound::Click, false));
    bencher.bench_local(|| stream(&audio, &clicks, &wave));
}

/// The `measure` path: a minute as one recording, no clicks.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn one_minute_recording(bencher: divan::Bencher) {
    let (audio, _) = scene();
    bencher.bench_local(|| hear_recording(&audio, RATE, &[], 0, None).unwrap());
}
