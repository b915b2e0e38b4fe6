//! `ClickTrack`: the stereo source that places every click at its exact frame.
//!
//! The beat positions come from `cadence::BeatCursor`; this module only turns beats into sound.
//! Settings from other threads are read from atomics at each beat, so a change takes effect on
//! the next beat and never cuts a click in half. Rendering works a block at a time: silence is a
//! fill, a click is a copy, so an hour renders in well under a second of CPU.
//!
//! The audio thread's rules hold here: after `new`, nothing allocates, locks, sleeps, logs or
//! touches a file.
//!
//! This file holds the track itself: making one (fresh, or resumed on the same grid after the
//! device changed), rendering blocks for the device's mixer and for files, and serving single
//! samples from blocks. `generator` renders the blocks (beats into
//! clicks, settings latched per beat); `handle` holds what a track plays and the handle other
//! threads steer it and read its clock with.

mod generator;
mod handle;

use std::sync::Arc;
use std::sync::atomic::Ordering::*;

use super::control::Shared;
use super::music::{MusicFeed, open_feed};
use super::sounds::SoundBank;
use crate::cadence::{BeatCursor, ClickSettings, Spm};
use generator::Generator;
pub use generator::perceived_gain;
pub use handle::{Program, TrackHandle};

/// Frames rendered per block when serving one sample at a time (5 ms at 48 kHz).
const BLOCK_FRAMES: usize = 256;

/// A click track: interleaved stereo at the sound bank's rate, by the block (`render`) or by the
/// sample (`Iterator`).
pub struct ClickTrack {
    generator: Generator,
    /// The runner's music, prepared by a player on another thread and added in here.
    music: MusicFeed,
    block: [f32; BLOCK_FRAMES * 2],
    block_len: usize,
    block_pos: usize,
}

impl ClickTrack {
    /// A track for `program` at the bank's rate, and the handle that steers it.
    pub fn new(
        program: Program,
        settings: ClickSettings,
        sounds: Arc<SoundBank>,
    ) -> (ClickTrack, TrackHandle) {
        let rate = sounds.rate();
        let shared = Shared::new(program.first_spm(), settings, rate);
        let cursor = program.cursor(rate);
        let track = ClickTrack::with_cursor(shared.clone(), 0, sounds, cursor, &program, 0);
        let handle = TrackHandle {
            shared,
            program: Arc::new(program),
        };
        (track, handle)
    }

    /// A track that continues `handle`'s session from frame `from` on the same beat grid, for
    /// when the device changed. Bumps the epoch so any older track for the handle falls silent.
    pub fn resume(handle: &TrackHandle, from: u64, sounds: Arc<SoundBank>) -> ClickTrack {
        let status = &handle.shared.status;
        let epoch = status.epoch.fetch_add(1, AcqRel) + 1;
        let old_rate = handle.shared.rate.load(Relaxed);
        let rate = sounds.rate();
        let scale = |frame: u64| -> u64 {
            ((u128::from(frame) * u128::from(rate) + u128::from(old_rate) / 2)
                / u128::from(old_rate)) as u64
        };
        let from = scale(from);
        let program = handle.program.as_ref();
        let mut cursor = match program {
            Program::Workout(w) => BeatCursor::workout_shifted(w, rate, &status.shifts.since(0)),
            Program::Open { spm, duration_ms } => {
                let (anchor, index, half) = status.grid();
                let spm = Spm::from_half_steps(half).unwrap_or(*spm);
                BeatCursor::open_resumed(spm, *duration_ms, rate, scale(anchor), index)
            }
        };
        let first = cursor.next_from(from);
        handle.shared.rate.store(rate, Relaxed);
        let mut track =
            ClickTrack::with_cursor(handle.shared.clone(), epoch, sounds, cursor, program, from);
        track.generator.pending = first;
        track
    }

    fn with_cursor(
        shared: Arc<Shared>,
        epoch: u64,
        sounds: Arc<SoundBank>,
        cursor: BeatCursor,
        program: &Program,
        pos: u64,
    ) -> ClickTrack {
        ClickTrack {
            music: open_feed(&shared.music),
            generator: Generator::new(shared, epoch, sounds, cursor, program, pos),
            block: [0.0; BLOCK_FRAMES * 2],
            block_len: 0,
            block_pos: 0,
        }
    }

    /// Fills `out` (interleaved stereo) and returns how many samples were written: all of them
    /// until the track ends, fewer on the last call, then 0.
    pub fn render(&mut self, out: &mut [f32]) -> usize {
        render_with_music(&mut self.generator, &mut self.music, out)
    }

    /// The frame the next sample belongs to.
    pub fn frame(&self) -> u64 {
        self.generator.pos
    }

