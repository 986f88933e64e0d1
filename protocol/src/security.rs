//! The security a session runs at, agreed in the handshake.

/// What a session protects against. Both sides state theirs in the hello;
/// a difference ends the session at the handshake, naming both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Security {
    /// One garbling, the garbler's: private against a malicious evaluator,
    /// correct and private only if the garbler follows the protocol.
    #[default]
    SemiHonest,
    /// Dual execution (Mohassel-Franklin 2006, Huang-Katz-Evans 2012): each
    /// side garbles once and evaluates the other's garbling, and a secure
    /// equality test on the output labels must pass before either side
    /// releases an output. A cheating side learns at most one bit, and is
    /// caught whenever its deviation changes a result.
    DualExecution,
}

impl Security {
    /// Every mode, in code order.
    pub const ALL: [Security; 2] = [Security::SemiHonest, Security::DualExecution];

    /// The name on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Security::SemiHonest => "semi-honest",
            Security::DualExecution => "dual-execution",
        }
    }

    /// The mode's code on the wire (in the hello).
    pub fn code(self) -> u8 {
        match self {
            Security::SemiHonest => 0,
            Security::DualExecution => 1,
        }
    }

    /// The mode of a wire code, if any.
    pub fn from_code(code: u8) -> Option<Security> {
        Security::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl std::fmt::Display for Security {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Security {
    type Err = String;

    fn from_str(s: &str) -> Result<Security, String> {
        Security::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                format!("unknown security mode {s:?} (expected semi-honest or dual-execution)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        for s in Security::ALL {
            assert_eq!(s.name().parse::<Security>(), Ok(s));
            assert_eq!(Security::from_code(s.code()), Some(s));
        }
        assert_eq!(Security::from_code(7), None);
        let e = "malicious".parse::<Security>().unwrap_err();
        assert!(e.contains("unknown security mode \"malicious\""), "{e}");
    }
}
