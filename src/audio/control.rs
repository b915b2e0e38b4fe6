//! The wait-free link between the click track (audio thread) and everyone else.
//!
//! Other threads write settings into atomics; the track reads them once per beat. The track writes
//! its clock and its latest beat back into atomics. Nothing here locks, allocates or blocks, so
//! the audio callback can touch it freely.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::*};

use crate::cadence::{ClickSettings, ClickSound, Every, FadeBlocks, Spm};

/// Settings other threads send to a playing track; read by the track at each beat.
#[derive(Debug)]
pub(crate) struct Controls {
    /// The tempo asked for and the frame it was asked at: at << 16 | half-steps per minute, in
    /// one atomic so a beat never sees one without the other.
    tempo: AtomicU64,
    volume_bits: AtomicU32,
    /// sound (8 bits) | accent << 8 | quiet << 16 | pan << 24, so one beat sees one consistent set.
    style: AtomicU32,
    /// on_secs << 32 | off_secs; 0 means no fading.
    fade: AtomicU64,
    /// A workout's tempo shift asked for, in half-steps per minute, and the frame it was asked
    /// at: at << 16 | shift as u16.
    shift: AtomicU64,
    /// Frames a tempo change waits after it is asked for before a beat takes it: 0 (the next
    /// beat), or the music's lead, so the music prepared ahead changes on the same beat.
    tempo_delay: AtomicU64,
    /// The click held silent (closed-loop coaching: the runner is on the tempo).
    quiet: AtomicBool,
    /// A faded segment's off blocks sound: a coach fades the click itself, by the cadence.
    unfaded: AtomicBool,
    /// The click left out under the runner's music ("click on top" off).
    click_muted: AtomicBool,
    /// The music's gain (f32 bits), 0–1.
    music_gain_bits: AtomicU32,
    stop: AtomicBool,
}

/// What a track publishes about itself.
#[derive(Debug, Default)]
pub(crate) struct Status {
    /// Frames generated since the track began: the one clock everything derives from.
    pub frames: AtomicU64,
    /// When `frames` last moved, in nanoseconds after `Shared::base`: lets a window place the
    /// heard position between two device callbacks (reading the clock neither locks nor blocks).
    pub rendered_at_nanos: AtomicU64,
    /// Seqlock over the beat fields below: odd while the track is writing them.
    beat_seq: AtomicU64,
    beat_index: AtomicU64,
    beat_frame: AtomicU64,
    beat_segment: AtomicU32,
    beat_milli_spm: AtomicU32,
    beat_flags: AtomicU32,
    /// Seqlock-protected grid of an open tempo: where its current tempo began.
    grid_anchor: AtomicU64,
    grid_index: AtomicU64,
    grid_half: AtomicU32,
    /// Every tempo shift a workout made, at the step it made it.
    pub shifts: ShiftLog,
    /// The clicks that sounded lately: what listening removes from the microphone.
    pub clicks: ClickLog,
    pub finished: AtomicBool,
    /// Only the track with this epoch may play; a replaced track goes silent and ends.
    pub epoch: AtomicU64,
}

/// The latest beat a track started, as seen from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeatSnapshot {
    pub index: u64,
    pub frame: u64,
    pub segment: usize,
    pub milli_spm: u32,
    /// The click sounded (not in an off block, not silenced by a quiet pattern).
    pub sounded: bool,
    /// The program meant it to sound: false in a planned off block (faded or click-off),
    /// whether or not a coach let it sound.
    pub planned: bool,
    /// In a faded-feedback segment.
    pub faded: bool,
    /// Steps left before a tempo change (4 … 1), or 0 when no change is near.
    pub count_in: u8,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub controls: Controls,
    pub status: Status,
    pub rate: AtomicU32,
    /// The origin of `Status::rendered_at_nanos`.
    pub base: std::time::Instant,
    /// Where a music player hands the track its prepared music (never touched by the audio
    /// thread: the track holds its own end of the channels).
    pub music: std::sync::Mutex<crate::audio::music::MusicPort>,
}

