//! The command line: reading it (which also decides whether the window opens, see `parse`) and
//! the subcommands, the second face of the app, sharing everything below it.
//!
//! Exit codes: 0 on success, 2 on bad usage, 1 on any other failure. Every failure is one line
//! on stderr that names the value, file or device at fault.

mod history;
mod import;
mod listen;
mod measure;
mod music;
mod package_files;
mod plan;
mod play;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::audio::Program;
use crate::cadence::{ClickSettings, ClickSound, Every, FadeBlocks, Spm};
use crate::store::load_workout;

#[derive(Debug, Parser)]
#[command(
    name = "cadence-coach",
    version,
    about = "A sample-exact click track that coaches runners to a higher, safer step rate",
    long_about = "A sample-exact click track that coaches runners to a higher, safer step rate.\n\nWithout a command, opens the app window."
)]
pub struct Cli {
    /// The data folder for sessions and plans (else CADENCE_COACH_DATA_DIR, else the one
    /// chosen in Settings, else the platform's data folder)
    // No `env =` here: the environment is read where the folder is resolved, in one place.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Open the window with this workout file loaded (Space starts it)
    #[arg(long, value_name = "FILE.ron")]
    workout: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Play the click track on the sound device, with the beat shown in the terminal
    /// (in a terminal q, Esc or Ctrl-C stops, and Up/Down ±1 spm, PageUp/PageDown ±5 spm change
    /// a steady tempo or move the rest of a workout; piped, Ctrl-C or SIGTERM stops)
    Play(PlayArgs),
    /// Write exactly what the app would play to a WAV file (for a phone or music player)
    Render(RenderArgs),
    /// List the recorded sessions
    History(HistoryArgs),
    /// Read the cadence from a watch file (FIT, TCX or GPX) onto the session it overlaps in
    /// time, or into a new session
    Import(ImportArgs),
    /// Hear the runner in a recording (WAV): cadence, step count, step times and confidence
    Measure(MeasureArgs),
    /// Hear the runner through the microphone: the cadence once a second (audio never leaves
    /// memory and is never saved)
    Listen(ListenArgs),
    /// Make a cadence ramp-up plan from your baseline to a target and print its dated sessions
    Plan(PlanArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell
    ///
    /// The package installs the bash, zsh and fish ones. Without it, for example:
    /// `cadence-coach completions bash > ~/.local/share/bash-completion/completions/cadence-coach`
    Completions(CompletionsArgs),
    /// The hidden `manpages DIR`: read by `parse`, not by the derive, so that the completions
    /// and man pages made from `Cli::command()` do not offer it.
    #[command(skip)]
    Manpages(ManpagesArgs),
}

#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
struct ManpagesArgs {
    /// The folder to write them into (made if missing)
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

#[derive(Debug, Args)]
struct PlanArgs {
    /// Your cadence at an easy run today, steps per minute
    #[arg(long, value_parser = parse_spm)]
    baseline: Spm,
    /// The cadence to reach, steps per minute (at most +10 % over the baseline without --override)
    #[arg(long, value_parser = parse_spm)]
    target: Spm,
    /// Sessions per week, 1–7
    #[arg(long, default_value_t = 3)]
    per_week: u8,
    /// Sessions per stage, 2–20 (the last one is a self-check without the click)
    #[arg(long, default_value_t = 8)]
    per_stage: u8,
    /// Step per stage in percent of the baseline, 1–5
    #[arg(long, default_value_t = 5.0, value_name = "PERCENT")]
    step: f64,
    /// Minutes of the first and the last session, e.g. 15-30 (the ones between grow evenly)
    #[arg(long, default_value = "15-30", value_parser = parse_minute_range, value_name = "FIRST-LAST")]
    minutes: (u16, u16),
    /// The first day, YYYY-MM-DD (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    start: Option<jiff::civil::Date>,
    /// Keep the click on in the second half of each stage instead of fading it
    #[arg(long)]
    no_fade: bool,
    /// Allow a target more than 10 % over the baseline (with a warning)
    #[arg(long = "override")]
    allow_over: bool,
    /// Save it as the current plan in the data folder (the window follows it)
    #[arg(long)]
    save: bool,
    /// Print the plan as JSON
    #[arg(long)]
    json: bool,
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse()
        .map_err(|_| format!("'{text}' is not a date as YYYY-MM-DD"))
}

fn parse_minute_range(text: &str) -> Result<(u16, u16), String> {
    let bad = || format!("'{text}' is not two whole minutes as FIRST-LAST, e.g. 15-30");
    let (a, b) = text.split_once('-').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

#[derive(Debug, Args)]
struct MeasureArgs {
    /// The recording: a WAV file, any rate, mono or more channels (mixed to mono)
    #[arg(value_name = "FILE.wav")]
    file: PathBuf,
    /// Print one JSON object (cadence_spm, confidence, steps in seconds, offsets_ms)
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ListenArgs {
    /// Stop after this many seconds (default: until Ctrl-C)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=86_400))]
    seconds: Option<u32>,
    /// Print one JSON object a second (t_s, cadence_spm, confidence, steps in seconds)
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The watch file: .fit, .tcx or .gpx (the format is read from the content)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Take the file as this sport on foot whatever it says (a run recorded in bike mode);
    /// without it, rides, swims and other sports whose cadence is not steps are refused
    #[arg(long, value_enum, value_name = "SPORT")]
    sport: Option<ImportSport>,
}

/// The sports on foot `import --sport` can name.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ImportSport {
    Running,
    Walking,
    Hiking,
}

impl ImportSport {
    fn foot(self) -> crate::store::import::FootSport {
        use crate::store::import::FootSport;
        match self {
            ImportSport::Running => FootSport::Running,
            ImportSport::Walking => FootSport::Walking,
            ImportSport::Hiking => FootSport::Hiking,
        }
    }
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// As CSV (one row per session, with a header)
    #[arg(long, conflicts_with = "json")]
    csv: bool,
    /// As JSON (the full records)
    #[arg(long)]
    json: bool,
}

/// What to play: a tempo (and how long), or a workout file.
#[derive(Debug, Args)]
struct ProgramArgs {
    /// Steps per minute, 100–240 in steps of 0.5
    #[arg(long, value_parser = parse_spm, required_unless_present = "workout", conflicts_with = "workout")]
    spm: Option<Spm>,
    /// A workout file in RON (segments of steady or ramping tempo, click on/off/faded)
    #[arg(long, value_name = "FILE.ron")]
    workout: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct SoundArgs {
    /// Click sound: click, woodblock, beep or cowbell
    #[arg(long, default_value = "click", value_parser = parse_sound)]
    sound: ClickSound,
    /// Accent every 2nd or 4th step, or none
    #[arg(long, default_value = "none", value_parser = parse_every, value_name = "none|2|4")]
    accent: Every,
    /// Sound only every 2nd or 4th step
    #[arg(long, default_value = "none", value_parser = parse_every, value_name = "none|2|4")]
    quiet: Every,
    /// Left foot in the left ear: alternate steps between left and right
    #[arg(long)]
    pan: bool,
    /// Volume in percent, 0–100
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u8).range(0..=100))]
    volume: u8,
    /// Faded feedback for a steady tempo: click on for ON seconds, off for OFF seconds
    #[arg(long, value_name = "ON/OFF", value_parser = parse_fade, conflicts_with = "workout")]
    fade: Option<FadeBlocks>,
}

impl SoundArgs {
    fn settings(&self) -> ClickSettings {
        ClickSettings {
            sound: self.sound,
            volume: f32::from(self.volume) / 100.0,
            accent: self.accent,
            quiet: self.quiet,
            pan: self.pan,
            fade: self.fade,
        }
    }
}

#[derive(Debug, Args)]
struct PlayArgs {
    #[command(flatten)]
    program: ProgramArgs,
    /// Stop after this many minutes (fractions allowed: 0.5); without it, play until stopped
    // Typed in minutes, held in milliseconds: the flag keeps its name.
    #[arg(id = "minutes", long = "minutes", value_name = "MINUTES", value_parser = parse_minutes, conflicts_with = "workout")]
    duration_ms: Option<u64>,
    #[command(flatten)]
    sound: SoundArgs,
    /// Hear the runner's steps through the default microphone (the app's own click removed)
    /// and show the measured cadence beside the tempo
    #[arg(long)]
    listen: bool,
    /// With --listen: end with one JSON object (cadence_spm, confidence, steps, offsets_ms,
    /// round_trip_ms); the other lines go to stderr
    #[arg(long, requires = "listen")]
    json: bool,
    /// With --listen: the click is silent while the cadence heard stays within this many spm of
    /// the tempo, and back on the next beat once it is not or is unsure (3 is a good band)
    #[arg(long, value_name = "SPM", requires = "listen", value_parser = parse_band)]
    only_when_off: Option<f64>,
    /// With --listen: the click starts at the cadence heard and moves to this tempo by at most
    /// 1.5 % at a time, waiting for the runner to follow each change
    #[arg(long, value_name = "SPM", requires = "listen", value_parser = parse_spm, conflicts_with_all = ["only_when_off", "workout"])]
    nudge_to: Option<Spm>,
    #[command(flatten)]
    music: music::MusicArgs,
}

/// A band either side of the tempo, in spm: more than 0, at most 20.
fn parse_band(text: &str) -> Result<f64, String> {
    let band: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of steps per minute"))?;
    if band > 0.0 && band <= 20.0 {
        Ok(band)
    } else {
        Err(format!(
            "a band of {band} spm either side is not one: it must be above 0 and at most 20"
        ))
    }
}

#[derive(Debug, Args)]
struct RenderArgs {
    #[command(flatten)]
    program: ProgramArgs,
    /// Length in minutes (fractions allowed: 0.5)
    #[arg(id = "minutes", long = "minutes", value_name = "MINUTES", value_parser = parse_minutes, required_unless_present = "workout", conflicts_with = "workout")]
    duration_ms: Option<u64>,
    /// The WAV file to write (16-bit PCM; as many channels as --channels gives)
    #[arg(short = 'o', long = "output", value_name = "FILE.wav")]
    output: PathBuf,
    /// Sample rate in Hz
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=192_000))]
    rate: u32,
    /// 2 for stereo (needed for --pan), 1 for a mono file half the size
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=2))]
    channels: u16,
    #[command(flatten)]
    sound: SoundArgs,
    #[command(flatten)]
    music: music::MusicArgs,
}

