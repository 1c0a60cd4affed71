//! A second look at a certificate that failed verification: one handshake that records what the
//! server sends (the leaf and how many intermediates) without trusting it, so an incomplete chain
//! can be told from a private CA and the certificate's subject and issuer can be named. It sends
//! nothing after the handshake, and is used only to explain a failure already seen.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// What the server presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainInfo {
    pub intermediates: usize,
    pub subject: String,
    pub issuer: String,
    pub self_signed: bool,
}

impl ChainInfo {
    /// The server sent only its own certificate, and that certificate is not a root.
    pub fn incomplete(&self) -> bool {
        self.intermediates == 0 && !self.self_signed
    }
}

#[derive(Debug)]
struct Recorder {
    seen: Mutex<Option<(Vec<u8>, usize)>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut s) = self.seen.lock() {
            *s = Some((end_entity.to_vec(), intermediates.len()));
        }
        // Stop here: this handshake only looks, it never carries data.
        Err(rustls::Error::General("inspection only".into()))
    }

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
            &self.provider.signature_verification_algorithms,
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
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Connects to `host:port`, records the presented chain, and gives up after `timeout`.
pub fn inspect(host: &str, port: u16, timeout: Duration) -> Option<ChainInfo> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(Recorder {
        seen: Mutex::new(None),
        provider: provider.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string()).ok()?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
    let addr = (host, port).to_socket_addrs().ok()?.next()?;
    let mut sock = TcpStream::connect_timeout(&addr, timeout).ok()?;
    sock.set_read_timeout(Some(timeout)).ok()?;
    sock.set_write_timeout(Some(timeout)).ok()?;
    // The handshake ends in the recorder's refusal; what matters is what it saw.
    while conn.is_handshaking() {
        if conn.complete_io(&mut sock).is_err() {
            break;
        }
    }
    let _ = sock.flush();
    let _ = sock.read(&mut [0u8; 0]);
    let (der, intermediates) = recorder.seen.lock().ok()?.clone()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    Some(ChainInfo {
        intermediates,
        self_signed: subject == issuer,
        subject,
        issuer,
    })
}
