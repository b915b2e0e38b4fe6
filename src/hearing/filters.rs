//! The small filters the ear is built from: biquad sections and the decimator that brings the
//! microphone down to the working rate.
//!
//! Owns nothing but filter state; no allocation per sample. Coefficients follow the RBJ audio
//! EQ cookbook, in `f64` so very low corners at high rates stay stable and exact.

use std::f64::consts::PI;

/// One second-order section, transposed direct form II.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Biquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    z1: f64,
    z2: f64,
}

impl Biquad {
    fn from_coeffs(b: [f64; 3], a: [f64; 3]) -> Biquad {
        Biquad {
            b0: b[0] / a[0],
            b1: b[1] / a[0],
            b2: b[2] / a[0],
            a1: a[1] / a[0],
            a2: a[2] / a[0],
            z1: 0.0,
            z2: 0.0,
        }
    }

    pub(crate) fn lowpass(rate: f64, corner: f64, q: f64) -> Biquad {
        let w = 2.0 * PI * corner / rate;
        let (s, c) = w.sin_cos();
        let alpha = s / (2.0 * q);
        Biquad::from_coeffs(
            [(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0],
            [1.0 + alpha, -2.0 * c, 1.0 - alpha],
        )
    }

    pub(crate) fn highpass(rate: f64, corner: f64, q: f64) -> Biquad {
        let w = 2.0 * PI * corner / rate;
        let (s, c) = w.sin_cos();
        let alpha = s / (2.0 * q);
        Biquad::from_coeffs(
            [(1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0],
            [1.0 + alpha, -2.0 * c, 1.0 - alpha],
        )
    }

    #[inline]
    pub(crate) fn run(&mut self, x: f64) -> f64 {
        let y = self.b0 * x + self.z1;
        self.z1 = self.b1 * x - self.a1 * y + self.z2;
        self.z2 = self.b2 * x - self.a2 * y;
        y
    }
}

/// A chain of sections run one after another.
#[derive(Debug, Clone)]
pub(crate) struct Chain(Vec<Biquad>);

impl Chain {
    pub(crate) fn new(sections: Vec<Biquad>) -> Chain {
        Chain(sections)
    }

    #[inline]
    pub(crate) fn run(&mut self, x: f64) -> f64 {
        self.0.iter_mut().fold(x, |v, s| s.run(v))
    }
}

/// Butterworth Q of each section of a 6th-order low-pass.
const BUTTERWORTH_6: [f64; 3] = [0.517_638_1, std::f64::consts::FRAC_1_SQRT_2, 1.931_851_7];

/// Low-pass then keep every `factor`-th sample: the input rate down to the working rate.
///
/// Working sample `k` is the filtered input at frame `k * factor`, so a sound placed at any
/// input frame maps onto the working grid exactly; the click canceller relies on this to run
/// each click's waveform through the very same filter and sample it at the very same instants.
#[derive(Debug, Clone)]
pub(crate) struct Decimator {
    factor: usize,
    filter: Chain,
    /// Input frames seen, modulo `factor`.
    phase: usize,
}

impl Decimator {
    /// The decimation factor for an input rate: the working rate stays between 7 and 14 kHz,
    /// far above the footfall bands and cheap to process.
    pub(crate) fn factor_for(rate: u32) -> usize {
        (rate / 7_000).max(1) as usize
    }

    pub(crate) fn new(rate: u32) -> Decimator {
        let factor = Decimator::factor_for(rate);
        Decimator {
            factor,
            filter: Decimator::filter(rate, factor),
            phase: 0,
        }
    }

    /// The anti-alias filter: corner at 38 % of the working rate.
    pub(crate) fn filter(rate: u32, factor: usize) -> Chain {
        let rate = f64::from(rate);
        let corner = 0.38 * rate / factor as f64;
        Chain::new(
            BUTTERWORTH_6
                .iter()
                .map(|&q| Biquad::lowpass(rate, corner, q))
                .collect(),
        )
    }

    pub(crate) fn factor(&self) -> usize {
        self.factor
    }

    /// Filters `input` and appends every `factor`-th output to `out`.
    pub(crate) fn push(&mut self, input: &[f32], out: &mut Vec<f32>) {
        for &x in input {
            let y = self.filter.run(f64::from(x));
            if self.phase == 0 {
                out.push(y as f32);
            }
            self.phase += 1;
            if self.phase == self.factor {
                self.phase = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain_at(mut chain: Chain, rate: f64, freq: f64) -> f64 {
        let n = (rate * 0.5) as usize;
        let mut peak = 0.0f64;
        for i in 0..n {
            let y = chain.run((2.0 * PI * freq * i as f64 / rate).sin());
            if i > n / 2 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn the_anti_alias_filter_passes_the_footfall_bands_and_stops_above_the_working_band() {
        let f = Decimator::filter(48_000, 6);
        assert!((gain_at(f.clone(), 48_000.0, 200.0) - 1.0).abs() < 0.01);
        assert!(gain_at(f, 48_000.0, 7_000.0) < 0.01);
    }

    #[test]
    fn working_sample_k_is_input_frame_k_times_the_factor() {
        let mut d = Decimator::new(44_100);
        assert_eq!(d.factor(), 6);
        let mut out = Vec::new();
        d.push(&[0.0; 7], &mut out);
        d.push(&[0.0; 5], &mut out);
        assert_eq!(out.len(), 2);
    }
}
