//! Audio the tests make: footfalls with the spectral shape and jitter of a runner on a deck,
//! belt noise, motor hum, speech-like babble, and the app's own click leaking back with a delay
//! and a room's echoes. Deterministic (seeded), so every test hears the same thing every run.

use std::f64::consts::TAU;

use super::filters::Biquad;

/// A small deterministic generator (xorshift), uniform and roughly normal draws.
pub(crate) struct Noise(u64);

impl Noise {
    pub(crate) fn new(seed: u64) -> Noise {
        Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// -1..1
    pub(crate) fn white(&mut self) -> f64 {
        self.uniform() * 2.0 - 1.0
    }

    /// Roughly standard normal (sum of uniforms).
    pub(crate) fn normal(&mut self) -> f64 {
        (0..6).map(|_| self.uniform()).sum::<f64>() * std::f64::consts::SQRT_2 - 6.0 / 2f64.sqrt()
    }
}

pub(crate) fn silence(rate: u32, secs: f64) -> Vec<f32> {
    vec![0.0; (secs * f64::from(rate)) as usize]
}

/// Adds `b` into `a` scaled by `gain` (`a` keeps its length).
pub(crate) fn mix(a: &mut [f32], b: &[f32], gain: f64) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += (f64::from(*y) * gain) as f32;
    }
}

/// One footfall on a treadmill deck: a low thump (70–110 Hz) ringing ~30 ms, the body's
/// 200–300 Hz knock, and a short shoe slap; a 1.5 ms attack.
fn footfall(rate: u32, noise: &mut Noise, loudness: f64) -> Vec<f32> {
    let sr = f64::from(rate);
    let len = (0.12 * sr) as usize;
    let f1 = 70.0 + 40.0 * noise.uniform();
    let f2 = 200.0 + 100.0 * noise.uniform();
    let mut slap = Biquad::highpass(sr, 700.0, 0.7);
    (0..len)
        .map(|i| {
            let t = i as f64 / sr;
            let attack = (t / 0.0015).min(1.0);
            let thump = (TAU * f1 * t).sin() * (-t / 0.030).exp();
            let knock = 0.5 * (TAU * f2 * t).sin() * (-t / 0.012).exp();
            let s = 0.3 * slap.run(noise.white()) * (-t / 0.004).exp();
            (loudness * attack * (thump + knock + s)) as f32
        })
        .collect()
}

/// A runner at `spm` for `secs`: each step jittered by `jitter_ms` (sd), feet alternating in
/// loudness. Returns the audio and the true impact times (seconds).
pub(crate) fn runner(
    rate: u32,
    secs: f64,
    spm: f64,
    jitter_ms: f64,
    start_s: f64,
    seed: u64,
) -> (Vec<f32>, Vec<f64>) {
    let mut out = silence(rate, secs);
    let mut noise = Noise::new(seed);
    let mut truth = Vec::new();
    let period = 60.0 / spm;
    let mut n = 0;
    loop {
        let t = start_s + n as f64 * period + noise.normal() * jitter_ms / 1000.0;
        if t + 0.15 > secs {
            break;
        }
        let loud = if n % 2 == 0 { 0.5 } else { 0.4 } * (0.85 + 0.3 * noise.uniform());
        let step = footfall(rate, &mut noise, loud);
        let at = (t * f64::from(rate)).round() as usize;
        mix(&mut out[at..], &step, 1.0);
        truth.push(at as f64 / f64::from(rate));
        n += 1;
    }
    (out, truth)
}

/// Treadmill belt noise: low-passed noise whose level swells with the roller (4.6 Hz).
pub(crate) fn belt(rate: u32, secs: f64, level: f64, seed: u64) -> Vec<f32> {
    let sr = f64::from(rate);
    let mut noise = Noise::new(seed);
    let mut lp = Biquad::lowpass(sr, 900.0, 0.7);
    (0..(secs * sr) as usize)
        .map(|i| {
            let t = i as f64 / sr;
            let swell = 1.0 + 0.25 * (TAU * 4.6 * t).sin();
            (level * swell * lp.run(noise.white())) as f32
        })
        .collect()
}

