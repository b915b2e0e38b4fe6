//! FIT framing: the file header, definition messages (which fix the layout and byte order of
//! a local message type 0..=15) and bounded reads of the bytes a message promises.

use crate::store::import::ImportError;

pub(super) const FIELD_TIMESTAMP: u8 = 253;
pub(super) const FIELD_CADENCE: u8 = 4;
pub(super) const FIELD_FRACTIONAL_CADENCE: u8 = 53;

/// What a definition message says about its local type: where the fields this parser reads
/// sit in the message (only when declared with their natural size), and the message length.
#[derive(Clone, Copy, Debug)]
pub(super) struct Definition {
    pub(super) big_endian: bool,
    pub(super) global: u16,
    /// Bytes of one data message, developer fields included.
    pub(super) size: usize,
    pub(super) timestamp: Option<usize>,
    pub(super) cadence: Option<usize>,
    pub(super) fractional: Option<usize>,
}

/// Reads a definition message after its record header (at byte `at`).
pub(super) fn read_definition(
    data: &[u8],
    pos: &mut usize,
    at: usize,
    developer: bool,
) -> Result<Definition, ImportError> {
    let fixed = take(data, pos, 5, at, "definition")?;
    let big_endian = match fixed[1] {
        0 => false,
        1 => true,
        other => {
            return Err(damaged(
                at,
                format!("a definition has byte order {other}; only 0 and 1 exist"),
            ));
        }
    };
    let global = if big_endian {
        u16::from_be_bytes([fixed[2], fixed[3]])
    } else {
        u16::from_le_bytes([fixed[2], fixed[3]])
    };
    let fields = take(data, pos, usize::from(fixed[4]) * 3, at, "definition")?;
    let mut definition = Definition {
        big_endian,
        global,
        size: 0,
        timestamp: None,
        cadence: None,
        fractional: None,
    };
    for field in fields.chunks_exact(3) {
        let (number, size) = (field[0], usize::from(field[1]));
        let offset = definition.size;
        match (number, size) {
            (FIELD_TIMESTAMP, 4) => definition.timestamp = Some(offset),
            (FIELD_CADENCE, 1) => definition.cadence = Some(offset),
            (FIELD_FRACTIONAL_CADENCE, 1) => definition.fractional = Some(offset),
            // Any other field, or one of these with an unexpected size, is skipped.
            _ => {}
        }
        definition.size += size;
    }
    if developer {
        let count = take(data, pos, 1, at, "definition")?[0];
        let fields = take(data, pos, usize::from(count) * 3, at, "definition")?;
        definition.size += fields
            .chunks_exact(3)
            .map(|f| usize::from(f[1]))
            .sum::<usize>();
    }
    Ok(definition)
}

/// The next `n` bytes of the data, or an error naming the message that starts at `at`.
pub(super) fn take<'a>(
    data: &'a [u8],
    pos: &mut usize,
    n: usize,
    at: usize,
    what: &str,
) -> Result<&'a [u8], ImportError> {
    let start = *pos;
    let slice = start
        .checked_add(n)
        .and_then(|stop| data.get(start..stop))
        .ok_or_else(|| {
            damaged(
                at,
                format!(
                    "the data ends in the middle of a {what} (the file is cut short or damaged)"
                ),
            )
        })?;
    *pos = start + n;
    Ok(slice)
}

pub(super) fn damaged(offset: usize, problem: String) -> ImportError {
    ImportError::Fit { offset, problem }
}
