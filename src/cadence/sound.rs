//! What the runner hears: which click, how loud, which steps are accented or silent.
//!
//! Plain settings shared by the click track, the command line and (later) the settings file;
//! the synthesis itself lives in `audio::sounds`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The click sounds the app can play; each is clearly different from the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ClickSound {
    /// A short, bright tick: cuts through treadmill noise.
    #[default]
    Click,
    /// A hollow wooden knock.
    Woodblock,
    /// A clean electronic beep, like a watch metronome.
    Beep,
    /// A ringing metallic cowbell.
    Cowbell,
}

impl ClickSound {
    pub const ALL: [ClickSound; 4] = [
        ClickSound::Click,
        ClickSound::Woodblock,
        ClickSound::Beep,
        ClickSound::Cowbell,
    ];

    /// The name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            ClickSound::Click => "click",
            ClickSound::Woodblock => "woodblock",
            ClickSound::Beep => "beep",
            ClickSound::Cowbell => "cowbell",
        }
    }

    /// Its place in [`ClickSound::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn from_index(index: usize) -> ClickSound {
        ClickSound::ALL.get(index).copied().unwrap_or_default()
    }
}

impl fmt::Display for ClickSound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown name for a sound or pattern; the message lists the ones that exist.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("'{given}' is not a {what}; choose one of: {choices}")]
pub struct UnknownChoice {
    given: String,
    what: &'static str,
    choices: &'static str,
}

impl FromStr for ClickSound {
    type Err = UnknownChoice;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ClickSound::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownChoice {
                given: text.to_string(),
                what: "click sound",
                choices: "click, woodblock, beep, cowbell",
            })
    }
}

/// Every how many steps something happens: used for accents and for quiet patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Every {
    /// Never (accents) or every step (quiet pattern off).
    #[default]
    None,
    /// Every 2nd step, counted from the first.
    Second,
    /// Every 4th step, counted from the first.
    Fourth,
}

impl Every {
    /// Does step `index` (from 0) fall on the pattern? `None` matches no step.
    pub fn hits(self, index: u64) -> bool {
        match self {
            Every::None => false,
            Every::Second => index.is_multiple_of(2),
            Every::Fourth => index.is_multiple_of(4),
        }
    }

    pub(crate) fn code(self) -> u32 {
        self as u32
    }

    pub(crate) fn from_code(code: u32) -> Every {
        match code {
            1 => Every::Second,
            2 => Every::Fourth,
            _ => Every::None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Every::None => "none",
            Every::Second => "2",
            Every::Fourth => "4",
        }
    }
}

impl FromStr for Every {
    type Err = UnknownChoice;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "none" | "off" | "1" => Ok(Every::None),
            "2" => Ok(Every::Second),
            "4" => Ok(Every::Fourth),
            _ => Err(UnknownChoice {
                given: text.to_string(),
                what: "step pattern",
                choices: "none, 2, 4",
            }),
        }
    }
}

/// Faded feedback for an open-ended tempo: the click on for `on_secs`, off for `off_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FadeBlocks {
    pub on_secs: u32,
    pub off_secs: u32,
}

impl FromStr for FadeBlocks {
    type Err = String;
    /// Parses `ON/OFF` in seconds, e.g. `60/30`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{text}' is not ON/OFF seconds such as 60/30");
        let (on, off) = text.split_once('/').ok_or_else(bad)?;
        let on_secs: u32 = on.trim().parse().map_err(|_| bad())?;
        let off_secs: u32 = off.trim().parse().map_err(|_| bad())?;
        if on_secs == 0 || off_secs == 0 || on_secs > 3600 || off_secs > 3600 {
            return Err(format!(
                "'{text}': on and off blocks must each be 1–3600 seconds"
            ));
        }
        Ok(FadeBlocks { on_secs, off_secs })
    }
}

/// Everything about how clicks sound; changeable while the track plays.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClickSettings {
    pub sound: ClickSound,
    /// 0.0 (silent) to 1.0 (full scale); the audio layer applies a perceptual curve.
    pub volume: f32,
    /// Which steps get the accented (higher, louder) click.
    pub accent: Every,
    /// Sound only every 2nd or 4th step; `None` sounds every step.
    pub quiet: Every,
    /// Left foot in the left ear: even steps pan left, odd steps right.
    pub pan: bool,
    /// On/off blocks for an open-ended tempo (workouts carry their own per segment).
    pub fade: Option<FadeBlocks>,
}

impl Default for ClickSettings {
    fn default() -> Self {
        ClickSettings {
            sound: ClickSound::Click,
            volume: 0.8,
            accent: Every::None,
            quiet: Every::None,
            pan: false,
            fade: None,
        }
    }
}

impl ClickSettings {
    /// Does step `index` make a sound under the quiet pattern?
    pub fn sounds_on(&self, index: u64) -> bool {
        match self.quiet {
            Every::None => true,
            pattern => pattern.hits(index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_errors_list_the_choices() {
        for s in ClickSound::ALL {
            assert_eq!(s.name().parse::<ClickSound>().unwrap(), s);
        }
        let err = "gong".parse::<ClickSound>().unwrap_err().to_string();
        assert_eq!(
            err,
            "'gong' is not a click sound; choose one of: click, woodblock, beep, cowbell"
        );
        assert_eq!("4".parse::<Every>().unwrap(), Every::Fourth);
        assert!("3".parse::<Every>().is_err());
    }

    #[test]
    fn patterns_pick_the_right_steps() {
        let hits: Vec<u64> = (0..9).filter(|&i| Every::Fourth.hits(i)).collect();
        assert_eq!(hits, vec![0, 4, 8]);
        let quiet = ClickSettings {
            quiet: Every::Second,
            ..ClickSettings::default()
        };
        assert!(quiet.sounds_on(0) && !quiet.sounds_on(1) && quiet.sounds_on(2));
        assert!(ClickSettings::default().sounds_on(7));
    }

    #[test]
    fn fade_blocks_parse() {
        assert_eq!(
            "60/30".parse::<FadeBlocks>().unwrap(),
            FadeBlocks {
                on_secs: 60,
                off_secs: 30
            }
        );
        assert!("60".parse::<FadeBlocks>().is_err());
        assert!("0/30".parse::<FadeBlocks>().is_err());
    }
}
