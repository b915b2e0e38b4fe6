//! Offline rendering: the very same click track the device plays, written to a WAV file, with
//! the runner's music on the same step grid if asked (the stream a player runs live, run here
//! in step with the click, so the file is exact).
//!
//! The file appears only when it is complete: samples go to a hidden temporary file beside the
//! target, which is synced and then renamed over it. A full disk or a dead folder leaves any
//! earlier file of that name untouched and the error names the path.

use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::click_track::{ClickTrack, Program};
use super::sounds::SoundBank;
use crate::cadence::ClickSettings;
use crate::music::grid::CursorGrid;
use crate::music::stream::MusicStream;

/// Music to render under the click.
pub struct MusicMix {
    /// The stream, at the rate the file is rendered at.
    pub stream: MusicStream,
    /// The music's volume, 0–1.
    pub volume: f32,
    /// The click over the music; without it, the music alone.
    pub click: bool,
}

/// Frames rendered per block: large enough that per-block work vanishes, small enough to
/// stay in cache (64 KiB of f32) and to hold at most one step (see the click count below).
const BLOCK_FRAMES: usize = 8192;

/// Sample rates a WAV may be rendered at.
pub const RATES: std::ops::RangeInclusive<u32> = 8_000..=192_000;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("could not write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{minutes:.0} minutes at {rate} Hz is too long for one WAV file (at most {max:.0} minutes)"
    )]
    TooLong { minutes: f64, rate: u32, max: f64 },
    #[error("{0} Hz is not a sample rate the app renders; use 8000–192000")]
    BadRate(u32),
    #[error("left/right panning needs a stereo file; drop --pan or render 2 channels")]
    PanNeedsStereo,
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderSummary {
    pub frames: u64,
    pub rate: u32,
    pub channels: u16,
    pub clicks: u64,
}

/// Renders `program` with `settings` at `rate` into a 16-bit WAV at `path`, stereo or (with
/// `channels` 1) mono.
pub fn render_wav(
    program: Program,
    settings: ClickSettings,
    rate: u32,
    channels: u16,
    path: &Path,
) -> Result<RenderSummary, RenderError> {
    render_wav_with(program, settings, rate, channels, path, None)
}

/// [`render_wav`] with music under (or instead of) the click.
pub fn render_wav_with(
    program: Program,
    settings: ClickSettings,
    rate: u32,
    channels: u16,
    path: &Path,
    music: Option<&mut MusicMix>,
) -> Result<RenderSummary, RenderError> {
    if !RATES.contains(&rate) {
        return Err(RenderError::BadRate(rate));
    }
    if channels == 1 && settings.pan {
        return Err(RenderError::PanNeedsStereo);
    }
    let channels = channels.clamp(1, 2);
    let duration_ms = program.duration_ms().unwrap_or(0);
    // A RIFF file counts its bytes in 32 bits; keep a second's margin for the last click's tail.
    let bytes_per_frame = 2 * u64::from(channels);
    let max_frames = (u64::from(u32::MAX) - 64) / bytes_per_frame - u64::from(rate);
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
    if let Some(mix) = &music
        && mix.stream.rate() != rate
    {
        return Err(RenderError::BadRate(mix.stream.rate()));
    }
    crate::atomic_file::write_with(path, |file| {
        write(program, settings, rate, channels, music, file)
    })
    .map_err(io_err)
}

