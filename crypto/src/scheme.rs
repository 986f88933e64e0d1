//! Which garbling scheme a session runs.

use crate::{threehalves, TABLE_BYTES};

/// A garbling scheme for AND gates; both have free XOR and share the
/// session's hash ([`crate::HalfGateHash`]), Delta and tweak counter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Half-gates (Zahur-Rosulek-Evans, EUROCRYPT 2015): 32 bytes and two
    /// hash tweaks per AND gate; the garbler hashes four times, the
    /// evaluator twice.
    #[default]
    HalfGates,
    /// Three-halves (Rosulek-Roy, CRYPTO 2021; see [`crate::threehalves`]):
    /// 24 bytes and 5 bits, and three hash tweaks, per AND gate; the
    /// garbler hashes six times, the evaluator three times.
    ThreeHalves,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 2] = [Scheme::HalfGates, Scheme::ThreeHalves];

    /// The scheme's name on command lines and in messages: `half-gates` or
    /// `three-halves`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::HalfGates => "half-gates",
            Scheme::ThreeHalves => "three-halves",
        }
    }

    /// The scheme named `name` ([`Scheme::name`]), if any.
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The scheme's code on the wire (in the handshake).
    pub fn code(self) -> u8 {
        match self {
            Scheme::HalfGates => 0,
            Scheme::ThreeHalves => 1,
        }
    }

    /// The scheme of a wire code, if any.
    pub fn from_code(code: u8) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Hash tweaks one AND gate takes.
    pub fn tweaks_per_gate(self) -> u64 {
        match self {
            Scheme::HalfGates => 2,
            Scheme::ThreeHalves => threehalves::TWEAKS_PER_GATE,
        }
    }

    /// Bytes on the wire of a run of `n` garbled AND gates sent together.
    pub fn wire_bytes(self, n: usize) -> usize {
        match self {
            Scheme::HalfGates => n * TABLE_BYTES,
            Scheme::ThreeHalves => threehalves::wire_bytes(n),
        }
    }

    /// The number of AND gates `len` wire bytes hold, if a whole number.
    pub fn gates_in(self, len: usize) -> Option<usize> {
        match self {
            Scheme::HalfGates => len.is_multiple_of(TABLE_BYTES).then_some(len / TABLE_BYTES),
            Scheme::ThreeHalves => threehalves::gates_in(len),
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Scheme {
    type Err = String;

    fn from_str(s: &str) -> Result<Scheme, String> {
        Scheme::from_name(s).ok_or_else(|| {
            format!("unknown garbling scheme {s:?} (expected half-gates or three-halves)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        for s in Scheme::ALL {
            assert_eq!(Scheme::from_name(s.name()), Some(s));
            assert_eq!(s.name().parse::<Scheme>(), Ok(s));
            assert_eq!(Scheme::from_code(s.code()), Some(s));
            for n in [0usize, 1, 7, 8, 2048] {
                assert_eq!(s.gates_in(s.wire_bytes(n)), Some(n));
            }
        }
        assert_eq!(Scheme::default(), Scheme::HalfGates);
        assert!("fancy".parse::<Scheme>().is_err());
        assert_eq!(Scheme::from_code(9), None);
    }

    #[test]
    fn three_halves_is_under_25_bytes_per_and() {
        let n = 1 << 20;
        let per_and = Scheme::ThreeHalves.wire_bytes(n) as f64 / n as f64;
        assert!(per_and <= 25.0, "{per_and}");
        assert_eq!(Scheme::HalfGates.wire_bytes(n), 32 * n);
    }
}
