//! TCX and GPX, the XML watch formats, streamed with quick-xml (no document tree is built).
//!
//! Both are read the same way: track points (`Trackpoint` / `trkpt`) with a time and a cadence
//! somewhere inside. Elements are matched by local name, so any namespace prefix works
//! (`ns3:RunCadence`, `gpxtpx:cad`). No entity is expanded beyond XML's five predefined ones and
//! character references, nesting is capped, and every value read is capped in length, so the
//! work is bounded by the size of the text.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::{CadenceTrack, Format, ImportError, Samples, line_of, no_cadence, track_points};

/// Deeper nesting than this is not a watch file (Garmin's TCX goes about 8 deep).
const MAX_DEPTH: usize = 256;
/// A time or a cadence longer than this is not one.
const MAX_VALUE_BYTES: usize = 64;

/// Which format the root element says `text` is, if it is XML with a TCX or GPX root.
pub(super) fn root_format(text: &str) -> Option<Format> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return match e.local_name().as_ref() {
                    b"TrainingCenterDatabase" => Some(Format::Tcx),
                    b"gpx" => Some(Format::Gpx),
                    _ => None,
                };
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Reads the running cadence of a TCX file.
///
/// Garmin writes a runner's cadence as `<Extensions><TPX><RunCadence>` in strides per minute
/// (one foot), so it is doubled. A plain `<Cadence>` directly in a `Trackpoint` is pedalling
/// rpm in Garmin's schema; it is used (and doubled) only when no `RunCadence` appears anywhere
/// in the file and the activity's `Sport` is "Running", as some apps write it that way.
pub fn parse_tcx(text: &str) -> Result<CadenceTrack, ImportError> {
    struct Point {
        depth: usize,
        time: Option<i128>,
        run: Option<f64>,
        plain: Option<f64>,
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
                    }
                }
                if let Some(p) = point.take_if(|p| p.depth == depth) {
                    let sport = activity.as_ref().map_or("", |(_, sport)| sport.as_str());
                    let running = sport.eq_ignore_ascii_case("Running");
                    match p.time {
                        Some(time) => {
                            if let Some(v) = p.run {
                                run.push(time, v)?;
                            }
                            if let Some(v) = p.plain {
                                if running && !any_run_cadence {
                                    plain.push(time, v)?;
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
            let activity = if sport.is_empty() {
                "an activity not marked Running".to_string()
            } else {
                format!("a {sport} activity")
            };
            let detail = format!(
                "it has {}, but their only cadence is the Cadence of {activity}, \
                 which counts pedal turns, not steps",
                track_points(points)
            );
            return Err(ImportError::NoCadence { points, detail });
        }
        return Err(no_cadence(points, cadence_without_time));
    }
    // RunCadence is strides by Garmin's schema. A plain Cadence in a running activity is not
    // defined for running; apps write strides or steps there, so the GPX rule decides.
    let doubled = any_run_cadence || counts_strides(&samples);
    samples.finish(
        Format::Tcx,
        if doubled { 2.0 } else { 1.0 },
        doubled,
        points,
    )
}

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

/// The first 40 characters of an attribute's raw value, trimmed; empty if absent.
fn attribute(start: &BytesStart<'_>, name: &str) -> String {
    match start.try_get_attribute(name) {
        Ok(Some(attr)) => String::from_utf8_lossy(&attr.value)
            .trim()
            .chars()
            .take(40)
            .collect(),
        _ => String::new(),
    }
}

#[derive(Clone, Copy, Debug)]
enum Field {
    Time,
    /// RunCadence in TCX, cad in GPX.
    Cadence,
    /// TCX's plain Cadence (rpm in Garmin's schema).
    PlainCadence,
}

/// The text of an element being read for a value, capped at [`MAX_VALUE_BYTES`].
struct Capture {
    field: Field,
    depth: usize,
    /// Byte position of the element, for the line in an error.
    pos: u64,
    value: String,
    too_long: bool,
}

impl Capture {
    fn new(field: Field, depth: usize, pos: u64) -> Capture {
        Capture {
            field,
            depth,
            pos,
            value: String::new(),
            too_long: false,
        }
    }

    fn add(&mut self, text: &str) {
        if self.value.len() + text.len() > MAX_VALUE_BYTES {
            self.too_long = true;
        } else {
            self.value.push_str(text);
        }
    }

    fn what(&self) -> &'static str {
        match self.field {
            Field::Time => "time",
            Field::Cadence | Field::PlainCadence => "cadence",
        }
    }
}

/// What the walker hands the parsers.
enum Node<'a> {
    /// An element opens at this depth (the root is 1). Empty elements open and close.
    Open(BytesStart<'a>, usize),
    /// The element at this depth closes.
    Close(usize),
    /// Text, CDATA, or a predefined entity or character reference, resolved.
    Text(Cow<'a, str>),
    /// A reference to an entity that is not expanded.
    UnknownEntity(String),
    /// The end of the document.
    End,
}

/// quick-xml's reader with depth tracking, limits and errors that name the line.
struct Walker<'a> {
    text: &'a str,
    reader: Reader<&'a [u8]>,
    format: Format,
    depth: usize,
    seen_root: bool,
}

impl<'a> Walker<'a> {
    fn new(text: &'a str, format: Format) -> Walker<'a> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Walker {
            text,
            reader,
            format,
            depth: 0,
            seen_root: false,
        }
    }

    fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn error(&self, pos: u64, problem: impl Into<String>) -> ImportError {
        let line = line_of(self.text, usize::try_from(pos).unwrap_or(usize::MAX));
        let problem = problem.into();
        match self.format {
            Format::Gpx => ImportError::Gpx { line, problem },
            _ => ImportError::Tcx { line, problem },
        }
    }

    fn next(&mut self) -> Result<Node<'a>, ImportError> {
        loop {
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let problem = format!("the file is damaged or not well-formed XML ({e})");
                    return Err(self.error(self.reader.error_position(), problem));
                }
            };
            let bad_text = |w: &Walker<'a>| w.error(w.position(), "the text is not valid UTF-8");
            return Ok(match event {
                Event::Start(start) => {
                    if self.depth >= MAX_DEPTH {
                        let problem = format!("elements are nested more than {MAX_DEPTH} deep");
                        return Err(self.error(self.position(), problem));
                    }
                    self.depth += 1;
                    Node::Open(start, self.depth)
                }
                Event::End(_) => {
                    let depth = self.depth;
                    self.depth = depth.saturating_sub(1);
                    Node::Close(depth)
                }
                Event::Text(text) => Node::Text(text.decode().map_err(|_| bad_text(self))?),
                Event::CData(text) => Node::Text(text.decode().map_err(|_| bad_text(self))?),
                Event::GeneralRef(reference) => match reference.resolve_char_ref() {
                    Ok(Some(c)) => Node::Text(Cow::Owned(c.to_string())),
                    Err(e) => {
                        let problem = format!("a bad character reference ({e})");
                        return Err(self.error(self.position(), problem));
                    }
                    Ok(None) => {
                        let name = reference.decode().map_err(|_| bad_text(self))?;
                        match resolve_predefined_entity(&name) {
                            Some(s) => Node::Text(Cow::Borrowed(s)),
                            None => Node::UnknownEntity(name.chars().take(40).collect()),
                        }
                    }
                },
                Event::Eof => {
                    if self.depth > 0 {
                        let problem = "the file ends before its elements are closed \
                                       (it may be cut short)";
                        return Err(self.error(self.position(), problem));
                    }
                    Node::End
                }
                // With expand_empty_elements, empty elements come as Start and End.
                Event::Empty(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::Comment(_)
                | Event::DocType(_) => continue,
            });
        }
    }

    fn kind(&self) -> &'static str {
        match self.format {
            Format::Gpx => "GPX",
            _ => "TCX",
        }
    }

    /// Checks the root element's name.
    fn expect_root(&mut self, name: &[u8], root: &[u8]) -> Result<(), ImportError> {
        if self.seen_root {
            // A second root element: quick-xml does not insist on one.
            return Ok(());
        }
        self.seen_root = true;
        if name == root {
            return Ok(());
        }
        let found: String = String::from_utf8_lossy(name).chars().take(40).collect();
        let problem = format!(
            "this is not a {} file (it starts with <{found}>, not <{}>)",
            self.kind(),
            String::from_utf8_lossy(root)
        );
        Err(self.error(self.position(), problem))
    }

    fn expect_seen_root(&self, root: &str) -> Result<(), ImportError> {
        if self.seen_root {
            return Ok(());
        }
        let problem = format!("this is not a {} file (it has no <{root}>)", self.kind());
        Err(self.error(0, problem))
    }

    fn unknown_entity(&self, capture: &Capture, name: &str) -> ImportError {
        let problem = format!(
            "the {} uses &{name};, an entity this app does not expand",
            capture.what()
        );
        self.error(capture.pos, problem)
    }

    /// The captured time as Unix nanoseconds; `None` if empty.
    fn time(&self, capture: &Capture) -> Result<Option<i128>, ImportError> {
        let value = self.value(capture)?;
        if value.is_empty() {
            return Ok(None);
        }
        parse_time(value).map(Some).ok_or_else(|| {
            let problem =
                format!("the time {value:?} is not a date and time like 2024-03-01T07:00:00Z");
            self.error(capture.pos, problem)
        })
    }

    /// The captured number; `None` if empty.
    fn number(&self, capture: &Capture) -> Result<Option<f64>, ImportError> {
        let value = self.value(capture)?;
        if value.is_empty() {
            return Ok(None);
        }
        value.parse::<f64>().map(Some).map_err(|_| {
            let problem = format!("the cadence {value:?} is not a number");
            self.error(capture.pos, problem)
        })
    }

    fn value<'c>(&self, capture: &'c Capture) -> Result<&'c str, ImportError> {
        if capture.too_long {
            let problem = format!("a {} is too long to be one", capture.what());
            return Err(self.error(capture.pos, problem));
        }
        Ok(capture.value.trim())
    }
}

