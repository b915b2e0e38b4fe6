//! Audio the music tests make: tracks of clicks on known beats, and where bursts begin.

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
    for (e, f) in expected.iter().zip(found) {
        if let Some(f) = f {
            worst = worst.max((f - e).abs() / f64::from(OUT) * 1000.0);
            count += 1;
        }
    }
    (worst, count)
}
