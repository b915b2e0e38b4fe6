//! How the app writes a length of time for a runner: m:ss, or h:mm:ss past an hour.

/// `secs` as m:ss (or h:mm:ss).
pub fn clock_text(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn minutes_and_hours() {
        assert_eq!(super::clock_text(0), "0:00");
        assert_eq!(super::clock_text(754), "12:34");
        assert_eq!(super::clock_text(7261), "2:01:01");
    }
}
