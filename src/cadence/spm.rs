//! `Spm`: a step rate the app can play, validated once and then trusted everywhere.
//!
//! Stored as whole half-steps per minute so that equality, hashing and the beat arithmetic in
//! `beats.rs` stay exact integers: 172.5 spm is `Spm(345)`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Steps per minute, 100–240 in steps of 0.5.
///
/// ```
/// use cadence_coach::cadence::Spm;
/// let spm: Spm = "172.5".parse().unwrap();
/// assert_eq!(spm.half_steps(), 345);
/// assert_eq!(spm.nudged(5.0).to_string(), "177.5");
/// assert!("250".parse::<Spm>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Spm(u16);

/// Why a number is not a playable step rate. Each message names the value and the rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpmError {
    #[error("{0} spm is outside the valid range 100–240 spm")]
    OutOfRange(f64),
    #[error("{0} spm is not a multiple of 0.5 spm")]
    NotHalfStep(f64),
    #[error("'{0}' is not a number of steps per minute")]
    NotANumber(String),
}

impl Spm {
    /// The slowest rate the app plays (a brisk walk).
    pub const MIN: Spm = Spm(200);
    /// The fastest rate the app plays (a sprint).
    pub const MAX: Spm = Spm(480);

    /// Validates `value` (100–240, a multiple of 0.5).
    pub fn new(value: f64) -> Result<Spm, SpmError> {
        if !value.is_finite() || !(100.0..=240.0).contains(&value) {
            return Err(SpmError::OutOfRange(value));
        }
        let doubled = value * 2.0;
        let halves = doubled.round();
        if (doubled - halves).abs() > 1e-9 {
            return Err(SpmError::NotHalfStep(value));
        }
        Ok(Spm(halves as u16))
    }

    /// A rate given in half-steps per minute (345 is 172.5 spm).
    pub fn from_half_steps(halves: u32) -> Result<Spm, SpmError> {
        Spm::new(f64::from(halves) / 2.0)
    }

    /// The rate in steps per minute.
    pub fn get(self) -> f64 {
        f64::from(self.0) / 2.0
    }

    /// The rate in half-steps per minute: the exact integer the beat arithmetic uses.
    pub fn half_steps(self) -> u32 {
        u32::from(self.0)
    }

    /// This rate moved by `delta` spm, or why that is not a playable rate (the old one stays).
    pub fn nudge(self, delta: f64) -> Result<Spm, SpmError> {
        Spm::new(self.get() + delta)
    }

    /// Whether this is a cadence runners usually run at, 150–200 spm (our inference from the
    /// studies, weak evidence); outside it the app points the value out.
    pub fn is_usual(self) -> bool {
        (150.0..=200.0).contains(&self.get())
    }

    /// A note for a rate that is valid but not [usual](Spm::is_usual), so a slip of the keys
    /// is noticed.
    pub fn unusual_note(self) -> Option<String> {
        (!self.is_usual()).then(|| {
            format!(
                "{self} spm is outside 150–200 spm, where most runners' cadence lies; \
                 check it is the one you meant (weak evidence: our own rule of thumb)"
            )
        })
    }

    /// This rate moved by `delta` spm, held inside 100–240 (for the terminal's arrow keys).
    pub fn nudged(self, delta: f64) -> Spm {
        let halves = (f64::from(self.0) + (delta * 2.0).round())
            .clamp(f64::from(Spm::MIN.0), f64::from(Spm::MAX.0));
        Spm(halves as u16)
    }

    /// The time between two steps at this rate, in seconds.
    pub fn interval_secs(self) -> f64 {
        60.0 / self.get()
    }
}

impl TryFrom<f64> for Spm {
    type Error = SpmError;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Spm::new(value)
    }
}

impl From<Spm> for f64 {
    fn from(spm: Spm) -> f64 {
        spm.get()
    }
}

impl FromStr for Spm {
    type Err = SpmError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let value: f64 = trimmed
            .parse()
            .map_err(|_| SpmError::NotANumber(trimmed.to_string()))?;
        Spm::new(value)
    }
}