    /// The sample rate the track plays at.
    pub fn rate(&self) -> u32 {
        self.generator.sounds.rate()
    }
}

/// The clicks for `out`, with the music prepared for those frames added in.
fn render_with_music(generator: &mut Generator, music: &mut MusicFeed, out: &mut [f32]) -> usize {
    let from = generator.pos;
    let n = generator.render(out);
    music.mix(&mut out[..n], from, generator.music_target());
    n
}

impl Iterator for ClickTrack {
    type Item = f32;

    #[inline]
    fn next(&mut self) -> Option<f32> {
        if self.block_pos == self.block_len {
            self.block_len =
                render_with_music(&mut self.generator, &mut self.music, &mut self.block);
            self.block_pos = 0;
            if self.block_len == 0 {
                return None;
            }
        }
        let sample = self.block[self.block_pos];
        self.block_pos += 1;
        Some(sample)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::{ClickSound, Every, FadeBlocks, Segment, Workout};
    use std::time::Duration;

    const RATE: u32 = 48_000;

    fn spm(v: f64) -> Spm {
        Spm::new(v).unwrap()
    }

    fn open(v: f64, settings: ClickSettings) -> (ClickTrack, TrackHandle) {
        let program = Program::Open {
            spm: spm(v),
            duration_ms: None,
        };
        ClickTrack::new(program, settings, Arc::new(SoundBank::new(RATE)))
    }

    /// Pulls `frames` stereo frames the way rodio does, one sample at a time.
    fn pull(track: &mut ClickTrack, frames: usize) -> Vec<[f32; 2]> {
        let samples: Vec<f32> = track.take(frames * 2).collect();
        samples.chunks_exact(2).map(|f| [f[0], f[1]]).collect()
    }

    /// Frames where sound starts after at least 100 frames of exact silence.
    fn onsets(frames: &[[f32; 2]], offset: u64) -> Vec<u64> {
        let mut quiet = 100;
        let mut found = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            if f[0] != 0.0 || f[1] != 0.0 {
                if quiet >= 100 {
                    found.push(offset + i as u64);
                }
                quiet = 0;
            } else {
                quiet += 1;
            }
        }
        found
    }

    fn peak(frames: &[[f32; 2]], at: u64, ch: usize) -> f32 {
        frames[at as usize..at as usize + 400]
            .iter()
            .fold(0.0, |m, f| m.max(f[ch].abs()))
    }

    #[test]
    fn clicks_start_exactly_on_their_frames() {
        let (mut track, _h) = open(173.0, ClickSettings::default());
        let frames = pull(&mut track, RATE as usize * 60);
        let found = onsets(&frames, 0);
        assert_eq!(found.len(), 173);
        for (n, &at) in found.iter().enumerate() {
            let ideal = (n as f64 * 60.0 * 48_000.0 / 173.0).round() as u64;
            assert_eq!(at, ideal, "click {n}");
            assert!(frames[at as usize][0].abs() > 0.1, "click {n} starts soft");
        }
    }

    #[test]
    fn a_tempo_sent_from_another_thread_applies_from_the_next_beat_without_a_double_click() {
        let (mut track, handle) = open(180.0, ClickSettings::default());
        // Up to mid-way between beat 3 (48 000) and beat 4 (64 000).
        let first = pull(&mut track, 56_000);
        std::thread::scope(|s| {
            s.spawn(|| handle.set_spm(spm(150.0)));
        });
        let rest = pull(&mut track, 200_000);
        let mut all = first;
        all.extend(rest);
        let found = onsets(&all, 0);
        // Beat 4 keeps its place (it was already due); from beat 4 on the interval is 150 spm.
        assert_eq!(&found[..6], &[0, 16_000, 32_000, 48_000, 64_000, 83_200]);
        for w in found[4..].windows(2) {
            assert_eq!(w[1] - w[0], 19_200);
        }
    }

    #[test]
    fn volume_sound_and_pattern_changes_wait_for_the_next_beat() {
        let (mut track, handle) = open(180.0, ClickSettings::default());
        let mut frames = pull(&mut track, 100);
        // Mid-click: change everything. The sounding click must finish unchanged.
        handle.set_settings(ClickSettings {
            volume: 0.2,
            sound: crate::cadence::ClickSound::Beep,
            ..ClickSettings::default()
        });
        frames.extend(pull(&mut track, 40_000));
        let reference = {
            let (mut t, _h) = open(180.0, ClickSettings::default());
            pull(&mut t, 16_000)
        };
        assert_eq!(&frames[..16_000], &reference[..]);
        assert!(peak(&frames, 16_000, 0) < 0.6 * 0.2 * 0.2 + 1e-3);
        // The new sound is a beep: 50 ms long.
        let len = frames[16_000..32_000]
            .iter()
            .take_while(|f| f[0] != 0.0)
            .count();
        assert_eq!(len, 2_400);
    }

