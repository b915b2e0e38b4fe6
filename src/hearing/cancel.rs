//! Removing the app's own click from what the microphone hears.
//!
//! The app knows every click it plays exactly: its waveform and the frame it was sent at, and
//! (from the round-trip check) roughly when it comes back through the room. Gating around the
//! click would also throw away a footfall that lands on the beat, which is exactly what a runner
//! is asked to do, so instead each click is *fitted and subtracted*: the waveform, run through
//! the same anti-alias filter as the microphone, is located near its expected arrival, scaled by
//! a least-squares gain (with its time derivative as a second regressor, which absorbs the
//! sub-sample part of the delay) and subtracted; then its strongest room echoes are fitted and
//! subtracted the same way. A footfall hardly projects onto a click (a thump below 500 Hz against
//! a tick whose energy sits kHz higher), so what is left of it is the footfall.
//!
//! Owns the working-rate click templates; knows nothing of devices or clocks.

use std::sync::Arc;

use super::filters::Decimator;

/// A click's waveform at the microphone's sample rate, as the app rendered it (mono).
#[derive(Debug, Clone)]
pub struct ClickWave(Arc<[f32]>);

impl ClickWave {
    pub fn new(samples: &[f32]) -> ClickWave {
        ClickWave(samples.into())
    }

    pub fn samples(&self) -> &[f32] {
        &self.0
    }
}

/// How far from its expected arrival a click is looked for: the round-trip check is good to
/// the sample, but a live input's clock is placed only to a few milliseconds.
const SEARCH_S: f64 = 0.004;
/// Room echoes fitted after the direct sound, and how late the last one may come.
const ECHOES: usize = 3;
const ECHO_FROM_S: f64 = 0.0005;
const ECHO_UNTIL_S: f64 = 0.040;
/// Filter ring-out added to each template.
const TAIL_S: f64 = 0.003;

/// A click still to be removed: where it is expected in the microphone's input frames.
#[derive(Debug, Clone)]
pub(crate) struct PendingClick {
    pub(crate) arrival: i64,
    template: Arc<[f32]>,
}

/// Turns waveforms into filtered templates (cached per waveform) and removes clicks from the
/// working-rate signal.
#[derive(Debug)]
pub(crate) struct Canceller {
    rate: u32,
    factor: usize,
    cache: Vec<(ClickWave, Arc<[f32]>)>,
}

impl Canceller {
    pub(crate) fn new(rate: u32) -> Canceller {
        Canceller {
            rate,
            factor: Decimator::factor_for(rate),
            cache: Vec::new(),
        }
    }

    fn frames(&self, secs: f64) -> i64 {
        (secs * f64::from(self.rate)).round() as i64
    }

    /// The click `wave` expected at input frame `arrival`.
    pub(crate) fn pending(&mut self, arrival: i64, wave: &ClickWave) -> PendingClick {
        let template = match self.cache.iter().find(|(w, _)| Arc::ptr_eq(&w.0, &wave.0)) {
            Some((_, t)) => t.clone(),
            None => {
                let t = self.filtered(wave.samples());
                // A handful of sounds (plain and accented) in practice; keep the cache small
                // even if a caller builds a new waveform for every click.
                if self.cache.len() >= 16 {
                    self.cache.remove(0);
                }
                self.cache.push((wave.clone(), t.clone()));
                t
            }
        };
        PendingClick { arrival, template }
    }

    /// The waveform through the microphone path's anti-alias filter, at the input rate.
    fn filtered(&self, samples: &[f32]) -> Arc<[f32]> {
        let mut filter = Decimator::filter(self.rate, self.factor);
        let tail = self.frames(TAIL_S) as usize;
        samples
            .iter()
            .copied()
            .chain(std::iter::repeat_n(0.0, tail))
            .map(|x| filter.run(f64::from(x)) as f32)
            .collect()
    }

    /// The last working sample a click needs to see before it can be removed.
    pub(crate) fn needs_until(&self, click: &PendingClick) -> i64 {
        let last =
            click.arrival + self.frames(SEARCH_S + ECHO_UNTIL_S) + click.template.len() as i64;
        last.div_euclid(self.factor as i64) + 1
    }

