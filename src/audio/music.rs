//! The runner's music in a playing session: a worker thread renders the music a third of a
//! second ahead of the click track (decoding and time-stretching onto the step grid there), in
//! chunks tagged with the frame they begin at; the click track's voice, in the device
//! callback, only adds each chunk in at its frame. The click's frame counter stays the one
//! clock: a chunk that comes late is dropped whole, never played off the grid.
//!
//! Between the threads: bounded `sync_channel`s both ways, as in `mix` (a send or receive
//! that never blocks moves a pointer with atomics; nothing allocates or frees in the
//! callback), the used chunks going back to the worker to be filled again.
//!
//! The grid the worker renders on is the track's: a workout's beats with the shifts the runner
//! made, or an open tempo from where it last changed. While music plays, a tempo change waits
//! for the first beat past the music's lead; the worker puts it on its grid at that beat as soon
//! as it is asked for, so the music prepared ahead changes on the same beat as the click.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::click_track::{Program, TrackHandle};
use crate::cadence::{BeatCursor, Spm};
use crate::music::grid::{CursorGrid, StepGrid};
use crate::music::stream::{MusicStream, NowPlaying, TrackSource};

/// Frames in a chunk of music (21 ms at 48 kHz).
pub const CHUNK_FRAMES: usize = 1024;
/// Chunks in flight at most: what the worker may have ready, with the ones on their way back.
const CHUNKS: usize = 48;
/// How far ahead of the click track the worker keeps the music, in seconds: more than a
/// device period (about 85 ms) and a late wake-up of the worker.
const AHEAD_S: f64 = 0.35;
/// How often the worker tops the music up.
const TICK: Duration = Duration::from_millis(25);
/// The music fades out over the last seconds of a workout.
const END_FADE_S: f64 = 3.0;

/// Music prepared for [`CHUNK_FRAMES`] frames from `frame` (interleaved stereo).
#[derive(Debug)]
pub(crate) struct Chunk {
    frame: u64,
    samples: Box<[f32]>,
}

impl Chunk {
    fn new() -> Chunk {
        Chunk {
            frame: 0,
            samples: vec![0.0; CHUNK_FRAMES * 2].into_boxed_slice(),
        }
    }

    /// The frame after its last.
    fn end(&self) -> u64 {
        self.frame + (self.samples.len() / 2) as u64
    }
}

/// The worker's side of a track's music channels. Each click track made (also one resumed on
/// another device) opens new ones, and the worker moves to them.
#[derive(Debug, Default)]
pub struct MusicPort {
    chunks: Option<SyncSender<Chunk>>,
    used: Option<Receiver<Chunk>>,
    /// Counts the tracks that opened a port.
    generation: u64,
}

/// The click track's side: the chunks to play and the way back for the used ones.
pub(crate) struct MusicFeed {
    chunks: Receiver<Chunk>,
    used: SyncSender<Chunk>,
    current: Option<Chunk>,
    /// The gain in force, moving smoothly to the one asked for.
    gain: f32,
}

/// Opens a track's music channels: the feed for the track, the port put where the handle finds
/// it.
pub(crate) fn open_feed(port: &Mutex<MusicPort>) -> MusicFeed {
    let (chunks_tx, chunks_rx) = sync_channel(CHUNKS);
    let (used_tx, used_rx) = sync_channel(CHUNKS);
    let mut port = port.lock().unwrap_or_else(|e| e.into_inner());
    port.chunks = Some(chunks_tx);
    port.used = Some(used_rx);
    port.generation += 1;
    MusicFeed {
        chunks: chunks_rx,
        used: used_tx,
        current: None,
        gain: 0.0,
    }
}