/// RFC 3339 (any offset) as Unix nanoseconds; a time without an offset is taken as UTC, as
/// some apps write it that way.
fn parse_time(value: &str) -> Option<i128> {
    if let Ok(t) = value.parse::<jiff::Timestamp>() {
        return Some(t.as_nanosecond());
    }
    let civil: jiff::civil::DateTime = value.parse().ok()?;
    let zoned = civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(zoned.timestamp().as_nanosecond())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::import::tests::assert_sane;

    /// 2024-03-01T07:00:00Z.
    const START_UNIX: i64 = 1_709_276_400;

    fn tcx_points(sport: &str, points: &[String]) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities>
    <Activity Sport="{sport}">
      <Id>2024-03-01T07:00:00Z</Id>
      <Lap StartTime="2024-03-01T07:00:00Z">
        <Cadence>99</Cadence>
        <Track>
{}
        </Track>
        <Extensions><ns3:LX><ns3:AvgRunCadence>99</ns3:AvgRunCadence></ns3:LX></Extensions>
      </Lap>
    </Activity>
  </Activities>
</TrainingCenterDatabase>
"#,
            points.join("\n")
        )
    }

    fn time(secs: u32) -> String {
        let t = jiff::Timestamp::from_second(START_UNIX + i64::from(secs)).unwrap();
        t.to_string()
    }

    fn run_point(secs: u32, strides: &str) -> String {
        format!(
            "<Trackpoint><Time>{}</Time><HeartRateBpm><Value>150</Value></HeartRateBpm>\
             <Extensions><ns3:TPX><ns3:Speed>3.1</ns3:Speed><ns3:RunCadence>{strides}</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>",
            time(secs)
        )
    }

    fn plain_point(secs: u32, cadence: &str) -> String {
        format!(
            "<Trackpoint><Time>{}</Time><Cadence>{cadence}</Cadence></Trackpoint>",
            time(secs)
        )
    }

    fn gpx_points(points: &[String]) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="Garmin Connect" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
  <metadata><time>2024-03-01T06:00:00Z</time></metadata>
  <trk><name>Morning run</name><type>running</type><trkseg>
{}
  </trkseg></trk>
