//! Reading the runner's music files: MP3, AAC in MP4/M4A, FLAC, Ogg Vorbis and WAV, decoded by
//! symphonia (pure Rust) a packet at a time, so a track is never held whole in memory.
//!
//! The analysis and the player read a file through the same [`TrackReader`], so a beat found at
//! a sample is played at that very sample (an MP3's encoder delay, trimmed for gapless playback,
//! is trimmed for both). A damaged packet is skipped; a file that cannot be read at all is an
//! error naming the file.

use std::fs::File;
use std::path::{Path, PathBuf};

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, Decoder, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::{MetadataOptions, MetadataRevision, StandardTagKey};
use symphonia::core::probe::Hint;

use super::deck::FrameSource;

/// The file endings the library looks at.
pub const EXTENSIONS: [&str; 9] = [
    "mp3", "m4a", "mp4", "aac", "flac", "ogg", "oga", "wav", "wave",
];

/// Whether `path` ends like a music file the library reads.
pub fn is_music_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|m| m.eq_ignore_ascii_case(e)))
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("could not open {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a music file the app can read ({reason})")]
    Format { path: PathBuf, reason: String },
    #[error("{path} holds no audio the app can decode ({reason})")]
    NoAudio { path: PathBuf, reason: String },
    #[error("{path} could not be decoded: {reason}")]
    Damaged { path: PathBuf, reason: String },
}

/// A music file opened for decoding, from its start.
pub struct TrackReader {
    path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    rate: u32,
    /// The last packet decoded (interleaved), its channel count, and how much of it has been
    /// handed out.
    buffer: Option<SampleBuffer<f32>>,
    channels: usize,
    pending_pos: usize,
    /// "Artist – Title" from the tags, if they name it.
    title: Option<String>,
    /// The length the container gives, in frames, if it gives one.
    frames: Option<u64>,
    ended: bool,
    /// A decoding error that ended the track early, for the caller to report once.
    error: Option<String>,
}

