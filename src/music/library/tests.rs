use super::*;
use crate::music::test_audio::{Noise, drum_loop_at, write_wav};

const RATE: u32 = 22_050;

/// A folder of music: two drum loops (one in a subfolder), noise, a 6-s jingle, a text file
/// dressed as an MP3, a hidden file and a picture.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("music");
    fs::create_dir_all(root.join("album")).unwrap();
    write_wav(
        &root.join("loop-88.wav"),
        RATE,
        &drum_loop_at(RATE, 88.0, 20.0, 0.55).0,
    );
    write_wav(
        &root.join("album").join("loop-172.wav"),
        RATE,
        &drum_loop_at(RATE, 172.0, 20.0, 0.5).0,
    );
    let mut noise = Noise(3);
    let hiss: Vec<f32> = (0..RATE as usize * 25)
        .map(|_| 0.2 * noise.next())
        .collect();
    write_wav(&root.join("hiss.wav"), RATE, &hiss);
    write_wav(
        &root.join("jingle.wav"),
        RATE,
        &drum_loop_at(RATE, 128.0, 6.0, 0.5).0,
    );
    fs::write(root.join("broken.mp3"), "no music here\n".repeat(50)).unwrap();
    fs::write(root.join(".hidden.wav"), b"RIFF").unwrap();
    fs::write(root.join("cover.jpg"), b"\xff\xd8").unwrap();
    dir
}

fn scan(dir: &Path) -> (Library, Vec<ScanProgress>) {
    let mut seen = Vec::new();
    let library = Library::scan_now(&dir.join("music"), &dir.join(CACHE_FILE), &mut |p| {
        seen.push(p.clone())
    });
    (library, seen)
}

fn outcome_of<'a>(tracks: &'a [TrackEntry], name: &str) -> &'a Outcome {
    &tracks
        .iter()
        .find(|t| t.path.ends_with(name))
        .unwrap_or_else(|| panic!("{name} not found"))
        .outcome
}

#[test]
fn a_scan_finds_the_music_files_and_each_ones_beat() {
    let dir = folder();
    let (library, seen) = scan(dir.path());
    let progress = library.progress();
    assert_eq!(
        (progress.found, progress.done, progress.analysed),
        (5, 5, 5)
    );
    assert_eq!(
        (
            progress.steady,
            progress.unsteady,
            progress.short,
            progress.failed
        ),
        (2, 1, 1, 1)
    );
    assert!(progress.finished);
    assert_eq!(
        progress.line(),
        "2 tracks with a steady beat, 1 without one (skipped), 1 under 20 s (skipped), 1 unreadable"
    );
    // Progress went from walking, through each file, to finished.
    assert!(seen.first().unwrap().walking);
    assert!(
        seen.iter()
            .any(|p| !p.walking && p.done == 2 && !p.finished)
    );
    library.with_tracks(|tracks| {
        assert_eq!(tracks.len(), 5);
        assert_eq!(outcome_of(tracks, "jingle.wav"), &Outcome::Short);
        let Outcome::Steady { bpm, beats } = outcome_of(tracks, "loop-88.wav") else {
            panic!("88 has a beat");
        };
        assert!([88.0, 176.0].iter().any(|t| (bpm - t).abs() < 0.5), "{bpm}");
        assert!(beats.len() > 25);
        assert!(matches!(
            outcome_of(tracks, "loop-172.wav"),
            Outcome::Steady { .. }
        ));
        assert!(matches!(
            outcome_of(tracks, "hiss.wav"),
            Outcome::Unsteady { .. }
        ));
        let Outcome::Failed { reason } = outcome_of(tracks, "broken.mp3") else {
            panic!("broken.mp3 fails");
        };
        assert!(reason.contains("broken.mp3"), "{reason}");
        let entry = tracks
            .iter()
            .find(|t| t.path.ends_with("loop-88.wav"))
            .unwrap();
        assert_eq!(entry.title, "loop-88");
        assert!((entry.duration_s - 20.0).abs() < 0.01);
    });
    // The unreadable file is named once.
    let notes = library.take_notes();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("broken.mp3"));
}

#[test]
fn the_cache_answers_the_next_scan_until_a_file_changes() {
    let dir = folder();
    let (first, _) = scan(dir.path());
    assert!(dir.path().join(CACHE_FILE).exists());
    let (second, _) = scan(dir.path());
    assert_eq!(second.progress().analysed, 0);
    assert_eq!(
        first.with_tracks(<[TrackEntry]>::to_vec),
        second.with_tracks(<[TrackEntry]>::to_vec)
    );
    // A file known as failed is not reported again while it has not changed.
    assert!(second.take_notes().is_empty());
    // A changed file (other size) is analysed again; a removed one leaves the cache.
    let root = dir.path().join("music");
    write_wav(
        &root.join("hiss.wav"),
        RATE,
        &drum_loop_at(RATE, 128.0, 24.0, 0.5).0,
    );
    fs::remove_file(root.join("album").join("loop-172.wav")).unwrap();
    let (third, _) = scan(dir.path());
    assert_eq!(third.progress().analysed, 1);
    assert_eq!(third.progress().found, 4);
    third.with_tracks(|t| assert!(matches!(outcome_of(t, "hiss.wav"), Outcome::Steady { .. })));
    let text = fs::read_to_string(dir.path().join(CACHE_FILE)).unwrap();
    assert!(!text.contains("loop-172"));
}

#[test]
fn a_damaged_cache_is_rebuilt_and_other_folders_entries_are_kept() {
    let dir = folder();
    fs::write(
        dir.path().join(CACHE_FILE),
        "MusicCache(version: 1, tracks: [(pa",
    )
    .unwrap();
    let (library, _) = scan(dir.path());
    let notes = library.take_notes();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("music cache") && n.contains("analysed again")),
        "{notes:?}"
    );
    assert_eq!(library.progress().analysed, 5);
    // Another folder's scan keeps this one's entries in the cache.
    let other = dir.path().join("other");
    fs::create_dir_all(&other).unwrap();
    write_wav(
        &other.join("x.wav"),
        RATE,
        &drum_loop_at(RATE, 170.0, 21.0, 0.5).0,
    );
    Library::scan_now(&other, &dir.path().join(CACHE_FILE), &mut |_| {});
    let (again, _) = scan(dir.path());
    assert_eq!(again.progress().analysed, 0);
    let text = fs::read_to_string(dir.path().join(CACHE_FILE)).unwrap();
    assert!(text.contains("x.wav") && text.contains("loop-88.wav"));
}

#[test]
fn a_missing_folder_is_one_line_and_an_empty_library() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::scan_now(
        &dir.path().join("nowhere"),
        &dir.path().join(CACHE_FILE),
        &mut |_| {},
    );
    assert_eq!(library.progress().found, 0);
    assert!(library.progress().finished);
    let notes = library.take_notes();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].starts_with("could not read the music folder"),
        "{notes:?}"
    );
    assert!(notes[0].contains("nowhere"));
}

#[test]
fn a_background_scan_reports_progress_until_it_is_done() {
    let dir = folder();
    let library =
        Library::scan_in_background(&dir.path().join("music"), &dir.path().join(CACHE_FILE));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !library.progress().finished {
        assert!(Instant::now() < deadline, "the scan never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(library.progress().steady, 2);
}
