//! The closed loop in the window, headless with egui_kittest and a scripted listener that
//! hears a runner at the cadence the test sets: the mode chosen on Run, the click silent while
//! the runner holds the band and back when they slow, the time in band on show, the nudge
//! moving the tempo in small steps, and the summary kept with the session.

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cadence_coach::audio::microphone::{MicState, MicStatus, RoundTrip};
use cadence_coach::audio::{AudioEngine, Listener, TrackHandle};
use cadence_coach::cadence::Spm;
use cadence_coach::cadence::closed_loop::CoachMode;
use cadence_coach::cadence::session::SessionRecord;
use cadence_coach::hearing::{Footfall, Hearing};
use cadence_coach::store::sessions::load_sessions;
use cadence_coach::ui::CoachApp;
use eframe::egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT, Queryable};

/// A runner the scripted microphone hears: their cadence now, and their steps so far.
#[derive(Default)]
struct Runner {
    spm: f64,
    /// Track seconds of the steps made.
    steps: Vec<f64>,
    heard_s: f64,
}

#[derive(Clone, Default)]
struct Script(Arc<Mutex<Runner>>);

impl Script {
    /// The runner runs on to `now_s` of track time at their cadence.
    fn run_to(&self, now_s: f64) {
        let mut r = self.0.lock().unwrap();
        let mut next = r.steps.last().map_or(0.2, |&t| t + 60.0 / r.spm);
        while next <= now_s {
            r.steps.push(next);
            next += 60.0 / r.spm;
        }
        r.heard_s = now_s;
    }

    fn set_spm(&self, spm: f64) {
        self.0.lock().unwrap().spm = spm;
    }
}

struct Scripted(Script);

impl Listener for Scripted {
    /// What the ear reports: the steps of the last 10 s (those more than a quarter of a second
    /// old), their cadence, and a round trip already measured.
    fn state(&self) -> MicState {
        let r = self.0.0.lock().unwrap();
        let heard: Vec<f64> = r
            .steps
            .iter()
            .copied()
            .filter(|&t| t > r.heard_s - 10.0 && t < r.heard_s - 0.25)
            .collect();
        let hearing = (heard.len() >= 6).then(|| {
            let span = heard[heard.len() - 1] - heard[0];
            Hearing {
                cadence_spm: 60.0 * (heard.len() - 1) as f64 / span,
                confidence: 0.9,
                steps: heard
                    .iter()
                    .map(|&at_s| Footfall {
                        at_s,
                        click_offset_ms: Some(5.0),
                    })
                    .collect(),
            }
        });
        MicState {
            status: MicStatus::Listening {
                device: "Laptop microphone".into(),
                rate: 48_000,
            },
            hearing,
            heard_s: r.heard_s,
            round_trip: Some(RoundTrip {
                ms: 180.0,
                output_ms: 150.0,
                heard: true,
            }),
        }
    }

    fn set_target(&self, _target: Option<Spm>) {}

    fn follow(&self, _track: Option<TrackHandle>) {}
}

fn app(dir: &Path, script: &Script) -> Harness<'static, CoachApp> {
    app_sized(dir, [1366.0, 768.0], script)
}

fn app_sized(dir: &Path, size: [f32; 2], script: &Script) -> Harness<'static, CoachApp> {
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
            .with_listener(move |_| Box::new(Scripted(script.clone())))
        });
    h.run();
    h
}

/// Plays on for `secs` in steps of a tenth of a second, the runner running along.
fn play(h: &mut Harness<'static, CoachApp>, script: &Script, secs: f64) {
    for _ in 0..(secs * 10.0).round() as u32 {
        h.state().engine.advance(Duration::from_millis(100));
        let now = h
            .state()
            .track
            .as_ref()
            .map_or(0.0, |t| t.frames() as f64 / f64::from(t.rate()));
        script.run_to(now);
        h.run();
    }
}

fn label_starting(h: &Harness<'_, CoachApp>, start: &str) -> Option<String> {
    h.query_all(By::new().predicate(|n| {
        n.label()
            .or_else(|| n.value())
            .is_some_and(|l| l.starts_with(start))
    }))
    .next()
    .and_then(|n| {
        let node = n.accesskit_node();
        node.label().or_else(|| node.value())
    })
}

fn saved(dir: &Path) -> SessionRecord {
    let (sessions, damaged) = load_sessions(&dir.join("data"));
    assert!(damaged.is_empty(), "{damaged:?}");
    assert_eq!(sessions.len(), 1, "one session file");
    sessions.into_iter().next().unwrap()
}

fn sounding(h: &Harness<'_, CoachApp>) -> bool {
    h.state()
        .track
        .as_ref()
        .and_then(TrackHandle::beat)
        .is_some_and(|b| b.sounded)
}

