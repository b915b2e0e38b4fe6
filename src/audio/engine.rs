//! `AudioEngine`: opens the output device, plays click tracks on it, and keeps the session going
//! when the device is missing or disappears.
//!
//! A supervisor thread owns the device. While a device is open the track lives in its mixer and
//! the device's callback drives the clock. When there is no device, or it stops (server killed,
//! headphones unplugged), the supervisor rebuilds the track from its published state and drives
//! it by the wall clock, so elapsed time and the beat go on; every two seconds it tries to open a
//! device again and, when one is back, hands the track over on the same beat grid.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rodio::cpal::traits::{DeviceTrait, HostTrait};
use rodio::{CpalErrorKind, DeviceSinkBuilder, MixerDeviceSink};

use super::click_track::{ClickTrack, Program, TrackHandle};
use super::sounds::SoundBank;
use crate::cadence::ClickSettings;

/// The rate we ask a device for first: the native rate of nearly all laptop codecs and of
/// PipeWire and PulseAudio defaults, so no resampler sits between the click and the speaker.
pub const PREFERRED_RATE: u32 = 48_000;
/// The device period we ask for. About 85 ms, so 170 ms buffered: latency does not matter to a
/// click track whose every click is placed in advance, and smaller periods make the ALSA pulse
/// plugin report spurious I/O errors at start-up and drop the first clicks.
const PERIOD_SECS: f64 = 0.085;
/// How often to try a missing device again.
const RETRY_EVERY: Duration = Duration::from_secs(2);
/// A playing track whose clock has not moved for this long has lost its device.
const STALL_AFTER: Duration = Duration::from_millis(1000);
/// The supervisor's tick: the pace of the wall-clock drive when there is no device.
const TICK: Duration = Duration::from_millis(10);

/// Why no sound comes out. The message is one plain sentence for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AudioError {
    #[error("no audio output device was found ({0})")]
    NoDevice(String),
    #[error("the audio output device could not be opened ({0})")]
    OpenFailed(String),
    #[error("the audio output device stopped responding")]
    Lost,
}

/// Where the sound goes now.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceState {
    /// Playing through this device at this rate.
    Connected { name: String, rate: u32 },
    /// No sound; the clock runs on its own and the engine keeps trying.
    Missing { reason: AudioError },
}

struct Pumped {
    track: ClickTrack,
    started: Instant,
    start_frame: u64,
}

struct Active {
    handle: TrackHandle,
    last_frames: u64,
    last_change: Instant,
    /// Set while the supervisor drives the track because there is no device.
    pumped: Option<Pumped>,
}

