//! `cadence-coach`: reads the command line, opens the face it asks for (the window when no
//! subcommand is given, else the subcommand in the terminal) and sets the exit code.
//!
//! Exit codes, for both faces: 0 on success, 2 on bad usage, 1 on any other failure, which is
//! one line on stderr naming the value, file or device at fault.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use cadence_coach::{cli, ui};

fn main() -> ExitCode {
    match cli::parse() {
        cli::Face::Window { data_dir, workout } => {
            cli::exit_code(ui::run_window(data_dir, workout))
        }
        cli::Face::Terminal(subcommand) => cli::run(subcommand),
        cli::Face::Done(code) => code,
    }
}
