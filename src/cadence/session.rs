//! Session records: what was actually played, as the audio clock saw it.
//!
//! A record is built from the steps the runner heard (their index, part and tempo), so it holds
//! the parts actually played and for how long, not what a workout planned. It is plain data:
//! the caller supplies the start time and saves it.

use serde::{Deserialize, Serialize};

pub use super::imported::{ImportedCadence, MAX_IMPORTED_SAMPLES, MICROPHONE};

/// The format version this build writes. Version 1 files (no review, no imported cadence) load
/// as they are: the fields added since default to empty. A cadence heard on the microphone is
/// written only when there is one, so a file without it is the same text as before and builds
/// that do not know it still read the rest.
pub const SESSION_VERSION: u32 = 2;

/// Sessions shorter than this are short: see [`SessionRecord::is_short`].
pub const SHORT_SESSION_SECS: f64 = 60.0;

/// What tells apart two sessions that started in the same second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSuffix {
    /// Played in the app: a number the caller draws (from the clock's nanoseconds and the
    /// process id), so two apps started in the same second still differ.
    Played(u16),
    /// Made from a watch file: one per start second, so importing the file again finds it.
    Imported,
}

/// A session's id, which also names its file: the start time in UTC to the second, then the
/// suffix ("20261120T070000Z-ab12", "20261120T070000Z-import"). Sorts by start time.
pub fn session_id(started: jiff::Timestamp, suffix: IdSuffix) -> String {
    let when = started.strftime("%Y%m%dT%H%M%SZ");
    match suffix {
        IdSuffix::Played(n) => format!("{when}-{n:04x}"),
        IdSuffix::Imported => format!("{when}-import"),
    }
}

/// Where the session was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Surface {
    Treadmill,
    Road,
    Track,
    Trail,
}

impl Surface {
    pub const ALL: [Surface; 4] = [
        Surface::Treadmill,
        Surface::Road,
        Surface::Track,
        Surface::Trail,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Surface::Treadmill => "treadmill",
            Surface::Road => "road",
            Surface::Track => "track",
            Surface::Trail => "trail",
        }
    }
}

/// What the runner says about a session afterwards. Every field may be left empty.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Review {
    /// Cadence the runner measured (tapped or counted), steps per minute.
    pub measured_spm: Option<f64>,
    /// Rate of perceived exertion, 1 (very easy) to 10 (maximal).
    pub rpe: Option<u8>,
    /// Back or other discomfort, 0 (none) to 10 (worst).
    pub discomfort: Option<u8>,
    /// Where it was felt ("lower back", "left knee").
    pub discomfort_where: String,
    pub surface: Option<Surface>,
    pub shoes: String,
    pub distance_km: Option<f64>,
    /// Treadmill (or average) speed, for the step length.
    pub speed_kmh: Option<f64>,
    /// Titles of the form cues the runner held.
    pub cues_held: Vec<String>,
    pub notes: String,
}

impl Review {
    /// Checks every number against its range; the message names the field and the range.
    pub fn check(&self) -> Result<(), String> {
        fn range(name: &str, v: Option<f64>, lo: f64, hi: f64, unit: &str) -> Result<(), String> {
            match v {
                Some(v) if !(v.is_finite() && (lo..=hi).contains(&v)) => Err(format!(
                    "{name} {v} is outside the valid range {lo}–{hi}{unit}"
                )),
                _ => Ok(()),
            }
        }
        range("Measured cadence", self.measured_spm, 100.0, 240.0, " spm")?;
        range("Effort (RPE)", self.rpe.map(f64::from), 1.0, 10.0, "")?;
        range("Discomfort", self.discomfort.map(f64::from), 0.0, 10.0, "")?;
        range("Distance", self.distance_km, 0.0, 500.0, " km")?;
        range("Speed", self.speed_kmh, 1.0, 40.0, " km/h")
    }
}

