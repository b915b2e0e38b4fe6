//! The analysis on drum loops made here: kick, snare and hi-hats at known tempi, the hats
//! swung, a fill every eighth bar; and on noise, which has no beat.

use super::*;
use crate::music::test_audio::{Noise, drum_loop_at};

fn drum_loop(bpm: f64, secs: f64, swing: f64) -> (Vec<f32>, Vec<f64>) {
    drum_loop_at(RATE, bpm, secs, swing)
}

const RATE: u32 = 44_100;

#[test]
fn tempo_within_half_a_bpm_and_the_octave_resolved_toward_running() {
    for (bpm, swing) in [
        (88.0, 0.5),
        (88.0, 0.62),
        (100.0, 0.6),
        (128.0, 0.5),
        (163.0, 0.55),
        (174.0, 0.5),
    ] {
        let (samples, _) = drum_loop(bpm, 60.0, swing);
        let found = analyse(&samples, RATE).expect("a beat");
        // The analysis may count the beat or its double; the cadence it makes is the same.
        let octave = [bpm, bpm * 2.0, bpm / 2.0]
            .into_iter()
            .find(|t| (found.bpm - t).abs() <= 0.5 * t / bpm);
        assert!(
            octave.is_some(),
            "{bpm} BPM (swing {swing}) found as {}",
            found.bpm
        );
        let want = running_spm(bpm);
        assert!(
            (found.spm() - want).abs() <= 0.5 * want / bpm,
            "{bpm} BPM: {} spm, want {want}",
            found.spm()
        );
        assert!(found.steady, "{bpm} BPM: {found:?}");
    }
}

#[test]
fn the_beats_found_are_the_loops_beats() {
    for bpm in [88.0, 128.0, 174.0] {
        let (samples, truth) = drum_loop(bpm, 45.0, 0.58);
        let found = analyse(&samples, RATE).unwrap();
        // The analysis counts the loop's beats, or its eighths, or every other beat; at its
        // own count, every beat it found is within 30 ms of one of the loop's, and it found
        // nearly all of them (every other one, counting halves).
        let ratio = (found.bpm / bpm * 2.0).round() / 2.0;
        assert!([0.5, 1.0, 2.0].contains(&ratio), "{bpm}: {}", found.bpm);
        let grid: Vec<f64> = if ratio == 2.0 {
            truth.iter().flat_map(|&t| [t, t + 30.0 / bpm]).collect()
        } else {
            truth.clone()
        };
        let near = |t: f64, set: &[f64]| set.iter().any(|&s| (s - t).abs() <= 0.03);
        let on = found.beats_s.iter().filter(|&&t| near(t, &grid)).count();
        for t in &found.beats_s {
            if !near(*t, &grid) {
                eprintln!("{bpm}: off the loop at {t:.3}");
            }
        }
        assert!(
            on as f64 >= 0.95 * found.beats_s.len() as f64,
            "{bpm}: {on} of {} beats on the loop",
            found.beats_s.len()
        );
        let hit = grid.iter().filter(|&&t| near(t, &found.beats_s)).count();
        let expected = grid.len() as f64 * ratio.min(1.0);
        assert!(
            hit as f64 >= 0.9 * expected,
            "{bpm}: {hit} of {expected} loop beats found"
        );
    }
}

#[test]
fn noise_has_no_steady_beat() {
    let mut noise = Noise(7);
    let samples: Vec<f32> = (0..RATE as usize * 30)
        .map(|_| 0.3 * noise.next())
        .collect();
    let found = analyse(&samples, RATE);
    assert!(found.as_ref().is_none_or(|f| !f.steady), "{found:?}");
    assert!(analyse(&[0.0; 1000], RATE).is_none());
}

#[test]
fn half_and_double_tempo_resolve_toward_running_cadences() {
    assert_eq!(running_spm(88.0), 176.0);
    assert_eq!(running_spm(90.0), 180.0);
    assert_eq!(running_spm(174.0), 174.0);
    assert_eq!(running_spm(340.0), 170.0);
    assert_eq!(running_spm(120.0), 120.0);
    assert_eq!(running_spm(42.5), 170.0);
}

#[test]
fn beats_are_placed_on_their_attacks_to_a_few_milliseconds() {
    for (bpm, swing) in [(88.0, 0.6), (128.0, 0.5), (174.0, 0.55)] {
        let (samples, truth) = drum_loop(bpm, 60.0, swing);
        let found = analyse(&samples, RATE).unwrap();
        // Every found beat near a loop beat (or, counting eighths, an off-beat) is within 2 ms
        // of it: far finer than the 10-ms frames of the envelope.
        let mut worst = 0.0f64;
        let mut matched = 0;
        for &t in &found.beats_s {
            if let Some(err) = truth
                .iter()
                .map(|&b| t - b)
                .filter(|e| e.abs() <= 0.03)
                .min_by(|a, b| a.abs().total_cmp(&b.abs()))
            {
                worst = worst.max(err.abs());
                matched += 1;
            }
        }
        eprintln!("{bpm} BPM: {matched} beats, worst {:.2} ms", worst * 1000.0);
        assert!(matched >= truth.len() / 2 - 2, "{bpm}: {matched}");
        assert!(worst <= 0.002, "{bpm}: worst {:.2} ms", worst * 1000.0);
    }
}

#[test]
fn fed_in_blocks_the_analysis_is_the_same_as_at_once() {
    let (samples, _) = drum_loop(163.0, 20.0, 0.55);
    let whole = analyse(&samples, RATE).unwrap();
    let mut analyser = Analyser::new(RATE);
    for block in samples.chunks(1_111) {
        analyser.push(block);
    }
    assert_eq!(analyser.finish().unwrap(), whole);
}
