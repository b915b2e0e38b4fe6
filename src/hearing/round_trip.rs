//! The round-trip check: how long the app's click takes from being sent to the speakers until
//! the microphone hears it (the output's latency, the air, the input's latency).
//!
//! Told the clicks sent (each at the input frame when it was sent) and the microphone's samples
//! over the same seconds, it looks for every click again: the input is high-passed above where
//! footfalls live, so a thump does not look like a tick; its energy in 1 ms bins is summed
//! across the clicks at every delay up to [`MAX_ROUND_TRIP_S`], normalised per click so no one
//! loud moment decides; and the best delay is refined to the sample by correlating each
//! click's waveform with what came back. A steady click track is periodic, so a delay longer
//! than a step also shows up shortened by one step (the *previous* click's echo): a click with
//! no other click before it in range, the first one of a session, tells the two apart.
//!
//! With headphones nothing comes back: the check reports `None` and says so rather than guess.

use super::PlayedClick;
use super::filters::Biquad;

/// The longest round trip looked for.
pub const MAX_ROUND_TRIP_S: f64 = 1.0;
/// Clicks needed in the check.
pub const MIN_CLICKS: usize = 4;
/// How far above its surroundings the summed echo must stand to count as heard.
const PROMINENCE: f64 = 4.0;
/// How far around the energy's peak, in 1 ms bins, the waveform is lined up.
const FINE_BINS: usize = 10;
/// A single click's energy counts at most this many times its window's median.
const CAP: f64 = 50.0;

/// The delay, in input frames, at which the clicks came back; `None` when they were not heard
/// (headphones, a muted speaker) or fewer than [`MIN_CLICKS`] clicks fall within the samples.
///
/// `samples` start at input frame `first_frame`; `clicks` may include clicks sent before it
/// (they only show which clicks had another shortly before them).
pub fn measure_round_trip(
    samples: &[f32],
    rate: u32,
    first_frame: u64,
    clicks: &[PlayedClick],
) -> Option<u64> {
    let sr = f64::from(rate);
    let corner = (0.3 * sr).min(2_000.0);
    let y = highpassed(samples, sr, corner);
    let bin = (rate / 1_000).max(1) as usize;
    let energy: Vec<f64> = y
        .chunks(bin)
        .map(|c| c.iter().map(|&s| f64::from(s).powi(2)).sum())
        .collect();
    let max_bins = (MAX_ROUND_TRIP_S * 1_000.0) as usize;
    let max_frames = (MAX_ROUND_TRIP_S * sr) as u64;

    // Each usable click's energy after it, relative to its own window's median.
    let mut windows: Vec<(usize, Vec<f64>)> = Vec::new();
    for (i, click) in clicks.iter().enumerate() {
        let Some(offset) = click.frame.checked_sub(first_frame) else {
            continue;
        };
        let start = offset as usize / bin;
        let Some(window) = energy.get(start..start + max_bins + 1) else {
            continue;
        };
        let median = median(window).max(1e-12);
        let norm: Vec<f64> = window.iter().map(|&e| (e / median).min(CAP)).collect();
        windows.push((i, norm));
    }
    if windows.len() < MIN_CLICKS {
        return None;
    }
    let mut sum = vec![0.0; max_bins + 1];
    for (_, w) in &windows {
        for (s, &e) in sum.iter_mut().zip(w) {
            *s += e;
        }
    }
    let floor = median(&sum).max(1e-12);
    let peak = sum.iter().copied().fold(0.0, f64::max);
    if peak / floor < PROMINENCE {
        return None;
    }
    // Delays whose summed echo is a local peak near the best, shortest first.
    let candidates: Vec<usize> = (0..sum.len())
        .filter(|&l| {
            let lo = l.saturating_sub(3);
            let hi = (l + 3).min(sum.len() - 1);
            sum[l] >= 0.5 * peak && (lo..=hi).all(|k| sum[k] <= sum[l])
        })
        .collect();
    // Clicks with no other click in the range before them: one of them must hear its own echo
    // at the true delay, which rules out the delay shortened by a step.
    let isolated: Vec<&Vec<f64>> = windows
        .iter()
        .filter(|(i, _)| {
            let f = clicks[*i].frame;
            !clicks
                .iter()
                .any(|c| c.frame < f && f - c.frame < max_frames)
        })
        .map(|(_, w)| w)
        .collect();
    let stands_out = |w: &Vec<f64>, l: usize| {
        w[l.saturating_sub(2)..=(l + 2).min(max_bins)]
            .iter()
            .any(|&e| e >= PROMINENCE)
    };
    let coarse = candidates.into_iter().find(|&l| {
        // Most clicks must come back there, not one loud moment in one of them.
        let heard = windows.iter().filter(|(_, w)| stands_out(w, l)).count();
        2 * heard >= windows.len()
            && (isolated.is_empty() || isolated.iter().any(|w| stands_out(w, l)))
    })?;

    // To the sample: the lag where the clicks' own waveforms line up with what came back. The
    // energy peak of a ringing sound lags its start, so the search reaches well around it.
    let from = (coarse * bin).saturating_sub(FINE_BINS * bin);
    let to = coarse * bin + FINE_BINS * bin;
    // Lined up below 6 kHz, where a delay between two samples blurs the wave least.
    let y = banded(samples, sr, corner);
    let templates: Vec<(usize, Vec<f32>)> = windows
        .iter()
        .map(|(i, _)| {
            let click = &clicks[*i];
            let start = (click.frame - first_frame) as usize;
            (start, banded(click.wave.samples(), sr, corner))
        })
        .collect();
    let lined_up: Vec<f64> = (from..=to)
        .map(|lag| {
            let mut total = 0.0;
            for (start, template) in &templates {
                let at = start + lag;
                let Some(heard) = y.get(at..at + template.len()) else {
                    continue;
                };
                total += template
                    .iter()
                    .zip(heard)
                    .map(|(&a, &b)| f64::from(a) * f64::from(b))
                    .sum::<f64>();
            }
            // A speaker may invert the wave: what counts is how well it lines up.
            total.abs()
        })
        .collect();
    let best = (0..lined_up.len()).max_by(|&a, &b| lined_up[a].total_cmp(&lined_up[b]))?;
    Some((from + best) as u64)
}

