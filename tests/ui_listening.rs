//! Listening in the window, headless with egui_kittest and a scripted listener in place of the
//! microphone: off until turned on (and nothing opened), the indicator while on, the cadence
//! heard beside the target with its confidence cue and the step timing, an unavailable
//! microphone said in one sentence while the session goes on, the series saved with the
//! session and filling in the review, recorded while the window is hidden, and a plan's
//! self-check measured by it.

mod support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cadence_coach::audio::microphone::{MicState, MicStatus, RoundTrip};
use cadence_coach::audio::{AudioEngine, Listener, TrackHandle};
use cadence_coach::cadence::Spm;
use cadence_coach::cadence::plan::Feedback;
use cadence_coach::cadence::session::{MICROPHONE, PlanLink, SessionRecord};
use cadence_coach::hearing::{Footfall, Hearing};
use cadence_coach::store::sessions::load_sessions;
use cadence_coach::store::settings::load_settings;
use cadence_coach::ui::{CoachApp, Command, Screen};
use eframe::egui::{Key, Rect, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable};
use support::ui::replace_text;

/// What the scripted listener says, and what the app did with it.
#[derive(Clone)]
struct Script {
    state: Arc<Mutex<MicState>>,
    /// Listeners opened, and open now.
    opened: Arc<AtomicUsize>,
    open: Arc<AtomicUsize>,
    /// Every `follow` call: whether it was given a track.
    followed: Arc<Mutex<Vec<bool>>>,
    targets: Arc<Mutex<Vec<Option<Spm>>>>,
}

impl Script {
    fn new() -> Script {
        Script {
            state: Arc::new(Mutex::new(MicState {
                status: MicStatus::Opening,
                hearing: None,
                heard_s: 0.0,
                round_trip: None,
            })),
            opened: Arc::default(),
            open: Arc::default(),
            followed: Arc::default(),
            targets: Arc::default(),
        }
    }

    fn set(&self, status: MicStatus, hearing: Option<Hearing>) {
        let mut state = self.state.lock().unwrap();
        state.status = status;
        state.hearing = hearing;
    }

