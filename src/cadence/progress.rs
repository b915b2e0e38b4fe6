//! Progress: the series the Progress screen plots (per session, per week, within one session,
//! the time in band of closed-loop sessions), a session's closed-loop summary in words, and the
//! advice rules the records call for, each worded with its evidence level.
//!
//! Days are counted from 1970-01-01 in the runner's local time (the caller passes the time
//! zone), so a 7 am run lands on its own day wherever the runner lives, and a winter run keeps
//! its day when viewed in summer.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;

use super::closed_loop::ClosedLoopSummary;
use super::cues::Evidence;
use super::session::SessionRecord;
use super::stride::{KM_PER_MILE, Units, step_length_m};

/// Seconds in a day.
const DAY: f64 = 86_400.0;

/// A session start as a day number (with the time of day as its fraction), local time.
pub fn session_day(record: &SessionRecord, tz: &TimeZone) -> Option<f64> {
    let ts = record.started;
    let offset = tz.to_offset(ts).seconds();
    Some(ts.as_second().checked_add(i64::from(offset))? as f64 / DAY)
}

/// The Monday that starts the week holding `day` (1970-01-01 was a Thursday).
pub fn week_start(day: f64) -> f64 {
    let d = day.floor() as i64;
    (d - (d + 3).rem_euclid(7)) as f64
}

/// Everything the Progress screen plots across sessions: `[day, value]` points, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgressSeries {
    pub target: Vec<[f64; 2]>,
    pub measured: Vec<[f64; 2]>,
    /// The trend of the measured cadence: the median of each session's and the four before,
    /// short sessions (under a minute) left out.
    pub trend: Vec<[f64; 2]>,
    /// Step length in metres, where a speed (reviewed) or a distance (imported) is known.
    pub step_length_m: Vec<[f64; 2]>,
    pub discomfort: Vec<[f64; 2]>,
    /// `[Monday's day, minutes]` for each week with a session.
    pub weekly_minutes: Vec<[f64; 2]>,
    /// Percent of the measured time in the band around the target, for each session with a
    /// closed-loop summary that measured anything (time never measured is neither in the band
    /// nor out of it).
    pub time_in_band: Vec<[f64; 2]>,
}

impl ProgressSeries {
    /// Builds the series from `sessions` (any order).
    pub fn new(sessions: &[SessionRecord], tz: &TimeZone) -> ProgressSeries {
        let mut out = ProgressSeries::default();
        // What the trend is taken over: an accidental start does not speak for the runner.
        let mut trended = Vec::new();
        let mut weeks: BTreeMap<i64, f64> = BTreeMap::new();
        let mut days: Vec<(f64, &SessionRecord)> = sessions
            .iter()
            .filter_map(|s| Some((session_day(s, tz)?, s)))
            .collect();
        days.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (day, s) in days {
            if let Some(t) = s.target() {
                out.target.push([day, t]);
            }
            let measured = s.measured_spm();
            if let Some(m) = measured {
                out.measured.push([day, m]);
                if !s.is_short() {
                    trended.push([day, m]);
                }
            }
            let review = s.review.as_ref();
            // The treadmill speed the runner reviewed, else the watch's distance and time.
            if let Some(length) = review
                .and_then(|r| r.speed_kmh)
                .and_then(|kmh| step_length_m(kmh, measured.or(s.target())?))
                .or_else(|| s.imported.as_ref()?.step_length_m())
            {
                out.step_length_m.push([day, length]);
            }
            if let Some(d) = review.and_then(|r| r.discomfort) {
                out.discomfort.push([day, f64::from(d)]);
            }
            if let Some(share) = s.closed_loop.as_ref().and_then(share_in_band) {
                out.time_in_band.push([day, share * 100.0]);
            }
            *weeks.entry(week_start(day) as i64).or_default() += s.duration_secs / 60.0;
        }
        out.weekly_minutes = weeks.into_iter().map(|(w, m)| [w as f64, m]).collect();
        out.trend = rolling_median(&trended, TREND_SESSIONS);
        out
    }
}

/// Share of a session's measured time in the band, 0–1; `None` if nothing was measured.
pub fn share_in_band(summary: &ClosedLoopSummary) -> Option<f64> {
    (summary.measured_s > 0.0).then(|| summary.in_band_s / summary.measured_s)
}

