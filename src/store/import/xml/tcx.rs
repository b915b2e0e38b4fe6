//! TCX (Garmin's Training Center XML): the running cadence of each `Trackpoint` with its
//! `DistanceMeters` (the distance from the activity's start), and the activity's `Sport`, which
//! says whether a plain `Cadence` counts steps at all.

use super::reader::{Capture, Field, Node, Walker, attribute};
use crate::store::import::{
    CadenceTrack, Counts, Format, ImportError, ReadOptions, Samples, Sport, Strides, no_cadence,
    track_points,
};

/// Reads the running cadence of a TCX file.
///
/// Garmin writes a runner's cadence as `<Extensions><TPX><RunCadence>` in strides per minute
/// (one foot), so it is doubled. A plain `<Cadence>` directly in a `Trackpoint` is pedalling
/// rpm in Garmin's schema; it is used (and doubled) only when no `RunCadence` appears anywhere
/// in the file and the activity's `Sport` is "Running", as some apps write it that way (or the
/// runner says it was a run).
pub fn parse_tcx(text: &str) -> Result<CadenceTrack, ImportError> {
    read_tcx(text, &ReadOptions::default())
}

pub(in crate::store::import) fn read_tcx(
    text: &str,
    options: &ReadOptions,
) -> Result<CadenceTrack, ImportError> {
    struct Point {
        depth: usize,
        time: Option<i128>,
        run: Option<f64>,
        plain: Option<f64>,
        distance: Option<f64>,
    }
    let mut walker = Walker::new(text, Format::Tcx);
    let mut points = 0usize;
    let mut run = Samples::new();
    let mut plain = Samples::new();
    let mut any_run_cadence = false;
    let mut cadence_without_time = false;
    // The sport of an activity whose plain Cadence was set aside as not running.
    let mut other_sport: Option<String> = None;
    // (depth, Sport attribute) of the Activity being read.
    let mut activity: Option<(usize, String)> = None;
    let mut point: Option<Point> = None;
    let mut capture: Option<Capture> = None;
    loop {
        match walker.next()? {
            Node::Open(start, depth) => {
                let name = start.local_name();
                let name = name.as_ref();
                if depth == 1 {
                    walker.expect_root(name, b"TrainingCenterDatabase")?;
                }
                if name == b"RunCadence" {
                    any_run_cadence = true;
                }
                if name == b"Activity" {
                    activity = Some((depth, attribute(&start, "Sport")));
                }
                if let Some(p) = &point {
                    let field = match name {
                        b"Time" if depth == p.depth + 1 => Some(Field::Time),
                        b"RunCadence" => Some(Field::Cadence),
                        b"Cadence" if depth == p.depth + 1 => Some(Field::PlainCadence),
                        b"DistanceMeters" if depth == p.depth + 1 => Some(Field::Distance),
                        _ => None,
                    };
                    if let Some(field) = field
                        && capture.is_none()
                    {
                        capture = Some(Capture::new(field, depth, walker.position()));
                    }
                } else if name == b"Trackpoint" {
                    points += 1;
                    point = Some(Point {
                        depth,
                        time: None,
                        run: None,
                        plain: None,
                        distance: None,
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
                        Field::Cadence => p.run = walker.number(&c)?,
                        Field::PlainCadence => p.plain = walker.number(&c)?,
                        // A distance that does not read costs the step length, not the
                        // cadence.
                        Field::Distance => {
                            p.distance = Walker::text(&c).and_then(|t| t.parse().ok());
                        }
                        Field::Type => {}
                    }
                }
                if let Some(p) = point.take_if(|p| p.depth == depth) {
                    let sport = activity.as_ref().map_or("", |(_, sport)| sport.as_str());
                    let running = sport.eq_ignore_ascii_case("Running") || options.sport.is_some();
                    match p.time {
                        Some(time) => {
                            if let Some(v) = p.run {
                                run.push_in(time, v, None, None, p.distance)?;
                            }
                            if let Some(v) = p.plain {
                                if running && !any_run_cadence {
                                    plain.push_in(
                                        time,
                                        v,
                                        Sport::from_activity_type(sport).as_ref(),
                                        None,
                                        p.distance,
                                    )?;
                                } else if !running {
                                    other_sport.get_or_insert_with(|| sport.to_string());
                                }
                            }
                        }
                        None => {
                            cadence_without_time |=
                                p.run.is_some() || (running && p.plain.is_some());
                        }
                    }
                }
                if activity.as_ref().is_some_and(|(d, _)| *d == depth) {
                    activity = None;
                }
            }
            Node::End => break,
        }
    }
    walker.expect_seen_root("TrainingCenterDatabase")?;
    let samples = if any_run_cadence { run } else { plain };
    if samples.is_empty() {
        if !any_run_cadence && let Some(sport) = other_sport {
            if let Some(named) = Sport::from_activity_type(&sport).filter(|s| !s.is_foot()) {
                return Err(ImportError::NotSteps { sport: named });
            }
            let activity = if sport.is_empty() {
                "an activity not marked Running".to_string()
            } else {
                format!("a {sport} activity")
            };
            let detail = format!(
                "it has {}, but their only cadence is the Cadence of {activity}, \
                 which counts {}, not steps; if it was a run, import it with --sport running",
                track_points(points),
                Counts::PedalTurns.what()
            );
            return Err(ImportError::NoCadence { points, detail });
        }
        return Err(no_cadence(points, cadence_without_time));
    }
    // RunCadence is strides by Garmin's schema. A plain Cadence in a running activity is not
    // defined for running; apps write strides or steps there, so the GPX rule decides.
    let strides = if any_run_cadence {
        Strides::Always
    } else {
        Strides::ByMedian
    };
    samples.finish(Format::Tcx, strides, points, options, Vec::new())
}
