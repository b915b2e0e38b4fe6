//! Footfall onsets: sudden rises of energy in the low bands where treadmill and floor impacts
//! live, against thresholds that follow the background.
//!
//! Three bands (deck thump 35–170 Hz, body 170–600 Hz, shoe slap 600–2500 Hz), weighted towards
//! the lowest: laptop speakers put out little there, so what is left of a click after
//! cancellation is weakest there, and speech has little below its pitch. Each band's energy is
//! followed in decibels every 2 ms; the onset function is the weighted rise over 10 ms. Steady
//! sounds (motor hum, belt noise, fans) rise by nothing on average, and their random flicker is
//! what the adaptive threshold (running mean plus a multiple of the running deviation) learns to
//! stand above. Owns only this streaming state; tempo and steps are `tempo`'s business.

use std::collections::VecDeque;

use super::filters::{Biquad, Chain};

/// Hop of the energy envelopes.
const HOP_S: f64 = 0.002;
/// The rise is measured over this many hops.
const LAG: usize = 5;
/// A peak must be the largest within this many seconds either side: no runner lands twice in
/// 60 ms, while a heel and toe of one footfall often do.
const PEAK_HALF_WIDTH_S: f64 = 0.06;
/// The smallest rise, in weighted dB, that can be a footfall whatever the background.
const MIN_RISE_DB: f64 = 3.0;
/// How far the level at an onset must stand above the slow background level, in weighted dB:
/// a beating hum or a swelling belt rises and falls by a few dB all the time, but an impact
/// stands out of it.
const MIN_PROMINENCE_DB: f64 = 6.0;
/// An onset this far below the loudest recent one (weighted dB) is a blip, not a step: the
/// rise is measured in decibels, which would make a faint tick in a silent room as strong as
/// a stamp.
const BELOW_LOUDEST_DB: f64 = 22.0;
/// How fast the loudest recent onset is forgotten, dB per second.
const LOUDEST_FADE_DB_PER_S: f64 = 2.0;
/// Time constant of the background level.
const LEVEL_S: f64 = 0.6;
/// The level of an onset is the highest within this long after the rise.
const LEVEL_WITHIN_S: f64 = 0.015;
/// How many running deviations above the running mean a rise must stand.
const THRESHOLD_DEVIATIONS: f64 = 4.0;
/// Time constant of the running mean and deviation.
const BACKGROUND_S: f64 = 1.5;
/// A band's floor, below its recent peak, so near silence cannot make huge relative rises.
const FLOOR_BELOW_PEAK: f64 = 1e-5;
/// How fast a band's remembered peak fades (per second, as a factor).
const PEAK_FADE_PER_S: f64 = 0.5;
/// What is left of a click after cancellation, as a share of the click's energy in a band
/// (about -15 dB: the worst sound, the steady beep, leaves -20 dB in the lowest band). That
/// much is taken off each band's energy wherever a click was removed, so the remains of a
/// click cannot rise as a step, while a footfall on the click, far louder than that, stays.
const CLICK_RESIDUE: f64 = 0.03;
/// While clicks play, nothing this far below their level in a band counts as sound there
/// (-30 dB): in a quiet room the ringing remains of a click would otherwise be the loudest
/// thing heard.
const CLICK_FLOOR: f64 = 1e-3;
/// How long the click's energy is remembered for that, for the echo's last tails.
const CLICK_HOLD_S: f64 = 0.05;
/// From the rise's peak back to the impact: the filters and the 10 ms rise put the peak of the
/// onset function this long after the first contact (measured on synthetic impacts).
const PEAK_AFTER_IMPACT_S: f64 = 0.006;

struct Band {
    filter: Chain,
    weight: f64,
    smooth: f64,
    energy: f64,
    peak: f64,
    /// The removed click through the same band: its filter and held energy.
    click_filter: Chain,
    click_energy: f64,
    click_held: f64,
    click_peak: f64,
}

/// An impact heard: when (input frame, fractional) and how far above its threshold it rose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Onset {
    pub(crate) frame: f64,
    pub(crate) strength: f32,
}

/// The streaming detector over working-rate samples.
pub(crate) struct OnsetDetector {
    factor: usize,
    hop: usize,
    in_hop: usize,
    hops: u64,
    bands: Vec<Band>,
    levels: VecDeque<Vec<f64>>,
    /// Around the hop being judged: (hop index, onset function, threshold, weighted level,
    /// background level).
    window: VecDeque<(u64, f64, f64, f64, f64)>,
    level: f64,
    slow_level: Option<f64>,
    level_smooth: f64,
    level_within: usize,
    loudest: f64,
    loudest_fade: f64,
    half_width: usize,
    mean: f64,
    deviation: f64,
    background: f64,
    peak_fade: f64,
    click_fade: f64,
    peak_after_impact: f64,
}

