//! The cadence track every reader produces, and the last step they share: keeping the legs
//! on foot (or refusing a ride), scaling strides to steps, dropping impossible values, refusing
//! a cadence that is zero throughout, sorting by time and keeping one sample per instant, and
//! the distance covered on foot from the file's distances.

use super::error::grouped;
use super::sport::{Sport, looks_like_a_ride, median_positive};
use super::{Format, ImportError, MAX_SAMPLES, MAX_SPM, ReadOptions, track_points};

/// The cadence series read from a watch file, in steps per minute (both feet).
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceTrack {
    pub format: Format,
    /// Time of the first sample, Unix seconds (UTC). When the first sample has a fraction of a
    /// second this is rounded down, and the first offset is that fraction.
    pub start_unix: i64,
    /// (seconds after start_unix, steps per minute); sorted by time, only samples that carry a
    /// cadence; zero cadence (standing still) kept as 0.0.
    pub samples: Vec<(f64, f64)>,
    /// True when the file's numbers counted one foot (strides/min) and were doubled.
    pub doubled: bool,
    /// The foot sport the samples were recorded in, as the file names it ("running",
    /// "trail"); `None` when the file names none.
    pub sport: Option<String>,
    /// What the runner should know about how the file was read, one sentence each: the legs
    /// taken from a multisport file, the part missing from a cut file, how times were placed.
    pub notes: Vec<String>,
    /// (seconds after start_unix, metres covered on foot since the first of these), in time
    /// order, at the samples the file gives a distance for; empty when it gives none.
    pub distance: Vec<(f64, f64)>,
}

impl CadenceTrack {
    /// The start plus the last sample's offset, rounded up to a whole second.
    pub fn end_unix(&self) -> i64 {
        let last = self.samples.last().map_or(0.0, |&(t, _)| t);
        // Offsets are finite, non-negative and at most a few centuries of seconds.
        self.start_unix.saturating_add(last.ceil() as i64)
    }

    /// The mean of the samples above zero (time spent standing still does not pull it down);
    /// `None` when there are none.
    pub fn average_spm(&self) -> Option<f64> {
        let (sum, count) = self
            .samples
            .iter()
            .filter(|&&(_, spm)| spm > 0.0)
            .fold((0.0, 0usize), |(sum, count), &(_, spm)| {
                (sum + spm, count + 1)
            });
        (count > 0).then(|| sum / count as f64)
    }

    /// Metres covered on foot between `from` and `to` (seconds after start_unix), by the file's
    /// distances at the samples in that time; `None` when it gives fewer than two there.
    pub fn distance_m(&self, from: f64, to: f64) -> Option<f64> {
        let mut inside = self
            .distance
            .iter()
            .filter(|(t, _)| (from..=to).contains(t));
        let first = inside.next()?;
        let last = inside.next_back()?;
        Some(last.1 - first.1)
    }
}

/// Metres per second no one covers on foot (the fastest sprinters reach about 12.4): a
/// distance growing faster than this between two samples is a GPS jump or a ride, not counted.
const MAX_FOOT_SPEED: f64 = 12.5;

/// How a reader's numbers relate to steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strides {
    /// The format defines them as strides (one foot): doubled.
    Always,
    /// The format does not say: the median decides (see [`counts_strides`]).
    ByMedian,
}

/// One sample as a parser finds it.
#[derive(Debug, Clone, Copy)]
struct Raw {
    unix_nanos: i128,
    /// The file's own number.
    value: f64,
    /// Index into `Samples::sports`; `None` when nothing in the file says.
    sport: Option<u8>,
    /// Metres per second, where the file gives it (to tell a ride from a run).
    speed: Option<f32>,
    /// Metres from the start of the file's track, where it gives them.
    distance: Option<f64>,
    /// Metres covered on foot since the sample before with a distance (see `finish`).
    gained: f64,
}

/// Samples as a parser finds them, in file order, with the sport of each.
pub(super) struct Samples {
    raw: Vec<Raw>,
    sports: Vec<Sport>,
}

impl Samples {
    pub(super) fn new() -> Samples {
        Samples {
            raw: Vec::new(),
            sports: Vec::new(),
        }
    }

    #[cfg(test)]
    pub(super) fn push(&mut self, unix_nanos: i128, value: f64) -> Result<(), ImportError> {
        self.push_in(unix_nanos, value, None, None, None)
    }

