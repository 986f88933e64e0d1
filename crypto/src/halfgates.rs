//! What the garbler and the evaluator share: the hash, the tweak counter, the
//! wire format of garbled tables and of output decoding.
//!
//! Half-gates (Zahur-Rosulek-Evans, EUROCRYPT 2015, sec. 3) with free-XOR
//! (Kolesnikov-Schneider 2008): an AND gate with input 0-labels `A0`, `B0`
//! and permute bits `pa = lsb(A0)`, `pb = lsb(B0)` is sent as two blocks,
//! `TG = H(A0, j) ^ H(A1, j) ^ pb*Delta` and `TE = H(B0, j') ^ H(B1, j') ^ A0`,
//! where `j = 2k` and `j' = 2k + 1` for the session's `k`-th AND gate.
//!
//! The hash `H` is the tweakable circular correlation-robust (TCCR) hash of
//! Guo-Katz-Wang-Yu ("Efficient and secure multiparty computation from
//! fixed-key block ciphers", S&P 2020, sec. 7.4),
//!
//! ```text
//! H(x, i) = pi(pi(x) ^ i) ^ pi(x),    pi = AES-128 under the session's HashKey,
//! ```
//!
//! proven TCCR, and so sufficient for half-gates, with `pi` an ideal
//! permutation. The key is public but fresh for every session: the garbler
//! draws it from the OS CSPRNG ([`HashKey::random`]) and sends it to the
//! evaluator in the handshake. Under one key shared by every session, an
//! attacker who collects `C` garbled gates from any number of sessions
//! recovers some session's Delta with about `2^128 / C` work, since every
//! session queries the same permutation (Guo-Katz-Wang-Weng-Yu, "Better
//! concrete security for half-gates garbling (in the multi-instance
//! setting)", CRYPTO 2020). With a key per session each session has a
//! permutation of its own and the gates of other sessions no longer help:
//! `C` counts the gates of the attacked session only. The AES key schedule
//! runs once per session ([`HalfGateHash::new`]); a gate costs what it did
//! under a fixed key.

use crate::{AesPath, AndOp, Block, CryptoError, FixedKeyAes, Lane, MAX_BATCH};
use std::sync::Arc;

/// Bytes of one garbled AND gate on the wire: `TG` then `TE`, 16 little-endian
/// bytes each.
pub const TABLE_BYTES: usize = 32;

/// Most AND gates in one chunk of garbled tables (64 KiB).
pub const MAX_CHUNK_ANDS: usize = 2048;

/// The public AES key of a session's hash `H` (see the module docs). Not a
/// secret: it travels in the clear. What matters is that each session has a
/// fresh one, which only the garbler's [`HashKey::random`] provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashKey([u8; 16]);

impl HashKey {
    /// Bytes of the key on the wire.
    pub const BYTES: usize = 16;

    /// A fresh key from the operating system's CSPRNG: the garbler's choice
    /// for a new session.
    pub fn random() -> HashKey {
        HashKey(Block::random().to_bytes())
    }

    /// The key as received from the garbler.
    pub fn from_bytes(bytes: [u8; 16]) -> HashKey {
        HashKey(bytes)
    }

    /// The key's wire form.
    pub fn to_bytes(self) -> [u8; 16] {
        self.0
    }
}

/// The TCCR hash of GKWY20 on AES-128 under a session's [`HashKey`],
/// batched: one call hashes a whole window of independent AND gates. The key
/// schedule is computed once, in [`HalfGateHash::new`]; clones share it.
#[derive(Clone, Debug)]
pub struct HalfGateHash {
    key: HashKey,
    pub(crate) pi: Arc<FixedKeyAes>,
}

impl HalfGateHash {
    /// The hash under `key`, on the fastest AES back end of this CPU.
    pub fn new(key: HashKey) -> HalfGateHash {
        HalfGateHash {
            key,
            pi: Arc::new(FixedKeyAes::new(Block::from_bytes(key.0))),
        }
    }

