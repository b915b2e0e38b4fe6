//! A track's tempo and beats, from its samples: pure signal processing (no decoding, no
//! files, no clock), deterministic, tested on drum loops the tests make.
//!
//! How: an onset-strength envelope at 100 frames a second (the positive spectral flux of
//! log-compressed magnitudes, 46 ms Hann windows), its autocorrelation weighted toward
//! musical tempos for the beat period, then the beats by dynamic programming over the
//! envelope (Ellis 2007: each beat the strongest onset about one period after the last), and
//! the tempo from a straight line through all of them, which is far finer than the 10 ms
//! frames. A track whose beats wander or barely stand out of the envelope has no steady beat.
//! Half and double tempo are resolved toward running cadences afterwards ([`running_spm`]).

use rustfft::FftPlanner;
use rustfft::num_complex::Complex32;

/// Onset frames per second.
pub const FRAME_RATE: f64 = 100.0;
/// The analysis window, in seconds.
const WINDOW_S: f64 = 0.046;
/// Tempos looked for, in beats per minute.
const MIN_BPM: f64 = 40.0;
const MAX_BPM: f64 = 240.0;
/// The tempo prior: a log-normal centred here (most music's beat), an octave wide.
const PRIOR_BPM: f64 = 120.0;
const PRIOR_OCTAVES: f64 = 1.0;
/// How firmly the beat tracker holds the period (Ellis's "tightness").
const TIGHTNESS: f64 = 100.0;
/// A steady beat: intervals within this spread (coefficient of variation; 10 ms frames alone
/// make about 2 % at 174 BPM) …
const MAX_IBI_SPREAD: f64 = 0.05;
/// … and an envelope that repeats at the beat: its autocorrelation there, over that at 0 (about
/// 0.02 for noise, 0.3 and more for a drum loop).
const MIN_PERIODICITY: f64 = 0.1;
/// Running cadences the tempo is resolved toward, in steps per minute.
pub const RUNNING_SPM: std::ops::RangeInclusive<f64> = 150.0..=190.0;

/// What a track's analysis found.
#[derive(Debug, Clone, PartialEq)]
pub struct BeatAnalysis {
    /// The beat's tempo, beats per minute, as the music counts it (before resolving toward
    /// running cadences).
    pub bpm: f64,
    /// Every beat, seconds from the start of the samples.
    pub beats_s: Vec<f64>,
    /// Whether the beat is steady enough to run to.
    pub steady: bool,
    /// How much the onset envelope repeats at the beat period: its autocorrelation there over
    /// that at lag 0 (near 0: no beat).
    pub periodicity: f64,
    /// The spread of the beat intervals (standard deviation over mean).
    pub spread: f64,
}

impl BeatAnalysis {
    /// The tempo as a runner's cadence: the bpm, its double or half, nearest the running range.
    pub fn spm(&self) -> f64 {
        running_spm(self.bpm)
    }
}

/// A tempo's octave nearest running cadences: 88 BPM is a 176 spm song, 90 BPM one of 180, and
/// 120 BPM stays 120 (240 is further from a runner's range).
pub fn running_spm(bpm: f64) -> f64 {
    let distance = |spm: f64| {
        if RUNNING_SPM.contains(&spm) {
            0.0
        } else {
            (spm / RUNNING_SPM.start())
                .ln()
                .abs()
                .min((spm / RUNNING_SPM.end()).ln().abs())
        }
    };
    [bpm, bpm * 2.0, bpm / 2.0, bpm * 4.0, bpm / 4.0]
        .into_iter()
        .min_by(|a, b| distance(*a).total_cmp(&distance(*b)))
        .unwrap_or(bpm)
}

/// Analyses mono `samples` at `rate` Hz. `None` for too little sound to hold two beats.
pub fn analyse(samples: &[f32], rate: u32) -> Option<BeatAnalysis> {
    let envelope = onset_envelope(samples, rate);
    let (period, periodicity) = beat_period(&envelope)?;
    let beats = track_beats(&envelope, period);
    if beats.len() < 4 {
        return None;
    }
    let to_s = |frame: f64| frame / FRAME_RATE;
    let beats_s: Vec<f64> = beats.iter().map(|&f| to_s(f as f64)).collect();
    let slope = line_slope(&beats_s);
    let bpm = 60.0 / slope;
    let intervals: Vec<f64> = beats_s.windows(2).map(|w| w[1] - w[0]).collect();
    let mean = intervals.iter().sum::<f64>() / intervals.len() as f64;
    let spread =
        (intervals.iter().map(|i| (i - mean).powi(2)).sum::<f64>() / intervals.len() as f64).sqrt()
            / mean;
    Some(BeatAnalysis {
        bpm,
        steady: spread <= MAX_IBI_SPREAD && periodicity >= MIN_PERIODICITY,
        beats_s,
        periodicity,
        spread,
    })
}

