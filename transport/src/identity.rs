//! Who the peer is, read from its verified certificate.

use crate::TransportError;
use rustls::pki_types::CertificateDer;
use x509_parser::extensions::GeneralName;

/// Longest identity accepted (names label logs, statistics and errors, and
/// are compared against `--allow` and budgets); longer ones are refused.
const MAX_IDENTITY: usize = 128;

/// The identity of a peer: the name in its end-entity certificate, which
/// has been verified to chain to our CA before this is read.
///
/// The name is the certificate's subject common name, or when it has none
/// its first DNS subjectAltName. The common name comes first because a
/// garbler's DNS names say where it runs (`localhost`, a host name), while
/// its common name says who it is (`garbler`, an organisation); the
/// development certificates of [`crate::certs`] carry the identity as the
/// common name. A name of more than 128 characters, or with any character
/// other than printable ASCII, is refused, so every name is safe in a log
/// line and no two certificates' names can be made to look alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerIdentity {
    name: String,
}

impl PeerIdentity {
    /// Reads the identity from a DER certificate.
    pub fn from_certificate(cert: &CertificateDer<'_>) -> Result<PeerIdentity, TransportError> {
        let (_, parsed) = x509_parser::parse_x509_certificate(cert.as_ref()).map_err(|e| {
            TransportError::BadCertificate(format!("cannot parse the certificate: {e}"))
        })?;
        let common_name = parsed
            .subject()
            .iter_common_name()
            .find_map(|cn| cn.as_str().ok().filter(|s| !s.is_empty()));
        let dns_name = || {
            parsed
                .subject_alternative_name()
                .ok()
                .flatten()
                .and_then(|san| {
                    san.value.general_names.iter().find_map(|n| match n {
                        GeneralName::DNSName(d) if !d.is_empty() => Some(*d),
                        _ => None,
                    })
                })
        };
        let name = common_name
            .or_else(dns_name)
            .ok_or(TransportError::NoIdentity)?;
        // The name decides `--allow` and budgets, so it must be exactly the
        // certificate's: a name that would have to be cut or escaped (and so
        // could collide with another) is refused, not rewritten.
        if name.len() > MAX_IDENTITY || !name.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
            return Err(TransportError::BadCertificate(format!(
                "its name {:?} is longer than {MAX_IDENTITY} characters or not printable ASCII",
                printable(name)
            )));
        }
        Ok(PeerIdentity {
            name: name.to_string(),
        })
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the name is one of `allowed` (ASCII case is ignored, as in
    /// DNS names).
    pub fn is_one_of<S: AsRef<str>>(&self, allowed: &[S]) -> bool {
        allowed
            .iter()
            .any(|a| a.as_ref().eq_ignore_ascii_case(&self.name))
    }
}

impl std::fmt::Display for PeerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// Printable ASCII as it is, anything else escaped; at most
/// [`MAX_IDENTITY`] characters.
pub(crate) fn printable(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            out.extend(c.escape_default());
        }
        if out.len() >= MAX_IDENTITY {
            out.truncate(MAX_IDENTITY);
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_printable_and_bounded() {
        assert_eq!(printable("evaluator-1"), "evaluator-1");
        assert_eq!(printable("a\nb\u{7}"), "a\\nb\\u{7}");
        assert_eq!(printable(&"x".repeat(500)).len(), MAX_IDENTITY);
    }

    #[test]
    fn allow_list_ignores_ascii_case() {
        let id = PeerIdentity {
            name: "Evaluator".into(),
        };
        assert!(id.is_one_of(&["alice", "evaluator"]));
        assert!(!id.is_one_of(&["alice"]));
        assert!(!id.is_one_of::<&str>(&[]));
    }
}