impl MusicFeed {
    /// Adds the music for frames `from ..` into `out` (interleaved stereo) at `target` gain.
    /// Runs in the device callback: it only copies, and sends used chunks back.
    pub(crate) fn mix(&mut self, out: &mut [f32], from: u64, target: f32) {
        let end = from + (out.len() / 2) as u64;
        let mut at = from;
        while at < end {
            if self.current.is_none() {
                match self.chunks.try_recv() {
                    Ok(chunk) => self.current = Some(chunk),
                    Err(TryRecvError::Empty) | Err(TryRecvError::Disconnected) => return,
                }
            }
            let Some(chunk) = &self.current else { return };
            let chunk_end = chunk.end();
            if chunk_end <= at {
                // Late: its frames have gone by.
                self.give_back();
                continue;
            }
            if chunk.frame >= end {
                // Early: it waits for the next call.
                return;
            }
            at = at.max(chunk.frame);
            let stop = end.min(chunk_end);
            let src = &chunk.samples
                [((at - chunk.frame) as usize) * 2..((stop - chunk.frame) as usize) * 2];
            let dst = &mut out[((at - from) as usize) * 2..((stop - from) as usize) * 2];
            let mut gain = self.gain;
            for (d, s) in dst.chunks_exact_mut(2).zip(src.chunks_exact(2)) {
                // About 20 ms to settle: a volume change or a stop never clicks.
                gain += (target - gain) * 0.001;
                d[0] = soft_limit(d[0] + s[0] * gain);
                d[1] = soft_limit(d[1] + s[1] * gain);
            }
            self.gain = gain;
            at = stop;
            if at >= chunk_end {
                self.give_back();
            }
        }
    }

    fn give_back(&mut self) {
        if let Some(chunk) = self.current.take() {
            // Never full: no more chunks exist than the channel holds. Were it so, the chunk
            // would be dropped here, which frees; it cannot happen, so it costs nothing.
            let _ = self.used.try_send(chunk);
        }
    }
}

/// Keeps a click over loud music from clipping: the same below 0.8, bending smoothly toward 1
/// above it. Only samples with music in them pass through it, so the click alone is exact.
#[inline]
pub(crate) fn soft_limit(x: f32) -> f32 {
    const KNEE: f32 = 0.8;
    let a = x.abs();
    if a <= KNEE {
        return x;
    }
    let bent = KNEE + (1.0 - KNEE) * ((a - KNEE) / (1.0 - KNEE)).tanh();
    bent.copysign(x)
}

/// What the music player shows: what plays, and lines to pass on.
#[derive(Debug, Default)]
struct View {
    now: Option<NowPlaying>,
    notes: Vec<String>,
    /// Tracks started since the owner last took them.
    started: Vec<NowPlaying>,
}

struct PlayerShared {
    stop: AtomicBool,
    skip: AtomicBool,
    view: Mutex<View>,
}

/// Plays music from a [`TrackSource`] on a playing track's step grid, until the track ends or
/// the player is dropped.
pub struct MusicPlayer {
    shared: Arc<PlayerShared>,
    thread: Option<JoinHandle<()>>,
}

impl MusicPlayer {
    /// Starts playing on `handle`'s session, tracks within `limit` of the tempo (0.06: ±6 %).
    pub fn start(handle: TrackHandle, source: Box<dyn TrackSource>, limit: f64) -> MusicPlayer {
        let shared = Arc::new(PlayerShared {
            stop: AtomicBool::new(false),
            skip: AtomicBool::new(false),
            view: Mutex::new(View::default()),
        });
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("music".into())
            .spawn(move || run(&worker, &handle, source, limit));
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                shared
                    .lock()
                    .notes
                    .push(format!("could not start the music: {e}"));
                None
            }
        };
        MusicPlayer { shared, thread }
    }

    /// Moves on to the next track (a short crossfade on the steps).
    pub fn skip(&self) {
        self.shared.skip.store(true, Ordering::Relaxed);
    }

    /// What plays now.
    pub fn now(&self) -> Option<NowPlaying> {
        self.shared.lock().now.clone()
    }

    /// The tracks that started since the last call, in order, each with the frame it started at.
    pub fn take_started(&self) -> Vec<NowPlaying> {
        std::mem::take(&mut self.shared.lock().started)
    }

    /// Lines for the runner (a file that failed, no track for the tempo), oldest first.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut self.shared.lock().notes)
    }

    /// Whether the player has stopped (the session ended).
    pub fn finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

