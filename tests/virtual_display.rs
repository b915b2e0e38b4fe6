//! The private X server every window test runs on: it must take the app's connection whenever
//! the app comes, and it must not outlive the test that started it.

mod support;

use support::VirtualDisplay;

/// Xvfb resets by default when its last client leaves, and a client connecting during the
/// reset is refused: the window tests' app, starting right after the readiness check, lost
/// that race about once in twenty starts on a busy machine ("Failed to open connection to X
/// server", exit 1). A reset also wipes the root window's properties, so a property set by one
/// client and still there for the next proves there was no reset in between.
#[test]
fn the_display_does_not_reset_between_clients() {
    let _alone = support::exclusive();
    let display = VirtualDisplay::start();
    display.tool(
        "xprop",
        &[
            "-root",
            "-f",
            "CADENCE_COACH_PROBE",
            "8s",
            "-set",
            "CADENCE_COACH_PROBE",
            "kept",
        ],
    );
    // That xprop was the only client, and it has gone.
    let read = display.tool("xprop", &["-root", "CADENCE_COACH_PROBE"]);
    assert!(
        read.contains("\"kept\""),
        "the display reset after its last client left: {read}"
    );
    for n in 0..20 {
        // Each connection comes right after the previous one left.
        let out = std::process::Command::new("xdpyinfo")
            .args(["-display", &display.name])
            .output()
            .expect("xdpyinfo runs");
        assert!(
            out.status.success(),
            "connection {n} was refused: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_dropped_display_is_ended() {
    let _alone = support::exclusive();
    let display = VirtualDisplay::start();
    let pid = display.pid();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    assert!(proc_dir.exists());
    drop(display);
    // Ended and reaped, so its process entry is gone (not a zombie left for the test's end).
    assert!(
        !proc_dir.exists(),
        "Xvfb (pid {pid}) is still there after its display was dropped"
    );
}
