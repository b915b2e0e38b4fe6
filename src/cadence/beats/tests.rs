//! The beat timeline's tests: exact frames over two hours at 48 and 44.1 kHz, tempo changes
//! on the next beat, ramps that count their tempo integral, the grid across segments and
//! silent blocks, resuming an open tempo, count-ins and ends.

use super::*;
use crate::cadence::workout::Segment;

fn spm(v: f64) -> Spm {
    Spm::new(v).unwrap()
}

/// The ideal onset of beat n at a steady tempo, straight from the formula in the issue.
fn ideal(n: u64, rate: u64, spm: f64) -> u64 {
    (n as f64 * 60.0 * rate as f64 / spm).round() as u64
}

fn two_hours_at(rate: u32) {
    let workout = Workout::steady(spm(173.0), 7200.0).unwrap();
    let beats: Vec<Beat> = BeatCursor::workout(&workout, rate).collect();
    assert_eq!(beats.len(), 20_760);
    for (n, beat) in beats.iter().enumerate() {
        let n = n as u64;
        assert_eq!(beat.index, n);
        assert_eq!(beat.frame, ideal(n, u64::from(rate), 173.0), "beat {n}");
    }
    // The last beat sits exactly where two hours of exact intervals put it.
    let last = beats.last().unwrap().frame;
    assert_eq!(
        last,
        (20_759u64 * 60 * u64::from(rate) * 2 + 173) / (2 * 173)
    );
}

#[test]
fn two_hours_at_173_spm_48k_sit_exactly_on_the_formula() {
    two_hours_at(48_000);
}

#[test]
fn two_hours_at_173_spm_44k1_sit_exactly_on_the_formula() {
    two_hours_at(44_100);
}

#[test]
fn a_tempo_change_lands_on_the_beat_after_it_was_asked_for() {
    let rate = 48_000;
    let mut cursor = BeatCursor::open(spm(180.0), None, rate);
    let first: Vec<Beat> = cursor.by_ref().take(10).collect();
    assert_eq!(first[9].frame, 9 * 16_000);
    // Asked for after beat 9 started: beat 10 follows beat 9 at the new interval.
    cursor.retempo(spm(160.0));
    let next = cursor.next().unwrap();
    assert_eq!(next.index, 10);
    assert_eq!(next.frame, 9 * 16_000 + 18_000);
    let after: Vec<u64> = cursor.by_ref().take(1000).map(|b| b.frame).collect();
    for (k, frame) in after.iter().enumerate() {
        assert_eq!(*frame, next.frame + ideal(k as u64 + 1, 48_000, 160.0));
    }
}

#[test]
fn a_ramp_shrinks_every_interval_and_counts_its_tempo_integral() {
    let rate = 48_000u32;
    let workout = Workout::new(
        "ramp",
        vec![Segment::ramp("Ramp", 600.0, spm(160.0), spm(180.0))],
    )
    .unwrap();
    let frames: Vec<u64> = BeatCursor::workout(&workout, rate)
        .map(|b| b.frame)
        .collect();
    // ∫ tempo dt = (160 + 180) / 2 · 10 min = 1700 steps.
    assert!(
        (frames.len() as i64 - 1700).abs() <= 1,
        "{} beats",
        frames.len()
    );
    let intervals: Vec<u64> = frames.windows(2).map(|w| w[1] - w[0]).collect();
    // Allow the ±1 frame of rounding, but the trend must shrink every few beats.
    for pair in intervals.windows(2) {
        assert!(pair[1] <= pair[0] + 1, "interval grew: {pair:?}");
    }
    assert!(intervals.windows(8).all(|w| w[7] < w[0]));
    // The first interval follows 160 spm, the last about 180 spm.
    assert!((intervals[0] as f64 - 18_000.0).abs() < 20.0);
    assert!((*intervals.last().unwrap() as f64 - 16_000.0).abs() < 20.0);
}

#[test]
fn a_slowing_ramp_also_counts_its_integral() {
    let workout = Workout::new(
        "down",
        vec![Segment::ramp("Down", 300.0, spm(180.0), spm(150.0))],
    )
    .unwrap();
    let n = BeatCursor::workout(&workout, 44_100).count() as i64;
    assert!((n - 825).abs() <= 1, "{n}");
}

