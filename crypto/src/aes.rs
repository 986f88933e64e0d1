//! Fixed-key AES-128 as a random permutation, applied to many blocks at once.
//!
//! Three back ends sit behind one type, chosen once per key at run time:
//! - `avx512`: 512-bit VAES rounds over 32 blocks in flight and half-gate
//!   kernels on four gates per register, for x86-64 CPUs with AES-NI, VAES,
//!   AVX-512F and AVX-512VL;
//! - `vaes`: our own AES-NI key schedule and 256-bit VAES rounds over 16
//!   blocks in flight, for x86-64 CPUs with AES-NI, VAES and AVX2;
//! - portable: the `aes` crate (which itself uses 128-bit AES-NI when present
//!   and a constant-time bitsliced software AES otherwise).
//!
//! All are checked against the FIPS-197 vectors and against each other. The
//! environment variable `MPCC_AES_PATH` (`avx512`, `vaes256` or `portable`)
//! caps the back end [`FixedKeyAes::new`] picks, so every path can be tested
//! and measured on one machine; see [`AesPath`].

use crate::{AndOp, Block, Lane};
use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use zeroize::Zeroize;

#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod vaes;

/// An AES back end ("path"), widest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AesPath {
    /// 512-bit VAES with AVX-512F and AVX-512VL.
    Avx512,
    /// 256-bit VAES with AVX2.
    Vaes256,
    /// The `aes` crate (128-bit AES-NI or bitsliced software).
    Portable,
}

impl AesPath {
    /// Every path, widest first.
    pub const ALL: [AesPath; 3] = [AesPath::Avx512, AesPath::Vaes256, AesPath::Portable];

    /// The name `MPCC_AES_PATH` and `mpcc bench` use.
    pub fn name(self) -> &'static str {
        match self {
            AesPath::Avx512 => "avx512",
            AesPath::Vaes256 => "vaes256",
            AesPath::Portable => "portable",
        }
    }

    /// Whether this CPU can run the path.
    pub fn available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            AesPath::Avx512 => avx512::detected(),
            #[cfg(target_arch = "x86_64")]
            AesPath::Vaes256 => vaes::detected(),
            #[cfg(not(target_arch = "x86_64"))]
            AesPath::Avx512 | AesPath::Vaes256 => false,
            AesPath::Portable => true,
        }
    }

    /// The path [`FixedKeyAes::new`] uses in this process: the widest this
    /// CPU runs, no wider than `MPCC_AES_PATH` names (read once; an unset
    /// variable or an unknown name caps nothing).
    pub fn current() -> AesPath {
        static PATH: std::sync::OnceLock<AesPath> = std::sync::OnceLock::new();
        *PATH.get_or_init(|| {
            let cap = std::env::var("MPCC_AES_PATH")
                .ok()
                .and_then(|v| AesPath::ALL.into_iter().find(|p| p.name() == v.trim()))
                .unwrap_or(AesPath::Avx512);
            AesPath::ALL
                .into_iter()
                .find(|&p| p >= cap && p.available())
                .unwrap_or(AesPath::Portable)
        })
    }
}

/// The name of the AES path this process runs (`avx512`, `vaes256` or
/// `portable`): [`AesPath::current`].
pub fn aes_path() -> &'static str {
    AesPath::current().name()
}

/// AES-128 under one key, used as a public random permutation `pi`.
#[derive(Clone)]
pub struct FixedKeyAes {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    #[cfg(target_arch = "x86_64")]
    Avx512(avx512::RoundKeys),
    #[cfg(target_arch = "x86_64")]
    Vaes(vaes::RoundKeys),
    Portable(Box<aes::Aes128>),
}

/// Whether this CPU runs the VAES back end (AES-NI, VAES and AVX2 present).
pub fn vaes_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        vaes::detected()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