#[test]
fn click_when_off_chosen_on_run_is_quiet_in_the_band_back_out_of_it_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::default();
    script.set_spm(170.0);
    let mut h = app(dir.path(), &script);
    // The modes are there once listening is on.
    assert!(h.query_by_label("only when off (±3)").is_none());
    h.get_by_label("Listen").click();
    h.run();
    assert_eq!(h.state().settings.coach, CoachMode::Always);
    h.get_by_label("only when off (±3)").click();
    h.run();
    assert_eq!(h.state().settings.coach, CoachMode::WhenOff);

    h.key_press(Key::Space);
    h.run();
    play(&mut h, &script, 4.0);
    // Heard in the band for a few steps: the click goes quiet, and the view says so.
    play(&mut h, &script, 8.0);
    assert!(
        !sounding(&h),
        "the click is quiet while the runner holds 170"
    );
    let line = label_starting(&h, "Click when off · quiet · 0:").expect("the mode on show");
    assert!(line.contains("in band"), "{line}");

    // The runner slows to 160: the click is back within a few steps, on every beat.
    script.set_spm(160.0);
    play(&mut h, &script, 2.5);
    assert!(sounding(&h), "the click is back for a runner at 160");
    let mut heard = 0;
    for _ in 0..10 {
        play(&mut h, &script, 0.3);
        heard += usize::from(sounding(&h));
    }
    assert_eq!(heard, 10, "every beat sounds while the runner is out");
    assert!(label_starting(&h, "Click when off · clicking").is_some());

    h.key_press(Key::Space);
    h.run();
    let record = saved(dir.path());
    let summary = record
        .closed_loop
        .expect("the summary kept with the session");
    assert_eq!(summary.mode, CoachMode::WhenOff);
    assert!(summary.clicks_silent >= 15, "{summary:?}");
    assert!(summary.clicks_heard >= 10, "{summary:?}");
    assert!(
        (4.0..12.0).contains(&summary.in_band_s),
        "in band while at 170: {summary:?}"
    );
}

#[test]
fn the_nudge_chosen_on_run_starts_at_the_runner_and_moves_to_the_target_in_small_steps() {
    let dir = tempfile::tempdir().unwrap();
    let script = Script::default();
    script.set_spm(162.0);
    let mut h = app(dir.path(), &script);
    h.get_by_label("Listen").click();
    h.run();
    h.get_by_label("nudge to target").click();
    h.run();
    h.key_press(Key::Space);
    h.run();
    // Listening first: silent until the runner is heard.
    play(&mut h, &script, 1.0);
    assert!(!sounding(&h), "the nudge listens before it clicks");
    assert!(label_starting(&h, "Guided nudge · waiting").is_some());
    // The track's tempo before the nudge starts: the target.
    let mut tempos = vec![h.state().track.as_ref().unwrap().spm().get()];
    assert_eq!(tempos, [170.0]);
    for _ in 0..120 {
        play(&mut h, &script, 1.0);
        let tempo = h.state().track.as_ref().unwrap().spm().get();
        if tempos.last() != Some(&tempo) {
            tempos.push(tempo);
            // The runner follows each change.
            script.set_spm(tempo);
        }
    }
    assert!((tempos[1] - 162.0).abs() <= 1.0, "started at {tempos:?}");
    for w in tempos[1..].windows(2) {
        assert!(
            w[1] > w[0] && w[1] / w[0] - 1.0 <= 0.015 + 1e-9,
            "{tempos:?}"
        );
    }
    assert_eq!(
        *tempos.last().unwrap(),
        170.0,
        "reached the target: {tempos:?}"
    );
    assert!(label_starting(&h, "Guided nudge · click at 170 spm").is_some());
    h.key_press(Key::Space);
    h.run();
    let summary = saved(dir.path()).closed_loop.unwrap();
    assert_eq!(summary.mode, CoachMode::Nudge);
    assert_eq!(summary.nudges as usize, tempos.len() - 2, "{tempos:?}");
}

#[test]
fn a_faded_session_heard_by_ear_lengthens_its_silent_blocks_while_the_runner_holds_the_band() {
    use cadence_coach::cadence::{ClickSettings, FadeBlocks};
    use cadence_coach::store::settings::{Settings, save_settings};
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        listening: true,
        click: ClickSettings {
            fade: Some(FadeBlocks {
                on_secs: 20,
                off_secs: 20,
            }),
            ..ClickSettings::default()
        },
        ..Settings::default()
    };
    save_settings(&dir.path().join("settings.ron"), &settings).unwrap();
    let script = Script::default();
    script.set_spm(170.0);
    let mut h = app(dir.path(), &script);
    h.key_press(Key::Space);
    h.run();
    // Four minutes holding 170: the blocks without the click grow past the planned 20 s.
    let mut silent_s = 0.0;
    for _ in 0..240 {
        play(&mut h, &script, 1.0);
        if !sounding(&h) {
            silent_s += 1.0;
        }
    }
    let line = label_starting(&h, "Faded by ear · ").expect("the fade on show");
    let off: u32 = line
        .rsplit("silent blocks ")
        .next()
        .and_then(|s| s.trim_end_matches(" s").parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(off > 20, "{line}");
    assert!(silent_s > 120.0, "{silent_s} s of 240 silent");
    // The runner slows to 150: within seconds the click is back, whatever the plan's blocks.
    script.set_spm(150.0);
    play(&mut h, &script, 8.0);
    let mut heard = 0;
    for _ in 0..10 {
        play(&mut h, &script, 0.5);
        heard += usize::from(sounding(&h));
    }
    assert!(
        heard >= 9,
        "{heard} of 10 beats sounded for a runner out of the band"
    );
    h.key_press(Key::Space);
    h.run();
    let summary = saved(dir.path()).closed_loop.unwrap();
    // Blocks the coach made are not probes.
    assert_eq!(summary.retention, None, "{summary:?}");
    assert!(summary.clicks_silent > 200, "{summary:?}");
}

