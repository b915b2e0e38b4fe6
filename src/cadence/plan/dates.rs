//! The calendar rule both making and following a plan obey: sessions at least a minimum gap
//! apart, never more in one ISO week than the runner asked for. Making a plan lays every session
//! out with it from the start date; following one books the days already run, then lays the
//! rest out again from today.

use std::collections::BTreeMap;

use jiff::civil::Date;

/// The gap in days between sessions: every other day up to four a week, else daily.
fn min_gap(per_week: u8) -> i32 {
    match per_week {
        0 | 1 => 7,
        2 => 3,
        3 | 4 => 2,
        _ => 1,
    }
}

pub(super) fn week(d: Date) -> (i16, i8) {
    let w = d.iso_week_date();
    (w.year(), w.week())
}

/// Places sessions on days: at least `min_gap` days apart, never more than `per_week` in one
/// ISO week (Monday to Sunday).
pub(super) struct Dates {
    per_week: u8,
    last: Option<Date>,
    weeks: BTreeMap<(i16, i8), u8>,
}

impl Dates {
    pub(super) fn new(per_week: u8) -> Dates {
        Dates {
            per_week: per_week.max(1),
            last: None,
            weeks: BTreeMap::new(),
        }
    }

    /// A session already done on `d`.
    pub(super) fn taken(&mut self, d: Date) {
        *self.weeks.entry(week(d)).or_default() += 1;
        self.last = Some(self.last.map_or(d, |l| l.max(d)));
    }

    /// The first day on or after `earliest` that keeps both rules; books it.
    pub(super) fn place(&mut self, earliest: Date) -> Date {
        let mut d = earliest;
        if let Some(last) = self.last {
            let after_gap = last
                .checked_add(jiff::Span::new().days(min_gap(self.per_week)))
                .unwrap_or(last);
            d = d.max(after_gap);
        }
        while self.weeks.get(&week(d)).copied().unwrap_or(0) >= self.per_week {
            // `check` keeps plans far from the calendar's end, so this always moves on.
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        self.taken(d);
        d
    }
}
