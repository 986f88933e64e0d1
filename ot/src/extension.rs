//! OT extension: IKNP (IKNP03) with the sender's base-OT choice string equal to
//! the garbling Delta, so that every extended OT is a correlated OT
//! `q_j = t_j ^ r_j * Delta`, plus, in malicious mode, the KOS consistency check
//! (KOS15 sec. 4, in the form whose proof Roy's SoftSpoken paper, Roy22
//! sec. 5, repairs) against a receiver that sends inconsistent columns.
//!
//! Work is cut into chunks of at most [`CHUNK_ROWS`] rows; each chunk carries its
//! own check, so the driver can stream chunks in bounded memory and the sender
//! never holds more than one chunk's matrix.
//!
//! Delta's lowest bit is 1, so the receiver knows column 0 of the sender's
//! choice string: that bit is the point-and-permute bit, public by design; the
//! other 127 bits of Delta stay hidden.

use crate::base::{BaseOtHello, BaseOtReceiver, BaseOtReply, BaseOtSender};
use crate::hash::tccr;
use crate::prg::AesCtr;
use crate::simd::{check_terms, transpose_128_append, transpose_128_append_each, wire_bytes};
use crate::{gf128, wire, OtError};
use bincode::{BorrowDecode, Encode};
use crypto::{Block, FixedKeyAes};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Security parameter: number of base OTs and width of a label.
const KAPPA: usize = 128;

/// Rows of the IKNP matrix per chunk (real OTs plus padding).
pub const CHUNK_ROWS: usize = 1 << 14;

/// Extra random OTs per checked chunk (KOS15: kappa + s with s = 64) that mask
/// the check values; at least this many, rounded up to a multiple of 128.
const PAD: usize = KAPPA + 64;

/// Most OTs one [`ExtendMsg`] may carry.
pub const MAX_OTS_PER_MESSAGE: u64 = 1 << 28;

const TAG: u8 = 0xC7;

/// The fixed-size start of an [`ExtendMsg`]; the chunk bodies follow it,
/// as long as the count implies.
#[derive(Encode, BorrowDecode)]
struct ExtendHeader {
    tag: u8,
    /// 0 semi-honest, 1 malicious.
    security: u8,
    count: u64,
}

/// Which receiver the extension protects against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// IKNP alone: secure against a semi-honest receiver.
    SemiHonest,
    /// IKNP with the KOS consistency check: a receiver that deviates is caught
    /// (except with the chance of guessing Delta bits) and the sender aborts.
    Malicious,
}

impl Security {
    /// Most OTs one checked chunk of an extension carries: an extension of
    /// at most this many OTs is one chunk, checked on its own, so a large
    /// refill sent as messages of this size lets the sender check and
    /// extend each while the next is being made.
    pub fn chunk_ots(self) -> usize {
        self.max_real_rows()
    }

    fn max_real_rows(self) -> usize {
        match self {
            Security::SemiHonest => CHUNK_ROWS,
            Security::Malicious => CHUNK_ROWS - 2 * KAPPA,
        }
    }

    fn rows(self, real: usize) -> usize {
        let want = match self {
            Security::SemiHonest => real,
            Security::Malicious => real + PAD,
        };
        want.div_ceil(KAPPA) * KAPPA
    }

    fn check_bytes(self) -> usize {
        match self {
            Security::SemiHonest => 0,
            Security::Malicious => 32,
        }
    }

    /// The chunks of an `n`-OT extension: `(real OTs, matrix rows)` each.
    fn chunks(self, n: usize) -> impl Iterator<Item = (usize, usize)> {
        let per = self.max_real_rows();
        (0..n.div_ceil(per)).map(move |c| {
            let real = per.min(n - c * per);
            (real, self.rows(real))
        })
    }

    fn body_len(self, n: usize) -> usize {
        self.chunks(n)
            .map(|(_, m)| 16 * m + self.check_bytes())
            .sum()
    }
}

/// The receiver's extension message: the IKNP matrix `U` column by column for
/// each chunk, followed in malicious mode by that chunk's check values.
#[derive(Clone, PartialEq, Eq)]
pub struct ExtendMsg {
    security: Security,
    count: u64,
    body: Vec<u8>,
}

impl ExtendMsg {
    /// An empty message, as a buffer for [`OtReceiver::extend_into`].
    pub fn new() -> ExtendMsg {
        ExtendMsg {
            security: Security::SemiHonest,
            count: 0,
            body: Vec::new(),
        }
    }