impl FixedKeyAes {
    /// AES-128 keyed with `key`, on the back end [`AesPath::current`]
    /// names: the fastest this CPU has unless `MPCC_AES_PATH` caps it.
    pub fn new(key: Block) -> FixedKeyAes {
        FixedKeyAes::on_path(AesPath::current(), key)
            .unwrap_or_else(|| FixedKeyAes::new_portable(key))
    }

    /// AES-128 keyed with `key` on back end `path`, or `None` if this CPU
    /// cannot run it. For tests and benchmarks that compare back ends.
    pub fn on_path(path: AesPath, key: Block) -> Option<FixedKeyAes> {
        let backend = match path {
            #[cfg(target_arch = "x86_64")]
            AesPath::Avx512 => Backend::Avx512(avx512::RoundKeys::new(key)?),
            #[cfg(target_arch = "x86_64")]
            AesPath::Vaes256 => Backend::Vaes(vaes::RoundKeys::new(key)?),
            #[cfg(not(target_arch = "x86_64"))]
            AesPath::Avx512 | AesPath::Vaes256 => return None,
            AesPath::Portable => return Some(FixedKeyAes::new_portable(key)),
        };
        Some(FixedKeyAes { backend })
    }

    /// AES-128 keyed with `key` on the portable back end (the `aes` crate),
    /// whatever the CPU offers. For tests and benchmarks that compare back ends.
    pub fn new_portable(key: Block) -> FixedKeyAes {
        let cipher = aes::Aes128::new(&GenericArray::from(key.to_bytes()));
        FixedKeyAes {
            backend: Backend::Portable(Box::new(cipher)),
        }
    }

    /// Whether this instance runs on a VAES back end (256 or 512 bits).
    pub fn is_vaes(&self) -> bool {
        self.path() != AesPath::Portable
    }

    /// The back end of this instance.
    pub fn path(&self) -> AesPath {
        match self.backend {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512(_) => AesPath::Avx512,
            #[cfg(target_arch = "x86_64")]
            Backend::Vaes(_) => AesPath::Vaes256,
            Backend::Portable(_) => AesPath::Portable,
        }
    }

    /// Encrypts every block in place. Pass many blocks per call: the AES units
    /// only reach their throughput with many independent blocks in flight.
    pub fn encrypt_blocks(&self, blocks: &mut [Block]) {
        match &self.backend {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512(rk) => rk.encrypt_blocks(blocks),
            #[cfg(target_arch = "x86_64")]
            Backend::Vaes(rk) => rk.encrypt_blocks(blocks),
            Backend::Portable(c) => c.encrypt_blocks(as_generic_arrays(blocks)),
        }
    }

    /// Encrypts one block.
    pub fn encrypt(&self, b: Block) -> Block {
        let mut one = [b];
        self.encrypt_blocks(&mut one);
        one[0]
    }

    /// The TCCR hash of GKWY20 (sec. 7.4), `H(x, i) = pi(pi(x) ^ i) ^ pi(x)`,
    /// applied in place to every block of `xs`; block `k` gets the tweak
    /// `first_tweak + k / per_tweak` (so `per_tweak` consecutive blocks share
    /// one tweak). `per_tweak` must be 1 or 2: 1 for an evaluator hashing
    /// `[Wa, Wb]` per gate, 2 for a garbler hashing `[A0, A1, B0, B1]`.
    ///
    /// The two AES calls of each hash depend on each other; the back end runs
    /// the first call over a group of 16 blocks, then the second, so the AES
    /// units always see 8 independent 256-bit lanes. The scratch that holds
    /// the `pi(x)` between the two calls is wiped before returning: with the
    /// key public, `pi(x)` gives `x` back, and `x` may be a secret label.
    ///
    /// # Panics
    /// If `per_tweak` is not 1 or 2 (a programming error, never peer data).
    pub fn tccr_seq(&self, xs: &mut [Block], first_tweak: u64, per_tweak: usize) {
        assert!(per_tweak == 1 || per_tweak == 2, "per_tweak must be 1 or 2");
        match &self.backend {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512(rk) => rk.tccr_seq(xs, first_tweak, per_tweak),
            #[cfg(target_arch = "x86_64")]
            Backend::Vaes(rk) => rk.tccr_seq(xs, first_tweak, per_tweak),
            Backend::Portable(c) => {
                let mut ys = [Block::ZERO; 64];
                let mut base = 0usize;
                for group in xs.chunks_mut(64) {
                    let ys = &mut ys[..group.len()];
                    ys.copy_from_slice(group);
                    c.encrypt_blocks(as_generic_arrays(ys));
                    for (k, (x, y)) in group.iter_mut().zip(ys.iter()).enumerate() {
                        let tweak = first_tweak.wrapping_add(((base + k) / per_tweak) as u64);
                        *x = *y ^ Block(u128::from(tweak));
                    }
                    c.encrypt_blocks(as_generic_arrays(group));
                    for (x, y) in group.iter_mut().zip(ys.iter()) {
                        *x ^= *y;
                    }
                    base += group.len();
                }
                ys.zeroize();
            }
        }
    }

