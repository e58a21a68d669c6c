//! Seeds 001 (ApproveDepositCommand) and 002 (RejectDepositCommand): one envelope, used by every
//! deposit command: `{"succeeded", "message", "data", "errors": [{"code","message","field"}],
//! "statusCode": <http status>}`, with the matching HTTP status.

use domain::banking::approval::{ApprovalError, Decision, FieldError};
use domain::banking::deposit::Deposit;
use domain::banking::{ApprovalStatus, AuditRecord};
use serde_json::{Value, json};

use crate::Reply;
use crate::bpm::{history_json, pending_json};

fn success(message: &str, data: Value) -> Reply {
    Reply::json(200, json!({ "succeeded": true, "message": message, "data": data, "errors": [], "statusCode": 200 }))
}

fn failure(http: u16, message: &str, errors: Vec<Value>) -> Reply {
    Reply::json(
        http,
        json!({ "succeeded": false, "message": message, "data": null, "errors": errors, "statusCode": http }),
    )
}

fn err(code: &str, message: &str, field: Option<&str>) -> Value {
    json!({ "code": code, "message": message, "field": field })
}

pub fn validation(message: &str, errors: &[FieldError]) -> Reply {
    failure(400, message, errors.iter().map(|e| err("VALIDATION_ERROR", &e.message, Some(e.field))).collect())
}

pub fn unauthorized() -> Reply {
    failure(401, "Unauthorized", vec![err("UNAUTHORIZED", "A valid bearer token is required", None)])
        .with_header("WWW-Authenticate", r#"Bearer realm="cdp""#)
}

pub fn idempotency_conflict() -> Reply {
    failure(
        422,
        "Idempotency-Key reuse",
        vec![err("IDEMPOTENCY_KEY_REUSED", "Idempotency-Key was already used with a different request", None)],
    )
}

pub fn in_progress() -> Reply {
    failure(
        409,
        "Request in progress",
        vec![err("REQUEST_IN_PROGRESS", "A request with this Idempotency-Key is in progress", None)],
    )
}

pub fn internal(message: &str) -> Reply {
    failure(500, message, vec![err("INTERNAL_ERROR", "An unexpected error occurred", None)])
}

/// The seeds' error table, plus the codes the related commands need.
pub fn error(message: &str, e: &ApprovalError) -> Reply {
    match e {
        ApprovalError::Validation(errors) => validation(message, errors),
        ApprovalError::ReasonRequired => failure(
            400,
            message,
            vec![err("REJECTION_REASON_REQUIRED", "Rejection reason is mandatory", Some("rejectionReason"))],
        ),
        ApprovalError::NotFound => {
            failure(404, message, vec![err("DEPOSIT_NOT_FOUND", "Deposit account does not exist", Some("depositId"))])
        }
        ApprovalError::NotPending => failure(
            400,
            message,
            vec![err("DEPOSIT_NOT_PENDING", "Deposit account is not in Pending_Approval status", Some("depositId"))],
        ),
        ApprovalError::NotSubmittable => failure(
            400,
            message,
            vec![err(
                "DEPOSIT_NOT_SUBMITTABLE",
                "Deposit account is not in Partial_Application status",
                Some("depositId"),
            )],
        ),
        ApprovalError::SelfApproval => {
            failure(403, message, vec![err("SELF_APPROVAL_NOT_ALLOWED", "Cannot approve your own request", None)])
        }
        ApprovalError::InsufficientPermissions => failure(
            403,
            message,
            vec![err("INSUFFICIENT_PERMISSIONS", "User does not have approval permissions", None)],
        ),
        ApprovalError::CustomerNotActive => {
            failure(400, message, vec![err("CUSTOMER_NOT_ACTIVE", "Customer is not active", Some("contactEncodedKey"))])
        }
        ApprovalError::Duplicate => failure(409, message, vec![err("DUPLICATE", "Already exists", None)]),
        ApprovalError::Unavailable(_) => internal(message),
    }
}

pub fn created(r: Result<Deposit, ApprovalError>) -> Reply {
    match r {
        Ok(d) => success(
            "Deposit account created successfully",
            json!({ "depositId": d.key.as_str(), "accountEncodedKey": d.key.as_str(), "accountNumber": d.account_number,
                    "contactEncodedKey": d.customer_key.as_str(), "status": d.status.as_str() }),
        ),
        // Creating against an unknown customer: the customer is what was not found.
        Err(ApprovalError::NotFound) => failure(
            404,
            "Failed to create deposit account",
            vec![err("CUSTOMER_NOT_FOUND", "Customer does not exist", Some("contactEncodedKey"))],
        ),
        Err(e) => error("Failed to create deposit account", &e),
    }
}

pub fn approval_requested(r: Result<Deposit, ApprovalError>) -> Reply {
    match r {
        Ok(d) => success(
            "Deposit account approval requested successfully",
            json!({ "depositId": d.key.as_str(), "accountNumber": d.account_number, "status": d.status.as_str(),
                    "requestDate": d.approval.as_ref().map(|a| a.requested_at.clone()) }),
        ),
        Err(e) => error("Failed to request deposit account approval", &e),
    }
}

/// Seeds 001/002 success bodies.
pub fn decided(d: Decision, r: Result<Deposit, ApprovalError>) -> Reply {
    let (msg_ok, msg_err) = match d {
        Decision::Approve => ("Deposit account approved successfully", "Failed to approve deposit account"),
        Decision::Reject => ("Deposit account rejected successfully", "Failed to reject deposit account"),
    };
    let dep = match r {
        Ok(x) => x,
        Err(e) => return error(msg_err, &e),
    };
    let a = dep.approval.clone();
    let by = a.as_ref().and_then(|a| a.decided_by_email.clone());
    let at = a.as_ref().and_then(|a| a.decided_at.clone());
    let comment = a.as_ref().and_then(|a| a.decision_comment.clone());
    let data = match d {
        Decision::Approve => {
            json!({ "depositId": dep.key.as_str(), "accountNumber": dep.account_number, "status": dep.status.as_str(),
                                     "approvedBy": by, "approvedDate": at, "approvalComments": comment })
        }
        Decision::Reject => {
            json!({ "depositId": dep.key.as_str(), "accountNumber": dep.account_number, "status": dep.status.as_str(),
                                    "rejectedBy": by, "rejectedDate": at, "rejectionReason": comment })
        }
    };
    success(msg_ok, data)
}

pub fn view(r: Result<(Deposit, Vec<AuditRecord>), ApprovalError>) -> Reply {
    match r {
        Ok((d, history)) => success(
            "Deposit account retrieved successfully",
            json!({
                "depositId": d.key.as_str(),
                "accountEncodedKey": d.key.as_str(),
                "accountNumber": d.account_number,
                "contactEncodedKey": d.customer_key.as_str(),
                "currencyCode": d.currency.code(),
                "productName": d.product_name,
                "branch": d.branch,
                "status": d.status.as_str(),
                "createdDate": d.created_at,
                "approvalHistory": history_json(&history),
                "pendingApproval": pending_json(d.approval.as_ref().filter(|a| a.status == ApprovalStatus::Pending)),
            }),
        ),
        Err(e) => error("Failed to retrieve deposit account", &e),
    }
}
