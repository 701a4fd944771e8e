//! Cross-site request forgery: a page on another origin must not act with a dispatcher's session.
//!
//! The session cookie is `SameSite=Strict`, but "site" is the registrable domain: a page on a
//! sibling subdomain, or on another port of the same host, is the same site and its requests
//! carry the cookie. So the browser's own statement of where a request comes from is checked:
//!
//! - **What is checked**: every request that would change something with the session cookie
//!   (any method but GET, HEAD, OPTIONS and TRACE), the login (`POST /api/v1/session`, so that a
//!   foreign page cannot log a browser into another account), and every websocket upgrade
//!   (`/ws`), however it authenticates.
//! - **What passes**: an `Origin` in `server.allowed_origins`, or, when that list is empty, the
//!   origin the request is addressed to (its `Host` header; `https` only with
//!   `server.secure_cookie`). Without an `Origin` header, a `Sec-Fetch-Site` of `cross-site` or
//!   `same-site` is refused; with neither header the request is not from a browser page that
//!   could be forged (browsers send `Origin` on every cross-origin POST and on every websocket
//!   handshake), so it passes: curl, the tablets' HTTP clients, the test suite.
//! - **What is not checked**: bearer-token requests without the cookie (tablets, alarm
//!   receivers, telephony webhooks, which are signed): a foreign page has no way to attach a
//!   token it does not know.
//!
//! A refused request gets 403 with the JSON error body before any handler runs, so it changes
//! nothing.

use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN, UPGRADE};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use crate::config::ServerConfig;
use crate::error::Error;

/// `http` or `https` and where: a browser origin (RFC 6454), normalised so that equal origins
/// compare equal (lower case, default port spelled out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    https: bool,
    host: String,
    port: u16,
}

