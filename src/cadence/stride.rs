//! Treadmill speed and step length: at a fixed speed, a higher cadence means shorter steps
//! (step length = speed ÷ cadence), the change that lowers braking and knee load.

use serde::{Deserialize, Serialize};

/// Units the runner reads speeds and lengths in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Units {
    #[default]
    Metric,
    Imperial,
}

pub const KM_PER_MILE: f64 = 1.609_344;

impl Units {
    pub fn speed_label(self) -> &'static str {
        match self {
            Units::Metric => "km/h",
            Units::Imperial => "mph",
        }
    }

    /// A speed typed in these units, in km/h.
    pub fn to_kmh(self, speed: f64) -> f64 {
        match self {
            Units::Metric => speed,
            Units::Imperial => speed * KM_PER_MILE,
        }
    }

    /// A speed in km/h, in these units.
    pub fn from_kmh(self, kmh: f64) -> f64 {
        match self {
            Units::Metric => kmh,
            Units::Imperial => kmh / KM_PER_MILE,
        }
    }

    /// A step length in metres, as text in these units ("98 cm" or "38.6 in").
    pub fn length_text(self, metres: f64) -> String {
        match self {
            Units::Metric => format!("{:.0} cm", metres * 100.0),
            Units::Imperial => format!("{:.1} in", metres / 0.0254),
        }
    }
}

/// Step length in metres at `speed_kmh` and `spm` steps per minute.
pub fn step_length_m(speed_kmh: f64, spm: f64) -> Option<f64> {
    (speed_kmh > 0.0 && spm > 0.0).then(|| speed_kmh * 1000.0 / 60.0 / spm)
}

/// How much shorter (negative) or longer a step gets going from cadence `from` to `to` at the
/// same speed, in percent.
pub fn step_change_percent(from_spm: f64, to_spm: f64) -> f64 {
    (from_spm / to_spm - 1.0) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_length_is_speed_over_cadence() {
        // 10.8 km/h = 3 m/s; at 180 spm that is exactly 1 m per step.
        assert!((step_length_m(10.8, 180.0).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(step_length_m(0.0, 180.0), None);
        assert_eq!(Units::Metric.length_text(0.984), "98 cm");
        assert_eq!(Units::Imperial.length_text(1.0), "39.4 in");
        assert!((Units::Imperial.to_kmh(6.0) - 9.656).abs() < 1e-3);
    }

    #[test]
    fn ten_percent_more_cadence_shortens_steps_by_about_nine_percent() {
        let change = step_change_percent(160.0, 176.0);
        assert!((change + 9.09).abs() < 0.01, "{change}");
    }
}