    /// A sample recorded in `sport` (if the file says) at `speed` m/s and `distance` metres
    /// from the start of the track (if it says).
    pub(super) fn push_in(
        &mut self,
        unix_nanos: i128,
        value: f64,
        sport: Option<&Sport>,
        speed: Option<f64>,
        distance: Option<f64>,
    ) -> Result<(), ImportError> {
        if self.raw.len() >= MAX_SAMPLES {
            return Err(ImportError::TooManySamples);
        }
        let sport = sport.and_then(|s| self.sport_index(s));
        self.raw.push(Raw {
            unix_nanos,
            value,
            sport,
            speed: speed.map(|v| v as f32),
            distance: distance.filter(|d| d.is_finite()),
            gained: 0.0,
        });
        Ok(())
    }

    /// The index of `sport` in the table, added if new; a file naming more than 255 sports
    /// leaves the rest unnamed.
    fn sport_index(&mut self, sport: &Sport) -> Option<u8> {
        if let Some(i) = self.sports.iter().position(|s| s == sport) {
            return u8::try_from(i).ok();
        }
        let i = u8::try_from(self.sports.len())
            .ok()
            .filter(|&i| i < u8::MAX)?;
        self.sports.push(sport.clone());
        Some(i)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Picks the samples recorded on foot (or refuses the file), scales by the file's stride
    /// rule, drops non-finite, negative and impossible values, refuses an all-zero cadence,
    /// sorts by time (stable, so of samples at the same instant the file's last one wins) and
    /// makes the times relative to the first sample's whole second.
    pub(super) fn finish(
        self,
        format: Format,
        strides: Strides,
        points: usize,
        options: &ReadOptions,
        mut notes: Vec<String>,
    ) -> Result<CadenceTrack, ImportError> {
        let Samples { mut raw, sports } = self;
        // In time order, so legs are contiguous and a sample without a sport can take the
        // sport of the one before it.
        raw.sort_by_key(|r| r.unix_nanos);
        gains(&mut raw);
        let sport = match options.sport {
            Some(forced) => {
                if let Some(named) = sports.iter().find(|s| !s.is_foot()) {
                    notes.push(format!(
                        "The file calls it {}; taken as {}, as asked.",
                        named.activity(),
                        forced.name()
                    ));
                }
                Some(forced.name().to_string())
            }
            None => keep_foot_legs(&mut raw, &sports, &mut notes)?,
        };
        // Of the legs kept, what the file's distances add up to, before any sample is dropped
        // for its cadence.
        let mut covered = 0.0;
        let distance: Vec<(i128, f64)> = raw
            .iter()
            .filter(|r| r.distance.is_some())
            .map(|r| {
                covered += r.gained;
                (r.unix_nanos, covered)
            })
            .collect();
        let doubled = match strides {
            Strides::Always => true,
            Strides::ByMedian => counts_strides(raw.iter().map(|r| r.value)),
        };
        let factor = if doubled { 2.0 } else { 1.0 };
        let found = raw.len();
        raw.retain_mut(|r| {
            // `+ 0.0` turns a negative zero into zero.
            r.value = r.value * factor + 0.0;
            r.value.is_finite() && (0.0..=MAX_SPM).contains(&r.value)
        });
        if raw.is_empty() {
            let detail = format!(
                "it has {} with cadence, but every value is impossible \
                 (over 400 steps per minute, or not a number)",
                track_points(found)
            );
            return Err(ImportError::NoCadence { points, detail });
        }
        if raw.iter().all(|r| r.value == 0.0) {
            return Err(ImportError::AllZero { samples: raw.len() });
        }
        const NANOS: i128 = 1_000_000_000;
        let first = raw.first().map_or(0, |r| r.unix_nanos);
        let start = first.div_euclid(NANOS);
        let mut samples: Vec<(f64, f64)> = Vec::with_capacity(raw.len());
        for r in raw {
            let offset = (r.unix_nanos - start * NANOS) as f64 / 1e9;
            match samples.last_mut() {
                Some(last) if last.0 == offset => last.1 = r.value,
                _ => samples.push((offset, r.value)),
            }
        }
        let distance = if distance.len() < 2 {
            Vec::new()
        } else {
            distance
                .into_iter()
                .map(|(nanos, metres)| ((nanos - start * NANOS) as f64 / 1e9, metres))
                .collect()
        };
        Ok(CadenceTrack {
            format,
            // Times come from a u32 (FIT) or a year between -9999 and 9999 (RFC 3339).
            start_unix: i64::try_from(start).unwrap_or(0),
            samples,
            doubled,
            sport,
            notes,
            distance,
        })
    }
}

/// Sets each sample's `gained` (`raw` in time order): the metres its distance adds to that of
/// the sample with a distance before it, if that one was recorded in the same sport. A
/// distance that goes back (a new lap's count, a second file) or grows faster than anyone runs
/// adds nothing.
fn gains(raw: &mut [Raw]) {
    let mut before: Option<(i128, f64, Option<u8>)> = None;
    for r in raw.iter_mut() {
        let Some(metres) = r.distance else {
            continue;
        };
        if let Some((nanos, earlier, sport)) = before
            && sport == r.sport
        {
            let secs = (r.unix_nanos - nanos) as f64 / 1e9;
            let gained = metres - earlier;
            if gained > 0.0 && secs > 0.0 && gained / secs <= MAX_FOOT_SPEED {
                r.gained = gained;
            }
        }
        before = Some((r.unix_nanos, metres, r.sport));
    }
}

/// Keeps the samples recorded on foot (`raw` in time order), saying in `notes` which legs of
/// a multisport file were taken; refuses a file with none. A file that names no sport is
/// judged by its cadence and speed. Returns the foot sport's name.
fn keep_foot_legs(
    raw: &mut Vec<Raw>,
    sports: &[Sport],
    notes: &mut Vec<String>,
) -> Result<Option<String>, ImportError> {
    let first_named = raw.iter().find_map(|r| r.sport);
    let Some(first_named) = first_named else {
        let speeds = raw.iter().filter_map(|r| r.speed.map(f64::from));
        if let Some((cadence, speed)) = looks_like_a_ride(raw.iter().map(|r| r.value), speeds) {
            return Err(ImportError::LooksLikeARide {
                cadence,
                kmh: speed * 3.6,
            });
        }
        return Ok(None);
    };
    // A sample the file does not place in a sport belongs to the leg it sits in.
    let mut current = first_named;
    for r in raw.iter_mut() {
        current = *r.sport.get_or_insert(current);
    }
    let is_foot = |r: &Raw| r.sport.is_some_and(|i| sports[usize::from(i)].is_foot());
    // Legs: runs of samples in one sport, in time order.
    let mut legs: Vec<(u8, usize)> = Vec::new();
    for r in raw.iter() {
        let i = r.sport.unwrap_or(first_named);
        match legs.last_mut() {
            Some((sport, n)) if *sport == i => *n += 1,
            _ => legs.push((i, 1)),
        }
    }
    let name = |i: u8| sports[usize::from(i)].name.clone();
    if !raw.iter().any(is_foot) {
        // Name the sport most of the file was recorded in.
        let mut totals = vec![0usize; sports.len()];
        for &(i, n) in &legs {
            totals[usize::from(i)] += n;
        }
        let most = (0..sports.len()).max_by_key(|&i| totals[i]).unwrap_or(0);
        return Err(ImportError::NotSteps {
            sport: sports[most].clone(),
        });
    }
    let mut foot_names: Vec<String> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    let mut foot_legs = 0usize;
    for &(i, _) in &legs {
        let list = if sports[usize::from(i)].is_foot() {
            foot_legs += 1;
            &mut foot_names
        } else {
            &mut left_out
        };
        if !list.contains(&name(i)) {
            list.push(name(i));
        }
    }
    if !left_out.is_empty() {
        raw.retain(is_foot);
        let legs = if foot_legs == 1 { "leg" } else { "legs" };
        let count = if foot_legs == 1 {
            String::new()
        } else {
            format!("{foot_legs} ")
        };
        notes.push(format!(
            "From this multisport file: the {count}{} {legs} only, {} samples \
             ({} left out).",
            and_list(&foot_names),
            grouped(raw.len()),
            and_list(&left_out)
        ));
    }
    Ok(foot_names.into_iter().next())
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Whether a cadence series counts strides (one foot) rather than steps.
fn counts_strides(values: impl Iterator<Item = f64>) -> bool {
    // Strides or steps? Garmin Connect and Strava write `cad` for a run in strides per minute
    // (one foot), as in FIT and TCX; some other apps write steps per minute (both feet) in the
    // same element, and the file does not say which. A runner's stride rate stays well below
    // 120 (that would be 240 steps) and a running step rate well above it, so the median of
    // the non-zero values decides: below 120 they are strides and are doubled, otherwise they
    // are steps and are kept. (A slow walk written in steps, around 110, would be misread as
    // strides; a walk is not what this app coaches.) Zeros (standing still) do not vote.
    median_positive(values).is_some_and(|m| m < 120.0)
}