impl PlayerShared {
    fn lock(&self) -> std::sync::MutexGuard<'_, View> {
        self.view.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for MusicPlayer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The worker: keeps the music `AHEAD_S` ahead of the track's clock.
fn run(shared: &PlayerShared, handle: &TrackHandle, source: Box<dyn TrackSource>, limit: f64) {
    let mut rate = handle.rate();
    // A tempo change waits for the first beat past what is prepared, so the music changes
    // with the click.
    handle.set_tempo_delay(lead_frames(rate));
    let mut grid = LiveGrid::new(handle, rate);
    let mut stream = MusicStream::new(source, rate, limit).starting_at(handle.frames());
    let mut generation = 0;
    let mut chunks: Option<SyncSender<Chunk>> = None;
    let mut used: Option<Receiver<Chunk>> = None;
    let mut spare: Vec<Chunk> = Vec::new();
    let mut waiting: Option<Chunk> = None;
    // Tracks of the stream's list already handed to the owner.
    let mut reported = 0;
    while !shared.stop.load(Ordering::Relaxed) && !handle.finished() {
        {
            let mut port = handle.music_port();
            if port.generation != generation {
                // A new click track (a device change): its channels, and what was on its way
                // to the old one is gone.
                generation = port.generation;
                chunks = port.chunks.clone();
                used = port.used.take();
                waiting = None;
            }
        }
        if handle.rate() != rate {
            // The new device runs at another rate: the music starts again at it.
            rate = handle.rate();
            handle.set_tempo_delay(lead_frames(rate));
            grid = LiveGrid::new(handle, rate);
            let source = stream.into_source();
            stream = MusicStream::new(source, rate, limit).starting_at(handle.frames());
            reported = 0;
        }
        if let Some(used) = &used {
            spare.extend(used.try_iter());
        }
        grid.follow(handle);
        if shared.skip.swap(false, Ordering::Relaxed) {
            stream.skip();
        }
        let now = handle.frames();
        // Fell behind (the machine was busy): go on from where the click is.
        stream.jump_to(now);
        let ahead = now + (AHEAD_S * f64::from(rate)) as u64;
        let end = grid.program.end_frame(rate);
        while let Some(tx) = &chunks {
            if stream.frame() >= ahead {
                break;
            }
            let mut chunk = match waiting.take() {
                Some(c) => c,
                None => {
                    let mut c = spare.pop().unwrap_or_else(Chunk::new);
                    c.frame = stream.frame();
                    stream.render(&mut grid, &mut c.samples);
                    if let Some(end) = end {
                        fade_before_end(&mut c.samples, c.frame, end, rate);
                    }
                    c
                }
            };
            chunk = match tx.try_send(chunk) {
                Ok(()) => continue,
                Err(std::sync::mpsc::TrySendError::Full(c)) => c,
                Err(std::sync::mpsc::TrySendError::Disconnected(c)) => {
                    chunks = None;
                    c
                }
            };
            waiting = Some(chunk);
            break;
        }
        {
            let mut view = shared.lock();
            view.now = stream.now().cloned();
            view.notes.extend(stream.take_notes());
            let played = stream.played();
            view.started
                .extend(played[reported.min(played.len())..].iter().cloned());
            reported = played.len();
        }
        std::thread::sleep(TICK);
    }
    handle.set_tempo_delay(0);
    // The track may play on (the music turned off): the way back for the chunks still queued
    // stays open, so the callback never has to drop (free) one; a later player takes it over.
    let mut port = handle.music_port();
    if port.generation == generation && port.used.is_none() {
        port.used = used;
    }
    drop(port);
    shared.lock().now = None;
}

/// The delay a tempo change waits with music playing: the music's lead and a worker's tick.
fn lead_frames(rate: u32) -> u64 {
    ((AHEAD_S + 2.0 * TICK.as_secs_f64()) * f64::from(rate)) as u64
}

/// Fades music (interleaved stereo from output frame `first`) out over the last seconds before
/// a session's `end`, live and in a rendered file alike.
pub(crate) fn fade_before_end(samples: &mut [f32], first: u64, end: u64, rate: u32) {
    let fade = END_FADE_S * f64::from(rate);
    let frames = (samples.len() / 2) as u64;
    if ((first + frames) as f64) < end as f64 - fade {
        return;
    }
    for (i, frame) in samples.chunks_exact_mut(2).enumerate() {
        let g = ((end as f64 - (first + i as u64) as f64) / fade).clamp(0.0, 1.0) as f32;
        frame[0] *= g;
        frame[1] *= g;
    }
}

/// The step grid of a playing track, followed as the runner changes it. A change asked for is
/// put on the grid at once, from the beat the click will take it on: the first whose frame
/// is the track's tempo delay (the music's lead) past the frame it was asked at.
pub struct LiveGrid {
    grid: CursorGrid,
    program: Program,
    rate: u32,
    /// An open tempo's grid as last published by the click track, and the tempo asked for.
    published: (u64, u64, u32),
    request: (u32, u64),
    /// A workout's shifts as last logged by the click track, and the shift asked for.
    shifts: Vec<(u64, i32)>,
    shift_request: (i32, u64),
}

impl LiveGrid {
    pub fn new(handle: &TrackHandle, rate: u32) -> LiveGrid {
        let program = handle.program().clone();
        let mut grid = LiveGrid {
            grid: CursorGrid::new(program.cursor(rate)),
            program,
            rate,
            published: (0, 0, 0),
            request: (0, 0),
            shifts: Vec::new(),
            shift_request: (0, 0),
        };
        grid.follow(handle);
        grid
    }

