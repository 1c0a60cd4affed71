//! Who answered a request, told from the answer's structure alone: its status, content type, body
//! shape, well-known headers (Server, Via, CF-Ray, X-Azure-Ref, X-Amz-Cf-Id, x-amzn-waf-action…) and
//! page markers (the `<title>`, the layout of IIS, nginx and Apache error pages, vendors' names in
//! block pages). Never by one exact sentence. Pure: `classify` maps an `Answer` to an `Answerer`,
//! and `describe` says what answered in words for the classes it cannot name. It names no cause:
//! that is `diagnose`'s job.

mod markers;

#[cfg(test)]
mod tests;

use halo_connect_core::printable::{printable, printable_bytes};

use super::client::Answer;
use markers::{front_by_page, front_by_product, web_server_page, Page};

/// Response headers an `Answer` keeps (lower case): the ones that tell who answered.
pub const KEPT_HEADERS: &[&str] = &[
    "server",
    "via",
    "x-powered-by",
    "www-authenticate",
    "proxy-authenticate",
    "cf-ray",
    "cf-mitigated",
    "x-azure-ref",
    "x-msedge-ref",
    "x-amz-cf-id",
    "x-cache",
    "x-amzn-waf-action",
    "akamai-grn",
    "x-iinfo",
    "x-cdn",
    "x-sucuri-id",
    "x-squid-error",
];

/// Who answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answerer {
    /// An OAuth error object (`error`, optional `error_description`): from the token endpoint,
    /// this is Halo's Authorization Server speaking.
    OAuth {
        code: String,
        description: Option<String>,
        uri: Option<String>,
    },
    /// JSON: Halo's API, with the message of one of its error shapes when there is one.
    HaloApi { message: Option<String> },
    /// Typed as JSON, but it does not parse.
    BrokenJson,
    /// Halo's web interface: its sign-in page (or a redirect to it), or its app page.
    HaloWeb { sign_in: bool },
    /// The web server in front of an on-premise Halo, in its own words (an error page, its
    /// default site); `substatus` is IIS's (403.6, 403.503…) when the page shows it.
    WebServer {
        server: WebServer,
        substatus: Option<u16>,
    },
    /// A CDN, web application firewall, web filter or proxy between the caller and Halo.
    Front {
        front: Front,
        action: Action,
        /// The reference it gives for its logs (Cloudflare's Ray ID, Azure's X-Azure-Ref…).
        reference: Option<String>,
    },
    /// No body and nothing else that says who.
    Empty,
    /// Anything else.
    Unknown,
}

/// The web servers that stand in front of an on-premise Halo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebServer {
    Iis,
    /// Windows' HTTP.sys, which answers before IIS when no site takes the host name.
    HttpSys,
    Nginx,
    Apache,
}

impl WebServer {
    pub fn name(self) -> &'static str {
        match self {
            WebServer::Iis => "IIS",
            WebServer::HttpSys => "Windows HTTP.sys (IIS)",
            WebServer::Nginx => "nginx",
            WebServer::Apache => "Apache",
        }
    }
}

/// CDNs, firewalls, filters and proxies, known by their headers and pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    Cloudflare,
    AzureFrontDoor,
    AzureAppGateway,
    AwsCloudFront,
    AwsWaf,
    AwsLoadBalancer,
    Akamai,
    Imperva,
    Sucuri,
    F5,
    Fortinet,
    Zscaler,
    Sophos,
    PaloAlto,
    CiscoUmbrella,
    WatchGuard,
    Forcepoint,
    Squid,
    /// A proxy named by nothing but its Via header or its 407.
    Proxy,
}

