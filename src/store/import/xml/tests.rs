//! Tests of the TCX and GPX readers.

use super::*;
use super::{gpx::read_gpx, tcx::read_tcx};
use crate::store::import::tests::assert_sane;
use crate::store::import::{CadenceTrack, Format, ImportError, ReadOptions};

/// 2024-03-01T07:00:00Z.
const START_UNIX: i64 = 1_709_276_400;

pub(super) fn tcx_points(sport: &str, points: &[String]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
  <Activities>
<Activity Sport="{sport}">
  <Id>2024-03-01T07:00:00Z</Id>
  <Lap StartTime="2024-03-01T07:00:00Z">
    <Cadence>99</Cadence>
    <Track>
{}
    </Track>
    <Extensions><ns3:LX><ns3:AvgRunCadence>99</ns3:AvgRunCadence></ns3:LX></Extensions>
  </Lap>
</Activity>
  </Activities>
</TrainingCenterDatabase>
"#,
        points.join("\n")
    )
}

pub(super) fn time(secs: u32) -> String {
    let t = jiff::Timestamp::from_second(START_UNIX + i64::from(secs)).unwrap();
    t.to_string()
}

fn run_point(secs: u32, strides: &str) -> String {
    format!(
        "<Trackpoint><Time>{}</Time><HeartRateBpm><Value>150</Value></HeartRateBpm>\
         <Extensions><ns3:TPX><ns3:Speed>3.1</ns3:Speed><ns3:RunCadence>{strides}</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>",
        time(secs)
    )
}

fn plain_point(secs: u32, cadence: &str) -> String {
    format!(
        "<Trackpoint><Time>{}</Time><Cadence>{cadence}</Cadence></Trackpoint>",
        time(secs)
    )
}

fn gpx_points(points: &[String]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="Garmin Connect" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
  <metadata><time>2024-03-01T06:00:00Z</time></metadata>
  <trk><name>Morning run</name><type>running</type><trkseg>
{}
  </trkseg></trk>
</gpx>
"#,
        points.join("\n")
    )
}

fn gpx_point(secs: u32, cad: &str) -> String {
    format!(
        r#"<trkpt lat="51.5" lon="-0.1"><ele>12.0</ele><time>{}</time><extensions><ns3:TrackPointExtension><ns3:hr>150</ns3:hr><ns3:cad>{cad}</ns3:cad></ns3:TrackPointExtension></extensions></trkpt>"#,
        time(secs)
    )
}

#[test]
fn tcx_run_cadence_is_strides_and_is_doubled() {
    let text = tcx_points("Running", &[run_point(0, "88"), run_point(1, "86")]);
    let track = parse_tcx(&text).unwrap();
    assert_eq!(
        track,
        CadenceTrack {
            format: Format::Tcx,
            start_unix: START_UNIX,
            samples: vec![(0.0, 176.0), (1.0, 172.0)],
            doubled: true,
            sport: None,
            notes: Vec::new(),
            distance: Vec::new(),
        }
    );
}

#[test]
fn tcx_any_prefix_and_no_prefix_work() {
    let text = tcx_points("Running", &[run_point(0, "88")])
        .replace("ns3:", "ax:")
        .replace("xmlns:ns3", "xmlns:ax");
    assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 176.0)]);
    let text = tcx_points("Running", &[run_point(0, "88")]).replace("ns3:", "");
    assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 176.0)]);
}

#[test]
fn tcx_plain_cadence_counts_only_in_a_running_file_without_run_cadence() {
    let text = tcx_points("Running", &[plain_point(0, "84"), plain_point(2, "85")]);
    let track = parse_tcx(&text).unwrap();
    assert_eq!(track.samples, vec![(0.0, 168.0), (2.0, 170.0)]);
    assert!(track.doubled);
    // An app that writes steps there (median 120 or more) is taken as it is.
    let text = tcx_points("Running", &[plain_point(0, "168"), plain_point(2, "172")]);
    let track = parse_tcx(&text).unwrap();
    assert_eq!(track.samples, vec![(0.0, 168.0), (2.0, 172.0)]);
    assert!(!track.doubled);

    // Any RunCadence in the file, even on another point, wins over every plain Cadence.
    let text = tcx_points("Running", &[plain_point(0, "84"), run_point(2, "90")]);
    assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 180.0)]);
    let text = tcx_points("Running", &[run_point(0, "90"), plain_point(2, "84")]);
    assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 180.0)]);
}