impl OnsetDetector {
    /// For working samples at `rate / factor`.
    pub(crate) fn new(rate: u32, factor: usize) -> OnsetDetector {
        let wr = f64::from(rate) / factor as f64;
        let hop = (wr * HOP_S).round().max(1.0) as usize;
        let hop_s = hop as f64 / wr;
        let band = |sections: Vec<Biquad>, weight: f64, tau_s: f64| Band {
            click_filter: Chain::new(sections.clone()),
            click_energy: 0.0,
            click_held: 0.0,
            click_peak: 0.0,
            filter: Chain::new(sections),
            weight,
            smooth: 1.0 - (-1.0 / (tau_s * wr)).exp(),
            energy: 0.0,
            peak: 0.0,
        };
        let bands = vec![
            band(
                vec![
                    Biquad::highpass(wr, 35.0, 0.707),
                    Biquad::lowpass(wr, 170.0, 0.541),
                    Biquad::lowpass(wr, 170.0, 1.307),
                ],
                1.0,
                0.008,
            ),
            band(
                vec![
                    Biquad::highpass(wr, 170.0, 0.707),
                    Biquad::lowpass(wr, 600.0, 0.707),
                ],
                0.6,
                0.005,
            ),
            band(
                vec![
                    Biquad::highpass(wr, 600.0, 0.707),
                    Biquad::lowpass(wr, 2500.0, 0.707),
                ],
                0.35,
                0.004,
            ),
        ];
        OnsetDetector {
            factor,
            hop,
            in_hop: 0,
            hops: 0,
            bands,
            levels: VecDeque::with_capacity(LAG + 1),
            window: VecDeque::new(),
            half_width: (PEAK_HALF_WIDTH_S / hop_s).round() as usize,
            mean: 0.0,
            deviation: 0.0,
            level: 0.0,
            slow_level: None,
            level_smooth: 1.0 - (-hop_s / LEVEL_S).exp(),
            level_within: (LEVEL_WITHIN_S / hop_s).round() as usize,
            loudest: f64::MIN,
            loudest_fade: LOUDEST_FADE_DB_PER_S * hop_s,
            background: 1.0 - (-hop_s / BACKGROUND_S).exp(),
            peak_fade: PEAK_FADE_PER_S.powf(hop_s),
            click_fade: (-1.0 / (CLICK_HOLD_S * wr)).exp(),
            peak_after_impact: PEAK_AFTER_IMPACT_S * f64::from(rate),
        }
    }

    /// Runs working-rate samples (the clicks taken out, and beside them what was taken)
    /// through; onsets found are appended to `out`.
    pub(crate) fn push(&mut self, samples: &[f32], removed: &[f32], out: &mut Vec<Onset>) {
        for (&x, &c) in samples.iter().zip(removed) {
            let x = f64::from(x);
            for b in &mut self.bands {
                let y = b.filter.run(x);
                b.energy += b.smooth * (y * y - b.energy);
                // Only while a click plays is this worth the filter's cost.
                if c != 0.0 || b.click_held > 1e-20 {
                    let y = b.click_filter.run(f64::from(c));
                    b.click_energy += b.smooth * (y * y - b.click_energy);
                    b.click_held = b.click_energy.max(b.click_held * self.click_fade);
                }
            }
            self.in_hop += 1;
            if self.in_hop == self.hop {
                self.in_hop = 0;
                self.end_hop(out);
            }
        }
    }

    fn end_hop(&mut self, out: &mut Vec<Onset>) {
        let level: Vec<f64> = self
            .bands
            .iter_mut()
            .map(|b| {
                let energy = (b.energy - CLICK_RESIDUE * b.click_held).max(0.0);
                b.peak = energy.max(b.peak * self.peak_fade);
                b.click_peak = b.click_energy.max(b.click_peak * self.peak_fade);
                let floor = b.peak * FLOOR_BELOW_PEAK + b.click_peak * CLICK_FLOOR + 1e-15;
                10.0 * (energy + floor).log10()
            })
            .collect();
        let total: f64 = self.bands.iter().map(|b| b.weight).sum();
        self.level = self
            .bands
            .iter()
            .zip(&level)
            .map(|(b, l)| b.weight * l)
            .sum::<f64>()
            / total;
        // The background level learns only what does not stand out of it.
        let background = *self.slow_level.get_or_insert(self.level);
        self.slow_level =
            Some(background + self.level_smooth * (self.level.min(background + 3.0) - background));
        let rise = match self.levels.front() {
            Some(old) if self.levels.len() == LAG => {
                self.bands
                    .iter()
                    .zip(level.iter().zip(old))
                    .map(|(b, (now, then))| b.weight * (now - then).max(0.0))
                    .sum::<f64>()
                    / total
            }
            _ => 0.0,
        };
        if self.levels.len() == LAG {
            self.levels.pop_front();
        }
        self.levels.push_back(level);

        let threshold = (self.mean + THRESHOLD_DEVIATIONS * self.deviation).max(MIN_RISE_DB);
        // The background learns from everything but the rises that stand out, so a train of
        // footfalls does not lift its own threshold.
        let learn = rise.min(threshold);
        self.mean += self.background * (learn - self.mean);
        self.deviation += self.background * ((learn - self.mean).abs() - self.deviation);

        self.window
            .push_back((self.hops, rise, threshold, self.level, background));
        self.hops += 1;
        if self.window.len() == 2 * self.half_width + 1 {
            let h = self.half_width;
            let (hop, value, thr, _, _) = self.window[h];
            // The background from before the rise began.
            let before = self.window[h.saturating_sub(LAG)].4;
            let top = self
                .window
                .range(h..=h + self.level_within)
                .map(|w| w.3)
                .fold(f64::MIN, f64::max);
            self.loudest -= self.loudest_fade;
            let is_peak = value > thr
                && top - before >= MIN_PROMINENCE_DB
                && top >= self.loudest - BELOW_LOUDEST_DB
                && self.window.iter().enumerate().all(|(i, &(_, v, ..))| {
                    // Ties go to the earliest hop of a plateau.
                    match i.cmp(&self.half_width) {
                        std::cmp::Ordering::Less => v < value,
                        std::cmp::Ordering::Equal => true,
                        std::cmp::Ordering::Greater => v <= value,
                    }
                });
            if is_peak {
                self.loudest = self.loudest.max(top);
                let end_frame = ((hop + 1) * self.hop as u64 * self.factor as u64) as f64;
                out.push(Onset {
                    frame: (end_frame - self.peak_after_impact).max(0.0),
                    strength: (value / thr) as f32,
                });
            }
            self.window.pop_front();
        }
    }
}