fn parse_spm(text: &str) -> Result<Spm, String> {
    text.parse::<Spm>().map_err(|e| e.to_string())
}

fn parse_sound(text: &str) -> Result<ClickSound, String> {
    text.parse::<ClickSound>().map_err(|e| e.to_string())
}

fn parse_every(text: &str) -> Result<Every, String> {
    text.parse::<Every>().map_err(|e| e.to_string())
}

fn parse_fade(text: &str) -> Result<FadeBlocks, String> {
    text.parse::<FadeBlocks>()
}

/// Minutes as a positive number up to a day, returned in milliseconds.
fn parse_minutes(text: &str) -> Result<u64, String> {
    let minutes: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of minutes"))?;
    if !minutes.is_finite() || minutes <= 0.0 || minutes > 1440.0 {
        return Err(format!(
            "{text} minutes is outside 0–1440 minutes (more than 0, at most 24 hours)"
        ));
    }
    Ok((minutes * 60_000.0).round() as u64)
}

impl ProgramArgs {
    /// The program to play: a workout file, or the tempo for `duration_ms` (or open-ended).
    fn program(&self, duration_ms: Option<u64>) -> anyhow::Result<Program> {
        match (&self.workout, self.spm) {
            (Some(path), _) => Ok(Program::Workout(load_workout(path)?)),
            (None, Some(spm)) => {
                if let Some(note) = spm.unusual_note() {
                    eprintln!("cadence-coach: warning: {note}");
                }
                Ok(Program::Open { spm, duration_ms })
            }
            (None, None) => anyhow::bail!("give --spm or --workout"),
        }
    }
}