#[test]
fn tcx_cycling_cadence_is_not_running_cadence() {
    let text = tcx_points("Biking", &[plain_point(0, "84"), plain_point(1, "85")]);
    let e = parse_tcx(&text).unwrap_err();
    assert_eq!(
        e.to_string(),
        "it is a biking activity: its cadence counts pedal turns, not steps"
    );
    // Unless the runner says it was a run.
    let running = ReadOptions {
        sport: Some(crate::store::import::FootSport::Running),
    };
    let track = read_tcx(&text, &running).unwrap();
    assert_eq!(track.samples, vec![(0.0, 168.0), (1.0, 170.0)]);
    assert_eq!(
        track.notes,
        vec!["The file calls it a biking activity; taken as running, as asked.".to_string()]
    );
    // A sport that names nothing: the earlier, general refusal.
    let text = tcx_points("Other", &[plain_point(0, "84")]);
    assert!(
        parse_tcx(&text)
            .unwrap_err()
            .to_string()
            .contains("if it was a run, import it with --sport running")
    );
}

#[test]
fn tcx_without_cadence_counts_its_points() {
    let points: Vec<String> = (0..3_120)
        .map(|i| format!("<Trackpoint><Time>{}</Time></Trackpoint>", time(i)))
        .collect();
    let e = parse_tcx(&tcx_points("Running", &points)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no cadence in this file (it has 3,120 track points but none with a cadence)"
    );
    let e = parse_tcx(&tcx_points("Running", &[])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no cadence in this file (it has no track points)"
    );
}

#[test]
fn tcx_times_with_offsets_fractions_and_no_zone() {
    let text = tcx_points(
        "Running",
        &[
            run_point(0, "80"),
            "<Trackpoint><Time>2024-03-01T09:00:01.5+02:00</Time><Extensions><ns3:TPX><ns3:RunCadence>81</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>".into(),
            "<Trackpoint><Time> 2024-03-01T07:00:03 </Time><Extensions><ns3:TPX><ns3:RunCadence> 82 </ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>".into(),
        ],
    );
    assert_eq!(
        parse_tcx(&text).unwrap().samples,
        vec![(0.0, 160.0), (1.5, 162.0), (3.0, 164.0)]
    );
}

#[test]
fn tcx_sorts_by_time_keeps_the_last_duplicate_and_drops_the_impossible() {
    let text = tcx_points(
        "Running",
        &[
            run_point(5, "85"),
            run_point(0, "80"),
            run_point(5, "86"),
            run_point(6, "250"),
            run_point(7, "NaN"),
            run_point(8, "0"),
            run_point(9, ""),
        ],
    );
    let track = parse_tcx(&text).unwrap();
    assert_eq!(track.samples, vec![(0.0, 160.0), (5.0, 172.0), (8.0, 0.0)]);
    assert_eq!(track.end_unix(), START_UNIX + 8);
    assert_eq!(track.average_spm(), Some(166.0));
}

#[test]
fn tcx_bad_values_name_their_line() {
    let text = tcx_points("Running", &[run_point(0, "80"), run_point(1, "fast")]);
    let line = text.lines().position(|l| l.contains("fast")).unwrap() + 1;
    assert_eq!(
        parse_tcx(&text).unwrap_err().to_string(),
        format!("TCX line {line}: the cadence \"fast\" is not a number")
    );
    let text = tcx_points("Running", &[run_point(0, "80")]).replace(
        "<Time>2024-03-01T07:00:00Z</Time><Heart",
        "<Time>yesterday</Time><Heart",
    );
    assert!(
        parse_tcx(&text)
            .unwrap_err()
            .to_string()
            .contains("the time \"yesterday\" is not a date and time")
    );
    let long = "8".repeat(100);
    assert!(
        parse_tcx(&tcx_points("Running", &[run_point(0, &long)]))
            .unwrap_err()
            .to_string()
            .contains("too long")
    );
}

#[test]
fn tcx_entities_predefined_only() {
    let text = tcx_points("Running", &[run_point(0, "&#56;&#x38;")]);
    assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 176.0)]);
    let text = format!(
        "<!DOCTYPE TrainingCenterDatabase [<!ENTITY cad \"88\">]>\n{}",
        tcx_points("Running", &[run_point(0, "&cad;")]).replacen(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "",
            1
        )
    );
    let e = parse_tcx(&text).unwrap_err().to_string();
    assert!(
        e.contains("&cad;, an entity this app does not expand"),
        "{e}"
    );
    // An unknown entity somewhere harmless is ignored.
    let text =
        tcx_points("Running", &[run_point(0, "88")]).replace("<Id>", "<Notes>&nbsp;</Notes><Id>");
    assert_eq!(parse_tcx(&text).unwrap().samples, vec![(0.0, 176.0)]);
}

