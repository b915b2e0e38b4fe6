//! Opening output devices: the default or a named one, at a preferred rate, verified to run.
//!
//! The stream is cpal's own, and its callback fills the device buffer a block at a time from
//! `mix::Mixer`. There is no resampler on the way: the stream runs at the rate it was opened
//! at, and the engine makes every voice at that rate (`Output::rate`).
//!
//! alsa-lib's own complaints are collected per thread instead of printed, so the user sees one
//! sentence from the app and not a page of library internals.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::*};
use std::time::{Duration, Instant};

use rodio::cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rodio::cpal::{BufferSize, SampleFormat, StreamConfig};
use rodio::{CpalError, CpalErrorKind};

use super::mix::{self, MixerInput, Voice};

/// Why no sound comes out. The message is one plain sentence for the user. Beside the code that
/// opens devices, which is where every variant but `Lost` (the engine's watchdog) is made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AudioError {
    #[error("no audio output device was found ({0})")]
    NoDevice(String),
    #[error("the audio output device could not be opened ({0})")]
    OpenFailed(String),
    /// The stream opened but the sound server never pulled from it: it usually does at the next
    /// try, so the engine tries again.
    #[error(
        "the audio output device could not be opened (the device opened but never started playing)"
    )]
    NotStarted,
    #[error("the audio output device stopped responding")]
    Lost,
}

/// The device period we ask for. About 85 ms, so 170 ms buffered: latency does not matter to a
/// click track whose every click is placed in advance, and smaller periods make the ALSA pulse
/// plugin report spurious I/O errors at start-up and drop the first clicks.
const PERIOD_SECS: f64 = 0.085;

/// A running output stream and the way into its mixer. Dropping it closes the stream, which can
/// block inside the sound library, so the engine drops it on a thread of its own.
pub(crate) struct DeviceStream {
    mixer: MixerInput,
    _stream: rodio::cpal::Stream,
}

impl DeviceStream {
    /// Plays `voice` (interleaved stereo at the stream's rate) from the next callback on.
    pub(crate) fn add(&self, voice: impl Voice + 'static) {
        self.mixer.add(voice);
    }

    /// Drops the voices that have finished playing.
    pub(crate) fn collect(&self) {
        self.mixer.collect();
    }
}

/// An open output: the stream, the device's name, its rate and how many frames it buffers.
pub(crate) struct Output {
    pub stream: DeviceStream,
    pub name: String,
    pub rate: u32,
    pub latency_frames: u32,
}

/// The names of the output devices the sound system lists (may print library noise on stderr
/// on some systems, so it is only called when the user asks for the list).
pub fn output_devices() -> Vec<String> {
    #[cfg(target_os = "linux")]
    let _alsa_messages = alsa::Output::local_error_handler().ok();
    let host = rodio::cpal::default_host();
    let mut names: Vec<String> = host
        .output_devices()
        .map(|devices| {
            devices
                .filter_map(|d| d.description().ok().map(|d| d.name().to_string()))
                .filter(|n| n != "null")
                .collect()
        })
        .unwrap_or_default();
    names.dedup();
    names
}

