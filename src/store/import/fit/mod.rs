//! FIT, Garmin's binary activity format, decoded by hand: just enough of the protocol to walk
//! every message and read the cadence of `record` messages (global message 20).
//!
//! Layout: a 12- or 14-byte file header (header size, protocol, profile, data size u32 LE,
//! ".FIT", and in the 14-byte form a header CRC), then `data size` bytes of records, then a
//! 2-byte CRC. The CRC must be present (a file without it is cut short) but its value is not
//! checked. A record is a one-byte header and then either a definition message (which fixes the
//! layout and byte order of a local message type 0..=15) or a data message laid out by the
//! definition of its local type. Compressed-timestamp headers carry a local type 0..=3 and five
//! bits of time, rolled over against the last full timestamp.
//!
//! In a running `record`, field 4 `cadence` (uint8, 0xFF = none) and field 53
//! `fractional_cadence` (uint8, 1/128ths, 0xFF = none) count strides per minute: one foot.
//! Steps per minute are 2 × (cadence + fractional / 128).

mod framing;

use super::{CadenceTrack, Format, ImportError, Samples, no_cadence};
use framing::{Definition, damaged, read_definition, take};

/// Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z.
const FIT_EPOCH_UNIX: i64 = 631_065_600;
const RECORD: u16 = 20;

/// Reads the cadence of every `record` message in a FIT file.
pub fn parse_fit(bytes: &[u8]) -> Result<CadenceTrack, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    if bytes.get(8..12) != Some(b".FIT".as_slice()) {
        return Err(ImportError::NotFit);
    }
    let header_size = usize::from(bytes[0]);
    if header_size < 12 {
        return Err(damaged(
            0,
            format!("the header says it is {header_size} bytes long; a FIT header is 12 or 14"),
        ));
    }
    let data_size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    let end = header_size.saturating_add(data_size);
    // The 2-byte CRC after the data must be there, though its value is not checked.
    if end.saturating_add(2) > bytes.len() {
        return Err(damaged(
            bytes.len(),
            format!(
                "the file is cut short: its header promises {} bytes but it has only {}",
                end.saturating_add(2),
                bytes.len()
            ),
        ));
    }
    let data = &bytes[..end];

    let mut definitions: [Option<Definition>; 16] = [None; 16];
    let mut last_timestamp: Option<u32> = None;
    let mut samples = Samples::new();
    let mut points = 0usize;
    let mut cadence_without_time = false;
    let mut pos = header_size;
    while pos < end {
        let at = pos;
        let header = data[pos];
        pos += 1;
        if header & 0x40 != 0 && header & 0x80 == 0 {
            let local = usize::from(header & 0x0F);
            let developer = header & 0x20 != 0;
            definitions[local] = Some(read_definition(data, &mut pos, at, developer)?);
            continue;
        }
        // A data message: normal header, or compressed timestamp (local type 0..=3 and the
        // low five bits of the time).
        let (local, compressed_time) = if header & 0x80 != 0 {
            let offset = u32::from(header & 0x1F);
            let time = last_timestamp.and_then(|last| {
                let time = (last & !0x1F) | offset;
                if offset < last & 0x1F {
                    time.checked_add(0x20)
                } else {
                    Some(time)
                }
            });
            if time.is_some() {
                last_timestamp = time;
            }
            (usize::from((header >> 5) & 0x03), time)
        } else {
            (usize::from(header & 0x0F), None)
        };
        let Some(definition) = definitions[local] else {
            return Err(damaged(
                at,
                format!("a message uses local type {local}, which nothing defined before it"),
            ));
        };
        let body = take(data, &mut pos, definition.size, at, "message")?;
        let be = definition.big_endian;
        let field_time = definition
            .timestamp
            .and_then(|o| body.get(o..o + 4))
            .map(|b| {
                let b = [b[0], b[1], b[2], b[3]];
                if be {
                    u32::from_be_bytes(b)
                } else {
                    u32::from_le_bytes(b)
                }
            })
            .filter(|&t| t != u32::MAX);
        if field_time.is_some() {
            last_timestamp = field_time;
        }
        if definition.global != RECORD {
            continue;
        }
        points += 1;
        let byte = |offset: Option<usize>| offset.and_then(|o| body.get(o).copied());
        let Some(cadence) = byte(definition.cadence).filter(|&c| c != 0xFF) else {
            continue;
        };
        let fractional = byte(definition.fractional)
            .filter(|&f| f != 0xFF)
            .unwrap_or(0);
        let Some(time) = field_time.or(compressed_time) else {
            cadence_without_time = true;
            continue;
        };
        let unix = i128::from(time) + i128::from(FIT_EPOCH_UNIX);
        let strides = f64::from(cadence) + f64::from(fractional) / 128.0;
        samples.push(unix * 1_000_000_000, strides)?;
    }
    if samples.is_empty() {
        return Err(no_cadence(points, cadence_without_time));
    }
    samples.finish(Format::Fit, 2.0, true, points)
}

#[cfg(test)]
pub(super) mod tests;