impl Front {
    pub fn name(self) -> &'static str {
        match self {
            Front::Cloudflare => "Cloudflare",
            Front::AzureFrontDoor => "Azure Front Door",
            Front::AzureAppGateway => "Azure Application Gateway",
            Front::AwsCloudFront => "Amazon CloudFront",
            Front::AwsWaf => "AWS WAF",
            Front::AwsLoadBalancer => "an AWS load balancer",
            Front::Akamai => "Akamai",
            Front::Imperva => "Imperva (Incapsula)",
            Front::Sucuri => "the Sucuri firewall",
            Front::F5 => "an F5 BIG-IP firewall",
            Front::Fortinet => "a FortiGuard web filter",
            Front::Zscaler => "Zscaler",
            Front::Sophos => "a Sophos web filter",
            Front::PaloAlto => "a Palo Alto Networks firewall",
            Front::CiscoUmbrella => "Cisco Umbrella",
            Front::WatchGuard => "a WatchGuard firewall",
            Front::Forcepoint => "a Forcepoint web filter",
            Front::Squid => "a Squid proxy",
            Front::Proxy => "a proxy",
        }
    }

    /// Whether it stands in front of Halo (run with Halo's web address) rather than on the
    /// caller's network (run by whoever runs the network the request leaves from).
    pub fn in_front_of_halo(self) -> bool {
        matches!(
            self,
            Front::Cloudflare
                | Front::AzureFrontDoor
                | Front::AzureAppGateway
                | Front::AwsCloudFront
                | Front::AwsWaf
                | Front::AwsLoadBalancer
                | Front::Akamai
                | Front::Imperva
                | Front::Sucuri
                | Front::F5
        )
    }
}

/// What a front did with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Refused it (a block page).
    Block,
    /// Asked for a browser to prove itself (a JavaScript or CAPTCHA page).
    Challenge,
    /// Asked the caller to sign in to the proxy (407).
    ProxyAuth,
    /// Could not reach the server behind it (its own 5xx page).
    Error,
}

impl Answerer {
    /// Whether the web server refused the caller's IP address: IIS sub-status 6 (IIS 6/7), or
    /// 503/504 (IIS 8+'s IP Address and Domain Restrictions: address or host name denied).
    pub fn ip_refused(&self) -> bool {
        matches!(
            self,
            Answerer::WebServer {
                server: WebServer::Iis,
                substatus: Some(6 | 503 | 504)
            }
        )
    }
}

/// What IIS's sub-status means, for the ones an integration meets.
pub fn iis_substatus_meaning(status: u16, sub: u16) -> Option<&'static str> {
    Some(match (status, sub) {
        (_, 503) => "the IP address is on the deny list of IP Address and Domain Restrictions",
        (_, 504) => "the host name is on the deny list of IP Address and Domain Restrictions",
        (_, 501 | 502) => "Dynamic IP Restrictions: too many requests from this address",
        (403, 6) => "IP address rejected",
        (401, 1) => "logon failed",
        (401, 2) => "Windows Authentication is required (logon failed due to server configuration)",
        (401, 3) => "refused by the file's access control list",
        (403, 4) => "SSL required",
        (403, 7) => "a client certificate is required",
        (403, 14) => "directory listing denied",
        (403, 16) => "the client certificate is untrusted or invalid",
        (404, 5..=15) => "refused by Request Filtering",
        _ => return None,
    })
}

/// Classifies an answer by who gave it.
pub fn classify(a: &Answer) -> Answerer {
    let page = Page::of(a);
    let front = |front, action, header: &str| Answerer::Front {
        front,
        action,
        reference: a.header(header).map(|v| printable(v, 80)),
    };
    // A proxy asking the caller to sign in, whatever it sent with it.
    if a.status == 407 {
        let named = front_by_product(&page).unwrap_or(Front::Proxy);
        return front(named, Action::ProxyAuth, "via");
    }
    // An edge's own verdict header, set on any body (AWS WAF's challenge is a 202).
    if a.header("cf-mitigated")
        .is_some_and(|v| v.eq_ignore_ascii_case("challenge"))
    {
        return front(Front::Cloudflare, Action::Challenge, "cf-ray");
    }
    if let Some(v) = a.header("x-amzn-waf-action") {
        let action = if v.eq_ignore_ascii_case("block") {
            Action::Block
        } else {
            Action::Challenge
        };
        return front(Front::AwsWaf, action, "x-amz-cf-id");
    }
    if a.body.iter().all(u8::is_ascii_whitespace) {
        return empty(a);
    }
    if a.is_json() {
        match serde_json::from_slice::<serde_json::Value>(&a.body) {
            Ok(v) => return json(&v),
            Err(_) if a.content_type.contains("json") => return Answerer::BrokenJson,
            Err(_) => {}
        }
    }
    if let Some((front, action, header)) = front_by_page(a, &page) {
        return Answerer::Front {
            front,
            action,
            reference: header.and_then(|h| a.header(h)).map(|v| printable(v, 80)),
        };
    }
    if let Some(found) = web_server_page(a, &page) {
        return found;
    }
    // The fallbacks below name a front by its header alone, so they take only a page: a plain or
    // empty refusal may be Halo's own, passed through.
    if a.status >= 400 && page.html && a.header("via").is_some() && !page.halo {
        let action = if a.status >= 500 {
            Action::Error
        } else {
            Action::Block
        };
        return front(Front::Proxy, action, "via");
    }
    // Azure Front Door's WAF answers 403 with a short page of its own (its words are
    // configurable, its header is not).
    if a.status == 403 && page.html && a.header("x-azure-ref").is_some() && !page.halo {
        return front(Front::AzureFrontDoor, Action::Block, "x-azure-ref");
    }
    if page.sign_in || (page.html && page.halo) {
        return Answerer::HaloWeb {
            sign_in: page.sign_in,
        };
    }
    Answerer::Unknown
}

