//! What can go wrong with the store's files, as one type: every failure names the file (or the
//! id that could not name one) and what failed. And the one way a RON parse error's place is
//! told, so a runner reads "line 3, column 12" the same way for every file.

use std::path::{Path, PathBuf};

use crate::cadence::plan::PlanError;

/// Where and why RON text did not read: "line 3, column 12: Expected integer".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl From<ron::error::SpannedError> for RonError {
    fn from(e: ron::error::SpannedError) -> RonError {
        RonError {
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        }
    }
}

impl std::fmt::Display for RonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for RonError {}

/// A failure reading or writing one of the store's files.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not create {}: {source}", .path.display())]
    CreateFolder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not save {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The value could not be turned into RON (not seen in practice; the types are plain).
    #[error("could not save {}: {message}", .path.display())]
    Serialize { path: PathBuf, message: String },
    #[error("could not read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not delete {}: {source}", .path.display())]
    Delete {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Larger than `limit` bytes: a hostile or mistaken file, never read whole.
    #[error("{} is larger than {}", .path.display(), size_text(*.limit))]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{} is not UTF-8 text", .path.display())]
    NotText { path: PathBuf },
    #[error("{} does not read at {error}", .path.display())]
    Parse { path: PathBuf, error: RonError },
    #[error("{} has format version {found}, newer than this app's {supported}", .path.display())]
    NewerVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// The id inside a file could not name a file of its own (it would reach outside the folder).
    #[error(
        "{} holds the id '{id}', which is not made of letters, digits, '-' and '_' only",
        .path.display()
    )]
    UnsafeId { path: PathBuf, id: String },
    #[error("{} has an input the planner refuses: {source}", .path.display())]
    Refused { path: PathBuf, source: PlanError },
    /// An id that cannot name a file, before any file is touched.
    #[error("the {what} id '{id}' cannot name a file")]
    BadId { what: &'static str, id: String },
}

impl StoreError {
    /// The file at fault, if there is one.
    pub fn path(&self) -> Option<&Path> {
        use StoreError::*;
        match self {
            CreateFolder { path, .. }
            | Write { path, .. }
            | Serialize { path, .. }
            | Read { path, .. }
            | Delete { path, .. }
            | TooLarge { path, .. }
            | NotText { path }
            | Parse { path, .. }
            | NewerVersion { path, .. }
            | UnsafeId { path, .. }
            | Refused { path, .. } => Some(path),
            BadId { .. } => None,
        }
    }

    /// What failed, without the file's name: for a sentence that already names it ("session
    /// file x.ron could not be read (line 3, column 5: …)").
    pub fn reason(&self) -> String {
        use StoreError::*;
        match self {
            CreateFolder { source, .. }
            | Write { source, .. }
            | Read { source, .. }
            | Delete { source, .. } => source.to_string(),
            Serialize { message, .. } => message.clone(),
            TooLarge { limit, .. } => format!("larger than {}", size_text(*limit)),
            NotText { .. } => "not UTF-8 text".into(),
            Parse { error, .. } => error.to_string(),
            NewerVersion {
                found, supported, ..
            } => format!("format version {found} is newer than this app's {supported}"),
            UnsafeId { id, .. } => {
                format!("its id '{id}' is not made of letters, digits, '-' and '_' only")
            }
            Refused { source, .. } => format!("an input the planner refuses: {source}"),
            BadId { .. } => self.to_string(),
        }
    }

    /// Whether the file simply is not there (as opposed to being there and unusable).
    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// A byte count as a runner reads it: "1 MiB", "256 KiB".
fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ron_error_reads_as_line_and_column() {
        let e: RonError = ron::from_str::<Vec<u32>>("[1,\n 2,\n x]")
            .unwrap_err()
            .into();
        assert_eq!(e.line, 3);
        assert_eq!(
            e.to_string(),
            format!("line 3, column {}: {}", e.column, e.message)
        );
    }

    #[test]
    fn messages_name_the_file_and_sizes_read_well() {
        let e = StoreError::TooLarge {
            path: "s.ron".into(),
            limit: 1 << 20,
        };
        assert_eq!(e.to_string(), "s.ron is larger than 1 MiB");
        assert_eq!(e.reason(), "larger than 1 MiB");
        assert_eq!(e.path(), Some(Path::new("s.ron")));
        assert_eq!(size_text(256 * 1024), "256 KiB");
        assert_eq!(size_text(1000), "1000 bytes");
    }
}
