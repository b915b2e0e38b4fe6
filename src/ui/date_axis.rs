//! The x axis of the date plots: which days get a grid line and a label, and how the label
//! reads, so that no two labels overlap and none sticks out past the plot's left or right edge.
//!
//! egui_plot centres each label on its grid mark and paints it when the mark's step, in points,
//! is wider than the text; it does not know that months differ in length, and it does not look
//! at the plot's edges, so a label on a mark near the right edge is cut off by the clip rect.
//! So the marks are chosen here: the finest calendar step (a day, two days, a week, two weeks;
//! one, two, three or six months; one, two, five or ten years) whose shortest gap holds the
//! widest label of its form, and of its marks only those whose label fits between the edges.
//! Weeks start on Monday, as the weekly minutes do.

use std::ops::RangeInclusive;

use egui_plot::GridMark;
use jiff::ToSpan;
use jiff::civil::Date;

/// Room kept between two labels, in points.
pub const LABEL_GAP: f32 = 12.0;

/// A calendar step between grid marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Days(i32),
    Weeks(i32),
    Months(i32),
    Years(i32),
}

/// Finest first.
const STEPS: [Step; 12] = [
    Step::Days(1),
    Step::Days(2),
    Step::Weeks(1),
    Step::Weeks(2),
    Step::Months(1),
    Step::Months(2),
    Step::Months(3),
    Step::Months(6),
    Step::Years(1),
    Step::Years(2),
    Step::Years(5),
    Step::Years(10),
];

/// How a label reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// "2026-11-21"
    Date,
    /// "Nov 21"
    DayMonth,
    /// "Nov 2026"
    MonthYear,
    /// "2026"
    Year,
}

impl Step {
    /// The step in days as egui_plot's `GridMark::step_size`: it sets how strong the grid line
    /// is drawn, and it tells the label which step its mark belongs to.
    fn nominal_days(self) -> f64 {
        match self {
            Step::Days(n) => f64::from(n),
            Step::Weeks(n) => 7.0 * f64::from(n),
            Step::Months(n) => 30.436_875 * f64::from(n),
            Step::Years(n) => 365.242_5 * f64::from(n),
        }
    }

    fn from_nominal_days(days: f64) -> Option<Step> {
        STEPS
            .into_iter()
            .find(|s| (s.nominal_days() - days).abs() < 1e-9)
    }

    /// The fewest days between two of its marks: two months from the first of January are 59
    /// days, a year 365.
    fn shortest_days(self) -> f64 {
        match self {
            Step::Days(_) | Step::Weeks(_) => self.nominal_days(),
            Step::Months(n) => (1..=12i8)
                .filter(|m| i32::from(m - 1) % n == 0)
                .filter_map(|m| {
                    // 2023 has no 29 February.
                    let first = Date::new(2023, m, 1).ok()?;
                    let next = first.checked_add(n.months()).ok()?;
                    Some(f64::from(first.until(next).ok()?.get_days()))
                })
                .fold(f64::INFINITY, f64::min),
            Step::Years(n) => 365.0 * f64::from(n),
        }
    }

    /// How its labels read when the plot shows days `lo` to `hi`: a day without its year
    /// while all the plot shows lies in one year.
    fn form(self, lo: f64, hi: f64) -> Form {
        match self {
            Step::Days(_) | Step::Weeks(_) => {
                match (date_of(lo).map(|d| d.year()), date_of(hi).map(|d| d.year())) {
                    (Some(a), Some(b)) if a == b => Form::DayMonth,
                    _ => Form::Date,
                }
            }
            Step::Months(_) => Form::MonthYear,
            Step::Years(_) => Form::Year,
        }
    }

    /// Its marks from day `lo` to `hi`, as day numbers.
    fn marks(self, lo: f64, hi: f64) -> Vec<f64> {
        match self {
            Step::Days(n) => every(f64::from(n), 0.0, lo, hi),
            // Mondays are day 7k - 3 (1970-01-01 was a Thursday).
            Step::Weeks(n) => every(7.0 * f64::from(n), 3.0, lo, hi),
            Step::Months(n) => first_days(n, lo, hi),
            Step::Years(n) => first_days(12 * n, lo, hi),
        }
    }
}

/// The days from `lo` to `hi` that are a multiple of `days` after day `-shift`.
fn every(days: f64, shift: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut day = ((lo + shift) / days).ceil() * days - shift;
    while day <= hi {
        out.push(day);
        day += days;
    }
    out
}

/// The first days of every `months`-th month (counted from January of year 0) from `lo` to
/// `hi`.
fn first_days(months: i32, lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let Some(start) = date_of(lo) else {
        return out;
    };
    // The step's month at or before `lo`, then forward.
    let index = i32::from(start.year()) * 12 + i32::from(start.month()) - 1;
    let mut index = index.div_euclid(months) * months;
    while let Some(day) = first_of_month(index).filter(|&day| day <= hi) {
        if day >= lo {
            out.push(day);
        }
        index += months;
    }
    out
}

