//! Tests of the FIT decoder, on files written byte by byte.

use super::*;
use crate::store::import::tests::assert_sane;

/// 2024-03-01T07:00:00Z.
const START_UNIX: i64 = 1_709_276_400;
const START_FIT: u32 = (START_UNIX - FIT_EPOCH_UNIX) as u32;

/// Writes FIT records by hand, including the unusual ones.
#[derive(Default)]
struct Fit {
    data: Vec<u8>,
}

impl Fit {
    fn definition(
        &mut self,
        local: u8,
        big_endian: bool,
        global: u16,
        fields: &[(u8, u8, u8)],
        developer: &[(u8, u8, u8)],
    ) -> &mut Fit {
        let dev_flag = if developer.is_empty() { 0 } else { 0x20 };
        self.data.push(0x40 | dev_flag | local);
        self.data.push(0);
        self.data.push(u8::from(big_endian));
        if big_endian {
            self.data.extend(global.to_be_bytes());
        } else {
            self.data.extend(global.to_le_bytes());
        }
        self.data.push(fields.len() as u8);
        for &(n, s, t) in fields {
            self.data.extend([n, s, t]);
        }
        if !developer.is_empty() {
            self.data.push(developer.len() as u8);
            for &(n, s, i) in developer {
                self.data.extend([n, s, i]);
            }
        }
        self
    }

    /// The usual record definition on local type 0: timestamp, cadence, fractional.
    fn record_definition(&mut self) -> &mut Fit {
        self.definition(0, false, 20, &[(253, 4, 0x86), (4, 1, 2), (53, 1, 2)], &[])
    }

    fn message(&mut self, local: u8, body: &[u8]) -> &mut Fit {
        self.data.push(local);
        self.data.extend(body);
        self
    }

    fn record(&mut self, fit_time: u32, cadence: u8, fractional: u8) -> &mut Fit {
        let mut body = fit_time.to_le_bytes().to_vec();
        body.extend([cadence, fractional]);
        self.message(0, &body)
    }

    fn compressed(&mut self, local: u8, offset: u8, body: &[u8]) -> &mut Fit {
        self.data.push(0x80 | (local << 5) | (offset & 0x1F));
        self.data.extend(body);
        self
    }

    /// A 14-byte header (header CRC 0), the data and a zero CRC.
    fn build(&self) -> Vec<u8> {
        let mut file = vec![14, 0x20];
        file.extend(2195u16.to_le_bytes());
        file.extend((self.data.len() as u32).to_le_bytes());
        file.extend(b".FIT");
        file.extend([0, 0]);
        file.extend(&self.data);
        file.extend([0, 0]);
        file
    }
}

/// A file_id message, then one record at START_UNIX with this cadence.
pub(in crate::store::import) fn simple_fit(cadence: u8, fractional: u8) -> Vec<u8> {
    let mut fit = Fit::default();
    fit.definition(1, false, 0, &[(0, 1, 0), (4, 4, 0x86)], &[])
        .message(1, &[4, 1, 2, 3, 4])
        .record_definition()
        .record(START_FIT, cadence, fractional);
    fit.build()
}

fn spm(bytes: &[u8]) -> Vec<(f64, f64)> {
    let track = parse_fit(bytes).unwrap();
    assert_eq!(track.format, Format::Fit);
    assert!(track.doubled);
    assert_eq!(track.start_unix, START_UNIX);
    track.samples
}

#[test]
fn strides_and_fractional_strides_become_steps() {
    assert_eq!(spm(&simple_fit(85, 64)), vec![(0.0, 171.0)]);
    assert_eq!(spm(&simple_fit(85, 0)), vec![(0.0, 170.0)]);
    assert_eq!(spm(&simple_fit(85, 1)), vec![(0.0, 170.015625)]);
    // 0xFF fractional means "none": whole strides only.
    assert_eq!(spm(&simple_fit(85, 0xFF)), vec![(0.0, 170.0)]);
    // A cadence of zero throughout counted nothing.
    assert_eq!(
        parse_fit(&simple_fit(0, 0)).unwrap_err().to_string(),
        "its only cadence sample is 0 (no cadence sensor was recording)"
    );
}

#[test]
fn a_12_byte_header_works_too() {
    let mut bytes = simple_fit(88, 0);
    bytes.drain(12..14);
    bytes[0] = 12;
    assert_eq!(spm(&bytes), vec![(0.0, 176.0)]);
}

