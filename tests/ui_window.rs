//! The window's flows as a runner uses them, headless with egui_kittest: controls are found by
//! their accessible names, clicked or keyed, and the app's state and text are checked.
//! The audio engine is the offline one, whose clock the test moves, so minutes take no time.

mod support;

use std::path::Path;
use std::time::Duration;

use cadence_coach::audio::AudioEngine;
use cadence_coach::cadence::cues::CUES;
use cadence_coach::ui::CoachApp;
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use support::ui::replace_text;

fn app(settings: &Path) -> Harness<'static, CoachApp> {
    let settings = settings.to_path_buf();
    // Sessions go beside the settings file, in the test's own folder.
    let data = settings.parent().unwrap().join("data");
    Harness::builder()
        .with_size([1100.0, 800.0])
        .with_step_dt(0.05)
        .build_eframe(move |cc| {
            CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                AudioEngine::offline(48_000)
            })
        })
}

fn target(h: &Harness<'_, CoachApp>) -> f64 {
    h.state().settings.target.get()
}

#[test]
fn start_and_stop_by_button_and_by_space() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    assert!(!h.state().playing);
    h.get_by_label("Start").click();
    h.run();
    assert!(h.state().playing, "the Start button starts the click");
    h.get_by_label("Stop").click();
    h.run();
    assert!(!h.state().playing, "the Stop button stops it");
    h.key_press(Key::Space);
    h.run();
    assert!(h.state().playing, "Space starts");
    h.state().engine.advance(Duration::from_secs(3));
    h.run();
    // 170 spm for 3 s: steps 0–8 have sounded, the lamp shows step 8 (left foot).
    assert_eq!(h.state().heard.beat.map(|b| b.index), Some(8));
    assert!(h.query_by_label("L step lamp, lit").is_some());
    assert!(h.query_by_label_contains("Elapsed 0:03").is_some());
    h.key_press(Key::Space);
    h.run();
    assert!(!h.state().playing, "Space stops");
}

#[test]
fn arrows_and_page_keys_change_the_cadence_by_one_and_five() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    assert_eq!(target(&h), 170.0);
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(target(&h), 171.0);
    h.key_press(Key::PageUp);
    h.run();
    assert_eq!(target(&h), 176.0);
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowDown);
    h.run();
    assert_eq!(target(&h), 171.0);
    h.key_press(Key::PageDown);
    h.key_press(Key::ArrowDown);
    h.run();
    assert_eq!(target(&h), 165.0);
    assert!(
        h.query_by_label("Cadence 165 spm").is_some(),
        "the big digits show the new cadence"
    );
    // While the metronome plays, the change reaches the click track too.
    h.key_press(Key::Space);
    h.run();
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowUp);
    h.run();
    assert_eq!(h.state().track.as_ref().unwrap().spm().get(), 170.0);
}

#[test]
fn a_typed_value_out_of_range_is_refused_and_the_old_one_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    replace_text(&mut h, "Cadence", "300");
    h.get_by_label("Set").click();
    h.run();
    assert_eq!(target(&h), 170.0);
    assert!(
        h.query_by_label_contains("300 spm is outside the valid range 100–240 spm")
            .is_some(),
        "the refusal names the value and the range"
    );
    assert!(h.query_by_label_contains("stays at 170 spm").is_some());

    // A valid value is taken.
    replace_text(&mut h, "Cadence", "172.5");
    h.get_by_label("Set").click();
    h.run();
    assert_eq!(target(&h), 172.5);
}

/// Taps T at the given gaps (multiples of 50 ms, the harness step).
fn tap_with_gaps(h: &mut Harness<'_, CoachApp>, gaps_ms: &[u64]) {
    h.key_press(Key::T);
    h.step();
    for &gap in gaps_ms {
        // key_press takes two steps (down, up); fill the rest of the gap.
        h.run_steps((gap / 50) as usize - 2);
        h.key_press(Key::T);
        h.step();
    }
    h.step();
}

