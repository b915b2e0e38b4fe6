//! Shared helpers for the integration tests: running the real binary, reading WAV files and
//! finding clicks in them by their samples alone, and an independent model of where a
//! workout's beats belong.
#![allow(dead_code)]

pub mod mic;
pub mod music;
pub mod ui;
pub mod watch_files;

use std::ffi::OsStr;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The path of the binary under test, built by cargo for this test run.
pub fn program() -> &'static str {
    env!("CARGO_BIN_EXE_cadence-coach")
}

/// The binary under test, in a world of its own: see [`TestCommand`].
pub fn bin() -> TestCommand {
    TestCommand::new(Command::new(program()))
}

/// Runs the binary with `args` and returns its output, whatever its exit status.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

/// Runs the binary with `args`; fails the test, showing the command and all it printed, unless
/// it succeeded.
pub fn run_ok(args: &[&str]) -> Output {
    bin().args(args).expect_success()
}

/// Runs `cmd` and returns its output; if it did not exit with success, panics with the command
/// line, its exit status, its stdout and its stderr, so a failure says what happened.
pub fn expect_success(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{} did not run: {e}", command_line(cmd)));
    if !out.status.success() {
        panic!(
            "{} failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            command_line(cmd),
            out.status,
            stdout(&out),
            stderr(&out)
        );
    }
    out
}

/// The command as it would be typed, for failure messages.
fn command_line(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A command whose HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and data folder
/// (`CADENCE_COACH_DATA_DIR`) are fresh temporary folders, kept for as long as this value lives:
/// a test can never read or change the developer's own settings or sessions. A test may still
/// point any of them elsewhere (`.env(...)`, `--data-dir`); the last word wins. Keep the value
/// alive while a spawned child runs.
pub struct TestCommand {
    cmd: Command,
    root: tempfile::TempDir,
}

impl TestCommand {
    /// Gives `cmd` (the binary, or a wrapper that runs it) private folders.
    pub fn new(mut cmd: Command) -> TestCommand {
        let root = tempfile::tempdir().expect("a temporary folder");
        for dir in ["home", "config", "share", "data"] {
            std::fs::create_dir(root.path().join(dir)).expect("a temporary folder");
        }
        cmd.env("HOME", root.path().join("home"))
            .env("XDG_CONFIG_HOME", root.path().join("config"))
            .env("XDG_DATA_HOME", root.path().join("share"))
            .env("CADENCE_COACH_DATA_DIR", root.path().join("data"));
        TestCommand { cmd, root }
    }

    /// The private data folder the binary uses unless told otherwise.
    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// The private XDG_DATA_HOME (the platform's data folder is `cadence-coach` in it).
    pub fn data_home(&self) -> PathBuf {
        self.root.path().join("share")
    }

    /// The private config folder (where `cadence-coach/settings.ron` goes).
    pub fn config_dir(&self) -> PathBuf {
        self.root.path().join("config")
    }

    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut TestCommand
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.env(key, value);
        self
    }

    /// Runs it; see [`expect_success`].
    pub fn expect_success(&mut self) -> Output {
        expect_success(&mut self.cmd)
    }
}

impl Deref for TestCommand {
    type Target = Command;
    fn deref(&self) -> &Command {
        &self.cmd
    }
}

impl DerefMut for TestCommand {
    fn deref_mut(&mut self) -> &mut Command {
        &mut self.cmd
    }
}

/// Waits `secs` seconds of wall clock: the real window and the sound server run in real time.
pub fn sleep(secs: f64) {
    std::thread::sleep(std::time::Duration::from_secs_f64(secs));
}

