//! A track's tempo and beats, from its samples: pure signal processing (no decoding, no
//! files, no clock), deterministic, tested on drum loops the tests make.
//!
//! How: an onset-strength envelope at 100 frames a second (the positive spectral flux of
//! log-compressed magnitudes, 46 ms Hann windows), its autocorrelation weighted toward
//! musical tempos for the beat period, then the beats by dynamic programming over the
//! envelope (Ellis 2007: each beat the strongest onset about one period after the last), and
//! each beat moved from its 10 ms frame to the attack it stands for (the sharpest rise of the
//! energy in 1 ms bins nearby), and the tempo from a straight line through all of them. A track
//! whose beats wander or barely stand out of the envelope has no steady beat.
//! Half and double tempo are resolved toward running cadences afterwards ([`running_spm`]).

use rustfft::FftPlanner;
use rustfft::num_complex::Complex32;

/// Onset frames per second.
pub const FRAME_RATE: f64 = 100.0;
/// Energy bins per second, for placing each beat on its attack.
const FINE_RATE: f64 = 1000.0;
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
/// A steady beat is heard over at least this many beats (a two-second clip has no tempo to
/// run to).
const MIN_STEADY_BEATS: usize = 8;
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
    /// The length of the samples analysed, in seconds.
    pub duration_s: f64,
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
    let mut analyser = Analyser::new(rate);
    analyser.push(samples);
    analyser.finish()
}

/// The analysis fed a track as it is decoded, a block at a time: it keeps the onset envelope
/// (100 values a second) and the energy in 1-ms bins (2,000 values a second), never the audio,
/// so a track of any length is analysed in about 10 KB a second of it.
pub struct Analyser {
    rate: u32,
    hop: f64,
    n: usize,
    window: Vec<f32>,
    fft: std::sync::Arc<dyn rustfft::Fft<f32>>,
    buffer: Vec<Complex32>,
    scratch: Vec<Complex32>,
    previous: Vec<f32>,
    current: Vec<f32>,
    flux: Vec<f32>,
    /// The samples from absolute index `base` on that a frame still needs.
    samples: Vec<f32>,
    base: usize,
    received: usize,
    /// Energy per 1-ms bin: of the signal, and of its first difference (the highs, which a
    /// hi-hat or snare stands out in under a sustained bass).
    fine_hop: f64,
    fine_lo: Vec<f32>,
    fine_hi: Vec<f32>,
    acc_lo: f32,
    acc_hi: f32,
    next_bin_end: usize,
    last_sample: f32,
}

