//! The evaluator's session with a garbler, in either security mode.
//!
//! [`SessionConfig::security`] chooses: semi-honest (the garbler garbles
//! ahead of requests, a computation costs one round trip; see the `garbler`
//! crate's `service` module for the protocol) or dual execution (each side
//! garbles once and evaluates the other's, and an equality test on the
//! output labels must pass before a result is returned; see the `dualex`
//! crate). The garbler must run the same mode, or the session ends at the
//! handshake naming both. Every method below works in both modes.
//!
//! ```no_run
//! use circuits::bristol;
//! use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
//! use transport::TlsConfig;
//! let circuit = bristol::read_file("aes_128.txt".as_ref(), 1)?;
//! // Prepare once (schedule and digest), connect as often as needed.
//! let prepared = Prepared::new(circuit)?;
//! let tls = TlsConfig::load(
//!     "certs/evaluator.pem".as_ref(),
//!     "certs/evaluator.key".as_ref(),
//!     "certs/ca.pem".as_ref(),
//! )?;
//! let security = ClientSecurity::Tls(tls.connector()?);
//! let config = SessionConfig {
//!     // Against a garbler that may cheat (it must serve this mode too).
//!     security: protocol::Security::DualExecution,
//!     ..SessionConfig::default()
//! };
//! let mut session = Session::connect("garbler.example:7000", &security, &prepared, config)?;
//! for key in ["0", "1"] {
//!     let lines = session.evaluate_values(&[key.to_string()])?;
//!     println!("{}", lines.join("\n"));
//! }
//! session.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::remote::SemiHonest;
use crate::{ClientSecurity, EvalError, SessionConfig};
use circuits::{typed, value, Circuit, Party};
use crypto::Scheme;
use protocol::{Prepared, ProtocolError, Security, SessionStats, Window, MAX_CONTEXT};
use std::io::{Read, Write};
use transport::Link;

/// A session with a garbler: the handshake and base OTs are done once, in
/// [`Session::connect`]; each [`Session::evaluate`] is one computation.
pub struct Session<S: Read + Write = Link> {
    mode: Mode<S>,
    prepared: Prepared,
    /// Indices of the output bits the evaluator learns, in one copy.
    eval_wires: Vec<usize>,
}

enum Mode<S: Read + Write> {
    SemiHonest(Box<SemiHonest<S>>),
    Dual(Box<dualex::Session<S>>),
}

