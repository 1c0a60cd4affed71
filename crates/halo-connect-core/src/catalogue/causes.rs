//! The causes themselves: every failure halo-connect names, one `const` each, in the order
//! docs/troubleshooting.md lists them. Data only; the types and lookups are in `catalogue`.

use super::{Cause, Emulation};
use crate::field::env;
use crate::kind::Kind;

// Fixes that several causes share, because no answer of Halo's tells those causes apart.
const FIX_TOKEN_URL_NOT_FOUND: &str = "Copy the Authorization Server again from Configuration > Integrations > HaloPSA API (API Details); it is not the address of the web interface. Forms that add /token themselves (n8n, CIPP) want it without the final \"/\", forms that add token want it with: `halo-connect handoff --for NAME` gives your form's one shape.";
const FIX_INVALID_CLIENT: &str = "Open the application in Configuration > Integrations > HaloPSA API > View Applications: check it is Active (and approved, where the install makes an administrator approve new applications), copy the Client ID again (it changes when the application is first saved), and paste the whole Client Secret (73 characters, shown only once; make a new one if it is lost).";
const FIX_WRONG_TENANT: &str = "Copy the Tenant from Configuration > Integrations > HaloPSA API (API Details); on-premise Halo shows \"Not set\", so give --tenant \"Not set\".";
const FIX_SCOPE_MISSING: &str = "Tick {scope} on the application's Permissions tab (Configuration > Integrations > HaloPSA API > View Applications > your application > Permissions), then Save.";
const FIX_PROXY: &str = "Check the address and the network path to Halo (proxy settings come from HTTPS_PROXY/NO_PROXY).";

