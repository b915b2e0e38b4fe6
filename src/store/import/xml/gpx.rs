//! GPX: the cadence in each track point (`cad` or `cadence`, any prefix: Garmin's
//! TrackPointExtension, Cluetrust's `gpxdata:cadence`, Strava's plain `cadence`), the track's
//! activity `type` as its sport, and the distance and speed between points (from their
//! positions): the distance gives the step length, the speed tells a ride from a run when the
//! file names no sport.

use super::reader::{Capture, Field, Node, Walker};
use crate::store::import::{
    CadenceTrack, Format, ImportError, ReadOptions, Samples, Sport, Strides, no_cadence,
};

/// Reads the cadence of a GPX file as it says it was recorded.
pub fn parse_gpx(text: &str) -> Result<CadenceTrack, ImportError> {
    read_gpx(text, &ReadOptions::default())
}

/// The previous point's position and time, for the speed to the next.
#[derive(Clone, Copy)]
struct Fix {
    lat: f64,
    lon: f64,
    nanos: i128,
}

/// Reads the cadence of a GPX file.
pub(in crate::store::import) fn read_gpx(
    text: &str,
    options: &ReadOptions,
) -> Result<CadenceTrack, ImportError> {
    struct Point {
        depth: usize,
        time: Option<i128>,
        cad: Option<f64>,
        position: Option<(f64, f64)>,
    }
    let mut walker = Walker::new(text, Format::Gpx);
    let mut points = 0usize;
    let mut samples = Samples::new();
    let mut cadence_without_time = false;
    // (depth of the `trk` being read, its sport if its `type` names one).
    let mut track: Option<(usize, Option<Sport>)> = None;
    let mut last_fix: Option<Fix> = None;
    // Metres along the tracks so far, from one point with a time and a position to the next.
    let mut odometer = 0.0;
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
                if let Some(p) = &point {
                    let field = match name {
                        b"time" if depth == p.depth + 1 => Some(Field::Time),
                        b"cad" | b"cadence" => Some(Field::Cadence),
                        _ => None,
                    };
                    if let Some(field) = field
                        && capture.is_none()
                    {
                        capture = Some(Capture::new(field, depth, walker.position()));
                    }
                } else if name == b"trkpt" {
                    points += 1;
                    let coordinate = |name: &str| {
                        start
                            .try_get_attribute(name)
                            .ok()
                            .flatten()
                            .and_then(|a| std::str::from_utf8(&a.value).ok()?.trim().parse().ok())
                            .filter(|v: &f64| v.is_finite())
                    };
                    point = Some(Point {
                        depth,
                        time: None,
                        cad: None,
                        position: coordinate("lat").zip(coordinate("lon")),
                    });
                } else if name == b"trk" {
                    track = Some((depth, None));
                    last_fix = None;
                } else if name == b"type"
                    && track.as_ref().is_some_and(|(d, _)| depth == d + 1)
                    && capture.is_none()
                {
                    capture = Some(Capture::new(Field::Type, depth, walker.position()));
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
                if let Some(c) = capture.take_if(|c| c.depth == depth) {
                    match (c.field, &mut point, &mut track) {
                        (Field::Type, _, Some((_, sport))) => {
                            *sport = Walker::text(&c).and_then(Sport::from_activity_type);
                        }
                        (Field::Time, Some(p), _) => p.time = walker.time(&c)?,
                        (Field::Cadence, Some(p), _) => p.cad = walker.number(&c)?,
                        _ => {}
                    }
                }
                if let Some(p) = point.take_if(|p| p.depth == depth) {
                    let fix =
                        p.time
                            .zip(p.position)
                            .map(|(nanos, (lat, lon))| Fix { lat, lon, nanos });
                    let step = last_fix.zip(fix).map(|(a, b)| (metres(a, b), secs(a, b)));
                    let speed = step
                        .filter(|&(_, secs)| secs > 0.0)
                        .map(|(metres, secs)| metres / secs)
                        .filter(|v| v.is_finite());
                    if fix.is_some() {
                        odometer += step
                            .map(|(metres, _)| metres)
                            .filter(|m| m.is_finite())
                            .unwrap_or(0.0);
                        last_fix = fix;
                    }
                    let distance = fix.map(|_| odometer);
                    let sport = track.as_ref().and_then(|(_, s)| s.as_ref());
                    match (p.time, p.cad) {
                        (Some(time), Some(cad)) => {
                            samples.push_in(time, cad, sport, speed, distance)?;
                        }
                        (None, Some(_)) => cadence_without_time = true,
                        _ => {}
                    }
                }
                if track.as_ref().is_some_and(|(d, _)| *d == depth) {
                    track = None;
                }
            }
            Node::End => break,
        }
    }
    walker.expect_seen_root("gpx")?;
    if samples.is_empty() {
        return Err(no_cadence(points, cadence_without_time));
    }
    samples.finish(Format::Gpx, Strides::ByMedian, points, options, Vec::new())
}

/// Seconds from `a` to `b`.
fn secs(a: Fix, b: Fix) -> f64 {
    (b.nanos - a.nanos) as f64 / 1e9
}

/// Metres from `a` to `b` over the earth's surface (haversine).
fn metres(a: Fix, b: Fix) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_000.0;
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}
