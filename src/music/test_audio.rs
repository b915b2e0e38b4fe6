//! Audio the music tests make: tracks of clicks on known beats, drum loops (kick, snare and
//! hi-hats at known tempi, the hats swung, a fill every eighth bar), and where bursts begin.

use super::deck::{Deck, MemorySource};
use super::grid::StepGrid;

pub const OUT: u32 = 48_000;

/// A track of short clicks (a decaying 2 kHz burst) on every beat from `first_s`, at `bpm`.
pub fn click_track(rate: u32, bpm: f64, first_s: f64, secs: f64) -> (MemorySource, Vec<f32>) {
    let n = (secs * f64::from(rate)) as usize;
    let mut samples = vec![0.0f32; n * 2];
    let mut beats = Vec::new();
    let mut t = first_s;
    while t < secs - 0.1 {
        beats.push(t as f32);
        let at = (t * f64::from(rate)).round() as usize;
        for i in 0..(rate as usize / 100) {
            let x = (i as f64 / f64::from(rate) * 2000.0 * std::f64::consts::TAU).sin()
                * (-(i as f64) / (f64::from(rate) * 0.002)).exp();
            samples[(at + i) * 2] = x as f32 * 0.8;
            samples[(at + i) * 2 + 1] = x as f32 * 0.8;
        }
        t += 60.0 / bpm;
    }
    (
        MemorySource {
            rate,
            samples,
            pos: 0,
        },
        beats,
    )
}

/// The frame where each burst in `out` starts: the first frame past half the burst's peak,
/// searched ±40 ms around each expected frame.
pub fn onsets_near(out: &[f32], expected: &[f64]) -> Vec<Option<f64>> {
    let mono: Vec<f32> = out.chunks_exact(2).map(|f| f[0].abs()).collect();
    let w = (OUT as f64 * 0.04) as usize;
    expected
        .iter()
        .map(|&e| {
            let c = e.round() as usize;
            if c < w || c + w >= mono.len() {
                return None;
            }
            let win = &mono[c - w..c + w];
            let peak = win.iter().cloned().fold(0.0f32, f32::max);
            if peak < 0.05 {
                return None;
            }
            let first = win.iter().position(|&s| s >= peak * 0.5)?;
            Some((c - w + first) as f64)
        })
        .collect()
}

pub fn render(deck: &mut Deck, grid: &mut dyn StepGrid, frames: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; frames * 2];
    let block = 1024;
    let mut at = 0;
    while at < frames {
        let n = block.min(frames - at);
        deck.render_add(grid, at as u64, &mut out[at * 2..(at + n) * 2]);
        at += n;
    }
    out
}

/// Measures where the track's beats sounded against the grid's steps, in ms: (worst, found).
pub fn beat_errors(
    out: &[f32],
    grid: &mut dyn StepGrid,
    steps: std::ops::Range<u64>,
) -> (f64, usize) {
    let expected: Vec<f64> = steps.map(|k| grid.frame(k)).collect();
    // The burst's half-peak lies a few samples after its start, as in the source.
    let found = onsets_near(out, &expected);
    let mut worst = 0.0f64;
    let mut count = 0;
    for (k, (e, f)) in expected.iter().zip(found).enumerate() {
        if let Some(f) = f {
            if std::env::var_os("BEAT_ERRORS").is_some() {
                eprintln!("step {k}: {:+.2} ms", (f - e) / f64::from(OUT) * 1000.0);
            }
            worst = worst.max((f - e).abs() / f64::from(OUT) * 1000.0);
            count += 1;
        }
    }
    (worst, count)
}

/// xorshift, for noise that is the same on every machine.
pub struct Noise(pub u64);