    #[test]
    fn accents_quiet_patterns_and_panning_follow_the_step_count() {
        let settings = ClickSettings {
            accent: Every::Fourth,
            quiet: Every::Second,
            pan: true,
            ..ClickSettings::default()
        };
        let (mut track, _h) = open(180.0, settings);
        let frames = pull(&mut track, 16_000 * 12);
        let found = onsets(&frames, 0);
        // Quiet every 2nd: only steps 0, 2, 4, ... sound; all are even, so all pan left.
        assert_eq!(found, (0..6).map(|k| k * 32_000).collect::<Vec<u64>>());
        for (k, &at) in found.iter().enumerate() {
            assert_eq!(peak(&frames, at, 1), 0.0, "step {} leaked right", 2 * k);
            let loud = peak(&frames, at, 0);
            if k % 2 == 0 {
                assert!(
                    loud > 0.9 * 0.64,
                    "step {} should be accented: {loud}",
                    2 * k
                );
            } else {
                assert!(loud < 0.62 * 0.64, "step {} should be plain: {loud}", 2 * k);
            }
        }
        // Without the quiet pattern, odd steps pan right.
        let (mut track, _h) = open(
            180.0,
            ClickSettings {
                pan: true,
                ..ClickSettings::default()
            },
        );
        let frames = pull(&mut track, 32_000);
        assert_eq!(peak(&frames, 16_000, 0), 0.0);
        assert!(peak(&frames, 16_000, 1) > 0.3);
    }

    #[test]
    fn faded_blocks_silence_the_click_and_keep_the_grid() {
        let settings = ClickSettings {
            fade: Some(FadeBlocks {
                on_secs: 2,
                off_secs: 1,
            }),
            ..ClickSettings::default()
        };
        let (mut track, handle) = open(180.0, settings);
        let frames = pull(&mut track, RATE as usize * 6);
        let found: Vec<u64> = onsets(&frames, 0);
        // 3 steps a second: on for 0–2 s (6 steps), off 2–3 s, on 3–5 s, off 5–6 s.
        let expect: Vec<u64> = (0..18u64)
            .filter(|n| (n * 16_000) % 144_000 < 96_000)
            .map(|n| n * 16_000)
            .collect();
        assert_eq!(found, expect);
        assert_eq!(handle.beat().unwrap().index, 17);
        assert!(!handle.beat().unwrap().sounded);
        assert!(!handle.beat().unwrap().planned && handle.beat().unwrap().faded);
    }

    #[test]
    fn unfaded_the_off_blocks_sound_and_say_they_were_planned_off() {
        let settings = ClickSettings {
            fade: Some(FadeBlocks {
                on_secs: 2,
                off_secs: 1,
            }),
            ..ClickSettings::default()
        };
        let (mut track, handle) = open(180.0, settings);
        handle.set_unfaded(true);
        let frames = pull(&mut track, RATE as usize * 6);
        // Every step sounds, on the grid; the snapshot of the last (in an off block) says so.
        let expect: Vec<u64> = (0..18u64).map(|n| n * 16_000).collect();
        assert_eq!(onsets(&frames, 0), expect);
        let last = handle.beat().unwrap();
        assert!(last.sounded && !last.planned && last.faded, "{last:?}");
        // Without fading, a track has nothing to let sound.
        let (mut plain, handle) = open(180.0, ClickSettings::default());
        handle.set_unfaded(true);
        pull(&mut plain, 20_000);
        assert!(handle.beat().unwrap().planned && !handle.beat().unwrap().faded);
    }

    #[test]
    fn a_click_held_quiet_from_another_thread_drops_whole_clicks_and_keeps_the_grid() {
        let (mut track, handle) = open(180.0, ClickSettings::default());
        // Into the middle of beat 2's click (it starts at 32 000 and rings a few hundred frames).
        let mut all = pull(&mut track, 32_100);
        std::thread::scope(|s| {
            s.spawn(|| handle.set_quiet(true));
        });
        all.extend(pull(&mut track, 63_000));
        std::thread::scope(|s| {
            s.spawn(|| handle.set_quiet(false));
        });
        all.extend(pull(&mut track, 100_000));
        let found = onsets(&all, 0);
        // Beats 0–2 sound (beat 2 rings out whole), 3–5 are silent, from 6 on they sound, every
        // one on the 180-spm grid.
        let expect: Vec<u64> = (0..13u64)
            .filter(|n| !(3..=5).contains(n))
            .map(|n| n * 16_000)
            .collect();
        assert_eq!(found, expect);
        let whole = SoundBank::new(RATE).samples(ClickSound::Click, false).len();
        let rang = all[32_000..].iter().take_while(|f| f[0] != 0.0).count();
        assert!(
            rang + 8 >= whole,
            "beat 2's click was cut to {rang} of {whole} frames"
        );
        // Only the clicks that sounded are told to the microphone.
        let mut logged = Vec::new();
        handle.clicks_since(0, &mut logged);
        assert_eq!(logged.iter().map(|c| c.frame).collect::<Vec<_>>(), expect);
    }

