//! The files a package installs beside the binary, made from the command-line definition itself
//! so that they never drift from it: shell completions (`completions SHELL`) and man pages (the
//! hidden `manpages DIR`, which `scripts/package.sh` runs). Generated on demand rather than in a
//! build script, so that an ordinary build does not pay for them.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use super::Cli;

/// Prints the completion script for `shell` on stdout.
pub(super) fn print_completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    // Into a buffer first: clap_complete panics when its writer fails (a closed pipe).
    let script = completion_script(shell);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|()| out.flush()) {
        // `completions bash | head` is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("could not write the completion script to stdout"),
    }
}

fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = Vec::new();
    if shell == clap_complete::Shell::Bash {
        // clap_complete's bash script completes nothing after a subcommand when the program's
        // name has a hyphen (clap-rs/clap#6421): made for `cadence_coach`, then bound to the
        // real name.
        clap_complete::generate(shell, &mut Cli::command(), "cadence_coach", &mut script);
        let text = String::from_utf8_lossy(&script).replace(" cadence_coach\n", " cadence-coach\n");
        return text.into_bytes();
    }
    clap_complete::generate(shell, &mut Cli::command(), "cadence-coach", &mut script);
    script
}

/// Writes `cadence-coach.1` and a `cadence-coach-SUBCOMMAND.1` for each visible subcommand into
/// `dir`.
pub(super) fn write_manpages(dir: &Path) -> anyhow::Result<()> {
    let failed = || format!("could not write the man pages into {}", dir.display());
    std::fs::create_dir_all(dir).with_context(failed)?;
    clap_mangen::generate_to(Cli::command(), dir).with_context(failed)?;
    // What clap does not know: exit codes, the environment and the files the app keeps.
    let main_page = dir.join("cadence-coach.1");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&main_page)
        .and_then(|mut page| page.write_all(MAIN_PAGE_TAIL.as_bytes()))
        .with_context(|| format!("could not write {}", main_page.display()))
}

/// Sections appended to `cadence-coach.1`, in roff (`\-` is a minus sign, `\fB` bold, `\fI`
/// italic, `\fR` back to roman).
const MAIN_PAGE_TAIL: &str = r#".SH "EXIT STATUS"
0 on success, 2 on bad usage (an invalid value or a plan input the planner refuses), 1 on any
other failure. Every failure is one line on standard error that names the value, file or device at
fault.
.SH ENVIRONMENT
.TP
\fBCADENCE_COACH_DATA_DIR\fR
The data folder, when \fB\-\-data\-dir\fR is not given (before the one chosen in Settings).
.SH FILES
.TP
\fI~/.config/cadence\-coach/settings.ron\fR
The window's settings.
.TP
\fI~/.local/share/cadence\-coach/\fR
The default data folder: \fIsessions/\fR (one RON file per session, with \fIdamaged/\fR,
\fIdeleted/\fR and \fIhistory/\fR beside them) and \fIplans/\fR (the newest plan is current).
.SH "SEE ALSO"
\fBcadence\-coach\-play\fR(1), \fBcadence\-coach\-render\fR(1), \fBcadence\-coach\-history\fR(1),
\fBcadence\-coach\-import\fR(1), \fBcadence\-coach\-plan\fR(1), \fBcadence\-coach\-measure\fR(1),
\fBcadence\-coach\-listen\fR(1), \fBcadence\-coach\-completions\fR(1)
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_man_page_for_the_app_and_each_visible_subcommand() {
        let dir = tempfile::tempdir().unwrap();
        write_manpages(dir.path()).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let expected = [
            "cadence-coach-completions.1",
            "cadence-coach-history.1",
            "cadence-coach-import.1",
            "cadence-coach-listen.1",
            "cadence-coach-measure.1",
            "cadence-coach-plan.1",
            "cadence-coach-play.1",
            "cadence-coach-render.1",
            "cadence-coach.1",
        ];
        assert_eq!(
            names, expected,
            "no page for the hidden `manpages` or `help`"
        );
        let main = std::fs::read_to_string(dir.path().join("cadence-coach.1")).unwrap();
        assert!(main.contains(".SH \"EXIT STATUS\"") && main.contains("CADENCE_COACH_DATA_DIR"));
        // Every page named in SEE ALSO exists.
        for page in expected.iter().filter(|p| **p != "cadence-coach.1") {
            let name = page.trim_end_matches(".1").replace('-', r"\-");
            assert!(main.contains(&format!(r"\fB{name}\fR(1)")), "{page}");
        }
    }

    #[test]
    fn completions_know_the_subcommands_and_their_options() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
        ] {
            let script = String::from_utf8(completion_script(shell)).unwrap();
            for word in ["render", "history", "spm", "workout", "running", "zsh"] {
                assert!(script.contains(word), "{shell}: {word}");
            }
            assert!(
                !script.contains("manpages"),
                "{shell}: offers the hidden manpages"
            );
        }
        let bash = String::from_utf8(completion_script(clap_complete::Shell::Bash)).unwrap();
        assert!(
            bash.contains("-o default cadence-coach\n"),
            "bound to the real name"
        );
        assert!(!bash.contains(" cadence_coach\n"));
    }
}