#[test]
fn invalid_cadence_gives_no_sample_and_impossible_cadence_is_dropped() {
    let mut fit = Fit::default();
    fit.record_definition()
        .record(START_FIT, 80, 0)
        .record(START_FIT + 1, 0xFF, 0)
        .record(START_FIT + 2, 230, 0)
        .record(START_FIT + 3, 90, 0);
    assert_eq!(spm(&fit.build()), vec![(0.0, 160.0), (3.0, 180.0)]);
}

#[test]
fn records_out_of_order_are_sorted_and_a_repeated_time_keeps_the_last() {
    let mut fit = Fit::default();
    fit.record_definition()
        .record(START_FIT + 2, 82, 0)
        .record(START_FIT, 80, 0)
        .record(START_FIT + 2, 84, 0)
        .record(START_FIT + 1, 81, 0);
    assert_eq!(
        spm(&fit.build()),
        vec![(0.0, 160.0), (1.0, 162.0), (2.0, 168.0)]
    );
}

#[test]
fn compressed_timestamps_count_from_the_last_full_one_and_roll_over() {
    // START_FIT's low five bits, to build the rollover on purpose.
    let low = (START_FIT & 0x1F) as u8;
    let mut fit = Fit::default();
    fit.record_definition()
        .record(START_FIT, 80, 0)
        // Local type 1: a record without a timestamp field, for compressed headers.
        .definition(1, false, 20, &[(4, 1, 2), (53, 1, 2)], &[])
        .compressed(1, low.wrapping_add(5), &[81, 0])
        // An offset below the last one's low bits: the 32-second counter rolled over.
        .compressed(1, low.wrapping_add(5).wrapping_sub(3), &[82, 64]);
    // 5 seconds on (whether or not that crossed a multiple of 32), then 29 more.
    assert_eq!(
        spm(&fit.build()),
        vec![(0.0, 160.0), (5.0, 162.0), (34.0, 165.0)]
    );
}

#[test]
fn compressed_timestamp_with_a_known_rollover() {
    // A base time whose low five bits are 30: offset 2 is 4 seconds later.
    let base = (START_FIT & !0x1F) | 30;
    let mut fit = Fit::default();
    fit.record_definition()
        .record(base, 80, 0)
        .definition(2, false, 20, &[(4, 1, 2)], &[])
        .compressed(2, 2, &[81])
        .compressed(2, 3, &[82]);
    let track = parse_fit(&fit.build()).unwrap();
    assert_eq!(
        track.samples,
        vec![(0.0, 160.0), (4.0, 162.0), (5.0, 164.0)]
    );
    assert_eq!(track.start_unix, i64::from(base) + FIT_EPOCH_UNIX);
}

#[test]
fn compressed_timestamp_before_any_full_one_is_skipped() {
    let mut fit = Fit::default();
    fit.definition(1, false, 20, &[(4, 1, 2)], &[])
        .compressed(1, 3, &[81]);
    let e = parse_fit(&fit.build()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no cadence in this file (it has 1 track point but none with both a time and a cadence)"
    );
}

#[test]
fn big_endian_definitions_are_read_in_their_byte_order() {
    let mut fit = Fit::default();
    fit.definition(3, true, 20, &[(253, 4, 0x86), (4, 1, 2), (53, 1, 2)], &[]);
    let mut body = START_FIT.to_be_bytes().to_vec();
    body.extend([85, 64]);
    fit.message(3, &body);
    assert_eq!(spm(&fit.build()), vec![(0.0, 171.0)]);
}

#[test]
fn developer_fields_are_skipped_by_their_size() {
    let mut fit = Fit::default();
    fit.definition(
        0,
        false,
        20,
        &[(253, 4, 0x86), (4, 1, 2)],
        &[(0, 3, 0), (1, 2, 0)],
    );
    let mut body = START_FIT.to_le_bytes().to_vec();
    body.extend([86, 9, 9, 9, 9, 9]);
    fit.message(0, &body);
    body = (START_FIT + 1).to_le_bytes().to_vec();
    body.extend([87, 9, 9, 9, 9, 9]);
    fit.message(0, &body);
    assert_eq!(spm(&fit.build()), vec![(0.0, 172.0), (1.0, 174.0)]);
}