impl Shared {
    pub fn new(spm: Spm, settings: ClickSettings, rate: u32) -> Arc<Shared> {
        let shared = Shared {
            controls: Controls {
                tempo: AtomicU64::new(u64::from(spm.half_steps())),
                volume_bits: AtomicU32::new(0),
                style: AtomicU32::new(0),
                fade: AtomicU64::new(0),
                shift: AtomicU64::new(0),
                tempo_delay: AtomicU64::new(0),
                quiet: AtomicBool::new(false),
                unfaded: AtomicBool::new(false),
                click_muted: AtomicBool::new(false),
                music_gain_bits: AtomicU32::new(1.0f32.to_bits()),
                stop: AtomicBool::new(false),
            },
            status: Status::default(),
            rate: AtomicU32::new(rate),
            base: std::time::Instant::now(),
            music: Default::default(),
        };
        shared.controls.set_settings(settings);
        Arc::new(shared)
    }
}

impl Controls {
    pub fn set_settings(&self, s: ClickSettings) {
        self.volume_bits
            .store(s.volume.clamp(0.0, 1.0).to_bits(), Relaxed);
        let style = s.sound.index() as u32
            | s.accent.code() << 8
            | s.quiet.code() << 16
            | u32::from(s.pan) << 24;
        self.style.store(style, Relaxed);
        let fade = s
            .fade
            .map_or(0, |f| u64::from(f.on_secs) << 32 | u64::from(f.off_secs));
        self.fade.store(fade, Relaxed);
    }

    pub fn settings(&self) -> ClickSettings {
        let style = self.style.load(Relaxed);
        let fade = self.fade.load(Relaxed);
        ClickSettings {
            sound: ClickSound::from_index((style & 0xff) as usize),
            volume: f32::from_bits(self.volume_bits.load(Relaxed)),
            accent: Every::from_code((style >> 8) & 0xff),
            quiet: Every::from_code((style >> 16) & 0xff),
            pan: (style >> 24) & 1 == 1,
            fade: (fade != 0).then_some(FadeBlocks {
                on_secs: (fade >> 32) as u32,
                off_secs: fade as u32,
            }),
        }
    }

    /// Asks for `spm`, at frame `at` of the track's clock.
    pub fn set_spm(&self, spm: Spm, at: u64) {
        // The same tempo asked again (a setting saved) is no new request.
        if self.tempo_request().0 != spm.half_steps() {
            self.tempo
                .store(at << 16 | u64::from(spm.half_steps()), Relaxed);
        }
    }

    pub fn spm(&self) -> Spm {
        Spm::from_half_steps(self.tempo_request().0).unwrap_or(Spm::MIN)
    }

    /// (half-steps per minute, the frame it was asked at).
    pub fn tempo_request(&self) -> (u32, u64) {
        let v = self.tempo.load(Relaxed);
        ((v & 0xffff) as u32, v >> 16)
    }

    /// Asks a workout to shift by `half_steps`, at frame `at` of the track's clock.
    pub fn set_shift(&self, half_steps: i32, at: u64) {
        let shift = half_steps.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        // The same shift asked again is no new request.
        if self.shift_request().0 != i32::from(shift) {
            self.shift
                .store(at << 16 | u64::from(shift as u16), Relaxed);
        }
    }

    pub fn shift(&self) -> i32 {
        self.shift_request().0
    }

    /// (half-steps per minute, the frame it was asked at).
    pub fn shift_request(&self) -> (i32, u64) {
        let v = self.shift.load(Relaxed);
        (i32::from(v as u16 as i16), v >> 16)
    }

    pub fn set_tempo_delay(&self, frames: u64) {
        self.tempo_delay.store(frames, Relaxed);
    }

    pub fn tempo_delay(&self) -> u64 {
        self.tempo_delay.load(Relaxed)
    }

    pub fn set_quiet(&self, quiet: bool) {
        self.quiet.store(quiet, Relaxed);
    }

    pub fn quiet(&self) -> bool {
        self.quiet.load(Relaxed)
    }

    pub fn set_unfaded(&self, unfaded: bool) {
        self.unfaded.store(unfaded, Relaxed);
    }

    pub fn unfaded(&self) -> bool {
        self.unfaded.load(Relaxed)
    }

    pub fn set_click_muted(&self, muted: bool) {
        self.click_muted.store(muted, Relaxed);
    }

    pub fn click_muted(&self) -> bool {
        self.click_muted.load(Relaxed)
    }

    pub fn set_music_gain(&self, gain: f32) {
        self.music_gain_bits
            .store(gain.clamp(0.0, 1.0).to_bits(), Relaxed);
    }

    pub fn music_gain(&self) -> f32 {
        f32::from_bits(self.music_gain_bits.load(Relaxed))
    }

