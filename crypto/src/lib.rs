//! Cryptographic primitives shared by the garbler, the evaluator and OT, and
//! the half-gates pieces both garbling parties must agree on.
//!
//! - [`Block`]: a 128-bit value (wire label, OT message, AES state);
//!   [`Label`] names a block used as a wire label.
//! - [`FixedKeyAes`]: AES-128 under one key over many blocks at once, on
//!   512-bit or 256-bit VAES when the CPU has it (detected at run time, see
//!   [`AesPath`]) and the `aes` crate otherwise; its `tccr_seq` is the
//!   batched TCCR hash of GKWY20.
//! - [`HashKey`]: the public AES key of a session's half-gates hash, fresh
//!   for every session.
//! - [`Delta`]: the free-XOR offset, lowest bit always set.
//! - [`Lane`]: a label in a 128-bit vector register, for inner loops.
//! - [`Prg`]: AES-CTR under a seed from the OS CSPRNG.
//! - [`HalfGateHash`], [`TweakCounter`], [`OutputDecoding`], [`TABLE_BYTES`]:
//!   the hash, tweak discipline and wire formats of half-gates garbling.
//! - [`Scheme`]: half-gates or three-halves ([`threehalves`], Rosulek-Roy
//!   CRYPTO 2021: 24 bytes and 5 bits per AND gate instead of 32).
//! - [`Schedule`]: the batched execution plan both parties derive from a
//!   circuit.
//!
//! No secret (label, Delta, seed, key) appears in any `Debug` output or error
//! message of this crate: `Block`, `Delta`, `Prg` and `FixedKeyAes` print as
//! `<redacted>`.
//!
//! ```
//! use crypto::{Block, Delta, FixedKeyAes, HalfGateHash, HashKey};
//! let pi = FixedKeyAes::new(Block(7));
//! let mut xs = [Block(1), Block(2)];
//! pi.encrypt_blocks(&mut xs);
//! assert_eq!(xs[0], pi.encrypt(Block(1)));
//!
//! let delta = Delta::random();
//! assert!(delta.block().lsb());
//! // One garbled window: [A0, A1, B0, B1] per AND gate, hashed in one batch.
//! let h = HalfGateHash::new(HashKey::random());
//! let (a0, b0) = (Block::random(), Block::random());
//! let mut win = [a0, a0 ^ delta.block(), b0, b0 ^ delta.block()];
//! h.hash_garbler(&mut win, 0);
//! assert_eq!(win[2], h.hash_one(b0, 1));
//! ```
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod aes;
mod block;
mod delta;
mod error;
mod halfgates;
mod lane;
mod pool;
mod prg;
mod schedule;
mod scheme;
pub mod threehalves;

pub use crate::aes::{aes_path, vaes_available, AesPath, FixedKeyAes};
pub use block::Block;
pub use delta::Delta;
pub use error::CryptoError;
pub use halfgates::{
    read_table, write_table, HalfGateHash, HashKey, OutputDecoding, TweakCounter, MAX_CHUNK_ANDS,
    TABLE_BYTES,
};
pub use lane::Lane;
pub use pool::SlotPool;
pub use prg::Prg;
pub use schedule::{run_free_ops, AndOp, FreeOp, Schedule, Step, MAX_BATCH, SEGMENT_GATES};
pub use scheme::Scheme;

/// A wire label: a block whose lowest bit is its permute bit.
pub type Label = Block;