#[test]
fn fields_of_unexpected_size_and_other_messages_are_skipped() {
    let mut fit = Fit::default();
    // Cadence declared as 2 bytes: not readable as strides, skipped whole.
    fit.definition(
        0,
        false,
        20,
        &[(4, 2, 0x84), (253, 4, 0x86), (4, 1, 2)],
        &[],
    )
    .message(0, &[0xAA, 0xBB, 1, 2, 3, 4, 0xFF])
    // A lap (global 19) with a cadence-numbered field: not a record, skipped.
    .definition(1, false, 19, &[(253, 4, 0x86), (4, 1, 2), (7, 200, 7)], &[])
    .message(1, &[[1u8, 2, 3, 4, 99].as_slice(), &[0; 200]].concat());
    let mut body = vec![0xAA, 0xBB];
    body.extend(START_FIT.to_le_bytes());
    body.push(85);
    fit.message(0, &body);
    assert_eq!(spm(&fit.build()), vec![(0.0, 170.0)]);
}

#[test]
fn a_message_of_an_undefined_local_type_names_its_byte() {
    let mut fit = Fit::default();
    fit.record_definition()
        .record(START_FIT, 80, 0)
        .message(5, &[1, 2]);
    let at = 14 + fit.data.len() - 3;
    let e = parse_fit(&fit.build()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("FIT byte {at}: a message uses local type 5, which nothing defined before it")
    );
}

#[test]
fn not_a_fit_file() {
    let e = parse_fit(b"<?xml version=\"1.0\"?><gpx/>").unwrap_err();
    assert_eq!(e.to_string(), "not a FIT file (no .FIT signature)");
    let mut small_header = simple_fit(80, 0);
    small_header[0] = 11;
    assert!(matches!(
        parse_fit(&small_header),
        Err(ImportError::Fit { offset: 0, .. })
    ));
}

#[test]
fn no_records_or_no_cadence_says_how_many_points() {
    let mut fit = Fit::default();
    fit.definition(0, false, 20, &[(253, 4, 0x86)], &[]);
    for i in 0..3 {
        fit.message(0, &(START_FIT + i).to_le_bytes());
    }
    assert_eq!(
        parse_fit(&fit.build()).unwrap_err().to_string(),
        "no cadence in this file (it has 3 track points but none with a cadence)"
    );
    assert_eq!(
        parse_fit(&Fit::default().build()).unwrap_err().to_string(),
        "no cadence in this file (it has no track points)"
    );
}

#[test]
fn a_file_cut_short_gives_its_complete_records_and_says_how_much_is_missing() {
    let mut fit = Fit::default();
    fit.record_definition();
    for i in 0..20 {
        fit.record(START_FIT + i, 80 + i as u8, 0);
    }
    let full = fit.build();
    assert_eq!(spm(&full).len(), 20);
    // The header (14 bytes) and the record definition (15), then 7 bytes a record.
    let complete = |len: usize| len.saturating_sub(29).div_euclid(7).min(20);
    for len in 0..full.len() {
        match parse_fit(&full[..len]) {
            Ok(track) => {
                assert_eq!(track.samples.len(), complete(len), "{len} bytes");
                assert_sane(&track);
                let missing = full.len() - len;
                assert_eq!(
                    track.notes,
                    vec![format!(
                        "The file is cut short ({missing} of its {} bytes are missing): \
                         its complete records before the cut were read.",
                        full.len()
                    )]
                );
            }
            Err(e) => assert_eq!(complete(len), 0, "{len} bytes: {e}"),
        }
    }
    let e = parse_fit(&full[..13]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "FIT byte 0: the file is cut short inside its header"
    );
}

#[test]
fn data_size_ending_inside_a_message_is_an_error_with_its_offset() {
    let mut fit = Fit::default();
    fit.record_definition()
        .record(START_FIT, 80, 0)
        .record(START_FIT + 1, 80, 0);
    let mut bytes = fit.build();
    let shorter = (fit.data.len() - 3) as u32;
    bytes[4..8].copy_from_slice(&shorter.to_le_bytes());
    let second_record = 14 + fit.data.len() - 7;
    assert_eq!(
        parse_fit(&bytes).unwrap_err().to_string(),
        format!(
            "FIT byte {second_record}: the data ends in the middle of a message \
             (the file is cut short or damaged)"
        )
    );
}

#[test]
fn a_huge_declared_data_size_is_refused_without_allocating() {
    let mut bytes = simple_fit(80, 0);
    bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    // Read as a file cut short: what is there is read, and the rest is said to be missing.
    let track = parse_fit(&bytes).unwrap();
    assert_eq!(track.samples, vec![(0.0, 160.0)]);
    assert!(track.notes[0].contains("cut short"), "{:?}", track.notes);
}

#[test]
fn a_bad_byte_order_is_an_error() {
    let mut fit = Fit::default();
    fit.record_definition();
    fit.data[2] = 7;
    assert!(
        parse_fit(&fit.build())
            .unwrap_err()
            .to_string()
            .starts_with("FIT byte 14: a definition has byte order 7")
    );
}

