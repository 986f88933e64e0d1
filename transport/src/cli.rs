//! The TLS options of the garbler and evaluator binaries, to flatten into
//! their command lines (`#[command(flatten)]`), and the security they ask
//! for.

use crate::{ClientSecurity, ServerSecurity, TlsConfig, TransportError};
use std::path::PathBuf;

/// Options both sides share.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TlsArgs {
    /// This side's certificate chain, PEM (see `mpcc certs`).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// This side's private key, PEM.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// The CA certificate(s), PEM, that the peer's certificate must chain to.
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// No TLS: no encryption and no authentication, for local experiments
    /// only.
    #[arg(long)]
    pub insecure_plaintext: bool,
}

/// The garbler's options: [`TlsArgs`] and who may connect.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ServerTlsArgs {
    /// Certificates and keys.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Admit only evaluators with these identities (their certificates'
    /// common names), repeated or comma-separated; default: any with a
    /// certificate from the CA. One value per flag, so that it cannot
    /// swallow the positional arguments after it.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub allow: Vec<String>,
}

/// The evaluator's options: [`TlsArgs`] and the garbler's expected name.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ClientTlsArgs {
    /// Certificates and keys.
    #[command(flatten)]
    pub tls: TlsArgs,
    /// The name the garbler's certificate must hold (default: the host of
    /// the address connected to).
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
}

impl TlsArgs {
    /// The loaded TLS material, or `None` for `--insecure-plaintext`; an
    /// error when the options are incomplete or contradictory.
    pub fn load(&self) -> Result<Option<TlsConfig>, TransportError> {
        let files = [
            ("--tls-cert", &self.tls_cert),
            ("--tls-key", &self.tls_key),
            ("--tls-ca", &self.tls_ca),
        ];
        let given: Vec<&str> = files
            .iter()
            .filter(|(_, f)| f.is_some())
            .map(|(n, _)| *n)
            .collect();
        if self.insecure_plaintext {
            return match given.is_empty() {
                true => Ok(None),
                false => Err(TransportError::Config(format!(
                    "--insecure-plaintext cannot go with {}",
                    given.join(", ")
                ))),
            };
        }
        match (&self.tls_cert, &self.tls_key, &self.tls_ca) {
            (Some(cert), Some(key), Some(ca)) => TlsConfig::load(cert, key, ca).map(Some),
            _ if given.is_empty() => Err(TransportError::Config(
                "give --tls-cert, --tls-key and --tls-ca (`mpcc certs DIR` makes development \
                 ones), or --insecure-plaintext for a local experiment without TLS"
                    .into(),
            )),
            _ => {
                let missing: Vec<&str> = files
                    .iter()
                    .filter(|(_, f)| f.is_none())
                    .map(|(n, _)| *n)
                    .collect();
                Err(TransportError::Config(format!(
                    "{} missing: TLS needs --tls-cert, --tls-key and --tls-ca",
                    missing.join(" and ")
                )))
            }
        }
    }
}

impl ServerTlsArgs {
    /// How the garbler secures its connections.
    pub fn security(&self) -> Result<ServerSecurity, TransportError> {
        match self.tls.load()? {
            Some(config) => Ok(ServerSecurity::Tls(
                config.acceptor()?.allow(self.allow.clone()),
            )),
            None if !self.allow.is_empty() => Err(TransportError::Config(
                "--allow needs TLS: without it no peer has an identity".into(),
            )),
            None => Ok(ServerSecurity::InsecurePlaintext),
        }
    }
}