impl Session<Link> {
    /// Connects to a garbler at `addr` (`HOST:PORT`, each address it
    /// resolves to tried within the timeout), secures the connection as
    /// `security` says (with TLS: the garbler's certificate checked against
    /// the CA and HOST, ours presented, the garbler's admission awaited),
    /// agrees on the circuit and the security mode and runs the base OTs,
    /// bound to the connection's TLS channel binding.
    pub fn connect(
        addr: &str,
        security: &ClientSecurity,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<Session<Link>, EvalError> {
        check_config(&config)?;
        let mode = match config.security {
            Security::SemiHonest => Mode::SemiHonest(Box::new(SemiHonest::connect(
                addr, security, prepared, config,
            )?)),
            Security::DualExecution => Mode::Dual(Box::new(dualex::Session::connect(
                addr,
                security,
                prepared,
                dual_config(&config),
            )?)),
        };
        Ok(Session::with_mode(mode, prepared))
    }

    /// The garbler's verified identity (`None` in plaintext).
    pub fn peer_identity(&self) -> Option<&transport::PeerIdentity> {
        match &self.mode {
            Mode::SemiHonest(s) => s.peer_identity(),
            Mode::Dual(d) => d.peer_identity(),
        }
    }
}

/// The dual-execution settings of `config`.
fn dual_config(config: &SessionConfig) -> dualex::Config {
    dualex::Config {
        limits: config.limits,
        transcript: config.transcript,
        ..dualex::Config::default()
    }
}

/// A configuration this side can run: dual execution garbles half-gates.
fn check_config(config: &SessionConfig) -> Result<(), EvalError> {
    if config.security == Security::DualExecution && config.scheme != Scheme::HalfGates {
        return Err(EvalError::Config(format!(
            "dual execution runs half-gates, not {}",
            config.scheme.name()
        )));
    }
    Ok(())
}

impl<S: Read + Write> Session<S> {
    /// A session over an already connected stream (any `Read + Write`),
    /// bound to no channel binding.
    pub fn over(
        stream: S,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<Session<S>, EvalError> {
        Session::over_bound(stream, None, prepared, config)
    }

    /// A session over an already connected stream whose channel binding
    /// (for instance [`transport::TlsLink::channel_binding`]) is `binding`;
    /// the garbler's side must run with the same one.
    pub fn over_bound(
        stream: S,
        binding: Option<[u8; 32]>,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<Session<S>, EvalError> {
        check_config(&config)?;
        let mode = match config.security {
            Security::SemiHonest => Mode::SemiHonest(Box::new(SemiHonest::over_bound(
                stream, binding, prepared, config,
            )?)),
            Security::DualExecution => Mode::Dual(Box::new(dualex::Session::over(
                stream,
                binding,
                prepared,
                dual_config(&config),
            )?)),
        };
        Ok(Session::with_mode(mode, prepared))
    }

    fn with_mode(mode: Mode<S>, prepared: &Prepared) -> Session<S> {
        Session {
            mode,
            prepared: prepared.clone(),
            eval_wires: prepared.circuit.output_bits_of(Party::Evaluator),
        }
    }

    /// The session's security mode.
    pub fn security(&self) -> Security {
        match self.mode {
            Mode::SemiHonest(_) => Security::SemiHonest,
            Mode::Dual(_) => Security::DualExecution,
        }
    }

    /// Most bytes of tables garbled ahead this session has held at once;
    /// never more than the agreed window's bytes (0 under dual execution,
    /// which garbles on request).
    pub fn ahead_high_water(&self) -> usize {
        match &self.mode {
            Mode::SemiHonest(s) => s.ahead_high_water(),
            Mode::Dual(_) => 0,
        }
    }

    /// The window of garbling ahead agreed with the garbler: computations
    /// and bytes of their tables ([`Window::OFF`] under dual execution).
    pub fn ahead_window(&self) -> Window {
        match &self.mode {
            Mode::SemiHonest(s) => s.ahead_window(),
            Mode::Dual(_) => Window::OFF,
        }
    }

    /// The circuit of this session.
    pub fn circuit(&self) -> &Circuit {
        &self.prepared.circuit
    }

    /// Runs one computation with the evaluator's input bits (its inputs'
    /// bits in wire order); returns the output bits the evaluator learns:
    /// those of the outputs revealed to it or to both, in order
    /// ([`Circuit::output_bits_of`]; every output bit for Bristol circuits
    /// and untagged outputs). Outputs revealed to the garbler alone are not
    /// decodable here: the garbler sends no decoding bits for them. Under
    /// dual execution the bits are returned only once the equality test has
    /// passed. Format the bits with [`circuits::value::format_learned`].
    /// After an error the session is closed and every later call fails. The
    /// computation's context is empty (see
    /// [`Session::evaluate_with_context`]).
    pub fn evaluate(&mut self, bits: &[bool]) -> Result<Vec<bool>, EvalError> {
        self.evaluate_with_context(&[], bits)
    }

    /// Like [`Session::evaluate`], for a computation whose public context
    /// is `context` (an auction id, say; at most [`protocol::MAX_CONTEXT`]
    /// bytes): it goes to the garbler with the request, which its input
    /// source is given to choose the garbler's inputs, and into the
    /// transcript. It is not secret: anyone on the path could read it
    /// without TLS. A longer context is refused before anything is sent
    /// (the session stays open).
    pub fn evaluate_with_context(
        &mut self,
        context: &[u8],
        bits: &[bool],
    ) -> Result<Vec<bool>, EvalError> {
        let mut out = self.evaluate_batch_with_contexts(&[bits], &[context])?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Runs several computations: in semi-honest mode in one flight (one OT
    /// extension and one request for all of them, then the garbled circuits
    /// stream back in order: about one round trip for the whole batch
    /// instead of one per computation); under dual execution one after
    /// another, each with its own equality test, and none returned unless
    /// all passed. Returns each computation's output bits, as
    /// [`Session::evaluate`] does. Each computation's context is empty.
    pub fn evaluate_batch<B: AsRef<[bool]>>(
        &mut self,
        batch: &[B],
    ) -> Result<Vec<Vec<bool>>, EvalError> {
        let none: Vec<&[u8]> = vec![&[]; batch.len()];
        self.evaluate_batch_with_contexts(batch, &none)
    }

    /// Like [`Session::evaluate_batch`], with one public context per
    /// computation (see [`Session::evaluate_with_context`]), in the same
    /// order: the garbler's input source sees them in that order.
    pub fn evaluate_batch_with_contexts<B: AsRef<[bool]>, C: AsRef<[u8]>>(
        &mut self,
        batch: &[B],
        contexts: &[C],
    ) -> Result<Vec<Vec<bool>>, EvalError> {
        if self.is_closed() {
            return Err(EvalError::SessionClosed);
        }
        if contexts.len() != batch.len() {
            return Err(EvalError::Contexts {
                computations: batch.len(),
                contexts: contexts.len(),
            });
        }
        let want = self.prepared.circuit.party_input_bits(Party::Evaluator);
        for bits in batch {
            if bits.as_ref().len() != want {
                return Err(EvalError::EvaluatorInputs {
                    expected: want,
                    got: bits.as_ref().len(),
                });
            }
        }
        for c in contexts {
            if c.as_ref().len() > MAX_CONTEXT {
                return Err(ProtocolError::ContextTooLong {
                    len: c.as_ref().len(),
                }
                .into());
            }
        }
        match &mut self.mode {
            Mode::SemiHonest(s) => s.evaluate_batch_with_contexts(batch, contexts),
            Mode::Dual(d) => batch
                .iter()
                .zip(contexts)
                .map(|(bits, c)| {
                    d.evaluate_with_context(bits.as_ref(), c.as_ref())
                        .map_err(EvalError::from)
                })
                .collect(),
        }
    }

    /// Like [`Session::evaluate`], with the evaluator's values as literals of
    /// the language (one per evaluator parameter); returns the outputs the
    /// evaluator learns as literals, one per output value.
    pub fn evaluate_values(&mut self, values: &[String]) -> Result<Vec<String>, EvalError> {
        let bits = value::parse_inputs(&self.prepared.circuit, Some(Party::Evaluator), values)?;
        let out = self.evaluate(&bits)?;
        Ok(value::format_learned_parts(
            &self.prepared.circuit,
            Party::Evaluator,
            &out,
        ))
    }

    /// Makes every later computation send the garbler output labels with a
    /// bit flipped, as a cheating evaluator would: for tests of the
    /// garbler's output check, which must refuse them (semi-honest mode;
    /// dual execution sends no output labels back).
    #[cfg(feature = "fault-injection")]
    pub fn corrupt_output_labels(&mut self, on: bool) {
        if let Mode::SemiHonest(s) = &mut self.mode {
            s.corrupt_output_labels(on);
        }
    }

    /// Like [`Session::evaluate`], with the evaluator's inputs and what it
    /// learns of the outputs as Rust data (see [`circuits::typed`]):
    /// `inputs` is a struct with one field per evaluator parameter (by
    /// name), a tuple of them in order, or the value itself when there is
    /// one; the result `O` is the one output part revealed to the evaluator,
    /// or a tuple of several. A value that does not match a declared type is
    /// an [`EvalError::Circuit`] naming the parameter or output (never the
    /// value), and the session stays open.
    ///
    /// ```no_run
    /// use circuits::typed::BigInt;
    /// use evaluator::{ClientSecurity, Prepared, Session, SessionConfig};
    /// // fn main(garbler a: u256, evaluator b: u256) -> (u256, bool, u13)
    /// let circuit = compiler::compile_file("examples/wide.mpc".as_ref())
    ///     .map_err(|e| format!("{e:?}"))?;
    /// let prepared = Prepared::new(circuit)?;
    /// let tls = transport::TlsConfig::load(
    ///     "evaluator.pem".as_ref(),
    ///     "evaluator.key".as_ref(),
    ///     "ca.pem".as_ref(),
    /// )?;
    /// let security = ClientSecurity::Tls(tls.connector()?);
    /// let mut session =
    ///     Session::connect("garbler.example:7000", &security, &prepared, SessionConfig::default())?;
    /// let b: BigInt = "0x1_0000_0000_0000_0000_0000_0000_0000_0000".parse()?;
    /// let (sum, big, low) = session.evaluate_typed::<(BigInt, bool, u16)>(&b)?;
    /// println!("{sum} {big} {low}");
    /// // A derived `#[derive(Deserialize)] enum Sale { NoSale, Sold { winner: u8, price: u32 } }`
    /// // reads the result of examples/vickrey_reserve.mpc the same way.
    /// session.close()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_typed<O: typed::DeserializeOwned>(
        &mut self,
        inputs: &(impl typed::Serialize + ?Sized),
    ) -> Result<O, EvalError> {
        self.evaluate_typed_with_context(&[], inputs)
    }

    /// [`Session::evaluate_typed`] for a computation with a public context
    /// (see [`Session::evaluate_with_context`]).
    pub fn evaluate_typed_with_context<O: typed::DeserializeOwned>(
        &mut self,
        context: &[u8],
        inputs: &(impl typed::Serialize + ?Sized),
    ) -> Result<O, EvalError> {
        let bits = self.encode(inputs)?;
        let learned = self.evaluate_with_context(context, &bits)?;
        self.decode(&learned)
    }

    /// [`Session::evaluate_typed`] for a batch (see
    /// [`Session::evaluate_batch_with_contexts`]): one input value and one
    /// context per computation, the results in the same order.
    pub fn evaluate_typed_batch<O: typed::DeserializeOwned, C: AsRef<[u8]>>(
        &mut self,
        inputs: &[impl typed::Serialize],
        contexts: &[C],
    ) -> Result<Vec<O>, EvalError> {
        let bits = inputs
            .iter()
            .map(|i| self.encode(i))
            .collect::<Result<Vec<_>, _>>()?;
        let learned = self.evaluate_batch_with_contexts(&bits, contexts)?;
        learned.iter().map(|l| self.decode(l)).collect()
    }

    /// The evaluator's input bits of a typed value.
    fn encode(&self, inputs: &(impl typed::Serialize + ?Sized)) -> Result<Vec<bool>, EvalError> {
        crate::remote::encode_typed(&self.prepared.circuit, inputs)
    }

    /// What the evaluator learns, from the bits [`Session::evaluate`]
    /// returns, as Rust data.
    fn decode<O: typed::DeserializeOwned>(&self, learned: &[bool]) -> Result<O, EvalError> {
        crate::remote::decode_typed(&self.prepared.circuit, &self.eval_wires, learned)
    }

    /// Whether an earlier error closed the session (every later call fails).
    pub fn is_closed(&self) -> bool {
        match &self.mode {
            Mode::SemiHonest(s) => s.is_closed(),
            Mode::Dual(d) => d.is_closed(),
        }
    }

    /// Statistics so far (traffic, rounds, time per phase, transcript).
    pub fn stats(&self) -> SessionStats {
        match &self.mode {
            Mode::SemiHonest(s) => s.stats(),
            Mode::Dual(d) => d.stats(),
        }
    }

    /// Ends the session politely; returns the final statistics.
    pub fn close(self) -> Result<SessionStats, EvalError> {
        match self.mode {
            Mode::SemiHonest(s) => s.close(),
            Mode::Dual(d) => Ok(d.close()?),
        }
    }
}
