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

// ---------------------------------------------------------------------------------------------
// Customer Lookup v2: every answer is HTTP 200 with the code in the body, as the seed shows
// (401 excepted).

use domain::cdp::{LookupError, LookupView, OnboardError, Onboarded};
use serde_json::{Value, json};

/// `{"idNumber", "idType"}`: both required strings (`idType` may also come as a number).
pub fn lookup_request(body: &[u8]) -> Option<(String, String)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let id_type = match &v["idType"] {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let id_number = v["idNumber"].as_str()?.trim().to_owned();
    Some((id_type, id_number))
}

fn lookup_failure(status_code: u16, error_code: u32, message: &str) -> Reply {
    Reply::json(
        200,
        json!({ "status": "failure", "statusCode": status_code, "errorCode": error_code, "message": message }),
    )
}

pub fn lookup_invalid() -> Reply {
    lookup_failure(400, 40001, "Invalid format input")
}

pub fn lookup_internal() -> Reply {
    lookup_failure(500, 45006, "Error while searching customer!")
}

/// `2030-12-10T00:00:00.000+00:00`, as the seed's `id_date_of_expiry`.
pub fn seed_date_time(d: time::Date) -> String {
    format!("{}T00:00:00.000+00:00", domain::banking::values::format_date(d))
}

pub fn lookup_reply(r: Result<LookupView, LookupError>, path: &str, now: OffsetDateTime) -> Reply {
    match r {
        Ok(v) => Reply::json(
            200,
            json!({
                "status": "success",
                "statusCode": 200,
                "data": {
                    "ecrn": v.ecrn,
                    "first_name": v.first_name,
                    "middle_name": v.middle_name,
                    "last_name": v.last_name,
                    "agent_location_id": v.agent_location_id,
                    "primary_mobile_number": v.primary_mobile_number,
                    "email_id": v.email_id,
                    "customer_status": v.customer_status.as_str(),
                    "aml_scan_status": v.aml_scan_status.as_str(),
                    "id_status": v.id_status,
                    "id_date_of_expiry": seed_date_time(v.id_date_of_expiry),
                }
            }),
        ),
        Err(LookupError::InvalidFormat) => lookup_invalid(),
        Err(LookupError::NotFound) => lookup_failure(404, 45001, "Customer not found"),
        Err(LookupError::NotSubscribed) => lookup_failure(404, 45003, "Customer not Subscribed"),
        Err(LookupError::UnderInvestigation) => lookup_failure(500, 45013, "Customer under Compliance investigation!"),
        Err(LookupError::Blocked) => lookup_failure(404, 45051, "Customer can not be Accepted"),
        Err(LookupError::Forbidden) => forbidden(path, now),
        Err(LookupError::Backend(_)) => lookup_internal(),
    }
}

// ---------------------------------------------------------------------------------------------
// Individual Onboarding: HTTP status as the seed shows per case; `request_id` in every body.

pub fn onboarding_success(o: &Onboarded, request_id: &str) -> Reply {
    Reply::json(
        200,
        json!({
            "status": "success",
            "data": {
                "aml_scan_status": o.aml_scan_status.as_str(),
                "ecrn": o.ecrn,
                "customer_status": o.customer_status.as_str(),
                "pep": o.pep,
                "aml_category": o.aml_category,
            },
            "status_code": 200,
            "request_id": request_id,
        }),
    )
}

fn onboarding_failed(http: u16, status_code: u16, error_code: u32, message: String, request_id: &str) -> Reply {
    Reply::json(
        http,
        json!({ "request_id": request_id, "status": "failed", "status_code": status_code, "error_code": error_code, "message": message }),
    )
}

/// 40002 with `details` naming every bad field.
pub fn onboarding_invalid(details: &std::collections::BTreeMap<String, String>, request_id: &str) -> Reply {
    Reply::json(
        400,
        json!({
            "status": "failure",
            "status_code": 400,
            "error_code": 40002,
            "message": "Invalid format or missing mandatory request",
            "details": details,
            "request_id": request_id,
        }),
    )
}

/// 502 / 40001 "Backend Technical Problem".
pub fn onboarding_backend(request_id: &str) -> Reply {
    Reply::json(
        502,
        json!({ "status": "failed", "message": "Backend Technical Problem", "status_code": 502, "error_code": 40001, "request_id": request_id }),
    )
}

pub fn onboarding_error(e: &OnboardError, request_id: &str, path: &str, now: OffsetDateTime) -> Reply {
    match e {
        OnboardError::Invalid(details) => onboarding_invalid(details, request_id),
        // The seed: HTTP 400 with status_code 406 in the body.
        OnboardError::MasterData(m) => onboarding_failed(400, 406, 45053, m.clone(), request_id),
        OnboardError::UnderInvestigation(ecrn) => {
            onboarding_failed(406, 406, 45013, format!("Customer {ecrn} Under Compliance Investigation"), request_id)
        }
        OnboardError::Blocked(ecrn) => {
            onboarding_failed(406, 406, 45051, format!("Customer {ecrn} Cannot be Accepted"), request_id)
        }
        OnboardError::UpdateFailed => onboarding_failed(404, 404, 45032, "Customer update failed".into(), request_id),
        OnboardError::Forbidden => forbidden(path, now),
        OnboardError::Backend(_) => onboarding_backend(request_id),
    }
}

