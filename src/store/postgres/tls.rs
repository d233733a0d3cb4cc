//! TLS to the server, as libpq's `sslmode` asks (`target::Tls`), with rustls: `require` and
//! `prefer` encrypt without checking who answers (libpq's own meaning of them); `verify-ca`
//! and `verify-full` check the server's certificate against `PGSSLROOTCERT` (else
//! `~/.postgresql/root.crt`, else the system's roots) and its name.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::store::{DriverError, DriverKind, StoreError};

fn refused(detail: String) -> StoreError {
    StoreError::Database(DriverError {
        kind: DriverKind::Unreachable,
        detail,
    })
}

// ring, though rustls now leans to aws-lc-rs for post-quantum key exchange: that would bring
// a large C build to every machine that builds kartlegg.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

fn builder() -> Result<rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier>, StoreError> {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| refused(format!("TLS: {e}")))
}

/// Encrypts, and takes whatever certificate the server shows.
pub fn unchecked() -> Result<MakeRustlsConnect, StoreError> {
    let config = builder()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Unchecked(provider())))
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Encrypts, and only to a server whose certificate the roots vouch for, under its name.
pub fn verified(env: &dyn Fn(&str) -> Option<String>) -> Result<MakeRustlsConnect, StoreError> {
    let mut roots = RootCertStore::empty();
    let file = env("PGSSLROOTCERT").map(PathBuf::from).or_else(|| {
        let own = PathBuf::from(env("HOME")?).join(".postgresql/root.crt");
        own.is_file().then_some(own)
    });
    match file {
        Some(file) => {
            let certificates = CertificateDer::pem_file_iter(&file)
                .map_err(|e| refused(format!("{}: {e}", file.display())))?;
            for certificate in certificates {
                let certificate =
                    certificate.map_err(|e| refused(format!("{}: {e}", file.display())))?;
                roots
                    .add(certificate)
                    .map_err(|e| refused(format!("{}: {e}", file.display())))?;
            }
        }
        None => {
            for certificate in rustls_native_certs::load_native_certs().certs {
                // A root the system has that rustls cannot read is no root for this.
                let _ = roots.add(certificate);
            }
        }
    }
    if roots.is_empty() {
        return Err(refused(
            "sslmode verify-full, but no root certificate to check the server's with \
             (PGSSLROOTCERT)"
                .into(),
        ));
    }
    let config = builder()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    // The handshake's signatures are still checked: the key is the certificate's.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
