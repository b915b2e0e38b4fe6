//! Tests of the distances the TCX and GPX readers find: each track point's own, and what the
//! readers' shared last step counts of them.

use super::tests::{tcx_points, time};
use super::{parse_gpx, parse_tcx};

fn point_at(secs: u32, strides: &str, metres: &str) -> String {
    format!(
        "<Trackpoint><Time>{}</Time><DistanceMeters>{metres}</DistanceMeters>\
         <Extensions><ns3:TPX><ns3:RunCadence>{strides}</ns3:RunCadence></ns3:TPX></Extensions>\
         </Trackpoint>",
        time(secs)
    )
}

#[test]
fn tcx_distance_is_each_trackpoints_own_and_a_bad_one_costs_only_its_distance() {
    let points = [
        point_at(0, "88", "1000.0"),
        point_at(10, "88", "1030.0"),
        point_at(15, "87", "far"),
        point_at(20, "89", "1061.5"),
    ];
    // The lap's total is not a point's distance.
    let text = tcx_points("Running", &points).replace(
        "<Cadence>99</Cadence>",
        "<Cadence>99</Cadence><DistanceMeters>5000</DistanceMeters>",
    );
    let track = parse_tcx(&text).unwrap();
    assert_eq!(track.samples.len(), 4, "the cadence is all read");
    assert_eq!(track.distance, [(0.0, 0.0), (10.0, 30.0), (20.0, 61.5)]);
    assert_eq!(track.distance_m(0.0, 20.0), Some(61.5));
    assert_eq!(track.distance_m(5.0, 20.0), Some(31.5));
    assert_eq!(
        track.distance_m(12.0, 20.0),
        None,
        "one point is no distance"
    );
}

#[test]
fn gpx_distance_follows_the_positions_and_skips_a_jump_no_runner_makes() {
    // A second apart; a hundred-thousandth of a degree of latitude is 1.11 m; at 3 s the
    // position jumps 111 km away and back.
    let lats = [51.5, 51.500_01, 51.500_02, 52.5, 51.500_04, 51.500_05];
    let points: String = lats
        .iter()
        .enumerate()
        .map(|(i, lat)| {
            format!(
                "<trkpt lat=\"{lat}\" lon=\"-0.1\"><time>{}</time><extensions><cad>86</cad>\
                 </extensions></trkpt>",
                time(i as u32)
            )
        })
        .collect();
    let text = format!(
        "<gpx version=\"1.1\"><trk><type>running</type><trkseg>{points}</trkseg></trk></gpx>"
    );
    let track = parse_gpx(&text).unwrap();
    let apart = 6_371_000.0 * 0.000_01_f64.to_radians();
    let covered = track.distance_m(0.0, 5.0).unwrap();
    assert!((covered - 3.0 * apart).abs() < 1e-3, "{covered} {apart}");
}