    /// Half-gates garbling of at most [`crate::MAX_BATCH`] independent AND
    /// gates fused with their TCCR hashes, on the VAES back end; `false`
    /// (nothing done) on the portable one, whose caller hashes with
    /// [`FixedKeyAes::tccr_seq`] instead. `folded` as in
    /// [`crate::HalfGateHash::garble_ands`].
    pub(crate) fn garble_fused(
        &self,
        labels: &mut [Lane],
        ands: &[AndOp],
        delta: Lane,
        first_tweak: u64,
        tables: &mut [u8],
        folded: bool,
    ) -> bool {
        match &self.backend {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512(rk) => {
                rk.garble_ands(labels, ands, delta, first_tweak, tables, folded);
                true
            }
            #[cfg(target_arch = "x86_64")]
            Backend::Vaes(rk) => {
                rk.garble_ands(labels, ands, delta, first_tweak, tables);
                true
            }
            Backend::Portable(_) => false,
        }
    }

    /// Half-gates evaluation of at most [`crate::MAX_BATCH`] independent
    /// AND gates fused with their TCCR hashes, on the AVX-512 back end;
    /// `false` (nothing done) on the others, whose caller hashes with
    /// [`FixedKeyAes::tccr_seq`] instead. `folded` as in
    /// [`crate::HalfGateHash::eval_ands`].
    pub(crate) fn eval_fused(
        &self,
        labels: &mut [Lane],
        ands: &[AndOp],
        tables: &[u8],
        first_tweak: u64,
        folded: bool,
    ) -> bool {
        match &self.backend {
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512(rk) => {
                rk.eval_ands(labels, ands, tables, first_tweak, folded);
                true
            }
            _ => false,
        }
    }

    /// The TCCR hash of one block under one tweak (slow: one block in flight;
    /// the reference the batched forms are tested against).
    pub fn tccr(&self, x: Block, tweak: Block) -> Block {
        let y = self.encrypt(x);
        self.encrypt(y ^ tweak) ^ y
    }
}

impl std::fmt::Debug for FixedKeyAes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FixedKeyAes(<redacted>)")
    }
}

#[allow(unsafe_code)]
fn as_generic_arrays(blocks: &mut [Block]) -> &mut [GenericArray<u8, aes::cipher::consts::U16>] {
    // SAFETY: `Block` is `repr(transparent)` over `u128`: 16 bytes, no padding,
    // every bit pattern valid; `GenericArray<u8, U16>` is 16 bytes with
    // alignment 1, so the cast only lowers alignment. The little-endian byte
    // order of `u128` on every target `Block::to_bytes` supports matches, on
    // little-endian targets, the byte order AES sees; big-endian targets are
    // excluded below.
    #[cfg(target_endian = "little")]
    unsafe {
        std::slice::from_raw_parts_mut(blocks.as_mut_ptr().cast(), blocks.len())
    }
}