    #[test]
    fn stop_lets_the_last_click_ring_out_then_ends() {
        let (mut track, handle) = open(180.0, ClickSettings::default());
        let mut frames = pull(&mut track, 16_010);
        handle.stop();
        frames.extend(pull(&mut track, 100_000));
        // Blocks of 256 frames: stop is seen at the next block; the click at 16 000 rings out.
        let n = frames.len();
        assert!(n < 16_000 + 256 + 700, "{n} frames");
        assert_eq!(onsets(&frames, 0), vec![0, 16_000]);
        assert!(handle.finished());
        assert!(track.next().is_none());
    }

    #[test]
    fn a_workout_ends_at_its_nominal_end() {
        let w = Workout::new(
            "w",
            vec![
                Segment::steady("a", 2.0, spm(180.0)),
                Segment::ramp("b", 2.0, spm(180.0), spm(200.0)),
            ],
        )
        .unwrap();
        let (track, handle) = ClickTrack::new(
            Program::Workout(w),
            ClickSettings::default(),
            Arc::new(SoundBank::new(RATE)),
        );
        let samples: Vec<f32> = track.collect();
        assert_eq!(samples.len(), 4 * RATE as usize * 2);
        assert!(handle.finished());
        assert_eq!(handle.elapsed(), Duration::from_secs(4));
    }

    #[test]
    fn a_resumed_track_continues_the_grid_and_silences_the_old_one() {
        let (mut old, handle) = open(180.0, ClickSettings::default());
        pull(&mut old, 20_000);
        handle.set_spm(spm(160.0));
        pull(&mut old, 30_000); // beat 2 at 32 000 latches 160 spm
        let reference = {
            let (mut t, h) = open(180.0, ClickSettings::default());
            pull(&mut t, 20_000);
            h.set_spm(spm(160.0));
            let mut all = pull(&mut t, 30_000);
            all.extend(pull(&mut t, 150_000));
            onsets(&all, 20_000)
        };
        let mut resumed = ClickTrack::resume(&handle, 90_000, Arc::new(SoundBank::new(RATE)));
        let frames = pull(&mut resumed, 110_000);
        let expect: Vec<u64> = reference.into_iter().filter(|&f| f >= 90_000).collect();
        assert_eq!(onsets(&frames, 90_000), expect);
        // The old track may finish the block it already rendered (≤ 5 ms), then ends.
        assert!(
            old.count() <= BLOCK_FRAMES * 2,
            "the replaced track must fall silent"
        );
    }

    #[test]
    fn a_workout_shift_plays_from_the_next_beat_and_survives_a_device_change() {
        let w = Workout::new(
            "w",
            vec![
                Segment::steady("a", 6.0, spm(180.0)),
                Segment::steady("b", 6.0, spm(160.0)),
            ],
        )
        .unwrap();
        let (mut old, handle) = ClickTrack::new(
            Program::Workout(w.clone()),
            ClickSettings::default(),
            Arc::new(SoundBank::new(RATE)),
        );
        let mut all = pull(&mut old, 20_000);
        handle.set_shift(4);
        all.extend(pull(&mut old, 100_000));
        // Beat 2 (32 000) latched "+2 spm": beat 3 follows at 182.
        assert_eq!(handle.shifts_since(0), vec![(2, 4)]);
        let mut played = onsets(&all, 0);
        let expect: Vec<u64> = BeatCursor::workout_shifted(&w, RATE, &[(2, 4)])
            .map(|b| b.frame)
            .collect();
        assert_eq!(played[..], expect[..played.len()]);
        assert_eq!(
            played[3] - played[2],
            (60.0 * 48_000.0 / 182.0f64).round() as u64
        );
        // A new device at the same rate continues the shifted grid into the next segment.
        let mut resumed = ClickTrack::resume(&handle, 120_000, Arc::new(SoundBank::new(RATE)));
        played.extend(onsets(
            &pull(&mut resumed, 12 * RATE as usize - 120_000),
            120_000,
        ));
        assert_eq!(played, expect);
        assert_eq!(handle.shifts_since(0), vec![(2, 4)], "no shift made twice");
    }
}