    /// Number of OTs the message extends.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Wire form: tag, security mode, u64 count, then the chunk bodies.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// [`encode`](Self::encode), appended to `out` (a buffer the caller
    /// reuses).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let (head, body) = self.encoded_parts();
        out.reserve(head.len() + body.len());
        out.extend_from_slice(&head);
        out.extend_from_slice(body);
    }

    /// The length of [`encode`](Self::encode)'s output.
    pub fn encoded_len(&self) -> usize {
        Self::HEADER_BYTES + self.body.len()
    }

    /// Parses a message; the count is bounded and the body length must be
    /// exactly what the count implies, so nothing is allocated beyond `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<ExtendMsg, OtError> {
        let mut msg = ExtendMsg::new();
        msg.decode_into(bytes)?;
        Ok(msg)
    }

    /// [`decode`](Self::decode) into `self`, reusing its buffer; on error
    /// `self` is left empty.
    pub fn decode_into(&mut self, bytes: &[u8]) -> Result<(), OtError> {
        self.count = 0;
        self.body.clear();
        let (head, rest) =
            bytes
                .split_first_chunk::<{ Self::HEADER_BYTES }>()
                .ok_or(OtError::Truncated {
                    what: "OT extension message",
                    needed: Self::HEADER_BYTES,
                    available: bytes.len(),
                })?;
        let (security, count, body_len) = Self::parse_header(head)?;
        if rest.len() != body_len {
            return Err(Self::length_mismatch());
        }
        self.body.extend_from_slice(rest);
        self.security = security;
        self.count = count;
        Ok(())
    }

    /// Bytes before the body: tag, security mode, u64 count.
    pub(crate) const HEADER_BYTES: usize = 10;

    /// Checks a header; returns the mode, the count and the body length the
    /// count implies.
    fn parse_header(head: &[u8; Self::HEADER_BYTES]) -> Result<(Security, u64, usize), OtError> {
        let header: ExtendHeader =
            wire::decode::<_, { Self::HEADER_BYTES }>(head, "OT extension message")?;
        if header.tag != TAG {
            return Err(OtError::Malformed {
                what: "OT extension message",
                reason: "wrong message tag",
            });
        }
        let security = match header.security {
            0 => Security::SemiHonest,
            1 => Security::Malicious,
            _ => {
                return Err(OtError::Malformed {
                    what: "OT extension message",
                    reason: "unknown security mode",
                })
            }
        };
        let count = header.count;
        if count > MAX_OTS_PER_MESSAGE {
            return Err(OtError::TooLarge {
                what: "OT extension count",
                len: count,
                max: MAX_OTS_PER_MESSAGE,
            });
        }
        Ok((security, count, security.body_len(count as usize)))
    }

    fn length_mismatch() -> OtError {
        OtError::Malformed {
            what: "OT extension message",
            reason: "body length does not match the OT count",
        }
    }

    /// Given a header already read and the `body_len` bytes that follow it in
    /// the frame, reads the body from `r` straight into `self`'s buffer; on
    /// error `self` is left empty.
    pub(crate) fn read_body<R: std::io::Read>(
        &mut self,
        head: &[u8; Self::HEADER_BYTES],
        body_len: usize,
        r: &mut R,
    ) -> Result<(), OtError> {
        self.count = 0;
        self.body.clear();
        let (security, count, expected) = Self::parse_header(head)?;
        if body_len != expected {
            return Err(Self::length_mismatch());
        }
        let mut limited = <&mut R as std::io::Read>::take(r, body_len as u64);
        std::io::Read::read_to_end(&mut limited, &mut self.body)?;
        if self.body.len() != body_len {
            let available = self.body.len();
            self.body.clear();
            return Err(OtError::Truncated {
                what: "OT extension message",
                needed: body_len,
                available,
            });
        }
        self.security = security;
        self.count = count;
        Ok(())
    }

    /// The encoding as two slices, header and body, for writing without a copy.
    pub(crate) fn encoded_parts(&self) -> ([u8; Self::HEADER_BYTES], &[u8]) {
        let header = ExtendHeader {
            tag: TAG,
            security: match self.security {
                Security::SemiHonest => 0,
                Security::Malicious => 1,
            },
            count: self.count,
        };
        let mut head = [0u8; Self::HEADER_BYTES];
        wire::encode_into(header, &mut head);
        (head, &self.body)
    }
}

impl Default for ExtendMsg {
    fn default() -> ExtendMsg {
        ExtendMsg::new()
    }
}

impl std::fmt::Debug for ExtendMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExtendMsg({:?}, {} OTs)", self.security, self.count)
    }
}

