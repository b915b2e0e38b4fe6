//! `cadence-coach`: picks the face (for now the command line) and sets the exit code.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    cadence_coach::cli::main()
}