/// The sessions recorded in `data`, as `history --json` lists them.
pub fn history_json(data: &Path) -> Vec<serde_json::Value> {
    let out = bin()
        .args(["history", "--json", "--data-dir"])
        .arg(data)
        .expect_success();
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .expect("history --json prints JSON")
        .as_array()
        .expect("a list of sessions")
        .clone()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A 16-bit WAV: rate, channels and interleaved samples.
pub struct Wav {
    pub rate: u32,
    pub channels: u16,
    pub samples: Vec<i16>,
}

impl Wav {
    pub fn read(path: &Path) -> Wav {
        let mut reader = hound::WavReader::open(path)
            .unwrap_or_else(|e| panic!("{} is not a readable WAV: {e}", path.display()));
        let spec = reader.spec();
        assert_eq!(spec.bits_per_sample, 16, "expected 16-bit samples");
        let samples = reader.samples::<i16>().map(|s| s.unwrap()).collect();
        Wav {
            rate: spec.sample_rate,
            channels: spec.channels,
            samples,
        }
    }

    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels)
    }

    /// The loudest channel of each frame.
    pub fn level(&self, frame: usize) -> i32 {
        let c = usize::from(self.channels);
        self.samples[frame * c..frame * c + c]
            .iter()
            .map(|&s| i32::from(s).abs())
            .max()
            .unwrap()
    }

    /// Frames where a click starts: the first frame above `threshold` after at least 40 ms
    /// at or below it. Found from the samples alone.
    pub fn onsets(&self, threshold: i32) -> Vec<u64> {
        let gap = self.rate as usize / 25;
        let mut quiet = gap;
        let mut found = Vec::new();
        for frame in 0..self.frames() {
            if self.level(frame) > threshold {
                if quiet >= gap {
                    found.push(frame as u64);
                }
                quiet = 0;
            } else {
                quiet += 1;
            }
        }
        found
    }

    /// The peak level in the 10 ms after `frame`.
    pub fn peak_after(&self, frame: u64) -> i32 {
        let from = frame as usize;
        let to = (from + self.rate as usize / 100).min(self.frames());
        (from..to).map(|f| self.level(f)).max().unwrap_or(0)
    }
}

/// Finds every click in `wav` and checks it sits exactly on the frame the model `expected`
/// (from `reference_beats`) gives its audible step; returns the clicks found.
pub fn assert_clicks_where_the_model_puts_them(
    wav: &Wav,
    expected: &[(u64, bool, usize)],
) -> Vec<u64> {
    let audible: Vec<u64> = expected.iter().filter(|b| b.1).map(|b| b.0).collect();
    let found = wav.onsets(1000);
    assert_eq!(
        found.len(),
        audible.len(),
        "found {} clicks, the workout has {} audible steps",
        found.len(),
        audible.len()
    );
    for (i, (&got, &want)) in found.iter().zip(&audible).enumerate() {
        assert_eq!(got, want, "click {i} is at frame {got}, belongs at {want}");
    }
    found
}

/// One segment of the reference model.
#[derive(Clone, Copy, Debug)]
pub struct RefSegment {
    pub secs: f64,
    pub from_spm: f64,
    pub to_spm: f64,
    pub audible: bool,
}

