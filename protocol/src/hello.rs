//! The handshake: both sides state the protocol version and what circuit
//! they run; any difference ends the session with a message saying what differs.

use crate::{wire, Phase, ProtocolError, Security};
use bincode::{BorrowDecode, Encode};
use circuits::{Circuit, Party};
use crypto::{HashKey, Scheme};

/// Version of the wire protocol; bumped on every incompatible change
/// (5: the hello names the garbling scheme, each computation has a public
/// context, the garbler garbles ahead; 6: the hello names the security
/// mode).
pub const PROTOCOL_VERSION: u32 = 6;

/// What a side knows of its circuit, enough to say how two circuits differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// blake3 digest of the circuit and its typed layout ([`Circuit::digest`]).
    pub digest: [u8; 32],
    /// Gate count.
    pub gates: u64,
    /// AND gate count.
    pub and_gates: u64,
    /// Input values: owner and width in bits.
    pub inputs: Vec<(Party, u32)>,
    /// Output values: width in bits.
    pub outputs: Vec<u32>,
}

impl Summary {
    /// The summary of `c`.
    pub fn of(c: &Circuit) -> Summary {
        Summary {
            digest: c.digest(),
            gates: c.gates.len() as u64,
            and_gates: c.and_count() as u64,
            inputs: c
                .inputs
                .iter()
                .map(|i| (i.party, i.ty.width() as u32))
                .collect(),
            outputs: c.outputs.iter().map(|o| o.ty.width() as u32).collect(),
        }
    }

    fn describe_inputs(&self) -> String {
        let v: Vec<String> = self
            .inputs
            .iter()
            .map(|(p, w)| format!("{p} {w}"))
            .collect();
        format!("[{}]", v.join(", "))
    }

    /// `None` if equal, else what differs, `self` being ours and `peer` theirs.
    pub fn difference(&self, peer: &Summary) -> Option<String> {
        if self.inputs != peer.inputs {
            return Some(format!(
                "the input layouts differ: ours is {} bits, the peer's is {} bits",
                self.describe_inputs(),
                peer.describe_inputs()
            ));
        }
        if self.outputs != peer.outputs {
            return Some(format!(
                "the output layouts differ: ours is {:?} bits, the peer's is {:?} bits",
                self.outputs, peer.outputs
            ));
        }
        if (self.gates, self.and_gates) != (peer.gates, peer.and_gates) {
            return Some(format!(
                "the circuits differ: ours has {} gates ({} AND), the peer's has {} gates ({} AND)",
                self.gates, self.and_gates, peer.gates, peer.and_gates
            ));
        }
        if self.digest != peer.digest {
            return Some(
                "the circuits differ: same size and layout, but different gates, wiring or names (digests differ)"
                    .to_string(),
            );
        }
        None
    }
}

/// The first message of each side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the sender.
    pub version: u32,
    /// The sender's role.
    pub role: Party,
    /// The sender's circuit.
    pub circuit: Summary,
    /// [`binding_tag`] of the sender's channel binding: `None` when its
    /// link has none (plaintext).
    pub binding: Option<[u8; 32]>,
    /// The garbling scheme the sender runs; both sides must run the same.
    pub scheme: Scheme,
    /// The security mode the sender runs; both sides must run the same.
    pub security: Security,
}

/// What a hello carries of a channel binding: a hash of it, so that the two
/// sides can compare bindings without sending the exporter value itself.
pub fn binding_tag(binding: &[u8; 32]) -> [u8; 32] {
    blake3::derive_key("mpcc hello channel binding v1", binding)
}

/// The context the session's OTs are bound to (`ot`'s `setup_with_context`):
/// derived from the channel binding, all zeros without one.
pub fn ot_context(binding: Option<&[u8; 32]>) -> [u8; 32] {
    match binding {
        Some(b) => blake3::derive_key("mpcc OT context v1", b),
        None => [0; 32],
    }
}

/// Decodes a [`crate::Kind::HashKey`] payload: the garbler's public hash
/// key for the session, exactly [`HashKey::BYTES`] bytes.
pub fn decode_hash_key(payload: &[u8]) -> Result<HashKey, ProtocolError> {
    let key: [u8; HashKey::BYTES] = payload.try_into().map_err(|_| ProtocolError::Malformed {
        phase: Phase::Handshake,
        msg: format!(
            "a hash key of {} bytes, expected {}",
            payload.len(),
            HashKey::BYTES
        ),
    })?;
    Ok(HashKey::from_bytes(key))
}

/// The message both sides give when the channel bindings differ.
const RELAY: &str = "channel binding mismatch (a relay between two TLS connections?)";

/// Most input or output values a hello may list.
const MAX_VALUES: usize = 1 << 16;

/// Most bytes a decoded hello may take: its lists at their longest.
const HELLO_LIMIT: usize = 1 << 20;

/// What every hello starts with, in a layout that no version changes, so
/// that a peer of another version is told which version it met.
#[derive(Encode, BorrowDecode)]
struct Preamble {
    magic: [u8; 4],
    version: u32,
}

