//! A private network namespace with loopback only, for the tests whose
//! traffic (Ableton Link's multicast discovery) would otherwise go out on
//! every interface of the machine.

use std::path::PathBuf;
use std::process::Command;

/// Set in the re-run inside the namespace.
const INSIDE_VAR: &str = "IMBOLC_LINK_NETNS";

fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Inside the namespace: true, run the test. Outside: runs the test named
/// `test` of this test binary again inside a new namespace (`unshare -n`,
/// loopback up with multicast routed to it), asserts it passed there, and
/// returns false. Fails saying what to install without `unshare`
/// (util-linux) or `ip` (iproute2); making the namespace needs root.
pub fn inside_private_network(test: &str) -> bool {
    if std::env::var_os(INSIDE_VAR).is_some() {
        // /proc/net/dev lists this network namespace's interfaces (the
        // sysfs mount still shows the parent's).
        let dev = std::fs::read_to_string("/proc/net/dev").expect("/proc/net/dev lists the interfaces");
        let interfaces: Vec<&str> = dev.lines().skip(2).filter_map(|l| l.split(':').next()).map(str::trim).collect();
        assert_eq!(interfaces, ["lo"], "the Link test's namespace must hold loopback only");
        return true;
    }
    let unshare = find_tool("unshare").expect("`unshare` not found: install util-linux (apt-get install util-linux)");
    let ip = find_tool("ip").expect("`ip` not found: install iproute2 (apt-get install iproute2)");
    let exe = std::env::current_exe().expect("the test binary's path");
    let script = format!(
        "{ip} link set lo up multicast on && {ip} route add 224.0.0.0/4 dev lo && exec \"$0\" \"$@\"",
        ip = ip.display()
    );
    let status = Command::new(unshare)
        .args(["-n", "sh", "-c", &script])
        .arg(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(INSIDE_VAR, "1")
        .status()
        .expect("unshare starts");
    assert!(
        status.success(),
        "the Link test failed inside its private network namespace ({status}); making one needs root \
         (unshare -n), util-linux and iproute2 — see the output above"
    );
    false
}