#[cfg(target_endian = "big")]
compile_error!("crypto::Block assumes a little-endian target");

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Block {
        let mut b = [0u8; 16];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        Block::from_bytes(b)
    }

    /// The key on every back end this CPU runs, portable first; prints
    /// which wider paths are skipped and why.
    fn both(key: Block) -> Vec<FixedKeyAes> {
        AesPath::ALL
            .into_iter()
            .rev()
            .filter_map(|p| {
                let aes = FixedKeyAes::on_path(p, key);
                if aes.is_none() {
                    eprintln!("AES path {} skipped: this CPU lacks its features", p.name());
                }
                aes
            })
            .collect()
    }

    #[test]
    fn fips197_vectors_on_every_backend() {
        let cases = [
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
        ];
        for (k, p, c) in cases {
            for aes in both(hex(k)) {
                assert_eq!(aes.encrypt(hex(p)), hex(c));
            }
        }
    }

    #[test]
    fn backends_agree_on_every_batch_length() {
        let key = Block::random();
        let slow = FixedKeyAes::new_portable(key);
        for fast in both(key) {
            for n in 0..140 {
                let xs: Vec<Block> = (0..n).map(|_| Block::random()).collect();
                let mut a = xs.clone();
                let mut b = xs.clone();
                fast.encrypt_blocks(&mut a);
                slow.encrypt_blocks(&mut b);
                assert_eq!(a, b, "batch of {n} on {}", fast.path().name());
                let singles: Vec<Block> = xs.iter().map(|&x| slow.encrypt(x)).collect();
                assert_eq!(a, singles);
            }
        }
    }

    #[test]
    fn the_current_path_runs_here_and_new_uses_it() {
        let p = AesPath::current();
        assert!(p.available());
        assert_eq!(FixedKeyAes::new(Block(1)).path(), p);
        assert_eq!(aes_path(), p.name());
        assert!(AesPath::Portable.available());
    }

    #[test]
    fn tccr_batches_match_the_definition() {
        let key = Block::random();
        for aes in both(key) {
            for per in [1usize, 2] {
                for n in [
                    0usize, 1, 2, 3, 15, 16, 17, 31, 32, 33, 64, 100, 130, 1023, 1024, 1025, 1100,
                ] {
                    let first = u64::MAX - 40;
                    let xs: Vec<Block> = (0..n).map(|_| Block::random()).collect();
                    let mut got = xs.clone();
                    aes.tccr_seq(&mut got, first, per);
                    for (k, (&x, &h)) in xs.iter().zip(got.iter()).enumerate() {
                        let tweak = first.wrapping_add((k / per) as u64);
                        let y = aes.encrypt(x);
                        assert_eq!(h, aes.encrypt(y ^ Block(u128::from(tweak))) ^ y);
                        assert_eq!(h, aes.tccr(x, Block(u128::from(tweak))));
                    }
                }
            }
        }
    }

    #[test]
    fn tccr_depends_on_the_tweak() {
        let aes = FixedKeyAes::new(Block(3));
        let x = Block::random();
        let mut xs = [x, x, x, x];
        aes.tccr_seq(&mut xs, 10, 1);
        for i in 0..4 {
            for j in 0..i {
                assert_ne!(xs[i], xs[j], "one input, distinct tweaks, equal hashes");
            }
        }
        let mut pair = [x, x];
        aes.tccr_seq(&mut pair, 10, 2);
        assert_eq!(pair[0], pair[1]);
        assert_eq!(pair[0], xs[0]);
    }

    #[test]
    fn the_portable_key_schedule_is_wiped_on_drop() {
        // Holds only with the `aes` crate's `zeroize` feature.
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<aes::Aes128>();
    }

    #[test]
    fn debug_is_redacted() {
        let aes = FixedKeyAes::new(Block(0x1234_5678_9abc_def0));
        let s = format!("{aes:?}");
        assert!(!s.contains("1234") && !s.contains("9abc"), "{s}");
    }
}