#[test]
fn the_grid_carries_across_segments_without_crowding() {
    // 10.1 s at 180 spm: the last beat is at 9.999 s; the next segment starts on the
    // 180-spm grid, not at 10.1 s, and never closer than one interval.
    let workout = Workout::new(
        "two",
        vec![
            Segment::steady("A", 10.1, spm(180.0)),
            Segment::steady("B", 10.0, spm(120.0)),
        ],
    )
    .unwrap();
    let beats: Vec<Beat> = BeatCursor::workout(&workout, 48_000).collect();
    let first_b = beats.iter().position(|b| b.segment == 1).unwrap();
    assert_eq!(first_b, 31);
    assert_eq!(beats[first_b].frame, 31 * 16_000);
    assert_eq!(beats[first_b + 1].frame - beats[first_b].frame, 24_000);
    let min_gap = beats
        .windows(2)
        .map(|w| w[1].frame - w[0].frame)
        .min()
        .unwrap();
    assert_eq!(min_gap, 16_000);
}

#[test]
fn off_and_faded_blocks_silence_clicks_but_keep_the_grid() {
    let workout = Workout::new(
        "fade",
        vec![
            Segment::steady("Off", 10.0, spm(180.0)).with_click(Click::Off),
            Segment::steady("Fade", 60.0, spm(180.0)).with_click(Click::Faded {
                on_secs: 20,
                off_secs: 10,
            }),
        ],
    )
    .unwrap();
    let beats: Vec<Beat> = BeatCursor::workout(&workout, 48_000).collect();
    assert_eq!(beats.len(), 210);
    for (n, b) in beats.iter().enumerate() {
        assert_eq!(b.frame, n as u64 * 16_000);
        let secs = b.frame as f64 / 48_000.0;
        let expect = secs >= 10.0 && ((secs - 10.0) % 30.0) < 20.0;
        assert_eq!(b.audible, expect, "beat {n} at {secs} s");
    }
}

#[test]
fn an_open_tempo_resumes_on_the_same_grid() {
    let mut a = BeatCursor::open(spm(170.0), None, 48_000);
    a.by_ref().take(5).for_each(drop);
    a.retempo(spm(175.5));
    let rest: Vec<u64> = a.clone().take(50).map(|b| b.frame).collect();
    let (anchor, index, half) = a.open_grid();
    let mut b = BeatCursor::open_resumed(
        Spm::from_half_steps(half).unwrap(),
        None,
        48_000,
        anchor,
        index,
    );
    let resumed = b.next_from(rest[20]).unwrap();
    assert_eq!(resumed.frame, rest[20]);
    assert_eq!(b.next().unwrap().frame, rest[21]);
}

#[test]
fn the_last_four_steps_before_a_tempo_change_count_down() {
    let workout = Workout::new(
        "w",
        vec![
            Segment::steady("A", 10.0, spm(180.0)),
            Segment::steady("B", 10.0, spm(180.0)),
            Segment::steady("C", 10.0, spm(150.0)),
        ],
    )
    .unwrap();
    let beats: Vec<Beat> = BeatCursor::workout(&workout, 48_000).collect();
    let counted: Vec<(u64, u8)> = beats
        .iter()
        .filter_map(|b| b.count_in.map(|c| (b.index, c)))
        .collect();
    // A → B keeps the tempo: no count-in. B → C changes it: beats 56–59 count 4, 3, 2, 1.
    assert_eq!(counted, vec![(56, 4), (57, 3), (58, 2), (59, 1)]);
    assert_eq!(beats[60].segment, 2);
}

#[test]
fn an_open_tempo_ends_where_asked() {
    let beats = BeatCursor::open(spm(180.0), Some(30_000), 48_000).count();
    assert_eq!(beats, 90);
}