    fn open_now(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

struct Scripted(Script);

impl Listener for Scripted {
    fn state(&self) -> MicState {
        self.0.state.lock().unwrap().clone()
    }

    fn set_target(&self, target: Option<Spm>) {
        self.0.targets.lock().unwrap().push(target);
    }

    fn follow(&self, track: Option<TrackHandle>) {
        self.0.followed.lock().unwrap().push(track.is_some());
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

fn listening(device: &str) -> MicStatus {
    MicStatus::Listening {
        device: device.into(),
        rate: 48_000,
    }
}

/// A runner heard at `spm` with `confidence`, the last steps landing `late_ms` after the click.
fn hearing(spm: f64, confidence: f64, late_ms: f64) -> Option<Hearing> {
    let steps = (0..20)
        .map(|i| Footfall {
            at_s: f64::from(i) * 60.0 / spm,
            click_offset_ms: Some(late_ms + if i % 2 == 0 { 3.0 } else { -3.0 }),
        })
        .collect();
    Some(Hearing {
        cadence_spm: spm,
        confidence,
        steps,
    })
}

fn app(dir: &Path, size: [f32; 2], script: &Script) -> Harness<'static, CoachApp> {
    let settings = dir.join("settings.ron");
    let data = dir.join("data");
    let script = script.clone();
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(0.05)
        .build_eframe(move |cc| {
            let script = script.clone();
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
            .with_listener(move |target| {
                script.opened.fetch_add(1, Ordering::SeqCst);
                script.open.fetch_add(1, Ordering::SeqCst);
                script.targets.lock().unwrap().push(target);
                Box::new(Scripted(script.clone()))
            })
        });
    h.run();
    h
}

fn advance(h: &mut Harness<'static, CoachApp>, by: Duration) {
    h.state().engine.advance(by);
    h.run();
}

fn play(h: &mut Harness<'static, CoachApp>, secs: u64) {
    for _ in 0..secs {
        advance(h, Duration::from_secs(1));
    }
}

/// The accessible label of a node whose label starts with `start`, if one is on show.
fn label_starting(h: &Harness<'_, CoachApp>, start: &str) -> Option<String> {
    h.query_all(By::new().predicate(|n| n.value().is_some_and(|l| l.starts_with(start))))
        .next()
        .and_then(|n| n.value())
}

fn saved(dir: &Path) -> SessionRecord {
    let (sessions, damaged) = load_sessions(&dir.join("data"));
    assert!(damaged.is_empty(), "{damaged:?}");
    assert_eq!(sessions.len(), 1, "one session file");
    sessions.into_iter().next().unwrap()
}

#[test]
fn listening_is_off_until_turned_on_and_the_microphone_is_open_only_while_on() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::new();
    let mut h = app(dir.path(), [1366.0, 768.0], &script);
    assert!(!h.state().settings.listening);
    h.key_press(Key::Space);
    h.run();
    play(&mut h, 3);
    assert_eq!(
        script.opened.load(Ordering::SeqCst),
        0,
        "no microphone opened"
    );
    assert!(label_starting(&h, "Heard").is_none());
    assert!(h.query_by_label_contains("Listening").is_none());

    // Turned on while the session plays: opened once, following the session's clicks.
    h.get_by_label("Listen").click();
    h.run();
    assert_eq!(script.open_now(), 1);
    assert_eq!(*script.followed.lock().unwrap(), [true]);
    assert_eq!(
        script.targets.lock().unwrap().first().copied().flatten(),
        Some(Spm::new(170.0).unwrap()),
        "the ear is told the target"
    );
    assert!(
        h.query_by_label("Listening: opening the microphone…")
            .is_some()
    );
    script.set(listening("Laptop microphone"), None);
    play(&mut h, 1);
    assert!(h.query_by_label("Listening: Laptop microphone").is_some());
    assert!(
        h.query_by_label("Listening").is_some(),
        "the switch shows it too"
    );
    // Once the round-trip check is done, the line says what it measured.
    script.state.lock().unwrap().round_trip = Some(RoundTrip {
        ms: 241.6,
        output_ms: 220.0,
        heard: true,
    });
    play(&mut h, 1);
    assert!(
        h.query_by_label("Listening: Laptop microphone · click back in 242 ms")
            .is_some()
    );
    script.state.lock().unwrap().round_trip = Some(RoundTrip {
        ms: 190.0,
        output_ms: 170.0,
        heard: false,
    });
    play(&mut h, 1);
    assert!(
        h.query_by_label("Listening: Laptop microphone · click not heard back (headphones?)")
            .is_some()
    );

    // Stopped, it keeps listening but follows no session; off, it is closed.
    h.key_press(Key::Space);
    h.run();
    assert_eq!(*script.followed.lock().unwrap(), [true, false]);
    h.state_mut().apply(Command::SkipReview);
    h.run();
    h.get_by_label("Listening").click();
    h.run();
    assert_eq!(script.open_now(), 0, "turned off, the microphone is closed");
    assert!(!h.state().listener_open());
    assert!(h.query_by_label_contains("Listening:").is_none());
    assert_eq!(script.opened.load(Ordering::SeqCst), 1);
}

#[test]
fn listening_on_is_remembered_and_opens_the_microphone_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::new();
    {
        let mut h = app(dir.path(), [1366.0, 768.0], &script);
        h.state_mut().apply(Command::Listen(true));
        h.run();
        assert_eq!(script.open_now(), 1);
    }
    assert!(load_settings(&dir.path().join("settings.ron")).0.listening);
    assert_eq!(script.open_now(), 0, "closed with the window");
    let _h = app(dir.path(), [1366.0, 768.0], &script);
    assert_eq!(script.open_now(), 1, "open again at the next start");
}

#[test]
fn the_cadence_heard_stands_beside_the_target_with_how_sure_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::new();
    let mut h = app(dir.path(), [1366.0, 768.0], &script);
    h.state_mut().apply(Command::Listen(true));
    script.set(listening("Laptop microphone"), hearing(166.0, 0.9, 12.0));
    h.key_press(Key::Space);
    h.run();
    play(&mut h, 2);
    assert_eq!(
        label_starting(&h, "Cadence").as_deref(),
        Some("Cadence 170 spm")
    );
    assert_eq!(
        label_starting(&h, "Heard").as_deref(),
        Some("Heard 166 spm")
    );
    let rect = |h: &Harness<'_, CoachApp>, start: &str| -> Rect {
        h.query_all(By::new().predicate(|n| n.value().is_some_and(|l| l.starts_with(start))))
            .next()
            .unwrap()
            .rect()
    };
    let (target, heard) = (rect(&h, "Cadence"), rect(&h, "Heard"));
    assert!(
        heard.left() >= target.right(),
        "beside the target: {target:?} {heard:?}"
    );
    assert!(
        (heard.height() - target.height()).abs() < 1.0 && heard.height() >= 120.0,
        "as large as the target, readable from 1.5 m: {heard:?}"
    );
    assert!(h.query_by_label("heard").is_some());
    // The timing, and with every click the time the cadence heard was in the band.
    let timing = label_starting(&h, "steps land 12 ms late on average").expect("the timing");
    assert!(timing.contains(" in band"), "{timing}");
    assert!(
        h.query_by_label("Step timing: steps land 12 ms late on average")
            .is_some()
    );

    script.set(listening("Laptop microphone"), hearing(166.0, 0.4, 12.0));
    play(&mut h, 1);
    assert_eq!(
        label_starting(&h, "Heard").as_deref(),
        Some("Heard 166 spm, unsure")
    );
    assert!(h.query_by_label("heard · unsure").is_some());

    script.set(listening("Laptop microphone"), None);
    play(&mut h, 1);
    assert_eq!(
        label_starting(&h, "Heard").as_deref(),
        Some("Heard nothing: not hearing steps")
    );
    assert!(h.query_by_label("not hearing steps").is_some());
}