/// Plays a plan's self-check with listening on, the runner at `spm` by themselves; the plan
/// as followed afterwards.
fn self_check_heard_at(
    dir: &Path,
    runner_below_stage: f64,
) -> (
    cadence_coach::cadence::plan::Following,
    usize,
    Harness<'static, CoachApp>,
) {
    use cadence_coach::cadence::plan::Feedback;
    use cadence_coach::cadence::session::PlanLink;
    use cadence_coach::ui::{Command, Screen};
    let script = Script::default();
    let mut h = app_sized(dir, [1100.0, 1000.0], &script);
    h.state_mut().set_today(jiff::Zoned::now().date());
    h.state_mut().apply(Command::Show(Screen::Plan));
    h.run();
    support::ui::replace_text(&mut h, "Baseline (spm)", "160");
    support::ui::replace_text(&mut h, "Target (spm)", "168");
    h.get_by_label("Make plan").click();
    h.run();
    let plan = h.state().plan.plan.clone().expect("a plan");
    let check = plan
        .sessions()
        .into_iter()
        .find(|s| s.feedback == Feedback::SelfCheck)
        .expect("a self-check");
    script.set_spm(check.spm.get() - runner_below_stage);
    h.state_mut().apply(Command::Listen(true));
    h.state_mut().run.loaded = Some(plan.workout(&check));
    h.state_mut().run.plan_link = Some(PlanLink {
        plan_id: plan.id.clone(),
        key: check.key.clone(),
    });
    h.state_mut().apply(Command::Show(Screen::Run));
    h.key_press(Key::Space);
    h.run();
    for _ in 0..(u64::from(check.minutes) * 12 + 2) {
        if !h.state().playing {
            break;
        }
        play(&mut h, &script, 5.0);
    }
    assert!(!h.state().playing, "the self-check ran to its end");
    h.state_mut().apply(Command::SkipReview);
    h.state_mut().apply(Command::Show(Screen::Plan));
    h.run();
    let record = saved(dir);
    let probes = record
        .closed_loop
        .and_then(|c| c.retention)
        .expect("the self-check's silence probed");
    // The self-check's silent main part, less the first seconds of settling.
    assert!(probes.silent_s > 600.0, "{probes:?}");
    (
        h.state().plan.following.clone().expect("the plan followed"),
        check.stage,
        h,
    )
}

#[test]
fn a_self_check_heard_holding_its_tempo_is_learned_by_its_probes_and_the_plan_moves_on() {
    use cadence_coach::cadence::closed_loop::Verdict;
    let dir = tempfile::tempdir().unwrap();
    let (following, stage, h) = self_check_heard_at(dir.path(), 0.0);
    let judged = following
        .stage_retention
        .iter()
        .find(|r| r.stage == stage)
        .expect("the stage judged by its probes");
    assert_eq!(judged.verdict, Verdict::Learned, "{judged:?}");
    assert!(
        following
            .repeat_suggestions
            .iter()
            .all(|(s, _)| *s != stage),
        "{:?}",
        following.repeat_suggestions
    );
    assert!(
        h.query_by_label_contains("in band — learned").is_some(),
        "the Plan screen says so"
    );
}

#[test]
fn a_self_check_heard_off_its_tempo_suggests_repeating_the_stage_with_the_probes_numbers() {
    use cadence_coach::cadence::closed_loop::Verdict;
    let dir = tempfile::tempdir().unwrap();
    // 8 spm under the stage: about 5 %, outside the ±3 % a stage is held to.
    let (following, stage, _h) = self_check_heard_at(dir.path(), 8.0);
    let judged = following
        .stage_retention
        .iter()
        .find(|r| r.stage == stage)
        .unwrap();
    assert_eq!(judged.verdict, Verdict::Repeat, "{judged:?}");
    assert!(
        following
            .repeat_suggestions
            .iter()
            .any(|(s, why)| *s == stage && why.contains("probes held the band for 0 %")),
        "{:?}",
        following.repeat_suggestions
    );
}
