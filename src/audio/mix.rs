//! The output mixer: the few voices that sound at once (the click track, the cue chime, the
//! device probe), rendered a block at a time into the device's buffer.
//!
//! The device callback owns a `Mixer`; other threads hold its `MixerInput` and hand it voices.
//! The callback follows the audio thread's rules: it never allocates, frees, locks, sleeps, logs
//! or touches a file. It looks for new voices once per callback, never per sample.
//!
//! Both ways between the threads are bounded `std::sync::mpsc::sync_channel`s. Their ring
//! buffer is allocated when the channel is made, so `try_send` and `try_recv` only move a
//! pointer with atomics; and because neither side ever blocks in `send` or `recv`, no waiter is
//! ever registered, so they never take the channel's internal lock either. (An unbounded
//! channel would not do: it allocates and frees its blocks as messages come and go.)
//!
//! A finished voice is not dropped in the callback, since dropping a `Box` frees memory (and
//! the last `Arc` of a sound bank with it). It goes back to the input side, which drops it on
//! its own thread the next time it adds a voice or is asked to `collect`. If that way back is
//! full for a moment, the voice waits silent in its slot and is sent at the next callback.

use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};

use rodio::cpal::{FromSample, Sample};

/// At most this many voices sound at once; a voice handed over while all slots are taken
/// waits in the channel for one to free.
const MAX_VOICES: usize = 8;

/// Frames mixed per pass through the scratch buffers. A callback asking for more is served in
/// several passes; 8192 frames is more than the ~85 ms period the device is opened with.
const BLOCK_FRAMES: usize = 8192;

/// A sound the mixer plays: interleaved stereo at the device's rate.
pub(crate) trait Voice: Send {
    /// Fills `out` from its start and returns how many samples were written: all of them
    /// while the voice plays, fewer (down to 0) once it has ended. The mixer stops asking a
    /// voice that wrote fewer than it was given.
    fn render(&mut self, out: &mut [f32]) -> usize;
}

impl Voice for super::ClickTrack {
    fn render(&mut self, out: &mut [f32]) -> usize {
        super::ClickTrack::render(self, out)
    }
}

/// A prepared sound played once from memory (the cue chime).
pub(crate) struct Samples {
    samples: Vec<f32>,
    pos: usize,
}

impl Samples {
    /// `samples`: interleaved stereo.
    pub(crate) fn new(samples: Vec<f32>) -> Samples {
        Samples { samples, pos: 0 }
    }
}

impl Voice for Samples {
    fn render(&mut self, out: &mut [f32]) -> usize {
        let rest = &self.samples[self.pos..];
        let n = rest.len().min(out.len());
        out[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        n
    }
}

/// The other threads' side of a mixer: hands it voices and drops the ones it has finished.
pub(crate) struct MixerInput {
    voices: SyncSender<Box<dyn Voice>>,
    finished: Receiver<Box<dyn Voice>>,
}

impl MixerInput {
    /// Starts `voice` at the device's next callback. Never blocks: with every slot and the
    /// whole queue taken (which the engine never does) the voice is dropped unheard.
    pub(crate) fn add(&self, voice: impl Voice + 'static) {
        self.collect();
        let _ = self.voices.try_send(Box::new(voice));
    }

