//! Which sport a cadence was recorded in, and what that cadence counts. Only foot sports
//! (running, walking, hiking, and their trail, treadmill and track sub-sports) count steps; a
//! ride's cadence counts pedal turns and a swim's strokes, and doubling them into "steps" would
//! save a ride as a fast run. This module names sports from FIT's `sport`/`sub_sport` numbers
//! and from the activity types GPX and TCX files write, and judges a file that names no sport
//! by its cadence and speed.

/// What a sport's cadence counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counts {
    Steps,
    PedalTurns,
    Strokes,
    PaddleStrokes,
    /// A sport whose cadence (if any) is not steps, or has no cadence at all.
    Other,
}

impl Counts {
    /// "pedal turns", as in "its cadence counts pedal turns, not steps".
    pub fn what(self) -> &'static str {
        match self {
            Counts::Steps => "steps",
            Counts::PedalTurns => "pedal turns",
            Counts::Strokes => "strokes",
            Counts::PaddleStrokes => "paddle strokes",
            Counts::Other => "something other than steps",
        }
    }
}

/// A sport as the file names it, in words ("running", "stand up paddleboarding").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sport {
    pub name: String,
    pub counts: Counts,
}

impl Sport {
    fn new(name: &str, counts: Counts) -> Sport {
        Sport {
            name: name.to_string(),
            counts,
        }
    }

    pub fn is_foot(&self) -> bool {
        self.counts == Counts::Steps
    }

    /// FIT's `sport` and `sub_sport` (the FIT profile's numbers); `None` when the file does
    /// not say (generic, invalid, multisport summary, or a general sport with no telling
    /// sub-sport), so the content decides.
    pub fn from_fit(sport: Option<u8>, sub_sport: Option<u8>) -> Option<Sport> {
        let sub = sub_sport.and_then(fit_sub_sport);
        match sport {
            // Generic, fitness equipment, training, multisport or none: the sub-sport tells,
            // if it is one (a treadmill run is often fitness_equipment + treadmill).
            None | Some(0 | 4 | 10 | 18 | 254 | 255) => sub,
            Some(n) => Some(fit_sport(n)),
        }
    }

