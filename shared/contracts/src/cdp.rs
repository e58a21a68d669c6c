//! Seed 003, Customer Data Platform: envelopes shared by its endpoints.

use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::Reply;

/// The documented authentication failure (HTTP 401), e.g.
/// `{"timestamp":"2023-12-22T06:04:30.477+00:00","status":401,"error":"Unauthorized","message":"","path":"/api/v2/customer/validate"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unauthorized {
    pub timestamp: String,
    pub status: u16,
    pub error: &'static str,
    pub message: &'static str,
    pub path: String,
}

/// `2023-12-22T06:04:30.477+00:00`: milliseconds and a numeric UTC offset, as in the seed.
pub fn seed_timestamp(t: OffsetDateTime) -> String {
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory]:[offset_minute]"
    );
    t.to_offset(time::UtcOffset::UTC).format(&fmt).expect("static format")
}

pub fn unauthorized(path: &str, now: OffsetDateTime) -> Reply {
    Reply::json(
        401,
        Unauthorized {
            timestamp: seed_timestamp(now),
            status: 401,
            error: "Unauthorized",
            message: "",
            path: path.to_owned(),
        },
    )
    .with_header("WWW-Authenticate", r#"Bearer realm="cdp""#)
}

/// Authenticated but not allowed (same shape as the 401; the seed documents no 403 for these
/// endpoints, so its 401 envelope is reused with Spring's wording for 403).
pub fn forbidden(path: &str, now: OffsetDateTime) -> Reply {
    Reply::json(
        403,
        Unauthorized {
            timestamp: seed_timestamp(now),
            status: 403,
            error: "Forbidden",
            message: "",
            path: path.to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_has_the_seed_shape() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_703_225_070_477_000_000).unwrap();
        let r = unauthorized("/api/v2/customer/validate", t);
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body,
            serde_json::json!({
                "timestamp": "2023-12-22T06:04:30.477+00:00",
                "status": 401,
                "error": "Unauthorized",
                "message": "",
                "path": "/api/v2/customer/validate"
            })
        );
    }
}