impl TrackReader {
    pub fn open(path: &Path) -> Result<TrackReader, DecodeError> {
        let file = File::open(path).map_err(|source| DecodeError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let stream = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let options = FormatOptions {
            enable_gapless: true,
            ..FormatOptions::default()
        };
        let mut probed = symphonia::default::get_probe()
            .format(&hint, stream, &options, &MetadataOptions::default())
            .map_err(|e| DecodeError::Format {
                path: path.to_path_buf(),
                reason: reason(&e),
            })?;
        let no_audio = |reason: String| DecodeError::NoAudio {
            path: path.to_path_buf(),
            reason,
        };
        let track = probed
            .format
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
            .ok_or_else(|| no_audio("no audio track".into()))?;
        let params = track.codec_params.clone();
        let track_id = track.id;
        let rate = params
            .sample_rate
            .filter(|r| (4_000..=384_000).contains(r))
            .ok_or_else(|| no_audio("no usable sample rate".into()))?;
        let decoder = symphonia::default::get_codecs()
            .make(&params, &DecoderOptions::default())
            .map_err(|e| no_audio(reason(&e)))?;
        let mut title = probed.format.metadata().current().and_then(tag_title);
        if title.is_none() {
            title = probed
                .metadata
                .get()
                .and_then(|m| m.current().and_then(tag_title));
        }
        Ok(TrackReader {
            path: path.to_path_buf(),
            track_id,
            format: probed.format,
            decoder,
            rate,
            pending_pos: 0,
            channels: params.channels.map_or(2, |c| c.count().max(1)),
            buffer: None,
            title,
            frames: params.n_frames,
            ended: false,
            error: None,
        })
    }

    /// The title the tags give ("Artist – Title"), if any.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The length the file says it has, in seconds, if it says.
    pub fn duration_s(&self) -> Option<f64> {
        self.frames.map(|f| f as f64 / f64::from(self.rate))
    }

    /// An error that ended decoding early, once.
    pub fn take_error(&mut self) -> Option<String> {
        self.error.take()
    }

    /// Decodes the next packet into `buffer`; false at the end of the track.
    fn refill(&mut self) -> bool {
        // A run of damaged packets this long is a damaged file, not a glitch.
        let mut bad = 0;
        while !self.ended {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    self.ended = true;
                    break;
                }
                Err(SymphoniaError::ResetRequired) => {
                    self.decoder.reset();
                    continue;
                }
                Err(e) => {
                    self.fail(&e);
                    break;
                }
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(decoded) => {
                    let spec = *decoded.spec();
                    let frames = decoded.frames();
                    if frames == 0 {
                        continue;
                    }
                    let buffer = match &mut self.buffer {
                        Some(b) if b.capacity() >= decoded.capacity() * spec.channels.count() => b,
                        slot => slot.insert(SampleBuffer::new(decoded.capacity() as u64, spec)),
                    };
                    buffer.copy_interleaved_ref(decoded);
                    self.channels = spec.channels.count().max(1);
                    self.pending_pos = 0;
                    return true;
                }
                Err(SymphoniaError::DecodeError(_)) if bad < 50 => bad += 1,
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    self.ended = true;
                }
                Err(e) => self.fail(&e),
            }
        }
        false
    }

    /// `refill`, with a decoder that panics on a hostile file ending the track instead of the
    /// thread.
    fn refill_guarded(&mut self) -> bool {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.refill()));
        outcome.unwrap_or_else(|_| {
            self.ended = true;
            self.error = Some(format!(
                "{} could not be decoded (the decoder failed)",
                self.path.display()
            ));
            false
        })
    }

    fn fail(&mut self, e: &SymphoniaError) {
        self.ended = true;
        self.error = Some(format!(
            "{} stopped decoding: {}",
            self.path.display(),
            reason(e)
        ));
    }

    /// Appends up to `max_frames` frames as mono (the channels averaged) to `out`; 0 at the end.
    pub fn read_mono(&mut self, out: &mut Vec<f32>, max_frames: usize) -> usize {
        self.read_with(max_frames, |frame| {
            out.push(frame.iter().sum::<f32>() / frame.len() as f32)
        })
    }

    /// The decoded samples not yet handed out.
    fn pending(&self) -> &[f32] {
        self.buffer
            .as_ref()
            .map_or(&[][..], |b| &b.samples()[self.pending_pos.min(b.len())..])
    }

    /// Hands out up to `max` frames of the decoded packets (decoding more as needed) to `each`.
    fn read_with(&mut self, max: usize, mut each: impl FnMut(&[f32])) -> usize {
        let mut done = 0;
        while done < max {
            if self.pending().is_empty() && !self.refill_guarded() {
                break;
            }
            let ch = self.channels;
            let pending = self.pending();
            let n = (pending.len() / ch).min(max - done);
            pending[..n * ch].chunks_exact(ch).for_each(&mut each);
            self.pending_pos += n * ch;
            done += n;
        }
        done
    }
}

impl FrameSource for TrackReader {
    fn rate(&self) -> u32 {
        self.rate
    }

    fn read_stereo(&mut self, out: &mut Vec<f32>, max_frames: usize) -> usize {
        self.read_with(max_frames, |frame| {
            // Mono plays in both ears; more than two channels keep their front pair.
            let (l, r) = match frame {
                [m] => (*m, *m),
                [l, r, ..] => (*l, *r),
                [] => (0.0, 0.0),
            };
            out.push(l);
            out.push(r);
        })
    }

    fn take_error(&mut self) -> Option<String> {
        TrackReader::take_error(self)
    }
}

/// Symphonia's error in words a runner can pass on.
fn reason(e: &SymphoniaError) -> String {
    match e {
        SymphoniaError::IoError(io) => io.to_string(),
        SymphoniaError::Unsupported(what) => format!("unsupported: {what}"),
        SymphoniaError::DecodeError(what) => format!("damaged: {what}"),
        SymphoniaError::LimitError(what) => format!("too large: {what}"),
        other => other.to_string(),
    }
}

