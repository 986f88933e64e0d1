//! Garble-then-evaluate equals plaintext evaluation on every reference
//! circuit in ../shared/bristol, for random inputs and every split of the
//! inputs between the parties, and gives the published answers.

mod common;

use circuits::bristol;
use common::{bristol_dir, random_bits, run_with};
use crypto::Scheme;

fn circuit_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(bristol_dir())
        .expect("the reference circuits in ../shared/bristol")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.ends_with(".txt") && name != "License.txt"
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_reference_circuit_matches_plaintext() {
    let files = circuit_files();
    assert!(
        files.len() >= 12,
        "expected the reference circuits, found {files:?}"
    );
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let values = bristol::parse(&text, 0).unwrap().inputs.len();
        for garbler_values in 0..=values {
            let c = bristol::parse(&text, garbler_values).unwrap();
            for (scheme, piece) in Scheme::ALL
                .into_iter()
                .flat_map(|s| [0usize, 1, 5].map(|p| (s, p)))
            {
                let bits = random_bits(c.num_inputs() as usize);
                let want = c.eval_bits(&bits).unwrap();
                assert_eq!(
                    run_with(scheme, &c, &bits, piece),
                    want,
                    "{} with {garbler_values} garbler values, {scheme}",
                    path.display()
                );
            }
        }
    }
}

/// Bits of a hex string as a Bristol value: bit i of the big-endian integer.
fn hex_bits(hex: &str) -> Vec<bool> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    (0..bytes.len() * 8)
        .map(|i| bytes[bytes.len() - 1 - i / 8] >> (i % 8) & 1 == 1)
        .collect()
}

fn bits_hex(bits: &[bool]) -> String {
    let n = bits.len() / 8;
    (0..n)
        .map(|byte| {
            let k = n - 1 - byte;
            let v = (0..8).fold(0u8, |acc, i| acc | (bits[8 * k + i] as u8) << i);
            format!("{v:02x}")
        })
        .collect()
}

#[test]
fn aes_128_known_answers_with_key_from_the_garbler() {
    let c = bristol::read_file(&bristol_dir().join("aes_128.txt"), 1).unwrap();
    for (key, pt, ct) in [
        (
            "000102030405060708090a0b0c0d0e0f",
            "00112233445566778899aabbccddeeff",
            "69c4e0d86a7b0430d8cdb78070b4c55a",
        ),
        (
            "2b7e151628aed2a6abf7158809cf4f3c",
            "6bc1bee22e409f96e93d7e117393172a",
            "3ad77bb40d7a3660a89ecaf32466ef97",
        ),
        (
            "00000000000000000000000000000000",
            "00000000000000000000000000000000",
            "66e94bd4ef8a2c3b884cfa59ca342b2e",
        ),
    ] {
        let mut bits = hex_bits(key);
        bits.extend(hex_bits(pt));
        for scheme in Scheme::ALL {
            assert_eq!(bits_hex(&run_with(scheme, &c, &bits, 0)), ct, "{scheme}");
        }
    }
}

#[test]
fn sha256_known_answer() {
    let c = bristol::read_file(&bristol_dir().join("sha256.txt"), 1).unwrap();
    let block = format!("61626380{}18", "0".repeat(128 - 10));
    let iv = "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19";
    let mut bits = hex_bits(&block);
    bits.extend(hex_bits(iv));
    assert_eq!(bits.len(), c.num_inputs() as usize);
    for scheme in Scheme::ALL {
        assert_eq!(
            bits_hex(&run_with(scheme, &c, &bits, 0)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "{scheme}"
        );
    }
}