/// An empty body: Windows Authentication and Halo's own bearer refusals say who by their header.
fn empty(a: &Answer) -> Answerer {
    let challenge = a
        .header("www-authenticate")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if a.status == 401 && (challenge.contains("negotiate") || challenge.contains("ntlm")) {
        return Answerer::WebServer {
            server: WebServer::Iis,
            substatus: Some(2),
        };
    }
    if challenge.starts_with("bearer") {
        return Answerer::HaloApi { message: None };
    }
    Answerer::Empty
}

/// JSON: an OAuth error object, or Halo's API with the message of one of its error shapes
/// (Halo's public error shapes: `Message`, `ClassName`+`Message`, `resultCode`+`errorMessage`, and ASP.NET
/// Core's problem details `title`/`detail`).
fn json(v: &serde_json::Value) -> Answerer {
    let text = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .map(|s| printable(s, 300))
            .filter(|s| !s.is_empty())
    };
    if let Some(code) = text("error") {
        return Answerer::OAuth {
            code,
            description: text("error_description"),
            uri: text("error_uri"),
        };
    }
    let message = ["Message", "message", "errorMessage", "detail", "title"]
        .iter()
        .find_map(|k| text(k));
    Answerer::HaloApi { message }
}

/// The sign-in service a redirect leads to, when its host is one (Halo published behind a
/// pre-authenticating gateway).
pub fn sign_in_service(url: &str) -> Option<&'static str> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    let under = |d: &str| host == d || host.ends_with(&format!(".{d}"));
    Some(
        if [
            "login.microsoftonline.com",
            "login.microsoft.com",
            "login.windows.net",
        ]
        .iter()
        .any(|d| under(d))
        {
            "Microsoft Entra ID"
        } else if under("cloudflareaccess.com") {
            "Cloudflare Access"
        } else if under("okta.com") || under("oktapreview.com") {
            "Okta"
        } else if host == "accounts.google.com" {
            "Google"
        } else if under("auth0.com") {
            "Auth0"
        } else if under("onelogin.com") {
            "OneLogin"
        } else if u.path().to_ascii_lowercase().starts_with("/adfs/") {
            "AD FS"
        } else {
            return None;
        },
    )
}

/// Whether a body names an access or refresh token, so quoting it could show one.
fn mentions_a_token(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    head.contains("access_token") || head.contains("refresh_token") || head.contains("id_token")
}

/// Says what answered, for a message: status, content type, Server header, and the page's title
/// or first words. Every part is printable and bounded.
pub fn describe(a: &Answer) -> String {
    let mut parts = vec![if a.content_type.is_empty() {
        "no content type".to_string()
    } else {
        printable(a.content_type.split(';').next().unwrap_or_default(), 60)
    }];
    if let Some(s) = a.header("server") {
        parts.push(format!("Server: {}", printable(s, 60)));
    }
    if let Some(v) = a.header("via") {
        parts.push(format!("Via: {}", printable(v, 60)));
    }
    let page = Page::of(a);
    let content = match (&page.title, a.body.is_empty()) {
        (_, true) => "an empty body".to_string(),
        (Some(t), _) if !t.is_empty() => format!("a page titled {t:?}"),
        // A body that names a token may carry one: it is never quoted, not even cut.
        _ if mentions_a_token(&a.body) => {
            "a body that mentions a token (not quoted: it may hold one)".to_string()
        }
        _ => format!("a body starting {:?}", printable_bytes(&a.body, 300, 80)),
    };
    format!("HTTP {} ({}) with {content}", a.status, parts.join(", "))
}