impl Noise {
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

#[derive(Clone, Copy)]
pub enum Drum {
    Kick,
    Snare,
    Hat,
}

pub fn hit(out: &mut [f32], rate: u32, at_s: f64, drum: Drum, noise: &mut Noise) {
    let start = (at_s * f64::from(rate)) as usize;
    let len = (0.25 * f64::from(rate)) as usize;
    let mut last = 0.0f32;
    let mut phase = 0.0f32;
    for i in 0..len {
        let t = i as f32 / rate as f32;
        let v = match drum {
            Drum::Kick => {
                let f = 50.0 + 70.0 * (-t / 0.03).exp();
                phase += std::f32::consts::TAU * f / rate as f32;
                0.9 * phase.sin() * (-t / 0.15).exp()
            }
            Drum::Snare => {
                phase += std::f32::consts::TAU * 185.0 / rate as f32;
                (0.5 * noise.next() + 0.3 * phase.sin()) * (-t / 0.07).exp()
            }
            Drum::Hat => {
                // White noise differenced: mostly above a few kHz.
                let n = noise.next();
                let v = n - last;
                last = n;
                0.15 * v * (-t / 0.015).exp()
            }
        };
        if let Some(s) = out.get_mut(start + i) {
            *s += v;
        }
    }
}

/// A drum loop at `bpm` for `secs`: kick on 1 and 3 (and the "and" of 2 every other bar),
/// snare on 2 and 4, hats on every eighth with the off-beats late by `swing` (0.5 straight),
/// and every eighth bar a fill of sixteenth snares over beats 3 and 4. The quarter-note times.
pub fn drum_loop_at(rate: u32, bpm: f64, secs: f64, swing: f64) -> (Vec<f32>, Vec<f64>) {
    let mut out = vec![0.0f32; (secs * f64::from(rate)) as usize];
    let mut noise = Noise(0x00c0_ffee);
    let beat = 60.0 / bpm;
    let mut beats = Vec::new();
    let mut b = 0usize;
    loop {
        let at = 0.3 + b as f64 * beat;
        if at > secs - 0.3 {
            break;
        }
        beats.push(at);
        let bar = b / 4;
        let in_bar = b % 4;
        let fill = bar % 8 == 7 && in_bar >= 2;
        if fill {
            for k in 0..4 {
                hit(
                    &mut out,
                    rate,
                    at + k as f64 * beat / 4.0,
                    Drum::Snare,
                    &mut noise,
                );
            }
        } else {
            match in_bar {
                0 | 2 => hit(&mut out, rate, at, Drum::Kick, &mut noise),
                _ => hit(&mut out, rate, at, Drum::Snare, &mut noise),
            }
            if in_bar == 1 && bar % 2 == 1 {
                hit(&mut out, rate, at + beat * swing, Drum::Kick, &mut noise);
            }
            hit(&mut out, rate, at, Drum::Hat, &mut noise);
            hit(&mut out, rate, at + beat * swing, Drum::Hat, &mut noise);
        }
        b += 1;
    }
    (out, beats)
}

/// Writes mono `samples` as a 16-bit stereo WAV file.
pub fn write_wav(path: &std::path::Path, rate: u32, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0) as i16;
        w.write_sample(v).unwrap();
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
}

/// Where the attack near each expected frame is in `out` (stereo at [`OUT`]): the sharpest rise
/// of the energy of the highs over 3 ms against the 3 ms before, in 0.5-ms steps, within
/// ±30 ms, into something within 10 dB of the loudest there; `None` where nothing rises by
/// 6 dB.
pub fn attacks_near(out: &[f32], expected: &[f64]) -> Vec<Option<f64>> {
    let hop = (OUT / 2000) as usize;
    // The highs (the second difference of the left channel): the hat or snare on the beat,
    // not the low ringing of a kick that went before.
    let left: Vec<f32> = out.iter().step_by(2).copied().collect();
    let highs: Vec<f32> = (0..left.len())
        .map(|i| {
            let at = |j: usize| left.get(j).copied().unwrap_or(0.0);
            at(i) - 2.0 * at(i.wrapping_sub(1)) + at(i.wrapping_sub(2))
        })
        .collect();
    let energy: Vec<f32> = highs
        .chunks(hop)
        .map(|c| c.iter().map(|s| s * s).sum::<f32>())
        .collect();
    let reach = (0.03 * f64::from(OUT)) as usize / hop;
    expected
        .iter()
        .map(|&e| {
            let c = (e / hop as f64).round() as usize;
            if c < reach + 6 || c + reach + 6 >= energy.len() {
                return None;
            }
            let sums = |i: usize| -> (f32, f32) {
                (energy[i - 6..i].iter().sum(), energy[i..i + 6].iter().sum())
            };
            let window = c - reach..=c + reach;
            // Only rises into something loud count: a stretcher's faint smear before a hit
            // (30 dB and more below it) is not where the beat is heard.
            let loudest = window.clone().map(|i| sums(i).1).fold(0.0f32, f32::max);
            let rise = |i: usize| {
                let (before, after) = sums(i);
                if after < loudest * 0.1 {
                    return f32::MIN;
                }
                10.0 * ((after + 1e-9) / (before + 1e-9)).log10()
            };
            let best = window.max_by(|&a, &b| rise(a).total_cmp(&rise(b)))?;
            (rise(best) >= 6.0).then_some((best * hop) as f64)
        })
        .collect()
}

/// The attacks at `steps` of the grid against the steps, in ms: (worst, found).
pub fn attack_errors(
    out: &[f32],
    grid: &mut dyn StepGrid,
    steps: std::ops::Range<u64>,
) -> (f64, usize) {
    let expected: Vec<f64> = steps.clone().map(|k| grid.frame(k)).collect();
    let mut worst = 0.0f64;
    let mut count = 0;
    for ((k, e), f) in steps.zip(&expected).zip(attacks_near(out, &expected)) {
        if f.is_none() && std::env::var_os("BEAT_ERRORS").is_some() {
            eprintln!("step {k}: no attack");
        }
        if let Some(f) = f {
            let err = (f - e) / f64::from(OUT) * 1000.0;
            if std::env::var_os("BEAT_ERRORS").is_some() && err.abs() > 3.0 {
                eprintln!("step {k}: {err:+.2} ms");
            }
            worst = worst.max(err.abs());
            count += 1;
        }
    }
    (worst, count)
}
