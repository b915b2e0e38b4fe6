//! How the app writes a count of things for a runner: "1 session", "2 sessions", never
//! "1 sessions".

/// `n` and `noun` ("session"), with an "s" unless `n` is one.
pub fn count_text(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::count_text;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count_text(1u32, "session"), "1 session");
        assert_eq!(count_text(0u32, "session"), "0 sessions");
        assert_eq!(count_text(8u32, "stage"), "8 stages");
        assert_eq!(count_text(2u64, "day"), "2 days");
    }
}