/// Position in the session's streams; both sides advance it identically.
#[derive(Clone, Copy, Debug)]
struct Cursor {
    /// Next PRG block of every column stream.
    prg_block: u64,
    /// Session-wide index of the next chunk (bound into its check challenge).
    chunk: u64,
    /// Session-wide index of the next OT (the hash tweak of random OTs).
    ot: u64,
}

/// The session id and the TCCR permutation of random and chosen-message OT,
/// both derived from the base-OT transcript.
///
/// Every AES key of the extension is already per session, so none needs a
/// key of its own the way the garbling hash does (`crypto::HalfGateHash`):
/// - this TCCR key is a hash of the transcript, which holds fresh points
///   from both parties, so two sessions never share a permutation and hashes
///   collected from many sessions do not add up against one (the
///   multi-instance attack of Guo-Katz-Wang-Weng-Yu, CRYPTO 2020);
/// - the column PRGs ([`AesCtr`]) are keyed with the secret base-OT keys,
///   fresh per session: AES there is a keyed PRF, not a public permutation;
/// - the check challenges are AES-CTR under a per-chunk seed hashed from the
///   session id, the chunk index and `U`.
fn session_keys(transcript: &[u8; 32]) -> ([u8; 32], FixedKeyAes) {
    let session = blake3::derive_key("ot 2024 extension session id", transcript);
    let mut key = [0u8; 16];
    key.copy_from_slice(&blake3::derive_key("ot 2024 TCCR key", transcript)[..16]);
    (session, FixedKeyAes::new(Block::from_bytes(key)))
}

/// Columns of `U` per update of the challenge hash: in a full chunk 32
/// columns are 64 KiB of whole blake3 chunks, so each update takes blake3's
/// widest SIMD path (measured: 32 KiB updates hash a third slower) while
/// those columns are still in cache.
const HASH_COLS: usize = 32;

/// Fiat-Shamir challenge hash of one chunk, before `U` is fed to it.
///
/// Why Fiat-Shamir is sound here: the KOS check is a public-coin test whose
/// challenge only has to be unpredictable once `U` is fixed. Hashing the whole
/// `U` (with the session id, chunk index and sizes) as a random oracle gives
/// exactly that; a receiver that grinds `U` to fish for a good challenge gets
/// at most its number of hash queries times the 2^-128-scale failure chance of
/// one challenge (Roy22 sec. 5 bounds it by the field size), which is
/// negligible, so no extra round trip is needed. The check values are sent
/// after the challenge is known, as in the interactive protocol.
///
/// The session id, chunk index and sizes go into the key of a keyed blake3
/// (itself derived with blake3's key derivation), so the oracle input is the
/// same as hashing them in front of `U`, while `U` itself starts on a blake3
/// chunk boundary and is hashed column group by column group as it is made
/// (the result does not depend on how `U` is split across updates).
fn challenge_hasher(session: &[u8; 32], chunk: u64, real: usize, rows: usize) -> blake3::Hasher {
    let mut context = [0u8; 56];
    context[..32].copy_from_slice(session);
    context[32..40].copy_from_slice(&chunk.to_le_bytes());
    context[40..48].copy_from_slice(&(real as u64).to_le_bytes());
    context[48..].copy_from_slice(&(rows as u64).to_le_bytes());
    let key = blake3::derive_key("ot 2024 KOS check challenge key", &context);
    blake3::Hasher::new_keyed(&key)
}

/// The challenge seed once all of `U` went into `h`.
fn challenge_seed(h: &blake3::Hasher) -> Block {
    let mut seed = [0u8; 16];
    seed.copy_from_slice(&h.finalize().as_bytes()[..16]);
    Block::from_bytes(seed)
}

/// Running sums of the check: `sum chi_j * row_j` (unreduced) and
/// `sum chi_j * r_j`, with `chi_j` block `j` of the AES-CTR stream of the
/// challenge seed. Fed one transposed tile of 128 rows at a time.
struct CheckSums {
    prg: AesCtr,
    chi: [Block; 128],
    wide: (u128, u128),
    x: Block,
}

impl CheckSums {
    fn new(seed: Block) -> CheckSums {
        CheckSums {
            prg: AesCtr::new(seed),
            chi: [Block::ZERO; 128],
            wide: (0, 0),
            x: Block::ZERO,
        }
    }