// ---------------------------------------------------------------------------------------------
// AML Alert Closure callback (seed 003 version 1.0.2) and Onboarding Status (1.0.3). The seed's
// text stops before their tables: they answer in the onboarding API's envelope (`status`,
// `status_code`, `error_code`, `message`, `request_id`) and the lookup API's codes.

use domain::banking::store::AlertDecision;
use domain::cdp::alerts::{ClosureError, ClosureOutcome, StatusView};

/// A closure callback's fields: (ecrn, alert_id, decision, remarks).
pub type ClosureRequest = (String, String, AlertDecision, Option<String>);

/// `{"ecrn", "alert_id", "decision": "Accepted"|"Rejected", "remarks"}`; or each invalid field's message.
pub fn closure_request(body: &[u8]) -> Result<ClosureRequest, std::collections::BTreeMap<String, String>> {
    let mut bad = std::collections::BTreeMap::new();
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            bad.insert("body".into(), "Invalid JSON".into());
            return Err(bad);
        }
    };
    let ecrn = v["ecrn"].as_str().filter(|e| domain::cdp::ecrn::is_valid(e));
    if ecrn.is_none() {
        bad.insert("ecrn".into(), "Invalid ecrn".into());
    }
    let alert =
        v["alert_id"].as_str().filter(|a| !a.is_empty() && a.len() <= 64 && a.bytes().all(|b| b.is_ascii_graphic()));
    if alert.is_none() {
        bad.insert("alertId".into(), "Invalid alert id".into());
    }
    let decision = v["decision"].as_str().and_then(AlertDecision::parse);
    if decision.is_none() {
        bad.insert("decision".into(), "Invalid decision (Accepted or Rejected)".into());
    }
    let remarks = match &v["remarks"] {
        Value::Null => None,
        Value::String(r) if r.chars().count() <= 500 => Some(r.clone()),
        _ => {
            bad.insert("remarks".into(), "Invalid remarks".into());
            None
        }
    };
    match (ecrn, alert, decision) {
        (Some(e), Some(a), Some(d)) if bad.is_empty() => Ok((e.to_owned(), a.to_owned(), d, remarks)),
        _ => Err(bad),
    }
}

pub fn closure_reply(
    r: Result<ClosureOutcome, ClosureError>,
    request_id: &str,
    path: &str,
    now: OffsetDateTime,
) -> Reply {
    match r {
        Ok(o) => Reply::json(
            200,
            json!({
                "status": "success",
                "data": {
                    "ecrn": o.ecrn,
                    "alert_id": o.alert_id,
                    "decision": o.decision.as_str(),
                    "customer_status": o.customer_status.as_str(),
                    "aml_scan_status": o.aml_scan_status.as_str(),
                },
                "status_code": 200,
                "request_id": request_id,
            }),
        ),
        Err(ClosureError::NotFound) => onboarding_failed(404, 404, 45001, "Alert not found".into(), request_id),
        Err(ClosureError::Conflict) => {
            onboarding_failed(409, 409, 45062, "Alert already closed with a different decision".into(), request_id)
        }
        Err(ClosureError::Forbidden) => forbidden(path, now),
        Err(ClosureError::Backend(_)) => onboarding_backend(request_id),
    }
}

pub fn status_reply(r: Result<StatusView, LookupError>, path: &str, now: OffsetDateTime) -> Reply {
    match r {
        Ok(v) => Reply::json(
            200,
            json!({
                "status": "success",
                "statusCode": 200,
                "data": {
                    "ecrn": v.ecrn,
                    "customer_status": v.customer_status.as_str(),
                    "aml_scan_status": v.aml_scan_status.as_str(),
                    "id_status": v.id_status,
                    "approval_status": v.approval_status.map(|a| a.as_str()),
                    "alerts": v.alerts.iter().map(|a| json!({
                        "alert_id": a.alert_id,
                        "status": if a.is_open() { "Open" } else { "Closed" },
                        "opened_at": a.opened_at,
                        "closed_at": a.closed_at,
                        "decision": a.decision.map(|d| d.as_str()),
                    })).collect::<Vec<_>>(),
                    "timeline": v.timeline.iter().map(|t| json!({
                        "date": t.at,
                        "event": t.action,
                        "from_status": t.from,
                        "to_status": t.to,
                    })).collect::<Vec<_>>(),
                }
            }),
        ),
        Err(e) => lookup_reply(Err(e), path, now),
    }
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