#[test]
fn nine_taps_350_ms_apart_read_171_4_and_one_bad_tap_barely_moves_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    tap_with_gaps(&mut h, &[350; 8]);
    h.run();
    assert!(h.query_by_label("Measured 171.4 spm").is_some());
    assert!(
        h.query_by_label_contains("+1.4 spm").is_some(),
        "the gap to the 170 target"
    );

    let read = |h: &Harness<'_, CoachApp>| h.state().run.taps.estimate().unwrap().spm;
    // A missed tap: one gap of 700 ms.
    h.get_by_label("Reset").click();
    h.run();
    tap_with_gaps(&mut h, &[350, 350, 350, 700, 350, 350, 350]);
    assert!((read(&h) - 171.4).abs() <= 0.5, "missed tap: {}", read(&h));
    // A double tap: 350 split into 100 + 250.
    h.get_by_label("Reset").click();
    h.run();
    tap_with_gaps(&mut h, &[350, 350, 100, 250, 350, 350, 350, 350, 350]);
    assert!((read(&h) - 171.4).abs() <= 0.5, "double tap: {}", read(&h));
}

#[test]
fn the_form_cue_card_rotates_every_two_minutes_and_can_be_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    assert!(h.query_by_label(CUES[0].title).is_some());
    h.key_press(Key::Space);
    h.run();
    h.state().engine.advance(Duration::from_secs(119));
    h.run();
    assert!(
        h.query_by_label(CUES[0].title).is_some(),
        "still the first cue at 1:59"
    );
    h.state().engine.advance(Duration::from_secs(2));
    h.run();
    assert!(
        h.query_by_label(CUES[1].title).is_some(),
        "the second cue at 2:01"
    );
    h.get_by_label("Pin cue").click();
    h.run();
    h.state().engine.advance(Duration::from_secs(240));
    h.run();
    assert!(
        h.query_by_label(CUES[1].title).is_some(),
        "a pinned cue stays"
    );
    h.get_by_label("Unpin cue").click();
    h.run();
    assert!(
        h.query_by_label(CUES[3].title).is_some(),
        "unpinned, it follows the clock: 6:01"
    );
}

#[test]
fn settings_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config").join("settings.ron");
    {
        let mut h = app(&path);
        h.run();
        h.get_by_label("180").click();
        h.run();
        h.get_by_label("Settings").click();
        h.run();
        h.get_by_label("Dark").click();
        h.get_by_label("Imperial (mph, in)").click();
        h.run();
        assert_eq!(target(&h), 180.0);
    }
    assert!(path.exists(), "settings were saved");
    let mut h = app(&path);
    h.run();
    assert_eq!(target(&h), 180.0);
    let s = &h.state().settings;
    assert_eq!(s.theme, cadence_coach::store::settings::Theme::Dark);
    assert_eq!(s.units, cadence_coach::cadence::stride::Units::Imperial);
    assert!(h.query_by_label("Cadence 180 spm").is_some());
}

#[test]
fn without_a_sound_device_the_window_says_so_and_offers_a_retry() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    assert!(h.query_by_label_contains("No sound:").is_some());
    h.get_by_label("Retry sound").click();
    h.run();
    // The click track still keeps time and the lamp still flashes without sound.
    h.key_press(Key::Space);
    h.run();
    h.state().engine.advance(Duration::from_millis(400));
    h.run();
    assert!(h.query_by_label("R step lamp, lit").is_some());
}

#[test]
fn a_damaged_settings_file_is_named_and_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.ron");
    std::fs::write(&path, "Settings(target: \"fast\")").unwrap();
    let mut h = app(&path);
    h.run();
    assert!(
        h.query_by_label_contains("could not be read (line 1")
            .is_some()
    );
    assert_eq!(target(&h), 170.0);
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "the damaged file is kept aside"
    );
}