    pub fn request_stop(&self) {
        self.stop.store(true, Release);
    }

    pub fn stop_requested(&self) -> bool {
        self.stop.load(Acquire)
    }
}

impl Status {
    /// Writes fields under the seqlock: readers that overlap the write retry.
    fn write(&self, fields: impl FnOnce()) {
        let seq = self.beat_seq.load(Relaxed);
        self.beat_seq.store(seq.wrapping_add(1), Relaxed);
        std::sync::atomic::fence(Release);
        fields();
        self.beat_seq.store(seq.wrapping_add(2), Release);
    }

    /// Reads fields under the seqlock, retrying while a write is in progress.
    fn read<T>(&self, fields: impl Fn() -> T) -> T {
        loop {
            let before = self.beat_seq.load(Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let value = fields();
            std::sync::atomic::fence(Acquire);
            if self.beat_seq.load(Relaxed) == before {
                return value;
            }
        }
    }

    pub fn publish_beat(&self, beat: BeatSnapshot) {
        self.write(|| {
            self.beat_index.store(beat.index, Relaxed);
            self.beat_frame.store(beat.frame, Relaxed);
            self.beat_segment.store(beat.segment as u32, Relaxed);
            self.beat_milli_spm.store(beat.milli_spm, Relaxed);
            self.beat_flags.store(
                u32::from(beat.sounded)
                    | 2
                    | u32::from(beat.planned) << 2
                    | u32::from(beat.faded) << 3
                    | u32::from(beat.count_in) << 8,
                Relaxed,
            );
        });
    }

    /// The latest beat, or `None` before the first.
    pub fn beat(&self) -> Option<BeatSnapshot> {
        self.read(|| {
            let flags = self.beat_flags.load(Relaxed);
            (flags & 2 == 2).then(|| BeatSnapshot {
                index: self.beat_index.load(Relaxed),
                frame: self.beat_frame.load(Relaxed),
                segment: self.beat_segment.load(Relaxed) as usize,
                milli_spm: self.beat_milli_spm.load(Relaxed),
                sounded: flags & 1 == 1,
                planned: flags & 4 == 4,
                faded: flags & 8 == 8,
                count_in: (flags >> 8) as u8,
            })
        })
    }

    /// Grid changes happen at beat boundaries only, so they share the beat's seqlock.
    pub fn publish_grid(&self, anchor: u64, index: u64, half_spm: u32) {
        self.write(|| {
            self.grid_anchor.store(anchor, Relaxed);
            self.grid_index.store(index, Relaxed);
            self.grid_half.store(half_spm, Relaxed);
        });
    }

    /// (anchor frame, anchor beat index, half-steps per minute) of an open tempo's grid.
    pub fn grid(&self) -> (u64, u64, u32) {
        self.read(|| {
            (
                self.grid_anchor.load(Relaxed),
                self.grid_index.load(Relaxed),
                self.grid_half.load(Relaxed),
            )
        })
    }
}

/// How many tempo shifts one workout can make (a runner pressing ± a thousand times in one run
/// is not a runner); past it, further shifts are refused and the app says so.
pub const MAX_SHIFTS: usize = 1024;

/// The shifts a workout made, in order: (step index, shift in half-steps per minute). Only the
/// audio thread appends; anyone reads. Wait-free: an entry is written before the count that
/// publishes it, and never changes after.
#[derive(Debug)]
pub struct ShiftLog {
    /// index << 16 | shift as u16 (a shift fits in i16 many times over).
    entries: Box<[AtomicU64]>,
    len: AtomicUsize,
}

impl Default for ShiftLog {
    fn default() -> ShiftLog {
        ShiftLog {
            entries: (0..MAX_SHIFTS).map(|_| AtomicU64::new(0)).collect(),
            len: AtomicUsize::new(0),
        }
    }
}

impl ShiftLog {
    /// Appends a shift made at step `index`; false when the log is full (nothing is made).
    /// Called by the one audio thread of a track only.
    pub fn push(&self, index: u64, half_steps: i32) -> bool {
        let len = self.len.load(Relaxed);
        let Some(slot) = self.entries.get(len) else {
            return false;
        };
        let shift = half_steps.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        slot.store(index << 16 | u64::from(shift as u16), Relaxed);
        self.len.store(len + 1, Release);
        true
    }