/// The first day of month `index` (year × 12 + month − 1) as a day number.
fn first_of_month(index: i32) -> Option<f64> {
    let year = i16::try_from(index.div_euclid(12)).ok()?;
    let month = i8::try_from(index.rem_euclid(12) + 1).ok()?;
    Some(super::charts::day_number(Date::new(year, month, 1).ok()?))
}

/// The date of day number `day` (its fraction is the time of day).
fn date_of(day: f64) -> Option<Date> {
    // Within jiff's years -9999..=9999, which also keeps the cast exact.
    if !(-4_000_000.0..=4_000_000.0).contains(&day) {
        return None;
    }
    Date::constant(1970, 1, 1)
        .checked_add((day.floor() as i64).days())
        .ok()
}

fn text(form: Form, date: Date) -> String {
    let pattern = match form {
        Form::Date => "%Y-%m-%d",
        Form::DayMonth => "%b %-d",
        Form::MonthYear => "%b %Y",
        Form::Year => "%Y",
    };
    date.strftime(pattern).to_string()
}

/// The widest label of each form in the axis font, in points: the widest month name and the
/// widest digit in every place, so a real label is never wider.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelWidths {
    date: f32,
    day_month: f32,
    month_year: f32,
    year: f32,
}

impl LabelWidths {
    /// Measures with `width_of`, the width of a text in the font the labels are drawn in.
    pub fn measure(mut width_of: impl FnMut(&str) -> f32) -> LabelWidths {
        let digit = ('0'..='9')
            .map(|d| (width_of(&d.to_string()), d))
            .fold((f32::MIN, '0'), |a, b| if b.0 > a.0 { b } else { a })
            .1;
        let day: String = [digit; 2].iter().collect();
        let year: String = [digit; 4].iter().collect();
        let months: Vec<String> = (1..=12)
            .filter_map(|m| Date::new(2023, m, 1).ok())
            .map(|d| d.strftime("%b").to_string())
            .collect();
        let mut widest =
            |texts: Vec<String>| texts.iter().map(|t| width_of(t)).fold(0.0_f32, f32::max);
        LabelWidths {
            date: widest(vec![format!("{year}-{day}-{day}")]),
            day_month: widest(months.iter().map(|m| format!("{m} {day}")).collect()),
            month_year: widest(months.iter().map(|m| format!("{m} {year}")).collect()),
            year: widest(vec![year.clone()]),
        }
    }

    fn of(&self, form: Form) -> f32 {
        match form {
            Form::Date => self.date,
            Form::DayMonth => self.day_month,
            Form::MonthYear => self.month_year,
            Form::Year => self.year,
        }
    }
}

/// The grid marks for a plot showing days `bounds.0` to `bounds.1` at `points_per_day`: the
/// finest step whose labels, `widths` wide, keep [`LABEL_GAP`] apart, and of its marks those
/// whose label lies wholly between the edges. None when no step fits.
pub fn date_marks(bounds: (f64, f64), points_per_day: f64, widths: &LabelWidths) -> Vec<GridMark> {
    let (lo, hi) = bounds;
    if !(lo < hi && points_per_day.is_finite() && points_per_day > 0.0)
        || date_of(lo).is_none()
        || date_of(hi).is_none()
    {
        return Vec::new();
    }
    let width = |step: Step| f64::from(widths.of(step.form(lo, hi)));
    let Some(step) = STEPS
        .into_iter()
        .find(|&s| s.shortest_days() * points_per_day >= width(s) + f64::from(LABEL_GAP))
    else {
        return Vec::new();
    };
    let half = width(step) / 2.0 / points_per_day;
    step.marks(lo, hi)
        .into_iter()
        .filter(|&day| day - half >= lo && day + half <= hi)
        .map(|value| GridMark {
            value,
            step_size: step.nominal_days(),
        })
        .collect()
}