#[test]
fn treadmill_speed_gives_the_step_length_and_a_workout_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    h.get_by_label("Treadmill speed").click();
    h.run();
    h.get_by_label("Treadmill speed").type_text("10.2");
    h.run();
    assert_eq!(h.state().run.view.speed_text, "10.2");
    // 10.2 km/h at 170 spm: 10 200 m / 60 min / 170 = 1.00 m; at +5 % (178.5) 95 cm. With no
    // taps, both numbers are the app's, and the line says where the second comes from.
    assert!(
        h.query_by_label("Step 100 cm at the target 170.0 spm")
            .is_some()
    );
    assert!(
        h.query_by_label(
            "then 95 cm at 178.5 spm (-4.8 %): the target +5 %, one stage of a plan. Tap T \
             while running to see your own."
        )
        .is_some()
    );
    // Tapped at 150 spm (400 ms apart): the runner's step now, and at the target.
    h.get_by_label("Treadmill speed").click();
    h.run();
    h.key_press(Key::Escape);
    h.run();
    tap_with_gaps(&mut h, &[400; 8]);
    // 10.2 km/h at 150 spm: 113 cm; at 170, 100 cm (-11.8 %).
    assert!(
        h.query_by_label("Step 113 cm at 150.0 spm (tapped)")
            .is_some()
    );
    assert!(
        h.query_by_label("then 100 cm at the target 170.0 spm (-11.8 %)")
            .is_some()
    );
    assert!(h.query_by_label_contains("the target +5 %").is_none());
    h.get_by_label("Reset").click();
    h.run();

    let workout = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/ten-minute-sampler.ron"
    );
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("File").type_text(workout);
    h.run();
    h.get_by_label("Load").click();
    h.run();
    assert!(
        h.query_by_label_contains("Loaded 'Ten-minute sampler'")
            .is_some()
    );
    h.key_press(Key::Escape);
    h.run();
    h.key_press(Key::Space);
    h.run();
    h.state().engine.advance(Duration::from_secs(125));
    h.run();
    // The ramp segment: the big digits follow the workout's tempo, and the segment is named.
    assert!(h.query_by_label_contains("Build (2/10)").is_some());
    assert!(h.query_by_label_contains("next: Quick in").is_some());
}

#[test]
fn the_form_and_settings_screens_show_every_cue_and_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    h.get_by_label("Form").click();
    h.run();
    for cue in CUES {
        assert!(
            h.query_by_label(cue.title).is_some(),
            "{} is missing",
            cue.title
        );
        assert!(
            h.query_by_label(cue.drill).is_some(),
            "{}'s drill is missing",
            cue.title
        );
    }
    for list in cadence_coach::cadence::cues::CHECKLISTS {
        assert!(h.query_by_label(list.title).is_some());
        for item in list.items {
            assert!(h.query_by_label(item).is_some(), "{item} is missing");
        }
    }
    h.get_by_label("Plank: 3 × 30 s").scroll_to_me();
    h.run();
    h.get_by_label("Plank: 3 × 30 s").click();
    h.run();
    assert!(h.state().form.checks[2][0], "a checklist item ticks");
    h.get_by_label("Settings").click();
    h.run();
    assert!(
        h.query_by_label_contains("settings.ron").is_some(),
        "the settings file is shown"
    );
    assert!(h.query_by_label("Use this folder").is_some());
    // This app was given its data folder (as by --data-dir), which wins over the setting.
    let data = dir.path().join("data");
    assert!(
        h.query_by_label_contains(&format!("In use now: {}", data.display()))
            .is_some(),
        "the folder in use is shown when it is not the one chosen here"
    );
    // A relative folder would depend on where the app was started: refused, nothing changed.
    h.state_mut().data_dir_text = "runs".into();
    h.get_by_label("Use this folder").click();
    h.run();
    assert!(
        h.query_by_label_contains("could not use runs: give the whole path")
            .is_some()
    );
    assert_eq!(h.state().settings.data_dir, None);
}

