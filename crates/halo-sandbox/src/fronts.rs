//! The scenarios where something else answers for Halo, or Halo answers in a shape the guides do
//! not show: the web server in front of an on-premise Halo (an IIS IP refusal, an nginx 403), a CDN
//! in front (a Cloudflare block or challenge), a sign-in gateway, a web filter on the caller's
//! network, a proxy asking for credentials (on plain requests and on CONNECT tunnels), Halo's
//! sign-in page, an OAuth error code no guide names, Halo's API failing in its own JSON, and an
//! answer from something nobody would recognise. Each answers before the request reaches Halo's
//! routes. The pages are written after the shapes those products document; this file never
//! imports what the client recognises.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::scenario::Scenario;

/// Where `login-redirect` sends every request, and where its sign-in page lives.
const LOGIN_PATH: &str = "/auth/account/login";

/// The answer of a front scenario, or None to let Halo's routes answer. `path` is lower case.
pub(crate) fn answer(scenario: Scenario, method: &Method, path: &str) -> Option<Response> {
    let api = path == "/api" || path.starts_with("/api/");
    let token = path == "/auth/token";
    Some(match scenario {
        Scenario::IisIpRefused => page(
            StatusCode::FORBIDDEN,
            IIS_IP_REFUSED,
            &[("server", "Microsoft-IIS/10.0"), ("x-powered-by", "ASP.NET")],
        ),
        Scenario::NginxForbidden => page(
            StatusCode::FORBIDDEN,
            NGINX_FORBIDDEN,
            &[("server", "nginx/1.24.0")],
        ),
        Scenario::WafBlock => page(
            StatusCode::FORBIDDEN,
            CLOUDFLARE_BLOCK,
            &[("server", "cloudflare"), ("cf-ray", "8d2f6c1a9b3e4f70-LHR")],
        ),
        Scenario::WafChallenge => page(
            StatusCode::FORBIDDEN,
            CLOUDFLARE_CHALLENGE,
            &[
                ("server", "cloudflare"),
                ("cf-ray", "8d2f6c1a9b3e4f71-LHR"),
                ("cf-mitigated", "challenge"),
            ],
        ),
        Scenario::WebFilter => page(StatusCode::FORBIDDEN, FILTER_BLOCK, &[]),
        Scenario::ProxyAuth => page(
            StatusCode::PROXY_AUTHENTICATION_REQUIRED,
            PROXY_AUTH,
            &[
                ("proxy-authenticate", "Basic realm=\"sandbox corporate proxy\""),
                ("via", "1.1 proxy.sandbox.example"),
            ],
        ),
        Scenario::SsoGateway => redirect(
            "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/authorize?client_id=halo-sandbox&response_type=code",
        ),
        Scenario::LoginRedirect if path == LOGIN_PATH && method == Method::GET => {
            page(StatusCode::OK, HALO_SIGN_IN, &[])
        }
        Scenario::LoginRedirect => redirect(&format!(
            "/auth/Account/Login?ReturnUrl={}",
            url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
        )),
        Scenario::UnknownAnswer => page(
            StatusCode::OK,
            UNKNOWN_DEVICE,
            &[("server", "Embedded-HTTPd/2.1")],
        ),
        Scenario::OauthUnknownError if token => json_answer(
            StatusCode::BAD_REQUEST,
            json!({
                "error": "account_locked",
                "error_description": "This application is locked after too many failed sign-ins.",
            }),
        ),
        Scenario::ApiError if api && path != "/api/authinfo" => json_answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({
                "ClassName": "System.Data.SqlClient.SqlException",
                "Message": "Invalid object name 'SANDBOXFAULT'.",
            }),
        ),
        _ => return None,
    })
}

fn page(
    status: StatusCode,
    body: &'static str,
    headers: &[(&'static str, &'static str)],
) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    for (k, v) in headers {
        r.headers_mut().insert(*k, HeaderValue::from_static(v));
    }
    r
}

fn json_answer(status: StatusCode, v: serde_json::Value) -> Response {
    let mut r = Response::new(Body::from(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn redirect(location: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// IIS 10's detailed error page for a refused client address (IP Address and Domain Restrictions).
const IIS_IP_REFUSED: &str = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \
\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\
<head><title>IIS 10.0 Detailed Error - 403.503 - Forbidden</title></head><body><div id=\"content\">\
<div class=\"content-container\"><h3>HTTP Error 403.503 - Forbidden</h3>\
<h4>The IP address of the client has been rejected (halo-connect sandbox).</h4></div>\
<div class=\"content-container\"><fieldset><h4>Most likely causes:</h4><ul><li>The IP address \
and domain restrictions of this site deny the client's address.</li></ul></fieldset></div></div>\
</body></html>\n";

const NGINX_FORBIDDEN: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n\
<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";

const CLOUDFLARE_BLOCK: &str = "<!DOCTYPE html>\n<html lang=\"en-US\"><head><title>Attention \
Required! | Cloudflare</title></head><body><div id=\"cf-wrapper\"><div id=\"cf-error-details\">\
<h1>Sorry, you have been blocked</h1><h2>You are unable to access halo-connect sandbox</h2>\
<p>This website is using a security service to protect itself from online attacks.</p>\
<p>Cloudflare Ray ID: <strong>8d2f6c1a9b3e4f70</strong></p></div></div></body></html>\n";

const CLOUDFLARE_CHALLENGE: &str = "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a \
moment...</title></head><body><noscript>Enable JavaScript and cookies to continue</noscript>\
<script>(function(){window._cf_chl_opt={cType:'managed'};var a=document.createElement('script');\
a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1';document.head.appendChild(a);}());\
</script></body></html>\n";

const FILTER_BLOCK: &str = "<!DOCTYPE html><html><head><title>Web Page Blocked</title></head>\
<body><h1>FortiGuard Web Filtering</h1><p>The page you requested has been blocked because it \
belongs to a category the network administrator does not allow (halo-connect sandbox).</p>\
<p>Category: Business</p></body></html>\n";

const PROXY_AUTH: &str = "<!DOCTYPE html><html><head><title>407 Proxy Authentication \
Required</title></head><body><h1>Proxy Authentication Required</h1><p>Sign in to the sandbox \
corporate proxy to continue.</p></body></html>\n";

const HALO_SIGN_IN: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Log in - HaloPSA</title></head><body><form method=\"post\" action=\"/auth/Account/Login\">\
<h1>Log in to HaloPSA (halo-connect sandbox)</h1><label>Username <input name=\"username\"></label>\
<label>Password <input name=\"password\" type=\"password\"></label><button>Log in</button>\
</form></body></html>\n";

const UNKNOWN_DEVICE: &str = "<!DOCTYPE html><html><head><title>Welcome</title></head><body>\
<h1>Device configuration</h1><p>Sign-in is required to change this device's settings \
(halo-connect sandbox).</p></body></html>\n";