    /// The first step from `from` on that begins at or after `frame`.
    fn step_at_or_after(&mut self, from: u64, frame: u64) -> u64 {
        let mut k = from;
        while self.grid.frame(k) < frame as f64 {
            k += 1;
        }
        k
    }

    /// Takes in what changed the track's grid since last time, and what is about to.
    pub fn follow(&mut self, handle: &TrackHandle) {
        let delay = handle.tempo_delay();
        match self.program.clone() {
            Program::Open { spm, duration_ms } => {
                let published = handle.open_grid();
                let request = handle.tempo_request();
                if (published, request) == (self.published, self.request) {
                    return;
                }
                let cursor = |grid: (u64, u64, u32)| {
                    let spm = Spm::from_half_steps(grid.2).unwrap_or(spm);
                    BeatCursor::open_resumed(spm, duration_ms, self.rate, grid.0, grid.1)
                };
                // The grid as the click made it (from before any guess made last time) …
                let old = self.published;
                self.grid.rebase(cursor(old), old.1);
                self.grid.rebase(cursor(published), published.1);
                self.published = published;
                self.request = request;
                // … and the change asked for, from the beat that will take it.
                let current = match published.2 {
                    0 => spm.half_steps(),
                    half => half,
                };
                if request.0 != current
                    && let Ok(new) = Spm::from_half_steps(request.0)
                {
                    let k = self.step_at_or_after(published.1, request.1 + delay);
                    let frame = self.grid.frame(k).round() as u64;
                    self.grid.rebase(
                        BeatCursor::open_resumed(new, duration_ms, self.rate, frame, k),
                        k,
                    );
                }
            }
            Program::Workout(w) => {
                let shifts = handle.shifts_since(0);
                let request = handle.shift_request();
                if (&shifts, request) == (&self.shifts, self.shift_request) {
                    return;
                }
                // Steps before the last shift known are as they were.
                let from = self.shifts.last().map_or(0, |s| s.0);
                self.grid
                    .rebase(BeatCursor::workout_shifted(&w, self.rate, &shifts), from);
                let logged = shifts.last().map_or(0, |s| s.1);
                if request.0 != logged {
                    let last = shifts.last().map_or(0, |s| s.0);
                    let k = self.step_at_or_after(last, request.1 + delay);
                    let mut planned = shifts.clone();
                    planned.push((k, request.0));
                    self.grid
                        .rebase(BeatCursor::workout_shifted(&w, self.rate, &planned), k);
                }
                self.shifts = shifts;
                self.shift_request = request;
            }
        }
    }
}

impl StepGrid for LiveGrid {
    fn frame(&mut self, index: u64) -> f64 {
        self.grid.frame(index)
    }
}

#[cfg(test)]
mod tests;
