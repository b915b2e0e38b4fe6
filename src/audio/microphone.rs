//! Listening: the default input device, opened only while the runner has listening on, fed to
//! an [`Ear`] on a worker thread. Samples stay in memory and are dropped once heard; only the
//! ear's numbers leave this module.
//!
//! The input callback only mixes to mono and copies into a preallocated single-producer ring
//! (no allocation, lock or I/O); the worker drains it ten times a second. No microphone, a
//! refusal or a device that goes away: the state says so in one sentence and the worker tries
//! again every few seconds, while whatever else plays goes on.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::*};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rodio::CpalErrorKind;
use rodio::cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rodio::cpal::{FromSample, Sample, SampleFormat, SizedSample};

use crate::audio::{SoundBank, SoundedClick, TrackHandle};
use crate::cadence::{ClickSound, Spm};
use crate::hearing::{ClickWave, Ear, Hearing, MAX_ROUND_TRIP_S, PlayedClick, measure_round_trip};

/// How often the worker hands the ear what came in.
const DRAIN_EVERY: Duration = Duration::from_millis(100);
/// How often the hearing on show is brought up to date: twice a second, so a coach deciding
/// the click hears of a step within half a second (a report only reads the onsets found, a
/// few dozen numbers).
const REPORT_EVERY: Duration = Duration::from_millis(500);
/// How long after a failure the microphone is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(3);
/// With no samples for this long, the input is taken for gone.
const STALL: Duration = Duration::from_secs(2);
/// The input period asked for (256 frames at 48 kHz).
const INPUT_PERIOD_S: f64 = 0.005;
/// The ring holds this many seconds, far more than the worker ever leaves in it.
const RING_SECS: usize = 4;

/// What the microphone is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum MicStatus {
    Opening,
    /// Hearing the named device at `rate` Hz.
    Listening {
        device: String,
        rate: u32,
    },
    /// Not hearing anything, in one sentence; tried again shortly.
    Unavailable(String),
}

/// The latest of what the microphone heard.
#[derive(Debug, Clone, PartialEq)]
pub struct MicState {
    pub status: MicStatus,
    /// The ear's reading of the last seconds, if it hears a runner.
    pub hearing: Option<Hearing>,
    /// Seconds of input heard since listening began (over every device opened).
    pub heard_s: f64,
    /// The output-to-input delay in use for the clicks of the track followed, once known.
    pub round_trip: Option<RoundTrip>,
}

/// How long a click takes from the app to the microphone: output plus input latency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundTrip {
    pub ms: f64,
    /// The output's part of it: from the app sending a click to the runner hearing it (the
    /// round trip less the latency the input reports). The beat lamp lights by it.
    pub output_ms: f64,
    /// True when the round-trip check heard the clicks come back; false when it did not (as
    /// with headphones) and the delay is the devices' own latencies.
    pub heard: bool,
}

struct Shared {
    stop: AtomicBool,
    /// The cadence asked for, in half-steps per minute (0: none), a prior for the ear.
    target_half: AtomicU32,
    /// The track whose clicks are removed from what is heard and steps are timed against.
    track: Mutex<Option<TrackHandle>>,
    state: Mutex<MicState>,
}

/// Listening on the default input while this lives; dropping it closes the device.
pub struct Microphone {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

impl Microphone {
    /// Starts listening on the default input device, with `target` as the ear's prior.
    pub fn start(target: Option<Spm>) -> Microphone {
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            target_half: AtomicU32::new(target.map_or(0, Spm::half_steps)),
            track: Mutex::new(None),
            state: Mutex::new(MicState {
                status: MicStatus::Opening,
                hearing: None,
                heard_s: 0.0,
                round_trip: None,
            }),
        });
        let worker = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("microphone".into())
                .spawn(move || listen(&shared))
                .ok()
        };
        if worker.is_none() {
            set_status(
                &shared,
                MicStatus::Unavailable("the listening thread could not be started".into()),
            );
        }
        Microphone { shared, worker }
    }

    /// What was heard so far.
    pub fn state(&self) -> MicState {
        lock(&self.shared).clone()
    }

    pub fn set_target(&self, target: Option<Spm>) {
        self.shared
            .target_half
            .store(target.map_or(0, Spm::half_steps), Relaxed);
    }
}

