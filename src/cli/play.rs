//! `cadence-coach play`: a terminal metronome on the real sound device.
//!
//! In a terminal it draws one status line (tempo, a left/right beat lamp, elapsed and remaining
//! time, the segment and the countdown to the next) and reads keys: q, Esc or Ctrl-C stop,
//! Up/Down change the tempo by 1 spm, PageUp/PageDown by 5 (a workout's remaining tempos move
//! by as much); with `--music`, n moves to the next track and b bans the one playing. Without a
//! terminal (a script, a test) it prints a line per event instead, and stops on SIGINT or
//! SIGTERM.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::{cursor, terminal};

use serde::Serialize;

use super::PlayArgs;
use super::music::{MusicSetup, describe_track};
use crate::audio::coaching::{CoachLink, CoachView};
use crate::audio::microphone::{MicState, MicStatus, Microphone};
use crate::audio::music::MusicPlayer;
use crate::audio::{AudioEngine, DeviceState, Program, TrackHandle};
use crate::cadence::closed_loop::{ClosedLoopSummary, Coach, CoachMode, CoachSettings};
use crate::hearing::Hearing;
use crate::music::stream::NowPlaying;

/// How long after a step the lamp stays lit.
const LAMP: Duration = Duration::from_millis(120);
/// Sound still in the device's buffer when the track ends; wait for it before closing.
const DRAIN: Duration = Duration::from_millis(400);

/// Waits for the sound device and names it. No device at all ends `play` at once; a stream the
/// sound server opened but did not start (it happens just after the server starts) is tried
/// again by the engine, until `timeout`.
fn wait_for_sound(engine: &AudioEngine, timeout: Duration) -> anyhow::Result<String> {
    let deadline = Instant::now() + timeout;
    loop {
        match engine.wait_for_device(deadline.saturating_duration_since(Instant::now())) {
            DeviceState::Connected { name, rate, .. } => return Ok(format!("{name} at {rate} Hz")),
            DeviceState::Missing {
                reason: crate::audio::AudioError::NotStarted,
            } if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            DeviceState::Missing { reason } => anyhow::bail!("{reason}"),
            DeviceState::Connecting | DeviceState::Standby { .. } => {
                anyhow::bail!("the audio output device did not answer in 10 seconds")
            }
        }
    }
}

