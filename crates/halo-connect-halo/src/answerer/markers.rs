//! The markers `classify` reads off a page: its title, whether it is Halo's (its name, its sign-in
//! form, its app shell), the products that sign block pages, and the layouts of IIS, nginx and
//! Apache error pages. Each marker is a structure or a product's name, never a sentence alone.

use halo_connect_core::printable::printable;

use super::super::client::Answer;
use super::{Action, Answerer, Front, WebServer};

/// How much of a body is looked at: block and error pages put their markers first.
const HEAD: usize = 16 * 1024;

/// What a body shows, read once.
pub(super) struct Page {
    /// The head of the body, lower case.
    pub low: String,
    pub html: bool,
    /// The `<title>`, printable.
    pub title: Option<String>,
    /// Halo's name, or its app shell (a root element and a script).
    pub halo: bool,
    /// A sign-in form, or an answer that landed on a sign-in path after a redirect.
    pub sign_in: bool,
    /// The Server header, lower case.
    pub server: String,
}

impl Page {
    pub fn of(a: &Answer) -> Page {
        let head = String::from_utf8_lossy(&a.body[..a.body.len().min(HEAD)]).into_owned();
        // ASCII lower-casing keeps byte offsets, so the title is cut from the original case.
        let low = head.to_ascii_lowercase();
        let title = between(&low, "<title", "</title")
            .map(|(from, to)| &head[from..to])
            .map(|t| t.split_once('>').map_or("", |(_, t)| t))
            .map(|t| printable(&decode_entities(t), 120));
        let html = a.looks_html();
        let halo = [
            "halopsa",
            "haloitsm",
            "haloservicedesk",
            "halo psa",
            "halo service desk",
        ]
        .iter()
        .any(|m| low.contains(m))
            || title
                .as_deref()
                .is_some_and(|t| t.to_ascii_lowercase().contains("halo"))
            || (html
                && (low.contains("id=\"root\"") || low.contains("id=\"app\""))
                && low.contains("<script"));
        let path = url::Url::parse(&a.url)
            .map(|u| u.path().to_ascii_lowercase())
            .unwrap_or_default();
        let sign_in_path = ["login", "signin", "sign-in", "/account/", "authorize"]
            .iter()
            .any(|m| path.contains(m));
        let password_form =
            html && (low.contains("type=\"password\"") || low.contains("type=password"));
        Page {
            sign_in: html && (sign_in_path || password_form),
            server: a.header("server").unwrap_or_default().to_ascii_lowercase(),
            low,
            html,
            title,
            halo,
        }
    }

    fn title_low(&self) -> String {
        self.title
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    /// Whether the page says it refuses (block pages of web filters use these words).
    fn refuses(&self) -> bool {
        let t = self.title_low();
        [
            "block",
            "denied",
            "restricted",
            "not allowed",
            "prohibited",
            "rejected",
        ]
        .iter()
        .any(|w| t.contains(w) || self.low.contains(w))
    }
}

/// The byte range between the first `open` and the next `close`.
fn between(text: &str, open: &str, close: &str) -> Option<(usize, usize)> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some((start, start + len))
}

/// The few entities block pages use in titles and references.
fn decode_entities(s: &str) -> String {
    s.replace("&#32;", " ")
        .replace("&#35;", "#")
        .replace("&#46;", ".")
        .replace("&amp;", "&")
        .replace("&nbsp;", " ")
}

/// A product of the caller's network (web filters and proxies), by its name on the page or in
/// the Server, Via or Proxy-Authenticate headers.
pub(super) fn front_by_product(page: &Page) -> Option<Front> {
    let has = |m: &str| page.low.contains(m) || page.server.contains(m);
    if has("fortiguard") || has("fortigate") {
        Some(Front::Fortinet)
    } else if has("zscaler") {
        Some(Front::Zscaler)
    } else if has("sophos") {
        Some(Front::Sophos)
    } else if has("palo alto networks") {
        Some(Front::PaloAlto)
    } else if has("opendns") || (has("umbrella") && has("cisco")) {
        Some(Front::CiscoUmbrella)
    } else if has("watchguard") {
        Some(Front::WatchGuard)
    } else if has("forcepoint") || has("websense") {
        Some(Front::Forcepoint)
    } else if page.server.starts_with("squid") || page.low.contains("squid") {
        Some(Front::Squid)
    } else {
        None
    }
}

