//! The Music panel on the Run screen: the folder and its scan, music on or off, its volume, the
//! click on top, the stretch limit, what plays next; and, while a session plays, one line with
//! the track playing, its tempo and stretch, Skip and Ban.

use eframe::egui::{self, RichText, Ui};

use super::command::Command;
use super::run::RunView;
use crate::music::library::ScanProgress;
use crate::music::picker::Pick;
use crate::music::stream::NowPlaying;
use crate::store::settings::{STRETCH_PCT, Settings};

/// What the Music panel shows, read-only.
pub struct MusicShown<'a> {
    /// The folder's scan, once one has started.
    pub progress: Option<ScanProgress>,
    pub now: Option<&'a NowPlaying>,
    /// What would play next at the tempo asked for.
    pub next: Option<Pick>,
    /// The tracks that fit best, and whether each is queued.
    pub fitting: Vec<(Pick, bool)>,
    pub message: Option<&'a str>,
    /// Music plays with the session now.
    pub playing: bool,
    /// The tempo asked for now.
    pub spm: f64,
}

/// The panel, while stopped.
pub fn music_panel(
    ui: &mut Ui,
    view: &mut RunView,
    settings: &Settings,
    music: &MusicShown,
    commands: &mut Vec<Command>,
) {
    let mut changed = settings.clone();
    let m = &mut changed.music;
    ui.checkbox(&mut m.on, "Play my music")
        .on_hover_text("Your own music with each session, its beats on your steps");
    ui.horizontal(|ui| {
        let label = ui.label("Folder");
        ui.add(
            egui::TextEdit::singleline(&mut view.music_folder)
                .hint_text("your music folder")
                .desired_width(150.0),
        )
        .labelled_by(label.id)
        .on_hover_text("MP3, M4A, FLAC, Ogg or WAV files, in this folder and the ones inside it");
        if ui
            .button("Use")
            .on_hover_text("Scan this folder for music (each file is analysed once)")
            .clicked()
        {
            commands.push(Command::MusicFolder(super::widgets::typed_path(
                &view.music_folder,
            )));
        }
    });
    if let Some(progress) = &music.progress {
        if progress.finished {
            ui.label(progress.line());
        } else {
            ui.add(
                egui::ProgressBar::new(progress.fraction())
                    .text(progress.line())
                    .desired_height(18.0),
            );
        }
    } else if settings.music.folder.is_none() {
        ui.label(RichText::new("No music folder chosen yet").weak());
    }
    let mut volume = m.volume * 100.0;
    ui.add(
        egui::Slider::new(&mut volume, 0.0..=100.0)
            .text("Music %")
            .integer(),
    )
    .on_hover_text("Loudness of the music");
    m.volume = volume / 100.0;
    ui.checkbox(&mut m.click, "Click on top")
        .on_hover_text("The click plays over the music; off, the music's beat alone leads");
    ui.add(
        egui::Slider::new(&mut m.stretch_limit_pct, STRETCH_PCT)
            .text("Stretch ± %")
            .step_by(0.5),
    )
    .on_hover_text(
        "How far a song's tempo may be changed to fit your cadence (6 % keeps songs natural)",
    );
    if changed != *settings {
        commands.push(Command::UpdateSettings(Box::new(changed)));
    }
    match &music.next {
        Some(pick) => {
            ui.label(format!("Next at {:.0} spm: {}", music.spm, pick_text(pick)));
        }
        None if music.progress.as_ref().is_some_and(|p| p.finished) => {
            ui.label(format!(
                "No track within ±{:.0} % of {:.0} spm; the click plays alone",
                settings.music.stretch_limit_pct, music.spm
            ));
        }
        None => {}
    }
    if music.fitting.len() > 1 {
        egui::CollapsingHeader::new("Queue a track")
            .id_salt("music-queue")
            .show(ui, |ui| {
                for (pick, queued) in &music.fitting {
                    ui.horizontal(|ui| {
                        if *queued {
                            ui.label(RichText::new("queued").weak());
                        } else if ui
                            .small_button("Queue")
                            .on_hover_text(format!("Play {} next", pick.title))
                            .clicked()
                        {
                            commands.push(Command::MusicQueue(pick.path.clone()));
                        }
                        ui.add(egui::Label::new(pick_text(pick)).truncate());
                    });
                }
            });
    }
    if !settings.music.banned.is_empty()
        && ui
            .button(format!("Unban {} tracks", settings.music.banned.len()))
            .on_hover_text("Let the tracks you banned play again")
            .clicked()
    {
        commands.push(Command::MusicUnbanAll);
    }
    if settings.music.on && settings.listening {
        // The ear takes out the app's own click, not the music: from the speakers the music
        // reaches the microphone and its beats can be taken for steps.
        ui.label(
            RichText::new("Listening hears the music too: use headphones")
                .color(ui.visuals().warn_fg_color),
        );
    }
    if let Some(message) = music.message {
        ui.label(RichText::new(message).color(ui.visuals().warn_fg_color));
    }
}

/// The music line while a session plays: the track, its tempo and stretch, Skip and Ban.
pub fn music_line(ui: &mut Ui, music: &MusicShown, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let text = match music.now {
            Some(now) => format!(
                "Music: {}  ·  {:.0} BPM {:+.1} %",
                now.title,
                now.bpm,
                now.stretch * 100.0
            ),
            None => "Music: waiting for a track that fits".to_string(),
        };
        if ui
            .add_sized(
                [110.0, 40.0],
                egui::Button::new(RichText::new("Skip").size(20.0)),
            )
            .on_hover_text("Next track")
            .clicked()
        {
            commands.push(Command::MusicSkip);
        }
        if ui
            .add_enabled(
                music.now.is_some(),
                egui::Button::new(RichText::new("Ban").size(20.0)).min_size(egui::vec2(90.0, 40.0)),
            )
            .on_hover_text("Never play this track again")
            .clicked()
        {
            commands.push(Command::MusicBan);
        }
        ui.add(egui::Label::new(RichText::new(text).size(22.0)).truncate());
    });
}

/// The room the music line takes.
pub const MUSIC_LINE: f32 = 46.0;

/// "Title (88.0 BPM ×2, +1.2 %)".
fn pick_text(pick: &Pick) -> String {
    let times = if pick.fit.factor == 1.0 {
        String::new()
    } else if pick.fit.factor < 1.0 {
        format!(" ×{}", (1.0 / pick.fit.factor).round())
    } else {
        format!(" ÷{}", pick.fit.factor.round())
    };
    format!(
        "{} ({:.1} BPM{times}, {:+.1} %)",
        pick.title,
        pick.bpm,
        pick.fit.stretch * 100.0
    )
}
