//! What the FIT messages this reader looks at mean: `record` (20) for cadence, speed and
//! distance, `lap` (19), `session` (18) and `sport` (12) for the sport each record was recorded
//! in (and a session's total distance, where the records give none), and
//! `timestamp_correlation` (162) and `activity` (34) to place times that count from power-on.
//!
//! A FIT `date_time` below 0x10000000 is not a date: it is seconds since the device was
//! switched on (older Forerunners write them before they have a clock). Read as dates they
//! would put the run in January 1990, so they are placed by what the file says about its
//! clock, or the file is refused.

use super::FIT_EPOCH_UNIX;
use super::framing::Definition;
use crate::store::import::{ImportError, MAX_SAMPLES, Samples, Sport};

const RECORD: u16 = 20;
const LAP: u16 = 19;
const SESSION: u16 = 18;
const SPORT: u16 = 12;
const ACTIVITY: u16 = 34;
const TIMESTAMP_CORRELATION: u16 = 162;
/// FIT times below this count seconds from power-on.
const RELATIVE_BELOW: u32 = 0x1000_0000;
/// More laps or sessions than this are not looked at (their sport still comes from the rest).
const MAX_SPANS: usize = 100_000;

/// One `record` with a cadence and a time.
struct Record {
    time: u32,
    strides: f64,
    speed: Option<f64>,
    /// Metres from the start of the activity.
    distance: Option<f64>,
    /// Its place among the messages, for the `sport` message in force.
    order: usize,
}

/// A lap or a session: its start and end (FIT times), its sport, where it names one, and (a
/// session) its total distance in metres.
struct Span {
    start: u32,
    end: u32,
    sport: Option<Sport>,
    distance: Option<f64>,
}

/// FIT distances are in centimetres.
fn metres(centimetres: u32) -> f64 {
    f64::from(centimetres) / 100.0
}

/// How times counted from power-on become dates, in seconds to add, and what says so.
#[derive(Clone, Copy)]
enum Clock {
    Correlation(i64),
    ActivityEnd(i64),
    LocalTime(i64),
}

/// The messages of a FIT file (all its chained files), gathered for `into_samples`.
#[derive(Default)]
pub(super) struct Messages {
    pub(super) points: usize,
    pub(super) cadence_without_time: bool,
    records: Vec<Record>,
    laps: Vec<Span>,
    sessions: Vec<Span>,
    /// (order, sport) of each `sport` message that names one.
    sports: Vec<(usize, Sport)>,
    order: usize,
    /// The last relative time seen, to line up an activity message's date with it.
    last_relative: Option<u32>,
    correlation: Option<i64>,
    activity_end: Option<i64>,
    local_time: Option<i64>,
}

impl Messages {
    /// Takes in one data message laid out by `def`, at `time` (its own or compressed).
    pub(super) fn add(
        &mut self,
        def: &Definition,
        body: &[u8],
        time: Option<u32>,
    ) -> Result<(), ImportError> {
        self.order += 1;
        if let Some(t) = time.filter(|&t| t < RELATIVE_BELOW) {
            self.last_relative = Some(t);
        }
        match def.global {
            RECORD => self.record(def, body, time)?,
            LAP | SESSION => {
                let (sport, sub) = if def.global == LAP { (25, 39) } else { (5, 6) };
                let start = def.uint(body, 2, 4);
                // total_elapsed_time is in milliseconds.
                let elapsed = def.uint(body, 7, 4).map(|ms| ms / 1000);
                let end = time.or_else(|| start?.checked_add(elapsed?));
                // total_distance, read for sessions only.
                let distance = def.uint(body, 9, 4).map(metres);
                let list = if def.global == LAP {
                    &mut self.laps
                } else {
                    &mut self.sessions
                };
                if let (Some(start), Some(end)) = (start, end)
                    && list.len() < MAX_SPANS
                {
                    list.push(Span {
                        start,
                        end,
                        sport: Sport::from_fit(def.byte(body, sport), def.byte(body, sub)),
                        distance: distance.filter(|_| def.global == SESSION),
                    });
                }
            }
            SPORT => {
                if let Some(sport) = Sport::from_fit(def.byte(body, 0), def.byte(body, 1))
                    && self.sports.len() < MAX_SPANS
                {
                    self.sports.push((self.order, sport));
                }
            }
            TIMESTAMP_CORRELATION => {
                let system = def.uint(body, 1, 4).map(i64::from);
                let local = def.uint(body, 3, 4).filter(|&t| t >= RELATIVE_BELOW);
                if let (Some(utc), Some(system)) = (time.filter(|&t| t >= RELATIVE_BELOW), system) {
                    self.correlation.get_or_insert(i64::from(utc) - system);
                }
                if let (Some(local), Some(system)) = (local, system) {
                    self.local_time.get_or_insert(i64::from(local) - system);
                }
            }
            ACTIVITY => match time {
                // A date at the end, after times from power-on: they end together.
                Some(t) if t >= RELATIVE_BELOW => {
                    if let Some(last) = self.last_relative {
                        self.activity_end
                            .get_or_insert(i64::from(t) - i64::from(last));
                    }
                }
                Some(t) => {
                    if let Some(local) = def.uint(body, 5, 4).filter(|&l| l >= RELATIVE_BELOW) {
                        self.local_time
                            .get_or_insert(i64::from(local) - i64::from(t));
                    }
                }
                None => {}
            },
            _ => {}
        }
        Ok(())
    }