#[test]
fn an_unavailable_microphone_is_said_in_one_sentence_and_the_session_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::new();
    let mut h = app(dir.path(), [1366.0, 768.0], &script);
    let why = "No microphone was found; plug one in or allow access to it";
    script.set(MicStatus::Unavailable(why.into()), None);
    h.state_mut().apply(Command::Listen(true));
    h.run();
    assert!(
        h.query_by_label(&format!("Not listening: {why}")).is_some(),
        "said while stopped"
    );
    h.key_press(Key::Space);
    h.run();
    play(&mut h, 5);
    assert!(h.query_by_label(&format!("Not listening: {why}")).is_some());
    assert!(h.query_by_label("microphone unavailable").is_some());
    assert!(h.state().playing, "the session goes on");
    assert!(h.state().heard.elapsed >= Duration::from_secs(4));
    assert!(h.state().recording.current().unwrap().steps > 10);
}

#[test]
fn the_running_view_with_listening_fits_the_small_laptop_screens() {
    for size in [[1366.0, 768.0], [1280.0, 720.0]] {
        let dir = tempfile::tempdir().unwrap();
        let script = Script::new();
        let mut h = app(dir.path(), size, &script);
        h.state_mut().apply(Command::Listen(true));
        script.set(listening("Laptop microphone"), hearing(166.0, 0.9, -8.0));
        h.key_press(Key::Space);
        h.run();
        play(&mut h, 2);
        let screen = h.ctx.content_rect();
        for name in ["Stop", "Listening", "Pin cue"] {
            let rect = h.get_by_label(name).rect();
            assert!(screen.contains_rect(rect), "{name} at {rect:?} in {size:?}");
        }
        let strip = h
            .get_by_label_contains("Step timing: steps land 8 ms early")
            .rect();
        assert!(
            screen.contains_rect(strip),
            "the strip at {strip:?} in {size:?}"
        );
        for start in ["Cadence", "Heard"] {
            let rect = h
                .query_all(By::new().predicate(|n| n.value().is_some_and(|l| l.starts_with(start))))
                .next()
                .unwrap()
                .rect();
            assert!(
                screen.contains_rect(rect),
                "{start} at {rect:?} in {size:?}"
            );
        }
    }
}

#[test]
fn the_series_heard_is_saved_with_the_session_shown_and_fills_in_the_review() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::new();
    let mut h = app(dir.path(), [1366.0, 768.0], &script);
    h.state_mut().apply(Command::Listen(true));
    script.set(listening("Laptop microphone"), None);
    h.key_press(Key::Space);
    h.run();
    play(&mut h, 5);
    // Heard from the 5th second on: 166 for a minute, with one odd reading.
    for s in 0..66 {
        let spm = if s == 30 { 150.0 } else { 166.0 };
        script.set(listening("Laptop microphone"), hearing(spm, 0.9, 10.0));
        play(&mut h, 1);
    }
    h.key_press(Key::Space);
    h.run();
    let record = saved(dir.path());
    let heard = record.microphone.as_ref().expect("a microphone series");
    assert_eq!(heard.source, MICROPHONE);
    assert!(
        (64..=67).contains(&heard.samples.len()),
        "one reading a second while heard: {}",
        heard.samples.len()
    );
    assert!(
        heard.samples.iter().all(|s| s.0 >= 5.0),
        "none before it was heard"
    );
    assert_eq!(record.heard_spm(), Some(166.0));
    // Filled in, to be saved as it is or changed.
    assert_eq!(h.state().screen, Screen::Review);
    let review = h.state().review.as_ref().unwrap();
    assert_eq!(review.measured.parse::<f64>().ok(), Some(166.0));
    assert!(
        review
            .summary
            .iter()
            .any(|l| l.starts_with("Measured 166.0 spm (heard on the microphone")),
        "{:?}",
        review.summary
    );
    // Shown on Progress: the session's measured dot, and its tempo plot's "microphone" line.
    h.state_mut().apply(Command::SkipReview);
    h.run();
    assert_eq!(
        h.state().history.series.measured.last().map(|p| p[1]),
        Some(166.0)
    );
    assert_eq!(
        h.state().history.profile.microphone.len(),
        heard.samples.len()
    );
    h.state_mut().apply(Command::Show(Screen::Progress));
    h.run();
    assert!(
        h.query_by_label_contains("microphone").is_some(),
        "the plot's key names it"
    );
}