/// What the command line asked for: the window (no subcommand), a subcommand, or nothing more
/// (help, version or bad usage, already answered: exit with this code).
pub enum Face {
    Window {
        data_dir: Option<PathBuf>,
        /// A workout file to load into the Run screen.
        workout: Option<PathBuf>,
    },
    Terminal(Invocation),
    Done(ExitCode),
}

/// A subcommand to run in the terminal, with the global options.
pub struct Invocation {
    command: Command,
    data_dir: Option<PathBuf>,
}

/// The whole command line: `Cli` and the hidden `manpages DIR` that scripts/package.sh runs.
fn command_line() -> clap::Command {
    use clap::Args;
    Cli::command().subcommand(ManpagesArgs::augment_args(
        clap::Command::new("manpages")
            .hide(true)
            .about("Write the man pages (the app's and one per subcommand) into DIR"),
    ))
}

/// `Cli::try_parse`, with the hidden `manpages DIR`.
fn try_parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let mut matches = command_line().try_get_matches()?;
    let cli = match matches.subcommand_matches("manpages") {
        Some(sub) => ManpagesArgs::from_arg_matches(sub).map(|args| Cli {
            data_dir: None,
            workout: None,
            command: Some(Command::Manpages(args)),
        }),
        None => Cli::from_arg_matches_mut(&mut matches),
    };
    cli.map_err(|e| e.format(&mut command_line()))
}