struct State {
    sink: Option<MixerDeviceSink>,
    device: DeviceState,
    device_lost: Arc<AtomicBool>,
    last_attempt: Instant,
    rate: u32,
    banks: HashMap<u32, Arc<SoundBank>>,
    active: Option<Active>,
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
    /// Starts the engine, opening the default output device if there is one. Without a device
    /// the engine still runs (tracks keep time silently) and keeps looking for one; the returned
    /// state says which happened.
    pub fn start() -> (AudioEngine, DeviceState) {
        let device_lost = Arc::new(AtomicBool::new(false));
        let (sink, device) = match open_output(PREFERRED_RATE, &device_lost) {
            Ok((sink, name, rate)) => (Some(sink), DeviceState::Connected { name, rate }),
            Err(reason) => (None, DeviceState::Missing { reason }),
        };
        let rate = match &device {
            DeviceState::Connected { rate, .. } => *rate,
            DeviceState::Missing { .. } => PREFERRED_RATE,
        };
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                sink,
                device: device.clone(),
                device_lost,
                last_attempt: Instant::now(),
                rate,
                banks: HashMap::new(),
                active: None,
                shutdown: false,
            }),
            wake: Condvar::new(),
        });
        let worker = inner.clone();
        let supervisor = std::thread::Builder::new()
            .name("audio-supervisor".into())
            .spawn(move || supervise(&worker))
            .expect("the audio supervisor thread could not start");
        (
            AudioEngine {
                inner,
                supervisor: Some(supervisor),
            },
            device,
        )
    }

    /// Where the sound goes now.
    pub fn device(&self) -> DeviceState {
        self.lock().device.clone()
    }

    /// Starts `program`, stopping whatever played before, and returns its handle.
    pub fn play(&self, program: Program, settings: ClickSettings) -> TrackHandle {
        let mut state = self.lock();
        if let Some(old) = state.active.take() {
            old.handle.stop();
        }
        let rate = state.rate;
        let bank = bank_for(&mut state, rate);
        let (track, handle) = ClickTrack::new(program, settings, bank);
        let pumped = match &state.sink {
            Some(sink) => {
                sink.mixer().add(track);
                None
            }
            None => Some(Pumped {
                track,
                started: Instant::now(),
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

    /// Asks the supervisor to try the device again now (the "retry" button).
    pub fn retry_now(&self) {
        let mut state = self.lock();
        state.last_attempt = Instant::now() - RETRY_EVERY;
        drop(state);
        self.inner.wake.notify_all();
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
        watch_device(&mut state);
        if state.sink.is_none() && state.last_attempt.elapsed() >= RETRY_EVERY {
            reconnect(&mut state);
        }
        if let Some(active) = &mut state.active
            && let Some(pumped) = &mut active.pumped
        {
            pump(pumped, active.handle.rate(), &mut scratch);
        }
        state = inner
            .wake
            .wait_timeout(state, TICK)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// Notices a device that reported a fatal error or stopped pulling samples, and takes the
/// track over so the session goes on.
fn watch_device(state: &mut State) {
    if state.sink.is_none() {
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
    if let Some(sink) = state.sink.take() {
        // Closing a dead stream can block inside the sound library; never on this thread.
        let _ = std::thread::Builder::new()
            .name("audio-close".into())
            .spawn(move || drop(sink));
    }
    state.device = DeviceState::Missing {
        reason: AudioError::Lost,
    };
    state.last_attempt = Instant::now() - RETRY_EVERY / 2;
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
            started: Instant::now(),
            start_frame: from,
        });
    }
}

fn reconnect(state: &mut State) {
    state.last_attempt = Instant::now();
    let lost = Arc::new(AtomicBool::new(false));
    let Ok((sink, name, rate)) = open_output(state.rate, &lost) else {
        return;
    };
    state.device_lost = lost;
    state.device = DeviceState::Connected { name, rate };
    let bank = bank_for(state, rate);
    if let Some(active) = &mut state.active
        && let Some(pumped) = active.pumped.take()
    {
        let track = if rate == pumped.track_rate() {
            pumped.track
        } else {
            ClickTrack::resume(&active.handle, pumped.track.position(), bank)
        };
        active.last_frames = track.position();
        active.last_change = Instant::now();
        sink.mixer().add(track);
    }
    state.rate = rate;
    state.sink = Some(sink);
}

impl Pumped {
    fn track_rate(&self) -> u32 {
        rodio::Source::sample_rate(&self.track).get()
    }
}

/// Runs a device-less track up to the wall clock, discarding the sound.
fn pump(pumped: &mut Pumped, rate: u32, scratch: &mut [f32]) {
    let due =
        pumped.start_frame + (pumped.started.elapsed().as_secs_f64() * f64::from(rate)) as u64;
    while pumped.track.position() < due {
        let frames = ((due - pumped.track.position()) as usize).min(scratch.len() / 2);
        if pumped.track.render(&mut scratch[..frames * 2]) == 0 {
            break;
        }
    }
}

/// Opens the default output device, preferring `rate`.
fn open_output(
    rate: u32,
    lost: &Arc<AtomicBool>,
) -> Result<(MixerDeviceSink, String, u32), AudioError> {
    // alsa-lib prints its own complaints to stderr; collect them for this thread instead, so
    // the user sees our one sentence and not a page of library internals.
    #[cfg(target_os = "linux")]
    let _alsa_messages = alsa::Output::local_error_handler().ok();

    // Only the default device: it is what the user chose in their sound settings, and listing
    // every device makes ALSA probe plugins (JACK, OSS) that print to stderr on their own.
    let host = rodio::cpal::default_host();
    let candidates: Vec<rodio::Device> = host.default_output_device().into_iter().collect();
    if candidates.is_empty() {
        return Err(AudioError::NoDevice(
            "the sound system has no default output device".into(),
        ));
    }
    let mut first_error = None;
    for device in candidates {
        let name = device
            .description()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|_| "default".into());
        match open_device(device, rate, lost) {
            Ok((sink, rate)) => return Ok((sink, name, rate)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| AudioError::NoDevice("no device answered".into())))
}

/// Opens `device` and makes sure its stream really runs before anything plays on it.
///
/// A stream can open fine and then never start: the ALSA pulse plugin reports "no timing data
/// yet" as an I/O error, and cpal's ALSA backend then never writes the first periods that would
/// start it (alsa-plugins issue #65). Such a stream is closed and opened again.
fn open_device(
    device: rodio::Device,
    rate: u32,
    lost: &Arc<AtomicBool>,
) -> Result<(MixerDeviceSink, u32), AudioError> {
    const TRIES: usize = 5;
    for _ in 0..TRIES {
        let (sink, rate) = open_device_once(device.clone(), rate, lost)?;
        let probe = Probe::new(rate);
        let pulled = probe.pulled.clone();
        let done = probe.done.clone();
        sink.mixer().add(probe);
        let deadline = Instant::now() + Duration::from_millis(600);
        let wanted = u64::from(period_frames(rate)) * 2;
        while pulled.load(Acquire) < wanted && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        done.store(true, Release);
        if pulled.load(Acquire) >= wanted {
            return Ok((sink, rate));
        }
        let _ = std::thread::Builder::new()
            .name("audio-close".into())
            .spawn(move || drop(sink));
    }
    Err(AudioError::OpenFailed(
        "the device opened but never started playing".into(),
    ))
}

/// Silence that counts how many samples the device has pulled.
struct Probe {
    rate: u32,
    count: u64,
    pulled: Arc<std::sync::atomic::AtomicU64>,
    done: Arc<AtomicBool>,
}

impl Probe {
    fn new(rate: u32) -> Probe {
        Probe {
            rate,
            count: 0,
            pulled: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            done: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Iterator for Probe {
    type Item = f32;
    fn next(&mut self) -> Option<f32> {
        self.count += 1;
        if self.count.is_multiple_of(256) {
            self.pulled.store(self.count / 2, Release);
            if self.done.load(Acquire) {
                return None;
            }
        }
        Some(0.0)
    }
}

impl rodio::Source for Probe {
    fn current_span_len(&self) -> Option<usize> {
        None
    }
    fn channels(&self) -> rodio::ChannelCount {
        std::num::NonZero::new(2).expect("two is not zero")
    }
    fn sample_rate(&self) -> rodio::SampleRate {
        std::num::NonZero::new(self.rate).expect("rates are positive")
    }
    fn total_duration(&self) -> Option<Duration> {
        None
    }
}

fn open_device_once(
    device: rodio::Device,
    rate: u32,
    lost: &Arc<AtomicBool>,
) -> Result<(MixerDeviceSink, u32), AudioError> {
    let on_error = |lost: Arc<AtomicBool>| {
        move |e: rodio::CpalError| {
            // Only errors that say the device or server is gone count. Others can be passing: the
            // ALSA pulse plugin, for one, reports a transient "no timing data yet" as an I/O
            // error. A stream that really died stops pulling samples, and the stall watch in
            // `watch_device` catches that.
            if matches!(
                e.kind(),
                CpalErrorKind::DeviceNotAvailable
                    | CpalErrorKind::HostUnavailable
                    | CpalErrorKind::StreamInvalidated
            ) {
                lost.store(true, Release);
            }
        }
    };
    let supports_rate = device.supported_output_configs().is_ok_and(|mut configs| {
        configs.any(|c| c.min_sample_rate() <= rate && rate <= c.max_sample_rate())
    });
    let builder = |device: rodio::Device| {
        DeviceSinkBuilder::from_device(device).map_err(|e| AudioError::NoDevice(describe(&e)))
    };
    let preferred = if supports_rate {
        builder(device.clone())?
            .with_sample_rate(std::num::NonZero::new(rate).expect("rates are positive"))
            .with_buffer_size(rodio::cpal::BufferSize::Fixed(period_frames(rate)))
            .with_error_callback(on_error(lost.clone()))
            .open_stream()
            .ok()
    } else {
        None
    };
    let mut sink = match preferred {
        Some(sink) => sink,
        None => builder(device)?
            .with_error_callback(on_error(lost.clone()))
            .open_stream()
            .map_err(|e| AudioError::OpenFailed(describe(&e)))?,
    };
    sink.log_on_drop(false);
    let rate = sink.config().sample_rate().get();
    Ok((sink, rate))
}

fn period_frames(rate: u32) -> u32 {
    let frames = (f64::from(rate) * PERIOD_SECS / 256.0).round() as u32 * 256;
    frames.max(256)
}

/// Turns rodio's and cpal's layered errors into the part a user can act on.
fn describe(error: &rodio::DeviceSinkError) -> String {
    use std::error::Error;
    let kind = error
        .source()
        .and_then(|s| s.downcast_ref::<rodio::CpalError>())
        .map(|e| e.kind());
    match kind {
        Some(CpalErrorKind::HostUnavailable) => "the sound server is not running".into(),
        Some(CpalErrorKind::DeviceNotAvailable) => "no sound server or sound card answered".into(),
        Some(CpalErrorKind::DeviceBusy) => "the device is busy in another program".into(),
        Some(CpalErrorKind::PermissionDenied) => "permission to use the device was denied".into(),
        _ => match error {
            rodio::DeviceSinkError::DefaultSinkConfigError(_) => {
                "no sound server or sound card answered".into()
            }
            other => other.to_string().to_lowercase(),
        },
    }
}
