//! The HTML pages the emulator answers with where Halo answers a web page rather than JSON: the web
//! interface, the sign-in page, and the error pages of IIS and ASP.NET. Constants only.

pub(crate) const WEB_UI_HTML: &str =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>HaloPSA</title></head><body><div id=\"root\">Loading HaloPSA (halo-connect sandbox)...</div>\
<script src=\"/static/js/main.js\"></script></body></html>\n";

pub(crate) const LOGIN_HTML: &str =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Log in - HaloPSA</title></head><body><form method=\"post\" action=\"/auth/Account/Login\">\
<h1>Log in to HaloPSA (halo-connect sandbox)</h1><label>Username <input name=\"username\"></label>\
<label>Password <input name=\"password\" type=\"password\"></label><button>Log in</button>\
</form></body></html>\n";

pub(crate) const NOT_FOUND_HTML: &str = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \
\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\
<head><title>404 - File or directory not found.</title></head><body><div id=\"header\"><h1>Server Error</h1></div>\
<div id=\"content\"><fieldset><h2>404 - File or directory not found.</h2><h3>The resource you are looking \
for might have been removed, had its name changed, or is temporarily unavailable.</h3></fieldset></div>\
</body></html>\n";

pub(crate) const SERVER_ERROR_HTML: &str =
    "<!DOCTYPE html>\n<html><head><title>Runtime Error</title></head>\
<body><h1>Server Error in '/' Application.</h1><h2><i>Runtime Error</i></h2>\
<p>An application error occurred on the server.</p></body></html>\n";

pub(crate) const UNAVAILABLE_HTML: &str = "<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>\
<body><h1>Service Unavailable</h1><p>HTTP Error 503. The service is unavailable.</p></body></html>\n";

pub(crate) const BAD_GATEWAY_HTML: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
<body><h1>502 - Web server received an invalid response while acting as a gateway or proxy server.</h1>\
</body></html>\n";
