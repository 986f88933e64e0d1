//! `mpcc run` itself, on `.mpc` sources, against Rust's own arithmetic over
//! random values (the exhaustive width sweep is in `operators.rs`, through the
//! library): the binary's value parsing, compilation and printing together.

use std::process::Command;

fn mpcc_run(src: &str, args: &[String]) -> String {
    let dir = std::env::temp_dir().join(format!("mpcc-cli-ops-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("op.mpc");
    std::fs::write(&file, src).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mpcc"))
        .arg("run")
        .arg(&file)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn u64_and_i64_operators_through_the_binary() {
    let mut rng = Rng(0x2545f4914f6cdd1d);
    let src_u = "fn main(garbler a: u64, evaluator b: u64, evaluator k: u8) -> (u64, u64, u64, u64, u64, bool, bool, u64, u64, u64) {
        (a + b, a - b, a * b, a / b, a % b, a < b, a == b, a >> k, a << k, a.max(b))
    }";
    let src_i = "fn main(garbler a: i64, evaluator b: i64, evaluator k: u8) -> (i64, i64, i64, i64, i64, bool, bool, i64, i64, i64) {
        (a + b, a - b, a * b, a / b, a % b, a < b, a == b, a >> k, a << k, a.min(b))
    }";
    for round in 0..6 {
        let (a, b) = (
            rng.next(),
            if round == 0 {
                0
            } else {
                rng.next() >> (rng.next() % 64)
            },
        );
        let k = (rng.next() % 80) as u8;
        let args = vec![a.to_string(), b.to_string(), k.to_string()];
        let shr = if k >= 64 { 0 } else { a >> k };
        let shl = if k >= 64 { 0 } else { a << k };
        // The contract: `/ 0` is all ones, `% 0` the dividend.
        let (q, r) = (
            a.checked_div(b).unwrap_or(u64::MAX),
            a.checked_rem(b).unwrap_or(a),
        );
        let want = format!(
            "({}, {}, {}, {q}, {r}, {}, {}, {shr}, {shl}, {})",
            a.wrapping_add(b),
            a.wrapping_sub(b),
            a.wrapping_mul(b),
            a < b,
            a == b,
            a.max(b)
        );
        assert_eq!(mpcc_run(src_u, &args), want, "u64 {args:?}");

        let (a, b) = (a as i64, if round == 1 { -1 } else { b as i64 });
        let a = if round == 1 { i64::MIN } else { a };
        let args = vec![a.to_string(), b.to_string(), k.to_string()];
        let shr = if k >= 64 { a >> 63 } else { a >> k };
        let shl = if k >= 64 { 0 } else { a << k };
        let (q, r) = if b == 0 {
            (-1, a)
        } else {
            (a.wrapping_div(b), a.wrapping_rem(b))
        };
        let want = format!(
            "({}, {}, {}, {q}, {r}, {}, {}, {shr}, {shl}, {})",
            a.wrapping_add(b),
            a.wrapping_sub(b),
            a.wrapping_mul(b),
            a < b,
            a == b,
            a.min(b)
        );
        assert_eq!(mpcc_run(src_i, &args), want, "i64 {args:?}");
    }
}