fn highpassed(samples: &[f32], sr: f64, corner: f64) -> Vec<f32> {
    let mut a = Biquad::highpass(sr, corner, 0.7);
    let mut b = Biquad::highpass(sr, corner, 0.7);
    samples
        .iter()
        .map(|&s| b.run(a.run(f64::from(s))) as f32)
        .collect()
}

fn banded(samples: &[f32], sr: f64, corner: f64) -> Vec<f32> {
    let mut a = Biquad::lowpass(sr, (0.45 * sr).min(6_000.0), 0.7);
    let mut b = Biquad::lowpass(sr, (0.45 * sr).min(6_000.0), 0.7);
    highpassed(samples, sr, corner)
        .into_iter()
        .map(|s| b.run(a.run(f64::from(s))) as f32)
        .collect()
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::super::ClickWave;
    use super::super::synth::{belt, click_frames, leak, mix, runner};
    use super::*;
    use crate::audio::SoundBank;
    use crate::cadence::ClickSound;

    const RATE: u32 = 48_000;

    fn played(frames: &[u64], sound: ClickSound) -> Vec<PlayedClick> {
        let wave = ClickWave::new(SoundBank::new(RATE).samples(sound, false));
        frames
            .iter()
            .map(|&frame| PlayedClick {
                frame,
                wave: wave.clone(),
            })
            .collect()
    }

    /// Five seconds of a runner on a belt, with the click at `spm` coming back after
    /// `delay_s` at `level` (0: headphones).
    fn check(spm: f64, delay_s: f64, level: f64, sound: ClickSound) -> Option<f64> {
        let secs = 5.0;
        let (mut audio, _) = runner(RATE, secs, 166.0, 6.0, 0.2, 7);
        mix(&mut audio, &belt(RATE, secs, 0.02, 8), 1.0);
        let frames = click_frames(RATE, secs, spm);
        let clicks = played(&frames, sound);
        let wave = clicks[0].wave.samples().to_vec();
        let leaked = leak(RATE, audio.len(), &wave, &frames, delay_s, level);
        mix(&mut audio, &leaked, 1.0);
        measure_round_trip(&audio, RATE, 0, &clicks).map(|f| f as f64 / f64::from(RATE))
    }

    #[test]
    fn finds_the_delay_of_every_click_sound_over_a_runner() {
        for sound in ClickSound::ALL {
            for (delay, level) in [(0.0423, 0.3), (0.1187, 0.05), (0.2502, 1.0)] {
                let got = check(172.0, delay, level, sound)
                    .unwrap_or_else(|| panic!("{sound:?} at {delay} s not heard"));
                assert!(
                    (got - delay).abs() < 0.0005,
                    "{sound:?}: {got:.4} s for a round trip of {delay} s"
                );
            }
        }
    }

    #[test]
    fn a_round_trip_longer_than_a_step_is_not_taken_a_step_short() {
        // 172 spm is 349 ms a step: 420 ms also lines up with the previous click at 71 ms,
        // except for the first click.
        let got = check(172.0, 0.42, 0.1, ClickSound::Click).unwrap();
        assert!((got - 0.42).abs() < 0.0005, "{got:.4} s");
    }

    #[test]
    fn headphones_leave_it_unmeasured() {
        assert_eq!(check(172.0, 0.05, 0.0, ClickSound::Click), None);
    }

    #[test]
    fn too_few_clicks_leave_it_unmeasured() {
        let (audio, _) = runner(RATE, 1.5, 166.0, 6.0, 0.2, 7);
        let clicks = played(&[0, 20_000, 40_000], ClickSound::Click);
        assert_eq!(measure_round_trip(&audio, RATE, 0, &clicks), None);
    }
}
