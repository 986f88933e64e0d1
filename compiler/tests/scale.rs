//! A program that unrolls to about a million gates compiles, and computes
//! what the same loop computes in Rust. (The ten-million-gate compile lives in
//! the `compile` benchmark.)

#[test]
fn a_million_gates() {
    let rounds = 5u32;
    let src = format!(
        "const R: u32 = {rounds};
fn main(garbler a: [u32; 64], evaluator b: [u32; 64]) -> u32 {{
    let mut acc: u32 = 0;
    for r in 0..R {{
        for i in 0..64 {{
            acc = (acc ^ a[i]) * b[(i + r) % 64] + r;
        }}
    }}
    acc
}}"
    );
    let c = compiler::compile_source(&src, "scale.mpc").unwrap();
    assert!(c.gates.len() > 1_000_000, "{} gates", c.gates.len());
    // Compacted: the live values, not the gates, bound the wires.
    assert!(c.num_wires < 10_000, "{} wires", c.num_wires);
    let a: Vec<u32> = (0..64u32)
        .map(|i| i.wrapping_mul(0x9e3779b9) ^ 0x1234)
        .collect();
    let b: Vec<u32> = (0..64u32).map(|i| i.wrapping_mul(0x85ebca6b) | 1).collect();
    let mut acc = 0u32;
    for r in 0..rounds {
        for i in 0..64usize {
            acc = (acc ^ a[i])
                .wrapping_mul(b[(i + r as usize) % 64])
                .wrapping_add(r);
        }
    }
    let show = |v: &[u32]| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let bits = circuits::value::parse_inputs(&c, None, &[show(&a), show(&b)]).unwrap();
    let out = circuits::value::format_outputs(&c, &c.eval_bits(&bits).unwrap());
    assert_eq!(out, vec![acc.to_string()]);
}
