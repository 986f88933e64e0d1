//! The handshake: both sides state the protocol version and what circuit
//! they run; any difference ends the session with a message saying what differs.

use crate::{Phase, ProtocolError, Reader};
use circuits::{Circuit, Party};

/// Version of the wire protocol; bumped on every incompatible change.
pub const PROTOCOL_VERSION: u32 = 3;

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
}

const MAX_VALUES: usize = 1 << 16;

impl Hello {
    /// Encodes the message payload.
    pub fn encode(&self) -> Vec<u8> {
        let s = &self.circuit;
        let mut b = Vec::with_capacity(64 + 5 * s.inputs.len() + 4 * s.outputs.len());
        b.extend_from_slice(b"MPCC");
        b.extend_from_slice(&self.version.to_le_bytes());
        b.push(matches!(self.role, Party::Evaluator) as u8);
        b.extend_from_slice(&s.digest);
        b.extend_from_slice(&s.gates.to_le_bytes());
        b.extend_from_slice(&s.and_gates.to_le_bytes());
        b.extend_from_slice(&(s.inputs.len() as u32).to_le_bytes());
        for (p, w) in &s.inputs {
            b.push(matches!(p, Party::Evaluator) as u8);
            b.extend_from_slice(&w.to_le_bytes());
        }
        b.extend_from_slice(&(s.outputs.len() as u32).to_le_bytes());
        for w in &s.outputs {
            b.extend_from_slice(&w.to_le_bytes());
        }
        b
    }

    /// Decodes a payload, checking every length against the bytes present.
    pub fn decode(payload: &[u8]) -> Result<Hello, ProtocolError> {
        let mut r = Reader::new(payload, Phase::Handshake);
        if r.bytes(4, "magic")? != b"MPCC" {
            return Err(ProtocolError::Mismatch(
                "the peer does not speak this protocol".into(),
            ));
        }
        let version = r.u32("version")?;
        if version != PROTOCOL_VERSION {
            return Err(ProtocolError::Mismatch(format!(
                "protocol version {version} from the peer, this side speaks {PROTOCOL_VERSION}"
            )));
        }
        let party = |b: u8, r: &Reader| match b {
            0 => Ok(Party::Garbler),
            1 => Ok(Party::Evaluator),
            _ => Err(r.error(format!("party byte {b}"))),
        };
        let role_byte = r.bytes(1, "role")?[0];
        let role = party(role_byte, &r)?;
        let mut digest = [0u8; 32];
        digest.copy_from_slice(r.bytes(32, "digest")?);
        let gates = r.u64("gate count")?;
        let and_gates = r.u64("AND count")?;
        let n = r.count(5, "inputs")?;
        if n > MAX_VALUES {
            return Err(r.error(format!("{n} input values")));
        }
        let mut inputs = Vec::with_capacity(n);
        for _ in 0..n {
            let pb = r.bytes(1, "input party")?[0];
            let p = party(pb, &r)?;
            inputs.push((p, r.u32("input width")?));
        }
        let n = r.count(4, "outputs")?;
        if n > MAX_VALUES {
            return Err(r.error(format!("{n} output values")));
        }
        let mut outputs = Vec::with_capacity(n);
        for _ in 0..n {
            outputs.push(r.u32("output width")?);
        }
        r.finish("hello")?;
        Ok(Hello {
            version,
            role,
            circuit: Summary {
                digest,
                gates,
                and_gates,
                inputs,
                outputs,
            },
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
        }
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
