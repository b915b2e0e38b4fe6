//! `cadence-coach plan`: a ramp-up plan from the baseline to the target, as a dated table (or
//! JSON), saved as the current plan with `--save`.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::PlanArgs;
use crate::cadence::plan::{Plan, PlanInputs, plan_id};
use crate::store::plan_file::save_new_plan;

pub(super) fn run(args: PlanArgs, data_flag: Option<PathBuf>) -> anyhow::Result<()> {
    let now = jiff::Zoned::now();
    let inputs = PlanInputs {
        baseline: args.baseline,
        target: args.target,
        step_percent: args.step,
        per_week: args.per_week,
        per_stage: args.per_stage,
        first_minutes: args.minutes.0,
        last_minutes: args.minutes.1,
        start: args.start.unwrap_or_else(|| now.date()),
        faded: !args.no_fade,
        allow_over_ten_percent: args.allow_over,
    };
    let id = plan_id(now.timestamp());
    let mut plan = Plan::new(&id, inputs)?;
    for warning in plan.warnings() {
        eprintln!("cadence-coach: warning: {warning}");
    }
    let sessions = plan.sessions();
    if args.json {
        let value = serde_json::json!({
            "inputs": plan.inputs,
            "total_percent": (plan.total_percent() * 10.0).round() / 10.0,
            "stages": plan.stages(),
            "sessions": sessions,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{}", table(&plan));
    }
    if args.save {
        let data = super::data_dir(data_flag);
        let path = save_new_plan(&data, &mut plan)?;
        eprintln!(
            "cadence-coach: saved as the current plan: {}",
            path.display()
        );
    }
    Ok(())
}

fn table(plan: &Plan) -> String {
    let i = &plan.inputs;
    let sessions = plan.sessions();
    let mut out = format!(
        "Plan: {}, {} from {} to {}\n\n",
        plan.summary(),
        crate::cadence::count_text(sessions.len() as u64, "session"),
        sessions.first().map_or(i.start, |s| s.planned),
        sessions.last().map_or(i.start, |s| s.planned),
    );
    let _ = writeln!(
        out,
        "{:>3}  {:<10}  {:<3}  {:>5}  {:>6}  {:>3}  click",
        "#", "date", "day", "stage", "spm", "min"
    );
    for (n, s) in sessions.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:>3}  {:<10}  {:<3}  {:>5}  {:>6}  {:>3}  {}",
            n + 1,
            s.planned.to_string(),
            s.planned.strftime("%a").to_string(),
            s.stage,
            s.spm.to_string(),
            s.minutes,
            s.feedback.name()
        );
    }
    out
}