#[test]
fn garbage_xml_is_an_error_with_its_line() {
    let text = "<?xml version=\"1.0\"?>\n<TrainingCenterDatabase>\n<Activities>\n\
                <Activity Sport=\"Running\">\n</Activities>\n</TrainingCenterDatabase>\n";
    let e = parse_tcx(text).unwrap_err();
    assert!(matches!(e, ImportError::Tcx { line: 5, .. }), "{e}");
    assert!(
        e.to_string().starts_with("TCX line 5: the file is damaged"),
        "{e}"
    );

    let e = parse_gpx("<gpx>\n<trk>\n<trkseg>\n<trkpt <<< >").unwrap_err();
    assert!(matches!(e, ImportError::Gpx { line: 4, .. }), "{e}");

    let cut = tcx_points("Running", &[run_point(0, "88")]);
    let cut = &cut[..cut.len() / 2];
    let e = parse_tcx(cut).unwrap_err();
    assert!(matches!(e, ImportError::Tcx { .. }), "{e}");

    let e = parse_tcx("hello, world").unwrap_err();
    assert_eq!(
        e.to_string(),
        "TCX line 1: this is not a TCX file (it has no <TrainingCenterDatabase>)"
    );
    let e = parse_tcx(&gpx_points(&[gpx_point(0, "86")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "TCX line 2: this is not a TCX file (it starts with <gpx>, not <TrainingCenterDatabase>)"
    );
}

#[test]
fn deep_nesting_is_refused() {
    let text = format!("<gpx>{}", "<a>".repeat(100_000));
    let e = parse_gpx(&text).unwrap_err();
    assert!(e.to_string().contains("nested more than 256 deep"), "{e}");
}

#[test]
fn many_tiny_elements_are_bounded_work() {
    let text = format!("<gpx>{}</gpx>", "<a/>".repeat(1_000_000));
    assert!(matches!(
        parse_gpx(&text),
        Err(ImportError::NoCadence { points: 0, .. })
    ));
}

#[test]
fn gpx_strides_are_doubled() {
    let text = gpx_points(&[gpx_point(0, "86"), gpx_point(1, "0"), gpx_point(2, "88")]);
    assert_eq!(
        parse_gpx(&text).unwrap(),
        CadenceTrack {
            format: Format::Gpx,
            start_unix: START_UNIX,
            samples: vec![(0.0, 172.0), (1.0, 0.0), (2.0, 176.0)],
            doubled: true,
            sport: Some("running".into()),
            notes: Vec::new(),
            // Every point at the same place.
            distance: vec![(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)],
        }
    );
}

#[test]
fn gpx_steps_are_kept() {
    let text = gpx_points(&[gpx_point(0, "172"), gpx_point(1, "0"), gpx_point(2, "90")]);
    // The median of 172 and 90 is 131: steps, so even the 90 (a slow bit) is kept as is.
    let track = parse_gpx(&text).unwrap();
    assert_eq!(track.samples, vec![(0.0, 172.0), (1.0, 0.0), (2.0, 90.0)]);
    assert!(!track.doubled);
    let track = parse_gpx(&gpx_points(&[gpx_point(0, "172")])).unwrap();
    assert_eq!((track.samples, track.doubled), (vec![(0.0, 172.0)], false));
}

#[test]
fn gpx_median_decides_between_strides_and_steps() {
    // Mostly strides with a step-like outlier and some standing still: still strides.
    let text = gpx_points(&[
        gpx_point(0, "85"),
        gpx_point(1, "86"),
        gpx_point(2, "150"),
        gpx_point(3, "0"),
        gpx_point(4, "0"),
        gpx_point(5, "0"),
    ]);
    let track = parse_gpx(&text).unwrap();
    assert!(track.doubled);
    assert_eq!(
        track.samples,
        vec![
            (0.0, 170.0),
            (1.0, 172.0),
            (2.0, 300.0),
            (3.0, 0.0),
            (4.0, 0.0),
            (5.0, 0.0)
        ]
    );
    // Exactly 120 counts as steps.
    let track = parse_gpx(&gpx_points(&[gpx_point(0, "119"), gpx_point(1, "121")])).unwrap();
    assert!(!track.doubled);
}

#[test]
fn gpx_cadence_in_every_common_tag_and_only_in_track_points() {
    // Garmin (any prefix), Cluetrust/Movescount `gpxdata:cadence`, Strava's plain `cadence`
    // in the extensions or directly in the point.
    let tags = [
        r#"<extensions><gpxtpx:TrackPointExtension><gpxtpx:cad>86</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>"#,
        r#"<extensions><ns3:TrackPointExtension><ns3:cad>86</ns3:cad></ns3:TrackPointExtension></extensions>"#,
        r#"<extensions><gpxdata:cadence>86</gpxdata:cadence></extensions>"#,
        r#"<extensions><cadence>86</cadence></extensions>"#,
        r#"<cadence>86</cadence>"#,
        r#"<cad>86</cad>"#,
    ];
    for tag in tags {
        let point = format!(
            r#"<trkpt lat="1" lon="2"><time>{}</time>{tag}</trkpt>"#,
            time(0)
        );
        let track = parse_gpx(&gpx_points(&[point])).unwrap();
        assert_eq!(track.samples, vec![(0.0, 172.0)], "{tag}");
    }
    let text = gpx_points(&[format!(
        r#"<wpt lat="1" lon="2"><time>{}</time><extensions><cad>86</cad></extensions></wpt>"#,
        time(1)
    )]);
    assert_eq!(
        parse_gpx(&text).unwrap_err().to_string(),
        "no cadence in this file (it has no track points)"
    );
    let text = gpx_points(&[
        r#"<trkpt lat="1" lon="2"><extensions><cad>86</cad></extensions></trkpt>"#.to_string(),
    ]);
    assert_eq!(
        parse_gpx(&text).unwrap_err().to_string(),
        "no cadence in this file (it has 1 track point but none with both a time and a cadence)"
    );
}

#[test]
fn gpx_track_type_decides_the_sport() {
    let points: Vec<String> = (0..3).map(|i| gpx_point(i, "90")).collect();
    let ride = gpx_points(&points).replace("<type>running</type>", "<type>road_biking</type>");
    assert_eq!(
        parse_gpx(&ride).unwrap_err().to_string(),
        "it is a road biking activity: its cadence counts pedal turns, not steps"
    );
    let strava_ride = gpx_points(&points).replace("<type>running</type>", "<type>1</type>");
    assert!(matches!(
        parse_gpx(&strava_ride),
        Err(ImportError::NotSteps { .. })
    ));
    let strava_run = gpx_points(&points).replace("<type>running</type>", "<type>9</type>");
    assert_eq!(parse_gpx(&strava_run).unwrap().samples.len(), 3);
}

#[test]
fn gpx_without_a_type_is_judged_by_its_speed() {
    // 90 a minute at about 9 m/s (0.0001° of latitude is 11.1 m): a ride.
    let fast: Vec<String> = (0..5)
        .map(|i| {
            format!(
                r#"<trkpt lat="{:.6}" lon="0"><time>{}</time><cad>90</cad></trkpt>"#,
                51.0 + f64::from(i) * 0.0008,
                time(i * 10)
            )
        })
        .collect();
    let text = gpx_points(&fast).replace("<type>running</type>", "");
    let e = parse_gpx(&text).unwrap_err().to_string();
    assert_eq!(
        e,
        "it does not say its sport, and its cadence (a median of 90 a minute at 32 km/h) is a \
         ride's pedalling, not a run's strides; if it was a run, import it with --sport running"
    );
    let running = ReadOptions {
        sport: Some(crate::store::import::FootSport::Running),
    };
    assert_eq!(read_gpx(&text, &running).unwrap().samples.len(), 5);
    // The same cadence at a runner's 3.3 m/s.
    let slow = text.replace("0.0008", "0.0003");
    let slow: String = (0..5)
        .map(|i| format!("{:.6}", 51.0 + f64::from(i) * 0.0008))
        .zip((0..5).map(|i| format!("{:.6}", 51.0 + f64::from(i) * 0.0003)))
        .fold(slow, |t, (a, b)| {
            t.replace(&format!("lat=\"{a}\""), &format!("lat=\"{b}\""))
        });
    assert_eq!(parse_gpx(&slow).unwrap().samples.len(), 5);
}

#[test]
fn root_format_reads_past_the_prolog() {
    let tcx = "<?xml version=\"1.0\"?>\n<!-- exported -->\n<?pi x?>\n<ns:TrainingCenterDatabase/>";
    assert_eq!(root_format(tcx), Some(Format::Tcx));
    assert_eq!(root_format("<gpx version=\"1.1\">"), Some(Format::Gpx));
    assert_eq!(root_format("<kml/>"), None);
    assert_eq!(root_format("no xml"), None);
    assert_eq!(root_format("<<<"), None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1_000))]

    /// A valid file with random characters inserted or removed: an error or a sane track.
    #[test]
    fn mutated_xml_never_panics(
        edits in proptest::collection::vec((0usize..4_000, proptest::prelude::any::<char>(), proptest::prelude::any::<bool>()), 1..6),
    ) {
        let points: Vec<String> = (0..6).map(|i| run_point(i, &format!("{}", 80 + i))).collect();
        let gpoints: Vec<String> = (0..6).map(|i| gpx_point(i, &format!("{}", 80 + i))).collect();
        for (mut text, is_tcx) in [(tcx_points("Running", &points), true), (gpx_points(&gpoints), false)] {
            for &(at, c, insert) in &edits {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if insert {
                    text.insert(at, c);
                } else if at < text.len() {
                    text.remove(at);
                }
            }
            let result = if is_tcx { parse_tcx(&text) } else { parse_gpx(&text) };
            if let Ok(track) = result {
                assert_sane(&track);
            }
        }
    }
}