/// "Artist – Title" (or the title alone) from a file's tags.
fn tag_title(revision: &MetadataRevision) -> Option<String> {
    let find = |key: StandardTagKey| {
        revision
            .tags()
            .iter()
            .find(|t| t.std_key == Some(key))
            .map(|t| t.value.to_string().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let title = find(StandardTagKey::TrackTitle)?;
    Some(match find(StandardTagKey::Artist) {
        Some(artist) => format!("{artist} – {title}"),
        None => title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path, rate: u32, channels: u16, frames: usize) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..frames {
            for c in 0..channels {
                // Left a ramp, right its negative: the channels can be told apart.
                let v = ((i % 1000) as i32 * 30) * if c == 0 { 1 } else { -1 };
                w.write_sample(v as i16).unwrap();
            }
        }
        w.finalize().unwrap();
    }

    #[test]
    fn a_wav_reads_as_stereo_and_mono_frame_for_frame() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        write_wav(&path, 44_100, 2, 10_000);
        let mut reader = TrackReader::open(&path).unwrap();
        assert_eq!(reader.rate(), 44_100);
        assert_eq!(reader.duration_s(), Some(10_000.0 / 44_100.0));
        let mut out = Vec::new();
        let mut total = 0;
        loop {
            let n = reader.read_stereo(&mut out, 777);
            assert!(n <= 777);
            if n == 0 {
                break;
            }
            total += n;
        }
        assert_eq!(total, 10_000);
        assert_eq!(out.len(), 20_000);
        assert!((out[2 * 500] - 500.0 * 30.0 / 32768.0).abs() < 1e-4);
        assert_eq!(out[2 * 500 + 1], -out[2 * 500]);
        let mut mono = Vec::new();
        let mut reader = TrackReader::open(&path).unwrap();
        while reader.read_mono(&mut mono, 4096) > 0 {}
        assert_eq!(mono.len(), 10_000);
        assert!(mono.iter().all(|&m| m.abs() < 1e-6));
        assert!(reader.take_error().is_none());
    }

    #[test]
    fn a_mono_file_plays_in_both_ears() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.wav");
        write_wav(&path, 22_050, 1, 3_000);
        let mut reader = TrackReader::open(&path).unwrap();
        let mut out = Vec::new();
        while reader.read_stereo(&mut out, 1024) > 0 {}
        assert_eq!(out.len(), 6_000);
        assert_eq!(out[1001], out[1000]);
    }

    #[test]
    fn files_that_are_not_music_are_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.mp3");
        std::fs::write(&text, "these are not the droids\n".repeat(100)).unwrap();
        let err = TrackReader::open(&text).err().unwrap().to_string();
        assert!(
            err.contains("notes.mp3") && err.contains("not a music file"),
            "{err}"
        );
        let missing = dir.path().join("gone.flac");
        let err = TrackReader::open(&missing).err().unwrap().to_string();
        assert!(
            err.starts_with("could not open ") && err.contains("gone.flac"),
            "{err}"
        );
        // A WAV cut short in its samples reads what is there.
        let cut = dir.path().join("cut.wav");
        write_wav(&cut, 48_000, 2, 48_000);
        let bytes = std::fs::read(&cut).unwrap();
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let mut reader = TrackReader::open(&cut).unwrap();
        let mut out = Vec::new();
        while reader.read_stereo(&mut out, 4096) > 0 {}
        assert!(
            out.len() / 2 > 20_000 && out.len() / 2 < 25_000,
            "{}",
            out.len()
        );
    }

    #[test]
    fn music_files_are_known_by_their_ending() {
        assert!(is_music_file(Path::new("a/b/Song.MP3")));
        assert!(is_music_file(Path::new("x.flac")));
        assert!(is_music_file(Path::new("x.m4a")));
        assert!(!is_music_file(Path::new("cover.jpg")));
        assert!(!is_music_file(Path::new("README")));
    }
}
