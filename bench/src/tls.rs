//! A throw-away certificate authority and a `localhost` server certificate made
//! with `openssl`, so that moto can serve HTTPS and every SDK call pays a TLS
//! handshake as it does in AWS (LOCAL-AWS.md, "Measuring at Lambda's size").

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// The system's CA bundle (Debian's), to which the local CA is appended so that a
/// child parses a realistic root store.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The extensions of the server certificate: rustls wants a SAN and serverAuth.
const SERVER_EXTENSIONS: &str = "subjectAltName=DNS:localhost,IP:127.0.0.1\n\
basicConstraints=critical,CA:FALSE\n\
keyUsage=critical,digitalSignature,keyEncipherment\n\
extendedKeyUsage=serverAuth\n";

/// The files of a local CA and its `localhost` certificate; removed on drop.
pub struct LocalCa {
    dir: tempfile::TempDir,
}

impl LocalCa {
    /// Makes a CA (RSA 2048, valid two days) and a `localhost` certificate it signs.
    pub fn create() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("dragons-bench-tls-")
            .tempdir()?;
        let ca = Self { dir };
        std::fs::write(ca.path("server.ext"), SERVER_EXTENSIONS)?;
        openssl(
            ca.dir.path(),
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=dragons bench CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        )?;
        openssl(
            ca.dir.path(),
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        )?;
        openssl(
            ca.dir.path(),
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                "server.pem",
                "-extfile",
                "server.ext",
            ],
        )?;
        let mut bundle = std::fs::read(SYSTEM_BUNDLE).unwrap_or_default();
        bundle.push(b'\n');
        bundle.extend(std::fs::read(ca.path("ca.pem"))?);
        std::fs::write(ca.bundle(), bundle)?;
        Ok(ca)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The CA's certificate (PEM), for a client's trust store.
    pub fn ca_pem(&self) -> anyhow::Result<Vec<u8>> {
        Ok(std::fs::read(self.path("ca.pem"))?)
    }

    /// The server's certificate (PEM).
    pub fn cert(&self) -> PathBuf {
        self.path("server.pem")
    }

    /// The server's private key (PEM).
    pub fn key(&self) -> PathBuf {
        self.path("server.key")
    }

    /// The system bundle plus the CA: the value of a child's `SSL_CERT_FILE`.
    pub fn bundle(&self) -> PathBuf {
        self.path("bundle.pem")
    }
}

/// Runs `openssl ARGS` in `dir`, failing with its output when it fails.
fn openssl(dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("running openssl (needed to serve moto over TLS)")?;
    if !output.status.success() {
        bail!(
            "openssl {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