    /// Drops, on this thread, the voices the callback has finished with.
    pub(crate) fn collect(&self) {
        while self.finished.try_recv().is_ok() {}
    }
}

/// One place for a voice.
struct Slot {
    voice: Option<Box<dyn Voice>>,
    /// The voice has ended and waits to be sent back.
    ended: bool,
}

/// The callback's side: the voices, and the scratch buffers they are mixed through, all
/// allocated before the stream starts.
pub(crate) struct Mixer {
    slots: [Slot; MAX_VOICES],
    incoming: Receiver<Box<dyn Voice>>,
    finished: SyncSender<Box<dyn Voice>>,
    /// Where the second and later voices render before being added in.
    scratch: Vec<f32>,
    /// The stereo mix, for a device that does not take interleaved stereo f32 directly.
    stereo: Vec<f32>,
}

/// A mixer and its input.
pub(crate) fn mixer() -> (Mixer, MixerInput) {
    let (voices, incoming) = sync_channel(MAX_VOICES);
    let (finished, finished_rx) = sync_channel(MAX_VOICES);
    let mixer = Mixer {
        slots: std::array::from_fn(|_| Slot {
            voice: None,
            ended: false,
        }),
        incoming,
        finished,
        scratch: vec![0.0; BLOCK_FRAMES * 2],
        stereo: vec![0.0; BLOCK_FRAMES * 2],
    };
    let input = MixerInput {
        voices,
        finished: finished_rx,
    };
    (mixer, input)
}

impl Mixer {
    /// Fills a device buffer of interleaved stereo f32: the first voice writes straight into
    /// it, the others are added through the scratch buffer.
    pub(crate) fn fill_stereo(&mut self, out: &mut [f32]) {
        self.begin_callback();
        self.mix(out);
    }

    /// Fills a device buffer of any sample type and channel count from the stereo mix: a
    /// mono device gets the average of left and right, a device with more channels gets left
    /// and right on its first two and silence on the rest.
    pub(crate) fn fill<T>(&mut self, out: &mut [T], channels: usize)
    where
        T: Sample + FromSample<f32>,
    {
        self.begin_callback();
        let channels = channels.max(1);
        let mut stereo = std::mem::take(&mut self.stereo);
        for chunk in out.chunks_mut(BLOCK_FRAMES * channels) {
            let frames = chunk.len() / channels;
            let mix = &mut stereo[..frames * 2];
            self.mix(mix);
            spread(mix, chunk, channels);
        }
        // Give the buffer back: `take` left an empty Vec, which owns no memory.
        self.stereo = stereo;
    }

    /// Admits new voices and sends ended ones back, once per callback.
    fn begin_callback(&mut self) {
        for slot in &mut self.slots {
            if slot.ended
                && let Some(voice) = slot.voice.take()
            {
                match self.finished.try_send(voice) {
                    Ok(()) => slot.ended = false,
                    // Try again next time; the voice stays put, silent.
                    Err(TrySendError::Full(voice)) | Err(TrySendError::Disconnected(voice)) => {
                        slot.voice = Some(voice)
                    }
                }
            }
        }
        for slot in &mut self.slots {
            if slot.voice.is_some() {
                continue;
            }
            match self.incoming.try_recv() {
                Ok(voice) => slot.voice = Some(voice),
                Err(TryRecvError::Empty) | Err(TryRecvError::Disconnected) => break,
            }
        }
    }