    /// An activity type as GPX's `<type>` or TCX's `Sport` write it: Garmin Connect's names
    /// ("running", "road_biking", "lap_swimming"), Strava's ("Run", "Ride", "VirtualRide") and
    /// Strava's older numbers ("9" a run, "1" a ride). `None` for an empty, generic or unknown
    /// type: then the content decides.
    pub fn from_activity_type(text: &str) -> Option<Sport> {
        let text = text.trim();
        if let Ok(n) = text.parse::<u32>() {
            return strava_number(n);
        }
        let words: String = text
            .chars()
            .map(|c| match c {
                '_' | '-' => ' ',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        let has = |part: &str| words.replace(' ', "").contains(part);
        let counts = if has("transition") {
            Counts::Other
        } else if has("bik") || has("cycl") || has("ride") {
            Counts::PedalTurns
        } else if has("run") || has("walk") || has("hik") || has("treadmill") {
            Counts::Steps
        } else if has("swim") || has("row") {
            Counts::Strokes
        } else if has("paddl") || has("kayak") || has("canoe") || words == "sup" {
            Counts::PaddleStrokes
        } else {
            return None;
        };
        Some(Sport::new(&words, counts))
    }

    /// "a cycling activity", "an e biking activity".
    pub fn activity(&self) -> String {
        with_article(&format!("{} activity", self.name))
    }
}

/// "a" or "an" before `words`.
pub fn with_article(words: &str) -> String {
    let vowel = words
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {words}", if vowel { "an" } else { "a" })
}

/// Strava's activity type numbers as its older GPX exports write them. Only the ones whose
/// cadence is clear are named; any other number leaves the decision to the content.
fn strava_number(n: u32) -> Option<Sport> {
    let (name, counts) = match n {
        1 => ("ride", Counts::PedalTurns),
        4 => ("hike", Counts::Steps),
        9 => ("run", Counts::Steps),
        10 => ("walk", Counts::Steps),
        16 => ("swim", Counts::Strokes),
        17 => ("virtual ride", Counts::PedalTurns),
        18 => ("e-bike ride", Counts::PedalTurns),
        21 => ("canoe", Counts::PaddleStrokes),
        22 => ("kayak", Counts::PaddleStrokes),
        23 => ("rowing", Counts::Strokes),
        24 => ("stand up paddling", Counts::PaddleStrokes),
        53 => ("virtual run", Counts::Steps),
        _ => return None,
    };
    Some(Sport::new(name, counts))
}

/// FIT `sport` (not generic): its name in the FIT profile, with spaces.
fn fit_sport(n: u8) -> Sport {
    let counts = match n {
        1 | 11 | 17 => Counts::Steps,
        2 | 21 => Counts::PedalTurns,
        5 | 15 => Counts::Strokes,
        19 | 37 | 41 | 42 | 88 => Counts::PaddleStrokes,
        _ => Counts::Other,
    };
    let name = FIT_SPORTS
        .iter()
        .find(|(number, _)| *number == n)
        .map_or_else(|| format!("FIT sport {n}"), |(_, name)| name.to_string());
    Sport { name, counts }
}

/// FIT `sub_sport` values that name a sport by themselves.
fn fit_sub_sport(n: u8) -> Option<Sport> {
    let (name, counts) = match n {
        1 => ("treadmill", Counts::Steps),
        3 => ("trail", Counts::Steps),
        4 => ("track", Counts::Steps),
        27 => ("indoor walking", Counts::Steps),
        30 => ("casual walking", Counts::Steps),
        31 => ("speed walking", Counts::Steps),
        45 => ("indoor running", Counts::Steps),
        5 => ("spin", Counts::PedalTurns),
        6 => ("indoor cycling", Counts::PedalTurns),
        28 => ("e-bike fitness", Counts::PedalTurns),
        14 => ("indoor rowing", Counts::Strokes),
        17 => ("lap swimming", Counts::Strokes),
        18 => ("open water swimming", Counts::Strokes),
        _ => return None,
    };
    Some(Sport::new(name, counts))
}

/// The FIT profile's sport names (profile 21.x), spaces for underscores.
const FIT_SPORTS: &[(u8, &str)] = &[
    (1, "running"),
    (2, "cycling"),
    (3, "transition"),
    (5, "swimming"),
    (6, "basketball"),
    (7, "soccer"),
    (8, "tennis"),
    (9, "american football"),
    (11, "walking"),
    (12, "cross country skiing"),
    (13, "alpine skiing"),
    (14, "snowboarding"),
    (15, "rowing"),
    (16, "mountaineering"),
    (17, "hiking"),
    (19, "paddling"),
    (20, "flying"),
    (21, "e-biking"),
    (22, "motorcycling"),
    (23, "boating"),
    (24, "driving"),
    (25, "golf"),
    (26, "hang gliding"),
    (27, "horseback riding"),
    (28, "hunting"),
    (29, "fishing"),
    (30, "inline skating"),
    (31, "rock climbing"),
    (32, "sailing"),
    (33, "ice skating"),
    (34, "sky diving"),
    (35, "snowshoeing"),
    (36, "snowmobiling"),
    (37, "stand up paddleboarding"),
    (38, "surfing"),
    (39, "wakeboarding"),
    (40, "water skiing"),
    (41, "kayaking"),
    (42, "rafting"),
    (43, "windsurfing"),
    (44, "kitesurfing"),
    (47, "boxing"),
    (48, "floor climbing"),
    (53, "diving"),
    (62, "hiit"),
    (64, "racket"),
    (65, "wheelchair push walk"),
    (66, "wheelchair push run"),
    (84, "jump rope"),
    (88, "canoeing"),
];

/// The median of the positive, finite values; `None` when there are none.
pub(super) fn median_positive(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut moving: Vec<f64> = values.filter(|v| v.is_finite() && *v > 0.0).collect();
    moving.sort_by(f64::total_cmp);
    match moving.len() {
        0 => None,
        n if n % 2 == 1 => Some(moving[n / 2]),
        n => Some((moving[n / 2 - 1] + moving[n / 2]) / 2.0),
    }
}

/// Pedalling rates (and a runner's strides) lie in this range of the file's own numbers.
const PEDALLING: std::ops::Range<f64> = 40.0..120.0;
/// A median moving speed at or above this (21.6 km/h, faster than the marathon record pace)
/// is a ride's, not a run's.
const RIDE_SPEED_MPS: f64 = 6.0;
/// Below this a point is standing still, and its speed does not vote.
const MOVING_MPS: f64 = 0.5;

/// For a file that names no sport: `Some((median cadence, median speed in m/s))` when its
/// cadence (the file's own numbers) is a pedalling rate and its speed a ride's. A runner's
/// strides fall in the same range as a cyclist's rpm, so cadence alone cannot tell; the
/// speed does. A file without speed is not refused.
pub(super) fn looks_like_a_ride(
    cadence: impl Iterator<Item = f64>,
    speeds: impl Iterator<Item = f64>,
) -> Option<(f64, f64)> {
    let cadence = median_positive(cadence)?;
    let speed = median_positive(speeds.filter(|&s| s >= MOVING_MPS))?;
    (PEDALLING.contains(&cadence) && speed >= RIDE_SPEED_MPS).then_some((cadence, speed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(text: &str) -> Option<Counts> {
        Sport::from_activity_type(text).map(|s| s.counts)
    }

    #[test]
    fn activity_types_of_garmin_and_strava() {
        for foot in [
            "running",
            "trail_running",
            "treadmill_running",
            "Run",
            "TrailRun",
            "VirtualRun",
            "walking",
            "Hike",
            "9",
            "10",
            "4",
        ] {
            assert_eq!(counts(foot), Some(Counts::Steps), "{foot}");
        }
        for ride in [
            "road_biking",
            "cycling",
            "Ride",
            "VirtualRide",
            "mountain_biking",
            "Biking",
            "1",
        ] {
            assert_eq!(counts(ride), Some(Counts::PedalTurns), "{ride}");
        }
        assert_eq!(counts("lap_swimming"), Some(Counts::Strokes));
        assert_eq!(counts("indoor_rowing"), Some(Counts::Strokes));
        assert_eq!(
            counts("stand_up_paddleboarding"),
            Some(Counts::PaddleStrokes)
        );
        assert_eq!(counts("bike_to_run_transition"), Some(Counts::Other));
        for unknown in ["", "Other", "generic", "uncategorized", "999"] {
            assert_eq!(counts(unknown), None, "{unknown}");
        }
        assert_eq!(
            Sport::from_activity_type("road_biking").unwrap().name,
            "road biking"
        );
    }

    #[test]
    fn fit_sports_and_sub_sports() {
        let sport = |s, sub| Sport::from_fit(s, sub);
        assert!(sport(Some(1), Some(3)).unwrap().is_foot());
        assert_eq!(
            sport(Some(2), Some(7)).unwrap().activity(),
            "a cycling activity"
        );
        assert_eq!(sport(Some(5), None).unwrap().counts, Counts::Strokes);
        assert_eq!(
            sport(Some(37), None).unwrap().activity(),
            "a stand up paddleboarding activity"
        );
        assert_eq!(
            sport(Some(21), None).unwrap().activity(),
            "an e-biking activity"
        );
        // A treadmill run written as fitness equipment, and a generic file.
        assert!(sport(Some(4), Some(1)).unwrap().is_foot());
        assert_eq!(sport(Some(0), Some(0)), None);
        assert_eq!(sport(None, None), None);
        assert_eq!(sport(Some(200), None).unwrap().name, "FIT sport 200");
    }

    #[test]
    fn a_ride_is_told_by_its_speed_not_its_cadence_alone() {
        let strides = [85.0, 86.0, 0.0, 87.0];
        assert_eq!(
            looks_like_a_ride(strides.into_iter(), [8.0, 8.5, 0.0, 9.0].into_iter()),
            Some((86.0, 8.5))
        );
        // The same numbers at a runner's speed, or without speed: not refused.
        assert_eq!(
            looks_like_a_ride(strides.into_iter(), [3.2, 3.4, 0.0].into_iter()),
            None
        );
        assert_eq!(looks_like_a_ride(strides.into_iter(), [].into_iter()), None);
        // Steps (170) are nobody's pedalling rate, however fast.
        assert_eq!(
            looks_like_a_ride([170.0].into_iter(), [7.0].into_iter()),
            None
        );
    }
}
