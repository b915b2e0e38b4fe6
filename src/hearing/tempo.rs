//! From onsets to steps: the step period from the periodicity of the onsets, then the chain of
//! onsets that is the runner's steps, its cadence and how sure we are.
//!
//! The period comes from the intervals between all nearby pairs of onsets (an inter-onset
//! histogram), scored against each candidate period with a cosine so that intervals of one, two
//! or three steps all vote for it, while half the period (steps that are not there) and double it
//! (every other step) score lower. The best few candidates are then each tried as a chain of
//! steps (dynamic programming over the onsets: reward every onset taken, penalise steps that
//! stray from the period and steps skipped), and the chain that explains most onsets with fewest
//! holes wins. The target tempo only breaks near-ties between harmonics; it never moves the
//! measured period. Cadence is the slope of step time against step number (a least-squares line
//! through every step, so a few milliseconds of jitter per step cost nearly nothing).
//!
//! Pure arithmetic on onset times; knows nothing of audio.

use super::onsets::Onset;

/// The periods considered: 250 to 57 steps a minute (walking is measured too).
const SHORTEST_S: f64 = 0.24;
const LONGEST_S: f64 = 1.05;
/// Pairs further apart than this are not compared.
const LONGEST_PAIR_S: f64 = 3.2;
const HISTOGRAM_BIN_S: f64 = 0.004;
/// Candidate periods tried as chains.
const CANDIDATES: usize = 5;
/// Step chain costs: the square of the relative deviation from the period, and a skipped step.
const STRAY_COST: f64 = 40.0;
const SKIP_COST: f64 = 0.6;
const MOST_STRAY: f64 = 0.25;
const MOST_SKIPPED: usize = 3;
/// Below this the chain is not a runner (or not yet).
pub(crate) const LEAST_CONFIDENCE: f64 = 0.45;
const LEAST_STEPS: usize = 6;

/// The steps found and the cadence they make.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stepping {
    pub(crate) period_s: f64,
    pub(crate) confidence: f64,
    /// Step times in seconds, ascending.
    pub(crate) steps: Vec<f64>,
}

/// The steps among `onsets` (times in seconds, ascending), or `None` if they are not a runner.
/// `target_s` is the step period the runner is asked for, if any.
pub(crate) fn find_steps(onsets: &[(f64, f32)], target_s: Option<f64>) -> Option<Stepping> {
    if onsets.len() < LEAST_STEPS {
        return None;
    }
    let histogram = interval_histogram(onsets);
    let mut best: Option<(f64, Stepping)> = None;
    for period in candidates(&histogram) {
        let Some(first) = chain(onsets, period) else {
            continue;
        };
        // Once more around the period the first chain measured, which is sharper than a bin.
        let Some(stepping) = chain(onsets, first.period_s) else {
            continue;
        };
        let prior = target_s.map_or(1.0, |t| {
            1.0 + 0.2 * (-(stepping.period_s / t).ln().powi(2) / (2.0 * 0.1f64.powi(2))).exp()
        });
        let score = stepping.confidence * prior;
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, stepping));
        }
    }
    best.map(|(_, s)| s)
        .filter(|s| s.confidence >= LEAST_CONFIDENCE)
}

fn interval_histogram(onsets: &[(f64, f32)]) -> Vec<f64> {
    let mut h = vec![0.0; (LONGEST_PAIR_S / HISTOGRAM_BIN_S) as usize + 1];
    let weight = |s: f32| f64::from(s.min(2.0)) / 2.0;
    for (i, &(t, s)) in onsets.iter().enumerate() {
        for &(u, r) in &onsets[i + 1..] {
            let d = u - t;
            if d > LONGEST_PAIR_S {
                break;
            }
            h[(d / HISTOGRAM_BIN_S).round() as usize] += weight(s) * weight(r);
        }
    }
    h
}

/// The periods whose cosine score is a local maximum, best first.
fn candidates(histogram: &[f64]) -> Vec<f64> {
    let steps = ((LONGEST_S / SHORTEST_S).ln() / 0.005).ceil() as usize;
    let periods: Vec<f64> = (0..=steps)
        .map(|i| SHORTEST_S * (0.005 * i as f64).exp())
        .collect();
    let scores: Vec<f64> = periods
        .iter()
        .map(|&p| {
            histogram
                .iter()
                .enumerate()
                .filter(|&(_, &w)| w > 0.0)
                .map(|(b, &w)| {
                    let d = b as f64 * HISTOGRAM_BIN_S;
                    // Near pairs count most, counted in steps of this period: a half period
                    // needs twice the steps to reach the same pairs and scores less.
                    w * (std::f64::consts::TAU * d / p).cos() * (-d / (3.0 * p)).exp()
                })
                .sum()
        })
        .collect();
    let top = scores.iter().copied().fold(0.0, f64::max);
    let mut peaks: Vec<(f64, f64)> = (1..scores.len().saturating_sub(1))
        .filter(|&i| scores[i] > scores[i - 1] && scores[i] >= scores[i + 1])
        .filter(|&i| scores[i] >= 0.25 * top && scores[i] > 0.0)
        .map(|i| (scores[i], periods[i]))
        .collect();
    peaks.sort_by(|a, b| b.0.total_cmp(&a.0));
    peaks.into_iter().take(CANDIDATES).map(|(_, p)| p).collect()
}