    /// The hash under `key` on the portable AES back end (for tests and
    /// comparisons).
    pub fn new_portable(key: HashKey) -> HalfGateHash {
        HalfGateHash {
            key,
            pi: Arc::new(FixedKeyAes::new_portable(Block::from_bytes(key.0))),
        }
    }

    /// The key this hash runs under.
    pub fn key(&self) -> HashKey {
        self.key
    }

    /// The hash under `key` on AES back end `path`, or `None` if this CPU
    /// cannot run it (for tests and benchmarks that compare back ends).
    pub fn on_path(path: AesPath, key: HashKey) -> Option<HalfGateHash> {
        Some(HalfGateHash {
            key,
            pi: Arc::new(FixedKeyAes::on_path(path, Block::from_bytes(key.0))?),
        })
    }

    /// Garbler side: `xs` holds `[A0, A1, B0, B1]` for each of a window of
    /// AND gates whose first has tweak pair `(first_tweak, first_tweak + 1)`;
    /// each block is replaced by its hash. Gate `g` of the window hashes its
    /// `A` labels under tweak `first_tweak + 2g` and its `B` labels under
    /// `first_tweak + 2g + 1`.
    pub fn hash_garbler(&self, xs: &mut [Block], first_tweak: u64) {
        self.pi.tccr_seq(xs, first_tweak, 2);
    }

    /// Evaluator side: `xs` holds `[Wa, Wb]` for each gate of the window;
    /// gate `g` hashes `Wa` under `first_tweak + 2g` and `Wb` under
    /// `first_tweak + 2g + 1`, the same tweaks as [`HalfGateHash::hash_garbler`].
    pub fn hash_evaluator(&self, xs: &mut [Block], first_tweak: u64) {
        self.pi.tccr_seq(xs, first_tweak, 1);
    }

    /// Garbles independent AND gates in place (half-gates, ZRE15 sec. 3):
    /// reads the 0-labels of each gate's input slots in `labels`, writes its
    /// output 0-label to its output slot and its table `(TG, TE)` to the next
    /// [`TABLE_BYTES`] bytes of `tables`. Gate `g` uses tweaks
    /// `first_tweak + 2g` and `first_tweak + 2g + 1`, as
    /// [`HalfGateHash::hash_garbler`]. No gate may read a slot another gate
    /// of `ands` writes (the schedule's rule for one batch).
    ///
    /// On VAES the gather of labels, both AES passes and the table are one
    /// fused kernel per window of [`MAX_BATCH`] gates, so labels and hashes
    /// cross memory once.
    ///
    /// `folded` says whether some gate of `ands` has a folded input (an
    /// `a2` or `b2` slot other than the zero slot, see [`AndOp`]); without
    /// it, a kernel may skip the second load of every input, which is
    /// several percent of a wide batch. `true` is always right;
    /// [`crate::Step::folded`] gives it per step. The result does not
    /// depend on it.
    ///
    /// # Panics
    /// If `tables` is shorter than `TABLE_BYTES * ands.len()` or a slot is
    /// out of `labels`.
    pub fn garble_ands(
        &self,
        labels: &mut [Lane],
        ands: &[AndOp],
        delta: Lane,
        first_tweak: u64,
        tables: &mut [u8],
        folded: bool,
    ) {
        assert!(tables.len() >= ands.len() * TABLE_BYTES);
        debug_assert!(folded || one_second_slot(ands), "folded inputs");
        for (w, (ands, tables)) in ands
            .chunks(MAX_BATCH)
            .zip(tables.chunks_mut(MAX_BATCH * TABLE_BYTES))
            .enumerate()
        {
            let tweak = first_tweak.wrapping_add(2 * (w * MAX_BATCH) as u64);
            if !self
                .pi
                .garble_fused(labels, ands, delta, tweak, tables, folded)
            {
                self.garble_window(labels, ands, delta, tweak, tables);
            }
        }
    }

