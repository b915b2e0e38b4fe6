//! The XML reading that TCX and GPX share: quick-xml's streaming reader with depth tracking,
//! limits and errors that name the line, the capture of one element's text, and the time and
//! number parsing of captured values. No entity is expanded beyond XML's five predefined ones
//! and character references, nesting is capped, and every value read is capped in length, so
//! the work is bounded by the size of the text.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::super::{Format, ImportError, line_of};

/// Deeper nesting than this is not a watch file (Garmin's TCX goes about 8 deep).
const MAX_DEPTH: usize = 256;
/// A time or a cadence longer than this is not one.
const MAX_VALUE_BYTES: usize = 64;

/// Which format the root element says `text` is, if it is XML with a TCX or GPX root.
pub(in crate::store::import) fn root_format(text: &str) -> Option<Format> {
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

/// The first 40 characters of an attribute's raw value, trimmed; empty if absent.
pub(super) fn attribute(start: &BytesStart<'_>, name: &str) -> String {
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
pub(super) enum Field {
    Time,
    /// RunCadence in TCX, cad in GPX.
    Cadence,
    /// TCX's plain Cadence (rpm in Garmin's schema).
    PlainCadence,
    /// A GPX track's activity `type`.
    Type,
    /// TCX's `DistanceMeters` in a `Trackpoint`.
    Distance,
}

/// The text of an element being read for a value, capped at [`MAX_VALUE_BYTES`].
pub(super) struct Capture {
    pub(super) field: Field,
    pub(super) depth: usize,
    /// Byte position of the element, for the line in an error.
    pos: u64,
    value: String,
    too_long: bool,
}

impl Capture {
    pub(super) fn new(field: Field, depth: usize, pos: u64) -> Capture {
        Capture {
            field,
            depth,
            pos,
            value: String::new(),
            too_long: false,
        }
    }

    pub(super) fn add(&mut self, text: &str) {
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
            Field::Type => "type",
            Field::Distance => "distance",
        }
    }
}

/// What the walker hands the parsers.
pub(super) enum Node<'a> {
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
pub(super) struct Walker<'a> {
    text: &'a str,
    reader: Reader<&'a [u8]>,
    format: Format,
    depth: usize,
    seen_root: bool,
}

impl<'a> Walker<'a> {
    pub(super) fn new(text: &'a str, format: Format) -> Walker<'a> {
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

    pub(super) fn position(&self) -> u64 {
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

    pub(super) fn next(&mut self) -> Result<Node<'a>, ImportError> {
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
    pub(super) fn expect_root(&mut self, name: &[u8], root: &[u8]) -> Result<(), ImportError> {
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

    pub(super) fn expect_seen_root(&self, root: &str) -> Result<(), ImportError> {
        if self.seen_root {
            return Ok(());
        }
        let problem = format!("this is not a {} file (it has no <{root}>)", self.kind());
        Err(self.error(0, problem))
    }

    pub(super) fn unknown_entity(&self, capture: &Capture, name: &str) -> ImportError {
        let problem = format!(
            "the {} uses &{name};, an entity this app does not expand",
            capture.what()
        );
        self.error(capture.pos, problem)
    }

    /// The captured time as Unix nanoseconds; `None` if empty.
    pub(super) fn time(&self, capture: &Capture) -> Result<Option<i128>, ImportError> {
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
    pub(super) fn number(&self, capture: &Capture) -> Result<Option<f64>, ImportError> {
        let value = self.value(capture)?;
        if value.is_empty() {
            return Ok(None);
        }
        value.parse::<f64>().map(Some).map_err(|_| {
            let problem = format!("the cadence {value:?} is not a number");
            self.error(capture.pos, problem)
        })
    }

    /// The captured text, trimmed; `None` if it was too long to be a value.
    pub(super) fn text(capture: &Capture) -> Option<&str> {
        (!capture.too_long).then(|| capture.value.trim())
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
