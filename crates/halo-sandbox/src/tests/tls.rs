//! The TLS modes: a valid chain over one handshake, and each certificate problem.

use std::time::Duration;

use super::super::*;
use super::token;

fn tls(mode: TlsMode) -> (Sandbox, reqwest::Client) {
    let sb = Sandbox::start(SandboxOptions {
        tls: mode,
        ..Default::default()
    })
    .unwrap();
    let pem = sb.ca_pem().expect("TLS modes have a root");
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).unwrap();
    super::crypto();
    let c = reqwest::Client::builder()
        .tls_certs_only(certs)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    (sb, c)
}

/// Finds the rustls error inside reqwest's chain (io::Error hides it from `source()`).
fn rustls_error(e: &reqwest::Error) -> Option<rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let mut inner: &(dyn std::error::Error + 'static) = err;
        loop {
            if let Some(r) = inner.downcast_ref::<rustls::Error>() {
                return Some(r.clone());
            }
            match inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(next) => inner = next,
                None => break,
            }
        }
        cur = err.source();
    }
    None
}

async fn cert_error(mode: TlsMode) -> rustls::CertificateError {
    let (sb, c) = tls(mode);
    let err = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap_err();
    match rustls_error(&err) {
        Some(rustls::Error::InvalidCertificate(ce)) => ce,
        other => panic!("{mode}: expected a certificate error, got {other:?} from {err:?}"),
    }
}

#[tokio::test]
async fn valid_tls_works_over_one_handshake_with_h2() {
    let (sb, c) = tls(TlsMode::Valid);
    assert!(sb.base_url().starts_with("https://localhost:"));
    for _ in 0..3 {
        let r = c
            .get(format!("{}/authinfo", sb.resource_server()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.version(), reqwest::Version::HTTP_2);
    }
    let (status, _) = token(&c, &sb, Some("all")).await;
    assert_eq!(status, 200);
    let st = sb.stats();
    assert_eq!(st.tls_handshakes, 1, "{st:?}");
    assert_eq!(st.requests, 4);
}

#[tokio::test]
async fn incomplete_chain_is_unknown_issuer() {
    assert_eq!(
        cert_error(TlsMode::IncompleteChain).await,
        rustls::CertificateError::UnknownIssuer
    );
}

#[tokio::test]
async fn expired_certificate_is_refused() {
    let e = cert_error(TlsMode::Expired).await;
    assert!(
        matches!(
            e,
            rustls::CertificateError::Expired | rustls::CertificateError::ExpiredContext { .. }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn wrong_host_certificate_is_refused() {
    let e = cert_error(TlsMode::WrongHost).await;
    assert!(
        matches!(
            e,
            rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. }
        ),
        "{e:?}"
    );
}