/// The rest of a hello.
#[derive(Encode, BorrowDecode)]
struct Body {
    role: Party,
    digest: [u8; 32],
    gates: u64,
    and_gates: u64,
    inputs: Vec<(Party, u32)>,
    outputs: Vec<u32>,
    binding: Option<[u8; 32]>,
    scheme: u8,
    security: u8,
}

impl Hello {
    /// Checks the peer's hello against our channel binding: both absent, or
    /// both present and equal. Two TLS connections joined by a relay have
    /// different bindings; a TLS connection relayed to a plaintext one has
    /// a binding on one side only.
    pub fn check_binding(&self, ours: Option<&[u8; 32]>) -> Result<(), ProtocolError> {
        let ours = ours.map(binding_tag);
        match (ours, self.binding) {
            (None, None) => Ok(()),
            (Some(a), Some(b)) if a == b => Ok(()),
            (Some(_), Some(_)) => Err(ProtocolError::Mismatch(RELAY.into())),
            (Some(_), None) => Err(ProtocolError::Mismatch(format!(
                "{RELAY}: this side runs TLS, the peer's session has no TLS"
            ))),
            (None, Some(_)) => Err(ProtocolError::Mismatch(format!(
                "{RELAY}: the peer's session runs TLS, this side has no TLS"
            ))),
        }
    }

    /// Checks the peer's garbling scheme against ours: a difference is a
    /// mismatch naming both.
    pub fn check_scheme(&self, ours: Scheme) -> Result<(), ProtocolError> {
        if self.scheme == ours {
            return Ok(());
        }
        Err(ProtocolError::Mismatch(format!(
            "garbling schemes differ: this side runs {ours}, the peer runs {} (use the same --scheme on both sides)",
            self.scheme
        )))
    }

    /// Checks the peer's security mode against ours: a difference is a
    /// mismatch naming both.
    pub fn check_security(&self, ours: Security) -> Result<(), ProtocolError> {
        if self.security == ours {
            return Ok(());
        }
        Err(ProtocolError::Mismatch(format!(
            "security modes differ: this side runs {ours}, the peer runs {} (use the same --security on both sides)",
            self.security
        )))
    }

    /// Encodes the message payload.
    pub fn encode(&self) -> Vec<u8> {
        let s = &self.circuit;
        let preamble = Preamble {
            magic: *b"MPCC",
            version: self.version,
        };
        let body = Body {
            role: self.role,
            digest: s.digest,
            gates: s.gates,
            and_gates: s.and_gates,
            inputs: s.inputs.clone(),
            outputs: s.outputs.clone(),
            binding: self.binding,
            scheme: self.scheme.code(),
            security: self.security.code(),
        };
        wire::encode((preamble, body))
    }