/// Where the beats of a workout belong, computed the long way round: steady segments from the
/// formula round(n·60·rate/spm) from the segment's first beat, ramps by bisection on the
/// integral of a tempo that changes linearly in time. The first beat of a segment is the beat
/// the previous segment's grid would have placed next. Returns (frame, audible, segment) per beat.
pub fn reference_beats(segments: &[RefSegment], rate: u32) -> Vec<(u64, bool, usize)> {
    let rate = f64::from(rate);
    let mut beats = Vec::new();
    let mut anchor = 0u64;
    let mut nominal_start = 0.0f64;
    for (index, seg) in segments.iter().enumerate() {
        let end = ((nominal_start + seg.secs) * rate).round() as u64;
        let length = (end - anchor.min(end)) as f64;
        let place = |n: u64| -> Option<u64> {
            if seg.from_spm == seg.to_spm {
                return Some((n as f64 * 60.0 * rate / seg.from_spm).round() as u64);
            }
            // phase(t) = ∫ f, with f going from f0 to f1 over `length` frames and continuing
            // on the same line past the end (that is where the "next" beat would fall).
            let f0 = seg.from_spm / 60.0 / rate;
            let f1 = seg.to_spm / 60.0 / rate;
            let slope = (f1 - f0) / length;
            let phase = |t: f64| f0 * t + slope * t * t / 2.0;
            // Search up to where a slowing tempo would reach zero, or well past the end.
            let horizon = if slope < 0.0 {
                -f0 / slope
            } else {
                2.0 * length + rate
            };
            let target = n as f64;
            if phase(horizon) < target {
                return None;
            }
            let (mut lo, mut hi) = (0.0f64, horizon);
            for _ in 0..200 {
                let mid = (lo + hi) / 2.0;
                if phase(mid) < target {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            Some(((lo + hi) / 2.0).round() as u64)
        };
        let mut n = 0;
        loop {
            match place(n).map(|o| anchor + o) {
                Some(at) if at < end => beats.push((at, seg.audible, index)),
                Some(at) => {
                    anchor = at;
                    break;
                }
                None => {
                    anchor = end;
                    break;
                }
            }
            n += 1;
        }
        nominal_start += seg.secs;
    }
    beats
}

/// Held by every test that plays real sound or drives the real window, so that on a 2-core
/// machine they do not compete for the CPU and disturb each other's timing.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Fails with a clear message if a program the test needs is not installed.
fn require_tools(tools: &[&str]) {
    for tool in tools {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "{tool} is not installed; scripts/test.sh installs it"
        );
    }
}

/// A private PulseAudio server with one null sink named `ci` at 48 kHz, for hearing what the
/// app plays without a sound card. Each test gets its own server in its own folder; dropping
/// it stops the server.
pub struct SoundServer {
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl SoundServer {
    pub fn start() -> SoundServer {
        require_tools(&["pulseaudio", "parecord", "pactl"]);
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("run");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let child = SoundServer::spawn(dir.path());
        let server = SoundServer { dir, child };
        server.wait_until_up();
        server
    }

    fn spawn(dir: &Path) -> std::process::Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("pulseaudio.log"))
            .unwrap();
        Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--load=module-native-protocol-unix",
                "--load=module-null-sink sink_name=ci rate=48000 channels=2",
            ])
            .env("XDG_RUNTIME_DIR", dir.join("run"))
            .env("HOME", dir.join("home"))
            .env_remove("PULSE_SERVER")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("pulseaudio starts")
    }

    fn wait_until_up(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let mut info = Command::new("pactl");
            info.arg("info");
            self.apply(&mut info);
            if info.output().is_ok_and(|o| o.status.success()) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "pulseaudio did not come up: {}",
                std::fs::read_to_string(self.dir.path().join("pulseaudio.log")).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// Kills the server outright, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same socket.
    pub fn restart(&mut self) {
        self.child = SoundServer::spawn(self.dir.path());
        self.wait_until_up();
    }

    /// Points a command (the app, parecord, pactl) at this server.
    pub fn apply(&self, cmd: &mut Command) {
        let runtime = self.dir.path().join("run");
        cmd.env("XDG_RUNTIME_DIR", &runtime)
            .env("HOME", self.dir.path().join("home"))
            .env(
                "PULSE_SERVER",
                format!("unix:{}", runtime.join("pulse").join("native").display()),
            );
    }

    /// Starts recording the null sink's monitor, exactly as played, to a 48 kHz stereo WAV.
    pub fn record(&self, path: &Path) -> Recorder {
        let mut cmd = Command::new("parecord");
        cmd.args([
            "-d",
            "ci.monitor",
            "--rate=48000",
            "--channels=2",
            "--format=s16le",
            "--file-format=wav",
            "--latency-msec=20",
        ])
        .arg(path);
        self.apply(&mut cmd);
        let child = cmd.spawn().expect("parecord starts");
        // Let the recording stream settle before anything plays.
        std::thread::sleep(std::time::Duration::from_millis(700));
        Recorder { child }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SoundServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Recorder {
    child: std::process::Child,
}

impl Recorder {
    /// Stops with SIGINT so parecord writes out what it buffered and closes the file.
    pub fn finish(mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Closes an app started by [`VirtualDisplay::launch`] and returns what it wrote on stderr;
/// fails if it panicked.
pub fn finish(mut app: std::process::Child) -> String {
    let _ = app.kill();
    let out = app.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "the app panicked: {err}");
    err
}

/// A private X server (Xvfb) for running the real window, 1280×900 at 24 bits. Ended (and
/// waited for) when dropped.
pub struct VirtualDisplay {
    pub name: String,
    child: std::process::Child,
}

impl VirtualDisplay {
    pub fn start() -> VirtualDisplay {
        VirtualDisplay::start_sized(1280, 900)
    }

    /// A display of `width` × `height` pixels.
    pub fn start_sized(width: u32, height: u32) -> VirtualDisplay {
        require_tools(&["Xvfb", "xdpyinfo", "xprop", "xdotool", "import"]);
        // Xvfb picks a free display number itself and reports it (-displayfd): choosing one
        // here and then starting it would race with other test processes doing the same, and
        // the loser's app would end up on the winner's display.
        // -noreset: by default Xvfb resets when its last client leaves, and a client connecting
        // during that reset is refused ("Failed to open connection to X server"); here the last
        // client is the xdpyinfo below and the next is the app, so without it the app lost that
        // race about once in twenty starts on a busy machine.
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-noreset",
                "-screen",
                "0",
                &format!("{width}x{height}x24"),
                "-nolisten",
                "tcp",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("piped")),
            &mut line,
        )
        .expect("Xvfb reports its display");
        let number: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not report a display number: {line:?}"));
        let name = format!(":{number}");
        let display = VirtualDisplay { name, child };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while !Command::new("xdpyinfo")
            .args(["-display", &display.name])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            assert!(std::time::Instant::now() < deadline, "Xvfb did not come up");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        display
    }

    /// The Xvfb process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts the real window on this display with its own config folder and `data` for
    /// sessions, sound from `server` (or from no server at all), stderr piped. `wrap` is shell
    /// run first (to set limits), which then becomes the app.
    pub fn launch(
        &self,
        server: Option<&SoundServer>,
        config: &Path,
        data: &Path,
        wrap: Option<&str>,
    ) -> std::process::Child {
        self.launch_full(server, config, data, wrap, &[])
    }

    /// As [`VirtualDisplay::launch`], with `args` for the app.
    pub fn launch_with(
        &self,
        server: Option<&SoundServer>,
        config: &Path,
        data: &Path,
        args: &[&str],
    ) -> std::process::Child {
        self.launch_full(server, config, data, None, args)
    }

    fn launch_full(
        &self,
        server: Option<&SoundServer>,
        config: &Path,
        data: &Path,
        wrap: Option<&str>,
        args: &[&str],
    ) -> std::process::Child {
        // Its folders are the caller's (`config`, `data`), which outlive the app.
        let mut cmd = match wrap {
            Some(script) => {
                let mut sh = Command::new("sh");
                sh.arg("-c")
                    .arg(format!("{script}; exec \"$@\""))
                    .arg("sh")
                    .arg(program())
                    .args(args);
                sh
            }
            None => {
                let mut app = Command::new(program());
                app.args(args);
                app
            }
        };
        match server {
            Some(s) => s.apply(&mut cmd),
            None => {
                cmd.env("XDG_RUNTIME_DIR", config).env("HOME", config).env(
                    "PULSE_SERVER",
                    format!("unix:{}/no-server-here", config.display()),
                );
            }
        }
        cmd.env("DISPLAY", &self.name)
            .env("XDG_CONFIG_HOME", config)
            .env("XDG_DATA_HOME", config)
            .env("CADENCE_COACH_DATA_DIR", data)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(std::process::Stdio::null())
            // Piped, so a start-up failure is reported with what the app said.
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the app starts")
    }

    /// Presses `key` in `window` through XTEST, as from a real keyboard (focusing it first).
    pub fn key(&self, window: &str, key: &str) {
        // A window found by its title may not be mapped yet (the window manager is still
        // framing it): X refuses to focus it with BadMatch. Try again for up to 5 s.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let out = Command::new("xdotool")
                .args(["windowfocus", "--sync", window])
                .env("DISPLAY", &self.name)
                .output()
                .unwrap_or_else(|e| panic!("xdotool runs: {e}"));
            if out.status.success() {
                break;
            }
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("BadMatch") && std::time::Instant::now() < deadline,
                "xdotool windowfocus {window} failed: {err}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        self.tool("xdotool", &["key", key]);
    }

    /// Runs an X tool (xdotool, import) against this display and returns its stdout.
    pub fn tool(&self, program: &str, args: &[&str]) -> String {
        let out = Command::new(program)
            .args(args)
            .env("DISPLAY", &self.name)
            .output()
            .unwrap_or_else(|e| panic!("{program} runs: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits for `app`'s window with this title; if the app ends first, fails with its exit
    /// status and what it wrote on stderr (when that was piped).
    pub fn wait_for_window_of(&self, title: &str, app: &mut std::process::Child) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
        loop {
            let out = Command::new("xdotool")
                // Only a mapped window: one found before it is mapped cannot take focus.
                .args(["search", "--onlyvisible", "--name", title])
                .env("DISPLAY", &self.name)
                .output()
                .expect("xdotool runs");
            if let Some(id) = String::from_utf8_lossy(&out.stdout).lines().next() {
                return id.to_string();
            }
            if let Ok(Some(status)) = app.try_wait() {
                let mut err = String::new();
                if let Some(mut pipe) = app.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut err);
                }
                panic!("the app ended before its window appeared ({status}): {err}");
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no window titled {title} appeared in 90 s (the app is still running)"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        // SIGTERM lets Xvfb remove its lock file and socket; a display left running would
        // outlive the test process.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