/// Which planned session a session was played for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanLink {
    pub plan_id: String,
    /// The planned session's key ("2.0.5").
    pub key: String,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Ending {
    /// Still playing when last saved (or the app was killed mid-session).
    #[default]
    InProgress,
    /// The workout ran to its end.
    Finished,
    /// The runner stopped it, or closed the window.
    Stopped,
}

/// One stretch of the session at one workout segment (or one steady tempo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlayedSegment {
    pub name: String,
    /// Seconds into the session at its first step.
    pub start_secs: f64,
    /// Seconds from its first step to the last step heard in it.
    pub secs: f64,
    pub start_spm: f64,
    pub end_spm: f64,
    /// Indices of its first and last step in the session.
    pub first_step: u64,
    pub last_step: u64,
}

impl PlayedSegment {
    pub fn steps(&self) -> u64 {
        self.last_step - self.first_step + 1
    }
}

/// One session, saved as it goes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionRecord {
    pub version: u32,
    /// Unique and sortable: the start time in UTC plus a short suffix.
    pub id: String,
    /// When the first click was heard. Written as it always was, RFC 3339 in UTC to the
    /// second ("2026-11-20T07:00:00Z"), so older and newer versions read each other's files.
    #[serde(with = "started_text")]
    pub started: jiff::Timestamp,
    pub workout: String,
    pub target_spm: f64,
    /// Session time heard, from the audio clock.
    pub duration_secs: f64,
    /// Steps heard.
    pub steps: u64,
    pub segments: Vec<PlayedSegment>,
    pub ending: Ending,
    /// The runner's review; `None` until it is done (it can be skipped and done later).
    pub review: Option<Review>,
    /// Cadence from a watch file, if one was imported.
    pub imported: Option<ImportedCadence>,
    /// The planned session it was played for, if any.
    pub plan: Option<PlanLink>,
    /// Cadence heard on the microphone while it played (source [`MICROPHONE`]), one sample a
    /// second of session time while a runner was heard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub microphone: Option<ImportedCadence>,
    /// What the click did with the cadence heard, when the microphone was on: the mode, time in
    /// band, clicks heard and silent, the nudges made and the retention probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_loop: Option<super::closed_loop::ClosedLoopSummary>,
    /// The runner's music that played, in order (older records have none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub music: Vec<PlayedTrack>,
    /// What identifies the current part: (segment, tempo key).
    #[serde(skip)]
    part: Option<(usize, u32)>,
}

/// Equal when everything saved is equal (the recorder's working state is not compared).
impl PartialEq for SessionRecord {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && self.id == other.id
            && self.started == other.started
            && self.workout == other.workout
            && self.target_spm == other.target_spm
            && self.duration_secs == other.duration_secs
            && self.steps == other.steps
            && self.segments == other.segments
            && self.ending == other.ending
            && self.review == other.review
            && self.imported == other.imported
            && self.plan == other.plan
            && self.microphone == other.microphone
            && self.closed_loop == other.closed_loop
            && self.music == other.music
    }
}

impl Default for SessionRecord {
    fn default() -> Self {
        SessionRecord {
            version: SESSION_VERSION,
            id: String::new(),
            started: jiff::Timestamp::UNIX_EPOCH,
            workout: String::new(),
            target_spm: 0.0,
            duration_secs: 0.0,
            steps: 0,
            segments: Vec::new(),
            ending: Ending::InProgress,
            review: None,
            imported: None,
            plan: None,
            microphone: None,
            closed_loop: None,
            music: Vec::new(),
            part: None,
        }
    }
}

/// A track of the runner's music that played in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlayedTrack {
    /// Seconds into the session it started.
    pub at_secs: f64,
    pub title: String,
    /// Its own tempo, and how much faster (+) or slower (−) it played, in percent.
    pub bpm: f64,
    pub stretch_pct: f64,
}