impl Analyser {
    pub fn new(rate: u32) -> Analyser {
        let rate_f = f64::from(rate.max(1));
        let n = ((WINDOW_S * rate_f) as usize).next_power_of_two().max(64);
        let fft = FftPlanner::new().plan_fft_forward(n);
        let scratch = vec![Complex32::default(); fft.get_inplace_scratch_len()];
        let fine_hop = rate_f / FINE_RATE;
        Analyser {
            rate: rate.max(1),
            hop: rate_f / FRAME_RATE,
            n,
            window: (0..n)
                .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos())
                .collect(),
            fft,
            buffer: vec![Complex32::default(); n],
            scratch,
            previous: vec![0.0; n / 2],
            current: vec![0.0; n / 2],
            flux: Vec::new(),
            samples: Vec::new(),
            base: 0,
            received: 0,
            fine_hop,
            fine_lo: Vec::new(),
            fine_hi: Vec::new(),
            acc_lo: 0.0,
            acc_hi: 0.0,
            next_bin_end: fine_hop.round().max(1.0) as usize,
            last_sample: 0.0,
        }
    }

    /// Seconds of audio fed so far.
    pub fn seconds(&self) -> f64 {
        self.received as f64 / f64::from(self.rate)
    }

    /// Feeds the next mono samples.
    pub fn push(&mut self, samples: &[f32]) {
        for &s in samples {
            let d = s - self.last_sample;
            self.last_sample = s;
            self.acc_lo += s * s;
            self.acc_hi += d * d;
            self.received += 1;
            if self.received >= self.next_bin_end {
                self.fine_lo.push(self.acc_lo);
                self.fine_hi.push(self.acc_hi);
                self.acc_lo = 0.0;
                self.acc_hi = 0.0;
                self.next_bin_end =
                    ((self.fine_lo.len() + 1) as f64 * self.fine_hop).round() as usize;
            }
        }
        self.samples.extend_from_slice(samples);
        // Every frame whose window is all in.
        while (self.frame_start(self.flux.len()) + self.n as isize) as usize <= self.received {
            self.onset_frame();
        }
        // Drop what no frame to come needs, now and then (not per block: a drain moves).
        let keep_from = self.frame_start(self.flux.len()).max(0) as usize;
        if keep_from > self.base + (1 << 16) {
            self.samples.drain(..keep_from - self.base);
            self.base = keep_from;
        }
    }

    /// The first sample of frame `t`'s window, which is centred on the frame's time.
    fn frame_start(&self, t: usize) -> isize {
        (t as f64 * self.hop) as isize - (self.n / 2) as isize
    }

    /// The next onset-envelope frame: how much the spectrum rose since the last, summed.
    fn onset_frame(&mut self) {
        let t = self.flux.len();
        let start = self.frame_start(t);
        for (i, slot) in self.buffer.iter_mut().enumerate() {
            let at = start + i as isize;
            let s = if at >= self.base as isize {
                self.samples
                    .get(at as usize - self.base)
                    .copied()
                    .unwrap_or(0.0)
            } else {
                0.0
            };
            *slot = Complex32::new(s * self.window[i], 0.0);
        }
        self.fft
            .process_with_scratch(&mut self.buffer, &mut self.scratch);
        let mut rise = 0.0f32;
        for k in 1..self.n / 2 {
            self.current[k] = (1.0 + 100.0 * self.buffer[k].norm()).ln();
            rise += (self.current[k] - self.previous[k]).max(0.0);
        }
        std::mem::swap(&mut self.previous, &mut self.current);
        self.flux.push(if t == 0 { 0.0 } else { rise });
    }

    /// The onset strength of everything fed, one value per 1/[`FRAME_RATE`] s: how much the
    /// spectrum rose, summed over frequency, less its local mean, never below zero (the last
    /// frames' windows padded with silence). Frame `t` is centred at `t / FRAME_RATE` s.
    fn envelope(&mut self) -> Vec<f32> {
        let frames = (self.received as f64 / self.hop) as usize;
        while self.flux.len() < frames {
            self.onset_frame();
        }
        self.flux.truncate(frames);
        normalise_flux(&self.flux)
    }

    /// The tempo and beats of everything fed. `None` for too little sound to hold two beats.
    pub fn finish(mut self) -> Option<BeatAnalysis> {
        let envelope = self.envelope();
        let (period, periodicity) = beat_period(&envelope)?;
        let beats = track_beats(&envelope, period);
        if beats.len() < 4 {
            return None;
        }
        let coarse = fill_gaps(&beats, period);
        let beats_s = refine(
            &coarse,
            &self.fine_lo,
            &self.fine_hi,
            self.fine_hop / f64::from(self.rate),
        );
        let slope = line_slope(&beats_s);
        let bpm = 60.0 / slope;
        let intervals: Vec<f64> = beats_s.windows(2).map(|w| w[1] - w[0]).collect();
        let mean = intervals.iter().sum::<f64>() / intervals.len() as f64;
        let spread = (intervals.iter().map(|i| (i - mean).powi(2)).sum::<f64>()
            / intervals.len() as f64)
            .sqrt()
            / mean;
        Some(BeatAnalysis {
            bpm,
            steady: spread <= MAX_IBI_SPREAD
                && periodicity >= MIN_PERIODICITY
                && beats_s.len() >= MIN_STEADY_BEATS,
            beats_s,
            periodicity,
            spread,
            duration_s: self.seconds(),
        })
    }
}