#[test]
fn a_session_is_recorded_as_it_plays_and_when_it_stops() {
    use cadence_coach::cadence::session::Ending;
    use cadence_coach::store::sessions::load_sessions;
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    let data = dir.path().join("data");
    h.run();
    h.key_press(Key::Space);
    h.run();
    // Written at once, before a step is heard.
    assert_eq!(load_sessions(&data).0.len(), 1);
    for _ in 0..8 {
        h.state().engine.advance(Duration::from_secs(5));
        h.run();
    }
    // 40 s in: the file holds at least the first 30 s.
    let (saved, damaged) = load_sessions(&data);
    assert!(damaged.is_empty());
    assert_eq!(saved[0].ending, Ending::InProgress);
    assert!(saved[0].duration_secs >= 30.0, "{}", saved[0].duration_secs);
    h.key_press(Key::Space);
    h.run();
    let (saved, _) = load_sessions(&data);
    assert_eq!(saved.len(), 1);
    let s = &saved[0];
    assert_eq!(s.ending, Ending::Stopped);
    assert!((s.duration_secs - 40.0).abs() < 0.5, "{}", s.duration_secs);
    // 170 spm for 40 s: steps 0..=113 heard.
    assert_eq!(s.steps, 114);
    assert_eq!(s.segments.len(), 1);
    assert_eq!(s.segments[0].start_spm, 170.0);
    assert_eq!(s.workout, "Steady 170 spm");
}

#[test]
fn a_cadence_past_the_range_is_refused_and_an_unusual_one_pointed_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    replace_text(&mut h, "Cadence", "238");
    h.get_by_label("Set").click();
    h.run();
    assert_eq!(target(&h), 238.0);
    assert!(
        h.query_by_label_contains("238 spm is outside 150–200 spm")
            .is_some(),
        "a valid but unusual cadence is pointed out"
    );
    h.key_press(Key::Escape);
    h.run();
    // +5 would pass the top of the range: refused, the old value kept, not silently clamped.
    h.key_press(Key::PageUp);
    h.run();
    assert_eq!(target(&h), 238.0);
    assert!(
        h.query_by_label_contains(
            "243 spm is outside the valid range 100–240 spm; the target stays at 238 spm"
        )
        .is_some()
    );
    h.key_press(Key::ArrowUp);
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(target(&h), 240.0);
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(target(&h), 240.0);
    assert!(h.query_by_label_contains("241 spm is outside").is_some());
}

#[test]
fn a_loaded_workout_sets_the_cadence_shown_and_measured_against() {
    let dir = tempfile::tempdir().unwrap();
    let workout = dir.path().join("easy.ron");
    std::fs::write(
        &workout,
        r#"Workout(version: 1, name: "Easy 165", segments: [
            (name: "Warm-up", minutes: 3, tempo: Steady(160)),
            (name: "Main", minutes: 10, tempo: Steady(165)),
            (name: "Cool-down", minutes: 3, tempo: Steady(160)),
        ])"#,
    )
    .unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("File").type_text(workout.to_str().unwrap());
    h.run();
    h.get_by_label("Load").click();
    h.run();
    h.key_press(Key::Escape);
    h.run();
    assert_eq!(target(&h), 170.0);
    assert!(
        h.query_by_label("Cadence 165 spm").is_some(),
        "before the start, the digits show the workout's main tempo, not the target"
    );
    tap_with_gaps(&mut h, &[350; 8]);
    h.run();
    assert!(
        h.query_by_label_contains("+6.4 spm (+3.9 %) from the target 165")
            .is_some(),
        "taps are compared with the tempo the workout asks for"
    );
    // A tempo key while a workout is loaded says what it changed.
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(target(&h), 171.0);
    assert!(
        h.query_by_label_contains("'Easy 165' plays its own tempo")
            .is_some()
    );
    assert!(h.query_by_label("Cadence 165 spm").is_some());

    h.key_press(Key::Space);
    h.run();
    h.state().engine.advance(Duration::from_secs(30));
    h.run();
    assert!(h.query_by_label("Cadence 160 spm").is_some(), "the warm-up");
    // During the workout Up moves the rest of it; the saved target stays.
    h.key_press(Key::ArrowUp);
    h.run();
    assert!(
        h.query_by_label_contains("The rest of the workout plays +1 spm")
            .is_some()
    );
    assert_eq!(target(&h), 171.0);
    h.state().engine.advance(Duration::from_secs(200));
    h.run();
    assert!(
        h.query_by_label("Cadence 166 spm").is_some(),
        "the main part, shifted"
    );
}