/// The best chain of steps at about `period` seconds, with its measured period and confidence.
fn chain(onsets: &[(f64, f32)], period: f64) -> Option<Stepping> {
    let n = onsets.len();
    // Every onset taken earns something, a loud one (against the typical onset here) more:
    // between a heel and its fainter toe, the chain takes the heel.
    let mut strengths: Vec<f32> = onsets.iter().map(|o| o.1).collect();
    strengths.sort_by(f32::total_cmp);
    let typical = f64::from(strengths[n / 2]).max(1e-6);
    let reward = |s: f32| 0.5 + 0.25 * (f64::from(s) / typical).min(2.0);
    let mut best = vec![0.0f64; n];
    let mut prev: Vec<Option<(usize, usize)>> = vec![None; n];
    for i in 0..n {
        best[i] = reward(onsets[i].1);
        let t = onsets[i].0;
        for j in (0..i).rev() {
            let gap = t - onsets[j].0;
            if gap > (MOST_SKIPPED as f64 + 0.5) * period {
                break;
            }
            let k = (gap / period).round().max(1.0) as usize;
            let stray = gap / (k as f64 * period) - 1.0;
            if stray.abs() > MOST_STRAY || k > MOST_SKIPPED {
                continue;
            }
            let score = best[j] + reward(onsets[i].1)
                - STRAY_COST * stray * stray
                - SKIP_COST * (k - 1) as f64;
            if score > best[i] {
                best[i] = score;
                prev[i] = Some((j, k));
            }
        }
    }
    let end = (0..n).max_by(|&a, &b| best[a].total_cmp(&best[b]))?;
    // Back from the best end: each step with its number in the run of steps.
    let mut chain = vec![(end, 0usize)];
    let mut at = end;
    while let Some((j, k)) = prev[at] {
        let number = chain.last().map_or(0, |c| c.1) + k;
        chain.push((j, number));
        at = j;
    }
    // A run of steps does not begin or end with one far fainter than the rest: that is a
    // chance sound on the grid.
    let mut loudness: Vec<f32> = chain.iter().map(|&(i, _)| onsets[i].1).collect();
    loudness.sort_by(f32::total_cmp);
    let faint = 0.4 * loudness[loudness.len() / 2];
    while chain.len() > 1 && onsets[chain[0].0].1 < faint {
        chain.remove(0);
    }
    while chain.len() > 1 && onsets[chain[chain.len() - 1].0].1 < faint {
        chain.pop();
    }
    let base = chain[0].1;
    for c in &mut chain {
        c.1 -= base;
    }
    let last_number = chain.last().map_or(0, |c| c.1);
    let steps: Vec<(f64, f64)> = chain
        .iter()
        .rev()
        .map(|&(i, number)| ((last_number - number) as f64, onsets[i].0))
        .collect();
    if steps.len() < LEAST_STEPS {
        return None;
    }
    let (slope, spread) = fit_line(&steps);
    if slope.is_nan() || slope <= 0.0 {
        return None;
    }
    let first = steps[0].1;
    let last = steps[steps.len() - 1].1;
    let slots = last_number as f64;
    // How much of the chain's span has a step where one belongs.
    let fill = (steps.len() - 1) as f64 / slots;
    // How many of the onsets in that span are steps: a chain through a crowd of onsets (speech,
    // clatter) is a chance alignment.
    // Weighted by strength squared: a faint flicker between steps matters less than a loud
    // knock. The onsets just after a step (a heel then a toe, a slap after the thump) belong to
    // that footfall and are not counted against it.
    let weight = |s: f32| f64::from(s.min(4.0)).powi(2);
    let mut next_step = 0;
    let mut around = 0.0;
    for o in onsets
        .iter()
        .filter(|o| o.0 >= first - slope / 2.0 && o.0 <= last + slope / 2.0)
    {
        while next_step < steps.len() && steps[next_step].1 < o.0 - 0.3 * slope {
            next_step += 1;
        }
        let same_footfall = steps
            .get(next_step)
            .is_some_and(|s| o.0 > s.1 && o.0 <= s.1 + 0.3 * slope);
        if !same_footfall {
            around += weight(o.1);
        }
    }
    let taken: f64 = chain.iter().map(|&(i, _)| weight(onsets[i].1)).sum();
    let used = (taken / around.max(1e-9)).min(1.0);
    // How much of the time with onsets the chain covers.
    let span_all = onsets[n - 1].0 - onsets[0].0 + slope;
    let coverage = ((last - first + slope) / span_all).min(1.0);
    // Regularity from step to step (each step against the midpoint of its neighbours), which
    // a runner changing pace over a long recording does not spoil.
    let wobble = {
        let e: Vec<f64> = steps
            .windows(3)
            .filter(|w| w[1].0 - w[0].0 == 1.0 && w[2].0 - w[1].0 == 1.0)
            .map(|w| w[1].1 - (w[0].1 + w[2].1) / 2.0)
            .collect();
        if e.len() >= 3 {
            (e.iter().map(|x| x * x).sum::<f64>() / e.len() as f64).sqrt()
        } else {
            spread
        }
    };
    let regularity = (-(wobble / slope / 0.1).powi(2)).exp();
    let enough = ((steps.len() - 1) as f64 / 10.0).min(1.0);
    let confidence = fill * used * coverage.sqrt() * regularity * enough;
    Some(Stepping {
        period_s: slope,
        confidence,
        steps: steps.into_iter().map(|(_, t)| t).collect(),
    })
}

/// Least-squares line through (step number, time): the period and the spread of the steps
/// around the line (seconds).
fn fit_line(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return (0.0, 0.0);
    }
    let slope = sxy / sxx;
    let spread = (points
        .iter()
        .map(|p| (p.1 - my - slope * (p.0 - mx)).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    (slope, spread)
}

/// Onsets as (seconds, strength), for callers holding detector output.
pub(crate) fn in_seconds(onsets: &[Onset], rate: u32) -> Vec<(f64, f32)> {
    onsets
        .iter()
        .map(|o| (o.frame / f64::from(rate), o.strength))
        .collect()
}