fn write(
    program: Program,
    settings: ClickSettings,
    rate: u32,
    channels: u16,
    mut music: Option<&mut MusicMix>,
    file: &mut (impl Write + Seek),
) -> io::Result<RenderSummary> {
    file.write_all(&wav_header(rate, channels, 0))?;
    let mut grid = CursorGrid::new(program.cursor(rate));
    let end = program.end_frame(rate);
    let (mut track, handle) = ClickTrack::new(program, settings, Arc::new(SoundBank::new(rate)));
    let music_gain = music
        .as_ref()
        .map_or(0.0, |m| super::perceived_gain(m.volume));
    if let Some(mix) = &music {
        handle.set_click_muted(!mix.click);
    }
    // An eighth of a second or less: shorter than the 250 ms between steps at 240 spm, so the
    // click count below sees every step.
    let block_frames = BLOCK_FRAMES.min(rate as usize / 8);
    let mut block = vec![0.0f32; block_frames * 2];
    let mut under = vec![0.0f32; block_frames * 2];
    let mut bytes = vec![0u8; block_frames * 2 * 2];
    let mut clicks = 0u64;
    let mut last_beat = None;
    let mut data_bytes = 0u64;
    loop {
        let from = track.frame();
        let n = track.render(&mut block);
        if n == 0 {
            break;
        }
        if let Some(mix) = music.as_deref_mut() {
            let under = &mut under[..n];
            mix.stream.render(&mut grid, under);
            if let Some(end) = end {
                super::music::fade_before_end(under, from, end, rate);
            }
            for (out, m) in block[..n].iter_mut().zip(under.iter()) {
                *out = super::music::soft_limit(*out + m * music_gain);
            }
        }
        let out = if channels == 2 {
            for (dst, &s) in bytes.chunks_exact_mut(2).zip(&block[..n]) {
                dst.copy_from_slice(&to_i16(s).to_le_bytes());
            }
            &bytes[..n * 2]
        } else {
            // Mono: the clicks are identical in both channels when not panned.
            for (dst, frame) in bytes.chunks_exact_mut(2).zip(block[..n].chunks_exact(2)) {
                dst.copy_from_slice(&to_i16(frame[0]).to_le_bytes());
            }
            &bytes[..n]
        };
        file.write_all(out)?;
        data_bytes += out.len() as u64;
        if let Some(beat) = handle.beat()
            && Some(beat.index) != last_beat
        {
            last_beat = Some(beat.index);
            clicks += u64::from(beat.sounded);
        }
    }
    let data_len = u32::try_from(data_bytes)
        .map_err(|_| io::Error::other("the click track outgrew the 4 GiB a WAV file can hold"))?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&wav_header(rate, channels, data_len))?;
    Ok(RenderSummary {
        frames: track.frame(),
        rate,
        channels,
        clicks,
    })
}

/// The 44-byte header of a 16-bit PCM WAV file holding `data_len` bytes of samples.
fn wav_header(rate: u32, channels: u16, data_len: u32) -> [u8; 44] {
    let block_align = channels * 2;
    let mut h = [0u8; 44];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&(36 + data_len).to_le_bytes());
    h[8..12].copy_from_slice(b"WAVE");
    h[12..16].copy_from_slice(b"fmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&channels.to_le_bytes());
    h[24..28].copy_from_slice(&rate.to_le_bytes());
    h[28..32].copy_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
    h[32..34].copy_from_slice(&block_align.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data_len.to_le_bytes());
    h
}

/// Full scale to 16 bits, rounding half away from zero; written so the loop vectorises.
#[inline]
fn to_i16(sample: f32) -> i16 {
    let v = sample.clamp(-1.0, 1.0) * 32767.0;
    (v + if v >= 0.0 { 0.5 } else { -0.5 }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::Spm;

    #[test]
    fn writes_a_wav_that_a_standard_reader_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.wav");
        let program = Program::Open {
            spm: Spm::new(180.0).unwrap(),
            duration_ms: Some(10_000),
        };
        let summary =
            render_wav(program.clone(), ClickSettings::default(), 44_100, 2, &path).unwrap();
        assert_eq!(summary.clicks, 30);
        let reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(reader.spec().channels, 2);
        assert_eq!(reader.spec().sample_rate, 44_100);
        assert_eq!(u64::from(reader.duration()), summary.frames);
        assert_eq!(summary.frames, 441_000);

        let mono = dir.path().join("m.wav");
        render_wav(program, ClickSettings::default(), 48_000, 1, &mono).unwrap();
        let reader = hound::WavReader::open(&mono).unwrap();
        assert_eq!(reader.spec().channels, 1);
        assert_eq!(reader.duration(), 480_000);
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_write_that_cannot_start_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("c.wav");
        let program = Program::Open {
            spm: Spm::new(180.0).unwrap(),
            duration_ms: Some(1_000),
        };
        let err = render_wav(program, ClickSettings::default(), 48_000, 2, &path).unwrap_err();
        assert!(err.to_string().starts_with("could not write "), "{err}");
        assert!(err.to_string().contains("missing-folder"), "{err}");
    }

    #[test]
    fn mono_refuses_panning_and_long_files_are_refused_up_front() {
        let program = Program::Open {
            spm: Spm::new(180.0).unwrap(),
            duration_ms: Some(1_000),
        };
        let pan = ClickSettings {
            pan: true,
            ..ClickSettings::default()
        };
        let path = Path::new("never-written.wav");
        assert!(matches!(
            render_wav(program, pan, 48_000, 1, path),
            Err(RenderError::PanNeedsStereo)
        ));
        let day = Program::Open {
            spm: Spm::new(180.0).unwrap(),
            duration_ms: Some(24 * 3_600_000),
        };
        let err = render_wav(day, ClickSettings::default(), 48_000, 2, path).unwrap_err();
        assert!(
            err.to_string().contains("too long for one WAV file"),
            "{err}"
        );
        assert!(!path.exists());
    }
}
