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
pub(super) use gpx::read_gpx;
pub(super) use reader::root_format;
pub use tcx::parse_tcx;
pub(super) use tcx::read_tcx;

#[cfg(test)]
mod distance_tests;
#[cfg(test)]
mod tests;