/// The controls of a screen that a screen reader (or a test) could not name.
fn unnamed_controls(h: &Harness<'_, CoachApp>) -> Vec<String> {
    use egui::accesskit::Role;
    use egui_kittest::kittest::By;
    h.query_all(By::new().predicate(|n| {
        matches!(
            n.role(),
            Role::Button
                | Role::CheckBox
                | Role::RadioButton
                | Role::ComboBox
                | Role::Slider
                | Role::SpinButton
                | Role::TextInput
                | Role::MultilineTextInput
        ) && n.label().is_none_or(|l| l.trim().is_empty())
    }))
    .map(|n| format!("{n:?}"))
    .collect()
}

#[test]
fn every_control_has_an_accessible_name() {
    use egui::accesskit::Role;
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir.path().join("settings.ron"));
    h.run();
    h.get_by_label("Faded feedback").click();
    h.run();
    assert_eq!(unnamed_controls(&h), Vec::<String>::new(), "on Run");
    // Named by the words shown beside them (not only by their tooltips).
    let named = |h: &Harness<'_, CoachApp>, role: Role, name: &str| {
        h.query_all_by_role_and_label(role, name).next().is_some()
    };
    assert!(named(&h, Role::SpinButton, "Click on"));
    assert!(named(&h, Role::SpinButton, "off"));
    for screen in ["Plan", "Progress", "Form", "Settings"] {
        h.get_by_label(screen).click();
        h.run();
        assert_eq!(unnamed_controls(&h), Vec::<String>::new(), "on {screen}");
    }
    for (role, name) in [
        (Role::ComboBox, "Click sound"),
        (Role::Slider, "Volume"),
        (Role::SpinButton, "Form cue every"),
        (Role::ComboBox, "Audio output"),
        (Role::TextInput, "Data folder"),
    ] {
        assert!(named(&h, role, name), "Settings: no {role:?} named {name}");
    }
}

#[test]
fn every_line_of_the_form_screen_wraps_clear_of_the_window_edge_and_the_scroll_bar() {
    use cadence_coach::store::settings::TextSize;
    use cadence_coach::ui::Command;
    for text_size in [TextSize::Normal, TextSize::Large, TextSize::Huge] {
        let dir = tempfile::tempdir().unwrap();
        let settings = dir.path().join("settings.ron");
        let data = dir.path().join("data");
        let mut h = Harness::builder()
            .with_size([1366.0, 768.0])
            .with_step_dt(0.05)
            .build_eframe(move |cc| {
                CoachApp::new(&cc.egui_ctx, &settings, Some(&data), |_| {
                    AudioEngine::offline(48_000)
                })
            });
        h.run();
        let mut s = h.state().settings.clone();
        s.text_size = text_size;
        h.state_mut().apply(Command::UpdateSettings(Box::new(s)));
        h.run();
        h.get_by_label("Form").click();
        h.run();
        // The scroll bar lies over the page's right edge (inside the panel's margin).
        let bar = {
            let style = h.ctx.global_style();
            let scroll = &style.spacing.scroll;
            scroll.bar_width + scroll.bar_inner_margin + scroll.bar_outer_margin
        };
        let edge = h.ctx.content_rect().right() - 8.0 - bar;
        let mut seen = std::collections::BTreeSet::new();
        // From the top, then scrolled down to the checklists.
        for item in [CUES[0].title, "Plank: 3 × 30 s"] {
            h.get_by_label(item).scroll_to_me();
            h.run();
            h.run();
            for (text, rect, clip) in support::ui::painted_texts(&h) {
                // Only the page: the tabs and banners above it are not clipped to it.
                if !clip.intersects(rect) || clip.top() <= h.ctx.content_rect().top() + 1.0 {
                    continue;
                }
                assert!(
                    rect.right() <= edge + 0.5 && rect.right() <= clip.right() + 0.5,
                    "{text_size:?}: {text:?} reaches {:.1}, past {edge:.1} (the scroll bar) \
                     or its clip {:.1}",
                    rect.right(),
                    clip.right()
                );
                assert!(!text.contains('…'), "{text_size:?}: {text:?} is cut short");
                seen.insert(text);
            }
        }
        for list in cadence_coach::cadence::cues::CHECKLISTS {
            assert!(
                seen.contains(list.note),
                "{text_size:?}: {} is shown",
                list.note
            );
        }
    }
}
