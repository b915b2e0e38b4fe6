//! Music the music tests make: "songs" whose every beat is a short bright burst over a soft
//! drone, so where each beat lands after stretching can be read off the samples.

use std::path::Path;

/// Writes a 16-bit stereo WAV at `rate` with a burst on every beat at `bpm` from 0.4 s on.
pub fn write_beat_track(path: &Path, rate: u32, bpm: f64, secs: f64) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    let rate_f = f64::from(rate);
    let beat = 60.0 / bpm;
    for i in 0..(secs * rate_f) as usize {
        let t = i as f64 / rate_f;
        let drone = 0.04 * (std::f64::consts::TAU * 110.0 * t).sin();
        let since = if t >= 0.4 { (t - 0.4) % beat } else { 1.0 };
        let burst = 0.8 * (std::f64::consts::TAU * 2000.0 * since).sin() * (-since / 0.003).exp();
        let v = ((drone + burst) * 32767.0) as i16;
        writer.write_sample(v).unwrap();
        writer.write_sample(v).unwrap();
    }
    writer.finalize().unwrap();
}