catalogue! {
    // Values and the token endpoint.
    TOKEN_URL_NOT_FOUND = "token-url-not-found", Server, "Values", "Authorization Server wrong, or in a shape the integration's form does not want",
        symptom: "\"Save and Test\" says authentication failed; the integration's log shows 404 from the token URL.",
        recognised: "The token POST to <Authorization Server>token answers 404, or a web page instead of JSON.",
        cause: "Clients join the Authorization Server and the token path as text: the wrong final \"/\" for that client (a missing one, or a doubled \"//token\"), or the web interface's address, sends the request to a page that does not exist.",
        fix: FIX_TOKEN_URL_NOT_FOUND,
        emulation: Emulation::WrongValue { var: env::AUTH_SERVER, value: "{base}/login/" };
    TOKEN_URL_HTML = "token-url-html", Server, "Values", "Token request sent to the web interface instead of the Authorization Server",
        symptom: "Authentication fails with an HTML page or a login form in the integration's log.",
        recognised: "The token POST answers a web page (text/html).",
        cause: "The Authorization Server value points at the web interface host or path, which serves pages, not tokens.",
        fix: FIX_TOKEN_URL_NOT_FOUND,
        emulation: Emulation::Evidence("trial and shared Authorization Servers live on another host than the web interface (reported in the HaloAPI PowerShell module's issue #1)");
    INVALID_CLIENT = "invalid-client", Auth, "Application", "Client ID or Client Secret refused",
        symptom: "\"authentication failed\"; Halo answers invalid_client.",
        recognised: "HTTP 400/401 with error invalid_client (or a bare 401) from the token endpoint.",
        cause: "The Client ID or Secret is wrong: the secret was mistyped, cut off or is from another application, or the application is inactive.",
        fix: FIX_INVALID_CLIENT,
        emulation: Emulation::Scenario { scenario: "wrong-secret", preset: "billing" };
    CLIENT_ID_CHANGED_ON_SAVE = "client-id-changed-on-save", Auth, "Application", "Client ID copied before the application was first saved",
        symptom: "A Client ID copied straight from a new application is refused with invalid_client.",
        recognised: "invalid_client from the token endpoint; it cannot be told from a wrong secret, so the invalid-client fix names it.",
        cause: "Halo changes an application's Client ID when it is saved for the first time.",
        fix: FIX_INVALID_CLIENT,
        emulation: Emulation::WrongValue { var: env::CLIENT_ID, value: "00000000-1111-2222-3333-444444444444" },
        printed_as: INVALID_CLIENT;
    SECRET_PASTED_BADLY = "secret-pasted-badly", Auth, "Application", "Client Secret pasted with whitespace or cut off",
        symptom: "A secret that looks right is refused.",
        recognised: "Surrounding whitespace is trimmed with a note; a secret with Halo's shape but not 73 characters gets a \"cut off\" note; Halo then answers invalid_client if it is wrong.",
        cause: "Copying from a web page brings a line break, or the copy missed characters.",
        fix: FIX_INVALID_CLIENT,
        emulation: Emulation::WrongValue { var: env::CLIENT_SECRET, value: "3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37-8e2b6d40" },
        printed_as: INVALID_CLIENT;
    TENANT_REQUIRED = "tenant-required", Auth, "Values", "Tenant missing where the Authorization Server needs it",
        symptom: "Authentication fails on a trial or shared Authorization Server.",
        recognised: "invalid_request that is not about scopes, with no tenant sent; or a shared Authorization Server (auth.haloservicedesk.com, *-trial.halopsa.com) with \"Not set\", refused before any request.",
        cause: "A shared Authorization Server serves many instances and picks yours by its tenant.",
        fix: "Copy the Tenant from Configuration > Integrations > HaloPSA API (API Details) and give it with --tenant.",
        emulation: Emulation::Scenario { scenario: "tenant-required", preset: "billing" };
    WRONG_TENANT = "wrong-tenant", Auth, "Values", "Wrong Tenant",
        symptom: "Authentication fails with an internal server error.",
        recognised: "The token endpoint answers 5xx that is not JSON while a tenant is sent.",
        cause: "The Tenant does not match any instance the Authorization Server knows.",
        fix: FIX_WRONG_TENANT,
        emulation: Emulation::Scenario { scenario: "wrong-tenant", preset: "billing" };
    TENANT_ON_PREMISE = "tenant-on-premise", Auth, "Values", "A tenant sent to an on-premise Halo",
        symptom: "An on-premise connection fails after \"Not set\" was replaced by a name.",
        recognised: "Recognised as wrong-tenant when the server refuses it; halo-connect never sends ?tenant= when the Tenant is \"Not set\".",
        cause: "On-premise Halo has no tenants; the guides say to type \"Not set\".",
        fix: FIX_WRONG_TENANT,
        emulation: Emulation::Evidence("integration vendors' setup guides tell on-premise users to type \"Not set\" as the Tenant"),
        printed_as: WRONG_TENANT;
    PLAIN_HTTP = "plain-http", Config, "Values", "Plain http:// to a host that is not this machine",
        symptom: "The secret would cross the network unencrypted.",
        recognised: "An address with http:// and a host other than localhost/127.0.0.1/::1 is refused before any request.",
        cause: "The value was typed without https://, or Halo is served without TLS.",
        fix: "Use the https:// address shown in Configuration > Integrations > HaloPSA API (API Details).",
        emulation: Emulation::WrongValue { var: env::URL, value: "http://halo.example.com" };
    RESOURCE_SERVER_OTHER_INSTANCE = "resource-server-other-instance", Config, "Values", "Resource Server of another instance",
        symptom: "Calls fail or show another company's data.",
        recognised: "GET <Resource Server>/authinfo names an Authorization Server on another host than the one given.",
        cause: "The Resource Server was copied from another Halo instance (a sandbox or a second tenant).",
        fix: "Copy the Resource Server and Authorization Server from the same instance's Configuration > Integrations > HaloPSA API (API Details).",
        emulation: Emulation::Scenario { scenario: "authinfo-mismatch", preset: "billing" };
    // Application permissions.
    SCOPE_MISSING = "scope-missing", Permission, "Application", "A permission the application lacks",
        symptom: "The integration connects but a sync fails, or authentication fails when it asks for that scope.",
        recognised: "The token request for the preset's scopes is refused (invalid_scope / invalid_request), or the granted scope list lacks it; asking for \"all\" shows what the application has. A granted meta scope (all, all:standard, admin, ...) counts only if the area's read then works.",
        cause: "The scope is not ticked on the application's Permissions tab.",
        fix: FIX_SCOPE_MISSING,
        emulation: Emulation::Scenario { scenario: "missing-scope", preset: "billing" };
    SCOPE_DROPPED = "scope-dropped", Permission, "Application", "A permission Halo drops silently",
        symptom: "The token is issued, but calls in one area are refused.",
        recognised: "Reported exactly as scope-missing: the granted scope list lacks the scope.",
        cause: "The scope is not ticked on the application's Permissions tab; this Halo drops it instead of refusing.",
        fix: FIX_SCOPE_MISSING,
        emulation: Emulation::Scenario { scenario: "scope-dropped", preset: "billing" },
        printed_as: SCOPE_MISSING;
    ALL_PERMISSION = "all-permission", Permission, "Application", "\"All\" ticked where the preset asks for specific permissions",
        symptom: "Integrations that ask for specific scopes fail to authenticate.",
        recognised: "The token's scope is \"all\" although specific scopes were requested (or Halo refused them and a request for \"all\" got \"all\").",
        cause: "The application's \"All\" permission is ticked.",
        fix: "On the application's Permissions tab in Configuration > Integrations > HaloPSA API > View Applications, untick \"All\" and tick exactly: {scope}. Integrations that ask for specific scopes fail when \"All\" is ticked.",
        emulation: Emulation::Scenario { scenario: "all-permission", preset: "billing" };
    TOKEN_WITHOUT_SCOPE = "token-without-scope", Permission, "Application", "A token with no scope at all",
        symptom: "The token is issued, then every API call answers 401.",
        recognised: "The granted scope list is empty.",
        cause: "No permission is ticked on the application, or the request asked for none.",
        fix: "Tick the preset's permissions on the application's Permissions tab in Configuration > Integrations > HaloPSA API > View Applications, then Save.",
        emulation: Emulation::Scenario { scenario: "no-scope-token", preset: "billing" };
    LOGIN_REFUSED = "login-refused", Auth, "Application", "Login type not Agent, or no agent chosen",
        symptom: "Authentication fails although the Client ID and Secret are right.",
        recognised: "The token endpoint answers invalid_grant or access_denied.",
        cause: "The application's Login Type is not Agent, or no \"Agent to log in as\" is set, or that agent cannot log in.",
        fix: "On the application in Configuration > Integrations > HaloPSA API > View Applications, set Login Type to Agent and choose an active \"Agent to log in as\"; check the agent is active in Configuration > Teams & Agents > Agents.",
        emulation: Emulation::Scenario { scenario: "login-refused", preset: "billing" };
    WRONG_AUTHENTICATION_METHOD = "wrong-authentication-method", Auth, "Application", "Authentication Method not \"Client ID and Secret (Services)\"",
        symptom: "Authentication fails with unsupported_grant_type.",
        recognised: "The token endpoint answers unsupported_grant_type.",
        cause: "The application uses another authentication method.",
        fix: "Set the application's Authentication Method to \"Client ID and Secret (Services)\" in Configuration > Integrations > HaloPSA API > View Applications.",
        emulation: Emulation::Scenario { scenario: "wrong-auth-method", preset: "billing" };
    APPLICATION_INACTIVE = "application-inactive", Auth, "Application", "Application inactive",
        symptom: "A connection that worked starts failing with invalid_client.",
        recognised: "Recognised as invalid-client, whose fix says to check Active.",
        cause: "The application's Active box was unticked.",
        fix: FIX_INVALID_CLIENT,
        emulation: Emulation::Evidence("Halo's token endpoint (OpenIddict) refuses a disabled client as invalid_client"),
        printed_as: INVALID_CLIENT;
    APPLICATION_AWAITING_APPROVAL = "application-awaiting-approval", Auth, "Application", "Application awaiting an administrator's approval",
        symptom: "A new application gets no token although its Client ID and Secret were copied correctly.",
        recognised: "Recognised as invalid-client, whose fix says to check that the application is approved; Halo's answer in this state is not captured.",
        cause: "Some installs require an administrator to approve (enable) a new application before any token is issued.",
        fix: FIX_INVALID_CLIENT,
        emulation: Emulation::Scenario { scenario: "awaiting-approval", preset: "billing" },
        printed_as: INVALID_CLIENT;
    SECRET_REGENERATED = "secret-regenerated", Auth, "Application", "Client Secret regenerated by a change of Login Type",
        symptom: "A connection that passed its last test is refused with invalid_client.",
        recognised: "invalid-client for a stored profile whose last test passed: this fix joins the hints.",
        cause: "Changing the application's Login Type regenerates its Client Secret, so the secret copied before stops working.",
        fix: "The secret passed its last test ({when}): if someone changed the application's Login Type since, Halo made a new Client Secret. Copy it from Configuration > Integrations > HaloPSA API > View Applications > your application and store it with `halo-connect secret set`.",
        emulation: Emulation::Evidence("a vendor's setup guide warns that selecting the Login Type changes the Client Secret; tests/it/cli runs a stored profile against the sandbox's secret-regenerated scenario"),
        printed_as: INVALID_CLIENT;
    TOKEN_REFUSED = "token-refused", Auth, "Application", "The token endpoint refused with a code halo-connect does not know",
        symptom: "Authentication fails with an error code no setup guide mentions.",
        recognised: "The token endpoint answers an OAuth error object (`error`, optional `error_description`) whose code is none of the above, or a JSON refusal of Halo's on 400/401/403; the message quotes Halo's code and description as they came.",
        cause: "Halo's Authorization Server refused to issue a token; its code and description say why.",
        fix: "Check, in this order: the Tenant in Configuration > Integrations > HaloPSA API (API Details); then the application in Configuration > Integrations > HaloPSA API > View Applications: Active ticked, Authentication Method \"Client ID and Secret (Services)\", Login Type Agent with an active \"Agent to log in as\", and the Client ID and Client Secret copied again.",
        emulation: Emulation::Scenario { scenario: "oauth-unknown-error", preset: "billing" };
    // The Agent and its Role.
    AGENT_INACTIVE = "agent-inactive", Permission, "Agent", "The application's agent is inactive",
        symptom: "Calls are refused although the token is issued.",
        recognised: "GET /api/Agent/me shows the agent disabled.",
        cause: "The agent the application logs in as has Account Active unticked.",
        fix: "Tick Account Active on the agent in Configuration > Teams & Agents > Agents, or choose an active \"Agent to log in as\" in Configuration > Integrations > HaloPSA API > View Applications.",
        emulation: Emulation::Scenario { scenario: "inactive-agent", preset: "billing" };
    ROLE_DENIED = "role-denied", Permission, "Role", "The Agent's Role lacks an access level",
        symptom: "The integration connects but one area fails with 403 or shows nothing.",
        recognised: "A probe answers 401/403 although the token carries the area's scope: the application allows it, the agent does not.",
        cause: "The Role of the application's agent lacks the area's access level.",
        fix: "In Configuration > Teams & Agents > Roles > (the Role of {agent}) > Permissions, give the agent {setting}; check the agent's Teams and \"Allow use of all Clients\" too.",
        emulation: Emulation::Scenario { scenario: "role-denied", preset: "billing" };
    ROLE_CLIENT_RESTRICTION = "role-client-restriction", Permission, "Role", "The Role restricts which Clients the agent may use",
        symptom: "The integration connects and finds no customers.",
        recognised: "GET /api/Client answers an empty list although read:customers is granted.",
        cause: "The Role's Client Restrictions do not allow all Clients, or the agent's Teams hide them.",
        fix: "In Configuration > Teams & Agents > Roles > (the Role of {agent}) > Client Restrictions, set \"Allow use of all Clients\" to Yes; check the agent's Teams in Configuration > Teams & Agents > Agents.",
        emulation: Emulation::Scenario { scenario: "client-restricted", preset: "billing" };
    // Readiness.
    ACTIVE_RECURRING_CONTRACTS = "active-recurring-contracts", Permission, "Readiness", "No active recurring contract (billing)",
        symptom: "The billing integration connects but never becomes active.",
        recognised: "GET /api/RecurringInvoice lists nothing.",
        cause: "A billing integration needs at least one active recurring agreement with usage.",
        fix: "Set up at least one active recurring contract with a recurring invoice in Halo, or wait until one is active (usually after the 1st of the month); check the agent's Role allows Invoices and Client Contracts.",
        emulation: Emulation::Scenario { scenario: "no-recurring-contracts", preset: "billing" };
    VISIBLE_TEAMS = "visible-teams", Permission, "Agent", "No Team visible to the agent (alerts)",
        symptom: "The alerting tool offers no Team to route to.",
        recognised: "GET /api/Team lists nothing.",
        cause: "The application lacks all:teams and the agent belongs to no Team.",
        fix: "Tick all:teams on the application in Configuration > Integrations > HaloPSA API > View Applications, or add the agent to the Teams on its Departments & Teams tab in Configuration > Teams & Agents > Agents.",
        emulation: Emulation::Scenario { scenario: "no-teams", preset: "alerts" };
    VISIBLE_ASSETS = "visible-assets", Permission, "Role", "No asset visible to the agent",
        symptom: "An asset integration syncs nothing.",
        recognised: "GET /api/Asset lists nothing.",
        cause: "The Role restricts Asset Types or Clients, or no asset exists yet.",
        fix: "Allow the agent's Role all Asset Types (Asset Type Restrictions) and all Clients in Configuration > Teams & Agents > Roles, and check assets exist.",
        emulation: Emulation::Scenario { scenario: "no-assets", preset: "asset-lifecycle" };
    WEBHOOK_PERMISSION = "webhook-permission", Permission, "Application", "Webhooks not readable (company sync)",
        symptom: "A sync tool cannot register its webhooks.",
        recognised: "GET /api/Webhook is refused.",
        cause: "The application lacks admin:webhooks.",
        fix: "Tick admin:webhooks on the application's Permissions tab in Configuration > Integrations > HaloPSA API > View Applications.",
        emulation: Emulation::Scenario { scenario: "no-webhooks", preset: "company-asset-sync" },
        printed_as: SCOPE_MISSING;
    // The Resource Server.
    HTML_RESOURCE_SERVER = "html-resource-server", Server, "Values", "Resource Server pointing at the web interface",
        symptom: "Calls fail with a parse error, or an HTML page where JSON was expected.",
        recognised: "A Resource Server call answers a web page (text/html).",
        cause: "The Resource Server value lacks /api or is the web interface's address.",
        fix: "Copy the Resource Server from Configuration > Integrations > HaloPSA API (API Details); it ends in /api.",
        emulation: Emulation::Scenario { scenario: "html-resource-server", preset: "billing" };
    WEB_SIGN_IN = "web-sign-in", Server, "Values", "Halo's sign-in page where the API was expected",
        symptom: "An integration's log shows a login page, or a redirect to one.",
        recognised: "An answer is a web page with a sign-in form (a password field), or lands on a sign-in path (login, signin, /Account/, authorize) after a redirect on the same host.",
        cause: "The address is the web interface's sign-in rather than the API, or a sign-in layer on Halo's host asks people to sign in before any request reaches Halo.",
        fix: "Copy the Resource Server (ending in /api) and the Authorization Server from Configuration > Integrations > HaloPSA API (API Details); if they are right, whoever runs the sign-in in front of Halo must let /api and /auth/token through without a browser sign-in.",
        emulation: Emulation::Scenario { scenario: "login-redirect", preset: "billing" };
    HALO_API_ERROR = "halo-api-error", Server, "Network", "Halo's API answered an error of its own",
        symptom: "Calls fail with a 5xx and a short JSON message.",
        recognised: "A call answers 5xx with JSON in one of Halo's error shapes ({\"Message\"}, {\"ClassName\", \"Message\"}, {\"resultCode\", \"errorMessage\"}, problem details) after the bounded retries; the message quotes it.",
        cause: "Halo itself failed on the request: a fault of this Halo version or of its database.",
        fix: "Halo failed on the request and said why (quoted above): try again later; if it persists, send that message and the Halo version to Halo support, and check the instance runs the latest stable Halo.",
        emulation: Emulation::Scenario { scenario: "api-error", preset: "billing" };
    NOT_HALO = "not-halo", Server, "Values", "An answer halo-connect does not recognise",
        symptom: "A parse error, an unexpected page, or JSON without the expected fields.",
        recognised: "Who answered is none of the above: not an OAuth error, not JSON of Halo's, not Halo's web interface, not a known web server, CDN, firewall or proxy; or JSON that does not parse or lacks access_token. The message says what answered (status, content type, Server header, the page's title or first words) and names no cause.",
        cause: "Something other than Halo's API answered at this address, and halo-connect does not recognise it.",
        fix: "Check the Authorization Server and Resource Server against Configuration > Integrations > HaloPSA API (API Details); if they are right, open the address in a browser from this machine and give the network team what answered (run again with --report FILE for a support bundle).",
        emulation: Emulation::Scenario { scenario: "unknown-answer", preset: "billing" };
    TOKEN_NOT_FOUND = "token-not-found", Auth, "Values", "Halo's API does not know the token its Authorization Server issued",
        symptom: "Calls fail with 400 Bad Request, \"Token not found\", although a token was just issued.",
        recognised: "A Resource Server read answers 400 whose words say \"Token not found\", and again with a fresh token.",
        cause: "The Authorization Server and the Resource Server belong to different instances (or a load balancer sends them to different servers), so the API does not know the tokens; a token that expired or was dropped gets the same answer, which a fresh token cures.",
        fix: "Copy the Authorization Server and the Resource Server again, both from the same instance's Configuration > Integrations > HaloPSA API (API Details), then test again.",
        emulation: Emulation::Scenario { scenario: "token-not-found-always", preset: "billing" };
    TOKEN_EXPIRED = "token-expired", Server, "Network", "Tokens that arrive already expired (clock skew)",
        symptom: "Every call after the token fails with 401.",
        recognised: "The token answer's expires_in is 0 or negative.",
        cause: "Halo's server clock (or this machine's) is wrong.",
        fix: "Check the clocks of Halo's server and this machine (NTP); a token must live about an hour.",
        emulation: Emulation::Scenario { scenario: "expired-token", preset: "billing" };
    // TLS.
    TLS_INCOMPLETE_CHAIN = "tls-incomplete-chain", Tls, "Hosting", "Certificate chain incomplete (on-premise)",
        symptom: "Browsers work, but integrations fail with a certificate error.",
        recognised: "The certificate's issuer is not trusted and the server sent no intermediate certificate.",
        cause: "The web server sends only its own certificate, not the intermediate that links it to a trusted root; browsers often fetch it themselves, integrations do not.",
        fix: "Install the full certificate chain (the certificate and its intermediates) on Halo's web server: on-premise Halo needs a fully chained certificate, and integrations will fail the same way until then.",
        emulation: Emulation::Tls { mode: "incomplete-chain", trust_ca: true };
    TLS_UNKNOWN_ISSUER = "tls-unknown-issuer", Tls, "Hosting", "Certificate from a private CA",
        symptom: "Certificate errors from every client that does not trust the company's CA.",
        recognised: "The certificate's issuer is not trusted and the chain was sent complete.",
        cause: "Halo's certificate is issued by a private or company CA this machine does not trust.",
        fix: "Pass the CA's root certificate with --ca-cert PATH (PEM), or install it in this machine's trust store; integrations need it too.",
        emulation: Emulation::Tls { mode: "valid", trust_ca: false };
    TLS_PLAIN_PORT = "tls-plain-port", Tls, "Values", "https:// to a port that speaks plain HTTP",
        symptom: "A TLS error such as \"corrupt message\" or \"wrong version number\".",
        recognised: "The server answers the TLS handshake with something that is not TLS.",
        cause: "The address says https:// but the port serves plain HTTP (or another protocol).",
        fix: "Check the scheme and port of the address: use Halo's https:// port, as shown in Configuration > Integrations > HaloPSA API (API Details).",
        emulation: Emulation::WrongValue { var: env::URL, value: "{https_base}" };
    TLS_EXPIRED = "tls-expired", Tls, "Hosting", "Certificate expired",
        symptom: "Every client fails with a certificate error.",
        recognised: "rustls reports the certificate expired.",
        cause: "Halo's TLS certificate is past its end date.",
        fix: "Renew the certificate on Halo's web server; every integration fails until then.",
        emulation: Emulation::Tls { mode: "expired", trust_ca: true };
    TLS_WRONG_HOST = "tls-wrong-host", Tls, "Hosting", "Certificate for another host name",
        symptom: "Certificate name mismatch errors.",
        recognised: "rustls reports the certificate is not valid for the host name.",
        cause: "The address uses a name the certificate does not cover (an IP address, an internal name).",
        fix: "Use the host name the certificate was issued for, as shown in Configuration > Integrations > HaloPSA API (API Details).",
        emulation: Emulation::Tls { mode: "wrong-host", trust_ca: true };
    // Network.
    DNS = "dns", Connection, "Network", "Host name not found",
        symptom: "\"could not resolve host\".",
        recognised: "The DNS lookup of the host fails.",
        cause: "The host name is misspelt, or this machine's DNS cannot see it (split DNS on-premise).",
        fix: "Check the spelling of {host} against Configuration > Integrations > HaloPSA API (API Details), and that this machine can resolve it.",
        emulation: Emulation::Evidence("reqwest reports the resolver's failure; not emulated because the test machines have no DNS");
    REFUSED = "refused", Connection, "Network", "Connection refused",
        symptom: "\"connection refused\".",
        recognised: "The TCP connection is refused.",
        cause: "Nothing listens on that host and port: a wrong port, or Halo's web server is down.",
        fix: "Check the address and port, and that Halo's web server is running. If Halo restricts access by IP address, add this machine's public address to its allow-list.",
        emulation: Emulation::WrongValue { var: env::URL, value: "http://127.0.0.1:9" };
    TIMEOUT = "timeout", Connection, "Network", "No answer in time",
        symptom: "The integration hangs, then times out.",
        recognised: "No complete answer within --timeout (connect, headers or a dripped body).",
        cause: "A firewall drops the traffic (often an IP allow-list on-premise), or Halo is overloaded.",
        fix: "Check that the address is right and the server is up, or allow more time with --timeout. If Halo restricts access by IP address, add this machine's public address to its allow-list.",
        emulation: Emulation::Scenario { scenario: "slow", preset: "billing" };
    PROXY = "proxy", Connection, "Network", "A proxy in the way",
        symptom: "Connections fail only on some networks.",
        recognised: "HTTPS_PROXY/HTTP_PROXY is set and the connection fails; the message names the proxy settings.",
        cause: "The proxy refuses or cannot reach Halo.",
        fix: FIX_PROXY,
        emulation: Emulation::Evidence("reqwest follows HTTPS_PROXY/NO_PROXY; not emulated");
    CONNECTION_FAILED = "connection-failed", Connection, "Network", "The connection failed for another reason",
        symptom: "A network error that is none of the above.",
        recognised: "Any other failure to send the request; the message quotes the underlying error.",
        cause: "A proxy, a firewall or a local network problem.",
        fix: FIX_PROXY,
        emulation: Emulation::Evidence("the catch-all for transport errors reqwest reports");
    CONNECTION_RESET = "connection-reset", Connection, "Network", "Connection cut mid-answer",
        symptom: "Intermittent failures with \"connection reset\".",
        recognised: "The connection closes before the answer is complete.",
        cause: "A proxy or firewall cuts the connection, or the server crashed mid-answer.",
        fix: "Try again; if it persists, a proxy or firewall between here and Halo is cutting the connection.",
        emulation: Emulation::Scenario { scenario: "reset", preset: "billing" };
    RATE_LIMITED = "rate-limited", Connection, "Network", "Rate limited",
        symptom: "Intermittent 429 Too Many Requests.",
        recognised: "429 answers persist after the bounded retries (Retry-After honoured).",
        cause: "Halo's request limit is used up, often by another integration.",
        fix: "Another integration may be using up Halo's request limit; wait a few minutes and test again.",
        emulation: Emulation::Scenario { scenario: "rate-limit-storm", preset: "billing" };
    SERVER_ERROR = "server-error", Server, "Network", "Halo answers 5xx",
        symptom: "Internal server errors.",
        recognised: "5xx answers persist after the bounded retries.",
        cause: "Halo has an internal error or is being updated.",
        fix: "Halo had an internal error; try again later. If it persists, check the Authorization Server and Tenant in API Details.",
        emulation: Emulation::Scenario { scenario: "server-error", preset: "billing" };
    REDIRECT_LOOP = "redirect-loop", Server, "Values", "Redirect loop",
        symptom: "\"too many redirects\".",
        recognised: "More than five redirects on one request.",
        cause: "The address leads to a page that redirects to itself (often a login page).",
        fix: "The address does not lead to Halo's API; copy the Resource Server and Authorization Server again from API Details.",
        emulation: Emulation::Scenario { scenario: "redirect-loop", preset: "billing" };
    REDIRECT_OTHER_HOST = "redirect-other-host", Server, "Values", "Redirect to another host",
        symptom: "A request is redirected away from Halo.",
        recognised: "A redirect to another host; halo-connect never follows it, so the secret stays on the host it was meant for.",
        cause: "A proxy or a web interface address in front of the API.",
        fix: "Use the address Halo shows in Configuration > Integrations > HaloPSA API (API Details); a redirect usually means a proxy or the web interface's address.",
        emulation: Emulation::Scenario { scenario: "redirect-other-host", preset: "billing" };
    BODY_TOO_LARGE = "body-too-large", Server, "Values", "An answer far too large",
        symptom: "The integration runs out of memory or hangs on a download.",
        recognised: "The answer passes the size cap (4 MB).",
        cause: "The address leads to something that is not Halo's API.",
        fix: "The address does not point at Halo's API; check the Authorization Server and Resource Server in Configuration > Integrations > HaloPSA API (API Details).",
        emulation: Emulation::Scenario { scenario: "huge-body", preset: "billing" };
    // What stands in front of Halo.
    IP_ALLOW_LIST = "ip-allow-list", Connection, "Hosting", "Halo's web server refuses this address (IP allow-list)",
        symptom: "Browsers on the office network work; the integration is refused with 403.",
        recognised: "IIS answers with an IP refusal sub-status on its error page: 403.6 (IP address rejected), or x.503/x.504 (IP Address and Domain Restrictions).",
        cause: "On-premise Halo restricts access by IP address, and the caller's public address is not on the list.",
        fix: "Add the public IP address the integration calls from to the allow-list of Halo's web server (IIS Manager > the Halo site > IP Address and Domain Restrictions) or of the firewall in front of it: the integration vendor's published addresses for the integration, and this machine's public address for this test.",
        emulation: Emulation::Scenario { scenario: "iis-ip-refused", preset: "billing" };
    WEB_SERVER_REFUSED = "web-server-refused", Connection, "Hosting", "The web server in front of Halo refused the request",
        symptom: "403 or 401 pages from IIS, nginx or Apache instead of Halo's answers.",
        recognised: "A 4xx error page in the layout of IIS, HTTP.sys, nginx or Apache, or IIS's Windows Authentication challenge, where Halo answers JSON; the message names the server, and IIS's sub-status when its page shows one.",
        cause: "The web server refused the request before Halo saw it: an IP restriction that shows no sub-status, Windows Authentication on Halo's site, a client-certificate requirement, or a rule on /api or /auth.",
        fix: "Ask whoever runs Halo's web server ({server}) why it refuses this request; its log holds the reason (the sub-status on IIS). An IP restriction needs the public address the integration calls from (and this machine's, for this test) on its allow-list; Windows Authentication must stay off for /api and /auth.",
        emulation: Emulation::Scenario { scenario: "nginx-forbidden", preset: "billing" };
    FIREWALL_BLOCKED = "firewall-blocked", Connection, "Network", "A CDN or web application firewall in front of Halo blocked the request",
        symptom: "A 403 block page (\"Access Denied\", \"you have been blocked\") with a reference number.",
        recognised: "A block page with its vendor's headers and page markers: Cloudflare (CF-Ray, Server: cloudflare), Azure Front Door (X-Azure-Ref on a 403), Azure Application Gateway, AWS (CloudFront, awselb, x-amzn-waf-action), Akamai (AkamaiGHost), Imperva (X-Iinfo), Sucuri, F5 BIG-IP.",
        cause: "A firewall rule in front of Halo refuses this caller: its address, its country, or the request's shape.",
        fix: "Ask whoever runs {front} in front of Halo (Halo support for a Halo-hosted instance, your network team on-premise) to let the integration through: allow the public address it calls from, or exempt /api and /auth/token from the rule, quoting the reference above.",
        emulation: Emulation::Scenario { scenario: "waf-block", preset: "billing" };
    FIREWALL_CHALLENGE = "firewall-challenge", Connection, "Network", "A bot challenge in front of Halo",
        symptom: "A \"Just a moment...\" or CAPTCHA page: the address works in a browser, never from an integration.",
        recognised: "Cloudflare's cf-mitigated: challenge header or challenge page, AWS WAF's x-amzn-waf-action (challenge, captcha), Imperva's script page.",
        cause: "A bot-protection rule in front of Halo asks the caller to run JavaScript or solve a CAPTCHA, which no API client can.",
        fix: "Ask whoever runs {front} in front of Halo (Halo support for a Halo-hosted instance, your network team on-premise) to exempt /api and /auth/token from the challenge, or to allow the public address the integration calls from.",
        emulation: Emulation::Scenario { scenario: "waf-challenge", preset: "billing" };
    SIGN_IN_GATEWAY = "sign-in-gateway", Connection, "Network", "A sign-in gateway in front of Halo",
        symptom: "Requests are redirected to a Microsoft, Cloudflare Access or Okta sign-in page.",
        recognised: "A redirect to another host that is a sign-in service (Microsoft Entra ID, Cloudflare Access, Okta, Google, Auth0, OneLogin, AD FS); halo-connect never follows it.",
        cause: "Halo is published through a pre-authenticating gateway (a Microsoft Entra application proxy, Cloudflare Access…) that wants a person to sign in.",
        fix: "Ask whoever publishes Halo to let /api and /auth/token through the gateway without pre-authentication (Entra application proxy: passthrough; Cloudflare Access: a bypass or service-token policy): API clients cannot sign in interactively.",
        emulation: Emulation::Scenario { scenario: "sso-gateway", preset: "billing" };
    WEB_FILTER = "web-filter", Connection, "Network", "A web filter or proxy on the caller's network blocked the request",
        symptom: "Works from one network, blocked from another; a filter product's block page.",
        recognised: "A block page that names a filtering product (FortiGuard, Zscaler, Sophos, Palo Alto Networks, Cisco Umbrella, WatchGuard, Forcepoint, Squid), or an error page of a proxy named by its Via header.",
        cause: "A web filter or proxy on the network the request leaves from refuses Halo's address.",
        fix: "Ask whoever runs this network's web filter ({front}) to allow {host}; an integration that calls from its own servers is not behind this filter, so it may work while this test fails.",
        emulation: Emulation::Scenario { scenario: "web-filter", preset: "billing" };
    PROXY_AUTH = "proxy-auth", Connection, "Network", "A proxy asks for credentials (407)",
        symptom: "\"407 Proxy Authentication Required\".",
        recognised: "An answer with status 407, or an HTTPS_PROXY tunnel refused with 407.",
        cause: "This machine reaches Halo through a proxy that wants a user name and password.",
        fix: "Give the proxy's credentials in HTTPS_PROXY (http://user:password@proxy:port), or ask the network team to let this machine reach {host} without proxy sign-in (or to list it in NO_PROXY if it may go direct).",
        emulation: Emulation::Scenario { scenario: "proxy-auth", preset: "billing" };
    // An integration's own requests (`test --as NAME`, `init --for NAME`).
    INTEGRATION_CANNOT_USE = "integration-cannot-use-values", Permission, "Values", "Values the integration cannot use",
        symptom: "The integration's form has no place for a value this Halo needs, or its code builds an address this Halo does not have.",
        recognised: "Before any request: the integration profile's own rules (presets/integrations.toml) against the values, e.g. a client that builds https://<tenant>.halopsa.com for an on-premise Halo.",
        cause: "The integration builds part of the connection itself, and this Halo does not fit what it builds.",
        fix: "{fix} `halo-connect handoff --for {integration}` shows what its form takes.",
        emulation: Emulation::Evidence("refused from the profile's rules before any request; tests/it/integrations.rs runs each through the binary");
    INTEGRATION_TOKEN_SCOPE = "integration-scope-refused", Permission, "Application", "The integration's own scope request is refused",
        symptom: "The integration's Test button fails although halo-connect's own test passes.",
        recognised: "The token request replayed with the integration's scope string is refused for its scopes (invalid_scope, or invalid_request naming scopes).",
        cause: "The integration asks for scopes of its own (n8n: admin edit:tickets edit:customers, a hidden field) that the application does not grant.",
        fix: "{fix} Then press the integration's Test button again.",
        emulation: Emulation::Evidence("the sandbox's healthy application lacks admin, which n8n asks for; tests/it/integrations.rs replays it");
    INTEGRATION_READ_DENIED = "integration-read-denied", Permission, "Application", "A first read of the integration is refused",
        symptom: "The integration connects, then its first list (sites, clients, ticket types...) is empty or fails with 401/403.",
        recognised: "One of the integration's first reads, replayed as its code makes it, answers 401 or 403.",
        cause: "The application's scopes or the agent's role do not open an area the integration reads first.",
        fix: "Give the application what {integration} reads ({fix}) on its Permissions tab (Configuration > Integrations > HaloPSA API > View Applications > your application > Permissions), and the agent's role the matching access level, then Save.",
        emulation: Emulation::Evidence("tests/it/integrations.rs replays reads against a sandbox application without the scope");
    INTEGRATION_READ_FAILED = "integration-read-failed", Server, "Values", "A first read of the integration does not get what it maps",
        symptom: "The integration connects, then a drop-down stays empty or a node fails reading a list.",
        recognised: "One of the integration's first reads, replayed as its code makes it, answers 404, a page, or JSON without the list or fields its code maps.",
        cause: "The path, the Resource Server's shape or this Halo's version does not give the list the integration's code expects.",
        fix: "Check the Resource Server the integration was given ({fix}); if it is right, this Halo does not serve what the integration reads.",
        emulation: Emulation::Evidence("tests/it/integrations.rs replays reads the sandbox lacks");
}
