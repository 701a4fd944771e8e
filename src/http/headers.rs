//! What every answer carries, whatever produced it (a handler, an error, the console's static
//! files): the browser is told to run only the service's own scripts, never to show the console
//! inside another site's frame, never to guess a content type, never to send the console's
//! addresses (which name items) to another site, and, behind TLS, to use HTTPS only.
//!
//! The console is built by Vite into plain files (`<script type="module" src=…>`, linked
//! style sheets), with no inline script, no `eval` and no outside host, so the policy is tight:
//! scripts, styles, fonts and fetches from the service itself, images also as `data:` URLs (the
//! page's empty favicon), websockets to the host the page came from.

use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use super::origin::OriginPolicy;
use crate::error::Error;

/// The Content-Security-Policy, given where the page may open its websocket.
pub(crate) fn content_security_policy(websocket_sources: &[String]) -> String {
    let mut connect = String::from("'self'");
    for s in websocket_sources {
        connect.push(' ');
        connect.push_str(s);
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src {connect}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// A year, the usual HSTS lifetime; no `includeSubDomains`: other services of the directorate
/// may live on sibling names and are not ours to decide for.
const HSTS: &str = "max-age=31536000";

/// The middleware: adds the headers to every answer (keeping any a handler set itself), and
/// refuses source maps, which would publish the console's unminified source.
pub async fn secure(policy: Arc<OriginPolicy>, hsts: bool, req: Request, next: Next) -> Response {
    let csp = content_security_policy(&policy.websocket_sources(req.headers()));
    let mut response = if req.uri().path().to_ascii_lowercase().ends_with(".map") {
        Error::NotFound("file".into()).into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.entry(CONTENT_SECURITY_POLICY).or_insert(csp);
    }
    headers
        .entry(X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    headers
        .entry(REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    if hsts {
        headers
            .entry(STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(HSTS));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_the_services_own_scripts_and_no_framing() {
        let csp = content_security_policy(&["ws://127.0.0.1:8080".into()]);
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains("connect-src 'self' ws://127.0.0.1:8080;"),
            "{csp}"
        );
    }
}