/// Reads the command line and says which face it asks for.
pub fn parse() -> Face {
    match try_parse() {
        Ok(Cli {
            data_dir,
            workout,
            command: None,
        }) => Face::Window { data_dir, workout },
        Ok(Cli {
            data_dir,
            command: Some(command),
            ..
        }) => Face::Terminal(Invocation { command, data_dir }),
        Err(e) => Face::Done(usage_error(e)),
    }
}

/// Runs a subcommand and turns its outcome into an exit code.
pub fn run(sub: Invocation) -> ExitCode {
    let result = match sub.command {
        Command::Play(args) => play::run(args, sub.data_dir),
        Command::Render(args) => render::run(args, sub.data_dir),
        Command::History(args) => history::run(args, &data_dir(sub.data_dir)),
        Command::Import(args) => import::run(args, &data_dir(sub.data_dir)),
        Command::Plan(args) => plan::run(args, sub.data_dir),
        Command::Completions(args) => package_files::print_completions(args.shell),
        Command::Manpages(args) => package_files::write_manpages(&args.dir),
        Command::Measure(args) => measure::run(args),
        Command::Listen(args) => listen::run(args),
    };
    exit_code(result)
}

/// The exit code and the one line on stderr for an outcome of either face.
pub fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Values that parse but that the planner refuses are bad usage, like a bad --spm.
        Err(e)
            if e.downcast_ref::<crate::cadence::plan::PlanError>()
                .is_some() =>
        {
            eprintln!(
                "cadence-coach: {} (see cadence-coach plan --help)",
                one_line(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("cadence-coach: {}", one_line(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

/// The data folder (decided by `store::data_dir::resolve_data_dir`), with the folder chosen in
/// Settings. A settings file that cannot be read is reported (it has been set aside), not
/// silently passed over.
pub(super) fn data_dir(flag: Option<PathBuf>) -> PathBuf {
    settings_and_data_dir(flag).1
}

/// The settings and the data folder, read once: for a command that needs both.
pub(super) fn settings_and_data_dir(
    flag: Option<PathBuf>,
) -> (crate::store::settings::Settings, PathBuf) {
    let (settings, note) =
        crate::store::settings::load_settings(&crate::store::settings::default_settings_path());
    if let Some(note) = note {
        eprintln!("cadence-coach: {}", one_line(&note));
    }
    let dir =
        crate::store::data_dir::resolve_data_dir(flag.as_deref(), settings.data_dir.as_deref());
    (settings, dir)
}

fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind::*;
    match e.kind() {
        DisplayHelp | DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => {
            // clap explains over several lines with usage; keep the sentence that names the
            // problem, on one line.
            let text = e.render().to_string();
            let problem: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                .collect();
            let line = problem.join(" ");
            let line = line.strip_prefix("error: ").unwrap_or(&line);
            eprintln!("cadence-coach: {line} (see cadence-coach --help)");
            ExitCode::from(2)
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_accept_fractions_and_refuse_nonsense() {
        assert_eq!(parse_minutes("0.5"), Ok(30_000));
        assert_eq!(parse_minutes("60"), Ok(3_600_000));
        assert!(parse_minutes("0").is_err());
        assert!(parse_minutes("-3").is_err());
        assert!(parse_minutes("2000").is_err());
        assert!(parse_minutes("ten").unwrap_err().contains("'ten'"));
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        command_line().debug_assert();
    }
}