/// The music of a session in a line for its review: "Music: 3 tracks — A, B, C".
pub fn music_text(tracks: &[PlayedTrack]) -> Option<String> {
    let first = tracks.first()?;
    if tracks.len() == 1 {
        return Some(format!(
            "Music: {} ({:.0} BPM, {:+.1} %)",
            first.title, first.bpm, first.stretch_pct
        ));
    }
    let titles: Vec<&str> = tracks.iter().map(|t| t.title.as_str()).collect();
    Some(format!(
        "Music: {} tracks, {}",
        tracks.len(),
        titles.join(", ")
    ))
}

impl SessionRecord {
    pub fn new(
        id: &str,
        started: jiff::Timestamp,
        workout: &str,
        target_spm: f64,
    ) -> SessionRecord {
        SessionRecord {
            id: id.to_string(),
            started,
            workout: workout.to_string(),
            target_spm,
            ..SessionRecord::default()
        }
    }

    /// Notes that step `index` (from 0) was heard `at_secs` into the session at `milli_spm`, in
    /// the part `part` (a workout's segment index, with a tempo key that changes when an
    /// open-ended tempo is changed) called `name`. Steps may be skipped between calls; the counts
    /// come from the indices.
    pub fn step(
        &mut self,
        at_secs: f64,
        index: u64,
        part: (usize, u32),
        name: &str,
        milli_spm: u32,
    ) {
        let spm = f64::from(milli_spm) / 1000.0;
        if self.part != Some(part) || self.segments.is_empty() {
            self.segments.push(PlayedSegment {
                name: name.to_string(),
                start_secs: at_secs,
                secs: 0.0,
                start_spm: spm,
                end_spm: spm,
                first_step: index,
                last_step: index,
            });
            self.part = Some(part);
        }
        if let Some(seg) = self.segments.last_mut()
            && index >= seg.last_step
        {
            seg.secs = (at_secs - seg.start_secs).max(0.0);
            seg.end_spm = spm;
            seg.last_step = index;
        }
        self.steps = self.steps.max(index + 1);
        self.duration_secs = self.duration_secs.max(at_secs);
    }

    /// The session clock moved on (between steps, or after the last one).
    pub fn elapsed(&mut self, secs: f64) {
        self.duration_secs = self.duration_secs.max(secs);
    }

    /// The cadence the runner actually ran: measured in the review, else the imported watch
    /// average, else what the microphone heard over the main part ([`Self::heard_spm`]).
    pub fn measured_spm(&self) -> Option<f64> {
        self.review
            .as_ref()
            .and_then(|r| r.measured_spm)
            .or_else(|| {
                self.imported
                    .as_ref()
                    .map(|i| i.average_spm)
                    .filter(|&a| a > 0.0)
            })
            .or_else(|| self.heard_spm())
    }

    /// The cadence the microphone heard over the main part of the session — its longest part
    /// played (the main set between a warm-up and a cool-down, all of a steady run) — as the
    /// median of the series, to the nearest 0.5 spm. The whole series when none of it falls in
    /// that part.
    pub fn heard_spm(&self) -> Option<f64> {
        let heard = self.microphone.as_ref()?;
        let main = self
            .segments
            .iter()
            .max_by(|a, b| a.secs.total_cmp(&b.secs))
            .map(|s| (s.start_secs, s.start_secs + s.secs));
        let median = main
            .and_then(|(from, to)| heard.median_spm(from, to))
            .or_else(|| heard.median_spm(f64::MIN, f64::MAX))?;
        Some((median * 2.0).round() / 2.0)
    }

    /// A session under a minute (an accidental start, a sound check): marked short, given no
    /// review form, and hidden from the session table on request.
    pub fn is_short(&self) -> bool {
        self.duration_secs < SHORT_SESSION_SECS
    }

    /// The target, if the session had one (an imported run may not).
    pub fn target(&self) -> Option<f64> {
        (self.target_spm > 0.0).then_some(self.target_spm)
    }

    /// Average tempo of the clicks played, from steps and time.
    pub fn average_spm(&self) -> Option<f64> {
        (self.duration_secs >= 1.0 && self.steps > 1)
            .then(|| (self.steps - 1) as f64 / self.duration_secs * 60.0)
    }
}