#[test]
fn the_runners_own_measured_cadence_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::new();
    let mut h = app(dir.path(), [1366.0, 768.0], &script);
    h.state_mut().apply(Command::Listen(true));
    script.set(listening("Laptop microphone"), hearing(166.0, 0.9, 0.0));
    h.key_press(Key::Space);
    h.run();
    play(&mut h, 65);
    h.key_press(Key::Space);
    h.run();
    assert_eq!(h.state().review.as_ref().unwrap().measured, "166.0");
    replace_text(&mut h, "Measured cadence (spm)", "171.5");
    // The button may be below the fold of this window; saving is what it asks for.
    h.state_mut().apply(Command::SaveReview);
    h.run();
    let record = saved(dir.path());
    assert_eq!(record.review.unwrap().measured_spm, Some(171.5));
    assert!(record.microphone.is_some(), "the series is kept beside it");
}

#[test]
fn hidden_the_series_is_still_recorded_a_reading_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::new();
    let mut h = app(dir.path(), [1366.0, 768.0], &script);
    h.state_mut().apply(Command::Listen(true));
    script.set(listening("Laptop microphone"), hearing(168.0, 0.8, 0.0));
    h.key_press(Key::Space);
    h.run();
    play(&mut h, 2);
    // Settings are saved once the pointer has been still for a moment (wall-clock time).
    std::thread::sleep(Duration::from_millis(400));
    h.run();
    // Driven as eframe drives a minimized window: `logic` only, at the wake-ups it asks for.
    let app = h.into_state();
    let mut h = Harness::builder()
        .with_size([1366.0, 768.0])
        .build_ui_state(|ui, app: &mut CoachApp| app.tick(ui.ctx()), app);
    h.input_mut()
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .minimized = Some(true);
    let until = h.state().heard.elapsed + Duration::from_secs(40);
    let mut wakes = Vec::new();
    while h.state().heard.elapsed < until {
        let wake = h.state().next_wake().expect("a wake-up while playing");
        wakes.push(wake);
        h.state().engine.advance(wake);
        h.step();
    }
    // Once a second, not at every step (and nothing is painted while hidden).
    assert!(
        wakes[1..]
            .iter()
            .all(|w| (Duration::from_millis(900)..=Duration::from_millis(1_100)).contains(w)),
        "{wakes:?}"
    );
    h.state_mut().apply(Command::StartStop);
    let record = saved(dir.path());
    let samples = &record
        .microphone
        .as_ref()
        .expect("recorded while hidden")
        .samples;
    assert!(samples.len() >= 38, "{} readings", samples.len());
    assert!(
        samples.windows(2).all(|w| w[1].0 - w[0].0 == 1.0),
        "{samples:?}"
    );
}

#[test]
fn a_plan_self_check_is_measured_by_what_the_microphone_heard() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::new();
    let mut h = app(dir.path(), [1100.0, 1000.0], &script);
    h.state_mut().set_today(jiff::Zoned::now().date());
    h.state_mut().apply(Command::Show(Screen::Plan));
    h.run();
    replace_text(&mut h, "Baseline (spm)", "160");
    replace_text(&mut h, "Target (spm)", "168");
    h.get_by_label("Make plan").click();
    h.run();
    let plan = h.state().plan.plan.clone().expect("a plan");
    let check = plan
        .sessions()
        .into_iter()
        .find(|s| s.feedback == Feedback::SelfCheck)
        .expect("a self-check");
    // The self-check, played with listening on; the runner holds 160 instead of 168 alone.
    h.state_mut().apply(Command::Listen(true));
    h.state_mut().run.loaded = Some(plan.workout(&check));
    h.state_mut().run.plan_link = Some(PlanLink {
        plan_id: plan.id.clone(),
        key: check.key.clone(),
    });
    h.state_mut().apply(Command::Show(Screen::Run));
    script.set(listening("Laptop microphone"), hearing(160.0, 0.9, 0.0));
    h.key_press(Key::Space);
    h.run();
    for _ in 0..(u64::from(check.minutes) * 12 + 2) {
        advance(&mut h, Duration::from_secs(5));
    }
    assert!(!h.state().playing, "the self-check ran to its end");
    // The review is left empty: the microphone's series is the measurement.
    h.state_mut().apply(Command::SkipReview);
    h.run();
    let following = h.state().plan.following.clone().expect("the plan followed");
    let done = following
        .sessions
        .iter()
        .find(|s| s.session.key == check.key)
        .unwrap();
    assert!(done.done.is_some(), "the self-check counts as done");
    assert_eq!(done.measured, Some(160.0), "measured by the microphone");
    assert!(
        following
            .repeat_suggestions
            .iter()
            .any(|(stage, why)| *stage == check.stage && why.contains("measured 160.0 spm")),
        "{:?}",
        following.repeat_suggestions
    );
}