    /// [`HalfGateHash::garble_ands`] on one window where no fused kernel
    /// runs (out of line for the reason [`HalfGateHash::eval_window`] is).
    #[inline(never)]
    fn garble_window(
        &self,
        labels: &mut [Lane],
        ands: &[AndOp],
        delta: Lane,
        tweak: u64,
        tables: &mut [u8],
    ) {
        let mut h = [Lane::zero(); 4 * MAX_BATCH];
        let h = &mut h[..4 * ands.len()];
        for (g, op) in h.chunks_exact_mut(4).zip(ands) {
            let (a0, b0) = op.inputs(labels);
            g.copy_from_slice(&[a0, a0 ^ delta, b0, b0 ^ delta]);
        }
        self.hash_garbler(Lane::as_blocks_mut(h), tweak);
        for ((g, op), table) in h
            .chunks_exact(4)
            .zip(ands)
            .zip(tables.chunks_exact_mut(TABLE_BYTES))
        {
            let (a0, b0) = op.inputs(labels);
            let (pa, pb) = (a0.lsb(), b0.lsb());
            let tg = g[0] ^ g[1] ^ delta.select(pb);
            let wg0 = g[0] ^ tg.select(pa);
            let te = g[2] ^ g[3] ^ a0;
            let we0 = g[2] ^ (te ^ a0).select(pb);
            labels[op.out as usize] = wg0 ^ we0;
            tg.write_to(&mut table[..16]);
            te.write_to(&mut table[16..]);
        }
        h.iter_mut().for_each(zeroize::Zeroize::zeroize);
    }

    /// Evaluates independent AND gates in place (ZRE15 sec. 3): reads the
    /// active labels of each gate's input slots and its table from the next
    /// [`TABLE_BYTES`] bytes of `tables`, writes
    /// `Wc = H(Wa) ^ sa*TG ^ H(Wb) ^ sb*(TE ^ Wa)` to its output slot. Same
    /// tweaks and rules as [`HalfGateHash::garble_ands`]. Fused on AVX-512,
    /// where four gates share each instruction of the combining step;
    /// unfused on 256-bit VAES, where a fused kernel measured slower than
    /// hashing the gathered labels in one pass and combining them in another
    /// (the evaluator's two AES calls per gate leave too little AES work to
    /// hide the combining behind). `folded` as in
    /// [`HalfGateHash::garble_ands`].
    ///
    /// # Panics
    /// If `tables` is shorter than `TABLE_BYTES * ands.len()` or a slot is
    /// out of `labels`.
    pub fn eval_ands(
        &self,
        labels: &mut [Lane],
        ands: &[AndOp],
        tables: &[u8],
        first_tweak: u64,
        folded: bool,
    ) {
        assert!(tables.len() >= ands.len() * TABLE_BYTES);
        debug_assert!(folded || one_second_slot(ands), "folded inputs");
        for (w, (ands, tables)) in ands
            .chunks(MAX_BATCH)
            .zip(tables.chunks(MAX_BATCH * TABLE_BYTES))
            .enumerate()
        {
            let tweak = first_tweak.wrapping_add(2 * (w * MAX_BATCH) as u64);
            if !self.pi.eval_fused(labels, ands, tables, tweak, folded) {
                self.eval_window(labels, ands, tables, tweak);
            }
        }
    }

    /// [`HalfGateHash::eval_ands`] on one window where no fused kernel
    /// runs: the gathered labels are hashed in one pass and combined in
    /// another. Out of line, so that its 8 KiB of scratch is not reserved
    /// (nor its stack pages probed) on every call of the fused path, which
    /// SHA-256's thousands of short batches measured.
    #[inline(never)]
    fn eval_window(&self, labels: &mut [Lane], ands: &[AndOp], tables: &[u8], tweak: u64) {
        let mut h = [Lane::zero(); 2 * MAX_BATCH];
        let h = &mut h[..2 * ands.len()];
        for (g, op) in h.chunks_exact_mut(2).zip(ands) {
            (g[0], g[1]) = op.inputs(labels);
        }
        self.hash_evaluator(Lane::as_blocks_mut(h), tweak);
        for ((g, op), table) in h
            .chunks_exact(2)
            .zip(ands)
            .zip(tables.chunks_exact(TABLE_BYTES))
        {
            let (wa, wb) = op.inputs(labels);
            let (tg, te) = (Lane::read_from(&table[..16]), Lane::read_from(&table[16..]));
            let wg = g[0] ^ tg.select(wa.lsb());
            let we = g[1] ^ (te ^ wa).select(wb.lsb());
            labels[op.out as usize] = wg ^ we;
        }
        h.iter_mut().for_each(zeroize::Zeroize::zeroize);
    }