/// Motor hum: mains at 50 Hz with harmonics, and a 120 Hz whine.
pub(crate) fn hum(rate: u32, secs: f64, level: f64) -> Vec<f32> {
    let sr = f64::from(rate);
    (0..(secs * sr) as usize)
        .map(|i| {
            let t = i as f64 / sr;
            let s = (TAU * 50.0 * t).sin()
                + 0.5 * (TAU * 100.0 * t).sin()
                + 0.3 * (TAU * 150.0 * t).sin()
                + 0.4 * (TAU * 120.0 * t + 0.3).sin();
            (level * s / 2.2) as f32
        })
        .collect()
}

/// White noise.
pub(crate) fn white(rate: u32, secs: f64, level: f64, seed: u64) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    (0..(secs * f64::from(rate)) as usize)
        .map(|_| (level * noise.white()) as f32)
        .collect()
}

/// Speech-like babble: voiced syllables of 80–250 ms at an irregular 3–6 a second, a gliding
/// pitch of 100–220 Hz through two formants.
pub(crate) fn speech(rate: u32, secs: f64, level: f64, seed: u64) -> Vec<f32> {
    let sr = f64::from(rate);
    let mut noise = Noise::new(seed);
    let mut out = silence(rate, secs);
    let mut t = 0.1;
    while t < secs - 0.3 {
        let dur = 0.08 + 0.17 * noise.uniform();
        let pitch = 100.0 + 120.0 * noise.uniform();
        let glide = 0.7 + 0.6 * noise.uniform();
        let mut f1 = Biquad::lowpass(sr, 500.0 + 300.0 * noise.uniform(), 4.0);
        let mut f2 = Biquad::lowpass(sr, 1200.0 + 800.0 * noise.uniform(), 5.0);
        let start = (t * sr) as usize;
        let mut phase = 0.0;
        for i in 0..(dur * sr) as usize {
            let u = i as f64 / sr;
            let env = (u / 0.02).min(1.0) * ((dur - u) / 0.03).clamp(0.0, 1.0);
            phase += pitch * (1.0 + (glide - 1.0) * u / dur) / sr;
            // A glottal pulse each period, plus breath.
            let pulse = if phase.fract() < 0.1 { 1.0 } else { 0.0 } + 0.1 * noise.white();
            let v = f1.run(pulse) + 0.5 * f2.run(pulse);
            if let Some(x) = out.get_mut(start + i) {
                *x += (level * env * v) as f32;
            }
        }
        t += dur + 0.05 + 0.25 * noise.uniform();
    }
    out
}

/// The click `wave` sent at each of `frames`, coming back `delay_s` later at `level`, with two
/// room echoes; the delay is fractional (linear interpolation), as sound is.
pub(crate) fn leak(
    rate: u32,
    len: usize,
    wave: &[f32],
    frames: &[u64],
    delay_s: f64,
    level: f64,
) -> Vec<f32> {
    let sr = f64::from(rate);
    let mut out = vec![0.0f32; len];
    let paths = [(0.0, 1.0), (0.0063, 0.45), (0.0171, 0.25)];
    for &f in frames {
        for &(extra, gain) in &paths {
            let at = f as f64 + (delay_s + extra) * sr;
            let (whole, frac) = (at.floor() as usize, at.fract());
            for (j, &s) in wave.iter().enumerate() {
                let s = f64::from(s) * level * gain;
                if let Some(x) = out.get_mut(whole + j) {
                    *x += (s * (1.0 - frac)) as f32;
                }
                if let Some(x) = out.get_mut(whole + j + 1) {
                    *x += (s * frac) as f32;
                }
            }
        }
    }
    out
}

/// The frames of a click track at `spm` from frame 0 for `secs`.
pub(crate) fn click_frames(rate: u32, secs: f64, spm: f64) -> Vec<u64> {
    let sr = f64::from(rate);
    (0..)
        .map(|n| (n as f64 * 60.0 * sr / spm).round() as u64)
        .take_while(|&f| (f as f64) < secs * sr)
        .collect()
}
