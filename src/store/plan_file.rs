//! Plan files: `<data folder>/plans/<id>.ron`, one per plan made, the newest being the current
//! one. A runner may edit the inputs by hand; the sessions follow from them. A file that does not
//! parse, or whose inputs the planner refuses, is reported with its path (and line) and left
//! where it is for the runner to fix; making a new plan writes a new file beside it.

use std::path::{Path, PathBuf};

use super::atomic::{is_safe_stem, parse_ron, read_text, save_ron};
use super::error::StoreError;
use crate::cadence::plan::{PLAN_VERSION, Plan};

/// A plan file larger than this is not a plan.
pub const MAX_PLAN_FILE_BYTES: u64 = 256 * 1024;

const HEADER: &str = "\
// A Cadence Coach ramp-up plan. You may edit the inputs: the dated sessions follow from them.
// baseline and target in steps per minute (100-240, steps of 0.5), step_percent 1-5,
// per_week 1-7, per_stage 2-20, first_minutes..last_minutes 10-90, start as \"YYYY-MM-DD\",
// allow_over_ten_percent: true to go beyond +10 % over the baseline. repeats: stages to run again.
";

fn plans_dir(data: &Path) -> PathBuf {
    data.join("plans")
}

/// Plans are named by when they were made ("20261121T070000Z.ron", a second one in the same
/// second "…Z_002.ron"), so the newest sorts last; other files in the folder (a copy the runner
/// keeps) are not plans to follow.
fn is_plan_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(stem) = name.strip_suffix(".ron") else {
        return false;
    };
    let b = stem.as_bytes();
    b.len() >= 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z'
        && (b.len() == 16 || (b[16] == b'_' && b[17..].iter().all(u8::is_ascii_digit)))
}

/// Writes `plan` to its own file (replacing only that plan's earlier version).
pub fn save_plan(data: &Path, plan: &Plan) -> Result<PathBuf, StoreError> {
    if !is_safe_stem(&plan.id) {
        return Err(StoreError::BadId {
            what: "plan",
            id: plan.id.clone(),
        });
    }
    let path = plans_dir(data).join(format!("{}.ron", plan.id));
    save_ron(&path, HEADER, plan)?;
    Ok(path)
}

/// Saves a newly made plan, never over another plan's file: a second plan made in the same
/// second gets the suffix "_002" (then "_003" …), which sorts after the first.
pub fn save_new_plan(data: &Path, plan: &mut Plan) -> Result<PathBuf, StoreError> {
    let base = plan.id.clone();
    let mut n = 1;
    while plans_dir(data).join(format!("{}.ron", plan.id)).exists() {
        n += 1;
        plan.id = format!("{base}_{n:03}");
    }
    save_plan(data, plan)
}

/// Reads one plan file, checking it as the planner would.
pub fn read_plan(path: &Path) -> Result<Plan, StoreError> {
    let text = read_text(path, MAX_PLAN_FILE_BYTES)?;
    let plan: Plan = parse_ron(path, &text)?;
    if plan.version > PLAN_VERSION {
        return Err(StoreError::NewerVersion {
            path: path.to_path_buf(),
            found: plan.version,
            supported: PLAN_VERSION,
        });
    }
    plan.check().map_err(|source| StoreError::Refused {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(plan)
}

/// The current plan (the newest file in `plans/`), if there is one. A damaged one is an error
/// that names it; the file stays for the runner to fix.
pub fn load_current_plan(data: &Path) -> Result<Option<(Plan, PathBuf)>, StoreError> {
    let Ok(entries) = std::fs::read_dir(plans_dir(data)) else {
        return Ok(None);
    };
    let newest = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_plan_name(p))
        .max();
    match newest {
        None => Ok(None),
        Some(path) => read_plan(&path).map(|plan| Some((plan, path))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cadence::Spm;
    use crate::cadence::plan::PlanInputs;

    fn plan(id: &str) -> Plan {
        Plan::new(
            id,
            PlanInputs {
                baseline: Spm::new(162.0).unwrap(),
                target: Spm::new(175.0).unwrap(),
                ..PlanInputs::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn the_newest_plan_is_current_and_a_hand_edit_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        save_plan(dir.path(), &plan("20261101T070000Z")).unwrap();
        let path = save_plan(dir.path(), &plan("20261121T070000Z")).unwrap();
        let (current, at) = load_current_plan(dir.path()).unwrap().unwrap();
        assert_eq!(current.id, "20261121T070000Z");
        assert_eq!(at, path);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("// A Cadence Coach ramp-up plan."));
        std::fs::write(&path, text.replace("per_week: 3", "per_week: 4")).unwrap();
        assert_eq!(
            load_current_plan(dir.path())
                .unwrap()
                .unwrap()
                .0
                .inputs
                .per_week,
            4
        );
        // A second plan in the same second sorts after the first; a kept copy is not followed.
        let second = save_plan(dir.path(), &plan("20261121T070000Z_002")).unwrap();
        std::fs::write(dir.path().join("plans").join("backup.ron"), "junk").unwrap();
        assert_eq!(load_current_plan(dir.path()).unwrap().unwrap().1, second);
    }

    #[test]
    fn a_bad_edit_is_reported_with_its_line_and_left_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = save_plan(dir.path(), &plan("20261121T070000Z")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("per_week: 3", "per_week: three")).unwrap();
        let err = load_current_plan(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("20261121T070000Z.ron does not read at line"),
            "{err}"
        );
        assert!(path.exists());
        std::fs::write(&path, text.replace("per_week: 3", "per_week: 9")).unwrap();
        let err = load_current_plan(dir.path()).unwrap_err().to_string();
        assert!(err.contains("Sessions per week 9 is outside 1–7"), "{err}");
    }
}