    /// Adds tile `k` (rows `128k..128k+128`); `bits` are those rows' choices.
    fn add_tile(&mut self, k: usize, rows: &[Block], bits: Option<&[u8]>) {
        self.prg.fill_blocks((128 * k) as u64, &mut self.chi);
        let ((h, l), x) = check_terms(&self.chi, rows, bits);
        self.wide.0 ^= h;
        self.wide.1 ^= l;
        self.x ^= x;
    }

    /// `(sum chi_j * row_j, sum chi_j * r_j)`, reduced.
    fn finish(&self) -> (Block, Block) {
        (gf128::reduce(self.wide), self.x)
    }
}

/// The garbler's side: holds Delta and one PRG per base OT, seeded with the
/// base-OT key that Delta's bit selected.
pub struct OtSender {
    security: Security,
    delta: Block,
    columns: Vec<AesCtr>,
    session: [u8; 32],
    pi: FixedKeyAes,
    cursor: Cursor,
    aborted: bool,
}

/// The evaluator's side: holds both base-OT keys of every column.
pub struct OtReceiver {
    security: Security,
    columns: Vec<[AesCtr; 2]>,
    session: [u8; 32],
    pi: FixedKeyAes,
    cursor: Cursor,
}

/// The evaluator between sending [`BaseOtHello`] and receiving [`BaseOtReply`].
pub struct ReceiverSetup {
    security: Security,
    base: BaseOtSender,
}

impl OtReceiver {
    /// Starts a session: the evaluator is the base-OT sender and speaks first.
    pub fn setup(security: Security) -> (ReceiverSetup, BaseOtHello) {
        OtReceiver::setup_with_context(security, [0; 32])
    }

    /// Like [`OtReceiver::setup`], the session bound to `context`: a value
    /// both sides hold and no third party shares, such as the TLS channel
    /// binding of their connection. Every base-OT key, and so every key and
    /// challenge of the extension, derives from it: a sender set up with
    /// another context ([`OtSender::setup_with_context`]) shares no OT with
    /// this receiver, and the first consistency check fails.
    pub fn setup_with_context(
        security: Security,
        context: [u8; 32],
    ) -> (ReceiverSetup, BaseOtHello) {
        let (base, hello) = BaseOtSender::with_context(context);
        (ReceiverSetup { security, base }, hello)
    }

    /// Correlated OTs for `choices`: the message for the sender and the label
    /// `t_j = q_j ^ choices[j] * Delta` of each choice.
    pub fn extend(&mut self, choices: &[bool]) -> Result<(ExtendMsg, Vec<Block>), OtError> {
        let mut msg = ExtendMsg::new();
        let mut labels = Vec::new();
        self.extend_into(choices, &mut msg, &mut labels)?;
        Ok((msg, labels))
    }

    /// [`extend`](Self::extend) into buffers the caller keeps: `msg` and
    /// `labels` are overwritten, and their memory is reused from call to call
    /// (fresh multi-megabyte buffers cost more in page faults than the OTs).
    pub fn extend_into(
        &mut self,
        choices: &[bool],
        msg: &mut ExtendMsg,
        labels: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        labels.clear();
        self.extend_append(choices, msg, labels)
    }