</gpx>
"#,
            points.join("\n")
        )
    }

    fn gpx_point(secs: u32, cad: &str) -> String {
        format!(
            r#"<trkpt lat="51.5" lon="-0.1"><ele>12.0</ele><time>{}</time><extensions><ns3:TrackPointExtension><ns3:hr>150</ns3:hr><ns3:cad>{cad}</ns3:cad></ns3:TrackPointExtension></extensions></trkpt>"#,
            time(secs)
        )
    }

    #[test]
    fn tcx_run_cadence_is_strides_and_is_doubled() {
        let text = tcx_points("Running", &[run_point(0, "88"), run_point(1, "86")]);
        let track = parse_tcx(&text).unwrap();
        assert_eq!(
            track,
            CadenceTrack {
                format: Format::Tcx,
                start_unix: START_UNIX,
                samples: vec![(0.0, 176.0), (1.0, 172.0)],
                doubled: true,
            }
        );
    }

    #[test]
    fn tcx_any_prefix_and_no_prefix_work() {
        let text = tcx_points("Running", &[run_point(0, "88")])
            .replace("ns3:", "ax:")
            .replace("xmlns:ns3", "xmlns:ax");
        assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 176.0)]);
        let text = tcx_points("Running", &[run_point(0, "88")]).replace("ns3:", "");
        assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 176.0)]);
    }

    #[test]
    fn tcx_plain_cadence_counts_only_in_a_running_file_without_run_cadence() {
        let text = tcx_points("Running", &[plain_point(0, "84"), plain_point(2, "85")]);
        let track = parse_tcx(&text).unwrap();
        assert_eq!(track.samples, vec![(0.0, 168.0), (2.0, 170.0)]);
        assert!(track.doubled);
        // An app that writes steps there (median 120 or more) is taken as it is.
        let text = tcx_points("Running", &[plain_point(0, "168"), plain_point(2, "172")]);
        let track = parse_tcx(&text).unwrap();
        assert_eq!(track.samples, vec![(0.0, 168.0), (2.0, 172.0)]);
        assert!(!track.doubled);

        // Any RunCadence in the file, even on another point, wins over every plain Cadence.
        let text = tcx_points("Running", &[plain_point(0, "84"), run_point(2, "90")]);
        assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 180.0)]);
        let text = tcx_points("Running", &[run_point(0, "90"), plain_point(2, "84")]);
        assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 180.0)]);
    }

    #[test]
    fn tcx_cycling_cadence_is_not_running_cadence() {
        let text = tcx_points("Biking", &[plain_point(0, "84"), plain_point(1, "85")]);
        let e = parse_tcx(&text).unwrap_err();
        assert!(matches!(e, ImportError::NoCadence { points: 2, .. }));
        assert_eq!(
            e.to_string(),
            "no cadence in this file (it has 2 track points, but their only cadence is the \
             Cadence of a Biking activity, which counts pedal turns, not steps)"
        );
    }

    #[test]
    fn tcx_without_cadence_counts_its_points() {
        let points: Vec<String> = (0..3_120)
            .map(|i| format!("<Trackpoint><Time>{}</Time></Trackpoint>", time(i)))
            .collect();
        let e = parse_tcx(&tcx_points("Running", &points)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no cadence in this file (it has 3,120 track points but none with a cadence)"
        );
        let e = parse_tcx(&tcx_points("Running", &[])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no cadence in this file (it has no track points)"
        );
    }

    #[test]
    fn tcx_times_with_offsets_fractions_and_no_zone() {
        let text = tcx_points(
            "Running",
            &[
                run_point(0, "80"),
                "<Trackpoint><Time>2024-03-01T09:00:01.5+02:00</Time><Extensions><ns3:TPX><ns3:RunCadence>81</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>".into(),
                "<Trackpoint><Time> 2024-03-01T07:00:03 </Time><Extensions><ns3:TPX><ns3:RunCadence> 82 </ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>".into(),
            ],
        );
        assert_eq!(
            parse_tcx(&text).unwrap().samples,
            vec![(0.0, 160.0), (1.5, 162.0), (3.0, 164.0)]
        );
    }

    #[test]
    fn tcx_sorts_by_time_keeps_the_last_duplicate_and_drops_the_impossible() {
        let text = tcx_points(
            "Running",
            &[
                run_point(5, "85"),
                run_point(0, "80"),
                run_point(5, "86"),
                run_point(6, "250"),
                run_point(7, "NaN"),
                run_point(8, "0"),
                run_point(9, ""),
            ],
        );
        let track = parse_tcx(&text).unwrap();
        assert_eq!(track.samples, vec![(0.0, 160.0), (5.0, 172.0), (8.0, 0.0)]);
        assert_eq!(track.end_unix(), START_UNIX + 8);
        assert_eq!(track.average_spm(), Some(166.0));
    }

    #[test]
    fn tcx_bad_values_name_their_line() {
        let text = tcx_points("Running", &[run_point(0, "80"), run_point(1, "fast")]);
        let line = text.lines().position(|l| l.contains("fast")).unwrap() + 1;
        assert_eq!(
            parse_tcx(&text).unwrap_err().to_string(),
            format!("TCX line {line}: the cadence \"fast\" is not a number")
        );
        let text = tcx_points("Running", &[run_point(0, "80")]).replace(
            "<Time>2024-03-01T07:00:00Z</Time><Heart",
            "<Time>yesterday</Time><Heart",
        );
        assert!(
            parse_tcx(&text)
                .unwrap_err()
                .to_string()
                .contains("the time \"yesterday\" is not a date and time")
        );
        let long = "8".repeat(100);
        assert!(
            parse_tcx(&tcx_points("Running", &[run_point(0, &long)]))
                .unwrap_err()
                .to_string()
                .contains("too long")
        );
    }

    #[test]
    fn tcx_entities_predefined_only() {
        let text = tcx_points("Running", &[run_point(0, "&#56;&#x38;")]);
        assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 176.0)]);
        let text = format!(
            "<!DOCTYPE TrainingCenterDatabase [<!ENTITY cad \"88\">]>\n{}",
            tcx_points("Running", &[run_point(0, "&cad;")]).replacen(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                "",
                1
            )
        );
        let e = parse_tcx(&text).unwrap_err().to_string();
        assert!(
            e.contains("&cad;, an entity this app does not expand"),
            "{e}"
        );
        // An unknown entity somewhere harmless is ignored.
        let text = tcx_points("Running", &[run_point(0, "88")])
            .replace("<Id>", "<Notes>&nbsp;</Notes><Id>");
        assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 176.0)]);
    }

    #[test]
    fn garbage_xml_is_an_error_with_its_line() {
        let text = "<?xml version=\"1.0\"?>\n<TrainingCenterDatabase>\n<Activities>\n\
                    <Activity Sport=\"Running\">\n</Activities>\n</TrainingCenterDatabase>\n";
        let e = parse_tcx(text).unwrap_err();
        assert!(matches!(e, ImportError::Tcx { line: 5, .. }), "{e}");
        assert!(
            e.to_string().starts_with("TCX line 5: the file is damaged"),
            "{e}"
        );

        let e = parse_gpx("<gpx>\n<trk>\n<trkseg>\n<trkpt <<< >").unwrap_err();
        assert!(matches!(e, ImportError::Gpx { line: 4, .. }), "{e}");

        let cut = tcx_points("Running", &[run_point(0, "88")]);
        let cut = &cut[..cut.len() / 2];
        let e = parse_tcx(cut).unwrap_err();
        assert!(matches!(e, ImportError::Tcx { .. }), "{e}");

        let e = parse_tcx("hello, world").unwrap_err();
        assert_eq!(
            e.to_string(),
            "TCX line 1: this is not a TCX file (it has no <TrainingCenterDatabase>)"
        );
        let e = parse_tcx(&gpx_points(&[gpx_point(0, "86")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "TCX line 2: this is not a TCX file (it starts with <gpx>, not <TrainingCenterDatabase>)"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("<gpx>{}", "<a>".repeat(100_000));
        let e = parse_gpx(&text).unwrap_err();
        assert!(e.to_string().contains("nested more than 256 deep"), "{e}");
    }

    #[test]
    fn many_tiny_elements_are_bounded_work() {
        let text = format!("<gpx>{}</gpx>", "<a/>".repeat(1_000_000));
        assert!(matches!(
            parse_gpx(&text),
            Err(ImportError::NoCadence { points: 0, .. })
        ));
    }

    #[test]
    fn gpx_strides_are_doubled() {
        let text = gpx_points(&[gpx_point(0, "86"), gpx_point(1, "0"), gpx_point(2, "88")]);
        assert_eq!(
            parse_gpx(&text).unwrap(),
            CadenceTrack {
                format: Format::Gpx,
                start_unix: START_UNIX,
                samples: vec![(0.0, 172.0), (1.0, 0.0), (2.0, 176.0)],
                doubled: true,
            }
        );
    }

    #[test]
    fn gpx_steps_are_kept() {
        let text = gpx_points(&[gpx_point(0, "172"), gpx_point(1, "0"), gpx_point(2, "90")]);
        // The median of 172 and 90 is 131: steps, so even the 90 (a slow bit) is kept as is.
        let track = parse_gpx(&text).unwrap();
        assert_eq!(track.samples, vec![(0.0, 172.0), (1.0, 0.0), (2.0, 90.0)]);
        assert!(!track.doubled);
        let track = parse_gpx(&gpx_points(&[gpx_point(0, "172")])).unwrap();
        assert_eq!((track.samples, track.doubled), (vec![(0.0, 172.0)], false));
    }

    #[test]
    fn gpx_median_decides_between_strides_and_steps() {
        // Mostly strides with a step-like outlier and some standing still: still strides.
        let text = gpx_points(&[
            gpx_point(0, "85"),
            gpx_point(1, "86"),
            gpx_point(2, "150"),
            gpx_point(3, "0"),
            gpx_point(4, "0"),
            gpx_point(5, "0"),
        ]);
        let track = parse_gpx(&text).unwrap();
        assert!(track.doubled);
        assert_eq!(
            track.samples,
            vec![
                (0.0, 170.0),
                (1.0, 172.0),
                (2.0, 300.0),
                (3.0, 0.0),
                (4.0, 0.0),
                (5.0, 0.0)
            ]
        );
        // Exactly 120 counts as steps.
        let track = parse_gpx(&gpx_points(&[gpx_point(0, "119"), gpx_point(1, "121")])).unwrap();
        assert!(!track.doubled);
    }

    #[test]
    fn gpx_cad_outside_extensions_or_points_is_ignored() {
        let text = gpx_points(&[
            format!(
                r#"<trkpt lat="1" lon="2"><time>{}</time><cad>86</cad></trkpt>"#,
                time(0)
            ),
            format!(
                r#"<wpt lat="1" lon="2"><time>{}</time><extensions><cad>86</cad></extensions></wpt>"#,
                time(1)
            ),
        ]);
        assert_eq!(
            parse_gpx(&text).unwrap_err().to_string(),
            "no cadence in this file (it has 1 track point but none with a cadence)"
        );
        let text = gpx_points(&[
            r#"<trkpt lat="1" lon="2"><extensions><cad>86</cad></extensions></trkpt>"#.to_string(),
        ]);
        assert_eq!(
            parse_gpx(&text).unwrap_err().to_string(),
            "no cadence in this file (it has 1 track point but none with both a time and a cadence)"
        );
    }

    #[test]
    fn root_format_reads_past_the_prolog() {
        let tcx =
            "<?xml version=\"1.0\"?>\n<!-- exported -->\n<?pi x?>\n<ns:TrainingCenterDatabase/>";
        assert_eq!(root_format(tcx), Some(Format::Tcx));
        assert_eq!(root_format("<gpx version=\"1.1\">"), Some(Format::Gpx));
        assert_eq!(root_format("<kml/>"), None);
        assert_eq!(root_format("no xml"), None);
        assert_eq!(root_format("<<<"), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1_000))]

        /// A valid file with random characters inserted or removed: an error or a sane track.
        #[test]
        fn mutated_xml_never_panics(
            edits in proptest::collection::vec((0usize..4_000, proptest::prelude::any::<char>(), proptest::prelude::any::<bool>()), 1..6),
        ) {
            let points: Vec<String> = (0..6).map(|i| run_point(i, &format!("{}", 80 + i))).collect();
            let gpoints: Vec<String> = (0..6).map(|i| gpx_point(i, &format!("{}", 80 + i))).collect();
            for (mut text, is_tcx) in [(tcx_points("Running", &points), true), (gpx_points(&gpoints), false)] {
                for &(at, c, insert) in &edits {
                    let mut at = at % (text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    if insert {
                        text.insert(at, c);
                    } else if at < text.len() {
                        text.remove(at);
                    }
                }
                let result = if is_tcx { parse_tcx(&text) } else { parse_gpx(&text) };
                if let Ok(track) = result {
                    assert_sane(&track);
                }
            }
        }
    }
}
