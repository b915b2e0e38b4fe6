//! The analysis on drum loops made here: kick, snare and hi-hats at known tempi, the hats
//! swung, a fill every eighth bar; and on noise, which has no beat.

use super::*;

const RATE: u32 = 44_100;

/// xorshift, for noise that is the same on every machine.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

#[derive(Clone, Copy)]
enum Drum {
    Kick,
    Snare,
    Hat,
}

fn hit(out: &mut [f32], at_s: f64, drum: Drum, noise: &mut Noise) {
    let start = (at_s * f64::from(RATE)) as usize;
    let len = (0.25 * f64::from(RATE)) as usize;
    let mut last = 0.0f32;
    let mut phase = 0.0f32;
    for i in 0..len {
        let t = i as f32 / RATE as f32;
        let v = match drum {
            Drum::Kick => {
                let f = 50.0 + 70.0 * (-t / 0.03).exp();
                phase += std::f32::consts::TAU * f / RATE as f32;
                0.9 * phase.sin() * (-t / 0.15).exp()
            }
            Drum::Snare => {
                phase += std::f32::consts::TAU * 185.0 / RATE as f32;
                (0.5 * noise.next() + 0.3 * phase.sin()) * (-t / 0.07).exp()
            }
            Drum::Hat => {
                // White noise differenced: mostly above a few kHz.
                let n = noise.next();
                let v = n - last;
                last = n;
                0.15 * v * (-t / 0.015).exp()
            }
        };
        if let Some(s) = out.get_mut(start + i) {
            *s += v;
        }
    }
}

/// A drum loop at `bpm` for `secs`: kick on 1 and 3 (and the "and" of 2 every other bar),
/// snare on 2 and 4, hats on every eighth with the off-beats late by `swing` (0.5 straight),
/// and every eighth bar a fill of sixteenth snares over beats 3 and 4. The quarter-note times.
fn drum_loop(bpm: f64, secs: f64, swing: f64) -> (Vec<f32>, Vec<f64>) {
    let mut out = vec![0.0f32; (secs * f64::from(RATE)) as usize];
    let mut noise = Noise(0x00c0_ffee);
    let beat = 60.0 / bpm;
    let mut beats = Vec::new();
    let mut b = 0usize;
    loop {
        let at = 0.3 + b as f64 * beat;
        if at > secs - 0.3 {
            break;
        }
        beats.push(at);
        let bar = b / 4;
        let in_bar = b % 4;
        let fill = bar % 8 == 7 && in_bar >= 2;
        if fill {
            for k in 0..4 {
                hit(
                    &mut out,
                    at + k as f64 * beat / 4.0,
                    Drum::Snare,
                    &mut noise,
                );
            }
        } else {
            match in_bar {
                0 | 2 => hit(&mut out, at, Drum::Kick, &mut noise),
                _ => hit(&mut out, at, Drum::Snare, &mut noise),
            }
            if in_bar == 1 && bar % 2 == 1 {
                hit(&mut out, at + beat * swing, Drum::Kick, &mut noise);
            }
            hit(&mut out, at, Drum::Hat, &mut noise);
            hit(&mut out, at + beat * swing, Drum::Hat, &mut noise);
        }
        b += 1;
    }
    (out, beats)
}

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