    fn record(
        &mut self,
        def: &Definition,
        body: &[u8],
        time: Option<u32>,
    ) -> Result<(), ImportError> {
        self.points += 1;
        let Some(cadence) = def.uint(body, 4, 1) else {
            return Ok(());
        };
        let fractional = def.uint(body, 53, 1).unwrap_or(0);
        let Some(time) = time else {
            self.cadence_without_time = true;
            return Ok(());
        };
        if self.records.len() >= MAX_SAMPLES {
            return Err(ImportError::TooManySamples);
        }
        // enhanced_speed (uint32) or speed (uint16), both in mm/s.
        let speed = def
            .uint(body, 73, 4)
            .or_else(|| def.uint(body, 6, 2))
            .map(|mm| f64::from(mm) / 1000.0);
        self.records.push(Record {
            time,
            strides: f64::from(cadence) + f64::from(fractional) / 128.0,
            speed,
            distance: def.uint(body, 5, 4).map(metres),
            order: self.order,
        });
        Ok(())
    }

    /// The samples, each placed in time and in its sport; a note in `notes` when times
    /// counted from power-on were placed, or an error when nothing places them.
    pub(super) fn into_samples(mut self, notes: &mut Vec<String>) -> Result<Samples, ImportError> {
        let clock = if self.records.iter().any(|r| r.time < RELATIVE_BELOW) {
            let clock = None
                .or(self.correlation.map(Clock::Correlation))
                .or(self.activity_end.map(Clock::ActivityEnd))
                .or(self.local_time.map(Clock::LocalTime))
                .ok_or(ImportError::NoClock)?;
            notes.push(match clock {
                Clock::Correlation(_) => "Its times counted from when the watch was switched \
                     on; its timestamp_correlation message placed them."
                    .to_string(),
                Clock::ActivityEnd(_) => "Its times counted from when the watch was switched \
                     on; they were placed by the time its activity ended."
                    .to_string(),
                Clock::LocalTime(_) => "Its times counted from when the watch was switched on; \
                     they were placed by the watch's local time, which may be off by the hours \
                     of its time zone."
                    .to_string(),
            });
            Some(clock)
        } else {
            None
        };
        let offset = match clock {
            Some(Clock::Correlation(s) | Clock::ActivityEnd(s) | Clock::LocalTime(s)) => s,
            None => 0,
        };
        let place = |t: u32| {
            let relative = if t < RELATIVE_BELOW { offset } else { 0 };
            i64::from(t) + relative
        };
        for list in [&mut self.laps, &mut self.sessions] {
            list.sort_by_key(|s| place(s.start));
        }
        // Without a distance in any record, the sessions' totals spread over their time.
        let odometer = if self.records.iter().any(|r| r.distance.is_some()) {
            Vec::new()
        } else {
            let mut before = 0.0;
            self.sessions
                .iter()
                .filter_map(|s| {
                    let metres = s.distance?;
                    before += metres;
                    Some((place(s.start), place(s.end), before - metres, metres))
                })
                .collect()
        };
        let mut samples = Samples::new();
        for r in &self.records {
            let t = place(r.time);
            let distance = r.distance.or_else(|| along_sessions(&odometer, t));
            let sport = within(&self.laps, t, place)
                .or_else(|| within(&self.sessions, t, place))
                .or_else(|| {
                    // The last `sport` message before the record, in file order.
                    let i = self.sports.partition_point(|(order, _)| *order < r.order);
                    i.checked_sub(1).map(|i| &self.sports[i].1)
                });
            let unix = i128::from(t) + i128::from(FIT_EPOCH_UNIX);
            samples.push_in(unix * 1_000_000_000, r.strides, sport, r.speed, distance)?;
        }
        Ok(samples)
    }
}

/// Metres from the start at time `t`, from `odometer`: (start, end, metres before it, its
/// metres) of each session with a total distance, sorted by start, as if each were covered
/// evenly over its time; `None` outside them.
fn along_sessions(odometer: &[(i64, i64, f64, f64)], t: i64) -> Option<f64> {
    let i = odometer.partition_point(|&(start, ..)| start <= t);
    let &(start, end, before, metres) = odometer.get(i.checked_sub(1)?)?;
    let part = if end > start {
        (t - start) as f64 / (end - start) as f64
    } else {
        1.0
    };
    (t <= end).then_some(before + metres * part)
}

/// The sport of the span (sorted by start) that time `t` falls in, if it names one.
fn within(spans: &[Span], t: i64, place: impl Fn(u32) -> i64) -> Option<&Sport> {
    let i = spans.partition_point(|s| place(s.start) <= t);
    let span = &spans[i.checked_sub(1)?];
    // A record stamped the second a lap closes belongs to it.
    (t <= place(span.end))
        .then_some(span.sport.as_ref())
        .flatten()
}
