//! The music analysis's cost: a four-minute track at 44.1 kHz (a drum loop at 126 BPM under a
//! sustained chord and noise) analysed once, single-threaded, so the figure is per core; the
//! aim is under 2 s.
//!
//! `cargo bench --bench music`: prints the seconds taken and the real-time factor.

use std::f32::consts::TAU;
use std::time::Instant;

use cadence_coach::music::analysis::analyse;

const RATE: u32 = 44_100;
const SECS: f32 = 240.0;
const BPM: f32 = 126.0;

fn main() {
    let track = track();
    let best = (0..3)
        .map(|_| {
            let start = Instant::now();
            let found = analyse(&track, RATE).expect("a beat");
            let t = start.elapsed().as_secs_f64();
            assert!((found.bpm - f64::from(BPM)).abs() < 0.5, "{}", found.bpm);
            t
        })
        .fold(f64::MAX, f64::min);
    println!(
        "music analysis: {SECS:.0} s of 44.1 kHz in {best:.3} s on one core ({:.0}x real time; aim under 2 s)",
        f64::from(SECS) / best
    );
}

fn track() -> Vec<f32> {
    let n = (SECS * RATE as f32) as usize;
    let mut out = vec![0.0f32; n];
    let mut seed = 0x1234_5678u32;
    let beat = 60.0 / BPM;
    for (i, s) in out.iter_mut().enumerate() {
        let t = i as f32 / RATE as f32;
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed as f32 / u32::MAX as f32) * 2.0 - 1.0;
        let chord =
            0.05 * ((TAU * 220.0 * t).sin() + (TAU * 277.2 * t).sin() + (TAU * 329.6 * t).sin());
        let since = t % beat;
        let kick = 0.8
            * (TAU * (50.0 + 60.0 * (-since / 0.03).exp()) * since).sin()
            * (-since / 0.12).exp();
        let half = (t + beat / 2.0) % beat;
        let hat = 0.1 * noise * (-half / 0.015).exp();
        *s = chord + kick + hat + 0.01 * noise;
    }
    out
}
