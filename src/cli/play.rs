//! `cadence-coach play`: a terminal metronome on the real sound device.
//!
//! In a terminal it draws one status line (tempo, a left/right beat lamp, elapsed and remaining
//! time, the segment and the countdown to the next) and reads keys: q, Esc or Ctrl-C stop,
//! Up/Down change the tempo by 1 spm, PageUp/PageDown by 5 (a workout's remaining tempos move
//! by as much). Without a terminal (a script, a
//! test) it prints a line per event instead, and stops on SIGINT or SIGTERM.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::{cursor, terminal};

use super::PlayArgs;
use crate::audio::{AudioEngine, DeviceState, Program, TrackHandle};

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

pub(super) fn run(args: PlayArgs) -> anyhow::Result<()> {
    let program = args.program.program(args.duration_ms)?;
    let settings = args.sound.settings();

    let engine = AudioEngine::start(None);
    let device_name = wait_for_sound(&engine, Duration::from_secs(10))?;
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupted.clone();
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
            .context("could not listen for Ctrl-C")?;
    }

    let handle = engine.play(program, settings);
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let mut screen = if interactive {
        Screen::Live(LiveLine::new()?)
    } else {
        Screen::Log
    };
    screen.note(&format!(
        "Playing {} on {device_name}. {}",
        describe(handle.program()),
        if interactive {
            "q, Esc or Ctrl-C stops; Up/Down ±1 spm, PageUp/PageDown ±5 spm."
        } else {
            "Ctrl-C stops."
        }
    ))?;

    let mut last_segment = None;
    let mut last_device = engine.device();
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
                        KeyCode::Up => nudge(&handle, 1.0),
                        KeyCode::Down => nudge(&handle, -1.0),
                        KeyCode::PageUp => nudge(&handle, 5.0),
                        KeyCode::PageDown => nudge(&handle, -5.0),
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
        if let Screen::Live(line) = &mut screen {
            line.draw(&status_line(&handle, &last_device))?;
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
    screen.note(&format!(
        "{how} after {} with {steps} steps.",
        clock(handle.elapsed())
    ))?;
    drop(screen);
    drop(engine);
    Ok(())
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
}

impl Screen {
    fn note(&mut self, text: &str) -> anyhow::Result<()> {
        match self {
            Screen::Live(line) => line.note(text),
            Screen::Log => {
                println!("{text}");
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