    pub fn len(&self) -> usize {
        self.len.load(Acquire)
    }

    pub fn is_full(&self) -> bool {
        self.len() >= MAX_SHIFTS
    }

    /// The latest shift made, if any.
    pub fn last(&self) -> Option<i32> {
        let len = self.len();
        let entry = self.entries.get(len.checked_sub(1)?)?.load(Relaxed);
        Some(i32::from(entry as u16 as i16))
    }

    /// The shifts from the `from`-th on.
    pub fn since(&self, from: usize) -> Vec<(u64, i32)> {
        let len = self.len();
        self.entries
            .get(from.min(len)..len)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let e = e.load(Relaxed);
                (e >> 16, i32::from(e as u16 as i16))
            })
            .collect()
    }
}

/// How many recent clicks the click log keeps: a minute at 240 spm, while its reader (the
/// microphone worker) looks ten times a second.
pub const CLICK_LOG_LEN: usize = 256;

/// A click that sounded: the frame it began at, in the track's clock, and its sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoundedClick {
    pub frame: u64,
    pub sound: ClickSound,
    pub accent: bool,
}

/// The latest [`CLICK_LOG_LEN`] clicks that sounded, in order. Only the audio thread appends;
/// anyone reads. Wait-free: a reader that was lapped while reading drops what was overwritten.
#[derive(Debug)]
pub struct ClickLog {
    /// frame << 8 | accent << 7 | sound index.
    entries: Box<[AtomicU64]>,
    written: AtomicUsize,
}

impl Default for ClickLog {
    fn default() -> ClickLog {
        ClickLog {
            entries: (0..CLICK_LOG_LEN).map(|_| AtomicU64::new(0)).collect(),
            written: AtomicUsize::new(0),
        }
    }
}

impl ClickLog {
    /// Appends a click; called by the one audio thread of a track only.
    pub fn push(&self, click: SoundedClick) {
        let written = self.written.load(Relaxed);
        let entry = click.frame << 8 | u64::from(click.accent) << 7 | click.sound.index() as u64;
        self.entries[written % CLICK_LOG_LEN].store(entry, Relaxed);
        self.written.store(written + 1, Release);
    }

    /// The clicks from the `from`-th on that are still kept, and the count to ask from next.
    pub fn since(&self, from: usize, out: &mut Vec<SoundedClick>) -> usize {
        let written = self.written.load(Acquire);
        let first = from.max(written.saturating_sub(CLICK_LOG_LEN));
        let start = out.len();
        for i in first..written {
            let e = self.entries[i % CLICK_LOG_LEN].load(Relaxed);
            out.push(SoundedClick {
                frame: e >> 8,
                sound: ClickSound::ALL[(e & 0x7f) as usize % ClickSound::ALL.len()],
                accent: e & 0x80 != 0,
            });
        }
        // Slot `i` is rewritten while the count is `i + CLICK_LOG_LEN`: entries the writer has
        // reached again since they were read may be torn, so they are dropped.
        std::sync::atomic::fence(Acquire);
        let now = self.written.load(Relaxed);
        let valid_from = (now + 1).saturating_sub(CLICK_LOG_LEN);
        let torn = valid_from.saturating_sub(first).min(written - first);
        out.drain(start..start + torn);
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click(frame: u64) -> SoundedClick {
        SoundedClick {
            frame,
            sound: ClickSound::ALL[(frame % 4) as usize],
            accent: frame.is_multiple_of(3),
        }
    }

    #[test]
    fn the_click_log_hands_out_each_click_once_in_order_and_keeps_the_latest() {
        let log = ClickLog::default();
        let mut out = Vec::new();
        for f in 0..10 {
            log.push(click(f * 100));
        }
        let next = log.since(0, &mut out);
        assert_eq!(next, 10);
        assert_eq!(out, (0..10).map(|f| click(f * 100)).collect::<Vec<_>>());
        for f in 10..300 {
            log.push(click(f * 100));
        }
        out.clear();
        // A reader that fell behind gets the latest it can, never a torn or repeated one.
        let next = log.since(next, &mut out);
        assert_eq!(next, 300);
        let kept: Vec<u64> = out.iter().map(|c| c.frame / 100).collect();
        assert_eq!(
            kept,
            (300 - CLICK_LOG_LEN as u64 + 1..300).collect::<Vec<_>>()
        );
        assert_eq!(out[0], click(kept[0] * 100));
    }
}
