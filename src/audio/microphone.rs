//! Listening: the default input device, opened only while the runner has listening on, fed to
//! an [`Ear`] on a worker thread. Samples stay in memory and are dropped once heard; only the
//! ear's numbers leave this module.
//!
//! The input callback only mixes to mono and copies into a preallocated single-producer ring
//! (no allocation, lock or I/O); the worker drains it ten times a second. No microphone, a
//! refusal or a device that goes away: the state says so in one sentence and the worker tries
//! again every few seconds, while whatever else plays goes on.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering::*};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rodio::CpalErrorKind;
use rodio::cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rodio::cpal::{FromSample, Sample, SampleFormat, SizedSample};

use crate::audio::TrackHandle;
use crate::cadence::Spm;
use crate::hearing::{Ear, Hearing};

/// How often the worker hands the ear what came in.
const DRAIN_EVERY: Duration = Duration::from_millis(100);
/// How often the hearing on show is brought up to date.
const REPORT_EVERY: Duration = Duration::from_secs(1);
/// How long after a failure the microphone is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(3);
/// With no samples for this long, the input is taken for gone.
const STALL: Duration = Duration::from_secs(2);
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
        *self.shared.track.lock().unwrap_or_else(|e| e.into_inner()) = track;
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
    loop {
        std::thread::sleep(DRAIN_EVERY);
        if shared.stop.load(Acquire) {
            return None;
        }
        if input.failed.load(Acquire) {
            return Some("the microphone stopped responding; trying again".into());
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
        ear.feed(&buffer);
        if last_report.elapsed() >= REPORT_EVERY {
            last_report = Instant::now();
            let hearing = ear.report();
            let mut state = lock(shared);
            state.hearing = hearing;
            state.heard_s = heard_before + ear.heard_s();
        }
    }
}

/// An open input stream (it lives on the worker thread: streams need not be `Send`).
struct Input {
    _stream: rodio::cpal::Stream,
    name: String,
    rate: u32,
    ring: Arc<Ring>,
    failed: Arc<AtomicBool>,
}

fn open_input() -> Result<Input, String> {
    // alsa-lib prints its own complaints to stderr; collect them for this thread instead.
    #[cfg(target_os = "linux")]
    let _alsa_messages = alsa::Output::local_error_handler().ok();
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
    let stream_config = rodio::cpal::StreamConfig {
        channels: config.channels(),
        sample_rate: rate,
        buffer_size: rodio::cpal::BufferSize::Default,
    };
    let stream = match config.sample_format() {
        SampleFormat::F32 => build::<f32>(&device, stream_config, channels, &ring, &failed),
        SampleFormat::I16 => build::<i16>(&device, stream_config, channels, &ring, &failed),
        SampleFormat::I32 => build::<i32>(&device, stream_config, channels, &ring, &failed),
        SampleFormat::U16 => build::<u16>(&device, stream_config, channels, &ring, &failed),
        other => {
            return Err(format!(
                "the microphone could not be opened (it only offers {other} samples)"
            ));
        }
    }
    .map_err(|e| format!("the microphone could not be opened ({})", describe(&e)))?;
    stream
        .play()
        .map_err(|e| format!("the microphone could not be started ({})", describe(&e)))?;
    Ok(Input {
        _stream: stream,
        name,
        rate,
        ring,
        failed,
    })
}

fn build<T>(
    device: &rodio::Device,
    config: rodio::cpal::StreamConfig,
    channels: usize,
    ring: &Arc<Ring>,
    failed: &Arc<AtomicBool>,
) -> Result<rodio::cpal::Stream, rodio::CpalError>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let ring = ring.clone();
    let failed = failed.clone();
    let scale = 1.0 / channels as f32;
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], _| {
            ring.push(
                data.chunks_exact(channels)
                    .map(|frame| frame.iter().map(|&s| f32::from_sample(s)).sum::<f32>() * scale),
            );
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

    fn push(&self, samples: impl Iterator<Item = f32>) {
        let read = self.read.load(Acquire);
        let mut written = self.written.load(Relaxed);
        let capacity = self.samples.len();
        for s in samples {
            if written - read == capacity {
                break;
            }
            self.samples[written % capacity].store(s.to_bits(), Relaxed);
            written += 1;
        }
        self.written.store(written, Release);
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
