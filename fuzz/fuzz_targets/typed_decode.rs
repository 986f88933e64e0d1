//! Output bits from a peer decoded as typed Rust values: never a panic,
//! whatever the bits (enum tags out of range, payloads of the wrong variant,
//! wide integers) and whatever Rust type they are asked to become.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use std::sync::OnceLock;

/// Programs whose outputs cover every kind of type of the language.
const PROGRAMS: [&str; 5] = [
    "enum Sale { NoSale, Sold { winner: u8, price: u32 } }
     fn main(garbler a: u8) -> Sale { if a > 3 { Sale::Sold { winner: a, price: 9 } } else { Sale::NoSale } }",
    "fn main(garbler a: u8) -> Option<u8> { if a > 3 { Some(a) } else { None } }",
    "struct P { x: i7, y: [u3; 3], z: bool }
     fn main(garbler a: i7) -> (P, bool) { (P { x: a, y: [1, 2, 3], z: true }, false) }",
    "fn main(garbler a: u200, evaluator b: i130) -> (u200, i130) { (a, b) }",
    "fn main(garbler a: u8, evaluator b: u8) -> (evaluator u8, garbler bool, evaluator [i4; 2]) { (a, b > a, [1, -1]) }",
];

fn circuits() -> &'static Vec<circuits::Circuit> {
    static C: OnceLock<Vec<circuits::Circuit>> = OnceLock::new();
    C.get_or_init(|| {
        PROGRAMS
            .iter()
            .map(|p| compiler::compile_source(p, "fuzz.mpc").expect("program compiles"))
            .collect()
    })
}

#[derive(Deserialize)]
#[allow(dead_code)]
enum Sale {
    NoSale,
    Sold { winner: u8, price: u32 },
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let circuit = &circuits()[pick as usize % PROGRAMS.len()];
    let n = circuit.output_wires.len();
    let bits: Vec<bool> = (0..n)
        .map(|i| rest.get(i / 8).is_some_and(|b| (b >> (i % 8)) & 1 == 1))
        .collect();
    let party = match pick / 8 % 3 {
        0 => None,
        1 => Some(circuits::Party::Evaluator),
        _ => Some(circuits::Party::Garbler),
    };
    let _ = circuits::typed::decode_outputs::<serde_json::Value>(circuit, &bits, party);
    let _ = circuits::typed::decode_outputs::<Sale>(circuit, &bits, party);
    let _ = circuits::typed::decode_outputs::<Option<u8>>(circuit, &bits, party);
    let _ = circuits::typed::decode_outputs::<(i8, Vec<u8>, bool)>(circuit, &bits, party);
    let _ = circuits::typed::decode_outputs::<(u128, i128)>(circuit, &bits, party);
    let _ = circuits::typed::decode_outputs::<String>(circuit, &bits, party);
});