impl ClientTlsArgs {
    /// How the evaluator secures its connection.
    pub fn security(&self) -> Result<ClientSecurity, TransportError> {
        match self.tls.load()? {
            Some(config) => {
                let connector = config.connector()?;
                Ok(ClientSecurity::Tls(match &self.tls_server_name {
                    Some(name) => connector.server_name(name.clone())?,
                    None => connector,
                }))
            }
            None if self.tls_server_name.is_some() => {
                Err(TransportError::Config("--tls-server-name needs TLS".into()))
            }
            None => Ok(ClientSecurity::InsecurePlaintext),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Garbler {
        #[command(flatten)]
        tls: ServerTlsArgs,
    }

    #[derive(Parser)]
    struct Evaluator {
        #[command(flatten)]
        tls: ClientTlsArgs,
    }

    fn server(args: &[&str]) -> Result<ServerSecurity, String> {
        let parsed =
            Garbler::try_parse_from(std::iter::once("garbler").chain(args.iter().copied()))
                .map_err(|e| e.to_string())?;
        parsed.tls.security().map_err(|e| e.to_string())
    }

    fn client(args: &[&str]) -> Result<ClientSecurity, String> {
        let parsed =
            Evaluator::try_parse_from(std::iter::once("evaluator").chain(args.iter().copied()))
                .map_err(|e| e.to_string())?;
        parsed.tls.security().map_err(|e| e.to_string())
    }

    #[test]
    fn options_must_choose_tls_or_plaintext() {
        assert!(matches!(
            server(&["--insecure-plaintext"]),
            Ok(ServerSecurity::InsecurePlaintext)
        ));
        assert!(matches!(
            client(&["--insecure-plaintext"]),
            Ok(ClientSecurity::InsecurePlaintext)
        ));
        let e = server(&[]).err().unwrap();
        assert!(
            e.starts_with("TLS configuration: give --tls-cert, --tls-key and --tls-ca"),
            "{e}"
        );
        let e = client(&["--tls-cert", "a.pem"]).err().unwrap();
        assert_eq!(
            e,
            "TLS configuration: --tls-key and --tls-ca missing: TLS needs --tls-cert, \
             --tls-key and --tls-ca"
        );
        let e = server(&["--insecure-plaintext", "--tls-ca", "ca.pem"])
            .err()
            .unwrap();
        assert_eq!(
            e,
            "TLS configuration: --insecure-plaintext cannot go with --tls-ca"
        );
        let e = server(&["--insecure-plaintext", "--allow", "alice"])
            .err()
            .unwrap();
        assert!(e.contains("--allow needs TLS"), "{e}");
        let e = client(&["--insecure-plaintext", "--tls-server-name", "g"])
            .err()
            .unwrap();
        assert!(e.contains("--tls-server-name needs TLS"), "{e}");
    }

    #[test]
    fn tls_options_load_their_files() {
        let dir = std::env::temp_dir().join(format!("transport-cli-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files = crate::certs::write_dev_certificates(&dir, &Default::default()).unwrap();
        let s = |p: &PathBuf| p.to_str().unwrap().to_string();
        let garbler = server(&[
            "--tls-cert",
            &s(&files.garbler_cert),
            "--tls-key",
            &s(&files.garbler_key),
            "--tls-ca",
            &s(&files.ca_cert),
            "--allow",
            "alice,bob",
            "--allow",
            "carol",
        ])
        .unwrap();
        match garbler {
            ServerSecurity::Tls(a) => assert_eq!(a.allowed(), ["alice", "bob", "carol"]),
            ServerSecurity::InsecurePlaintext => panic!("TLS expected"),
        }
        let evaluator = client(&[
            "--tls-cert",
            &s(&files.evaluator_cert),
            "--tls-key",
            &s(&files.evaluator_key),
            "--tls-ca",
            &s(&files.ca_cert),
            "--tls-server-name",
            "garbler.example",
        ])
        .unwrap();
        match evaluator {
            ClientSecurity::Tls(c) => assert_eq!(c.name_for("10.0.0.1"), "garbler.example"),
            ClientSecurity::InsecurePlaintext => panic!("TLS expected"),
        }
        let e = client(&[
            "--tls-cert",
            &s(&files.evaluator_cert),
            "--tls-key",
            &s(&dir.join("nope.key")),
            "--tls-ca",
            &s(&files.ca_cert),
        ])
        .err()
        .unwrap();
        assert!(e.contains("nope.key: cannot open"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