/// Opens the output device named `choice` (the system default when `None`), preferring `rate`.
pub(crate) fn open_output(
    choice: Option<&str>,
    rate: u32,
    lost: &Arc<AtomicBool>,
) -> Result<Output, AudioError> {
    // alsa-lib prints its own complaints to stderr; collect them for this thread instead, so
    // the user sees our one sentence and not a page of library internals.
    #[cfg(target_os = "linux")]
    let _alsa_messages = alsa::Output::local_error_handler().ok();

    // Only the default device: it is what the user chose in their sound settings, and listing
    // every device makes ALSA probe plugins (JACK, OSS) that print to stderr on their own.
    let host = rodio::cpal::default_host();
    let candidates: Vec<rodio::Device> = match choice {
        None => host.default_output_device().into_iter().collect(),
        Some(wanted) => host
            .output_devices()
            .map(|devices| {
                devices
                    .filter(|d| d.description().is_ok_and(|desc| desc.name() == wanted))
                    .take(1)
                    .collect()
            })
            .unwrap_or_default(),
    };
    if candidates.is_empty() {
        return Err(AudioError::NoDevice(match choice {
            None => "the sound system has no default output device".into(),
            Some(name) => format!("'{name}' is not connected"),
        }));
    }
    let mut first_error = None;
    for device in candidates {
        let name = device
            .description()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|_| "default".into());
        match open_device(&device, rate, lost) {
            Ok((stream, config)) => {
                let rate = config.sample_rate;
                let latency_frames = match config.buffer_size {
                    BufferSize::Fixed(period) => 2 * period,
                    BufferSize::Default => 2 * period_frames(rate),
                };
                return Ok(Output {
                    stream,
                    name,
                    rate,
                    latency_frames,
                });
            }
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
    device: &rodio::Device,
    rate: u32,
    lost: &Arc<AtomicBool>,
) -> Result<(DeviceStream, StreamConfig), AudioError> {
    const TRIES: usize = 5;
    for _ in 0..TRIES {
        let (stream, config) = open_device_once(device, rate, lost)?;
        let probe = Probe::new();
        let pulled = probe.pulled.clone();
        let done = probe.done.clone();
        stream.add(probe);
        let deadline = Instant::now() + Duration::from_millis(600);
        let wanted = u64::from(period_frames(config.sample_rate)) * 2;
        while pulled.load(Acquire) < wanted && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        done.store(true, Release);
        if pulled.load(Acquire) >= wanted {
            return Ok((stream, config));
        }
        let _ = std::thread::Builder::new()
            .name("audio-close".into())
            .spawn(move || drop(stream));
    }
    Err(AudioError::NotStarted)
}

/// Silence that counts how many frames the device has pulled.
struct Probe {
    frames: u64,
    pulled: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
}

impl Probe {
    fn new() -> Probe {
        Probe {
            frames: 0,
            pulled: Arc::new(AtomicU64::new(0)),
            done: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Voice for Probe {
    fn render(&mut self, out: &mut [f32]) -> usize {
        if self.done.load(Acquire) {
            return 0;
        }
        out.fill(0.0);
        self.frames += out.len() as u64 / 2;
        self.pulled.store(self.frames, Release);
        out.len()
    }
}

/// Opens one stream on `device`: at `rate` with our period if the device offers that rate,
/// else (or if that fails) at the device's default rate, with our period and then with its
/// default buffer. The channel count is the device's default; the sample format f32 when the
/// device takes it, else its default one.
fn open_device_once(
    device: &rodio::Device,
    rate: u32,
    lost: &Arc<AtomicBool>,
) -> Result<(DeviceStream, StreamConfig), AudioError> {
    let offered: Vec<_> = device
        .supported_output_configs()
        .map(Iterator::collect)
        .unwrap_or_default();
    let default = device
        .default_output_config()
        .map_err(|e| AudioError::NoDevice(describe(&e, Stage::Config)))?;
    let channels = default.channels();
    let offers = |rate: u32| {
        offered
            .iter()
            .filter(move |c| c.min_sample_rate() <= rate && rate <= c.max_sample_rate())
    };
    let format = |rate: u32| {
        if offers(rate).any(|c| c.channels() == channels && c.sample_format() == SampleFormat::F32)
        {
            SampleFormat::F32
        } else {
            default.sample_format()
        }
    };
    let with_period = |rate: u32| StreamConfig {
        channels,
        sample_rate: rate,
        buffer_size: BufferSize::Fixed(period_frames(rate)),
    };
    // Our rate and period first; then the device's own rate, still with our period (a device
    // without 48 kHz); last its default configuration as it stands.
    let mut tries = Vec::with_capacity(3);
    if offers(rate).next().is_some() {
        tries.push(with_period(rate));
    }
    if default.sample_rate() != rate || tries.is_empty() {
        tries.push(with_period(default.sample_rate()));
    }
    let fallback = StreamConfig {
        channels,
        sample_rate: default.sample_rate(),
        buffer_size: BufferSize::Default,
    };
    for config in tries {
        if let Ok(stream) = start_stream(device, config, format(config.sample_rate), lost) {
            return Ok((stream, config));
        }
    }
    let stream = start_stream(device, fallback, format(fallback.sample_rate), lost)?;
    Ok((stream, fallback))
}

/// Builds and starts a stream whose callback plays a fresh mixer.
/// Whether a stream error says the device or server is gone. Others can be passing: the ALSA
/// pulse plugin, for one, reports a transient "no timing data yet" as an I/O error. A stream
/// that really died stops moving samples, and the stall watches catch that.
pub(crate) fn means_gone(error: &CpalError) -> bool {
    matches!(
        error.kind(),
        CpalErrorKind::DeviceNotAvailable
            | CpalErrorKind::HostUnavailable
            | CpalErrorKind::StreamInvalidated
    )
}

fn start_stream(
    device: &rodio::Device,
    config: StreamConfig,
    format: SampleFormat,
    lost: &Arc<AtomicBool>,
) -> Result<DeviceStream, AudioError> {
    let lost = lost.clone();
    let on_error = move |e: CpalError| {
        if means_gone(&e) {
            lost.store(true, Release);
        }
    };
    let channels = usize::from(config.channels);
    let (mut mixer, input) = mix::mixer();
    // Interleaved stereo f32, the usual case, is mixed straight into the device's buffer;
    // anything else goes through the mixer's stereo block and is converted from it.
    macro_rules! converted {
        ($sample:ty) => {
            device.build_output_stream::<$sample, _, _>(
                config,
                move |data: &mut [$sample], _| mixer.fill(data, channels),
                on_error,
                None,
            )
        };
    }
    let built = match format {
        SampleFormat::F32 if channels == 2 => device.build_output_stream::<f32, _, _>(
            config,
            move |data: &mut [f32], _| mixer.fill_stereo(data),
            on_error,
            None,
        ),
        SampleFormat::F32 => converted!(f32),
        SampleFormat::F64 => converted!(f64),
        SampleFormat::I8 => converted!(i8),
        SampleFormat::I16 => converted!(i16),
        SampleFormat::I24 => converted!(rodio::cpal::I24),
        SampleFormat::I32 => converted!(i32),
        SampleFormat::I64 => converted!(i64),
        SampleFormat::U8 => converted!(u8),
        SampleFormat::U16 => converted!(u16),
        SampleFormat::U24 => converted!(rodio::cpal::U24),
        SampleFormat::U32 => converted!(u32),
        SampleFormat::U64 => converted!(u64),
        _ => {
            return Err(AudioError::OpenFailed(
                "the device only takes a sample format the app cannot write".into(),
            ));
        }
    };
    let stream = built.map_err(|e| AudioError::OpenFailed(describe(&e, Stage::Build)))?;
    stream
        .play()
        .map_err(|e| AudioError::OpenFailed(describe(&e, Stage::Play)))?;
    Ok(DeviceStream {
        mixer: input,
        _stream: stream,
    })
}

pub(crate) fn period_frames(rate: u32) -> u32 {
    let frames = (f64::from(rate) * PERIOD_SECS / 256.0).round() as u32 * 256;
    frames.max(256)
}

/// What was being done when cpal failed.
#[derive(Debug, Clone, Copy)]
enum Stage {
    /// Asking the device for its default configuration: the first thing that needs a server.
    Config,
    Build,
    Play,
}

/// Turns cpal's errors into the part a user can act on.
fn describe(error: &CpalError, stage: Stage) -> String {
    match (error.kind(), stage) {
        (CpalErrorKind::HostUnavailable, _) => "the sound server is not running".into(),
        (CpalErrorKind::DeviceNotAvailable, _) | (_, Stage::Config) => {
            "no sound server or sound card answered".into()
        }
        (CpalErrorKind::DeviceBusy, _) => "the device is busy in another program".into(),
        (CpalErrorKind::PermissionDenied, _) => "permission to use the device was denied".into(),
        (_, Stage::Build) => "the sound system would not open a stream on it".into(),
        (_, Stage::Play) => "its stream would not start".into(),
    }
}
