//! Importing a run's cadence from a watch file: FIT (binary, decoded by hand in `fit`), TCX and
//! GPX (streamed XML, in `xml`). This module owns the entry point the window and the command
//! line share ([`read_watch_file`]), the size limits and picking the format by content; `track`
//! holds the result and the last step every reader shares (the legs on foot, strides to steps,
//! impossible and all-zero values, time order), `sport` what a sport's cadence counts, and
//! `error` the reasons a file is refused.
//!
//! Every parser is written for hostile input: it never panics, never reads past the bytes it
//! was given, and never allocates in proportion to a number read from the file, only in
//! proportion to the bytes actually present (and never more than [`MAX_SAMPLES`] samples).

mod error;
mod fit;
mod sport;
mod track;
mod xml;

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

pub use error::{ImportError, WatchFileError, grouped, samples_phrase};
use error::{no_cadence, track_points};
pub use fit::parse_fit;
pub use sport::{Counts, Sport};
pub use track::CadenceTrack;
use track::{Samples, Strides};
pub use xml::{parse_gpx, parse_tcx};

/// A file larger than this is not a run's watch file.
pub const MAX_IMPORT_BYTES: u64 = 64 << 20;
/// More cadence samples than this (almost six days at one per second) is an error.
pub const MAX_SAMPLES: usize = 500_000;
/// Steps per minute above which a value cannot be a runner's cadence; such samples are dropped.
const MAX_SPM: f64 = 400.0;

/// Which file format a track came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Fit,
    Tcx,
    Gpx,
}

/// A sport on foot the runner can say a file was recorded in, over what the file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FootSport {
    Running,
    Walking,
    Hiking,
}

impl FootSport {
    pub fn name(self) -> &'static str {
        match self {
            FootSport::Running => "running",
            FootSport::Walking => "walking",
            FootSport::Hiking => "hiking",
        }
    }
}

/// How to read a watch file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Take every sample as this sport, whatever the file says or its content suggests (a
    /// watch left in bike mode for a run). `None`: the file's sport decides.
    pub sport: Option<FootSport>,
}

/// Reads a watch file the runner chose (typed, dropped or given to `import`): its cadence track
/// and its file name (the source a session names). The window and `import` both come here, so
/// a file is read by the same rules from either; an error is one line naming the file.
pub fn read_watch_file(
    path: &Path,
    options: &ReadOptions,
) -> Result<(CadenceTrack, String), WatchFileError> {
    if path.is_dir() {
        return Err(WatchFileError::Folder {
            path: path.to_path_buf(),
        });
    }
    let track =
        read_track(path, options).map_err(|e| WatchFileError::new(path.to_path_buf(), e))?;
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((track, source))
}

/// Reads `path` (at most [`MAX_IMPORT_BYTES`], never more than that of a bigger file) and picks
/// the format by content: the FIT signature ".FIT" at bytes 8..12, otherwise the XML root
/// element (`TrainingCenterDatabase` for TCX, `gpx` for GPX). The file name does not matter.
pub fn read_track(path: &Path, options: &ReadOptions) -> Result<CadenceTrack, ImportError> {
    let io_error = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let size_hint = file.metadata().map_or(0, |m| m.len());
    if size_hint > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let bytes = read_bounded(file, MAX_IMPORT_BYTES, size_hint)
        .map_err(io_error)?
        .ok_or(ImportError::TooLarge)?;
    parse_any(&bytes, options)
}

