//! GPX: the cadence in each track point's extensions.

use super::counts_strides;
use super::reader::{Capture, Field, Node, Walker};
use crate::store::import::{CadenceTrack, Format, ImportError, Samples, no_cadence};

/// Reads the cadence of a GPX file: `cad` in a track point's `extensions` (Garmin's
/// TrackPointExtension, any prefix).
pub fn parse_gpx(text: &str) -> Result<CadenceTrack, ImportError> {
    struct Point {
        depth: usize,
        time: Option<i128>,
        cad: Option<f64>,
        /// Depth of the `extensions` element being read, if any.
        extensions: Option<usize>,
    }
    let mut walker = Walker::new(text, Format::Gpx);
    let mut points = 0usize;
    let mut samples = Samples::new();
    let mut cadence_without_time = false;
    let mut point: Option<Point> = None;
    let mut capture: Option<Capture> = None;
    loop {
        match walker.next()? {
            Node::Open(start, depth) => {
                let name = start.local_name();
                let name = name.as_ref();
                if depth == 1 {
                    walker.expect_root(name, b"gpx")?;
                }
                if let Some(p) = &mut point {
                    if name == b"extensions" && p.extensions.is_none() {
                        p.extensions = Some(depth);
                    }
                    let field = match name {
                        b"time" if depth == p.depth + 1 => Some(Field::Time),
                        b"cad" if p.extensions.is_some() => Some(Field::Cadence),
                        _ => None,
                    };
                    if let Some(field) = field
                        && capture.is_none()
                    {
                        capture = Some(Capture::new(field, depth, walker.position()));
                    }
                } else if name == b"trkpt" {
                    points += 1;
                    point = Some(Point {
                        depth,
                        time: None,
                        cad: None,
                        extensions: None,
                    });
                }
            }
            Node::Text(s) => {
                if let Some(c) = &mut capture {
                    c.add(&s);
                }
            }
            Node::UnknownEntity(name) => {
                if let Some(c) = &capture {
                    return Err(walker.unknown_entity(c, &name));
                }
            }
            Node::Close(depth) => {
                if let Some(c) = capture.take_if(|c| c.depth == depth)
                    && let Some(p) = &mut point
                {
                    match c.field {
                        Field::Time => p.time = walker.time(&c)?,
                        _ => p.cad = walker.number(&c)?,
                    }
                }
                if let Some(p) = &mut point
                    && p.extensions == Some(depth)
                {
                    p.extensions = None;
                }
                if let Some(p) = point.take_if(|p| p.depth == depth) {
                    match (p.time, p.cad) {
                        (Some(time), Some(cad)) => samples.push(time, cad)?,
                        (None, Some(_)) => cadence_without_time = true,
                        _ => {}
                    }
                }
            }
            Node::End => break,
        }
    }
    walker.expect_seen_root("gpx")?;
    if samples.is_empty() {
        return Err(no_cadence(points, cadence_without_time));
    }
    let doubled = counts_strides(&samples);
    let factor = if doubled { 2.0 } else { 1.0 };
    samples.finish(Format::Gpx, factor, doubled, points)
}