/// A CDN's or firewall's own page (or a web filter's), with the header that carries its reference.
pub(super) fn front_by_page(
    a: &Answer,
    page: &Page,
) -> Option<(Front, Action, Option<&'static str>)> {
    let low = &page.low;
    let server = &page.server;
    let on_error = if a.status >= 500 {
        Action::Error
    } else {
        Action::Block
    };
    let has_header = |h: &str| a.header(h).is_some();
    // Cloudflare: its header or Server, and its name on its page.
    if (has_header("cf-ray") || server == "cloudflare" || low.contains("cdn-cgi"))
        && low.contains("cloudflare")
    {
        let challenge = low.contains("challenge-platform")
            || low.contains("_cf_chl")
            || page.title_low().starts_with("just a moment");
        let action = if challenge {
            Action::Challenge
        } else {
            on_error
        };
        return Some((Front::Cloudflare, action, Some("cf-ray")));
    }
    if (has_header("x-azure-ref") || has_header("x-msedge-ref"))
        && (low.contains("azure") || low.contains("front door") || low.contains("ref a:"))
    {
        return Some((Front::AzureFrontDoor, on_error, Some("x-azure-ref")));
    }
    if server.contains("microsoft-azure-application-gateway") && a.status >= 400 {
        return Some((Front::AzureAppGateway, on_error, None));
    }
    let cloudfront = has_header("x-amz-cf-id")
        || server == "cloudfront"
        || a.header("x-cache")
            .is_some_and(|v| v.to_ascii_lowercase().contains("cloudfront"));
    if cloudfront && low.contains("cloudfront") && a.status >= 400 {
        return Some((Front::AwsCloudFront, on_error, Some("x-amz-cf-id")));
    }
    if server.starts_with("awselb") && a.status >= 400 {
        return Some((Front::AwsLoadBalancer, on_error, None));
    }
    let akamai =
        server.contains("akamaighost") || has_header("akamai-grn") || low.contains("edgesuite.net");
    if akamai && a.status >= 400 {
        return Some((Front::Akamai, on_error, Some("akamai-grn")));
    }
    let imperva_cdn = a.header("x-cdn").is_some_and(|v| {
        v.to_ascii_lowercase().contains("imperva") || v.to_ascii_lowercase().contains("incapsula")
    });
    if has_header("x-iinfo") || imperva_cdn || low.contains("incapsula") {
        let action = if low.contains("_incapsula_resource") && !low.contains("incident id") {
            Action::Challenge
        } else {
            on_error
        };
        return Some((Front::Imperva, action, Some("x-iinfo")));
    }
    if has_header("x-sucuri-id")
        || server.contains("sucuri")
        || low.contains("sucuri website firewall")
    {
        return Some((Front::Sucuri, on_error, Some("x-sucuri-id")));
    }
    // F5 ASM's block page: a rejection with a support ID, and nothing else.
    if (server.contains("bigip") || server.contains("big-ip"))
        || (low.contains("support id") && page.title_low().contains("rejected"))
    {
        return Some((Front::F5, on_error, None));
    }
    if a.status >= 400 || page.refuses() {
        if let Some(f) = front_by_product(page).filter(|_| !page.halo) {
            return Some((f, on_error, Some("via")));
        }
    }
    None
}

/// The web server's own page: an IIS, HTTP.sys, nginx or Apache error page, or its default site.
pub(super) fn web_server_page(a: &Answer, page: &Page) -> Option<Answerer> {
    let low = &page.low;
    let server = &page.server;
    let title = page.title_low();
    let found = |server| {
        Some(Answerer::WebServer {
            server,
            substatus: if server == WebServer::Iis {
                substatus(low, a.status)
            } else {
                None
            },
        })
    };
    if server.starts_with("microsoft-httpapi") {
        return found(WebServer::HttpSys);
    }
    // A default site's welcome page: the address reaches the web server, not Halo.
    if low.contains("iisstart") {
        return found(WebServer::Iis);
    }
    if title.contains("welcome to nginx") {
        return found(WebServer::Nginx);
    }
    if title.contains("apache") && title.contains("default page") {
        return found(WebServer::Apache);
    }
    if a.status < 400 {
        return None;
    }
    let status = a.status.to_string();
    let titled_by_status = title.starts_with(&status);
    let iis_layout = (low.contains("<h1>server error</h1>") && low.contains("<fieldset>"))
        || (title.contains("iis") && title.contains("detailed error"))
        || low.contains(&format!("http error {status}."));
    if iis_layout || (server.starts_with("microsoft-iis") && titled_by_status) {
        return found(WebServer::Iis);
    }
    if low.contains("<center>nginx") || low.contains("<center>openresty") {
        return found(WebServer::Nginx);
    }
    if (server.starts_with("nginx") || server.starts_with("openresty")) && titled_by_status {
        return found(WebServer::Nginx);
    }
    if low.contains("<address>apache") || (server.starts_with("apache") && titled_by_status) {
        return found(WebServer::Apache);
    }
    None
}

/// IIS's sub-status as its pages print it ("403.6", "HTTP Error 403.503").
fn substatus(low: &str, status: u16) -> Option<u16> {
    let prefix = format!("{status}.");
    for (i, _) in low.match_indices(&prefix) {
        let before = low[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_digit() || c == '.') {
            continue;
        }
        let digits: String = low[i + prefix.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if (1..=3).contains(&digits.len()) {
            if let Ok(n) = digits.parse::<u16>() {
                return Some(n);
            }
        }
    }
    None
}
