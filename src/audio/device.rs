//! Opening output devices: the default or a named one, at a preferred rate, verified to run.
//!
//! alsa-lib's own complaints are collected per thread instead of printed, so the user sees one
//! sentence from the app and not a page of library internals.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::*};
use std::time::{Duration, Instant};

use rodio::cpal::traits::{DeviceTrait, HostTrait};
use rodio::{CpalErrorKind, DeviceSinkBuilder, MixerDeviceSink};

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

/// An open output: the sink, the device's name, its rate and how many frames it buffers.
pub(crate) struct Output {
    pub sink: MixerDeviceSink,
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
        match open_device(device, rate, lost) {
            Ok((sink, rate)) => {
                let latency_frames = match sink.config().buffer_size() {
                    rodio::cpal::BufferSize::Fixed(period) => 2 * period,
                    rodio::cpal::BufferSize::Default => 2 * period_frames(rate),
                };
                return Ok(Output {
                    sink,
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
    Err(AudioError::NotStarted)
}

/// Silence that counts how many samples the device has pulled.
struct Probe {
    rate: u32,
    count: u64,
    pulled: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
}

impl Probe {
    fn new(rate: u32) -> Probe {
        Probe {
            rate,
            count: 0,
            pulled: Arc::new(AtomicU64::new(0)),
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

pub(crate) fn period_frames(rate: u32) -> u32 {
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