#[test]
fn many_definitions_with_255_fields_are_bounded_work() {
    let mut fit = Fit::default();
    let fields: Vec<(u8, u8, u8)> = (0..255).map(|i| (i as u8, 255, 0)).collect();
    for _ in 0..200 {
        fit.definition(0, false, 20, &fields, &fields);
    }
    // The last definition promises 130,050 bytes per message and the data ends.
    fit.data.push(0);
    assert!(parse_fit(&fit.build()).is_err());
}

#[test]
fn legs_follow_the_sport_message_before_them_and_the_session_they_fall_in() {
    let mut fit = Fit::default();
    let span = [
        (253, 4, 0x86),
        (2, 4, 0x86),
        (7, 4, 0x86),
        (5, 1, 0),
        (6, 1, 0),
    ];
    fit.record_definition()
        .definition(3, false, 18, &span, &[])
        .definition(4, false, 12, &[(0, 1, 0), (1, 1, 0)], &[])
        .message(4, &[5, 17]);
    for i in 0..4 {
        fit.record(START_FIT + i, 30, 0);
    }
    let mut swim = (START_FIT + 3).to_le_bytes().to_vec();
    swim.extend(START_FIT.to_le_bytes());
    swim.extend(3_000u32.to_le_bytes());
    swim.extend([5, 17]);
    fit.message(3, &swim).message(4, &[1, 3]);
    for i in 4..10 {
        fit.record(START_FIT + i, 85, 0);
    }
    let track = parse_fit(&fit.build()).unwrap();
    assert_eq!(track.samples.len(), 6);
    assert_eq!(track.sport.as_deref(), Some("running"));
    assert_eq!(
        track.notes,
        vec![
            "From this multisport file: the running leg only, 6 samples (swimming left out)."
                .to_string()
        ]
    );
}

#[test]
fn a_checksum_that_does_not_match_is_damage() {
    let mut bytes = simple_fit(85, 0);
    let end = bytes.len() - 2;
    let crc = framing::crc(&bytes[..end]);
    bytes[end..].copy_from_slice(&crc.to_le_bytes());
    assert!(parse_fit(&bytes).is_ok());
    bytes[end - 2] ^= 1;
    assert_eq!(
        parse_fit(&bytes).unwrap_err().to_string(),
        format!("FIT byte {end}: the checksum does not match the data (the file is damaged)")
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3_000))]

    /// A valid file with random bytes overwritten, inserted or cut: never a panic, and
    /// any track it gives is sane.
    #[test]
    fn mutated_files_never_panic(
        edits in proptest::collection::vec((0usize..400, proptest::prelude::any::<u8>(), 0u8..4), 1..8),
    ) {
        let mut fit = Fit::default();
        // Sport, lap and session messages (two legs: a swim, then a run), a clock message
        // and records from power-on as well, so mutations reach the sport and time rules.
        let span = [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (5, 1, 0), (6, 1, 0)];
        fit.record_definition()
            .definition(1, true, 20, &[(253, 4, 0x86), (4, 1, 2)], &[(0, 2, 0)])
            .definition(2, false, 20, &[(4, 1, 2), (53, 1, 2)], &[])
            .definition(3, false, 18, &span, &[])
            .definition(4, false, 12, &[(0, 1, 0), (1, 1, 0)], &[])
            .definition(5, false, 162, &[(253, 4, 0x86), (1, 4, 0x86)], &[])
            .message(4, &[5, 17]);
        for i in 0..12u32 {
            if i == 6 {
                let mut swim = (START_FIT + 17).to_le_bytes().to_vec();
                swim.extend(START_FIT.to_le_bytes());
                swim.extend(17_000u32.to_le_bytes());
                swim.extend([5, 17]);
                fit.message(3, &swim).message(4, &[1, 0]);
            }
            fit.record(START_FIT + i * 3, 80 + i as u8, (i * 10) as u8);
            fit.compressed(2, (START_FIT + i * 3 + 1) as u8, &[81, 3]);
        }
        let mut clock = START_FIT.to_le_bytes().to_vec();
        clock.extend(1_000u32.to_le_bytes());
        fit.message(5, &clock).record(1_040, 85, 0);
        let mut bytes = fit.build();
        for (at, value, kind) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = value,
                1 => bytes.insert(at, value),
                2 if at < bytes.len() => { bytes.remove(at); }
                _ => bytes.truncate(at),
            }
        }
        if let Ok(track) = parse_fit(&bytes) {
            assert_sane(&track);
        }
    }
}
