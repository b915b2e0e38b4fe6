//! The click sounds, synthesised once at the output's sample rate when a track is built.
//!
//! Synthesis instead of bundled recordings: the sounds are embedded in the binary as code, need
//! no resampling at any device rate, and every one starts with its loudest transient on its
//! first sample, so a click's onset is exactly the beat's frame.

use std::f32::consts::TAU;

use crate::cadence::ClickSound;

/// Peak level of a plain click and of an accented one, before volume.
const PLAIN_PEAK: f32 = 0.6;
const ACCENT_PEAK: f32 = 0.95;

/// Plain and accented versions of every sound at one sample rate. Built off the audio thread.
#[derive(Debug)]
pub struct SoundBank {
    rate: u32,
    plain: Vec<Vec<f32>>,
    accented: Vec<Vec<f32>>,
}

impl SoundBank {
    pub fn new(rate: u32) -> SoundBank {
        let plain = ClickSound::ALL
            .iter()
            .map(|&s| normalise(synth(s, rate, false), PLAIN_PEAK))
            .collect();
        let accented = ClickSound::ALL
            .iter()
            .map(|&s| normalise(synth(s, rate, true), ACCENT_PEAK))
            .collect();
        SoundBank {
            rate,
            plain,
            accented,
        }
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The mono samples of one click.
    pub fn samples(&self, sound: ClickSound, accent: bool) -> &[f32] {
        let set = if accent { &self.accented } else { &self.plain };
        &set[sound.index()]
    }

    /// The longest sound in frames; a click never outlasts the shortest step interval.
    pub fn longest(&self) -> usize {
        self.plain
            .iter()
            .chain(&self.accented)
            .map(Vec::len)
            .max()
            .unwrap_or(0)
    }
}

/// A soft two-note chime (stereo, interleaved) for a new form cue: quiet, slow to start and to
/// fade, and unlike any click, so it never reads as a step.
pub fn chime(rate: u32) -> Vec<f32> {
    let sr = rate as f32;
    let len = frames(rate, 700.0);
    let mut out = Vec::with_capacity(len * 2);
    for i in 0..len {
        let t = i as f32 / sr;
        let attack = (t / 0.015).min(1.0);
        let first = if t < 0.25 {
            (TAU * 660.0 * t).sin() * (-t / 0.12).exp()
        } else {
            0.0
        };
        let second = if t >= 0.2 {
            let u = t - 0.2;
            (TAU * 990.0 * u).sin() * (-u / 0.15).exp() * (u / 0.015).min(1.0)
        } else {
            0.0
        };
        let s = 0.12 * attack * (first + second);
        out.push(s);
        out.push(s);
    }
    out
}

fn normalise(mut samples: Vec<f32>, peak: f32) -> Vec<f32> {
    let max = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if max > 0.0 {
        samples.iter_mut().for_each(|s| *s *= peak / max);
    }
    samples
}

fn frames(rate: u32, ms: f32) -> usize {
    (rate as f32 * ms / 1000.0).round() as usize
}

fn synth(sound: ClickSound, rate: u32, accent: bool) -> Vec<f32> {
    let sr = rate as f32;
    match sound {
        ClickSound::Click => {
            // An impulse into a fast-decaying, high-passed noise burst; the accent adds a
            // 2.5 kHz ping so it reads as "higher" as well as louder.
            let len = frames(rate, if accent { 25.0 } else { 14.0 });
            let tau = if accent { 0.004 } else { 0.0025 } * sr;
            let mut seed = 0x9E37_79B9u32;
            let mut prev = 0.0f32;
            (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    let noise = (seed as f32 / u32::MAX as f32) * 2.0 - 1.0;
                    let hp = noise - prev;
                    prev = noise;
                    let env = (-(i as f32) / tau).exp();
                    let ping = if accent {
                        (TAU * 2500.0 * i as f32 / sr).cos() * 0.6
                    } else {
                        0.0
                    };
                    let impulse = if i == 0 { 1.5 } else { 0.0 };
                    (impulse + hp * 0.5 + ping) * env
                })
                .collect()
        }
        ClickSound::Woodblock => {
            // Two inharmonic partials with a quick decay: a hollow knock.
            let f = if accent { 1100.0 } else { 820.0 };
            let len = frames(rate, 60.0);
            let tau = 0.012 * sr;
            (0..len)
                .map(|i| {
                    let t = i as f32 / sr;
                    let env = (-(i as f32) / tau).exp();
                    ((TAU * f * t).cos() + 0.5 * (TAU * f * 2.76 * t).cos()) * env
                })
                .collect()
        }
        ClickSound::Beep => {
            // A steady sine with a short release: the watch-metronome beep.
            let f = if accent { 1500.0 } else { 1000.0 };
            let len = frames(rate, 50.0);
            let release = frames(rate, 8.0) as f32;
            (0..len)
                .map(|i| {
                    let t = i as f32 / sr;
                    let left = (len - i) as f32;
                    let env = (left / release).min(1.0);
                    (TAU * f * t).cos() * env
                })
                .collect()
        }
        ClickSound::Cowbell => {
            // Two square-ish partials a tritone-ish apart, ringing longer: a cowbell.
            let (f1, f2) = if accent {
                (740.0, 1066.0)
            } else {
                (540.0, 800.0)
            };
            let len = frames(rate, 90.0);
            let tau = 0.03 * sr;
            let square = |phase: f32| (phase.cos() * 3.0).tanh();
            (0..len)
                .map(|i| {
                    let t = i as f32 / sr;
                    let env = (-(i as f32) / tau).exp();
                    (square(TAU * f1 * t) + square(TAU * f2 * t)) * 0.5 * env
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sound_starts_loud_on_its_first_sample_and_is_short() {
        for rate in [44_100, 48_000, 96_000] {
            let bank = SoundBank::new(rate);
            for sound in ClickSound::ALL {
                for accent in [false, true] {
                    let s = bank.samples(sound, accent);
                    let peak = s.iter().fold(0.0f32, |m, x| m.max(x.abs()));
                    assert!(s[0].abs() >= 0.35 * peak, "{sound} starts soft");
                    assert!(peak <= 0.95 + 1e-6);
                }
            }
            // 240 spm leaves 250 ms between steps; no click may ring into the next.
            assert!(bank.longest() < rate as usize / 4);
        }
    }

    #[test]
    fn the_sounds_are_clearly_different() {
        let bank = SoundBank::new(48_000);
        let sig = |s: &[f32]| {
            let zero_crossings = s
                .windows(2)
                .filter(|w| w[0].signum() != w[1].signum())
                .count();
            (s.len(), zero_crossings)
        };
        let sigs: Vec<_> = ClickSound::ALL
            .iter()
            .map(|&s| sig(bank.samples(s, false)))
            .collect();
        for i in 0..sigs.len() {
            for j in i + 1..sigs.len() {
                assert_ne!(sigs[i], sigs[j]);
            }
        }
        // Accents differ from plain clicks, in level and in pitch or length.
        for s in ClickSound::ALL {
            assert_ne!(bank.samples(s, true), bank.samples(s, false));
        }
    }
}