    /// [`extend_into`](Self::extend_into), appending the labels to `labels`.
    pub(crate) fn extend_append(
        &mut self,
        choices: &[bool],
        msg: &mut ExtendMsg,
        labels: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        let n = choices.len();
        if n as u64 > MAX_OTS_PER_MESSAGE {
            return Err(OtError::TooLarge {
                what: "OT extension count",
                len: n as u64,
                max: MAX_OTS_PER_MESSAGE,
            });
        }
        let sec = self.security;
        msg.security = sec;
        msg.count = n as u64;
        let body = &mut msg.body;
        body.clear();
        body.reserve(sec.body_len(n));
        labels.reserve(n + 2 * KAPPA);
        let widest = sec.chunks(n).map(|(_, m)| m).max().unwrap_or(0);
        let mut t_cols = vec![Block::ZERO; widest];
        let mut uc = vec![Block::ZERO; widest / KAPPA];
        let mut r = vec![0u8; widest / 8];
        let mut r_blocks = vec![Block::ZERO; widest / KAPPA];
        let mut done = 0;
        for (real, m) in sec.chunks(n) {
            let (rb, cb) = (m / 8, m / KAPPA);
            let r = &mut r[..rb];
            pack_choices(&choices[done..done + real], r, sec == Security::Malicious);
            let r_blocks = &mut r_blocks[..cb];
            for (b, c) in r_blocks.iter_mut().zip(r.chunks_exact(16)) {
                *b = Block::from_bytes(c.try_into().expect("16 bytes"));
            }
            let mut hasher = (sec == Security::Malicious)
                .then(|| challenge_hasher(&self.session, self.cursor.chunk, real, m));
            let off = body.len();
            let t_cols = &mut t_cols[..KAPPA * cb];
            let uc = &mut uc[..cb];
            for (i, [g0, g1]) in self.columns.iter().enumerate() {
                let tc = &mut t_cols[i * cb..(i + 1) * cb];
                g0.fill_blocks(self.cursor.prg_block, tc);
                g1.fill_blocks(self.cursor.prg_block, uc);
                for ((u, t), r) in uc.iter_mut().zip(tc.iter()).zip(r_blocks.iter()) {
                    *u ^= *t ^ *r;
                }
                body.extend_from_slice(&wire_bytes(uc));
                if let Some(h) = hasher.as_mut().filter(|_| (i + 1) % HASH_COLS == 0) {
                    h.update(&body[off + (i + 1 - HASH_COLS) * rb..]);
                }
            }
            let start = labels.len();
            let t_bytes = wire_bytes(t_cols);
            if let Some(h) = &hasher {
                let mut sums = CheckSums::new(challenge_seed(h));
                transpose_128_append_each(&t_bytes, rb, labels, |k, tile| {
                    sums.add_tile(k, tile, Some(&r[16 * k..16 * (k + 1)]))
                });
                let (t_sum, x_sum) = sums.finish();
                body.extend_from_slice(&t_sum.to_bytes());
                body.extend_from_slice(&x_sum.to_bytes());
            } else {
                transpose_128_append(&t_bytes, rb, labels);
            }
            labels[start + real..].iter_mut().for_each(Zeroize::zeroize);
            labels.truncate(start + real);
            self.cursor.prg_block += cb as u64;
            self.cursor.chunk += 1;
            done += real;
        }
        t_cols.zeroize();
        uc.zeroize();
        r.zeroize();
        r_blocks.zeroize();
        self.cursor.ot += n as u64;
        Ok(())
    }

    /// Random OTs: the message for the sender and, per choice, the key
    /// `H(t_j, j)` equal to the sender's key of the chosen message.
    pub fn receive_random(&mut self, choices: &[bool]) -> Result<(ExtendMsg, RandomOts), OtError> {
        let first = self.cursor.ot;
        let (msg, mut keys) = self.extend(choices)?;
        tccr(&self.pi, first, Block::ZERO, &mut keys);
        Ok((
            msg,
            RandomOts {
                keys,
                choices: choices.to_vec(),
            },
        ))
    }
}

/// Packs choices into bits; in malicious mode the bits past the real ones are
/// random, since those padding OTs mask the check values.
fn pack_choices(choices: &[bool], r: &mut [u8], random_padding: bool) {
    r.fill(0);
    for (byte, ch) in r.iter_mut().zip(choices.chunks(8)) {
        *byte = ch
            .iter()
            .enumerate()
            .fold(0u8, |b, (k, &c)| b | ((c as u8) << k));
    }
    if random_padding {
        let first = choices.len() / 8;
        let mut pad = vec![0u8; r.len() - first];
        getrandom::getrandom(&mut pad).expect("the operating system's random source failed");
        let keep = (1u8 << (choices.len() % 8)) - 1;
        r[first] = (r[first] & keep) | (pad[0] & !keep);
        r[first + 1..].copy_from_slice(&pad[1..]);
        pad.zeroize();
    }
}

impl ReceiverSetup {
    /// Completes the base OTs with the garbler's reply and returns the
    /// session's extension receiver.
    pub fn finish(self, reply: &BaseOtReply) -> Result<OtReceiver, OtError> {
        if reply.len() != KAPPA {
            return Err(OtError::CountMismatch {
                what: "base OT reply",
                expected: KAPPA as u64,
                got: reply.len() as u64,
            });
        }
        let (mut pairs, transcript) = self.base.finish_with_transcript(reply)?;
        let columns = pairs
            .iter()
            .map(|[k0, k1]| [AesCtr::new(*k0), AesCtr::new(*k1)])
            .collect();
        pairs.zeroize();
        let (session, pi) = session_keys(&transcript);
        Ok(OtReceiver {
            security: self.security,
            columns,
            session,
            pi,
            cursor: Cursor {
                prg_block: 0,
                chunk: 0,
                ot: 0,
            },
        })
    }
}

