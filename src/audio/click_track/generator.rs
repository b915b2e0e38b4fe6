//! The sample generator behind `ClickTrack`: walks the beats, latches the settings at each one,
//! and writes clicks and silence into the block it is given. It runs on the audio thread, so it
//! never allocates, locks, sleeps, logs or touches a file.

use std::sync::Arc;
use std::sync::atomic::Ordering::*;

use super::Program;
use crate::audio::control::{BeatSnapshot, Shared, SoundedClick};
use crate::audio::sounds::SoundBank;
use crate::cadence::{Beat, BeatCursor, Click, ClickSettings, ClickSound, FadeBlocks, Spm};

#[derive(Debug, Clone, Copy)]
struct Voice {
    sound: ClickSound,
    accent: bool,
    offset: usize,
    gain_left: f32,
    gain_right: f32,
}

/// The sample generator behind `ClickTrack`.
pub(super) struct Generator {
    shared: Arc<Shared>,
    epoch: u64,
    pub(super) sounds: Arc<SoundBank>,
    cursor: BeatCursor,
    open: bool,
    end: Option<u64>,
    pub(super) pos: u64,
    pub(super) pending: Option<Beat>,
    voice: Option<Voice>,
    latched_half: u32,
    latched_fade: Option<FadeBlocks>,
    /// A workout's tempo shift in force (the last one the shift log holds).
    latched_shift: i32,
    settings: ClickSettings,
    stopping: bool,
    done: bool,
}

impl Generator {
    /// A generator for `cursor` starting at frame `pos`; from frame 0 it takes the first beat
    /// now, a resumed one is handed its first beat by the caller.
    pub(super) fn new(
        shared: Arc<Shared>,
        epoch: u64,
        sounds: Arc<SoundBank>,
        mut cursor: BeatCursor,
        program: &Program,
        pos: u64,
    ) -> Generator {
        let open = matches!(program, Program::Open { .. });
        let settings = shared.controls.settings();
        let end = cursor.end_frame();
        let pending = if pos == 0 { cursor.next() } else { None };
        let latched_half = cursor.steady_half_steps().unwrap_or(0);
        // A resumed workout continues with the shift its last track made.
        let latched_shift = shared.status.shifts.last().unwrap_or(0);
        Generator {
            shared,
            epoch,
            sounds,
            cursor,
            open,
            end,
            pos,
            pending,
            voice: None,
            latched_half,
            latched_fade: None,
            latched_shift,
            settings,
            stopping: false,
            done: false,
        }
    }

    /// The gain the music should move to now: the one asked for, or none once stopping (so
    /// the session never ends with a snap).
    pub(super) fn music_target(&self) -> f32 {
        if self.stopping {
            0.0
        } else {
            self.shared.controls.music_gain()
        }
    }

    pub(super) fn render(&mut self, out: &mut [f32]) -> usize {
        if self.done {
            return 0;
        }
        if self.shared.status.epoch.load(Relaxed) != self.epoch {
            // A newer track took over this session (the device changed); end quietly.
            self.done = true;
            return 0;
        }
        if !self.stopping && self.shared.controls.stop_requested() {
            self.stopping = true;
            self.pending = None;
        }
        let frames = out.len() / 2;
        let mut written = 0;
        while written < frames {
            if let Some(beat) = self.pending
                && beat.frame <= self.pos
            {
                self.start_beat(beat);
                continue;
            }
            let until_beat = self.pending.map_or(u64::MAX, |b| b.frame - self.pos);
            let until_end = match (self.pending, self.end) {
                (None, Some(end)) if !self.stopping => end.saturating_sub(self.pos),
                (None, _) => 0,
                _ => u64::MAX,
            };
            let room = (frames - written) as u64;
            let mut run = room.min(until_beat) as usize;
            let voice_left = self.voice.map_or(0, |v| {
                self.sounds.samples(v.sound, v.accent).len() - v.offset
            });
            if voice_left == 0 && until_end == 0 {
                self.done = true;
                break;
            }
            if self.pending.is_none() {
                run = run.min(until_end.max(voice_left as u64) as usize);
            }
            let chunk = &mut out[written * 2..(written + run) * 2];
            let sounded = self.play_voice(chunk);
            chunk[sounded * 2..].fill(0.0);
            written += run;
            self.pos += run as u64;
        }
        let status = &self.shared.status;
        status
            .rendered_at_nanos
            .store(self.shared.base.elapsed().as_nanos() as u64, Relaxed);
        status.frames.store(self.pos, Release);
        if self.done {
            status.finished.store(true, Release);
        }
        written * 2
    }

