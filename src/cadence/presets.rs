//! Built-in workouts, shaped around the runner's target cadence.

use super::Spm;
use super::workout::{Click, Segment, Workout};

/// The built-in workouts the Run screen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Preset {
    /// The target tempo, open-ended (the metronome).
    Steady,
    /// 5 min warm-up 5 % under target, 20 min at target, 5 min cool-down.
    WarmUpMainCoolDown,
    /// Warm-up, 6 × (2 min at target + 5 %, 2 min at target), cool-down.
    Intervals,
    /// Warm-up, then a 15-minute ramp from 5 % under target up to it, 10 min holding it,
    /// cool-down.
    Ramp,
    /// Warm-up, then target with the click fading (60 s on, 30 s off), cool-down.
    Faded,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Steady,
        Preset::WarmUpMainCoolDown,
        Preset::Intervals,
        Preset::Ramp,
        Preset::Faded,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Steady => "Steady at target",
            Preset::WarmUpMainCoolDown => "Warm-up, main, cool-down (30 min)",
            Preset::Intervals => "Intervals (34 min)",
            Preset::Ramp => "Ramp up to target (35 min)",
            Preset::Faded => "Faded feedback (30 min)",
        }
    }

    /// The workout for `target`, or `None` for the open-ended metronome.
    pub fn workout(self, target: Spm) -> Option<Workout> {
        let under = scaled(target, 0.95);
        let over = scaled(target, 1.05);
        let segments = match self {
            Preset::Steady => return None,
            Preset::WarmUpMainCoolDown => vec![
                Segment::steady("Warm-up", 300.0, under),
                Segment::steady("Main", 1200.0, target),
                Segment::steady("Cool-down", 300.0, under),
            ],
            Preset::Intervals => {
                let mut s = vec![Segment::steady("Warm-up", 300.0, under)];
                for i in 1..=6 {
                    s.push(Segment::steady(&format!("Quick {i}/6"), 120.0, over));
                    s.push(Segment::steady(&format!("Easy {i}/6"), 120.0, target));
                }
                s.push(Segment::steady("Cool-down", 300.0, under));
                s
            }
            Preset::Ramp => vec![
                Segment::steady("Warm-up", 300.0, under),
                Segment::ramp("Ramp", 900.0, under, target),
                Segment::steady("Hold", 600.0, target),
                Segment::steady("Cool-down", 300.0, under),
            ],
            Preset::Faded => vec![
                Segment::steady("Warm-up", 300.0, under),
                Segment::steady("Faded", 1200.0, target).with_click(Click::Faded {
                    on_secs: 60,
                    off_secs: 30,
                }),
                Segment::steady("Cool-down", 300.0, under),
            ],
        };
        Workout::new(self.name(), segments).ok()
    }
}

/// `spm × factor`, rounded to the nearest 0.5 and kept in range.
pub fn scaled(spm: Spm, factor: f64) -> Spm {
    let halves = (spm.get() * factor * 2.0).round();
    Spm::from_half_steps(halves as u32).unwrap_or(if factor < 1.0 { Spm::MIN } else { Spm::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_at_the_ends_of_the_range() {
        for target in [Spm::MIN, Spm::new(170.0).unwrap(), Spm::MAX] {
            for p in Preset::ALL {
                match p.workout(target) {
                    None => assert_eq!(p, Preset::Steady),
                    Some(w) => {
                        assert!(w.duration_ms() >= 25 * 60_000, "{}", p.name());
                        // Every built-in workout starts easy and ends easy (PRODUCT: warm-up
                        // and cool-down included), and its name gives its length.
                        let names: Vec<&str> =
                            w.segments().iter().map(|s| s.name.as_str()).collect();
                        assert_eq!(names.first(), Some(&"Warm-up"), "{}", p.name());
                        assert_eq!(names.last(), Some(&"Cool-down"), "{}", p.name());
                        let minutes = w.duration_ms() / 60_000;
                        assert!(
                            p.name().contains(&format!("({minutes} min)")),
                            "{}",
                            p.name()
                        );
                    }
                }
            }
        }
        assert_eq!(scaled(Spm::new(170.0).unwrap(), 0.95).get(), 161.5);
        assert_eq!(scaled(Spm::MAX, 1.05), Spm::MAX);
    }
}