impl OtSender {
    /// Answers the evaluator's hello: runs the base OTs as receiver with
    /// Delta's bits as choices. Returns the session's extension sender and
    /// the reply to send back.
    pub fn setup(
        delta: Block,
        security: Security,
        hello: &BaseOtHello,
    ) -> Result<(OtSender, BaseOtReply), OtError> {
        OtSender::setup_with_context(delta, security, hello, [0; 32])
    }

    /// Like [`OtSender::setup`], the session bound to `context` (the
    /// receiver's [`OtReceiver::setup_with_context`]).
    pub fn setup_with_context(
        delta: Block,
        security: Security,
        hello: &BaseOtHello,
        context: [u8; 32],
    ) -> Result<(OtSender, BaseOtReply), OtError> {
        let mut bits: Vec<bool> = (0..KAPPA).map(|i| (delta.0 >> i) & 1 == 1).collect();
        let (mut keys, reply, transcript) =
            BaseOtReceiver::receive_with_transcript(hello, &bits, &context)?;
        bits.zeroize();
        let columns = keys.iter().map(|k| AesCtr::new(*k)).collect();
        keys.zeroize();
        let (session, pi) = session_keys(&transcript);
        let sender = OtSender {
            security,
            delta,
            columns,
            session,
            pi,
            cursor: Cursor {
                prg_block: 0,
                chunk: 0,
                ot: 0,
            },
            aborted: false,
        };
        Ok((sender, reply))
    }

    /// The correlation of every OT of the session.
    pub fn delta(&self) -> Block {
        self.delta
    }

    /// Correlated OTs: checks `msg` (in malicious mode, every chunk's
    /// consistency check) and only then returns the `n` zero-labels `q_j`; the
    /// receiver holds `q_j ^ r_j * Delta`. A failed check aborts the session.
    pub fn extend(&mut self, n: usize, msg: &ExtendMsg) -> Result<Vec<Block>, OtError> {
        let mut out = Vec::new();
        self.extend_into(n, msg, &mut out)?;
        Ok(out)
    }

    /// [`extend`](Self::extend) into a buffer the caller keeps: `out` is
    /// overwritten with the zero-labels (left empty on error), and its memory
    /// is reused from call to call.
    pub fn extend_into(
        &mut self,
        n: usize,
        msg: &ExtendMsg,
        out: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        out.iter_mut().for_each(Zeroize::zeroize);
        out.clear();
        self.extend_append(n, msg, out)
    }

    /// [`extend_into`](Self::extend_into), appending the zero-labels to `out`;
    /// on error `out` is back to its length before the call.
    pub(crate) fn extend_append(
        &mut self,
        n: usize,
        msg: &ExtendMsg,
        out: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        let base = out.len();
        if self.aborted {
            return Err(OtError::Aborted);
        }
        if msg.security != self.security {
            return Err(OtError::SecurityMismatch);
        }
        if msg.count != n as u64 {
            return Err(OtError::CountMismatch {
                what: "OT extension",
                expected: n as u64,
                got: msg.count,
            });
        }
        let sec = self.security;
        out.reserve(n + 2 * KAPPA);
        let widest = sec.chunks(n).map(|(_, m)| m).max().unwrap_or(0);
        let mut q_cols = vec![Block::ZERO; widest];
        let mut off = 0;
        for (real, m) in sec.chunks(n) {
            let (rb, cb) = (m / 8, m / KAPPA);
            let u = &msg.body[off..off + KAPPA * rb];
            let q_cols = &mut q_cols[..KAPPA * cb];
            let mut hasher = (sec == Security::Malicious)
                .then(|| challenge_hasher(&self.session, self.cursor.chunk, real, m));
            for (i, g) in self.columns.iter().enumerate() {
                let qc = &mut q_cols[i * cb..(i + 1) * cb];
                g.fill_blocks(self.cursor.prg_block, qc);
                // q^i = G(k_{s_i}) ^ s_i * u^i, without branching on Delta.
                let mask = ((self.delta.0 >> i) & 1).wrapping_neg();
                for (q, x) in qc.iter_mut().zip(u[i * rb..(i + 1) * rb].chunks_exact(16)) {
                    q.0 ^= u128::from_le_bytes(x.try_into().expect("16 bytes")) & mask;
                }
                if let Some(h) = hasher.as_mut().filter(|_| (i + 1) % HASH_COLS == 0) {
                    h.update(&u[(i + 1 - HASH_COLS) * rb..(i + 1) * rb]);
                }
            }
            let start = out.len();
            let q_bytes = wire_bytes(q_cols);
            off += KAPPA * rb;
            if let Some(h) = &hasher {
                let mut sums = CheckSums::new(challenge_seed(h));
                transpose_128_append_each(&q_bytes, rb, out, |k, tile| {
                    sums.add_tile(k, tile, None)
                });
                let (q_sum, _) = sums.finish();
                let t_sum =
                    Block::from_bytes(msg.body[off..off + 16].try_into().expect("16 bytes"));
                let x_sum =
                    Block::from_bytes(msg.body[off + 16..off + 32].try_into().expect("16 bytes"));
                off += 32;
                // Constant time: how far a cheating receiver's check values
                // are from the right ones depends on Delta.
                let expected = t_sum ^ gf128::mul(x_sum, self.delta);
                let pass: bool = q_sum.to_bytes().ct_eq(&expected.to_bytes()).into();
                if !pass {
                    self.aborted = true;
                    drop(q_bytes);
                    q_cols.iter_mut().for_each(Zeroize::zeroize);
                    out[base..].iter_mut().for_each(Zeroize::zeroize);
                    out.truncate(base);
                    return Err(OtError::ConsistencyCheckFailed {
                        chunk: self.cursor.chunk,
                    });
                }
            } else {
                transpose_128_append(&q_bytes, rb, out);
            }
            out[start + real..].iter_mut().for_each(Zeroize::zeroize);
            out.truncate(start + real);
            self.cursor.prg_block += (m / KAPPA) as u64;
            self.cursor.chunk += 1;
        }
        q_cols.zeroize();
        self.cursor.ot += n as u64;
        Ok(())
    }

