//! Form cues and the warm-up, stretching and strength checklists, in the app's own words, each
//! cue with how strong the evidence behind it is. Sources are listed in the project's evidence
//! notes; the app never presents a rule of thumb as science.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How well studied a piece of advice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Evidence {
    /// Several controlled studies agree.
    Strong,
    /// Some studies support it, with gaps or trade-offs.
    Moderate,
    /// Coaching experience or mixed findings; not established.
    Weak,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Evidence::Strong => "strong evidence",
            Evidence::Moderate => "moderate evidence",
            Evidence::Weak => "weak evidence",
        })
    }
}

/// One thing to think about while running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormCue {
    /// Short enough to read from the treadmill.
    pub title: &'static str,
    pub what_to_do: &'static str,
    pub what_to_feel: &'static str,
    pub common_mistake: &'static str,
    pub drill: &'static str,
    pub evidence: Evidence,
    /// Why the evidence is rated so, in a sentence.
    pub evidence_note: &'static str,
}

pub const CUES: [FormCue; 7] = [
    FormCue {
        title: "Shorter, quicker steps",
        what_to_do: "Land each step on the click. Keep your speed and take more, smaller steps.",
        what_to_feel: "Light, quiet feet; less bounce up and down.",
        common_mistake: "Speeding up instead of shortening the step.",
        drill: "One minute at the click, one minute without it, trying to keep the same rhythm.",
        evidence: Evidence::Strong,
        evidence_note: "A 5–10 % higher step rate lowered knee and hip loading in several lab studies and gait-retraining trials.",
    },
    FormCue {
        title: "Land under your hips",
        what_to_do: "Let the foot come down close beneath your body, not out in front of it.",
        what_to_feel: "The foot touches down as your body passes over it, not as a brake ahead of you.",
        common_mistake: "Reaching forward with the foot to cover more ground.",
        drill: "Run in place for 20 s, then drift forward keeping the same landing spot under you.",
        evidence: Evidence::Moderate,
        evidence_note: "A quicker cadence brings foot contact closer to the hip, and braking grows with the distance ahead of it; no study gives a safe distance.",
    },
    FormCue {
        title: "Don't overstride",
        what_to_do: "Aim for a shin close to vertical when the foot lands.",
        what_to_feel: "No jolt through the heel and knee at contact.",
        common_mistake: "A straight knee and a heel planted far in front.",
        drill: "Watch your step length on the Run screen: it should shrink as cadence rises at the same speed.",
        evidence: Evidence::Moderate,
        evidence_note: "Overstriding adds braking, but there is no validated number for it, so the app shows a trend rather than a pass or fail.",
    },
    FormCue {
        title: "Lean slightly from the ankles",
        what_to_do: "Run tall and let the whole body tip a little forward from the ankles.",
        what_to_feel: "Gravity drawing you forward, hips staying over the feet.",
        common_mistake: "Bending at the waist, which folds the hips back.",
        drill: "Stand tall, tip forward from the ankles until you must step, and jog off from that lean.",
        evidence: Evidence::Weak,
        evidence_note: "More trunk lean moves work from the knee to the hip, but leaning costs energy and the ankle-versus-waist difference was not measurable.",
    },
    FormCue {
        title: "Midfoot, gently",
        what_to_do: "Let the foot land flat-ish under you; never force a toe landing.",
        what_to_feel: "A soft, even contact rather than a slap or a heel thud.",
        common_mistake: "Rising onto the toes, which overloads the calves and Achilles.",
        drill: "Barefoot-feel strides on grass: 4 × 20 s at easy pace, relaxed feet.",
        evidence: Evidence::Moderate,
        evidence_note: "A forefoot or midfoot landing lowers impact and knee stress but loads the calf and Achilles more; change it slowly, if at all.",
    },
    FormCue {
        title: "Relaxed arms",
        what_to_do: "Swing the arms forward and back from the shoulder, hands loose, elbows near 90°.",
        what_to_feel: "Shoulders low and loose; the arms keep time with the legs.",
        common_mistake: "Arms crossing the body or shoulders creeping up.",
        drill: "Shake out the hands every few minutes; for 30 s let the arms set the rhythm.",
        evidence: Evidence::Weak,
        evidence_note: "A coaching convention; it has not been tested for injury or economy.",
    },
    FormCue {
        title: "Tall, soft knees",
        what_to_do: "Stand tall with the core lightly engaged and let the knees bend softly on landing.",
        what_to_feel: "A spring that gives a little, not a stiff pole.",
        common_mistake: "Slumping at the end of a run or landing on a locked knee.",
        drill: "Each time the cue appears: one breath in, grow tall, let the shoulders drop.",
        evidence: Evidence::Weak,
        evidence_note: "A coaching convention; a higher cadence does lower peak knee bend, which is well studied.",
    },
];

/// A checklist on the Form screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checklist {
    pub title: &'static str,
    pub note: &'static str,
    pub items: &'static [&'static str],
}

pub const CHECKLISTS: [Checklist; 3] = [
    Checklist {
        title: "Warm-up",
        note: "Five to ten minutes before the first fast step.",
        items: &[
            "5 minutes of brisk walking or easy jogging",
            "Leg swings, forward and sideways: 10 each leg",
            "Hip circles: 10 each way",
            "Walking lunges: 10 steps",
            "A-skips: 2 × 15 m",
            "Two relaxed strides at the session's cadence",
        ],
    },
    Checklist {
        title: "After the run: stretches",
        note: "Hold each gently for about 30 seconds per side; no bouncing, no pain.",
        items: &[
            "Hamstrings",
            "Quadriceps",
            "Hip flexors",
            "Calves (straight and bent knee)",
            "Glutes",
        ],
    },
    Checklist {
        title: "Back and core strength",
        note: "Two or three times a week. Back pain that persists, or pain when running, is for a clinician to see.",
        items: &[
            "Plank: 3 × 30 s",
            "Glute bridge: 3 × 12",
            "Back extension: 3 × 10",
            "Kneeling superman (bird dog): 3 × 8 each side",
            "Seated medicine-ball rotation: 3 × 10 each side",
        ],
    },
];

/// Which cue to show: one at a time, the next every `interval_secs`, unless one is pinned.
pub fn cue_at(elapsed_secs: u64, interval_secs: u64, pinned: Option<usize>) -> usize {
    if let Some(i) = pinned.filter(|&i| i < CUES.len()) {
        return i;
    }
    let interval = interval_secs.max(1);
    (elapsed_secs / interval) as usize % CUES.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cue_is_complete() {
        for cue in CUES {
            for text in [
                cue.title,
                cue.what_to_do,
                cue.what_to_feel,
                cue.common_mistake,
                cue.drill,
                cue.evidence_note,
            ] {
                assert!(!text.trim().is_empty(), "{} has an empty field", cue.title);
            }
            assert!(
                cue.title.len() <= 32,
                "{} is too long to read from a treadmill",
                cue.title
            );
        }
    }

    #[test]
    fn cues_rotate_on_the_interval_unless_pinned() {
        assert_eq!(cue_at(0, 120, None), 0);
        assert_eq!(cue_at(119, 120, None), 0);
        assert_eq!(cue_at(120, 120, None), 1);
        assert_eq!(cue_at(120 * 7, 120, None), 0);
        assert_eq!(cue_at(500, 120, Some(3)), 3);
        assert_eq!(cue_at(0, 0, None), 0);
    }
}
