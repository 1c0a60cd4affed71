//! Per-start certificates (root → intermediate → leaf) and the acceptors that count TCP connections
//! and completed TLS handshakes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_server::accept::Accept;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::scenario::TlsMode;
use crate::running::Stats;

/// What the server presents, and the root a client should trust.
pub(crate) struct ServerCerts {
    pub root_pem: String,
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

fn other(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::other(e)
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "halo-connect sandbox");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p
}

/// Generates a fresh root, intermediate and leaf for the mode (ECDSA P-256: a few ms).
pub(crate) fn generate(mode: TlsMode) -> io::Result<ServerCerts> {
    let root = CertifiedIssuer::self_signed(
        ca_params("halo-connect sandbox root CA"),
        KeyPair::generate().map_err(other)?,
    )
    .map_err(other)?;
    let inter = CertifiedIssuer::signed_by(
        ca_params("halo-connect sandbox intermediate CA"),
        KeyPair::generate().map_err(other)?,
        &root,
    )
    .map_err(other)?;

    let names: Vec<String> = match mode {
        TlsMode::WrongHost => vec!["other.example".into()],
        _ => vec!["localhost".into(), "127.0.0.1".into()],
    };
    let mut leaf = CertificateParams::new(names).map_err(other)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if mode == TlsMode::Expired {
        leaf.not_before = rcgen::date_time_ymd(2020, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let leaf_key = KeyPair::generate().map_err(other)?;
    let leaf_cert = leaf.signed_by(&leaf_key, &inter).map_err(other)?;

    let mut chain = vec![leaf_cert.der().clone()];
    if mode != TlsMode::IncompleteChain {
        chain.push(inter.der().clone());
    }
    Ok(ServerCerts {
        root_pem: root.pem(),
        chain,
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    })
}

/// A rustls server config with its own ring provider (no process-wide default needed) and
/// ALPN for h2 and http/1.1.
pub(crate) fn server_config(certs: ServerCerts) -> io::Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(certs.chain, certs.key)
        .map_err(other)?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// Counts accepted TCP connections and tracks how many are open at once.
#[derive(Clone)]
pub(crate) struct ConnCounter {
    pub stats: Arc<Stats>,
}

impl<S> Accept<tokio::net::TcpStream, S> for ConnCounter {
    type Stream = Tracked<tokio::net::TcpStream>;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Self::Stream, S)>>;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        self.stats.connections.fetch_add(1, Ordering::Relaxed);
        let now = self.stats.open_connections.fetch_add(1, Ordering::Relaxed) + 1;
        self.stats.max_concurrent.fetch_max(now, Ordering::Relaxed);
        std::future::ready(Ok((
            Tracked {
                inner: stream,
                stats: self.stats.clone(),
            },
            service,
        )))
    }
}

/// Wraps an acceptor (the rustls one) and counts the handshakes that completed.
#[derive(Clone)]
pub(crate) struct HandshakeCounter<A> {
    pub inner: A,
    pub stats: Arc<Stats>,
}

impl<A, I, S> Accept<I, S> for HandshakeCounter<A>
where
    A: Accept<I, S>,
    A::Future: Send + 'static,
{
    type Stream = A::Stream;
    type Service = A::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(A::Stream, A::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let fut = self.inner.accept(stream, service);
        let stats = self.stats.clone();
        Box::pin(async move {
            let done = fut.await?;
            stats.tls_handshakes.fetch_add(1, Ordering::Relaxed);
            Ok(done)
        })
    }
}

/// A connection that decrements the open-connection count when dropped.
pub(crate) struct Tracked<S> {
    inner: S,
    stats: Arc<Stats>,
}

impl<S> Drop for Tracked<S> {
    fn drop(&mut self) {
        self.stats.open_connections.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
