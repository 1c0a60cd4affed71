//! The hostile behaviours of the emulator's scenarios: answers given before the request is looked
//! at (rate limits, 5xx, flaky paths, redirects) and bodies rewritten to attack a client's body
//! handling (truncated, not UTF-8, huge, dripped, reset). What a healthy Halo answers is not here.

use std::convert::Infallible;
use std::io;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;

use super::pages::{BAD_GATEWAY_HTML, UNAVAILABLE_HTML};
use super::reply::{html, json_response, redirect, text};
use super::scenario::Scenario;
use super::server::{lock, Shared};

/// `huge-body` answers this many bytes.
const HUGE_BODY_BYTES: usize = 20 * 1024 * 1024;
const DRIP_INTERVAL: Duration = Duration::from_millis(500);

/// Halo's text for its API limit (E: quoted in PowerShellWarrantyReports #51); in an `error`
/// field (I: how HaloAPI printed it), with no Retry-After (I: no client reads one from Halo).
pub(crate) const API_LIMIT_TEXT: &str =
    "Rate Limit Reached - 300 Requests per rolling 5 minute window";

/// A Resource Server call carrying a token (the open endpoints excepted).
fn api_with_token(path: &str, headers: &HeaderMap) -> bool {
    path.strip_prefix("/api")
        .is_some_and(|sub| sub.starts_with('/') && !super::model::model().is_open(sub))
        && headers.contains_key(header::AUTHORIZATION)
}

/// Scenarios that answer before the request is looked at.
pub(crate) fn refuse_early(
    st: &Shared,
    scenario: Scenario,
    path: &str,
    is_token: bool,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<Response> {
    let too_many = || {
        let mut r = text(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests\n");
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        r
    };
    match scenario {
        Scenario::RateLimitStorm => Some(too_many()),
        Scenario::ApiRateLimit if api_with_token(path, headers) => Some(json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &serde_json::json!({ "error": API_LIMIT_TEXT }),
        )),
        Scenario::RateLimited if st.rate_count.fetch_add(1, Ordering::Relaxed) < 2 => {
            Some(too_many())
        }
        Scenario::ServerError => Some(html(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE_HTML)),
        Scenario::Flaky if lock(&st.flaky_seen).insert(path.to_string()) => {
            Some(html(StatusCode::BAD_GATEWAY, BAD_GATEWAY_HTML))
        }
        Scenario::RedirectLoop if is_token => {
            let target = format!("{}{}", st.base_url, path_and_query(uri));
            Some(redirect(StatusCode::FOUND, &target))
        }
        Scenario::RedirectOtherHost if is_token => {
            let q = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            let target = format!("http://127.0.0.2:{}/auth/token{q}", st.port);
            Some(redirect(StatusCode::TEMPORARY_REDIRECT, &target))
        }
        _ => None,
    }
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

static FILL: [u8; 64 * 1024] = [b'A'; 64 * 1024];

/// Rewrites a normal answer's body for the scenarios that attack the client's body handling.
pub(crate) async fn hostile(scenario: Scenario, resp: Response) -> Response {
    if !matches!(
        scenario,
        Scenario::BrokenJson
            | Scenario::InvalidUtf8
            | Scenario::HugeBody
            | Scenario::Drip
            | Scenario::Reset
    ) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    let json_type = HeaderValue::from_static("application/json; charset=utf-8");
    let (body, len) = match scenario {
        Scenario::BrokenJson => {
            parts.headers.insert(header::CONTENT_TYPE, json_type);
            let cut = bytes.slice(..bytes.len() / 2);
            let len = cut.len();
            (Body::from(cut), len)
        }
        Scenario::InvalidUtf8 => {
            parts.headers.insert(header::CONTENT_TYPE, json_type);
            // Inside the first string, where a lenient parser would otherwise pass it through.
            let at = bytes.iter().position(|b| *b == b'"').map_or(0, |i| i + 1);
            let mut v = bytes[..at].to_vec();
            v.extend_from_slice(b"\xff\xfe\xc3\x28");
            v.extend_from_slice(&bytes[at..]);
            let len = v.len();
            (Body::from(v), len)
        }
        Scenario::HugeBody => {
            parts.headers.insert(header::CONTENT_TYPE, json_type);
            let head = Bytes::from_static(b"{\"access_token\":\"");
            let tail = Bytes::from_static(b"\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
            let chunks = HUGE_BODY_BYTES / FILL.len();
            let len = head.len() + chunks * FILL.len() + tail.len();
            // One static buffer shared by every chunk: 20 MB on the wire, 64 KB in memory.
            let stream = futures_util::stream::iter(
                std::iter::once(head)
                    .chain(std::iter::repeat_n(Bytes::from_static(&FILL), chunks))
                    .chain(std::iter::once(tail))
                    .map(Ok::<_, Infallible>),
            );
            (Body::from_stream(stream), len)
        }
        Scenario::Drip => {
            let len = bytes.len();
            let stream = futures_util::stream::unfold(0usize, move |i| {
                let bytes = bytes.clone();
                async move {
                    if i >= bytes.len() {
                        return None;
                    }
                    tokio::time::sleep(DRIP_INTERVAL).await;
                    Some((Ok::<_, Infallible>(bytes.slice(i..i + 1)), i + 1))
                }
            });
            (Body::from_stream(stream), len)
        }
        _ => {
            // Reset: half the body, then an error, which makes hyper abort the connection
            // (HTTP/1) or the stream (h2) with Content-Length still promising the rest.
            let len = bytes.len().max(2);
            let half = bytes.slice(..bytes.len() / 2);
            // The pause lets hyper flush the headers and the first half before the error.
            let stream = futures_util::stream::unfold(Some(half), |state| async move {
                match state {
                    Some(half) => Some((Ok(half), None)),
                    None => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        let e = io::Error::other("sandbox: connection reset mid-body");
                        Some((Err(e), None))
                    }
                }
            });
            (Body::from_stream(stream), len)
        }
    };
    if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, v);
    }
    Response::from_parts(parts, body)
}