/// A tempo shift in half-steps per minute as a runner reads it: "+2 spm", "−1.5 spm".
pub fn shift_text(half_steps: i32) -> String {
    let text = tempo_text(f64::from(half_steps.unsigned_abs()) / 2.0);
    let sign = if half_steps < 0 { "−" } else { "+" };
    format!("{sign}{text} spm")
}

/// A tempo as the runner reads it: to one decimal, without a trailing ".0" ("170",
/// "172.5", "173.8"); a valid `Spm` reads the same as its `Display`.
pub fn tempo_text(spm: f64) -> String {
    let tenths = (spm * 10.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}")
    } else {
        format!("{tenths:.1}")
    }
}

impl fmt::Display for Spm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(2) {
            write!(f, "{}", self.0 / 2)
        } else {
            write!(f, "{}.5", self.0 / 2)
        }
    }
}

impl fmt::Debug for Spm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self} spm")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_whole_range_in_half_steps() {
        assert_eq!(Spm::new(100.0).unwrap(), Spm::MIN);
        assert_eq!(Spm::new(240.0).unwrap(), Spm::MAX);
        assert_eq!(Spm::new(172.5).unwrap().half_steps(), 345);
        assert_eq!(Spm::new(172.5).unwrap().to_string(), "172.5");
        assert_eq!(Spm::new(180.0).unwrap().to_string(), "180");
    }

    #[test]
    fn refuses_values_outside_the_range_or_between_half_steps() {
        assert_eq!(Spm::new(99.5), Err(SpmError::OutOfRange(99.5)));
        let top = Spm::new(238.0).unwrap();
        assert_eq!(top.nudge(-5.0), Ok(Spm::new(233.0).unwrap()));
        assert_eq!(top.nudge(5.0), Err(SpmError::OutOfRange(243.0)));
        assert_eq!(Spm::MIN.nudge(-1.0), Err(SpmError::OutOfRange(99.0)));
        assert!(Spm::new(150.0).unwrap().unusual_note().is_none());
        assert!(Spm::new(200.0).unwrap().unusual_note().is_none());
        let note = Spm::new(149.5).unwrap().unusual_note().unwrap();
        assert!(
            note.starts_with("149.5 spm is outside 150–200 spm"),
            "{note}"
        );
        assert!(Spm::new(200.5).unwrap().unusual_note().is_some());
        assert_eq!(Spm::new(240.5), Err(SpmError::OutOfRange(240.5)));
        assert!(Spm::new(f64::NAN).unwrap_err().to_string().contains("NaN"));
        assert_eq!(Spm::new(170.25), Err(SpmError::NotHalfStep(170.25)));
        let msg = "300".parse::<Spm>().unwrap_err().to_string();
        assert_eq!(msg, "300 spm is outside the valid range 100–240 spm");
        assert!(matches!(
            "fast".parse::<Spm>(),
            Err(SpmError::NotANumber(_))
        ));
    }

    #[test]
    fn nudging_stays_inside_the_range() {
        let spm = Spm::new(170.0).unwrap();
        assert_eq!(spm.nudged(1.0).get(), 171.0);
        assert_eq!(spm.nudged(-5.0).get(), 165.0);
        assert_eq!(Spm::MAX.nudged(5.0), Spm::MAX);
        assert_eq!(Spm::MIN.nudged(-1.0), Spm::MIN);
    }

    #[test]
    fn a_tempo_reads_to_one_decimal_without_a_trailing_zero() {
        assert_eq!(tempo_text(170.0), "170");
        assert_eq!(tempo_text(172.5), "172.5");
        assert_eq!(tempo_text(177.96), "178");
        assert_eq!(tempo_text(173.325), "173.3");
        assert_eq!(tempo_text(Spm::new(176.5).unwrap().get()), "176.5");
    }

    #[test]
    fn round_trips_through_ron_as_a_plain_number() {
        let spm = Spm::new(172.5).unwrap();
        let text = ron::to_string(&spm).unwrap();
        assert_eq!(text, "172.5");
        assert_eq!(ron::from_str::<Spm>(&text).unwrap(), spm);
        assert!(ron::from_str::<Spm>("250.0").is_err());
    }
}
