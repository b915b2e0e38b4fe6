//! TCX and GPX, the XML watch formats, streamed with quick-xml (no document tree is built):
//! `reader` walks the text for both, `tcx` and `gpx` pick out their track points.
//!
//! Both are read the same way: track points (`Trackpoint` / `trkpt`) with a time and a cadence
//! somewhere inside. Elements are matched by local name, so any namespace prefix works
//! (`ns3:RunCadence`, `gpxtpx:cad`).

mod gpx;
mod reader;
mod tcx;

pub use gpx::parse_gpx;
pub(super) use reader::root_format;
pub use tcx::parse_tcx;

use super::Samples;

/// Whether a cadence series counts strides (one foot) rather than steps.
fn counts_strides(samples: &Samples) -> bool {
    // Strides or steps? Garmin Connect and Strava write `cad` for a run in strides per minute
    // (one foot), as in FIT and TCX; some other apps write steps per minute (both feet) in the
    // same element, and the file does not say which. A runner's stride rate stays well below
    // 120 (that would be 240 steps) and a running step rate well above it, so the median of
    // the non-zero values decides: below 120 they are strides and are doubled, otherwise they
    // are steps and are kept. (A slow walk written in steps, around 110, would be misread as
    // strides; a walk is not what this app coaches.) Zeros (standing still) do not vote.
    let mut moving: Vec<f64> = samples
        .values()
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    moving.sort_by(f64::total_cmp);
    let median = match moving.len() {
        0 => None,
        n if n % 2 == 1 => Some(moving[n / 2]),
        n => Some((moving[n / 2 - 1] + moving[n / 2]) / 2.0),
    };
    median.is_some_and(|m| m < 120.0)
}

#[cfg(test)]
mod tests;
