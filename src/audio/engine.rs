//! `AudioEngine`: plays click tracks on the output device and keeps a session going when the
//! device is missing or disappears.
//!
//! A supervisor thread owns the device. While a device is open the track is a voice in its
//! mixer (`mix`) and the device's callback drives the clock. When there is no device, or it stops (server killed,
//! headphones unplugged), the supervisor rebuilds the track from its published state and drives
//! it by the wall clock, so elapsed time and the beat go on; every two seconds it tries to open a
//! device again and, when one is back, hands the track over on the same beat grid.
//!
//! `AudioEngine::offline` is the same engine without a device or a thread: the caller advances
//! its clock, which makes the app's behaviour over minutes testable in milliseconds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::click_track::{ClickTrack, Program, TrackHandle};
use super::device::{AudioError, DeviceStream, Output, open_output};
use super::mix::Samples;
use super::sounds::SoundBank;
use crate::cadence::ClickSettings;

/// The rate we ask a device for first: the native rate of nearly all laptop codecs and of
/// PipeWire and PulseAudio defaults, so no resampler sits between the click and the speaker.
pub const PREFERRED_RATE: u32 = 48_000;
/// How often to try a missing device again.
const RETRY_EVERY: Duration = Duration::from_secs(2);
/// A playing track whose clock has not moved for this long has lost its device.
const STALL_AFTER: Duration = Duration::from_millis(1000);
/// The supervisor's tick while it drives a track itself (no device): the pace of its clock.
const TICK: Duration = Duration::from_millis(10);
/// The tick while a device plays a track: only a stall to notice.
const WATCH_TICK: Duration = Duration::from_millis(100);
/// The tick while nothing plays: only retries and device errors to notice.
const IDLE_TICK: Duration = Duration::from_millis(250);
/// Release the device after this long with nothing playing.
const STANDBY_AFTER: Duration = Duration::from_secs(15);

/// Where the sound goes now.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceState {
    /// The first attempt to open the device is under way.
    Connecting,
    /// Playing through this device at this rate, with this many frames buffered ahead.
    Connected {
        name: String,
        rate: u32,
        latency_frames: u32,
    },
    /// No sound; the clock runs on its own and the engine keeps trying.
    Missing { reason: AudioError },
    /// Nothing has played for a while, so the device was released (an open stream costs CPU
    /// even in silence); it opens again when something plays.
    Standby { name: String },
}

type Notify = Arc<dyn Fn() + Send + Sync>;

struct Pumped {
    track: ClickTrack,
    /// When the wall-clock drive began; `None` while the first device attempt is under way.
    started: Option<Instant>,
    start_frame: u64,
}

struct Active {
    handle: TrackHandle,
    last_frames: u64,
    last_change: Instant,
    /// Set while the engine drives the track itself because there is no device.
    pumped: Option<Pumped>,
}

struct State {
    stream: Option<DeviceStream>,
    device: DeviceState,
    choice: Option<String>,
    device_lost: Arc<AtomicBool>,
    last_attempt: Option<Instant>,
    rate: u32,
    banks: HashMap<u32, Arc<SoundBank>>,
    active: Option<Active>,
    notify: Option<Notify>,
    /// Since when nothing has played.
    idle_since: Option<Instant>,
    shutdown: bool,
}

struct Inner {
    state: Mutex<State>,
    wake: Condvar,
}

/// The sound output. Dropping it stops the sound and the supervisor.
pub struct AudioEngine {
    inner: Arc<Inner>,
    supervisor: Option<JoinHandle<()>>,
}

impl AudioEngine {
    /// Starts the engine and begins opening the output device named `choice` (the system default
    /// when `None`) in the background; returns at once. Without a device the engine still runs:
    /// tracks keep time silently and the engine keeps looking for one.
    pub fn start(choice: Option<String>) -> AudioEngine {
        let inner = AudioEngine::inner(choice, DeviceState::Connecting);
        let worker = inner.clone();
        let supervisor = std::thread::Builder::new()
            .name("audio-supervisor".into())
            .spawn(move || supervise(&worker))
            .expect("the audio supervisor thread could not start");
        AudioEngine {
            inner,
            supervisor: Some(supervisor),
        }
    }

    /// An engine with no device and no thread, whose clock moves only when `advance` is called.
    pub fn offline(rate: u32) -> AudioEngine {
        let inner = AudioEngine::inner(
            None,
            DeviceState::Missing {
                reason: AudioError::NoDevice("this engine has no sound output".into()),
            },
        );
        lock(&inner).rate = rate;
        AudioEngine {
            inner,
            supervisor: None,
        }
    }

    fn inner(choice: Option<String>, device: DeviceState) -> Arc<Inner> {
        Arc::new(Inner {
            state: Mutex::new(State {
                stream: None,
                device,
                choice,
                device_lost: Arc::new(AtomicBool::new(false)),
                last_attempt: None,
                rate: PREFERRED_RATE,
                banks: HashMap::new(),
                active: None,
                notify: None,
                idle_since: Some(Instant::now()),
                shutdown: false,
            }),
            wake: Condvar::new(),
        })
    }