    /// One hash, `H(x, tweak)`: the reference the batched forms follow.
    pub fn hash_one(&self, x: Block, tweak: u64) -> Block {
        self.pi.tccr(x, Block(u128::from(tweak)))
    }

    /// Whether the VAES back end is in use.
    pub fn is_vaes(&self) -> bool {
        self.pi.is_vaes()
    }
}

/// Whether every second input slot of `ands` is one and the same slot (the
/// zero slot, when the schedule says no input is folded).
fn one_second_slot(ands: &[AndOp]) -> bool {
    ands.first()
        .is_none_or(|f| ands.iter().all(|op| op.a2 == f.a2 && op.b2 == f.a2))
}

/// The hash-tweak counter of a session. Both parties keep one, advanced by
/// two per AND gate garbled or evaluated, across every circuit of the
/// session, so no tweak is ever used twice under one Delta.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TweakCounter {
    next: u64,
}

impl TweakCounter {
    /// A counter at zero, for a new session.
    pub fn new() -> TweakCounter {
        TweakCounter { next: 0 }
    }

    /// The next unused tweak.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Reserves the tweaks of `and_gates` half-gates AND gates (two each)
    /// and returns the first.
    pub fn reserve(&mut self, and_gates: u64) -> Result<u64, CryptoError> {
        self.reserve_for(crate::Scheme::HalfGates, and_gates)
    }

    /// Reserves the tweaks of `and_gates` AND gates of `scheme`
    /// ([`crate::Scheme::tweaks_per_gate`] each) and returns the first.
    pub fn reserve_for(
        &mut self,
        scheme: crate::Scheme,
        and_gates: u64,
    ) -> Result<u64, CryptoError> {
        let first = self.next;
        let n = and_gates
            .checked_mul(scheme.tweaks_per_gate())
            .ok_or(CryptoError::TweaksExhausted)?;
        self.next = first.checked_add(n).ok_or(CryptoError::TweaksExhausted)?;
        Ok(first)
    }
}

/// Encodes one garbled AND gate into its 32 wire bytes.
#[inline]
pub fn write_table(out: &mut [u8], tg: Block, te: Block) {
    out[..16].copy_from_slice(&tg.to_bytes());
    out[16..32].copy_from_slice(&te.to_bytes());
}

/// Decodes one garbled AND gate from its 32 wire bytes (`TG`, `TE`).
#[inline]
pub fn read_table(bytes: &[u8]) -> (Block, Block) {
    let mut tg = [0u8; 16];
    let mut te = [0u8; 16];
    tg.copy_from_slice(&bytes[..16]);
    te.copy_from_slice(&bytes[16..32]);
    (Block::from_bytes(tg), Block::from_bytes(te))
}

/// What the garbler reveals so the evaluator can read the outputs: per output
/// wire, the permute bit of its 0-label, and nothing else. The output bit is
/// `lsb(label) ^ decoding bit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputDecoding {
    bits: Vec<bool>,
}

impl OutputDecoding {
    /// Decoding bits, one per output wire in `Circuit::output_wires` order.
    pub fn from_bits(bits: Vec<bool>) -> OutputDecoding {
        OutputDecoding { bits }
    }

    /// The decoding bits.
    pub fn bits(&self) -> &[bool] {
        &self.bits
    }

