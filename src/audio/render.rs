//! Offline rendering: the very same click track the device plays, written to a WAV file.
//!
//! The file appears only when it is complete: samples go to a hidden temporary file beside the
//! target, which is synced and then renamed over it. A full disk or a dead folder leaves any
//! earlier file of that name untouched and the error names the path.

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::click_track::{ClickTrack, Program};
use super::sounds::SoundBank;
use crate::cadence::ClickSettings;

/// Frames rendered per block: large enough that per-block work vanishes, small enough to
/// stay in cache (64 KiB of f32) and to hold at most one step (see the click count below).
const BLOCK_FRAMES: usize = 8192;

/// Sample rates a WAV may be rendered at.
pub const RATES: std::ops::RangeInclusive<u32> = 8_000..=192_000;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("could not write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{minutes:.0} minutes at {rate} Hz is too long for one WAV file (at most {max:.0} minutes)")]
    TooLong { minutes: f64, rate: u32, max: f64 },
    #[error("{0} Hz is not a sample rate the app renders; use 8000–192000")]
    BadRate(u32),
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderSummary {
    pub frames: u64,
    pub rate: u32,
    pub clicks: u64,
}

/// Renders `program` with `settings` at `rate` into a 16-bit stereo WAV at `path`.
pub fn render_wav(
    program: Program,
    settings: ClickSettings,
    rate: u32,
    path: &Path,
) -> Result<RenderSummary, RenderError> {
    if !RATES.contains(&rate) {
        return Err(RenderError::BadRate(rate));
    }
    let duration_ms = program.duration_ms().unwrap_or(0);
    // A RIFF file counts its bytes in 32 bits; keep a margin for the longest click's tail.
    let max_frames = (u64::from(u32::MAX) - 1024) / 4 - u64::from(rate);
    let max_minutes = max_frames as f64 / f64::from(rate) / 60.0;
    let minutes = duration_ms as f64 / 60_000.0;
    if minutes > max_minutes {
        return Err(RenderError::TooLong {
            minutes,
            rate,
            max: max_minutes.floor(),
        });
    }
    let io_err = |source| RenderError::Io {
        path: path.to_path_buf(),
        source,
    };
    let temp = temp_path(path);
    let result = write(program, settings, rate, &temp).map_err(|e| io_err(e));
    match result {
        Ok(summary) => {
            fs::rename(&temp, path).map_err(|e| {
                let _ = fs::remove_file(&temp);
                io_err(e)
            })?;
            sync_parent(path);
            Ok(summary)
        }
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

fn write(
    program: Program,
    settings: ClickSettings,
    rate: u32,
    temp: &Path,
) -> io::Result<RenderSummary> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let file = File::create(temp)?;
    let mut wav = hound::WavWriter::new(BufWriter::with_capacity(1 << 20, file), spec)
        .map_err(hound_to_io)?;
    let (mut track, handle) = ClickTrack::new(program, settings, Arc::new(SoundBank::new(rate)));
    // An eighth of a second or less: shorter than the 250 ms between steps at 240 spm.
    let block_frames = BLOCK_FRAMES.min(rate as usize / 8);
    let mut block = vec![0.0f32; block_frames * 2];
    let mut clicks = 0u64;
    let mut last_beat = None;
    loop {
        let n = track.render(&mut block);
        if n == 0 {
            break;
        }
        let mut out = wav.get_i16_writer(n as u32);
        for &s in &block[..n] {
            out.write_sample(to_i16(s));
        }
        out.flush().map_err(hound_to_io)?;
        // Count sounded clicks from the published beats (one per block is enough: blocks are
        // far shorter than a step at any tempo the app plays).
        if let Some(beat) = handle.beat()
            && Some(beat.index) != last_beat
        {
            last_beat = Some(beat.index);
            clicks += u64::from(beat.sounded);
        }
    }
    let frames = track.position();
    wav.finalize().map_err(hound_to_io)?;
    File::open(temp)?.sync_all()?;
    Ok(RenderSummary {
        frames,
        rate,
        clicks,
    })
}

#[inline]
fn to_i16(sample: f32) -> i16 {
    (sample.clamp(-1.0, 1.0) * 32767.0).round() as i16
}

fn hound_to_io(e: hound::Error) -> io::Error {
    match e {
        hound::Error::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "render.wav".into());
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

fn sync_parent(path: &Path) {
    // Makes the rename itself durable; not every platform can open a directory, so best effort.
    if let Some(parent) = path.parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if let Ok(dir) = File::open(parent) {
            let _ = dir.sync_all();
        }
    }
}