/// The label of a mark from [`date_marks`] while the plot shows `range` (days).
pub fn date_label(mark: GridMark, range: &RangeInclusive<f64>) -> String {
    let (Some(step), Some(date)) = (Step::from_nominal_days(mark.step_size), date_of(mark.value))
    else {
        return String::new();
    };
    text(step.form(*range.start(), *range.end()), date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::egui;

    /// Runs `f` with the width of a text in the font egui_plot draws tick labels in.
    fn with_label_font(f: impl FnOnce(&dyn Fn(&str) -> f32)) {
        let ctx = egui::Context::default();
        let mut f = Some(f);
        let _ = ctx.run_ui(egui::RawInput::default(), |ui| {
            let font = egui::TextStyle::Body.resolve(ui.style());
            let painter = ui.painter().clone();
            let width_of = move |t: &str| {
                painter
                    .layout_no_wrap(t.to_string(), font.clone(), egui::Color32::WHITE)
                    .size()
                    .x
            };
            if let Some(f) = f.take() {
                f(&width_of);
            }
        });
    }

    fn day(text: &str) -> f64 {
        super::super::charts::day_number(text.parse().unwrap())
    }

    #[test]
    fn labels_never_overlap_nor_leave_the_plot_at_any_width_or_span() {
        with_label_font(|width_of| {
            let widths = LabelWidths::measure(width_of);
            // A plot is about a third of the window narrower than it (a half column at 800 px)
            // up to nearly all of it (the cadence plot at 1920 px).
            let plot_widths = (0..=40).map(|i| 250.0 + 41.25 * f64::from(i));
            let spans = [
                1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0, 20.0, 31.0, 45.0, 60.0, 90.0, 120.0,
                180.0, 270.0, 365.0, 500.0, 730.0,
            ];
            // Starts in a year, across New Year, before a February, in a leap year, at a time
            // of day.
            let starts = [
                day("2026-03-02"),
                day("2026-12-20"),
                day("2027-01-25"),
                day("2028-02-10") + 0.3,
                day("2026-11-30") + 0.71,
            ];
            let mut checked = 0;
            for plot in plot_widths {
                for span in spans {
                    for lo in starts {
                        let hi = lo + span;
                        let range = lo..=hi;
                        let per_day = plot / span;
                        let marks = date_marks((lo, hi), per_day, &widths);
                        let mut last_right = f64::NEG_INFINITY;
                        for mark in &marks {
                            let label = date_label(*mark, &range);
                            let w = f64::from(width_of(&label));
                            let x = (mark.value - lo) * per_day;
                            let case = format!("{label} at {x:.1} of {plot:.0} px, {span} days");
                            assert!(!label.is_empty(), "{case}");
                            assert!(x - w / 2.0 >= 0.0, "cut at the left: {case}");
                            assert!(x + w / 2.0 <= plot, "cut at the right: {case}");
                            assert!(
                                x - w / 2.0 >= last_right + f64::from(LABEL_GAP) - 1e-9,
                                "overlaps the label before: {case}"
                            );
                            // egui_plot paints a label only if its step is wider than it.
                            assert!(mark.step_size * per_day >= w, "{case}");
                            last_right = x + w / 2.0;
                            checked += 1;
                        }
                        if span >= 2.0 {
                            assert!(!marks.is_empty(), "no label: {span} days in {plot} px");
                        }
                        if span >= 14.0 && plot >= 600.0 {
                            assert!(marks.len() >= 2, "{span} days in {plot} px: {marks:?}");
                        }
                    }
                }
            }
            assert!(checked > 10_000, "{checked} labels checked");
        });
    }

    #[test]
    fn labels_are_whole_days_weeks_months_or_years_and_shorten_as_the_plot_zooms_out() {
        with_label_font(|width_of| {
            let widths = LabelWidths::measure(width_of);
            let lo = day("2026-09-01") + 0.5;
            let labels = |span: f64, plot: f64| -> Vec<String> {
                let range = lo..=lo + span;
                date_marks((lo, lo + span), plot / span, &widths)
                    .into_iter()
                    .map(|m| date_label(m, &range))
                    .collect()
            };
            // A week in a wide plot: every day, its year left out (all in 2026).
            assert_eq!(
                labels(7.0, 1200.0),
                [
                    "Sep 2", "Sep 3", "Sep 4", "Sep 5", "Sep 6", "Sep 7", "Sep 8"
                ]
            );
            // Three months in a half column: Mondays, two weeks apart.
            let mondays = labels(90.0, 500.0);
            assert!(mondays.len() >= 3, "{mondays:?}");
            for label in &mondays {
                let date: Date = jiff::fmt::strtime::parse("%b %d %Y", format!("{label} 2026"))
                    .and_then(|t| t.to_date())
                    .unwrap();
                assert_eq!(date.weekday(), jiff::civil::Weekday::Monday, "{label}");
            }
            // A year: months; two years in a narrow plot: half years or years.
            let months = labels(365.0, 1600.0);
            assert_eq!(months.first().map(String::as_str), Some("Oct 2026"));
            assert!(months.iter().all(|l| l.len() == 8), "{months:?}");
            let years = labels(730.0, 300.0);
            assert!(
                years
                    .iter()
                    .all(|l| ["Jan 2027", "Jul 2027", "Jan 2028", "2027", "2028"]
                        .contains(&l.as_str())),
                "{years:?}"
            );
            // Across New Year a day keeps its year.
            let range = day("2026-12-20")..=day("2027-01-10");
            let across = date_marks((*range.start(), *range.end()), 40.0, &widths);
            assert!(
                across
                    .iter()
                    .all(|m| date_label(*m, &range).parse::<Date>().is_ok()),
                "{across:?}"
            );
        });
    }

    #[test]
    fn nothing_is_marked_on_a_plot_too_narrow_or_a_range_that_is_not_dates() {
        let widths = LabelWidths {
            date: 80.0,
            day_month: 50.0,
            month_year: 65.0,
            year: 36.0,
        };
        assert!(date_marks((0.0, 2_000_000.0), 1e-4, &widths).is_empty());
        assert!(date_marks((f64::NAN, 10.0), 10.0, &widths).is_empty());
        assert!(date_marks((10.0, 10.0), 10.0, &widths).is_empty());
        assert!(date_marks((-1e300, 1e300), 1e-290, &widths).is_empty());
        assert_eq!(
            date_label(
                GridMark {
                    value: 20_000.0,
                    step_size: 3.3
                },
                &(0.0..=1.0)
            ),
            ""
        );
    }
}