impl Microphone {
    /// Follows the clicks of `track` (a session playing) or of none: each click it plays is
    /// removed from what the microphone hears, the first seconds of them measure the round
    /// trip, and steps are timed against them.
    pub fn follow(&self, track: Option<TrackHandle>) {
        *lock_track(&self.shared) = track;
    }
}

impl Drop for Microphone {
    fn drop(&mut self) {
        self.shared.stop.store(true, Release);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

fn lock_track(shared: &Shared) -> std::sync::MutexGuard<'_, Option<TrackHandle>> {
    shared.track.lock().unwrap_or_else(|e| e.into_inner())
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, MicState> {
    shared.state.lock().unwrap_or_else(|e| e.into_inner())
}

fn set_status(shared: &Shared, status: MicStatus) {
    lock(shared).status = status;
}

/// The worker: open, hear until stopped or the device fails, wait, open again.
fn listen(shared: &Shared) {
    let mut heard_before = 0.0;
    while !shared.stop.load(Acquire) {
        match open_input() {
            Ok(input) => {
                set_status(
                    shared,
                    MicStatus::Listening {
                        device: input.name.clone(),
                        rate: input.rate,
                    },
                );
                let why = hear(shared, &input, heard_before);
                heard_before = lock(shared).heard_s;
                drop(input);
                match why {
                    Some(why) => set_status(shared, MicStatus::Unavailable(why)),
                    None => return,
                }
            }
            Err(why) => set_status(shared, MicStatus::Unavailable(why)),
        }
        let until = Instant::now() + RETRY_AFTER;
        while Instant::now() < until && !shared.stop.load(Acquire) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Feeds the ear from `input` until stopped (`None`) or the input fails (why).
fn hear(shared: &Shared, input: &Input, heard_before: f64) -> Option<String> {
    let mut ear = match Ear::new(input.rate) {
        Ok(ear) => ear,
        Err(e) => return Some(format!("the microphone cannot be heard: {e}")),
    };
    let mut buffer = Vec::with_capacity(input.rate as usize);
    let mut last_report = Instant::now();
    let mut last_sample = Instant::now();
    let mut follow: Option<Follow> = None;
    let mut input_clock = MinClock::default();
    loop {
        std::thread::sleep(DRAIN_EVERY);
        if shared.stop.load(Acquire) {
            return None;
        }
        if input.failed.load(Acquire) {
            return Some("the microphone stopped responding; trying again".into());
        }
        // Which track's clicks to follow: a new session starts a new round-trip check.
        let track = lock_track(shared).clone();
        match (&track, &follow) {
            (Some(t), Some(f)) if t.same_track(&f.track) => {}
            (Some(t), _) => follow = Some(Follow::new(t.clone(), input.rate, ear_frames(&ear))),
            (None, Some(_)) => {
                if let Some(mut f) = follow.take() {
                    f.finish_check(&mut ear, input, &input_clock);
                }
            }
            (None, None) => {}
        }
        if let Some((frames, at)) = input.clock.read() {
            input_clock.observe(frames, input.rate, at);
        }
        buffer.clear();
        input.ring.drain_into(&mut buffer);
        if buffer.is_empty() {
            if last_sample.elapsed() > STALL {
                return Some("the microphone sends nothing; trying again".into());
            }
            continue;
        }
        last_sample = Instant::now();
        let half = shared.target_half.load(Relaxed);
        ear.set_target(Spm::from_half_steps(half).ok());
        match &mut follow {
            Some(f) => {
                f.take_clicks(&input_clock, input.rate);
                f.hear(&mut ear, &buffer, input, &input_clock);
                if let Some(rt) = f.round_trip {
                    lock(shared).round_trip = Some(rt);
                }
            }
            None => ear.feed(&buffer),
        }
        if last_report.elapsed() >= REPORT_EVERY {
            last_report = Instant::now();
            let mut hearing = ear.report();
            if let (Some(h), Some(f)) = (&mut hearing, &follow) {
                f.to_track_time(h, &input_clock);
            }
            let mut state = lock(shared);
            state.hearing = hearing;
            state.heard_s = heard_before + ear.heard_s();
        }
    }
}

fn ear_frames(ear: &Ear) -> u64 {
    (ear.heard_s() * f64::from(ear.rate())).round() as u64
}

/// The round-trip check listens this long after the clicks start.
const CHECK_SECS: f64 = 5.0;

/// Following one track's clicks: where each lands in the input, and the round-trip check over
/// the first seconds.
struct Follow {
    track: TrackHandle,
    /// The click log read up to here.
    next_click: usize,
    output_clock: MinClock,
    /// Every click sound at the input's rate: (sound, accented).
    waves: Vec<ClickWave>,
    /// Clicks mapped to input frames and not yet told to the ear.
    clicks: Vec<PlayedClick>,
    /// While checking: the input held back from the ear since frame `check_from`.
    check: Option<Vec<f32>>,
    check_from: u64,
    round_trip: Option<RoundTrip>,
    unplaced: Vec<SoundedClick>,
}

impl Follow {
    fn new(track: TrackHandle, input_rate: u32, ear_frame: u64) -> Follow {
        let bank = SoundBank::new(input_rate);
        let waves = ClickSound::ALL
            .iter()
            .flat_map(|&s| [false, true].map(|a| ClickWave::new(bank.samples(s, a))))
            .collect();
        // Every click the log still holds: those sent before listening began are placed too,
        // to show which clicks of the check had another just before them.
        Follow {
            track,
            next_click: 0,
            output_clock: MinClock::default(),
            waves,
            clicks: Vec::new(),
            check: Some(Vec::new()),
            check_from: ear_frame,
            round_trip: None,
            unplaced: Vec::new(),
        }
    }

    /// Reads the clicks sounded since the last look and places them in input frames.
    fn take_clicks(&mut self, input_clock: &MinClock, input_rate: u32) {
        let (frames, at) = self.track.clock_observation();
        self.output_clock
            .observe(frames, self.track.rate().max(1), at);
        self.next_click = self.track.clicks_since(self.next_click, &mut self.unplaced);
        // During the check the clicks wait, to be placed all alike by the clocks as they stand
        // at its end: the first callbacks place a stream's clock least well.
        if self.check.is_none() {
            self.place(input_clock, input_rate);
        }
    }

    /// Places the clicks read so far in input frames.
    fn place(&mut self, input_clock: &MinClock, input_rate: u32) {
        let output_rate = self.track.rate().max(1);
        let (Some(out), Some(inp)) = (self.output_clock.origin, input_clock.origin) else {
            return;
        };
        for click in self.unplaced.drain(..) {
            // When the click was sent, on the input's frame count.
            let sent = out + Duration::from_secs_f64(click.frame as f64 / f64::from(output_rate));
            let Some(since) = sent.checked_duration_since(inp) else {
                continue;
            };
            let frame = (since.as_secs_f64() * f64::from(input_rate)).round() as u64;
            let wave = self.waves[click.sound.index() * 2 + usize::from(click.accent)].clone();
            self.clicks.push(PlayedClick { frame, wave });
        }
    }

    /// Hands the ear `samples` and the clicks in them; during the check, holds both back until
    /// the check has heard enough.
    fn hear(&mut self, ear: &mut Ear, samples: &[f32], input: &Input, input_clock: &MinClock) {
        let Some(held) = &mut self.check else {
            for click in self.clicks.drain(..) {
                ear.played_click(click.frame, &click.wave);
            }
            ear.feed(samples);
            return;
        };
        held.extend_from_slice(samples);
        let rate = f64::from(input.rate);
        if held.len() as f64 >= (CHECK_SECS + MAX_ROUND_TRIP_S) * rate {
            self.finish_check(ear, input, input_clock);
        }
    }

    /// Ends the round-trip check: measures what it held, tells the ear, and feeds it all.
    fn finish_check(&mut self, ear: &mut Ear, input: &Input, input_clock: &MinClock) {
        if self.check.is_none() {
            return;
        }
        self.place(input_clock, input.rate);
        let this = self;
        let Some(held) = this.check.take() else {
            return;
        };
        let measured = measure_round_trip(&held, input.rate, this.check_from, &this.clicks);
        let rate = f64::from(input.rate);
        let (frames, heard) = match measured {
            Some(frames) => (frames, true),
            // Nothing came back (headphones): the devices' own latencies, as near as known.
            None => (
                ((OUTPUT_BUFFER_S + input.latency_s()) * rate).round() as u64,
                false,
            ),
        };
        let ms = frames as f64 / rate * 1000.0;
        this.round_trip = Some(RoundTrip {
            ms,
            output_ms: if heard {
                (ms - input.latency_s() * 1000.0).max(0.0)
            } else {
                OUTPUT_BUFFER_S * 1000.0
            },
            heard,
        });
        ear.set_round_trip(frames);
        // Every click that comes back within what was held, even one sent just before it.
        let from = this.check_from;
        for click in this.clicks.drain(..).filter(|c| c.frame + frames >= from) {
            ear.played_click(click.frame, &click.wave);
        }
        ear.feed(&held);
    }

    /// Step times from the ear's count to the track's clock: when the click the runner heard
    /// at the same moment was sent, so a step and its click share a time.
    fn to_track_time(&self, hearing: &mut Hearing, input_clock: &MinClock) {
        let (Some(out), Some(inp), Some(rt)) = (
            self.output_clock.origin,
            input_clock.origin,
            self.round_trip,
        ) else {
            return;
        };
        let shift = signed_secs(inp, out) - rt.ms / 1000.0;
        for step in &mut hearing.steps {
            step.at_s = (step.at_s + shift).max(0.0);
        }
    }
}

/// Seconds from `b` to `a` (negative when `a` is earlier).
fn signed_secs(a: Instant, b: Instant) -> f64 {
    match a.checked_duration_since(b) {
        Some(d) => d.as_secs_f64(),
        None => -b.duration_since(a).as_secs_f64(),
    }
}

/// The output buffers playback through (two device periods, as the engine asks for).
const OUTPUT_BUFFER_S: f64 = 0.17;

/// Where frame 0 of a stream sits in time, from (frames, instant) observations of its
/// callbacks. A callback can run late but never early, so the earliest origin seen is the
/// truest; it is let rise slowly so the two devices' clocks drifting apart is followed.
#[derive(Debug, Default)]
struct MinClock {
    origin: Option<Instant>,
    last: Option<Instant>,
}

/// How fast the origin may rise: 0.05 ms a second (50 ppm, what two crystals may drift);
/// the ear follows what is left from where the clicks come back.
const DRIFT_PER_S: f64 = 0.00005;

impl MinClock {
    fn observe(&mut self, frames: u64, rate: u32, at: Instant) {
        let since_start = Duration::from_secs_f64(frames as f64 / f64::from(rate.max(1)));
        let Some(origin) = at.checked_sub(since_start) else {
            return;
        };
        self.origin = Some(match (self.origin, self.last) {
            (Some(old), Some(last)) => {
                let allowed = old
                    + Duration::from_secs_f64(
                        at.saturating_duration_since(last).as_secs_f64() * DRIFT_PER_S,
                    );
                origin.min(allowed)
            }
            _ => origin,
        });
        self.last = Some(at);
    }
}

/// An open input stream (it lives on the worker thread: streams need not be `Send`).
struct Input {
    _capture: Capture,
    name: String,
    rate: u32,
    ring: Arc<Ring>,
    clock: Arc<InputClock>,
    failed: Arc<AtomicBool>,
}

impl Input {
    /// How long a sample waits in the input before the callback hands it over, as the sound
    /// system reports it (one period when it does not).
    fn latency_s(&self) -> f64 {
        match self.clock.latency_us.load(Relaxed) {
            0 => 0.02,
            us => f64::from(us) / 1e6,
        }
    }
}

/// What the input callback tells of its clock: frames handed over so far and when, under a
/// seqlock (odd while being written), and the latency the sound system reports.
struct InputClock {
    seq: AtomicU64,
    frames: AtomicU64,
    nanos: AtomicU64,
    base: Instant,
    latency_us: AtomicU32,
}

impl InputClock {
    fn new() -> InputClock {
        InputClock {
            seq: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            nanos: AtomicU64::new(0),
            base: Instant::now(),
            latency_us: AtomicU32::new(0),
        }
    }

    /// Called by the input callback only.
    fn advance(&self, frames: usize, latency: Option<Duration>) {
        let seq = self.seq.load(Relaxed);
        self.seq.store(seq.wrapping_add(1), Relaxed);
        std::sync::atomic::fence(Release);
        self.frames.fetch_add(frames as u64, Relaxed);
        self.nanos
            .store(self.base.elapsed().as_nanos() as u64, Relaxed);
        self.seq.store(seq.wrapping_add(2), Release);
        if let Some(l) = latency {
            self.latency_us
                .store(l.as_micros().min(u128::from(u32::MAX)) as u32, Relaxed);
        }
    }

    /// (frames handed over, when), once the callback has run.
    fn read(&self) -> Option<(u64, Instant)> {
        loop {
            let before = self.seq.load(Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let frames = self.frames.load(Relaxed);
            let nanos = self.nanos.load(Relaxed);
            std::sync::atomic::fence(Acquire);
            if self.seq.load(Relaxed) == before {
                return (before > 0).then(|| (frames, self.base + Duration::from_nanos(nanos)));
            }
        }
    }
}

/// What delivers the samples; dropping it stops the capture.
enum Capture {
    Cpal(#[allow(dead_code)] rodio::cpal::Stream),
    #[cfg(target_os = "linux")]
    Alsa(#[allow(dead_code)] alsa_capture::AlsaCapture),
}

fn open_input() -> Result<Input, String> {
    // alsa-lib prints its own complaints to stderr; collect them for this thread instead.
    #[cfg(target_os = "linux")]
    let _alsa_messages = alsa::Output::local_error_handler().ok();
    // On Linux, ALSA's default input read on a thread of our own that blocks until a period is
    // in: through the pulse plugin, cpal's capture polls in a loop between periods and took
    // 8–27 % of a core; blocking reads take well under 1 %. cpal is the way when that fails.
    #[cfg(target_os = "linux")]
    if let Ok(input) = alsa_capture::open() {
        return Ok(input);
    }
    open_cpal_input()
}

fn open_cpal_input() -> Result<Input, String> {
    let host = rodio::cpal::default_host();
    let device = host.default_input_device().ok_or_else(|| {
        "no microphone was found (the sound system has no default input device)".to_string()
    })?;
    let name = device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| "default".into());
    let config = device
        .default_input_config()
        .map_err(|e| format!("the microphone could not be opened ({})", describe(&e)))?;
    let rate = config.sample_rate();
    let channels = usize::from(config.channels()).max(1);
    let ring = Arc::new(Ring::new(rate as usize * RING_SECS));
    let failed = Arc::new(AtomicBool::new(false));
    let clock = Arc::new(InputClock::new());
    // A short period of our own first. Capture through the ALSA pulse plugin wakes cpal's
    // thread while less than a period is waiting, and it polls again at once: left to choose
    // its period, that thread took 27 % of a core with sound coming in; at 5 ms, 8–12 %.
    let period = ((f64::from(rate) * INPUT_PERIOD_S / 256.0).round() as u32 * 256).max(256);
    let mut first_error = None;
    let mut opened = None;
    for buffer_size in [
        rodio::cpal::BufferSize::Fixed(period),
        rodio::cpal::BufferSize::Default,
    ] {
        let stream_config = rodio::cpal::StreamConfig {
            channels: config.channels(),
            sample_rate: rate,
            buffer_size,
        };
        let built = match config.sample_format() {
            SampleFormat::F32 => {
                build::<f32>(&device, stream_config, channels, &ring, &clock, &failed)
            }
            SampleFormat::I16 => {
                build::<i16>(&device, stream_config, channels, &ring, &clock, &failed)
            }
            SampleFormat::I32 => {
                build::<i32>(&device, stream_config, channels, &ring, &clock, &failed)
            }
            SampleFormat::U16 => {
                build::<u16>(&device, stream_config, channels, &ring, &clock, &failed)
            }
            other => {
                return Err(format!(
                    "the microphone could not be opened (it only offers {other} samples)"
                ));
            }
        };
        match built {
            Ok(stream) => {
                opened = Some(stream);
                break;
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let stream = match (opened, first_error) {
        (Some(stream), _) => stream,
        (None, Some(e)) => {
            return Err(format!(
                "the microphone could not be opened ({})",
                describe(&e)
            ));
        }
        (None, None) => return Err("the microphone could not be opened".into()),
    };
    stream
        .play()
        .map_err(|e| format!("the microphone could not be started ({})", describe(&e)))?;
    Ok(Input {
        _capture: Capture::Cpal(stream),
        name,
        rate,
        ring,
        clock,
        failed,
    })
}

fn build<T>(
    device: &rodio::Device,
    config: rodio::cpal::StreamConfig,
    channels: usize,
    ring: &Arc<Ring>,
    clock: &Arc<InputClock>,
    failed: &Arc<AtomicBool>,
) -> Result<rodio::cpal::Stream, rodio::CpalError>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let ring = ring.clone();
    let clock = clock.clone();
    let failed = failed.clone();
    let scale = 1.0 / channels as f32;
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], info: &rodio::cpal::InputCallbackInfo| {
            let frames = ring.push(
                data.chunks_exact(channels)
                    .map(|frame| frame.iter().map(|&s| f32::from_sample(s)).sum::<f32>() * scale),
            );
            let stamp = info.timestamp();
            clock.advance(frames, stamp.callback.checked_duration_since(stamp.capture));
        },
        move |e: rodio::CpalError| {
            if super::device::means_gone(&e) {
                failed.store(true, Release);
            }
        },
        None,
    )
}

fn describe(error: &rodio::CpalError) -> String {
    match error.kind() {
        CpalErrorKind::HostUnavailable => "the sound server is not running".into(),
        CpalErrorKind::DeviceNotAvailable => "it is not connected".into(),
        CpalErrorKind::DeviceBusy => "it is busy in another program".into(),
        CpalErrorKind::PermissionDenied => "permission to use it was denied".into(),
        _ => error.to_string().to_lowercase(),
    }
}

#[cfg(target_os = "linux")]
mod alsa_capture {
    use super::*;
    use alsa::pcm::{Access, Format, HwParams, PCM};
    use alsa::{Direction, ValueOr};

    /// The capture thread; dropping it stops the thread and closes the device.
    pub(super) struct AlsaCapture {
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<()>>,
    }

    impl Drop for AlsaCapture {
        fn drop(&mut self) {
            self.stop.store(true, Release);
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    /// Frames asked for in a period (21 ms at 48 kHz) and in the whole buffer.
    const PERIOD: i64 = 1_024;
    const BUFFER: i64 = 8_192;

    fn configure(pcm: &PCM) -> alsa::Result<u32> {
        let hw = HwParams::any(pcm)?;
        hw.set_access(Access::RWInterleaved)?;
        hw.set_format(Format::S16LE)?;
        hw.set_channels(1)?;
        hw.set_rate(48_000, ValueOr::Nearest)?;
        hw.set_period_size_near(PERIOD, ValueOr::Nearest)?;
        hw.set_buffer_size_near(BUFFER)?;
        pcm.hw_params(&hw)?;
        pcm.hw_params_current()?.get_rate()
    }

    /// Opens the default input on a capture thread of its own.
    pub(super) fn open() -> Result<Input, String> {
        let (tx, rx) = std::sync::mpsc::channel::<Result<u32, String>>();
        let stop = Arc::new(AtomicBool::new(false));
        let ring = Arc::new(Ring::new(48_000 * RING_SECS));
        let clock = Arc::new(InputClock::new());
        let failed = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stop, ring, clock, failed) =
                (stop.clone(), ring.clone(), clock.clone(), failed.clone());
            std::thread::Builder::new()
                .name("microphone-in".into())
                .spawn(move || {
                    let _alsa_messages = alsa::Output::local_error_handler().ok();
                    let opened = PCM::new("default", Direction::Capture, false)
                        .and_then(|pcm| configure(&pcm).map(|rate| (pcm, rate)));
                    let (pcm, rate) = match opened {
                        Ok(opened) => opened,
                        Err(e) => {
                            let _ = tx.send(Err(e.to_string()));
                            return;
                        }
                    };
                    if ring.samples.len() < rate as usize * RING_SECS {
                        let _ = tx.send(Err("an unexpected rate".into()));
                        return;
                    }
                    let _ = tx.send(Ok(rate));
                    read(&pcm, rate, &stop, &ring, &clock, &failed);
                })
                .map_err(|e| e.to_string())?
        };
        let capture = AlsaCapture {
            stop,
            thread: Some(thread),
        };
        match rx.recv_timeout(Duration::from_secs(3)) {
            Ok(Ok(rate)) => Ok(Input {
                _capture: Capture::Alsa(capture),
                name: "default input".into(),
                rate,
                ring,
                clock,
                failed,
            }),
            Ok(Err(why)) => Err(why),
            Err(_) => Err("the microphone did not open in 3 seconds".into()),
        }
    }

    /// Reads period after period until stopped or the device fails.
    fn read(
        pcm: &PCM,
        rate: u32,
        stop: &AtomicBool,
        ring: &Ring,
        clock: &InputClock,
        failed: &AtomicBool,
    ) {
        let Ok(io) = pcm.io_i16() else {
            failed.store(true, Release);
            return;
        };
        let mut buffer = vec![0i16; PERIOD as usize];
        let _ = pcm.start();
        while !stop.load(Acquire) {
            // Waits at most 200 ms for a period, so a stop is seen even if the input stalls.
            match pcm.wait(Some(200)) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(e) => {
                    if pcm.try_recover(e, true).is_err() {
                        failed.store(true, Release);
                        return;
                    }
                    continue;
                }
            }
            match io.readi(&mut buffer) {
                Ok(n) => {
                    let pushed = ring.push(buffer[..n].iter().map(|&s| f32::from(s) / 32_768.0));
                    let latency = pcm
                        .delay()
                        .ok()
                        .filter(|&d| d >= 0)
                        .map(|d| Duration::from_secs_f64(d as f64 / f64::from(rate)));
                    clock.advance(pushed, latency);
                }
                Err(e) => {
                    if pcm.try_recover(e, true).is_err() {
                        failed.store(true, Release);
                        return;
                    }
                    let _ = pcm.start();
                }
            }
        }
    }
}

/// A single-producer, single-consumer ring of samples: the input callback pushes, the worker
/// drains. Wait-free on both sides; when full (the worker stalled) new samples are dropped.
struct Ring {
    samples: Box<[AtomicU32]>,
    /// Samples ever written and ever read; their difference is what is waiting.
    written: AtomicUsize,
    read: AtomicUsize,
}

impl Ring {
    fn new(capacity: usize) -> Ring {
        Ring {
            samples: (0..capacity.max(1)).map(|_| AtomicU32::new(0)).collect(),
            written: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
        }
    }

    /// Pushes what fits; returns how many samples went in.
    fn push(&self, samples: impl Iterator<Item = f32>) -> usize {
        let read = self.read.load(Acquire);
        let mut written = self.written.load(Relaxed);
        let before = written;
        let capacity = self.samples.len();
        for s in samples {
            if written - read == capacity {
                break;
            }
            self.samples[written % capacity].store(s.to_bits(), Relaxed);
            written += 1;
        }
        self.written.store(written, Release);
        written - before
    }

    fn drain_into(&self, out: &mut Vec<f32>) {
        let written = self.written.load(Acquire);
        let read = self.read.load(Relaxed);
        let capacity = self.samples.len();
        out.extend(
            (read..written).map(|i| f32::from_bits(self.samples[i % capacity].load(Relaxed))),
        );
        self.read.store(written, Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_hands_over_every_sample_in_order_and_drops_what_does_not_fit() {
        let ring = Ring::new(8);
        let mut out = Vec::new();
        ring.push((0..5).map(|i| i as f32));
        ring.drain_into(&mut out);
        ring.push((5..12).map(|i| i as f32));
        ring.drain_into(&mut out);
        assert_eq!(out, (0..12).map(|i| i as f32).collect::<Vec<_>>());
        // Full: the newest samples are dropped, the waiting ones kept.
        ring.push((0..20).map(|i| i as f32));
        out.clear();
        ring.drain_into(&mut out);
        assert_eq!(out, (0..8).map(|i| i as f32).collect::<Vec<_>>());
    }

    #[test]
    fn the_ring_survives_a_producer_and_a_consumer_on_two_threads() {
        let ring = Arc::new(Ring::new(1024));
        let producer = {
            let ring = ring.clone();
            std::thread::spawn(move || {
                let mut next = 0u32;
                while next < 200_000 {
                    let waiting = ring.written.load(Acquire) - ring.read.load(Acquire);
                    let room = (1024 - waiting).min(64) as u32;
                    ring.push((next..next + room).map(|i| i as f32));
                    next += room;
                }
            })
        };
        let mut out = Vec::new();
        while out.len() < 200_000 {
            ring.drain_into(&mut out);
        }
        producer.join().unwrap();
        assert!(out.iter().enumerate().all(|(i, &s)| s == i as f32));
    }
}
