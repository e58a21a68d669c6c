//! Seed 000 (RequestCustomerApprovalCommand) envelope, used by every customer command:
//! `{"isSuccessful", "statusCode": "00" | "CBS_4xx" | "CBS_500", "message", "data"}`, with the
//! matching HTTP status.

use domain::banking::approval::{ApprovalError, Decision, FieldError};
use domain::banking::customer::Customer;
use domain::banking::store::InboxPage;
use domain::banking::values::format_date;
use domain::banking::{ApprovalStatus, AuditRecord};
use serde_json::{Value, json};

use crate::Reply;
use crate::bpm::{history_json, pending_json};

fn envelope(http: u16, code: &str, message: &str, data: Value) -> Reply {
    Reply::json(http, json!({ "isSuccessful": http < 400, "statusCode": code, "message": message, "data": data }))
}

fn ok(message: &str, data: Value) -> Reply {
    envelope(200, "00", message, data)
}

fn errors_json(errors: &[FieldError]) -> Value {
    json!({ "errors": errors.iter().map(|e| json!({"field": e.field, "message": e.message})).collect::<Vec<_>>() })
}

pub fn validation(errors: &[FieldError]) -> Reply {
    envelope(400, "CBS_400", "Validation error", errors_json(errors))
}

pub fn unauthorized() -> Reply {
    envelope(401, "CBS_401", "Unauthorized", Value::Null).with_header("WWW-Authenticate", r#"Bearer realm="cdp""#)
}

pub fn idempotency_conflict() -> Reply {
    envelope(422, "CBS_422", "Idempotency-Key was already used with a different request", Value::Null)
}

pub fn in_progress() -> Reply {
    envelope(409, "CBS_409", "A request with this Idempotency-Key is in progress", Value::Null)
}

pub fn internal() -> Reply {
    envelope(500, "CBS_500", "Internal server error", Value::Null)
}

/// Seed 000's error table, extended with CBS_401/403 for the maker-checker rules.
pub fn error(e: &ApprovalError) -> Reply {
    match e {
        ApprovalError::Validation(errors) => validation(errors),
        ApprovalError::ReasonRequired => {
            validation(&[FieldError { field: "comment", message: "Rejection reason is mandatory".into() }])
        }
        ApprovalError::NotFound => envelope(404, "CBS_404", "Customer not found", Value::Null),
        ApprovalError::NotSubmittable => envelope(409, "CBS_409", "Already in approval", Value::Null),
        ApprovalError::NotPending => envelope(409, "CBS_409", "Customer is not pending approval", Value::Null),
        ApprovalError::Duplicate => envelope(409, "CBS_409", "Customer already exists", Value::Null),
        ApprovalError::SelfApproval => {
            envelope(403, "CBS_403", "Cannot approve or reject your own request", Value::Null)
        }
        ApprovalError::InsufficientPermissions => envelope(403, "CBS_403", "Insufficient permissions", Value::Null),
        ApprovalError::CustomerNotActive => envelope(409, "CBS_409", "Customer is not active", Value::Null),
        ApprovalError::Unavailable(_) => internal(),
    }
}

fn approval_status(c: &Customer) -> Option<&'static str> {
    c.approval.as_ref().map(|a| a.status.as_str())
}

pub fn created(r: Result<Customer, ApprovalError>) -> Reply {
    match r {
        Ok(c) => ok(
            "Customer created successfully.",
            json!({ "contactEncodedKey": c.key.as_str(), "status": c.status.as_str(), "branch": c.branch }),
        ),
        Err(e) => error(&e),
    }
}

/// Seed 000's success body.
pub fn approval_requested(r: Result<Customer, ApprovalError>) -> Reply {
    match r {
        Ok(c) => ok(
            "Customer approval requested successfully.",
            json!({
                "contactEncodedKey": c.key.as_str(),
                "approvalStatus": "Pending",
                "requestDate": c.approval.as_ref().map(|a| a.requested_at.clone()),
            }),
        ),
        Err(e) => error(&e),
    }
}

pub fn decided(d: Decision, r: Result<Customer, ApprovalError>) -> Reply {
    let c = match r {
        Ok(c) => c,
        Err(e) => return error(&e),
    };
    let a = c.approval.clone();
    let by = a.as_ref().and_then(|a| a.decided_by_email.clone());
    let at = a.as_ref().and_then(|a| a.decided_at.clone());
    let comment = a.as_ref().and_then(|a| a.decision_comment.clone());
    match d {
        Decision::Approve => ok(
            "Customer approved successfully.",
            json!({ "contactEncodedKey": c.key.as_str(), "status": c.status.as_str(), "approvalStatus": "Approved",
                    "approvedBy": by, "approvedDate": at, "approvalComments": comment }),
        ),
        Decision::Reject => ok(
            "Customer rejected successfully.",
            json!({ "contactEncodedKey": c.key.as_str(), "status": c.status.as_str(), "approvalStatus": "Rejected",
                    "rejectedBy": by, "rejectedDate": at, "rejectionReason": comment }),
        ),
    }
}

pub fn view(r: Result<(Customer, Vec<AuditRecord>), ApprovalError>) -> Reply {
    match r {
        Ok((c, history)) => ok(
            "Customer retrieved successfully.",
            json!({
                "contactEncodedKey": c.key.as_str(),
                "firstName": c.first_name.as_str(),
                "lastName": c.last_name.as_str(),
                "dateOfBirth": format_date(c.date_of_birth),
                "nationality": c.nationality.alpha2(),
                "idType": c.id_type.as_str(),
                "idNumber": c.id_number.as_str(),
                "mobileNumber": c.mobile_number.as_str(),
                "email": c.email.as_str(),
                "branch": c.branch,
                "status": c.status.as_str(),
                "approvalStatus": approval_status(&c),
                "createdDate": c.created_at,
                "approvalHistory": history_json(&history),
                "pendingApproval": pending_json(c.approval.as_ref().filter(|a| a.status == ApprovalStatus::Pending)),
            }),
        ),
        Err(e) => error(&e),
    }
}

pub fn inbox(r: Result<InboxPage, ApprovalError>) -> Reply {
    match r {
        Ok(page) => ok(
            "Pending approvals retrieved successfully.",
            json!({
                "items": page.items.iter().map(|i| json!({
                    "entityType": if i.entity == domain::banking::EntityKind::Customer { "Customer" } else { "Deposit" },
                    "key": i.key,
                    "branch": i.branch,
                    "status": i.status,
                    "requestedBy": i.requested_by_username,
                    "requestedByUserId": i.requested_by,
                    "requestDate": i.requested_at,
                    "notes": i.request_comment,
                })).collect::<Vec<_>>(),
                "nextPageToken": page.next_page_token,
            }),
        ),
        Err(e) => error(&e),
    }
}
