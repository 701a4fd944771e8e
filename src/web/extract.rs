//! `AppJson`, `AppQuery` and `PathParam`: JSON bodies, query strings and path parameters whose
//! errors name the field, in the common error body.

use axum::extract::{FromRequest, FromRequestParts, MatchedPath, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::domain::{ItemId, ResourceId};
use crate::error::Error;
use crate::state::AppState;

/// A JSON body. Malformed JSON is a 400; a well-formed body of the wrong shape is a 422 that
/// names the offending field (`location.lat`, `alarm_type`...).
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for AppJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let v = v.to_ascii_lowercase();
                v.starts_with("application/json") || v.contains("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(Error::BadRequest(
                "expected a JSON body with Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge {
                    limit: state.config.server.max_body_bytes,
                }
            } else {
                Error::BadRequest("could not read the request body".into())
            }
        })?;
        parse(&bytes).map(AppJson)
    }
}

/// Parses JSON into `T`, naming the field that failed.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::BadRequest(format!("malformed JSON: {e}")))?;
    if !value.is_object() {
        return Err(Error::validation("body", "must be a JSON object"));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // serde reports a missing or unknown key at its parent: name the key itself.
        let key = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|p| message.strip_prefix(p))
            .and_then(|rest| rest.split('`').next())
            // An empty key cannot name the field; its parent does.
            .filter(|k| !k.is_empty());
        let field = match (path.as_str(), key) {
            (".", Some(k)) => k.to_owned(),
            (".", None) => "body".to_owned(),
            (p, Some(k)) if p == k || p.ends_with(&format!(".{k}")) => p.to_owned(),
            (p, Some(k)) => format!("{p}.{k}"),
            (p, None) => p.to_owned(),
        };
        // An empty key shows as an empty last step ("", "inner."); name its parent instead.
        let field = match field.trim_end_matches('.') {
            "" => "body".to_owned(),
            f => f.to_owned(),
        };
        Error::validation(field, message)
    })
}

/// A query string. Unlike axum's `Query`, a bad one is the common JSON error: a 422 naming the
/// parameter when serde says which (`missing field`), else the parameter `query`.
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        let query = parts.uri.query().unwrap_or_default();
        let params = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(params)
            .map(AppQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                // A missing parameter is reported at the top, a bad value at its own name.
                let field = message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_owned)
                    .or_else(|| (!path.is_empty() && path != ".").then_some(path))
                    .unwrap_or_else(|| "query".to_owned());
                Error::validation(field, message)
            })
    }
}

/// The `Idempotency-Key` header, scoped to the caller so two clients cannot collide.
pub fn idempotency_key(
    headers: &HeaderMap,
    scope: &str,
    caller: &str,
) -> Result<Option<String>, Error> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| Error::validation("Idempotency-Key", "must be printable ASCII"))?;
    if v.is_empty() || v.len() > 128 || !v.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::validation(
            "Idempotency-Key",
            "must be 1-128 printable ASCII characters",
        ));
    }
    Ok(Some(format!("{scope}:{caller}:{v}")))
}

/// The route's path parameter, parsed into a domain type ([`FromPathParam`]): a value that does
/// not parse is a 422 naming the parameter, in the common error body. Every route has at most
/// one parameter.
pub struct PathParam<T>(pub T);

/// A type a path parameter parses into; `name` is the parameter's name in the route.
pub trait FromPathParam: Sized {
    fn from_path_param(name: &str, raw: &str) -> Result<Self, Error>;
}

impl<T: FromPathParam, S: Send + Sync> FromRequestParts<S> for PathParam<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        // The parameter's name from the route itself, for the one rejection axum can give here
        // (a value that is not UTF-8 once percent-decoded).
        let route_param = parts
            .extensions
            .get::<MatchedPath>()
            .and_then(|route| {
                route
                    .as_str()
                    .split('/')
                    .find_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "path".to_owned());
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::validation(route_param.as_str(), "is malformed"))?;
        let (name, raw) = params
            .iter()
            .next()
            .ok_or_else(|| Error::validation(route_param.as_str(), "is missing"))?;
        T::from_path_param(name, raw).map(PathParam)
    }
}

/// Two path parameters (`/{date}/trips/{id}`), each parsed like [`PathParam`]'s: a bad one is a
/// 422 naming it.
pub struct PathParams2<A, B>(pub A, pub B);

impl<A: FromPathParam, B: FromPathParam, S: Send + Sync> FromRequestParts<S> for PathParams2<A, B> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::validation("path", "is malformed"))?;
        let mut it = params.iter();
        let (Some((na, ra)), Some((nb, rb))) = (it.next(), it.next()) else {
            return Err(Error::validation("path", "is missing a parameter"));
        };
        Ok(PathParams2(
            A::from_path_param(na, ra)?,
            B::from_path_param(nb, rb)?,
        ))
    }
}

impl FromPathParam for String {
    fn from_path_param(_name: &str, raw: &str) -> Result<Self, Error> {
        Ok(raw.to_owned())
    }
}

impl FromPathParam for ItemId {
    fn from_path_param(name: &str, raw: &str) -> Result<Self, Error> {
        uuid::Uuid::parse_str(raw)
            .map(ItemId)
            .map_err(|_| Error::validation(name, "must be an item id (UUID)"))
    }
}

impl FromPathParam for ResourceId {
    fn from_path_param(name: &str, raw: &str) -> Result<Self, Error> {
        ResourceId::parse(raw).map_err(|m| Error::validation(name, m))
    }
}

impl FromPathParam for uuid::Uuid {
    fn from_path_param(name: &str, raw: &str) -> Result<Self, Error> {
        uuid::Uuid::parse_str(raw).map_err(|_| Error::validation(name, "must be a UUID"))
    }
}

impl FromPathParam for chrono::NaiveDate {
    fn from_path_param(name: &str, raw: &str) -> Result<Self, Error> {
        raw.parse()
            .map_err(|_| Error::validation(name, "is malformed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        a: u8,
    }

    fn field(body: &str) -> String {
        match parse::<Outer>(body.as_bytes()) {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_or_missing_key_is_named_with_its_path() {
        assert_eq!(field(r#"{"inner":{"a":1},"x":1}"#), "x");
        assert_eq!(field(r#"{"inner":{"a":1,"y":2}}"#), "inner.y");
        assert_eq!(field(r#"{"inner":{}}"#), "inner.a");
        assert_eq!(field(r#"{"inner":{"a":"text"}}"#), "inner.a");
    }

    #[test]
    fn an_empty_key_is_named_by_its_parent() {
        // Found by the fuzz targets `intake_alerts`, `intake_bookings` and `session_login`: a
        // body with the key "" got a 422 whose field was the empty string.
        assert_eq!(field(r#"{"inner":{"a":1},"":1}"#), "body");
        assert_eq!(field(r#"{"inner":{"a":1,"":2}}"#), "inner");
    }
}
