//! What a screen can ask for, and which screen is shown. Screens return `Command`s; only
//! `CoachApp::apply` acts on them, in one exhaustive `match`, so a command that nothing
//! handles does not compile.

use std::path::PathBuf;

use crate::cadence::Spm;
use crate::store::settings::Settings;

/// The screens of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    Run,
    Plan,
    Progress,
    Review,
    Form,
    Settings,
}

/// What the user asked for; only `CoachApp::apply` acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    StartStop,
    Nudge(f64),
    SetTarget(Spm),
    /// A cadence asked for that is not valid: why; the message adds that the old one stays.
    Refuse(String),
    UpdateSettings(Box<Settings>),
    /// Keep the data in this folder (typed on Settings): it is created if needed.
    UseDataDir(PathBuf),
    Tap(f64),
    ResetTaps,
    LoadWorkout(PathBuf),
    ClearWorkout,
    PinCue(Option<usize>),
    NextCue,
    RetryAudio,
    FindDevices,
    Show(Screen),
    SaveReview,
    SkipReview,
    /// Leave the review for a new run: what was filled in is saved, an untouched review waits.
    LeaveReview,
    /// Review (or edit the review of) the session with this id.
    EditReview(String),
    /// Plot this session's tempo.
    SelectSession(String),
    /// Ask before deleting this session.
    AskDelete(String),
    ConfirmDelete,
    CancelDelete,
    UndoDelete,
    ExportCsv,
    /// Import watch files (typed on Progress, or dropped on the window).
    ImportFiles(Vec<PathBuf>),
    /// Make a plan from the Plan screen's inputs, and save it.
    MakePlan,
    /// Load the plan's next session into the Run screen.
    StartPlanned,
    /// Run this stage of the plan once more.
    RepeatStage(usize),
    /// A footfall tapped in the Plan screen's baseline test.
    PlanTap(f64),
    /// Turn listening to the runner's steps on the microphone on or off.
    Listen(bool),
    /// Play music from this folder (typed on the Music panel): kept in Settings and scanned.
    MusicFolder(PathBuf),
    /// Play this track next (when it fits the tempo).
    MusicQueue(PathBuf),
    /// Move on to the next track.
    MusicSkip,
    /// Never play the track playing again.
    MusicBan,
    /// Let every banned track play again.
    MusicUnbanAll,
}