    /// Random OTs: checks `msg` and returns, per OT, the key pair
    /// `[H(q_j, j), H(q_j ^ Delta, j)]`.
    pub fn send_random(&mut self, n: usize, msg: &ExtendMsg) -> Result<Vec<[Block; 2]>, OtError> {
        let first = self.cursor.ot;
        let q = self.extend(n, msg)?;
        let mut k0 = q.clone();
        let mut k1 = q;
        tccr(&self.pi, first, Block::ZERO, &mut k0);
        tccr(&self.pi, first, self.delta, &mut k1);
        let pairs = k0.iter().zip(&k1).map(|(a, b)| [*a, *b]).collect();
        k0.zeroize();
        k1.zeroize();
        Ok(pairs)
    }

    /// Chosen-message OT: encrypts `messages[j][b]` under random-OT key `b`
    /// of OT `j`; the receiver learns exactly `messages[j][choice_j]`.
    pub fn send_chosen(
        &mut self,
        msg: &ExtendMsg,
        messages: &[[Block; 2]],
    ) -> Result<ChosenMsg, OtError> {
        let mut keys = self.send_random(messages.len(), msg)?;
        let cts = keys
            .iter()
            .zip(messages)
            .map(|(k, m)| [k[0] ^ m[0], k[1] ^ m[1]])
            .collect();
        keys.zeroize();
        Ok(ChosenMsg { cts })
    }
}

/// The receiver's half of a batch of random OTs.
pub struct RandomOts {
    keys: Vec<Block>,
    choices: Vec<bool>,
}

impl RandomOts {
    /// The key of each chosen message, in choice order.
    pub fn keys(&self) -> &[Block] {
        &self.keys
    }

    /// Decrypts the chosen messages of a [`ChosenMsg`] built on these OTs.
    pub fn decrypt(&self, msg: &ChosenMsg) -> Result<Vec<Block>, OtError> {
        if msg.cts.len() != self.keys.len() {
            return Err(OtError::CountMismatch {
                what: "chosen-message OT",
                expected: self.keys.len() as u64,
                got: msg.cts.len() as u64,
            });
        }
        Ok(msg
            .cts
            .iter()
            .zip(&self.keys)
            .zip(&self.choices)
            .map(|((ct, k), &c)| ct[c as usize] ^ *k)
            .collect())
    }
}

/// Sender to receiver in chosen-message OT: both messages of each OT, each
/// masked by its random-OT key.
#[derive(Clone, PartialEq, Eq)]
pub struct ChosenMsg {
    cts: Vec<[Block; 2]>,
}

/// [`ChosenMsg`] on the wire: the ciphertexts as one byte string.
#[derive(Encode, BorrowDecode)]
struct ChosenWire<'a> {
    ciphertexts: &'a [u8],
}

/// Most bytes a [`ChosenMsg`] may announce: [`MAX_OTS_PER_MESSAGE`] pairs
/// and their length (borrowed from the input, not allocated).
const CHOSEN_LIMIT: usize = (32 * MAX_OTS_PER_MESSAGE + 8) as usize;

