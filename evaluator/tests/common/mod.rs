//! The small program the session tests run: the sum of one byte from each
//! side, so that each answer tells which garbler input (chosen by the
//! computation's context) reached the computation.

#![allow(dead_code)]

use evaluator::Prepared;
use serde::{Deserialize, Serialize};

pub const SRC: &str = "struct Sum { total: u16 }\n\
                   fn main(garbler a: u8, evaluator b: u8) -> Sum { Sum { total: (a as u16) + (b as u16) } }";

/// The evaluator's parameter, by name.
#[derive(Serialize)]
pub struct Mine {
    pub b: u8,
}

/// The program's result.
#[derive(Deserialize, Debug, PartialEq)]
pub struct Sum {
    pub total: u16,
}

/// The program, compiled and prepared.
pub fn prepared() -> Prepared {
    Prepared::new(compiler::compile_source(SRC, "sum.mpc").unwrap_or_else(|e| panic!("{e:?}")))
        .unwrap()
}