/// The spectral flux less a moving mean of half a second either side: what stands out of the
/// texture, never below zero.
fn normalise_flux(flux: &[f32]) -> Vec<f32> {
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

/// The beats in seconds, with a beat put back where the tracker skipped one (an interval of
/// two or three periods, evenly divided): the beat map must count every beat.
fn fill_gaps(beats: &[usize], period: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(beats.len() + 8);
    for (i, &b) in beats.iter().enumerate() {
        if let Some(&prev) = i.checked_sub(1).and_then(|p| beats.get(p)) {
            let gap = (b - prev) as f64;
            let n = (gap / period).round();
            if (2.0..=3.0).contains(&n) && (gap / n / period - 1.0).abs() < 0.15 {
                for k in 1..n as usize {
                    out.push((prev as f64 + gap * k as f64 / n) / FRAME_RATE);
                }
            }
        }
        out.push(b as f64 / FRAME_RATE);
    }
    out
}

/// Each beat moved from its 10-ms frame to the attack it stands for: the sharpest rise of the
/// energy (in 1-ms bins, of the signal or of its highs) within ±35 ms. A beat with no clear
/// attack there (a rise of less than 3 dB) is moved by the median of the others' moves. A beat
/// more than 10 ms off the line through its neighbours (a robust line: medians of slopes and
/// offsets, so a stray neighbour does not bend it) took another sound for its attack, a
/// grace note or an off-beat, and is put on that line: one beat placed 50 ms wrong would
/// bend the song by 50 ms around it when its beats are put on the steps.
fn refine(coarse: &[f64], lo: &[f32], hi: &[f32], bin_s: f64) -> Vec<f64> {
    let found: Vec<Option<f64>> = coarse
        .iter()
        .map(|&t| attack_near(t, lo, hi, bin_s))
        .collect();
    let mut moves: Vec<f64> = coarse
        .iter()
        .zip(&found)
        .filter_map(|(c, f)| f.map(|f| f - c))
        .collect();
    let bias = if moves.is_empty() {
        0.0
    } else {
        moves.sort_by(f64::total_cmp);
        moves[moves.len() / 2]
    };
    let placed: Vec<f64> = coarse
        .iter()
        .zip(&found)
        .map(|(c, f)| f.unwrap_or(c + bias))
        .collect();
    let mut out: Vec<f64> = (0..placed.len())
        .map(|j| {
            let lo = j.saturating_sub(4);
            let hi = (j + 5).min(placed.len());
            match robust_line_at(&placed[lo..hi], j - lo) {
                Some(line) if (placed[j] - line).abs() > 0.010 => line,
                _ => placed[j],
            }
        })
        .collect();
    // Never out of order (two beats moved onto one attack).
    for j in 1..out.len() {
        if out[j] <= out[j - 1] {
            out[j] = out[j - 1] + 1e-4;
        }
    }
    out
}

/// The Theil–Sen line through `beats` against their count (the median of the pairwise slopes,
/// then the median offset), at position `at`; `None` for fewer than five beats.
fn robust_line_at(beats: &[f64], at: usize) -> Option<f64> {
    if beats.len() < 5 {
        return None;
    }
    let mut slopes = Vec::with_capacity(beats.len() * beats.len() / 2);
    for i in 0..beats.len() {
        for k in i + 1..beats.len() {
            slopes.push((beats[k] - beats[i]) / (k - i) as f64);
        }
    }
    slopes.sort_by(f64::total_cmp);
    let slope = slopes[slopes.len() / 2];
    let mut offsets: Vec<f64> = beats
        .iter()
        .enumerate()
        .map(|(i, t)| t - slope * i as f64)
        .collect();
    offsets.sort_by(f64::total_cmp);
    Some(offsets[offsets.len() / 2] + slope * at as f64)
}

/// The attack nearest `t`: where the energy over the next 3 ms rises most over the 3 ms before,
/// to a fraction of a bin; `None` if nowhere by 3 dB.
fn attack_near(t: f64, lo: &[f32], hi: &[f32], bin_s: f64) -> Option<f64> {
    const SIDE: usize = 3;
    let centre = (t / bin_s).round() as isize;
    let reach = (0.035 / bin_s).round() as isize;
    let rise = |e: &[f32], i: usize| -> f64 {
        let before: f32 = e[i - SIDE..i].iter().sum();
        let after: f32 = e[i..i + SIDE].iter().sum();
        f64::from((after + 1e-9) / (before + 1e-9)).log10() * 10.0
    };
    let score = |i: usize| rise(lo, i).max(rise(hi, i));
    let first = (centre - reach).max(SIDE as isize) as usize;
    let last = ((centre + reach) as usize).min(lo.len().saturating_sub(SIDE + 1));
    if first > last {
        return None;
    }
    let best = (first..=last).max_by(|&a, &b| score(a).total_cmp(&score(b)))?;
    let peak = score(best);
    if peak < 3.0 {
        return None;
    }
    // A parabola through the peak and its neighbours places the attack between bin edges.
    let shift = if best > first && best < last {
        let (a, b, c) = (score(best - 1), peak, score(best + 1));
        let denom = a - 2.0 * b + c;
        if denom < 0.0 {
            (0.5 * (a - c) / denom).clamp(-0.5, 0.5)
        } else {
            0.0
        }
    } else {
        0.0
    };
    Some((best as f64 + shift) * bin_s)
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