    /// Writes the sounding click into `chunk`; returns the frames it covered.
    fn play_voice(&mut self, chunk: &mut [f32]) -> usize {
        let Some(mut voice) = self.voice else {
            return 0;
        };
        let samples = &self.sounds.samples(voice.sound, voice.accent)[voice.offset..];
        let n = samples.len().min(chunk.len() / 2);
        for (frame, &s) in chunk.chunks_exact_mut(2).zip(&samples[..n]) {
            frame[0] = s * voice.gain_left;
            frame[1] = s * voice.gain_right;
        }
        voice.offset += n;
        self.voice = (n < samples.len()).then_some(voice);
        n
    }

    /// A beat begins at this frame: latch the settings, start its click, find the next beat.
    fn start_beat(&mut self, beat: Beat) {
        let controls = &self.shared.controls;
        self.settings = controls.settings();
        let mut audible = beat.audible;
        if self.open {
            // A change waits for the first beat past its delay (0 without music: this one).
            let (half, asked_at) = controls.tempo_request();
            let due = beat.frame >= asked_at + controls.tempo_delay();
            if half != self.latched_half
                && due
                && let Ok(spm) = Spm::from_half_steps(half)
            {
                self.cursor.retempo(spm);
                self.latched_half = half;
                let (anchor, index, half) = self.cursor.open_grid();
                self.shared.status.publish_grid(anchor, index, half);
            }
            let fade = self.settings.fade;
            if fade != self.latched_fade {
                self.latched_fade = fade;
                let click = fade.map_or(Click::On, |f| Click::Faded {
                    on_secs: f.on_secs,
                    off_secs: f.off_secs,
                });
                self.cursor.set_click(click, beat.frame);
                // A new block pattern begins with an "on" block, on this very beat.
                audible = true;
            }
        } else {
            // A workout's tempo shift takes effect after this beat, logged so the record and
            // a resumed track walk the same grid. A full log makes no more shifts.
            let (shift, asked_at) = controls.shift_request();
            let due = beat.frame >= asked_at + controls.tempo_delay();
            if shift != self.latched_shift
                && due
                && self.shared.status.shifts.push(beat.index, shift)
            {
                self.cursor.set_shift(shift);
                self.latched_shift = shift;
            }
        }
        let planned = audible;
        // A coach fading the click itself lets a faded segment's off blocks sound (and holds
        // the click quiet by its own blocks); a click-off segment stays off.
        if beat.faded && controls.unfaded() {
            audible = true;
        }
        // Held quiet from another thread, latched here: a click that starts plays whole.
        // Left out under the music ("click on top" off), likewise.
        let sounded = audible
            && self.settings.sounds_on(beat.index)
            && !controls.quiet()
            && !controls.click_muted();
        if sounded {
            let gain = perceived_gain(self.settings.volume);
            let (left, right) = match (self.settings.pan, beat.index % 2) {
                (false, _) => (gain, gain),
                (true, 0) => (gain, 0.0),
                (true, _) => (0.0, gain),
            };
            // The count-in before a tempo change is accented, whatever the pattern.
            let accent = beat.count_in.is_some() || self.settings.accent.hits(beat.index);
            self.voice = Some(Voice {
                sound: self.settings.sound,
                accent,
                offset: 0,
                gain_left: left,
                gain_right: right,
            });
            self.shared.status.clicks.push(SoundedClick {
                frame: beat.frame,
                sound: self.settings.sound,
                accent,
            });
        }
        self.shared.status.publish_beat(BeatSnapshot {
            index: beat.index,
            frame: beat.frame,
            segment: beat.segment,
            milli_spm: beat.milli_spm,
            sounded,
            planned,
            faded: beat.faded,
            count_in: beat.count_in.unwrap_or(0),
        });
        self.pending = self.cursor.next();
    }
}

/// Volume 0–1 to amplitude, on a curve that sounds even (about −12 dB at half volume).
pub fn perceived_gain(volume: f32) -> f32 {
    let v = volume.clamp(0.0, 1.0);
    v * v
}
