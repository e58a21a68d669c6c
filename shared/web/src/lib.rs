//! What every HTTP function does the same way: turn a contract `Reply` into a Lambda response,
//! read headers, and authenticate the bearer token with the one shared verifier.

use contracts::Reply;
use domain::auth::{AuthError, Principal, Verifier};
use domain::ports::PublicKeySource;
use lambda_http::http::HeaderValue;
use lambda_http::{Body, Request, RequestExt, Response};

pub use lambda_http::{Error, run, service_fn};

/// Structured logs (JSON in Lambda when the function's log format is JSON), level from
/// `RUST_LOG`. Nothing logged anywhere carries PII: ids, codes and event names only.
pub fn init_tracing() {
    lambda_http::tracing::init_default_subscriber();
}

pub fn to_response(reply: Reply) -> Response<Body> {
    let mut builder = Response::builder().status(reply.status).header("Content-Type", "application/json");
    for (k, v) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            builder = builder.header(k, v);
        }
    }
    builder.body(Body::from(reply.body.to_string())).expect("status and headers are valid")
}

pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The path as the caller sent it (for error bodies that echo it).
pub fn path(req: &Request) -> String {
    let raw = req.raw_http_path();
    if raw.is_empty() { req.uri().path().to_owned() } else { raw.to_owned() }
}

/// `Authorization: Bearer <token>` verified, or the seed's 401 reply.
pub async fn authenticate<K: PublicKeySource>(verifier: &Verifier<K>, req: &Request) -> Result<Principal, Reply> {
    let token = header(req, "authorization")
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let result = match token {
        Some(t) => verifier.verify(t).await,
        None => Err(AuthError::Missing),
    };
    result.map_err(|e| {
        // The reason is logged (no token contents); the caller only learns "401".
        tracing::info!(event = "auth_refused", reason = %e);
        contracts::cdp::unauthorized(&path(req), time::OffsetDateTime::now_utc())
    })
}

/// For handler tests: the API Gateway event `fixture` (from `events/`) with `Authorization: Bearer <token>`.
#[cfg(feature = "testing")]
pub fn request_with_bearer(fixture: &str, token: &str) -> Request {
    let mut v: serde_json::Value = serde_json::from_str(fixture).expect("fixture is JSON");
    v["headers"]["authorization"] = format!("Bearer {token}").into();
    lambda_http::request::from_str(&v.to_string()).expect("fixture is an API Gateway event")
}