    /// Decodes a payload: the version first, then the rest within a size limit.
    pub fn decode(payload: &[u8]) -> Result<Hello, ProtocolError> {
        let phase = Phase::Handshake;
        let (preamble, used) =
            wire::decode_prefix::<Preamble, HELLO_LIMIT>(payload, phase, "hello")?;
        if preamble.magic != *b"MPCC" {
            return Err(ProtocolError::Mismatch(
                "the peer does not speak this protocol".into(),
            ));
        }
        let version = preamble.version;
        if version != PROTOCOL_VERSION {
            return Err(ProtocolError::Mismatch(format!(
                "protocol version {version} from the peer, this side speaks {PROTOCOL_VERSION}"
            )));
        }
        let body: Body = wire::decode::<_, HELLO_LIMIT>(&payload[used..], phase, "hello")?;
        for (n, what) in [(body.inputs.len(), "input"), (body.outputs.len(), "output")] {
            if n > MAX_VALUES {
                return Err(ProtocolError::Malformed {
                    phase,
                    msg: format!("hello: {n} {what} values (at most {MAX_VALUES})"),
                });
            }
        }
        let scheme = Scheme::from_code(body.scheme).ok_or_else(|| {
            ProtocolError::Mismatch(format!(
                "the peer runs a garbling scheme this side does not know (code {})",
                body.scheme
            ))
        })?;
        let security = Security::from_code(body.security).ok_or_else(|| {
            ProtocolError::Mismatch(format!(
                "the peer runs a security mode this side does not know (code {})",
                body.security
            ))
        })?;
        Ok(Hello {
            scheme,
            security,
            version,
            role: body.role,
            circuit: Summary {
                digest: body.digest,
                gates: body.gates,
                and_gates: body.and_gates,
                inputs: body.inputs,
                outputs: body.outputs,
            },
            binding: body.binding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Hello {
        Hello {
            version: PROTOCOL_VERSION,
            role: Party::Evaluator,
            circuit: Summary {
                digest: [3; 32],
                gates: 10,
                and_gates: 4,
                inputs: vec![(Party::Garbler, 8), (Party::Evaluator, 8)],
                outputs: vec![1],
            },
            binding: Some(binding_tag(&[5; 32])),
            scheme: Scheme::ThreeHalves,
            security: Security::SemiHonest,
        }
    }

    #[test]
    fn security_modes_must_agree() {
        let h = sample();
        assert!(h.check_security(Security::SemiHonest).is_ok());
        let e = h
            .check_security(Security::DualExecution)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("this side runs dual-execution, the peer runs semi-honest (use the same --security on both sides)"),
            "{e}"
        );
        for security in Security::ALL {
            let h = Hello {
                security,
                ..sample()
            };
            assert_eq!(Hello::decode(&h.encode()).unwrap(), h);
        }
        let mut bytes = sample().encode();
        *bytes.last_mut().unwrap() = 9;
        let e = Hello::decode(&bytes).unwrap_err().to_string();
        assert!(
            e.contains("security mode this side does not know (code 9)"),
            "{e}"
        );
    }

    #[test]
    fn schemes_must_agree() {
        let h = sample();
        assert!(h.check_scheme(Scheme::ThreeHalves).is_ok());
        let e = h.check_scheme(Scheme::HalfGates).unwrap_err().to_string();
        assert!(
            e.contains("this side runs half-gates, the peer runs three-halves"),
            "{e}"
        );
        for scheme in Scheme::ALL {
            let h = Hello { scheme, ..sample() };
            assert_eq!(Hello::decode(&h.encode()).unwrap(), h);
        }
        let mut bytes = sample().encode();
        let at = bytes.len() - 2;
        bytes[at] = 9;
        let e = Hello::decode(&bytes).unwrap_err().to_string();
        assert!(
            e.contains("garbling scheme this side does not know (code 9)"),
            "{e}"
        );
    }

    #[test]
    fn bindings_must_agree() {
        let h = sample();
        assert!(h.check_binding(Some(&[5; 32])).is_ok());
        let e = h.check_binding(Some(&[6; 32])).unwrap_err().to_string();
        assert!(
            e.contains("channel binding mismatch (a relay between two TLS connections?)"),
            "{e}"
        );
        let e = h.check_binding(None).unwrap_err().to_string();
        assert!(e.contains("the peer's session runs TLS"), "{e}");
        let plain = Hello {
            binding: None,
            ..sample()
        };
        assert!(plain.check_binding(None).is_ok());
        assert!(plain.check_binding(Some(&[5; 32])).is_err());
        assert_eq!(Hello::decode(&plain.encode()).unwrap(), plain);
        assert_ne!(ot_context(Some(&[5; 32])), ot_context(Some(&[6; 32])));
    }

    #[test]
    fn round_trip_and_differences() {
        let h = sample();
        assert_eq!(Hello::decode(&h.encode()).unwrap(), h);
        let mut other = h.circuit.clone();
        other.inputs[1].1 = 16;
        assert!(h
            .circuit
            .difference(&other)
            .unwrap()
            .contains("input layouts differ"));
        let mut other = h.circuit.clone();
        other.and_gates = 5;
        assert!(h.circuit.difference(&other).unwrap().contains("5 AND"));
        assert_eq!(h.circuit.difference(&h.circuit), None);
        let mut v2 = h.encode();
        v2[4] = 7;
        assert!(
            matches!(Hello::decode(&v2), Err(ProtocolError::Mismatch(m)) if m.contains("version 7"))
        );
    }

    #[test]
    fn older_peers_and_huge_lists_are_refused() {
        // The preamble of every version: magic, then the version as 4 bytes.
        let mut old = b"MPCC".to_vec();
        old.extend_from_slice(&2u32.to_le_bytes());
        old.extend_from_slice(&[0; 60]);
        assert!(
            matches!(Hello::decode(&old), Err(ProtocolError::Mismatch(m)) if m.contains("version 2 from the peer"))
        );
        // A hello that announces 2^40 inputs.
        let claim = (
            Preamble {
                magic: *b"MPCC",
                version: PROTOCOL_VERSION,
            },
            (Party::Evaluator, [0u8; 32], 1u64, 1u64, 1u64 << 40),
        );
        let e = Hello::decode(&wire::encode(claim)).unwrap_err().to_string();
        assert!(e.contains("announces more than"), "{e}");
        let mut many = sample();
        many.circuit.outputs = vec![1; MAX_VALUES + 1];
        let e = Hello::decode(&many.encode()).unwrap_err().to_string();
        assert!(e.contains("65537 output values"), "{e}");
    }

    proptest! {
        #[test]
        fn decoding_mutated_hellos_never_panics(pos in 0usize..120, byte in any::<u8>(), cut in 0usize..120) {
            let mut b = sample().encode();
            let p = pos % b.len();
            b[p] = byte;
            b.truncate(cut.max(1).min(b.len()));
            let _ = Hello::decode(&b);
        }

        #[test]
        fn decoding_random_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Hello::decode(&b);
        }
    }
}