/// The start time's text in a session file. jiff writes a whole-second UTC time exactly as the
/// app always has ("2026-11-20T07:00:00Z"); reading accepts any RFC 3339 time, so a hand edit
/// with an offset loads too. A text that is not a time is an error naming it, and the file is
/// set aside like any other that does not read.
mod started_text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(t)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<jiff::Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|e| {
            D::Error::custom(format!(
                "'{text}' is not a time like \"2026-11-20T07:00:00Z\": {e}"
            ))
        })
    }
}

/// The time now to the second, as a session's start is kept: sub-second digits would change
/// how the file spells it.
pub fn whole_second(t: jiff::Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_second(t.as_second()).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_music_that_played_reads_as_one_line_and_older_records_have_none() {
        let track = |title: &str, at_secs: f64| PlayedTrack {
            at_secs,
            title: title.into(),
            bpm: 91.0,
            stretch_pct: -5.5,
        };
        assert_eq!(music_text(&[]), None);
        assert_eq!(
            music_text(&[track("Song", 0.4)]).as_deref(),
            Some("Music: Song (91 BPM, -5.5 %)")
        );
        assert_eq!(
            music_text(&[track("A", 0.4), track("B", 200.0)]).as_deref(),
            Some("Music: 2 tracks, A, B")
        );
        let mut record = SessionRecord::new(
            "2026-12-07T06-00-00Z-a",
            jiff::Timestamp::UNIX_EPOCH,
            "Steady",
            170.0,
        );
        let plain = ron::to_string(&record).unwrap();
        assert!(!plain.contains("music"), "{plain}");
        record.music.push(track("A", 0.4));
        let text = ron::to_string(&record).unwrap();
        let back: SessionRecord = ron::from_str(&text).unwrap();
        assert_eq!(back.music, record.music);
        let old: SessionRecord = ron::from_str(&plain).unwrap();
        assert!(old.music.is_empty());
    }

    #[test]
    fn ids_sort_by_start_and_name_their_origin() {
        let t: jiff::Timestamp = "2026-11-20T07:00:00.5Z".parse().unwrap();
        assert_eq!(
            session_id(t, IdSuffix::Played(0xab12)),
            "20261120T070000Z-ab12"
        );
        assert_eq!(session_id(t, IdSuffix::Played(7)), "20261120T070000Z-0007");
        assert_eq!(session_id(t, IdSuffix::Imported), "20261120T070000Z-import");
    }

    #[test]
    fn parts_follow_segments_and_tempo_changes_and_survive_skipped_steps() {
        let mut r = SessionRecord::new(
            "a",
            "2026-11-21T10:00:00Z".parse().unwrap(),
            "Intervals",
            170.0,
        );
        // Steps 0–9 of segment 0 at 180 spm, but only every third one observed.
        for i in (0..10).step_by(3) {
            r.step(i as f64 / 3.0, i, (0, 0), "Warm-up", 180_000);
        }
        r.step(10.0 / 3.0, 10, (1, 0), "Main", 170_000);
        r.step(20.0 / 3.0, 19, (1, 0), "Main", 170_000);
        r.elapsed(7.0);
        assert_eq!(r.segments.len(), 2);
        assert_eq!(r.segments[0].first_step, 0);
        assert_eq!(r.segments[0].last_step, 9);
        assert_eq!(r.segments[1].steps(), 10);
        assert_eq!(r.steps, 20);
        assert_eq!(r.duration_secs, 7.0);
        assert!((r.average_spm().unwrap() - 19.0 / 7.0 * 60.0).abs() < 1e-9);
    }

    #[test]
    fn round_trips_through_ron() {
        let mut r = SessionRecord::new(
            "b",
            "2026-11-21T10:00:00Z".parse().unwrap(),
            "Steady 170 spm",
            170.0,
        );
        r.step(0.0, 0, (0, 340), "Steady", 170_000);
        r.step(1.0, 3, (0, 350), "Steady", 175_000);
        r.ending = Ending::Stopped;
        let text = ron::to_string(&r).unwrap();
        let back: SessionRecord = ron::from_str(&text).unwrap();
        assert_eq!(back.segments, r.segments);
        assert_eq!(back.ending, Ending::Stopped);
        assert_eq!(back.steps, 4);
    }

    #[test]
    fn a_version_1_file_loads_with_no_review_and_no_import() {
        let v1 = r#"SessionRecord(
    version: 1,
    id: "20261101T070000Z-1a2b",
    started: "2026-11-01T07:00:00Z",
    workout: "Steady 170 spm",
    target_spm: 170.0,
    duration_secs: 60.0,
    steps: 171,
    segments: [
        PlayedSegment(
            name: "Steady 170.0 spm",
            start_secs: 0.0,
            secs: 60.0,
            start_spm: 170.0,
            end_spm: 170.0,
            first_step: 0,
            last_step: 170,
        ),
    ],
    ending: Stopped,
)"#;
        let r: SessionRecord = ron::from_str(v1).unwrap();
        assert_eq!(r.version, 1);
        assert_eq!(r.steps, 171);
        assert_eq!(r.review, None);
        assert_eq!(r.imported, None);
        assert_eq!(r.microphone, None);
        assert_eq!(r.closed_loop, None);
        assert_eq!(r.measured_spm(), None);
    }

    #[test]
    fn the_microphone_cadence_is_the_median_over_the_main_part_and_kept_only_when_heard() {
        let mut r = SessionRecord::new(
            "c",
            "2026-11-21T10:00:00Z".parse().unwrap(),
            "Plan stage 1",
            168.0,
        );
        // 60 s warm-up at 160, 120 s main at 168, 60 s cool-down at 160.
        r.step(0.0, 0, (0, 0), "Warm-up", 160_000);
        r.step(59.6, 159, (0, 0), "Warm-up", 160_000);
        r.step(60.0, 160, (1, 0), "Main", 168_000);
        r.step(179.6, 495, (1, 0), "Main", 168_000);
        r.step(180.0, 496, (2, 0), "Cool-down", 160_000);
        r.step(240.0, 656, (2, 0), "Cool-down", 160_000);
        let plain = ron::to_string(&r).unwrap();
        assert!(!plain.contains("microphone"), "{plain}");
        assert_eq!(r.heard_spm(), None);
        // Heard at 158 in the warm-up and cool-down, 166.2–166.4 in the main part, with one
        // odd reading there: the median ignores it, and it is rounded to 0.5 spm.
        let samples: Vec<(f64, f64)> = (1..240)
            .map(|t| {
                let t = f64::from(t);
                let spm = if t == 100.0 {
                    120.0
                } else if (60.0..=180.0).contains(&t) {
                    166.2 + (t % 3.0) * 0.1
                } else {
                    158.0
                };
                (t, spm)
            })
            .collect();
        r.microphone = Some(ImportedCadence::heard(&samples));
        assert_eq!(r.heard_spm(), Some(166.5));
        assert_eq!(r.measured_spm(), Some(166.5));
        // The runner's own number wins.
        r.review = Some(Review {
            measured_spm: Some(170.0),
            ..Review::default()
        });
        assert_eq!(r.measured_spm(), Some(170.0));
        let text = ron::to_string(&r).unwrap();
        let back: SessionRecord = ron::from_str(&text).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.microphone.as_ref().unwrap().source, MICROPHONE);
    }

    #[test]
    fn review_numbers_are_checked_and_the_field_named() {
        let mut review = Review {
            rpe: Some(11),
            ..Review::default()
        };
        assert_eq!(
            review.check().unwrap_err(),
            "Effort (RPE) 11 is outside the valid range 1–10"
        );
        review.rpe = Some(6);
        review.measured_spm = Some(f64::NAN);
        assert!(
            review
                .check()
                .unwrap_err()
                .starts_with("Measured cadence NaN")
        );
        review.measured_spm = Some(171.5);
        assert_eq!(review.check(), Ok(()));
    }
}