    /// The first working sample a click touches.
    pub(crate) fn touches_from(&self, click: &PendingClick) -> i64 {
        (click.arrival - self.frames(SEARCH_S)).div_euclid(self.factor as i64)
    }

    /// Removes `click` and its echoes from `buf`, whose first sample is working sample `base`,
    /// and adds what was removed to `removed` (as long as `buf`). Returns where the direct
    /// sound was found (input frame) and the share of the stretch's energy it made up.
    pub(crate) fn cancel(
        &self,
        buf: &mut [f32],
        removed: &mut [f32],
        base: i64,
        click: &PendingClick,
    ) -> Option<(i64, f64)> {
        let t = &click.template;
        let d = self.factor as i64;
        let search = self.frames(SEARCH_S);
        // The stretch of working samples the click and its echoes can touch.
        let lo = (click.arrival - search).div_euclid(d).max(base);
        let hi = ((click.arrival + search + self.frames(ECHO_UNTIL_S) + t.len() as i64)
            .div_euclid(d)
            + 1)
        .min(base + buf.len() as i64);
        if hi <= lo {
            return None;
        }
        let heard: Vec<f64> = buf[(lo - base) as usize..(hi - base) as usize]
            .iter()
            .map(|&x| f64::from(x))
            .collect();
        let window = Window {
            t,
            d,
            lo,
            heard: &heard,
        };
        let direct = window.locate(&heard, click.arrival - search, click.arrival + search)?;
        let mut atoms = vec![direct];
        let (mut residual, _) = window.fit(&atoms)?;
        let total: f64 = heard.iter().map(|y| y * y).sum();
        let mut left: f64 = residual.iter().map(|y| y * y).sum();
        let removed_by_direct = total - left;
        // Matching pursuit for the echoes, each time refitting every atom together: a room's
        // echoes overlap the direct sound, and a ringing click correlates with itself shifted.
        let (from, until) = (
            direct + self.frames(ECHO_FROM_S),
            direct + self.frames(ECHO_UNTIL_S),
        );
        for _ in 0..ECHOES {
            let Some(echo) = window.locate(&residual, from, until) else {
                break;
            };
            atoms.push(echo);
            let Some((r, g)) = window.fit(&atoms) else {
                atoms.pop();
                break;
            };
            let now: f64 = r.iter().map(|y| y * y).sum();
            // An echo is never louder than the sound it echoes, and must be worth removing.
            let louder = g.iter().skip(1).any(|x| x.abs() > g[0].abs() * 1.05);
            if louder || left - now < 0.002 * removed_by_direct {
                atoms.pop();
                break;
            }
            (residual, left) = (r, now);
        }
        let at = (lo - base) as usize;
        for ((x, gone), r) in buf[at..].iter_mut().zip(&mut removed[at..]).zip(&residual) {
            *gone += *x - *r as f32;
            *x = *r as f32;
        }
        Some((direct, removed_by_direct / total.max(1e-30)))
    }

    /// Moves a click expected at one frame to another.
    pub(crate) fn moved(click: &PendingClick, by: i64) -> PendingClick {
        PendingClick {
            arrival: click.arrival + by,
            template: click.template.clone(),
        }
    }
}

/// The working samples around one click, and its template.
struct Window<'a> {
    t: &'a [f32],
    d: i64,
    /// Working sample index of `heard[0]`.
    lo: i64,
    heard: &'a [f64],
}

