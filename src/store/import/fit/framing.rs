//! FIT framing: the file header and its checksum, definition messages (which fix the layout
//! and byte order of a local message type 0..=15), reading a field by its number, and bounded
//! reads of the bytes a message promises. What the messages mean is `messages`' business.

use crate::store::import::ImportError;

/// The field numbers any message this reader looks at uses (which message they belong to is
/// decided by the global message number).
const WANTED: [u8; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 25, 39, 53, 73, 253];

/// What a definition message says about its local type: where the wanted fields sit in the
/// message, and the message length.
#[derive(Clone, Copy, Debug)]
pub(super) struct Definition {
    pub(super) big_endian: bool,
    pub(super) global: u16,
    /// Bytes of one data message, developer fields included.
    pub(super) size: usize,
    /// (offset, declared size) of the first two declarations of each field in `WANTED`: a
    /// field declared twice, once with a size this reader cannot use, is read from the other.
    fields: [[Option<(usize, u8)>; 2]; WANTED.len()],
}

impl Definition {
    /// The one-byte field `number` (an enum such as a sport), as `uint`.
    pub(super) fn byte(&self, body: &[u8], number: u8) -> Option<u8> {
        self.uint(body, number, 1)
            .and_then(|v| u8::try_from(v).ok())
    }

    /// The unsigned integer field `number` in `body` when declared `size` bytes (1, 2 or 4)
    /// long; `None` when absent, declared with another size, or "invalid" (all bits set).
    pub(super) fn uint(&self, body: &[u8], number: u8, size: u8) -> Option<u32> {
        let slot = WANTED.iter().position(|&n| n == number)?;
        let (offset, _) = self.fields[slot]
            .into_iter()
            .flatten()
            .find(|&(_, declared)| declared == size)?;
        let bytes = body.get(offset..offset + usize::from(size))?;
        let mut value = 0u32;
        for i in 0..bytes.len() {
            let b = if self.big_endian {
                bytes[i]
            } else {
                bytes[bytes.len() - 1 - i]
            };
            value = value << 8 | u32::from(b);
        }
        let invalid = u32::MAX >> (32 - 8 * u32::from(size));
        (value != invalid).then_some(value)
    }
}

/// Why reading stopped inside a message.
#[derive(Debug)]
pub(super) enum Stop {
    /// The bytes end in the middle of the message that starts at this byte: for a file cut
    /// short this is where reading ends; otherwise it is damage.
    Cut {
        at: usize,
        what: &'static str,
    },
    Damaged(ImportError),
}

impl Stop {
    pub(super) fn into_error(self) -> ImportError {
        match self {
            Stop::Cut { at, what } => damaged(
                at,
                format!(
                    "the data ends in the middle of a {what} (the file is cut short or damaged)"
                ),
            ),
            Stop::Damaged(e) => e,
        }
    }
}

/// Reads a definition message after its record header (at byte `at`).
pub(super) fn read_definition(
    data: &[u8],
    pos: &mut usize,
    at: usize,
    developer: bool,
) -> Result<Definition, Stop> {
    let fixed = take(data, pos, 5, at, "definition")?;
    let big_endian = match fixed[1] {
        0 => false,
        1 => true,
        other => {
            return Err(Stop::Damaged(damaged(
                at,
                format!("a definition has byte order {other}; only 0 and 1 exist"),
            )));
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
        fields: [[None; 2]; WANTED.len()],
    };
    for field in fields.chunks_exact(3) {
        let (number, size) = (field[0], field[1]);
        if let Some(slot) = WANTED.iter().position(|&n| n == number)
            && let Some(free) = definition.fields[slot].iter_mut().find(|f| f.is_none())
        {
            *free = Some((definition.size, size));
        }
        definition.size += usize::from(size);
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

/// The next `n` bytes of the data, or where the message that starts at `at` was cut.
pub(super) fn take<'a>(
    data: &'a [u8],
    pos: &mut usize,
    n: usize,
    at: usize,
    what: &'static str,
) -> Result<&'a [u8], Stop> {
    let start = *pos;
    let slice = start
        .checked_add(n)
        .and_then(|stop| data.get(start..stop))
        .ok_or(Stop::Cut { at, what })?;
    *pos = start + n;
    Ok(slice)
}

pub(super) fn damaged(offset: usize, problem: String) -> ImportError {
    ImportError::Fit { offset, problem }
}

/// FIT's CRC-16 (the FIT protocol's nibble table).
pub(super) fn crc(bytes: &[u8]) -> u16 {
    const TABLE: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    let mut crc = 0u16;
    for &byte in bytes {
        for nibble in [byte & 0xF, byte >> 4] {
            let tmp = TABLE[usize::from(crc & 0xF)];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ TABLE[usize::from(nibble)];
        }
    }
    crc
}
