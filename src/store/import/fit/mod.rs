//! FIT, Garmin's binary activity format, decoded by hand: just enough of the protocol to walk
//! every message and read the cadence of `record` messages (global message 20), the sport of
//! the legs they fall in, and what places times counted from power-on. `framing` reads the
//! bytes, `messages` what they mean.
//!
//! Layout: a 12- or 14-byte file header (header size, protocol, profile, data size u32 LE,
//! ".FIT", and in the 14-byte form a header CRC), then `data size` bytes of records, then a
//! 2-byte CRC; several such files may follow one another (chained). The CRCs are checked where
//! they are set (a zero CRC means "not computed"). A file cut short (a watch that crashed or a
//! copy that stopped) is read up to its last complete message, and the track says how much
//! was missing. A record is a one-byte header and then either a definition message or a data
//! message laid out by the definition of its local type. Compressed-timestamp headers carry a
//! local type 0..=3 and five bits of time, rolled over against the last full timestamp.
//!
//! In a running `record`, field 4 `cadence` (uint8, 0xFF = none) and field 53
//! `fractional_cadence` (uint8, 1/128ths, 0xFF = none) count strides per minute: one foot.
//! Steps per minute are 2 × (cadence + fractional / 128).

mod framing;
mod messages;

use super::error::grouped;
use super::{CadenceTrack, Format, ImportError, ReadOptions, Strides, no_cadence};
use framing::{Definition, Stop, crc, damaged, read_definition, take};
use messages::Messages;

/// Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z.
const FIT_EPOCH_UNIX: i64 = 631_065_600;

/// Reads the cadence of every `record` message in a FIT file, as the file says it was
/// recorded.
pub fn parse_fit(bytes: &[u8]) -> Result<CadenceTrack, ImportError> {
    read(bytes, &ReadOptions::default())
}

/// Reads a FIT file (all of its chained files).
pub(super) fn read(bytes: &[u8], options: &ReadOptions) -> Result<CadenceTrack, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    if bytes.get(8..12) != Some(b".FIT".as_slice()) {
        return Err(ImportError::NotFit);
    }
    let mut messages = Messages::default();
    let mut notes = Vec::new();
    let mut start = 0;
    loop {
        let next = read_file(bytes, start, &mut messages, &mut notes)?;
        // Another FIT file chained after this one's CRC.
        match next {
            Some(n) if bytes.get(n + 8..n + 12) == Some(b".FIT".as_slice()) => start = n,
            _ => break,
        }
    }
    let points = messages.points;
    let cadence_without_time = messages.cadence_without_time;
    let samples = messages.into_samples(&mut notes)?;
    if samples.is_empty() {
        return Err(no_cadence(points, cadence_without_time));
    }
    samples.finish(Format::Fit, Strides::Always, points, options, notes)
}

/// Reads the FIT file that starts at byte `start` into `messages`; returns where a chained
/// file could start, or `None` when this one was cut short.
fn read_file(
    bytes: &[u8],
    start: usize,
    messages: &mut Messages,
    notes: &mut Vec<String>,
) -> Result<Option<usize>, ImportError> {
    let file = &bytes[start..];
    let header_size = usize::from(file[0]);
    if header_size < 12 {
        return Err(damaged(
            start,
            format!("the header says it is {header_size} bytes long; a FIT header is 12 or 14"),
        ));
    }
    if file.len() < header_size {
        return Err(damaged(
            start,
            "the file is cut short inside its header".to_string(),
        ));
    }
    if header_size >= 14 {
        let stored = u16::from_le_bytes([file[12], file[13]]);
        if stored != 0 && stored != crc(&file[..12]) {
            return Err(damaged(
                start + 12,
                "the header's checksum does not match it (the file is damaged)".to_string(),
            ));
        }
    }
    let data_size = u32::from_le_bytes([file[4], file[5], file[6], file[7]]) as usize;
    let end = header_size.saturating_add(data_size);
    let promised = end.saturating_add(2);
    let cut = file.len() < promised;
    let data = &file[..end.min(file.len())];
    match walk(data, header_size, messages) {
        Ok(()) => {}
        Err(Stop::Cut { .. }) if cut => {}
        Err(stop) => return Err(offset_by(stop.into_error(), start)),
    }
    if cut {
        notes.push(format!(
            "The file is cut short ({} of its {} bytes are missing): \
             its complete records before the cut were read.",
            grouped(promised - file.len()),
            grouped(promised)
        ));
        return Ok(None);
    }
    let stored = u16::from_le_bytes([file[end], file[end + 1]]);
    if stored != 0 && stored != crc(&file[..end]) {
        return Err(damaged(
            start + end,
            "the checksum does not match the data (the file is damaged)".to_string(),
        ));
    }
    Ok(Some(start + promised))
}

/// An error's byte offset counted from the start of all the bytes, not of one chained file.
fn offset_by(e: ImportError, start: usize) -> ImportError {
    match e {
        ImportError::Fit { offset, problem } => ImportError::Fit {
            offset: offset + start,
            problem,
        },
        e => e,
    }
}

/// Walks the messages of `data` (one FIT file, header included) from byte `pos`.
fn walk(data: &[u8], mut pos: usize, messages: &mut Messages) -> Result<(), Stop> {
    let mut definitions: [Option<Definition>; 16] = [None; 16];
    let mut last_timestamp: Option<u32> = None;
    while pos < data.len() {
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
            return Err(Stop::Damaged(damaged(
                at,
                format!("a message uses local type {local}, which nothing defined before it"),
            )));
        };
        let body = take(data, &mut pos, definition.size, at, "message")?;
        let field_time = definition.uint(body, 253, 4);
        if field_time.is_some() {
            last_timestamp = field_time;
        }
        messages
            .add(&definition, body, field_time.or(compressed_time))
            .map_err(Stop::Damaged)?;
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests;
