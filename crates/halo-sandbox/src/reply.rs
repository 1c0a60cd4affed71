//! How the emulator writes an answer: JSON, HTML, text, empty and redirect responses with their
//! content types, and the form/query decoder. No decisions about what to answer live here.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

/// Decodes `application/x-www-form-urlencoded` (a body or a query); the first value of a key wins.
pub(crate) fn form_map(bytes: &[u8]) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        m.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    m
}

fn with_type(status: StatusCode, ctype: &'static str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r
}

pub(crate) fn json_response(status: StatusCode, v: &Value) -> Response {
    with_type(status, "application/json; charset=utf-8", v.to_string())
}

pub(crate) fn html(status: StatusCode, body: &'static str) -> Response {
    with_type(status, "text/html; charset=utf-8", body)
}

pub(crate) fn text(status: StatusCode, body: &str) -> Response {
    with_type(status, "text/plain; charset=utf-8", body.to_string())
}

pub(crate) fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

pub(crate) fn redirect(status: StatusCode, location: &str) -> Response {
    let mut r = empty(status);
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}