    /// Wire form: the bits packed least significant bit first, zero padded.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.bits.len().div_ceil(8)];
        for (i, &b) in self.bits.iter().enumerate() {
            out[i / 8] |= (b as u8) << (i % 8);
        }
        out
    }

    /// Reads the wire form for a circuit of `outputs` output wires: the
    /// length must be exact and the padding bits zero.
    pub fn from_bytes(bytes: &[u8], outputs: usize) -> Result<OutputDecoding, CryptoError> {
        let expected = outputs.div_ceil(8);
        if bytes.len() != expected {
            return Err(CryptoError::DecodingLength {
                expected,
                got: bytes.len(),
            });
        }
        if !outputs.is_multiple_of(8) && bytes[expected - 1] >> (outputs % 8) != 0 {
            return Err(CryptoError::DecodingPadding);
        }
        let bits = (0..outputs)
            .map(|i| bytes[i / 8] >> (i % 8) & 1 == 1)
            .collect();
        Ok(OutputDecoding { bits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn batched_hashes_follow_the_tweak_layout() {
        let key = HashKey::random();
        for h in [HalfGateHash::new(key), HalfGateHash::new_portable(key)] {
            let gates = 37;
            let labels: Vec<Block> = (0..4 * gates).map(|_| Block::random()).collect();
            let mut g = labels.clone();
            h.hash_garbler(&mut g, 1000);
            for k in 0..gates {
                for i in 0..4 {
                    let tweak = 1000 + 2 * k as u64 + (i / 2) as u64;
                    assert_eq!(g[4 * k + i], h.hash_one(labels[4 * k + i], tweak));
                }
            }
            let mut e: Vec<Block> = (0..gates)
                .flat_map(|k| [labels[4 * k], labels[4 * k + 2]])
                .collect();
            h.hash_evaluator(&mut e, 1000);
            for k in 0..gates {
                assert_eq!(e[2 * k], g[4 * k]);
                assert_eq!(e[2 * k + 1], g[4 * k + 2]);
            }
        }
    }

    /// `n` independent AND gates on fresh slots: inputs in slots
    /// `0..2n`, outputs in `2n..3n`. With `folded`, each first input also
    /// adds one of the labels in `3n..4n` (a wire of constant value, as a
    /// folded free gate would), every third second input another; the
    /// others add the zero label of slot `4n`.
    fn window(n: usize, folded: bool) -> (Vec<Lane>, Vec<AndOp>) {
        let mut labels: Vec<Lane> = (0..4 * n).map(|_| Lane::from(Block::random())).collect();
        labels.push(Lane::zero());
        let n32 = n as u32;
        let ands = (0..n32)
            .map(|g| AndOp {
                a: 2 * g,
                b: 2 * g + 1,
                out: 2 * n32 + g,
                a2: if folded { 3 * n32 + g } else { 4 * n32 },
                b2: if folded && g % 3 == 0 {
                    3 * n32 + (g + 1) % n32
                } else {
                    4 * n32
                },
            })
            .collect();
        (labels, ands)
    }

    #[test]
    fn fused_and_portable_garbling_agree_and_evaluate_correctly() {
        let key = HashKey::random();
        let (fast, slow) = (HalfGateHash::new(key), HalfGateHash::new_portable(key));
        let delta = Lane::from(crate::Delta::random().block());
        for (n, folded) in [0usize, 1, 3, 4, 5, 7, 8, 9, 17, 255, 256, 257, 600]
            .into_iter()
            .flat_map(|n| [(n, true), (n, false)])
        {
            let (labels, ands) = window(n, folded);
            let first = u64::MAX - 2000;
            let mut tables = [vec![0u8; n * TABLE_BYTES], vec![0u8; n * TABLE_BYTES]];
            let mut outs = [labels.clone(), labels.clone()];
            for ((h, t), l) in [&fast, &slow].iter().zip(&mut tables).zip(&mut outs) {
                h.garble_ands(l, &ands, delta, first, t, folded);
            }
            assert_eq!(tables[0], tables[1], "{n} gates");
            let out_blocks =
                |l: &[Lane]| -> Vec<Block> { l.iter().map(|&x| Block::from(x)).collect() };
            assert_eq!(out_blocks(&outs[0]), out_blocks(&outs[1]));
            // Every combination of active inputs decodes to the AND.
            for (x, y) in [(false, false), (false, true), (true, false), (true, true)] {
                let mut active: Vec<Lane> = labels
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| {
                        if i < 2 * n && [x, y][i % 2] {
                            l ^ delta
                        } else {
                            l
                        }
                    })
                    .collect();
                let mut active2 = active.clone();
                fast.eval_ands(&mut active, &ands, &tables[0], first, folded);
                slow.eval_ands(&mut active2, &ands, &tables[0], first, folded);
                assert_eq!(out_blocks(&active), out_blocks(&active2));
                for (g, op) in ands.iter().enumerate() {
                    let zero = outs[0][op.out as usize];
                    let want = if x & y { zero ^ delta } else { zero };
                    assert_eq!(
                        Block::from(active[op.out as usize]),
                        Block::from(want),
                        "gate {g}"
                    );
                }
            }
        }
    }

    /// Every AES path this CPU runs garbles and evaluates to the same bytes:
    /// tables, output labels and evaluated labels; and where no input is
    /// folded, the same with the kernels told so as without.
    #[test]
    fn every_path_garbles_and_evaluates_to_the_same_bytes() {
        let key = HashKey::random();
        let paths: Vec<(AesPath, HalfGateHash)> = AesPath::ALL
            .into_iter()
            .filter_map(|p| match HalfGateHash::on_path(p, key) {
                Some(h) => Some((p, h)),
                None => {
                    eprintln!("AES path {} skipped: this CPU lacks its features", p.name());
                    None
                }
            })
            .collect();
        let delta = Lane::from(crate::Delta::random().block());
        let blocks = |l: &[Lane]| -> Vec<Block> { l.iter().map(|&x| Block::from(x)).collect() };
        for (n, folded) in [
            1usize, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 255, 256, 257, 700,
        ]
        .into_iter()
        .flat_map(|n| [(n, true), (n, false)])
        {
            let (labels, ands) = window(n, folded);
            let first = u64::MAX - 600;
            let mut reference: Option<(Vec<u8>, Vec<Block>, Vec<Block>)> = None;
            for ((p, h), told) in paths.iter().flat_map(|ph| [(ph, folded), (ph, true)]) {
                let mut tables = vec![0u8; n * TABLE_BYTES];
                let mut out = labels.clone();
                h.garble_ands(&mut out, &ands, delta, first, &mut tables, told);
                let mut active: Vec<Lane> = labels
                    .iter()
                    .enumerate()
                    // Slot 4n stays zero: it is the zero slot.
                    .map(|(i, &l)| {
                        if i % 3 == 1 && i < 4 * n {
                            l ^ delta
                        } else {
                            l
                        }
                    })
                    .collect();
                h.eval_ands(&mut active, &ands, &tables, first, told);
                let got = (tables, blocks(&out), blocks(&active));
                match &reference {
                    None => reference = Some(got),
                    Some(r) => assert!(
                        *r == got,
                        "{n} gates, folded {folded} told {told}: path {} differs",
                        p.name()
                    ),
                }
            }
        }
    }

    #[test]
    fn fused_garbling_uses_two_tweaks_per_gate() {
        let h = HalfGateHash::new(HashKey::random());
        let delta = Lane::from(crate::Delta::random().block());
        let (labels, ands) = window(20, true);
        for first in [0u64, 7] {
            let mut l = labels.clone();
            let mut t = vec![0u8; 20 * TABLE_BYTES];
            h.garble_ands(&mut l, &ands, delta, first, &mut t, true);
            for (g, op) in ands.iter().enumerate() {
                let (a0, b0) = op.inputs(&labels);
                let (a0, b0) = (Block::from(a0), Block::from(b0));
                let d = Block::from(delta);
                let j = first + 2 * g as u64;
                let te = h.hash_one(b0, j + 1) ^ h.hash_one(b0 ^ d, j + 1) ^ a0;
                let tg = h.hash_one(a0, j) ^ h.hash_one(a0 ^ d, j) ^ d.select(b0.lsb());
                assert_eq!(read_table(&t[g * TABLE_BYTES..]), (tg, te));
            }
        }
    }

    #[test]
    fn the_hash_depends_on_the_session_key() {
        let (k1, k2) = (HashKey::random(), HashKey::random());
        assert_ne!(k1, k2, "two draws of the OS CSPRNG gave one key");
        assert_eq!(HashKey::from_bytes(k1.to_bytes()), k1);
        let (h1, h2) = (HalfGateHash::new(k1), HalfGateHash::new(k2));
        assert_eq!((h1.key(), h2.key()), (k1, k2));
        // The same label under the same tweak hashes differently in two
        // sessions, so the garbled tables of one session say nothing about
        // the permutation of another.
        let x = Block::random();
        assert_ne!(h1.hash_one(x, 0), h2.hash_one(x, 0));
        // A clone shares the key schedule and hashes as the original.
        assert_eq!(h1.clone().hash_one(x, 5), h1.hash_one(x, 5));
        assert_eq!(
            h1.hash_one(x, 5),
            HalfGateHash::new_portable(k1).hash_one(x, 5)
        );
        // The construction: pi(pi(x) ^ i) ^ pi(x), pi = AES-128 under the key.
        let pi = FixedKeyAes::new_portable(Block::from_bytes(k1.to_bytes()));
        let y = pi.encrypt(x);
        assert_eq!(h1.hash_one(x, 9), pi.encrypt(y ^ Block(9)) ^ y);
    }

    #[test]
    fn tweak_counter_never_hands_out_a_tweak_twice() {
        let mut c = TweakCounter::new();
        let a = c.reserve(3).unwrap();
        let b = c.reserve(0).unwrap();
        let d = c.reserve(5).unwrap();
        assert_eq!((a, b, d, c.next()), (0, 6, 6, 16));
        let mut full = TweakCounter { next: u64::MAX - 3 };
        assert_eq!(full.reserve(2), Err(CryptoError::TweaksExhausted));
        assert_eq!(full.reserve(u64::MAX), Err(CryptoError::TweaksExhausted));
        assert_eq!(full.reserve(1), Ok(u64::MAX - 3));
    }

    #[test]
    fn table_round_trip() {
        let (tg, te) = (Block::random(), Block::random());
        let mut buf = [0u8; TABLE_BYTES];
        write_table(&mut buf, tg, te);
        assert_eq!(read_table(&buf), (tg, te));
    }

    #[test]
    fn decoding_rejects_bad_lengths_and_padding() {
        assert_eq!(
            OutputDecoding::from_bytes(&[0, 0], 7),
            Err(CryptoError::DecodingLength {
                expected: 1,
                got: 2
            })
        );
        assert_eq!(
            OutputDecoding::from_bytes(&[0x80], 7),
            Err(CryptoError::DecodingPadding)
        );
        assert!(OutputDecoding::from_bytes(&[], 0)
            .unwrap()
            .bits()
            .is_empty());
    }

    proptest! {
        #[test]
        fn decoding_round_trips(bits in proptest::collection::vec(any::<bool>(), 0..100)) {
            let d = OutputDecoding::from_bits(bits.clone());
            prop_assert_eq!(OutputDecoding::from_bytes(&d.to_bytes(), bits.len()).unwrap(), d);
        }

        #[test]
        fn decoding_parser_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..20), n in 0usize..200) {
            if let Ok(d) = OutputDecoding::from_bytes(&bytes, n) {
                prop_assert_eq!(d.bits().len(), n);
                prop_assert_eq!(d.to_bytes(), bytes);
            }
        }
    }
}