/// A session's closed-loop summary in a line for its review and the Progress screen: "Click
/// when off · 82 % of the measured 14:00 in band · 120 clicks heard, 1300 silent · 3 nudges".
pub fn closed_loop_text(summary: &ClosedLoopSummary) -> String {
    let mode = summary.mode.name();
    let mut mode_chars = mode.chars();
    let mode: String = mode_chars
        .next()
        .map(|c| c.to_uppercase().chain(mode_chars).collect())
        .unwrap_or_default();
    let band = match share_in_band(summary) {
        Some(share) => format!(
            "{:.0} % of the measured {} in band",
            share * 100.0,
            super::clock_text(summary.measured_s.round() as u64)
        ),
        None => "no cadence measured".to_string(),
    };
    let mut parts = vec![
        mode,
        band,
        format!(
            "{} heard, {} silent",
            super::count_text(summary.clicks_heard, "click"),
            summary.clicks_silent
        ),
    ];
    if summary.nudges > 0 || summary.mode == super::closed_loop::CoachMode::Nudge {
        parts.push(super::count_text(summary.nudges, "nudge"));
    }
    parts.join(" · ")
}

/// How many sessions the cadence trend takes its median over.
pub const TREND_SESSIONS: usize = 5;

/// For each point, the median of its value and the `window - 1` before it: a trend that one
/// odd session does not bend.
fn rolling_median(points: &[[f64; 2]], window: usize) -> Vec<[f64; 2]> {
    (0..points.len())
        .map(|i| {
            let from = (i + 1).saturating_sub(window);
            let mut values: Vec<f64> = points[from..=i].iter().map(|p| p[1]).collect();
            values.sort_by(f64::total_cmp);
            let n = values.len();
            let median = if n % 2 == 1 {
                values[n / 2]
            } else {
                (values[n / 2 - 1] + values[n / 2]) / 2.0
            };
            [points[i][0], median]
        })
        .collect()
}

/// One session's tempo over its minutes, `[minute, spm]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TempoProfile {
    /// The clicks played: a step line through each part's start and end tempo.
    pub played: Vec<[f64; 2]>,
    /// The imported watch cadence, if any.
    pub watch: Vec<[f64; 2]>,
    /// The cadence heard on the microphone, if any.
    pub microphone: Vec<[f64; 2]>,
}

impl TempoProfile {
    /// Every point of every series.
    pub fn points(&self) -> impl Iterator<Item = &[f64; 2]> {
        self.played
            .iter()
            .chain(&self.watch)
            .chain(&self.microphone)
    }
}

/// One session's tempo over its minutes: the clicks played, and the cadence measured by a watch
/// and heard on the microphone.
pub fn tempo_profile(record: &SessionRecord) -> TempoProfile {
    let mut played = Vec::with_capacity(record.segments.len() * 2);
    for seg in &record.segments {
        played.push([seg.start_secs / 60.0, seg.start_spm]);
        played.push([(seg.start_secs + seg.secs) / 60.0, seg.end_spm]);
    }
    let minutes = |series: &Option<super::imported::ImportedCadence>| {
        series
            .iter()
            .flat_map(|i| &i.samples)
            .map(|&(t, v)| [f64::from(t) / 60.0, f64::from(v)])
            .collect()
    };
    TempoProfile {
        played,
        watch: minutes(&record.imported),
        microphone: minutes(&record.microphone),
    }
}

/// Something the records call for, with how well founded it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    pub text: String,
    pub evidence: Evidence,
    /// Why the evidence is rated so.
    pub basis: &'static str,
}

/// Discomfort at or above this (of 10) counts toward "persistent".
pub const DISCOMFORT_LEVEL: u8 = 3;
/// ... in this many reviewed sessions in a row (the latest ones).
pub const DISCOMFORT_SESSIONS: usize = 3;
/// Shoes are usually replaced after 300–500 miles; the reminder comes at 350 miles.
pub const SHOE_REMINDER_KM: f64 = 350.0 * KM_PER_MILE;