impl Origin {
    /// `scheme://host[:port]` with scheme `http` or `https`; `None` for anything else (a path,
    /// user info, another scheme, the opaque origin `null`). One trailing `/` is tolerated, for
    /// origins written by hand in the configuration.
    pub fn parse(text: &str) -> Option<Origin> {
        let text = text.trim().to_ascii_lowercase();
        let (https, rest) = if let Some(rest) = text.strip_prefix("https://") {
            (true, rest)
        } else {
            (false, text.strip_prefix("http://")?)
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = split_host_port(rest)?;
        Some(Origin {
            https,
            host,
            port: port.unwrap_or(if https { 443 } else { 80 }),
        })
    }

    /// The origin a request with this `Host` header was sent to, over the given scheme.
    fn of_host(host: &str, https: bool) -> Option<Origin> {
        let (host, port) = split_host_port(&host.trim().to_ascii_lowercase())?;
        Some(Origin {
            https,
            host,
            port: port.unwrap_or(if https { 443 } else { 80 }),
        })
    }
}

/// `host[:port]`, the host a name, an IPv4 address or a bracketed IPv6 address.
fn split_host_port(text: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if text.starts_with('[') {
        let end = text.find(']')?;
        let (host, rest) = text.split_at(end + 1);
        if !host[1..host.len() - 1]
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    if !host.starts_with('[')
        && (host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'))
    {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    Some((host.to_owned(), port))
}

/// Which origins may use the session: built once from `server.*`.
#[derive(Clone, Debug)]
pub struct OriginPolicy {
    allowed: Vec<Origin>,
    https_only: bool,
}

impl OriginPolicy {
    /// Fails naming the key when an entry of `server.allowed_origins` is not an origin.
    pub fn new(server: &ServerConfig) -> anyhow::Result<Self> {
        let allowed = server
            .allowed_origins
            .iter()
            .map(|text| {
                Origin::parse(text).ok_or_else(|| {
                    anyhow::anyhow!(
                        "server.allowed_origins: {text:?} is not an origin \
                         (http:// or https://, a host, an optional port, no path)"
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(OriginPolicy {
            allowed,
            https_only: server.secure_cookie,
        })
    }

    /// No configured origins: only the one each request is addressed to.
    pub fn same_host(https_only: bool) -> Self {
        OriginPolicy {
            allowed: Vec::new(),
            https_only,
        }
    }

    /// Where the console's pages may open their websocket, for the CSP's `connect-src`
    /// (`'self'` does not cover `ws:` in every browser): the configured origins, or the host
    /// this request was addressed to.
    pub(crate) fn websocket_sources(&self, headers: &HeaderMap) -> Vec<String> {
        if !self.allowed.is_empty() {
            return self
                .allowed
                .iter()
                .map(|o| match (o.https, o.port) {
                    (true, 443) => format!("wss://{}", o.host),
                    (false, 80) => format!("ws://{}", o.host),
                    (true, port) => format!("wss://{}:{port}", o.host),
                    (false, port) => format!("ws://{}:{port}", o.host),
                })
                .collect();
        }
        let Some((host, port)) = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| split_host_port(&h.trim().to_ascii_lowercase()))
        else {
            return Vec::new();
        };
        let authority = match port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        };
        let mut sources = vec![format!("wss://{authority}")];
        if !self.https_only {
            sources.push(format!("ws://{authority}"));
        }
        sources
    }

    fn allows(&self, origin: &Origin, host: Option<&str>) -> bool {
        if !self.allowed.is_empty() {
            return self.allowed.contains(origin);
        }
        if self.https_only && !origin.https {
            return false;
        }
        host.and_then(|h| Origin::of_host(h, origin.https))
            .is_some_and(|addressed| addressed == *origin)
    }

    /// Whether a request may go on: `Err` is the 403 to answer instead.
    pub fn check(&self, method: &Method, path: &str, headers: &HeaderMap) -> Result<(), Error> {
        if !must_check(method, path, headers) {
            return Ok(());
        }
        let mut origins = headers.get_all(ORIGIN).iter();
        let origin = origins.next();
        let refused = || {
            Error::Forbidden(
                "this request comes from a page on another origin; it is not accepted \
                 (server.allowed_origins)"
                    .into(),
            )
        };
        if origins.next().is_some() {
            return Err(refused());
        }
        match origin {
            Some(value) => {
                let host = headers.get(HOST).and_then(|h| h.to_str().ok());
                let origin = value.to_str().ok().and_then(Origin::parse);
                match origin {
                    Some(o) if self.allows(&o, host) => Ok(()),
                    _ => Err(refused()),
                }
            }
            None => match headers
                .get("sec-fetch-site")
                .map(|v| v.as_bytes().to_ascii_lowercase())
                .as_deref()
            {
                Some(b"cross-site") | Some(b"same-site") => Err(refused()),
                _ => Ok(()),
            },
        }
    }
}

/// A websocket handshake, a login, or a cookie-authenticated change.
fn must_check(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let websocket = path == "/ws"
        || headers
            .get_all(UPGRADE)
            .iter()
            .any(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let changes = !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    let login = path == "/api/v1/session" && *method == Method::POST;
    websocket || (changes && (login || crate::web::auth::session_cookie(headers).is_some()))
}

/// The middleware: refuses a forged request before routing reaches a handler.
pub async fn check(policy: Arc<OriginPolicy>, req: Request, next: Next) -> Response {
    match policy.check(req.method(), req.uri().path(), req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => {
            metrics::counter!("dispecer_http_origin_refusals_total").increment(1);
            e.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn policy(allowed: &[&str], secure: bool) -> OriginPolicy {
        let mut server = crate::config::Config::default_for_tests().server;
        server.allowed_origins = allowed.iter().map(|s| (*s).to_owned()).collect();
        server.secure_cookie = secure;
        OriginPolicy::new(&server).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const COOKIE: (&str, &str) = ("cookie", "dispecer_session=dss_x");

    #[test]
    fn origins_compare_equal_whatever_the_case_and_the_default_port() {
        assert_eq!(
            Origin::parse("HTTPS://Dispecer.Example:443"),
            Origin::parse("https://dispecer.example")
        );
        assert_eq!(
            Origin::parse("http://[::1]:8080/"),
            Origin::of_host("[::1]:8080", false)
        );
        assert_ne!(
            Origin::parse("http://dispecer.example"),
            Origin::parse("https://dispecer.example")
        );
        for bad in [
            "null",
            "ftp://x",
            "https://x/path",
            "https://user@x",
            "https://x:99999",
            "https://",
            "https://x:",
            "https://a b",
        ] {
            assert_eq!(Origin::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_cookie_post_passes_from_its_own_origin_only() {
        let p = policy(&[], false);
        let own = headers(&[
            COOKIE,
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(p
            .check(&Method::POST, "/api/v1/items/x/acknowledge", &own)
            .is_ok());
        for foreign in [
            "http://127.0.0.1:8081",
            "http://evil.example",
            "https://sub.127.0.0.1:8080",
            "null",
        ] {
            let h = headers(&[COOKIE, ("host", "127.0.0.1:8080"), ("origin", foreign)]);
            assert!(
                p.check(&Method::POST, "/api/v1/x", &h).is_err(),
                "{foreign}"
            );
            assert!(
                p.check(&Method::DELETE, "/api/v1/x", &h).is_err(),
                "{foreign}"
            );
            // Reads are not forged writes: SameSite and the absence of CORS cover them.
            assert!(p.check(&Method::GET, "/api/v1/x", &h).is_ok(), "{foreign}");
        }
    }

    #[test]
    fn without_an_origin_the_fetch_metadata_decides_and_non_browsers_pass() {
        let p = policy(&[], false);
        for (site, ok) in [
            (Some("cross-site"), false),
            (Some("same-site"), false),
            (Some("same-origin"), true),
            (Some("none"), true),
            (None, true),
        ] {
            let mut h = headers(&[COOKIE, ("host", "127.0.0.1:8080")]);
            if let Some(site) = site {
                h.insert("sec-fetch-site", HeaderValue::from_static(site));
            }
            assert_eq!(
                p.check(&Method::POST, "/api/v1/x", &h).is_ok(),
                ok,
                "{site:?}"
            );
        }
    }

    #[test]
    fn bearer_requests_without_the_cookie_are_not_checked_but_websockets_and_logins_are() {
        let p = policy(&[], false);
        let foreign = |extra: &[(&'static str, &str)]| {
            let mut h = headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ]);
            for (k, v) in extra {
                h.append(*k, HeaderValue::from_str(v).unwrap());
            }
            h
        };
        let bearer = foreign(&[("authorization", "Bearer dsp_x")]);
        assert!(p.check(&Method::POST, "/api/v1/alerts", &bearer).is_ok());
        assert!(p.check(&Method::GET, "/ws", &bearer).is_err());
        assert!(p
            .check(
                &Method::GET,
                "/elsewhere",
                &foreign(&[("upgrade", "WebSocket")])
            )
            .is_err());
        assert!(p
            .check(&Method::POST, "/api/v1/session", &foreign(&[]))
            .is_err());
    }

    #[test]
    fn configured_origins_replace_the_host_and_tls_wants_https() {
        let p = policy(&["https://dispecer.example"], true);
        let from =
            |origin: &str| headers(&[COOKIE, ("host", "127.0.0.1:8080"), ("origin", origin)]);
        assert!(p
            .check(
                &Method::POST,
                "/api/v1/x",
                &from("https://dispecer.example")
            )
            .is_ok());
        assert!(p
            .check(&Method::POST, "/api/v1/x", &from("http://127.0.0.1:8080"))
            .is_err());
        assert!(p
            .check(&Method::POST, "/api/v1/x", &from("http://dispecer.example"))
            .is_err());
        let tls = policy(&[], true);
        let h = |origin: &str| headers(&[COOKIE, ("host", "dispecer.example"), ("origin", origin)]);
        assert!(tls
            .check(&Method::POST, "/api/v1/x", &h("https://dispecer.example"))
            .is_ok());
        assert!(tls
            .check(&Method::POST, "/api/v1/x", &h("http://dispecer.example"))
            .is_err());
        let two = headers(&[
            COOKIE,
            ("host", "dispecer.example"),
            ("origin", "https://dispecer.example"),
            ("origin", "https://evil.example"),
        ]);
        assert!(tls.check(&Method::POST, "/api/v1/x", &two).is_err());
    }

    #[test]
    fn a_bad_configured_origin_is_refused_naming_the_key() {
        let mut server = crate::config::Config::default_for_tests().server;
        server.allowed_origins = vec!["dispecer.example".into()];
        let e = OriginPolicy::new(&server).unwrap_err().to_string();
        assert!(e.starts_with("server.allowed_origins:"), "{e}");
    }
}