impl Window<'_> {
    /// The template's value and slope at window sample `i` for an atom starting at input
    /// frame `a`, or `None` outside it.
    fn regressors(&self, a: i64, i: usize) -> Option<(f64, f64)> {
        let j = (self.lo + i as i64) * self.d - a;
        if j < 0 || j >= self.t.len() as i64 {
            return None;
        }
        let j = j as usize;
        let next = self.t.get(j + 1).copied().unwrap_or(0.0);
        let prev = if j > 0 { self.t[j - 1] } else { 0.0 };
        Some((f64::from(self.t[j]), f64::from(next - prev) / 2.0))
    }

    /// Where between input frames `from` and `until` the template best matches `signal`:
    /// a coarse pass every working sample, then every input frame around the best few.
    /// The whole template is compared, not just its attack: a beep is a steady tone, which
    /// matches itself one period off everywhere but at its ends.
    fn locate(&self, signal: &[f64], from: i64, until: i64) -> Option<i64> {
        let score = |a: i64| {
            let first = ((a + self.d - 1).div_euclid(self.d) - self.lo).max(0);
            let (mut xy, mut xx) = (0.0, 0.0);
            let mut k = first;
            while (k as usize) < signal.len() {
                let j = (self.lo + k) * self.d - a;
                if j as usize >= self.t.len() {
                    break;
                }
                let c = f64::from(self.t[j as usize]);
                xy += c * signal[k as usize];
                xx += c * c;
                k += 1;
            }
            if xx > 0.0 { xy * xy / xx } else { 0.0 }
        };
        let coarse: Vec<(i64, f64)> = (from..=until)
            .step_by(self.d as usize)
            .map(|a| (a, score(a)))
            .collect();
        let mut peaks: Vec<(i64, f64)> = (0..coarse.len())
            .filter(|&i| {
                let s = coarse[i].1;
                (i == 0 || coarse[i - 1].1 <= s) && coarse.get(i + 1).is_none_or(|n| n.1 <= s)
            })
            .map(|i| coarse[i])
            .collect();
        peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
        peaks
            .iter()
            .take(3)
            .flat_map(|&(a, _)| (a - self.d + 1).max(from)..=(a + self.d - 1).min(until))
            .map(|a| (a, score(a)))
            .filter(|&(_, s)| s > 0.0)
            .max_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(a, _)| a)
    }

    /// Least squares of the heard signal on every atom's template and slope together; the
    /// residual and each atom's gain.
    fn fit(&self, atoms: &[i64]) -> Option<(Vec<f64>, Vec<f64>)> {
        let m = 2 * atoms.len();
        let mut gram = vec![0.0f64; m * m];
        let mut rhs = vec![0.0f64; m];
        let mut row = vec![0.0f64; m];
        for (i, &y) in self.heard.iter().enumerate() {
            let mut any = false;
            for (n, &a) in atoms.iter().enumerate() {
                let (c, e) = self.regressors(a, i).unwrap_or((0.0, 0.0));
                row[2 * n] = c;
                row[2 * n + 1] = e;
                any |= c != 0.0 || e != 0.0;
            }
            if !any {
                continue;
            }
            for p in 0..m {
                if row[p] == 0.0 {
                    continue;
                }
                rhs[p] += row[p] * y;
                for q in 0..m {
                    gram[p * m + q] += row[p] * row[q];
                }
            }
        }
        let coef = solve(gram, rhs, m)?;
        let residual = self
            .heard
            .iter()
            .enumerate()
            .map(|(i, &y)| {
                y - atoms
                    .iter()
                    .enumerate()
                    .filter_map(|(n, &a)| {
                        self.regressors(a, i)
                            .map(|(c, e)| coef[2 * n] * c + coef[2 * n + 1] * e)
                    })
                    .sum::<f64>()
            })
            .collect();
        Some((residual, coef.iter().step_by(2).copied().collect()))
    }
}

/// Solves the symmetric system `gram · x = rhs` (Gaussian elimination with partial pivoting and
/// a whisker of ridge, so a template that barely overlaps the window cannot blow up).
fn solve(mut a: Vec<f64>, mut b: Vec<f64>, m: usize) -> Option<Vec<f64>> {
    let scale = (0..m).map(|i| a[i * m + i]).fold(0.0, f64::max);
    if scale <= 0.0 {
        return None;
    }
    for i in 0..m {
        a[i * m + i] += 1e-9 * scale;
    }
    for col in 0..m {
        let pivot =
            (col..m).max_by(|&x, &y| a[x * m + col].abs().total_cmp(&a[y * m + col].abs()))?;
        if a[pivot * m + col].abs() < 1e-15 * scale {
            return None;
        }
        if pivot != col {
            for k in 0..m {
                a.swap(pivot * m + k, col * m + k);
            }
            b.swap(pivot, col);
        }
        for r in col + 1..m {
            let f = a[r * m + col] / a[col * m + col];
            if f != 0.0 {
                for k in col..m {
                    a[r * m + k] -= f * a[col * m + k];
                }
                b[r] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0; m];
    for r in (0..m).rev() {
        let s: f64 = (r + 1..m).map(|k| a[r * m + k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r * m + r];
    }
    Some(x)
}