/// The onset strength, one value per 1/[`FRAME_RATE`] s: how much the spectrum rose, summed over
/// frequency, less its local mean, never below zero. Frame `t` is centred at `t / FRAME_RATE` s.
pub fn onset_envelope(samples: &[f32], rate: u32) -> Vec<f32> {
    let rate_f = f64::from(rate.max(1));
    let hop = rate_f / FRAME_RATE;
    let n = ((WINDOW_S * rate_f) as usize).next_power_of_two().max(64);
    let frames = (samples.len() as f64 / hop) as usize;
    let window: Vec<f32> = (0..n)
        .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos())
        .collect();
    let fft = FftPlanner::new().plan_fft_forward(n);
    let bins = n / 2;
    let mut buffer = vec![Complex32::default(); n];
    let mut scratch = vec![Complex32::default(); fft.get_inplace_scratch_len()];
    let mut previous = vec![0.0f32; bins];
    let mut current = vec![0.0f32; bins];
    let mut flux = Vec::with_capacity(frames);
    for t in 0..frames {
        // Centred on the frame's time.
        let centre = (t as f64 * hop) as isize;
        let start = centre - (n / 2) as isize;
        for (i, slot) in buffer.iter_mut().enumerate() {
            let at = start + i as isize;
            let s = if at >= 0 {
                samples.get(at as usize).copied().unwrap_or(0.0)
            } else {
                0.0
            };
            *slot = Complex32::new(s * window[i], 0.0);
        }
        fft.process_with_scratch(&mut buffer, &mut scratch);
        let mut rise = 0.0f32;
        for k in 1..bins {
            current[k] = (1.0 + 100.0 * buffer[k].norm()).ln();
            rise += (current[k] - previous[k]).max(0.0);
        }
        std::mem::swap(&mut previous, &mut current);
        flux.push(if t == 0 { 0.0 } else { rise });
    }
    // Less a moving mean of half a second either side: what stands out of the texture.
    let reach = (FRAME_RATE * 0.5) as usize;
    let mut sums = vec![0.0f64; flux.len() + 1];
    for (i, v) in flux.iter().enumerate() {
        sums[i + 1] = sums[i] + f64::from(*v);
    }
    (0..flux.len())
        .map(|i| {
            let lo = i.saturating_sub(reach);
            let hi = (i + reach + 1).min(flux.len());
            let mean = (sums[hi] - sums[lo]) / (hi - lo) as f64;
            (f64::from(flux[i]) - mean).max(0.0) as f32
        })
        .collect()
}

/// The beat period in frames (fractional): the autocorrelation lag, weighted by the tempo
/// prior and helped by the lag twice as long (a beat's bar), refined between frames; and the
/// autocorrelation there over that at lag 0.
fn beat_period(envelope: &[f32]) -> Option<(f64, f64)> {
    let lo = (60.0 / MAX_BPM * FRAME_RATE).floor() as usize;
    // A short clip is searched as far as it holds two periods and a bar's lag.
    let hi =
        ((60.0 / MIN_BPM * FRAME_RATE).ceil() as usize).min(envelope.len().saturating_sub(2) / 4);
    if hi <= lo + 1 {
        return None;
    }
    let mean = envelope.iter().map(|&v| f64::from(v)).sum::<f64>() / envelope.len() as f64;
    let centred: Vec<f64> = envelope.iter().map(|&v| f64::from(v) - mean).collect();
    let acf: Vec<f64> = (0..=2 * hi)
        .map(|lag| {
            let n = centred.len() - lag;
            centred[..n]
                .iter()
                .zip(&centred[lag..])
                .map(|(a, b)| a * b)
                .sum::<f64>()
                / n as f64
        })
        .collect();
    let weighted = |lag: usize| {
        let bpm = 60.0 * FRAME_RATE / lag as f64;
        let octaves = (bpm / PRIOR_BPM).log2() / PRIOR_OCTAVES;
        (acf[lag] + 0.5 * acf[2 * lag]) * (-0.5 * octaves * octaves).exp()
    };
    let best = (lo..=hi).max_by(|&a, &b| weighted(a).total_cmp(&weighted(b)))?;
    if acf[best] <= 0.0 {
        return None;
    }
    // A parabola through the peak and its neighbours.
    let (a, b, c) = (acf[best - 1], acf[best], acf[best + 1]);
    let denom = a - 2.0 * b + c;
    let shift = if denom < 0.0 {
        (0.5 * (a - c) / denom).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    Some((best as f64 + shift, acf[best] / acf[0].max(1e-12)))
}

/// The beats, as frames: the path through the envelope that is strongest at its beats while
/// keeping their intervals near `period` (Ellis 2007).
fn track_beats(envelope: &[f32], period: f64) -> Vec<usize> {
    let n = envelope.len();
    let sd = {
        let mean = envelope.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
        (envelope
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n as f64)
            .sqrt()
            .max(1e-9)
    };
    let local: Vec<f64> = envelope.iter().map(|&v| f64::from(v) / sd).collect();
    let mut score = vec![0.0f64; n];
    let mut back = vec![usize::MAX; n];
    let near = (period / 2.0).round() as usize;
    let far = (period * 2.0).round() as usize;
    for t in 0..n {
        let mut best = 0.0;
        let mut from = usize::MAX;
        for gap in near.max(1)..=far {
            let Some(prev) = t.checked_sub(gap) else {
                break;
            };
            let penalty = TIGHTNESS * (gap as f64 / period).ln().powi(2);
            let s = score[prev] - penalty;
            if from == usize::MAX || s > best {
                best = s;
                from = prev;
            }
        }
        // A beat may also start the chain here.
        if best < 0.0 {
            best = 0.0;
            from = usize::MAX;
        }
        score[t] = local[t] + best;
        back[t] = from;
    }
    // The end: the best-scoring frame within the last period.
    let tail = n.saturating_sub(period.ceil() as usize);
    let Some(mut t) = (tail..n).max_by(|&a, &b| score[a].total_cmp(&score[b])) else {
        return Vec::new();
    };
    let mut beats = vec![t];
    while back[t] != usize::MAX {
        t = back[t];
        beats.push(t);
    }
    beats.reverse();
    beats
}

/// The slope of the least-squares line through the beats against their count.
fn line_slope(beats_s: &[f64]) -> f64 {
    let n = beats_s.len() as f64;
    let mean_i = (n - 1.0) / 2.0;
    let mean_t = beats_s.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, t) in beats_s.iter().enumerate() {
        let di = i as f64 - mean_i;
        num += di * (t - mean_t);
        den += di * di;
    }
    num / den
}

#[cfg(test)]
mod tests;
