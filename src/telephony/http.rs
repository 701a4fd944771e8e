//! The webhooks' HTTP kit: the signed form every webhook is read through, and the XML answer.

use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tracing::warn;

use super::signature;
use crate::error::{Error, Result};
use crate::state::AppState;

/// A signed webhook's parameters. Extracting it verifies the signature: 403 otherwise.
pub(crate) struct Signed(Vec<(String, String)>);

impl Signed {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn required(&self, name: &str) -> Result<&str> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::validation(name, "is required"))
    }
}

impl FromRequest<AppState> for Signed {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let config = &state.config.telephony;
        let header = req
            .headers()
            .get("x-twilio-signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let base = if config.public_url.is_empty() {
            let host = req
                .headers()
                .get(HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            format!("http://{host}")
        } else {
            config.public_url.trim_end_matches('/').to_owned()
        };
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| Error::BadRequest("could not read the request body".into()))?;
        let forbidden = || Error::Forbidden("invalid webhook signature".into());
        let Some(header) = header else {
            return Err(forbidden());
        };
        let params: Vec<(String, String)> = if bytes.is_empty() {
            Vec::new()
        } else if is_form {
            serde_urlencoded::from_bytes(&bytes)
                .map_err(|_| Error::BadRequest("malformed form body".into()))?
        } else {
            return Err(Error::BadRequest(
                "expected Content-Type: application/x-www-form-urlencoded".into(),
            ));
        };
        let url = format!("{base}{path}");
        if !signature::verify(config.token(), &url, &params, &header) {
            warn!(route = %path.split('?').next().unwrap_or(""), "webhook with an invalid signature refused");
            metrics::counter!("dispecer_telephony_bad_signatures_total").increment(1);
            return Err(forbidden());
        }
        Ok(Signed(params))
    }
}

pub(crate) fn xml(body: String) -> Response {
    ([(CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}