pub(super) fn run(args: PlayArgs, data_dir: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let program = args.program.program(args.duration_ms)?;
    let settings = args.sound.settings();
    let mut music = MusicSetup::scan(&args.music, data_dir);
    if let Some(why) = music.as_ref().and_then(|m| m.why_none.clone()) {
        eprintln!("cadence-coach: {why}; the click plays alone");
        music = None;
    }

    let engine = AudioEngine::start(None);
    let device_name = wait_for_sound(&engine, Duration::from_secs(10))?;
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupted.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
            .context("could not listen for Ctrl-C")?;
    }

    let mut coach = if args.listen {
        Some(CoachLink::new(coach(&args)?))
    } else {
        None
    };
    let mic = args.listen.then(|| open_microphone(program.first_spm()));
    let handle = engine.play(program, settings);
    if let Some(mic) = &mic {
        mic.follow(Some(handle.clone()));
    }
    let player = music.as_ref().map(|m| {
        handle.set_music_volume(m.volume);
        handle.set_click_muted(!m.click);
        MusicPlayer::start(handle.clone(), m.source(), m.limit)
    });
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let mut screen = if interactive {
        Screen::Live(LiveLine::new()?)
    } else if args.json {
        Screen::Quiet
    } else {
        Screen::Log
    };
    screen.note(&format!(
        "Playing {} on {device_name}. {}",
        describe(handle.program()),
        match (interactive, player.is_some()) {
            (true, false) => "q, Esc or Ctrl-C stops; Up/Down ±1 spm, PageUp/PageDown ±5 spm.",
            (true, true) =>
                "q, Esc or Ctrl-C stops; Up/Down ±1 spm, PageUp/PageDown ±5 spm; n next track, b ban it.",
            (false, _) => "Ctrl-C stops.",
        }
    ))?;
    let mut now_playing: Option<NowPlaying> = None;

    if player.is_some() && mic.is_some() {
        // The ear takes out the app's own click, not the music.
        screen.note(
            "Listening hears the music too: use headphones, or its beats may be taken for steps.",
        )?;
    }
    let mut last_segment = None;
    let mut last_device = engine.device();
    let mut heard = HeardLog::default();
    let mut stopping_since: Option<Instant> = None;
    loop {
        if let Screen::Live(_) = screen {
            while event::poll(Duration::from_millis(0)).unwrap_or(false) {
                if let Ok(Event::Key(key)) = event::read() {
                    if key.kind == KeyEventKind::Release {
                        continue;
                    }
                    match key.code {
                        KeyCode::Char('q') | KeyCode::Esc => {
                            interrupted.store(true, Ordering::SeqCst)
                        }
                        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                            interrupted.store(true, Ordering::SeqCst)
                        }
                        KeyCode::Up => change_tempo(&handle, coach.as_mut(), 1.0),
                        KeyCode::Down => change_tempo(&handle, coach.as_mut(), -1.0),
                        KeyCode::PageUp => change_tempo(&handle, coach.as_mut(), 5.0),
                        KeyCode::PageDown => change_tempo(&handle, coach.as_mut(), -5.0),
                        KeyCode::Char('n') => {
                            if let Some(player) = &player {
                                player.skip();
                            }
                        }
                        KeyCode::Char('b') => {
                            if let (Some(m), Some(now)) = (&mut music, &now_playing) {
                                let line = match m.ban(&now.path) {
                                    Ok(()) => {
                                        format!("Banned {}; it will not play again.", now.title)
                                    }
                                    Err(e) => format!(
                                        "Banned {} for this session; the ban could not be saved: {e}",
                                        now.title
                                    ),
                                };
                                screen.note(&line)?;
                                if let Some(player) = &player {
                                    player.skip();
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        if interrupted.load(Ordering::SeqCst) && stopping_since.is_none() {
            handle.stop();
            stopping_since = Some(Instant::now());
        }
        let device = engine.device();
        if device != last_device {
            screen.note(&match &device {
                DeviceState::Connected { name, .. } => format!("Sound is back on {name}."),
                DeviceState::Missing { reason } => {
                    format!("Sound lost: {reason}. The clock keeps running; reconnecting.")
                }
                DeviceState::Connecting => "Connecting to the sound device.".to_string(),
                DeviceState::Standby { name } => format!("{name} is on standby."),
            })?;
            last_device = device;
        }
        let beat = handle.beat();
        let segment = beat.map(|b| b.segment);
        if segment != last_segment {
            if let (Program::Workout(w), Some(i)) = (handle.program(), segment)
                && let Some(seg) = w.segments().get(i)
            {
                screen.note(&format!(
                    "{} Segment {}/{}: {} ({}).",
                    clock(handle.elapsed()),
                    i + 1,
                    w.segments().len(),
                    seg.name,
                    tempo_text(seg)
                ))?;
            }
            last_segment = segment;
        }
        let mic_state = mic.as_ref().map(Microphone::state);
        if let Some(link) = &mut coach {
            link.follow(&handle, mic_state.as_ref());
        }
        if let Some(state) = &mic_state {
            let view = coach.as_ref().map(|c| c.view());
            heard.follow(state, view, &handle, &mut screen)?;
        }
        // The tempo playing is the ear's prior (a workout's changes as they come).
        if let (Some(mic), Some(beat)) = (&mic, handle.beat()) {
            mic.set_target(crate::cadence::Spm::new(f64::from(beat.milli_spm) / 1000.0).ok());
        }
        if let Some(player) = &player {
            for note in player.take_notes() {
                screen.note(&format!("Music: {note}"))?;
            }
            for started in player.take_started() {
                let at = started.started / u64::from(handle.rate().max(1));
                screen.note(&format!(
                    "{} Now playing {}.",
                    crate::cadence::clock_text(at),
                    describe_track(&started)
                ))?;
            }
            now_playing = player.now();
        }
        if let Screen::Live(line) = &mut screen {
            let mut text = status_line(&handle, &last_device);
            if let Some(now) = &now_playing {
                text.push_str(&format!("  music {:+.1} %", now.stretch * 100.0));
            }
            if let Some(state) = &mic_state {
                text.push_str(&heard_text(state));
            }
            if let Some(link) = &coach {
                text.push_str(&coach_text(&link.view()));
            }
            line.draw(&text)?;
        }
        if handle.finished() || stopping_since.is_some_and(|t| t.elapsed() > Duration::from_secs(2))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(15));
    }
    std::thread::sleep(DRAIN);
    let steps = handle.beat().map_or(0, |b| b.index + 1);
    let how = if stopping_since.is_some() {
        "Stopped"
    } else {
        "Finished"
    };
    let mut closing = format!(
        "{how} after {} with {steps} steps.",
        clock(handle.elapsed())
    );
    if let Some(mic) = &mic {
        closing.push(' ');
        closing.push_str(&heard_summary(heard.last.as_ref()));
        if let Some(rt) = mic.state().round_trip {
            heard.round_trip = Some(rt);
        }
    }
    if let Some(link) = &coach {
        let summary = link.finish(&handle);
        closing.push(' ');
        closing.push_str(&coach_summary(&summary));
        heard.coach = Some(summary);
    }
    screen.note(&closing)?;
    drop(screen);
    drop(player);
    drop(mic);
    drop(engine);
    if args.json {
        println!("{}", serde_json::to_string(&heard.json())?);
    }
    Ok(())
}

/// Opens the microphone before the first click, so the round-trip check hears it come back;
/// a microphone that does not open is said once and the session plays on.
fn open_microphone(target: crate::cadence::Spm) -> Microphone {
    let mic = Microphone::start(Some(target));
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        match mic.state().status {
            MicStatus::Opening => std::thread::sleep(Duration::from_millis(20)),
            _ => break,
        }
    }
    // Let the input settle: its first callbacks place the clicks in its frames.
    std::thread::sleep(Duration::from_millis(300));
    mic
}

/// What the microphone heard over the session, for the lines printed and the JSON at the end.
#[derive(Default)]
struct HeardLog {
    status: Option<MicStatus>,
    /// The latest reading of a runner.
    last: Option<Hearing>,
    last_said: Option<Instant>,
    round_trip: Option<crate::audio::microphone::RoundTrip>,
    /// What the click did with it, at the end.
    coach: Option<ClosedLoopSummary>,
}

/// `play --listen --json`: what the microphone heard in the last seconds of the session.
#[derive(Serialize)]
struct HeardJson {
    cadence_spm: Option<f64>,
    confidence: f64,
    /// Seconds on the session's clock.
    steps: Vec<f64>,
    /// Each step against its click: negative early, positive late.
    offsets_ms: Vec<f64>,
    round_trip_ms: Option<f64>,
    /// False when the clicks did not come back (headphones) and the round trip is the devices'.
    round_trip_heard: Option<bool>,
    /// "every click", "click when off" or "guided nudge".
    mode: Option<&'static str>,
    /// Session seconds with a trusted cadence, and of them within ±band of the tempo.
    measured_s: Option<f64>,
    time_in_band_s: Option<f64>,
    clicks_heard: Option<u64>,
    clicks_silent: Option<u64>,
    nudges: Option<u32>,
}

impl HeardLog {
    fn follow(
        &mut self,
        state: &MicState,
        coach: Option<CoachView>,
        handle: &TrackHandle,
        screen: &mut Screen,
    ) -> anyhow::Result<()> {
        if self.status.as_ref() != Some(&state.status) {
            match &state.status {
                MicStatus::Listening { device, rate } => {
                    screen.note(&format!("Listening to {device} at {rate} Hz."))?
                }
                MicStatus::Unavailable(why) => {
                    screen.note(&format!("Not listening: {why}. The session plays on."))?
                }
                MicStatus::Opening => {}
            }
            self.status = Some(state.status.clone());
        }
        if state.round_trip.is_some() && self.round_trip.is_none() {
            self.round_trip = state.round_trip;
            if let Some(rt) = state.round_trip {
                screen.note(&if rt.heard {
                    format!("The click comes back in {:.0} ms.", rt.ms)
                } else {
                    format!(
                        "The click was not heard back (headphones?); taking {:.0} ms of latency.",
                        rt.ms
                    )
                })?;
            }
        }
        if state.hearing.is_some() {
            self.last = state.hearing.clone();
        }
        // Without a live line, a line every 5 s says what is heard.
        if !matches!(screen, Screen::Live(_))
            && self
                .last_said
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(5))
            && state.heard_s >= 5.0
        {
            self.last_said = Some(Instant::now());
            let coach = coach.map_or_else(String::new, |c| coach_text(&c));
            screen.note(&format!(
                "{} {}{coach}",
                clock(handle.elapsed()),
                heard_summary(state.hearing.as_ref())
            ))?;
        }
        Ok(())
    }

    fn json(&self) -> HeardJson {
        let round = super::measure::rounded;
        let h = self.last.as_ref();
        HeardJson {
            cadence_spm: h.map(|h| round(h.cadence_spm, 2)),
            confidence: h.map_or(0.0, |h| round(h.confidence, 3)),
            steps: h.map_or_else(Vec::new, |h| {
                h.step_times_s().into_iter().map(|t| round(t, 3)).collect()
            }),
            offsets_ms: h.map_or_else(Vec::new, |h| {
                h.offsets_ms().into_iter().map(|o| round(o, 1)).collect()
            }),
            round_trip_ms: self.round_trip.map(|r| round(r.ms, 1)),
            round_trip_heard: self.round_trip.map(|r| r.heard),
            mode: self.coach.map(|c| c.mode.name()),
            measured_s: self.coach.map(|c| round(c.measured_s, 2)),
            time_in_band_s: self.coach.map(|c| round(c.in_band_s, 2)),
            clicks_heard: self.coach.map(|c| c.clicks_heard),
            clicks_silent: self.coach.map(|c| c.clicks_silent),
            nudges: self.coach.map(|c| c.nudges),
        }
    }
}

/// "Heard 166.2 spm (sure), landing 12 ms late on average." or that no runner was heard.
fn heard_summary(hearing: Option<&Hearing>) -> String {
    let Some(h) = hearing else {
        return "No running steps heard.".into();
    };
    let sure = if h.confidence >= SURE {
        "sure"
    } else {
        "unsure"
    };
    let offsets = h.offsets_ms();
    let landing = if offsets.is_empty() {
        String::new()
    } else {
        let mean = offsets.iter().sum::<f64>() / offsets.len() as f64;
        format!(
            ", landing {:.0} ms {} on average",
            mean.abs(),
            if mean < 0.0 { "early" } else { "late" }
        )
    };
    format!("Heard {:.1} spm ({sure}){landing}.", h.cadence_spm)
}

/// The coach for `play --listen`, from its flags.
fn coach(args: &PlayArgs) -> anyhow::Result<Coach> {
    let settings = match (args.only_when_off, args.nudge_to) {
        (Some(band), _) => CoachSettings::when_off(band),
        (None, Some(_)) => CoachSettings {
            mode: CoachMode::Nudge,
            ..CoachSettings::default()
        },
        (None, None) => CoachSettings::default(),
    };
    Ok(Coach::new(settings, args.nudge_to)?)
}

/// The part of a line the closed loop adds: "  [click when off: quiet, 0:42 in band]".
fn coach_text(view: &CoachView) -> String {
    let mut in_band = format!(
        "{} in band",
        clock(Duration::from_secs_f64(view.in_band_s.max(0.0)))
    );
    if let Some(off) = view.fade_off_secs {
        in_band.push_str(&format!(", silent blocks {off} s"));
    }
    match view.mode {
        CoachMode::Always => format!("  [{in_band}]"),
        CoachMode::WhenOff => format!(
            "  [click when off: {}, {in_band}]",
            if view.quiet { "quiet" } else { "clicking" }
        ),
        CoachMode::Nudge => match view.nudge_tempo {
            Some(tempo) => format!(
                "  [nudge: {tempo} spm after {} changes, {in_band}]",
                view.nudges
            ),
            None => "  [nudge: waiting for your cadence]".to_string(),
        },
    }
}

/// "Click when off: 0:31 of 0:40 measured in band; 45 clicks heard, 70 silent."
fn coach_summary(s: &ClosedLoopSummary) -> String {
    let time = |secs: f64| clock(Duration::from_secs_f64(secs.max(0.0)));
    let mut text = format!(
        "{}: {} of {} measured in band; {} clicks heard, {} silent",
        capitalised(s.mode.name()),
        time(s.in_band_s),
        time(s.measured_s),
        s.clicks_heard,
        s.clicks_silent
    );
    if s.mode == CoachMode::Nudge {
        text.push_str(&format!(
            "; {} tempo change{}",
            s.nudges,
            if s.nudges == 1 { "" } else { "s" }
        ));
    }
    text.push('.');
    text
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A reading this confident is shown as sure.
const SURE: f64 = 0.6;

/// The part of the live line the microphone adds.
fn heard_text(state: &MicState) -> String {
    match (&state.status, &state.hearing) {
        (MicStatus::Unavailable(_), _) => "  [not listening]".into(),
        (_, Some(h)) => format!(
            "  heard {:.1}{}",
            h.cadence_spm,
            if h.confidence >= SURE { "" } else { "?" }
        ),
        (_, None) => "  heard --".into(),
    }
}

/// Up/Down with the guided nudge under way: its target moves, and the nudge heads there by its
/// own small changes; otherwise as [`nudge`].
fn change_tempo(handle: &TrackHandle, coach: Option<&mut CoachLink>, delta: f64) {
    if let Some(link) = coach
        && let Some(target) = link.coach().nudge_target()
    {
        link.retarget(target.nudged(delta));
        return;
    }
    nudge(handle, delta);
}

/// Up/Down: an open tempo changes; a workout's remaining tempos move (up to 20 spm either way).
fn nudge(handle: &TrackHandle, delta: f64) {
    match handle.program() {
        Program::Open { .. } => handle.set_spm(handle.spm().nudged(delta)),
        Program::Workout(_) => {
            let half = handle.shift() + (delta * 2.0).round() as i32;
            handle.set_shift(half.clamp(-40, 40));
        }
    }
}

fn describe(program: &Program) -> String {
    match program {
        Program::Open {
            spm,
            duration_ms: Some(ms),
        } => format!("{spm} spm for {}", clock(Duration::from_millis(*ms))),
        Program::Open { spm, .. } => format!("{spm} spm"),
        Program::Workout(w) => format!(
            "workout '{}' ({} segments, {})",
            w.name(),
            w.segments().len(),
            clock(Duration::from_millis(w.duration_ms()))
        ),
    }
}

fn tempo_text(seg: &crate::cadence::Segment) -> String {
    use crate::cadence::{Click, Tempo};
    let tempo = match seg.tempo {
        Tempo::Steady(spm) => format!("{spm} spm"),
        Tempo::Ramp { from, to } => format!("{from} → {to} spm"),
    };
    match seg.click {
        Click::On => tempo,
        Click::Off => format!("{tempo}, click off"),
        Click::Faded { on_secs, off_secs } => {
            format!("{tempo}, click {on_secs} s on / {off_secs} s off")
        }
    }
}

fn clock(d: Duration) -> String {
    crate::cadence::clock_text(d.as_secs())
}

/// The live line: tempo, lamp, time, segment and countdown.
fn status_line(handle: &TrackHandle, device: &DeviceState) -> String {
    let elapsed = handle.elapsed();
    let beat = handle.beat();
    let rate = u64::from(handle.rate().max(1));
    let lamp = match beat {
        Some(b)
            if handle.frames().saturating_sub(b.frame) * 1000 / rate < LAMP.as_millis() as u64 =>
        {
            if !b.sounded {
                if b.index % 2 == 0 { "(o)   " } else { "   (o)" }
            } else if b.index % 2 == 0 {
                "(L)   "
            } else {
                "   (R)"
            }
        }
        _ => "      ",
    };
    let spm = match (handle.program(), beat) {
        (Program::Workout(_), Some(b)) => format!("{:.1}", f64::from(b.milli_spm) / 1000.0),
        _ => handle.spm().to_string(),
    };
    let mut text = format!("{spm:>5} spm {lamp}  {}", clock(elapsed));
    if let Some(total_ms) = handle.program().duration_ms() {
        let left = Duration::from_millis(total_ms).saturating_sub(elapsed);
        text.push_str(&format!(" (-{})", clock(left)));
    }
    if let (Program::Workout(w), Some(b)) = (handle.program(), beat)
        && let Some(seg) = w.segments().get(b.segment)
    {
        text.push_str(&format!("  {}", seg.name));
        if handle.shift() != 0 {
            text.push_str(&format!(
                " ({})",
                crate::cadence::shift_text(handle.shift())
            ));
        }
        if let Some(next_ms) = w.segment_starts_ms().nth(b.segment + 1) {
            let until = Duration::from_millis(next_ms).saturating_sub(elapsed);
            text.push_str(&format!(", next in {}", clock(until)));
        }
    }
    if matches!(device, DeviceState::Missing { .. }) {
        text.push_str("  [no sound: reconnecting]");
    }
    text
}

enum Screen {
    Live(LiveLine),
    Log,
    /// `--json`: lines go to stderr, stdout keeps the JSON alone.
    Quiet,
}

impl Screen {
    fn note(&mut self, text: &str) -> anyhow::Result<()> {
        match self {
            Screen::Live(line) => line.note(text),
            Screen::Log => {
                println!("{text}");
                Ok(())
            }
            Screen::Quiet => {
                eprintln!("{text}");
                Ok(())
            }
        }
    }
}

/// A status line redrawn in place, with the terminal in raw mode for single keys. Restores the
/// terminal when dropped, also on an error or panic unwinding through `run`.
struct LiveLine {
    out: std::io::Stdout,
    last: String,
}

impl LiveLine {
    fn new() -> anyhow::Result<LiveLine> {
        terminal::enable_raw_mode().context("could not put the terminal in key-by-key mode")?;
        let mut out = std::io::stdout();
        crossterm::execute!(out, cursor::Hide)?;
        Ok(LiveLine {
            out,
            last: String::new(),
        })
    }

    fn draw(&mut self, text: &str) -> anyhow::Result<()> {
        if text != self.last {
            crossterm::execute!(
                self.out,
                cursor::MoveToColumn(0),
                terminal::Clear(terminal::ClearType::CurrentLine)
            )?;
            write!(self.out, "{text}")?;
            self.out.flush()?;
            self.last = text.to_string();
        }
        Ok(())
    }

    fn note(&mut self, text: &str) -> anyhow::Result<()> {
        crossterm::execute!(
            self.out,
            cursor::MoveToColumn(0),
            terminal::Clear(terminal::ClearType::CurrentLine)
        )?;
        // Raw mode: a newline does not return the carriage by itself.
        write!(self.out, "{text}\r\n")?;
        self.last.clear();
        self.out.flush()?;
        Ok(())
    }
}

impl Drop for LiveLine {
    fn drop(&mut self) {
        let _ = crossterm::execute!(self.out, cursor::Show);
        let _ = terminal::disable_raw_mode();
    }
}