    /// Mixes every playing voice into `out` (interleaved stereo).
    fn mix(&mut self, out: &mut [f32]) {
        let mut first = true;
        for slot in &mut self.slots {
            let Some(voice) = slot.voice.as_mut().filter(|_| !slot.ended) else {
                continue;
            };
            if first {
                let n = voice.render(out);
                out[n..].fill(0.0);
                slot.ended = n < out.len();
                first = false;
                continue;
            }
            for chunk in out.chunks_mut(self.scratch.len()) {
                let scratch = &mut self.scratch[..chunk.len()];
                let n = voice.render(scratch);
                for (o, s) in chunk.iter_mut().zip(&scratch[..n]) {
                    *o += s;
                }
                if n < chunk.len() {
                    slot.ended = true;
                    break;
                }
            }
        }
        if first {
            out.fill(0.0);
        }
    }
}

/// Writes the stereo `mix` into `out`, which has `channels` channels per frame.
fn spread<T>(mix: &[f32], out: &mut [T], channels: usize)
where
    T: Sample + FromSample<f32>,
{
    let frames = mix.chunks_exact(2).zip(out.chunks_exact_mut(channels));
    match channels {
        1 => {
            for (m, o) in frames {
                o[0] = T::from_sample((m[0] + m[1]) * 0.5);
            }
        }
        _ => {
            for (m, o) in frames {
                o[0] = T::from_sample(m[0]);
                o[1] = T::from_sample(m[1]);
                for rest in &mut o[2..] {
                    *rest = T::EQUILIBRIUM;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A constant level for a number of frames.
    struct Level {
        left: f32,
        right: f32,
        frames: usize,
    }

    impl Voice for Level {
        fn render(&mut self, out: &mut [f32]) -> usize {
            let frames = self.frames.min(out.len() / 2);
            for f in out[..frames * 2].chunks_exact_mut(2) {
                f[0] = self.left;
                f[1] = self.right;
            }
            self.frames -= frames;
            frames * 2
        }
    }

    fn level(left: f32, right: f32, frames: usize) -> Level {
        Level {
            left,
            right,
            frames,
        }
    }

    #[test]
    fn silence_without_voices() {
        let (mut mixer, _input) = mixer();
        let mut out = vec![1.0f32; 64];
        mixer.fill_stereo(&mut out);
        assert!(out.iter().all(|&s| s == 0.0));
    }

    #[test]
    fn voices_add_up_and_an_ended_one_leaves_silence_and_comes_back() {
        let (mut mixer, input) = mixer();
        input.add(level(0.25, 0.5, 10));
        input.add(level(0.125, 0.0, 3));
        let mut out = vec![9.0f32; 16];
        mixer.fill_stereo(&mut out);
        assert_eq!(&out[..6], &[0.375, 0.5, 0.375, 0.5, 0.375, 0.5]);
        assert_eq!(&out[6..8], &[0.25, 0.5]);
        mixer.fill_stereo(&mut out);
        assert_eq!(&out[..4], &[0.25, 0.5, 0.25, 0.5]);
        assert!(out[4..].iter().all(|&s| s == 0.0));
        // Both ended; the next callback hands them back for dropping off the audio thread.
        mixer.fill_stereo(&mut out);
        assert!(out.iter().all(|&s| s == 0.0));
        assert_eq!(input.finished.try_iter().count(), 2);
    }

    #[test]
    fn a_second_voice_longer_than_the_scratch_buffer_is_mixed_in_passes() {
        let (mut mixer, input) = mixer();
        let frames = BLOCK_FRAMES * 2 + 100;
        input.add(level(0.5, 0.5, frames));
        input.add(level(0.25, 0.25, frames));
        let mut out = vec![0.0f32; frames * 2];
        mixer.fill_stereo(&mut out);
        assert!(out.iter().all(|&s| s == 0.75));
    }

    #[test]
    fn mono_averages_and_wide_devices_get_the_pair_then_silence() {
        let (mut mixer, input) = mixer();
        input.add(level(0.5, 0.25, 100));
        let mut mono = vec![0.0f32; 4];
        mixer.fill(&mut mono, 1);
        assert_eq!(mono, [0.375; 4]);
        let mut six = vec![1.0f32; 12];
        mixer.fill(&mut six, 6);
        assert_eq!(
            six,
            [0.5, 0.25, 0.0, 0.0, 0.0, 0.0, 0.5, 0.25, 0.0, 0.0, 0.0, 0.0]
        );
    }

    #[test]
    fn integer_devices_get_converted_samples() {
        let (mut mixer, input) = mixer();
        input.add(level(0.5, -1.0, 100));
        let mut out = vec![0i16; 4];
        mixer.fill(&mut out, 2);
        assert_eq!(out, [16_384, -32_768, 16_384, -32_768]);
        let mut out = vec![0u16; 2];
        mixer.fill(&mut out, 2);
        assert_eq!(out, [49_152, 0]);
    }

    #[test]
    fn the_chime_plays_once() {
        let (mut mixer, input) = mixer();
        input.add(Samples::new(vec![0.5; 6]));
        let mut out = vec![0.0f32; 8];
        mixer.fill_stereo(&mut out);
        assert_eq!(out, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0]);
        mixer.fill_stereo(&mut out);
        assert!(out.iter().all(|&s| s == 0.0));
    }
}