#[test]
fn a_shift_moves_the_rest_of_a_workout_from_the_next_beat() {
    let rate = 48_000;
    let workout = Workout::new(
        "Shifted",
        vec![
            Segment::steady("A", 20.0, spm(180.0)),
            Segment::steady("B", 20.0, spm(160.0)),
        ],
    )
    .unwrap();
    let mut cursor = BeatCursor::workout(&workout, rate);
    let first: Vec<Beat> = cursor.by_ref().take(11).collect();
    assert_eq!(first[10].frame, 10 * 16_000);
    // "+2 spm" asked for while beat 10 sounds: beat 11 follows at 182 spm.
    cursor.set_shift(4);
    let rest: Vec<Beat> = cursor.collect();
    assert_eq!(rest[0].index, 11);
    assert_eq!(rest[0].frame, 10 * 16_000 + ideal(1, 48_000, 182.0));
    assert_eq!(rest[5].frame, 10 * 16_000 + ideal(6, 48_000, 182.0));
    assert!(rest.iter().all(|b| b.shift == 4));
    let a: Vec<&Beat> = rest.iter().filter(|b| b.segment == 0).collect();
    let b: Vec<&Beat> = rest.iter().filter(|b| b.segment == 1).collect();
    assert!(a.iter().all(|b| b.milli_spm == 182_000));
    // The next segment starts shifted too, and still at its nominal start or just after.
    assert!(b.iter().all(|b| b.milli_spm == 162_000));
    assert!(b[0].frame >= 20 * 48_000 && b[0].frame < 20 * 48_000 + ideal(1, 48_000, 182.0));
    assert_eq!(b[1].frame - b[0].frame, ideal(1, 48_000, 162.0));
    assert!(first.iter().all(|b| b.shift == 0));
}

#[test]
fn a_shifted_ramp_keeps_its_slope() {
    let rate = 48_000;
    let workout = Workout::new(
        "Ramp",
        vec![Segment::ramp("Ramp", 120.0, spm(160.0), spm(170.0))],
    )
    .unwrap();
    let plain: Vec<Beat> = BeatCursor::workout(&workout, rate).collect();
    let mut cursor = BeatCursor::workout(&workout, rate);
    let before: Vec<Beat> = cursor.by_ref().take(50).collect();
    assert_eq!(&before[..], &plain[..50]);
    cursor.set_shift(-2);
    let after: Vec<Beat> = cursor.collect();
    // Every later step is 1 spm slower than the ramp as written was at that moment.
    let slope = (170.0 - 160.0) / (120.0 * 48_000.0);
    for beat in &after {
        let written = 160.0 + slope * beat.frame as f64;
        let played = f64::from(beat.milli_spm) / 1000.0;
        assert!((played - (written - 1.0)).abs() < 0.002, "{beat:?}");
    }
    assert!(after.last().unwrap().milli_spm.abs_diff(169_000) < 10);
}

#[test]
fn a_replayed_walk_lands_on_the_same_beats_as_the_live_one() {
    let rate = 44_100;
    let workout = Workout::new(
        "Mixed",
        vec![
            Segment::steady("Warm", 30.0, spm(160.0)),
            Segment::ramp("Up", 60.0, spm(160.0), spm(175.0)),
            Segment::steady("Main", 60.0, spm(175.0)),
        ],
    )
    .unwrap();
    let shifts = [(20u64, 2i32), (21, 10), (120, -3), (300, 0)];
    let mut live = BeatCursor::workout(&workout, rate);
    let mut played = Vec::new();
    while let Some(beat) = live.next() {
        played.push(beat);
        // As a track does it: the latest shift asked for at a step, set at that step.
        if let Some(&(_, s)) = shifts.iter().rev().find(|(i, _)| *i == beat.index) {
            live.set_shift(s);
        }
    }
    let replayed: Vec<Beat> = BeatCursor::workout_shifted(&workout, rate, &shifts).collect();
    assert_eq!(played, replayed);
    assert!(played.iter().any(|b| b.shift == 10 && b.segment == 1));
    assert_eq!(played.last().unwrap().shift, 0);
}

#[test]
fn shifts_never_leave_the_playable_tempos() {
    let workout = Workout::steady(spm(235.0), 30.0).unwrap();
    let mut cursor = BeatCursor::workout(&workout, 48_000);
    cursor.next();
    cursor.set_shift(40);
    assert!(cursor.all(|b| b.milli_spm == 240_000));
}
