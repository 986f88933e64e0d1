//! The workspace's dependencies point one way (README, Layout): nothing
//! links a crate above it, the wire protocol never links the compiler, the
//! garbling and evaluation engines link no protocol or I/O crate, dual
//! execution links the engines but neither party's library, and neither
//! party's library links the other.

use std::process::Command;

/// The packages `krate` links through normal dependencies, itself included,
/// as `cargo tree` lists them.
fn links(krate: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "-e", "normal", "-p", krate])
        .args(["--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree -p {krate}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn dependencies_point_one_way() {
    const BINARIES: [&str; 2] = ["cli", "mpcc"];
    let rules: [(&str, &[&str]); 9] = [
        (
            "circuits",
            &[
                "compiler",
                "crypto",
                "ot",
                "protocol",
                "garbler",
                "evaluator",
            ],
        ),
        (
            "compiler",
            &["crypto", "ot", "protocol", "garbler", "evaluator"],
        ),
        (
            "crypto",
            &["compiler", "ot", "protocol", "garbler", "evaluator"],
        ),
        ("ot", &["compiler", "protocol", "garbler", "evaluator"]),
        (
            "protocol",
            &["compiler", "pest", "ot", "garbler", "evaluator"],
        ),
        // The engines are pure computation: no wire protocol, OT or
        // transport, and nothing that hosts them.
        (
            "engine",
            &[
                "compiler",
                "pest",
                "ot",
                "protocol",
                "transport",
                "garbler",
                "evaluator",
                "dualex",
            ],
        ),
        ("garbler", &["compiler", "pest", "evaluator"]),
        ("evaluator", &["compiler", "pest", "garbler"]),
        // Dual execution hosts both engines, not either party's library
        // (which will host dual execution); it never links the compiler.
        ("dualex", &["garbler", "evaluator", "compiler", "pest"]),
    ];
    for (krate, never) in rules {
        let linked = links(krate);
        assert_eq!(linked.first().map(String::as_str), Some(krate));
        for other in never.iter().chain(&BINARIES) {
            assert!(
                !linked.iter().any(|p| p == other),
                "{krate} links {other}: {linked:?}"
            );
        }
    }
    // And the binaries do link what they glue together.
    let cli = links("cli");
    for part in ["compiler", "garbler", "evaluator", "protocol", "dualex"] {
        assert!(cli.iter().any(|p| p == part), "cli does not link {part}");
    }
}