/// The advice rules, applied to `sessions` (any order).
pub fn advice(sessions: &[SessionRecord], units: Units) -> Vec<Advice> {
    let mut out = Vec::new();
    let mut by_start: Vec<&SessionRecord> = sessions.iter().collect();
    by_start.sort_by_key(|s| s.started);

    // Persistent discomfort: the latest reviews that rated it all rated it high.
    let rated: Vec<(u8, &str)> = by_start
        .iter()
        .rev()
        .filter_map(|s| {
            let r = s.review.as_ref()?;
            Some((r.discomfort?, r.discomfort_where.as_str()))
        })
        .take(DISCOMFORT_SESSIONS)
        .collect();
    if rated.len() == DISCOMFORT_SESSIONS && rated.iter().all(|r| r.0 >= DISCOMFORT_LEVEL) {
        let mut places: Vec<&str> = rated
            .iter()
            .map(|r| r.1.trim())
            .filter(|w| !w.is_empty())
            .collect();
        places.dedup();
        let place = if places.is_empty() {
            String::new()
        } else {
            format!(" ({})", places.join(", "))
        };
        out.push(Advice {
            text: format!(
                "You noted discomfort of {DISCOMFORT_LEVEL}/10 or more in each of your last \
                 {DISCOMFORT_SESSIONS} reviewed sessions{place}. Discomfort that persists, or \
                 pain when you run, is worth showing to a clinician (a physiotherapist or a \
                 doctor). This app cannot tell you what it is."
            ),
            evidence: Evidence::Weak,
            basis: "General clinical advice from the coaching articles this app builds on, \
                    not a finding of trials.",
        });
    }

    // Shoes past their mileage, by the name typed in the reviews.
    let mut shoes: BTreeMap<String, (String, f64)> = BTreeMap::new();
    for s in &by_start {
        let Some(r) = &s.review else { continue };
        let name = r.shoes.trim();
        if name.is_empty() {
            continue;
        }
        let entry = shoes
            .entry(name.to_lowercase())
            .or_insert_with(|| (name.to_string(), 0.0));
        entry.1 += r.distance_km.unwrap_or(0.0);
    }
    for (name, km) in shoes.into_values() {
        if km >= SHOE_REMINDER_KM {
            let logged = match units {
                Units::Metric => format!("{km:.0} km"),
                Units::Imperial => format!("{:.0} miles", km / KM_PER_MILE),
            };
            out.push(Advice {
                text: format!(
                    "Your shoes '{name}' have {logged} logged here. Running shoes are usually \
                     replaced every 300–500 miles (480–800 km); check the wear of the sole and \
                     how they feel."
                ),
                evidence: Evidence::Weak,
                basis: "A rule of thumb from running coaches and makers; no study ties a \
                        mileage to injuries.",
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trend_is_a_rolling_median_that_one_odd_session_does_not_bend() {
        let points: Vec<[f64; 2]> = [164.0, 165.0, 150.0, 166.0, 167.0, 168.0]
            .iter()
            .enumerate()
            .map(|(i, &v)| [i as f64, v])
            .collect();
        let trend: Vec<f64> = rolling_median(&points, 5).iter().map(|p| p[1]).collect();
        assert_eq!(trend, [164.0, 164.5, 164.0, 164.5, 165.0, 166.0]);
    }
    use crate::cadence::session::{ImportedCadence, Review};

    fn session(started: &str, target: f64, minutes: f64) -> SessionRecord {
        let mut s = SessionRecord::new(started, started.parse().unwrap(), "Steady", target);
        s.duration_secs = minutes * 60.0;
        s
    }

    fn reviewed(started: &str, review: Review) -> SessionRecord {
        let mut s = session(started, 170.0, 20.0);
        s.review = Some(review);
        s
    }

    #[test]
    fn days_and_weeks_follow_local_time() {
        let s = session("2026-11-22T23:30:00Z", 170.0, 20.0);
        // Sunday 22 Nov in UTC; Monday 23 Nov in New Zealand (UTC+13 in summer).
        let utc = session_day(&s, &TimeZone::UTC).unwrap();
        let nz = session_day(&s, &TimeZone::fixed(jiff::tz::offset(13))).unwrap();
        assert_eq!(nz.floor() - utc.floor(), 1.0);
        // 2026-11-16 is a Monday: day 20773.
        assert_eq!(week_start(utc), 20_773.0);
        assert_eq!(week_start(nz), 20_780.0);
    }

    #[test]
    fn a_winter_evening_keeps_its_day_when_viewed_in_summer() {
        // 23:30 in Berlin on 15 January is 22:30 UTC; Berlin is UTC+1 then, UTC+2 in summer.
        let s = session("2026-01-15T22:30:00Z", 170.0, 20.0);
        // Berlin's rules as a POSIX zone: no time zone database needed.
        let berlin = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        let day = session_day(&s, &berlin).unwrap();
        assert_eq!(
            day.floor(),
            session_day(&s, &TimeZone::UTC).unwrap().floor()
        );
        assert!((day.fract() - 23.5 / 24.0).abs() < 1e-9);
    }

    #[test]
    fn series_hold_target_measured_step_length_discomfort_and_weekly_minutes() {
        let mut a = session("2026-11-16T07:00:00Z", 170.0, 20.0);
        a.review = Some(Review {
            measured_spm: Some(168.0),
            speed_kmh: Some(10.08),
            discomfort: Some(2),
            ..Review::default()
        });
        let mut b = session("2026-11-18T07:00:00Z", 175.0, 25.0);
        b.imported = Some(ImportedCadence::new(
            "run.fit",
            "FIT",
            &[(0.0, 172.0), (1.0, 174.0)],
            None,
        ));
        let c = session("2026-11-23T07:00:00Z", 175.0, 30.0);
        let p = ProgressSeries::new(&[c, b, a], &TimeZone::UTC);
        assert_eq!(
            p.target.iter().map(|x| x[1]).collect::<Vec<_>>(),
            [170.0, 175.0, 175.0]
        );
        assert_eq!(
            p.measured.iter().map(|x| x[1]).collect::<Vec<_>>(),
            [168.0, 173.0]
        );
        // 10.08 km/h = 2.8 m/s; at 168 spm (2.8 steps/s) a step is 1 m.
        assert!((p.step_length_m[0][1] - 1.0).abs() < 1e-12);
        assert_eq!(p.discomfort, [[p.target[0][0], 2.0]]);
        assert_eq!(p.weekly_minutes, [[20_773.0, 45.0], [20_780.0, 30.0]]);
    }

    #[test]
    fn step_length_comes_from_the_reviewed_speed_else_from_the_watchs_distance() {
        // 20 minutes at 175 spm, a sample every 5 s: 3,500 steps; 3,850 m is 1.1 m a step.
        let samples: Vec<(f64, f64)> = (0..=240).map(|i| (f64::from(i) * 5.0, 175.0)).collect();
        let watch = ImportedCadence::new("run.tcx", "TCX", &samples, Some(3_850.0));
        let mut imported = session("2026-11-16T07:00:00Z", 170.0, 20.0);
        imported.imported = Some(watch.clone());
        // Reviewed too, with a treadmill speed: 10.08 km/h at 168 spm is 1 m.
        let mut both = session("2026-11-18T07:00:00Z", 170.0, 20.0);
        both.imported = Some(watch);
        both.review = Some(Review {
            measured_spm: Some(168.0),
            speed_kmh: Some(10.08),
            ..Review::default()
        });
        let p = ProgressSeries::new(&[imported, both], &TimeZone::UTC);
        let lengths: Vec<f64> = p.step_length_m.iter().map(|x| x[1]).collect();
        assert_eq!(lengths.len(), 2);
        assert!((lengths[0] - 1.1).abs() < 1e-12, "{lengths:?}");
        assert!((lengths[1] - 1.0).abs() < 1e-12, "{lengths:?}");
    }

    #[test]
    fn the_trend_leaves_out_short_sessions_but_their_cadence_is_still_plotted() {
        let measured = |started: &str, seconds: f64, spm: f64| {
            let mut s = session(started, 170.0, seconds / 60.0);
            s.review = Some(Review {
                measured_spm: Some(spm),
                ..Review::default()
            });
            s
        };
        let sessions = [
            measured("2026-11-16T07:00:00Z", 1200.0, 168.0),
            // A sound check, 20 s, tapped at an odd tempo: no trend point of its own and no
            // say in the median after it.
            measured("2026-11-17T07:00:00Z", 20.0, 120.0),
            measured("2026-11-18T07:00:00Z", 1500.0, 172.0),
            measured("2026-11-19T07:00:00Z", 59.9, 121.0),
            measured("2026-11-20T07:00:00Z", 60.0, 174.0),
        ];
        let p = ProgressSeries::new(&sessions, &TimeZone::UTC);
        assert_eq!(p.measured.len(), 5);
        let trend: Vec<f64> = p.trend.iter().map(|x| x[1]).collect();
        assert_eq!(trend, [168.0, 170.0, 172.0]);
        assert_eq!(
            p.trend.iter().map(|x| x[0]).collect::<Vec<_>>(),
            [p.measured[0][0], p.measured[2][0], p.measured[4][0]]
        );
    }

    #[test]
    fn time_in_band_is_the_share_of_the_measured_time_for_sessions_with_a_summary() {
        use crate::cadence::closed_loop::CoachMode;
        let mut a = session("2026-11-16T07:00:00Z", 170.0, 20.0);
        a.closed_loop = Some(ClosedLoopSummary {
            mode: CoachMode::WhenOff,
            measured_s: 1000.0,
            in_band_s: 820.0,
            clicks_heard: 1,
            clicks_silent: 2400,
            ..ClosedLoopSummary::default()
        });
        // Nothing measured: no point, rather than 0 %.
        let mut b = session("2026-11-17T07:00:00Z", 170.0, 20.0);
        b.closed_loop = Some(ClosedLoopSummary::default());
        let c = session("2026-11-18T07:00:00Z", 170.0, 20.0);
        let p = ProgressSeries::new(&[c, b.clone(), a.clone()], &TimeZone::UTC);
        assert_eq!(p.time_in_band.len(), 1);
        assert!((p.time_in_band[0][1] - 82.0).abs() < 1e-9);
        assert_eq!(
            closed_loop_text(a.closed_loop.as_ref().unwrap()),
            "Click when off · 82 % of the measured 16:40 in band · 1 click heard, 2400 silent"
        );
        let nudged = ClosedLoopSummary {
            mode: CoachMode::Nudge,
            nudges: 3,
            ..ClosedLoopSummary::default()
        };
        assert_eq!(
            closed_loop_text(&nudged),
            "Guided nudge · no cadence measured · 0 clicks heard, 0 silent · 3 nudges"
        );
    }

    #[test]
    fn the_tempo_profile_follows_the_parts_played() {
        let mut r = SessionRecord::new("a", "2026-11-21T10:00:00Z".parse().unwrap(), "Ramp", 170.0);
        r.step(0.0, 0, (0, 0), "Warm-up", 160_000);
        r.step(60.0, 160, (0, 0), "Warm-up", 160_000);
        r.step(60.5, 161, (1, 0), "Ramp", 160_000);
        r.step(180.0, 500, (1, 0), "Ramp", 180_000);
        let profile = tempo_profile(&r);
        assert_eq!(
            profile.played,
            [
                [0.0, 160.0],
                [1.0, 160.0],
                [60.5 / 60.0, 160.0],
                [3.0, 180.0]
            ]
        );
        assert!(profile.watch.is_empty() && profile.microphone.is_empty());
        r.microphone = Some(crate::cadence::ImportedCadence::heard(&[
            (30.0, 166.0),
            (90.0, 168.0),
        ]));
        assert_eq!(tempo_profile(&r).microphone, [[0.5, 166.0], [1.5, 168.0]]);
    }

    #[test]
    fn persistent_discomfort_suggests_a_clinician_with_its_evidence_level() {
        let sore = |day: &str, level: u8| {
            reviewed(
                day,
                Review {
                    discomfort: Some(level),
                    discomfort_where: "lower back".into(),
                    ..Review::default()
                },
            )
        };
        let mut sessions = vec![
            sore("2026-11-10T07:00:00Z", 4),
            sore("2026-11-12T07:00:00Z", 3),
        ];
        assert!(
            advice(&sessions, Units::Metric).is_empty(),
            "two is not yet persistent"
        );
        // A session with no review in between does not break the run of sore ones.
        sessions.push(session("2026-11-13T07:00:00Z", 170.0, 20.0));
        sessions.push(sore("2026-11-14T07:00:00Z", 5));
        let advice_now = advice(&sessions, Units::Metric);
        assert_eq!(advice_now.len(), 1);
        assert!(advice_now[0].text.contains("clinician"));
        assert!(advice_now[0].text.contains("(lower back)"));
        assert_eq!(advice_now[0].evidence, Evidence::Weak);
        // One easy session since then: no longer persistent.
        sessions.push(sore("2026-11-16T07:00:00Z", 1));
        assert!(advice(&sessions, Units::Metric).is_empty());
    }

    #[test]
    fn shoes_past_their_mileage_get_a_reminder_in_the_runners_units() {
        let run = |day: &str, shoes: &str, km: f64| {
            reviewed(
                day,
                Review {
                    shoes: shoes.into(),
                    distance_km: Some(km),
                    ..Review::default()
                },
            )
        };
        let mut sessions: Vec<SessionRecord> = (0..56)
            .map(|i| {
                run(
                    &format!("2026-{:02}-{:02}T07:00:00Z", 1 + i / 28, 1 + i % 28),
                    "Pegasus",
                    10.0,
                )
            })
            .collect();
        sessions.push(run("2026-03-01T07:00:00Z", "Other", 5.0));
        assert!(
            advice(&sessions, Units::Metric).is_empty(),
            "560 km < 563.3 km"
        );
        sessions.push(run("2026-03-02T07:00:00Z", " pegasus ", 5.0));
        let a = advice(&sessions, Units::Imperial);
        assert_eq!(a.len(), 1);
        assert!(
            a[0].text.contains("'Pegasus' have 351 miles"),
            "{}",
            a[0].text
        );
        assert_eq!(a[0].evidence, Evidence::Weak);
    }
}
