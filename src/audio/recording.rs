//! Reading a recording (a WAV file) as mono samples for the ear.
//!
//! Every channel layout and sample format hound reads is taken: integers of 8–32 bits and
//! 32-bit floats, mixed to mono by averaging the channels. The whole file is read into memory:
//! an hour of mono at 48 kHz is 700 MB of f32, so longer files are refused by name rather than
//! exhausting memory.

use std::path::{Path, PathBuf};

/// The longest recording read, in seconds (four hours).
const LONGEST_S: u64 = 4 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("could not read {path}: {source}")]
    Read { path: PathBuf, source: hound::Error },
    #[error("{path} holds no sound (no samples)")]
    Empty { path: PathBuf },
    #[error("{path} is longer than {} hours; cut it into parts", LONGEST_S / 3600)]
    TooLong { path: PathBuf },
}

/// Mono samples at their own rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub rate: u32,
    pub samples: Vec<f32>,
}

impl Recording {
    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate)
    }
}

pub fn read_mono_wav(path: &Path) -> Result<Recording, RecordingError> {
    let read = |source| RecordingError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = hound::WavReader::open(path).map_err(read)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let frames = u64::from(reader.duration());
    if frames == 0 {
        return Err(RecordingError::Empty {
            path: path.to_path_buf(),
        });
    }
    if frames > LONGEST_S * u64::from(spec.sample_rate) {
        return Err(RecordingError::TooLong {
            path: path.to_path_buf(),
        });
    }
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(8, 32) - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
        }
    }
    .map_err(read)?;
    let samples = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    Ok(Recording {
        rate: spec.sample_rate,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stereo_16_bit_is_mixed_to_mono_at_full_scale() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 22_050,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for (l, r) in [(16_384i16, 0i16), (-32_768, -32_768)] {
            w.write_sample(l).unwrap();
            w.write_sample(r).unwrap();
        }
        w.finalize().unwrap();
        let rec = read_mono_wav(&path).unwrap();
        assert_eq!(rec.rate, 22_050);
        assert_eq!(rec.samples, vec![0.25, -1.0]);
    }

    #[test]
    fn a_file_that_is_not_a_wav_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.wav");
        std::fs::write(&path, b"not a wav").unwrap();
        let e = read_mono_wav(&path).unwrap_err().to_string();
        assert!(e.contains("notes.wav"), "{e}");
    }
}