impl ChosenMsg {
    /// Wire form: the ciphertexts' u64 byte length, then 32 bytes per OT.
    pub fn encode(&self) -> Vec<u8> {
        let mut ciphertexts = Vec::with_capacity(32 * self.cts.len());
        for [a, b] in &self.cts {
            ciphertexts.extend_from_slice(&a.to_bytes());
            ciphertexts.extend_from_slice(&b.to_bytes());
        }
        wire::encode(ChosenWire {
            ciphertexts: &ciphertexts,
        })
    }

    /// Parses a message whose bytes must be whole pairs of ciphertexts,
    /// at most [`MAX_OTS_PER_MESSAGE`] of them.
    pub fn decode(bytes: &[u8]) -> Result<ChosenMsg, OtError> {
        let msg: ChosenWire = wire::decode::<_, CHOSEN_LIMIT>(bytes, "chosen-message OT")?;
        if !msg.ciphertexts.len().is_multiple_of(32) {
            return Err(OtError::Malformed {
                what: "chosen-message OT",
                reason: "the ciphertexts are not whole pairs of blocks",
            });
        }
        let block = |b: &[u8]| Block::from_bytes(b.try_into().unwrap_or([0; 16]));
        let cts = msg
            .ciphertexts
            .chunks_exact(32)
            .map(|pair| [block(&pair[..16]), block(&pair[16..])])
            .collect();
        Ok(ChosenMsg { cts })
    }
}

impl std::fmt::Debug for ChosenMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChosenMsg({} OTs)", self.cts.len())
    }
}

impl std::fmt::Debug for RandomOts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RandomOts({} OTs, <redacted>)", self.keys.len())
    }
}

impl std::fmt::Debug for OtSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtSender")
            .field("security", &self.security)
            .field("ots_done", &self.cursor.ot)
            .field("aborted", &self.aborted)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for OtReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtReceiver")
            .field("security", &self.security)
            .field("ots_done", &self.cursor.ot)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ReceiverSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReceiverSetup({:?})", self.security)
    }
}

impl Drop for OtSender {
    fn drop(&mut self) {
        self.delta.zeroize();
    }
}

impl Drop for RandomOts {
    fn drop(&mut self) {
        self.keys.zeroize();
        self.choices.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_of(session: [u8; 32], chunk: u64, real: usize, rows: usize, u: &[&[u8]]) -> Block {
        let mut h = challenge_hasher(&session, chunk, real, rows);
        for piece in u {
            h.update(piece);
        }
        challenge_seed(&h)
    }

    #[test]
    fn challenge_binds_every_input_and_ignores_how_u_is_split() {
        let u: Vec<u8> = (0..3 * 65536 + 48)
            .map(|i| (i * 7 + i / 251) as u8)
            .collect();
        let whole = seed_of([1; 32], 4, 100, 384, &[&u]);
        let (a, rest) = u.split_at(65536);
        let (b, c) = rest.split_at(1000);
        assert_eq!(seed_of([1; 32], 4, 100, 384, &[a, b, c]), whole);
        assert_ne!(seed_of([2; 32], 4, 100, 384, &[&u]), whole);
        assert_ne!(seed_of([1; 32], 5, 100, 384, &[&u]), whole);
        assert_ne!(seed_of([1; 32], 4, 101, 384, &[&u]), whole);
        assert_ne!(seed_of([1; 32], 4, 100, 512, &[&u]), whole);
        let mut flipped = u.clone();
        flipped[3 * 65536 + 47] ^= 1;
        assert_ne!(seed_of([1; 32], 4, 100, 384, &[&flipped]), whole);
    }

    #[test]
    fn tile_by_tile_check_sums_match_the_field_inner_product() {
        let rows: Vec<Block> = (0..384u128)
            .map(|i| Block(i.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)))
            .collect();
        let bits: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(37)).collect();
        let mut sums = CheckSums::new(Block(77));
        for (k, tile) in rows.chunks(128).enumerate() {
            sums.add_tile(k, tile, Some(&bits[16 * k..16 * (k + 1)]));
        }
        let mut chi = vec![Block::ZERO; rows.len()];
        AesCtr::new(Block(77)).fill_blocks(0, &mut chi);
        let x = chi.iter().enumerate().fold(Block::ZERO, |x, (j, c)| {
            x ^ c.select((bits[j / 8] >> (j % 8)) & 1 == 1)
        });
        assert_eq!(sums.finish(), (gf128::inner_product(&chi, &rows), x));
    }
}