/// Reads at most `max + 1` bytes; `None` when there were more than `max`. `size_hint` (the
/// length the file system reports) only sizes the first allocation and is capped by `max`.
fn read_bounded(reader: impl Read, max: u64, size_hint: u64) -> io::Result<Option<Vec<u8>>> {
    let capacity = usize::try_from(size_hint.min(max)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// Picks the parser by content.
pub fn parse_any(bytes: &[u8], options: &ReadOptions) -> Result<CadenceTrack, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    if bytes.get(8..12) == Some(b".FIT".as_slice()) {
        return fit::read(bytes, options);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => match xml::root_format(text) {
            Some(Format::Tcx) => xml::read_tcx(text, options),
            Some(Format::Gpx) => xml::read_gpx(text, options),
            _ => Err(ImportError::UnknownFormat),
        },
        Err(bad) => {
            // Name the format if the readable part shows it, and the line of the bad byte.
            let readable = std::str::from_utf8(&body[..bad.valid_up_to()]).unwrap_or("");
            let line = line_of(readable, readable.len());
            let problem = "the file is not UTF-8 text (it may be damaged)".to_string();
            match xml::root_format(readable) {
                Some(Format::Tcx) => Err(ImportError::Tcx { line, problem }),
                Some(Format::Gpx) => Err(ImportError::Gpx { line, problem }),
                _ => Err(ImportError::UnknownFormat),
            }
        }
    }
}

/// The 1-based line of byte `pos` in `text`.
fn line_of(text: &str, pos: usize) -> usize {
    let pos = pos.min(text.len());
    text.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(samples: Vec<(f64, f64)>) -> CadenceTrack {
        CadenceTrack {
            format: Format::Fit,
            start_unix: 1_000,
            samples,
            doubled: true,
            sport: None,
            notes: Vec::new(),
            distance: Vec::new(),
        }
    }

    #[test]
    fn end_and_average() {
        let t = track(vec![(0.0, 0.0), (1.0, 170.0), (2.5, 174.0)]);
        assert_eq!(t.end_unix(), 1_003);
        assert_eq!(t.average_spm(), Some(172.0));
        let still = track(vec![(0.0, 0.0), (4.0, 0.0)]);
        assert_eq!(still.end_unix(), 1_004);
        assert_eq!(still.average_spm(), None);
        assert_eq!(track(vec![]).end_unix(), 1_000);
    }

    #[test]
    fn finish_sorts_keeps_the_last_duplicate_and_drops_the_impossible() {
        let mut s = Samples::new();
        let base = 1_700_000_000i128 * 1_000_000_000;
        s.push(base + 2_000_000_000, 80.0).unwrap();
        s.push(base + 500_000_000, 85.0).unwrap();
        s.push(base + 2_000_000_000, 86.0).unwrap();
        s.push(base + 3_000_000_000, 250.0).unwrap();
        s.push(base + 4_000_000_000, f64::NAN).unwrap();
        s.push(base + 5_000_000_000, -1.0).unwrap();
        s.push(base + 6_000_000_000, 0.0).unwrap();
        let t = s
            .finish(
                Format::Tcx,
                Strides::Always,
                7,
                &ReadOptions::default(),
                Vec::new(),
            )
            .unwrap();
        assert_eq!(t.start_unix, 1_700_000_000);
        assert_eq!(t.samples, vec![(0.5, 170.0), (2.0, 172.0), (6.0, 0.0)]);
        assert_eq!(t.end_unix(), 1_700_000_006);
    }

    #[test]
    fn finish_with_only_impossible_values_says_so() {
        let mut s = Samples::new();
        s.push(0, 300.0).unwrap();
        let e = s
            .finish(
                Format::Fit,
                Strides::Always,
                1,
                &ReadOptions::default(),
                Vec::new(),
            )
            .unwrap_err();
        assert!(e.to_string().contains("impossible"), "{e}");
    }

    #[test]
    fn samples_are_capped() {
        let mut s = Samples::new();
        for i in 0..MAX_SAMPLES {
            s.push(i as i128, 1.0).unwrap();
        }
        assert!(matches!(s.push(0, 1.0), Err(ImportError::TooManySamples)));
    }

    #[test]
    fn point_counts_read_like_a_runner_writes_them() {
        assert_eq!(track_points(0), "0 track points");
        assert_eq!(track_points(1), "1 track point");
        assert_eq!(track_points(999), "999 track points");
        assert_eq!(track_points(3_120), "3,120 track points");
        assert_eq!(track_points(1_234_567), "1,234,567 track points");
        assert_eq!(
            no_cadence(3_120, false).to_string(),
            "no cadence in this file (it has 3,120 track points but none with a cadence)"
        );
    }

    #[test]
    fn bounded_read_stops_after_the_limit() {
        let ok = read_bounded(&[1u8, 2, 3][..], 3, 1_000_000).unwrap();
        assert_eq!(ok, Some(vec![1, 2, 3]));
        assert_eq!(read_bounded(&[1u8, 2, 3, 4][..], 3, 0).unwrap(), None);
        // An endless source is read only up to the limit.
        assert_eq!(read_bounded(io::repeat(7), 1_000, 0).unwrap(), None);
    }

    #[test]
    fn line_numbers_count_from_one() {
        assert_eq!(line_of("", 0), 1);
        assert_eq!(line_of("a\nb\nc", 4), 3);
        assert_eq!(line_of("a\nb", 99), 2);
    }

    const TCX: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase><Activities><Activity Sport="Running"><Lap><Track>
<Trackpoint><Time>2024-03-01T07:00:00Z</Time><Extensions><TPX><RunCadence>88</RunCadence></TPX></Extensions></Trackpoint>
</Track></Lap></Activity></Activities></TrainingCenterDatabase>"#;

    const GPX: &str = r#"<?xml version="1.0"?>
<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="2"><time>2024-03-01T07:00:00Z</time>
<extensions><gpxtpx:TrackPointExtension><gpxtpx:cad>86</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt></trkseg></trk></gpx>"#;

    #[test]
    fn read_track_picks_the_format_by_content_not_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let tcx = dir.path().join("run.gpx");
        std::fs::write(&tcx, format!("\u{FEFF}{TCX}")).unwrap();
        let t = read_track(&tcx, &ReadOptions::default()).unwrap();
        assert_eq!(
            (t.format, t.samples.clone()),
            (Format::Tcx, vec![(0.0, 176.0)])
        );

        let gpx = dir.path().join("run.fit");
        std::fs::write(&gpx, GPX).unwrap();
        let t = read_track(&gpx, &ReadOptions::default()).unwrap();
        assert_eq!(
            (t.format, t.samples.clone()),
            (Format::Gpx, vec![(0.0, 172.0)])
        );

        let fit = dir.path().join("run.tcx");
        std::fs::write(&fit, fit::tests::simple_fit(85, 64)).unwrap();
        let t = read_track(&fit, &ReadOptions::default()).unwrap();
        assert_eq!(
            (t.format, t.samples.clone()),
            (Format::Fit, vec![(0.0, 171.0)])
        );
    }

    #[test]
    fn read_track_names_what_it_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8]); 4] = [
            ("notes.txt", b"just some notes"),
            ("page.html", b"<html><body>hi</body></html>"),
            (
                "blob.bin",
                &[
                    0xFF, 0xFE, 0x00, 0x01, 0x80, 0x90, 0xA0, 0xB0, 0, 0, 0, 0, 9,
                ],
            ),
            ("workout.ron", b"Workout(version: 1)"),
        ];
        for (name, bytes) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let e = read_track(&path, &ReadOptions::default()).unwrap_err();
            assert!(matches!(e, ImportError::UnknownFormat), "{name}: {e}");
            assert!(e.to_string().contains("FIT, TCX or GPX"), "{e}");
        }
        let empty = dir.path().join("empty.fit");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(
            read_track(&empty, &ReadOptions::default())
                .unwrap_err()
                .to_string(),
            "the file is empty"
        );
    }

    #[test]
    fn read_track_reports_bad_utf8_in_an_xml_file_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.tcx");
        let mut bytes = TCX.as_bytes().to_vec();
        let at = TCX.find("88").unwrap();
        bytes[at] = 0xFF;
        std::fs::write(&path, bytes).unwrap();
        let e = read_track(&path, &ReadOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "TCX line 3: the file is not UTF-8 text (it may be damaged)"
        );
    }

    #[test]
    fn read_track_refuses_a_huge_file_and_names_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.fit");
        let file = File::create(&path).unwrap();
        file.set_len(MAX_IMPORT_BYTES + 1).unwrap();
        drop(file);
        let e = read_track(&path, &ReadOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "the file is larger than 64 MiB");

        let missing = dir.path().join("missing.fit");
        let e = read_track(&missing, &ReadOptions::default()).unwrap_err();
        assert!(matches!(e, ImportError::Io { .. }));
        assert!(e.to_string().contains("missing.fit"), "{e}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// Random bytes through the format picker and every parser: an error or a sane track.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let text = String::from_utf8_lossy(&bytes);
            let results = [parse_any(&bytes, &ReadOptions::default()), parse_fit(&bytes), parse_tcx(&text), parse_gpx(&text)];
            for track in results.into_iter().flatten() {
                assert_sane(&track);
            }
        }
    }

    /// Every sample within 0..=400 steps per minute and strictly increasing in time.
    pub(super) fn assert_sane(track: &CadenceTrack) {
        assert!(!track.samples.is_empty());
        for &(t, spm) in &track.samples {
            assert!(t.is_finite() && t >= 0.0, "time {t}");
            assert!((0.0..=MAX_SPM).contains(&spm), "cadence {spm}");
        }
        for pair in track.samples.windows(2) {
            assert!(pair[0].0 < pair[1].0, "not sorted: {pair:?}");
        }
    }
}