    /// Where the sound goes now.
    pub fn device(&self) -> DeviceState {
        self.lock().device.clone()
    }

    /// Waits until the first attempt to open the device has ended, at most `timeout`.
    pub fn wait_for_device(&self, timeout: Duration) -> DeviceState {
        let deadline = Instant::now() + timeout;
        loop {
            let device = self.device();
            if device != DeviceState::Connecting || Instant::now() >= deadline {
                return device;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Calls `notify` (from the supervisor thread) whenever the device state changes, e.g. to
    /// repaint a window.
    pub fn set_notify(&self, notify: impl Fn() + Send + Sync + 'static) {
        self.lock().notify = Some(Arc::new(notify));
    }

    /// Switches to another output device (`None`: the system default).
    pub fn set_device(&self, choice: Option<String>) {
        let mut state = self.lock();
        if state.choice == choice {
            return;
        }
        state.choice = choice;
        if self.supervisor.is_some() {
            // Let the supervisor treat the old device as gone and open the new one at once.
            state.device_lost.store(true, Release);
            state.last_attempt = None;
        }
        drop(state);
        self.inner.wake.notify_all();
    }

    /// Starts `program`, stopping whatever played before, and returns its handle.
    pub fn play(&self, program: Program, settings: ClickSettings) -> TrackHandle {
        let mut state = self.lock();
        if let Some(old) = state.active.take() {
            old.handle.stop();
        }
        if matches!(state.device, DeviceState::Standby { .. }) {
            // Wake the device; the track waits (its clock at zero) until it can be heard.
            state.device = DeviceState::Connecting;
            state.last_attempt = None;
        }
        state.idle_since = None;
        let rate = state.rate;
        let bank = bank_for(&mut state, rate);
        let (track, handle) = ClickTrack::new(program, settings, bank);
        let pumped = match (&state.stream, &state.device) {
            (Some(stream), _) => {
                stream.add(track);
                None
            }
            (None, device) => Some(Pumped {
                track,
                // While the first device attempt runs, hold the clock at zero: the session
                // starts when its first click can be heard.
                started: (*device != DeviceState::Connecting).then(Instant::now),
                start_frame: 0,
            }),
        };
        state.active = Some(Active {
            handle: handle.clone(),
            last_frames: 0,
            last_change: Instant::now(),
            pumped,
        });
        drop(state);
        self.inner.wake.notify_all();
        handle
    }

    /// Plays the soft cue chime over the click track, if there is a device.
    pub fn chime(&self) {
        let state = self.lock();
        if let Some(stream) = &state.stream {
            stream.add(Samples::new(super::sounds::chime(state.rate)));
        }
    }

    /// Asks the supervisor to try the device again now (the "retry" button).
    pub fn retry_now(&self) {
        self.lock().last_attempt = None;
        self.inner.wake.notify_all();
    }

    /// Moves an offline engine's clock forward by `by`, playing (silently) what falls in it.
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        let rate = state.rate;
        if let Some(active) = &mut state.active
            && let Some(pumped) = &mut active.pumped
        {
            let target = pumped.track.frame() + (by.as_secs_f64() * f64::from(rate)).round() as u64;
            let mut scratch = vec![0.0f32; 8192];
            run_until(&mut pumped.track, target, &mut scratch);
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.inner)
    }
}

impl Drop for AudioEngine {
    fn drop(&mut self) {
        self.lock().shutdown = true;
        self.inner.wake.notify_all();
        if let Some(thread) = self.supervisor.take() {
            let _ = thread.join();
        }
    }
}

fn lock(inner: &Inner) -> MutexGuard<'_, State> {
    // A poisoned lock means a panic elsewhere already; the state is still usable for shutdown.
    inner.state.lock().unwrap_or_else(|e| e.into_inner())
}

fn bank_for(state: &mut State, rate: u32) -> Arc<SoundBank> {
    state
        .banks
        .entry(rate)
        .or_insert_with(|| Arc::new(SoundBank::new(rate)))
        .clone()
}

fn supervise(inner: &Inner) {
    let mut scratch = vec![0.0f32; 8192];
    let mut state = lock(inner);
    loop {
        if state.shutdown {
            if let Some(active) = &state.active {
                active.handle.stop();
            }
            return;
        }
        let before = state.device.clone();
        watch_device(&mut state);
        standby_when_idle(&mut state);
        if let Some(stream) = &state.stream {
            // Voices the device has finished with are dropped here, not in its callback.
            stream.collect();
        }
        if state.stream.is_none()
            && !matches!(state.device, DeviceState::Standby { .. })
            && state
                .last_attempt
                .is_none_or(|t| t.elapsed() >= RETRY_EVERY)
        {
            // Opening can take a while (the stream is verified to start); don't hold the lock.
            state.last_attempt = Some(Instant::now());
            let choice = state.choice.clone();
            let rate = state.rate;
            drop(state);
            let lost = Arc::new(AtomicBool::new(false));
            let opened = open_output(choice.as_deref(), rate, &lost);
            state = lock(inner);
            // Opening took time; a track the engine drives catches up with the wall clock first.
            pump_active(&mut state, &mut scratch);
            attach(&mut state, opened, lost);
        }
        let rate = state.rate;
        if let Some(active) = &mut state.active
            && let Some(pumped) = &mut active.pumped
            && let Some(started) = pumped.started
        {
            let due =
                pumped.start_frame + (started.elapsed().as_secs_f64() * f64::from(rate)) as u64;
            run_until(&mut pumped.track, due, &mut scratch);
        }
        if state.device != before
            && let Some(notify) = state.notify.clone()
        {
            drop(state);
            notify();
            state = lock(inner);
        }
        let tick = match &state.active {
            Some(a) if a.pumped.is_some() => TICK,
            Some(a) if !a.handle.finished() => WATCH_TICK,
            _ => IDLE_TICK,
        };
        state = inner
            .wake
            .wait_timeout(state, tick)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// Releases the device when nothing has played for `STANDBY_AFTER`.
fn standby_when_idle(state: &mut State) {
    let playing = state.active.as_ref().is_some_and(|a| !a.handle.finished());
    if playing {
        state.idle_since = None;
        return;
    }
    let since = *state.idle_since.get_or_insert_with(Instant::now);
    if since.elapsed() < STANDBY_AFTER {
        return;
    }
    if let (Some(stream), DeviceState::Connected { name, .. }) =
        (state.stream.take(), &state.device)
    {
        state.device = DeviceState::Standby { name: name.clone() };
        let _ = std::thread::Builder::new()
            .name("audio-close".into())
            .spawn(move || drop(stream));
    }
}

/// Notices a device that reported a fatal error or stopped pulling samples, and takes the
/// track over so the session goes on.
fn watch_device(state: &mut State) {
    if state.stream.is_none() {
        return;
    }
    let mut stalled = false;
    if let Some(active) = &mut state.active
        && active.pumped.is_none()
    {
        let frames = active.handle.frames();
        if frames != active.last_frames || active.handle.finished() {
            active.last_frames = frames;
            active.last_change = Instant::now();
        } else if active.last_change.elapsed() >= STALL_AFTER {
            stalled = true;
        }
    }
    if !stalled && !state.device_lost.load(Acquire) {
        return;
    }
    if let Some(stream) = state.stream.take() {
        // Closing a dead stream can block inside the sound library; never on this thread.
        let _ = std::thread::Builder::new()
            .name("audio-close".into())
            .spawn(move || drop(stream));
    }
    state.device = DeviceState::Missing {
        reason: AudioError::Lost,
    };
    if state.last_attempt.is_some() {
        state.last_attempt = Some(Instant::now() - RETRY_EVERY / 2);
    }
    let rate = state.rate;
    let bank = bank_for(state, rate);
    if let Some(active) = &mut state.active
        && !active.handle.finished()
    {
        // The clock goes on from where the device last was, plus the time since.
        let since = active.last_change.elapsed();
        let from = active.last_frames + (since.as_secs_f64() * f64::from(rate)) as u64;
        let track = ClickTrack::resume(&active.handle, from, bank);
        active.pumped = Some(Pumped {
            track,
            started: Some(Instant::now()),
            start_frame: from,
        });
    }
}

/// Puts a freshly opened output to use, or records why there is none.
fn attach(state: &mut State, opened: Result<Output, AudioError>, lost: Arc<AtomicBool>) {
    let output = match opened {
        Ok(output) => output,
        Err(reason) => {
            state.device = DeviceState::Missing { reason };
            // A track held back while connecting now runs on the wall clock.
            if let Some(active) = &mut state.active
                && let Some(pumped) = &mut active.pumped
                && pumped.started.is_none()
            {
                pumped.started = Some(Instant::now());
                pumped.start_frame = pumped.track.frame();
            }
            return;
        }
    };
    state.device_lost = lost;
    state.device = DeviceState::Connected {
        name: output.name,
        rate: output.rate,
        latency_frames: output.latency_frames,
    };
    let bank = bank_for(state, output.rate);
    if let Some(active) = &mut state.active
        && let Some(pumped) = active.pumped.take()
    {
        let track = if output.rate == pumped.track.rate() {
            pumped.track
        } else {
            ClickTrack::resume(&active.handle, pumped.track.frame(), bank)
        };
        active.last_frames = track.frame();
        active.last_change = Instant::now();
        output.stream.add(track);
    }
    state.rate = output.rate;
    state.stream = Some(output.stream);
}

/// Drives a device-less track up to the wall clock.
fn pump_active(state: &mut State, scratch: &mut [f32]) {
    let rate = state.rate;
    if let Some(active) = &mut state.active
        && let Some(pumped) = &mut active.pumped
        && let Some(started) = pumped.started
    {
        let due = pumped.start_frame + (started.elapsed().as_secs_f64() * f64::from(rate)) as u64;
        run_until(&mut pumped.track, due, scratch);
    }
}

/// Runs a device-less track up to frame `due`, discarding the sound.
fn run_until(track: &mut ClickTrack, due: u64, scratch: &mut [f32]) {
    while track.frame() < due {
        let frames = ((due - track.frame()) as usize).min(scratch.len() / 2);
        if track.render(&mut scratch[..frames * 2]) == 0 {
            break;
        }
    }
}
