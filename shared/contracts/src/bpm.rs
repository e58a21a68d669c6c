//! The BPM command envelope of seeds 000-002: `POST /api/bpm/cmd` with
//! `{"commandName" | "cmd": "...", "data": {...}}`, the field aliases the seeds use, and the
//! dispatch of each command to the approval service. Answers are rendered by [`bpm_customer`]
//! (seed 000's envelope) or [`bpm_deposit`] (seeds 001/002's envelope).
//!
//! [`bpm_customer`]: crate::bpm_customer
//! [`bpm_deposit`]: crate::bpm_deposit

use domain::auth::Principal;
use domain::banking::approval::{Decision, EntityKind, FieldError};
use domain::banking::customer::{Customer, CustomerInput};
use domain::banking::deposit::{Deposit, DepositInput};
use domain::banking::service::{BankService, parse_key};
use domain::banking::store::BankStore;
use domain::ports::{Clock, IdGenerator};
use serde_json::{Map, Value};

use crate::{Reply, bpm_customer as cust, bpm_deposit as dep};

/// Which seed's envelope a command answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Seed 000: `isSuccessful` / `statusCode` "00" | "CBS_4xx".
    Customer,
    /// Seeds 001/002: `succeeded` / `errors[]` / numeric `statusCode`.
    Deposit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    CreateCustomer(CustomerInput),
    RequestCustomerApproval { key: Option<String>, notes: Option<String> },
    ApproveCustomer { key: Option<String>, comment: Option<String> },
    RejectCustomer { key: Option<String>, comment: Option<String> },
    RetrieveCustomerById { key: Option<String> },
    CreateDeposit(DepositInput),
    RequestDepositApproval { key: Option<String>, comment: Option<String> },
    ApproveDeposit { key: Option<String>, comment: Option<String> },
    RejectDeposit { key: Option<String>, comment: Option<String> },
    RetrieveDepositById { key: Option<String> },
    RetrievePendingApprovals { entity_type: Option<String>, branch: Option<String>, page_token: Option<String> },
}

/// Every command name this endpoint knows.
pub const COMMANDS: [&str; 11] = [
    "CreateCustomerCommand",
    "RequestCustomerApprovalCommand",
    "ApproveCustomerCommand",
    "RejectCustomerCommand",
    "RetrieveCustomerByIdQuery",
    "CreateDepositCommand",
    "RequestDepositApprovalCommand",
    "ApproveDepositCommand",
    "RejectDepositCommand",
    "RetrieveDepositByIdQuery",
    "RetrievePendingApprovalsQuery",
];

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Self::CreateCustomer(_) => COMMANDS[0],
            Self::RequestCustomerApproval { .. } => COMMANDS[1],
            Self::ApproveCustomer { .. } => COMMANDS[2],
            Self::RejectCustomer { .. } => COMMANDS[3],
            Self::RetrieveCustomerById { .. } => COMMANDS[4],
            Self::CreateDeposit(_) => COMMANDS[5],
            Self::RequestDepositApproval { .. } => COMMANDS[6],
            Self::ApproveDeposit { .. } => COMMANDS[7],
            Self::RejectDeposit { .. } => COMMANDS[8],
            Self::RetrieveDepositById { .. } => COMMANDS[9],
            Self::RetrievePendingApprovals { .. } => COMMANDS[10],
        }
    }

    pub fn family(&self) -> Family {
        match self {
            Self::CreateDeposit(_)
            | Self::RequestDepositApproval { .. }
            | Self::ApproveDeposit { .. }
            | Self::RejectDeposit { .. }
            | Self::RetrieveDepositById { .. } => Family::Deposit,
            _ => Family::Customer,
        }
    }

    /// Reads only; no `Idempotency-Key` handling needed.
    pub fn is_query(&self) -> bool {
        matches!(
            self,
            Self::RetrieveCustomerById { .. }
                | Self::RetrieveDepositById { .. }
                | Self::RetrievePendingApprovals { .. }
        )
    }
}

/// A request that could not be read as a command, answered in `family`'s envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub family: Family,
    pub errors: Vec<FieldError>,
}

impl Malformed {
    pub fn reply(&self) -> Reply {
        match self.family {
            Family::Customer => cust::validation(&self.errors),
            Family::Deposit => dep::validation("Invalid command", &self.errors),
        }
    }
}

fn bad(family: Family, field: &'static str, message: &str) -> Malformed {
    Malformed { family, errors: vec![FieldError { field, message: message.into() }] }
}

/// String field under any of its documented names. A non-string value, or two aliases with
/// different values, is a validation error (never a 500).
struct Fields<'a> {
    data: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    fn get(&mut self, names: &[&'static str]) -> Option<String> {
        let mut found: Option<String> = None;
        for name in names {
            match self.data.get(*name) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => match &found {
                    Some(prev) if prev != s => {
                        self.errors
                            .push(FieldError { field: name, message: format!("{name} conflicts with {}", names[0]) });
                    }
                    _ => found = Some(s.clone()),
                },
                Some(Value::Number(n)) if names[0] == "idType" => found = Some(n.to_string()),
                Some(_) => self.errors.push(FieldError { field: name, message: format!("{name} must be a string") }),
            }
        }
        found
    }
}

/// Parses the body of `POST /api/bpm/cmd`.
pub fn parse(body: &[u8]) -> Result<Command, Malformed> {
    let value: Value = serde_json::from_slice(body).map_err(|_| bad(Family::Customer, "body", "Malformed JSON"))?;
    let Value::Object(root) = value else {
        return Err(bad(Family::Customer, "body", "The body must be a JSON object"));
    };
    // Answer in the envelope of the seed whose spelling the caller used until the name is known.
    let spelled_cmd = root.contains_key("cmd") && !root.contains_key("commandName");
    let fallback = if spelled_cmd { Family::Deposit } else { Family::Customer };
    let name = match (root.get("commandName"), root.get("cmd")) {
        (Some(Value::String(a)), Some(Value::String(b))) if a != b => {
            return Err(bad(fallback, "commandName", "commandName and cmd differ"));
        }
        (Some(Value::String(a)), _) | (None, Some(Value::String(a))) => a.clone(),
        (None, None) => return Err(bad(fallback, "commandName", "commandName is required")),
        _ => return Err(bad(fallback, "commandName", "commandName must be a string")),
    };
    let empty = Map::new();
    let data = match root.get("data") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => &empty,
        Some(_) => return Err(bad(fallback, "data", "data must be an object")),
    };
    let mut f = Fields { data, errors: Vec::new() };
    const CUST_KEY: &[&str] = &["contactEncodedKey", "key", "customerId"];
    const DEP_KEY: &[&str] = &["accountEncodedKey", "depositId", "key"];
    let cmd = match name.as_str() {
        "CreateCustomerCommand" => Command::CreateCustomer(CustomerInput {
            first_name: f.get(&["firstName"]),
            last_name: f.get(&["lastName"]),
            date_of_birth: f.get(&["dateOfBirth"]),
            nationality: f.get(&["nationality"]),
            id_type: f.get(&["idType"]),
            id_number: f.get(&["idNumber"]),
            mobile_number: f.get(&["mobileNumber"]),
            email: f.get(&["email"]),
        }),
        "RequestCustomerApprovalCommand" => {
            Command::RequestCustomerApproval { key: f.get(CUST_KEY), notes: f.get(&["notes", "comment"]) }
        }
        "ApproveCustomerCommand" => {
            Command::ApproveCustomer { key: f.get(CUST_KEY), comment: f.get(&["comment", "approvalComments"]) }
        }
        "RejectCustomerCommand" => {
            Command::RejectCustomer { key: f.get(CUST_KEY), comment: f.get(&["comment", "rejectionReason"]) }
        }
        "RetrieveCustomerByIdQuery" => Command::RetrieveCustomerById { key: f.get(CUST_KEY) },
        "CreateDepositCommand" => Command::CreateDeposit(DepositInput {
            contact_encoded_key: f.get(&["contactEncodedKey"]),
            currency_code: f.get(&["currencyCode"]),
            product_name: f.get(&["productName"]),
        }),
        "RequestDepositApprovalCommand" => {
            Command::RequestDepositApproval { key: f.get(DEP_KEY), comment: f.get(&["comment", "notes"]) }
        }
        "ApproveDepositCommand" => {
            Command::ApproveDeposit { key: f.get(DEP_KEY), comment: f.get(&["comment", "approvalComments"]) }
        }
        "RejectDepositCommand" => {
            Command::RejectDeposit { key: f.get(DEP_KEY), comment: f.get(&["comment", "rejectionReason"]) }
        }
        "RetrieveDepositByIdQuery" => Command::RetrieveDepositById { key: f.get(DEP_KEY) },
        "RetrievePendingApprovalsQuery" => Command::RetrievePendingApprovals {
            entity_type: f.get(&["entityType"]),
            branch: f.get(&["branch"]),
            page_token: f.get(&["pageToken"]),
        },
        _ => return Err(bad(fallback, "commandName", "Unknown command")),
    };
    if f.errors.is_empty() { Ok(cmd) } else { Err(Malformed { family: cmd.family(), errors: f.errors }) }
}

/// Runs a command for `actor` and renders the answer in its seed's envelope.
pub async fn execute<S: BankStore, C: Clock, I: IdGenerator>(
    bank: &BankService<S, C, I>,
    actor: &Principal,
    cmd: Command,
) -> Reply {
    match cmd {
        Command::CreateCustomer(input) => cust::created(bank.create_customer(actor, &input).await),
        Command::RequestCustomerApproval { key, notes } => match parse_key(key.as_deref(), "contactEncodedKey") {
            Ok(k) => cust::approval_requested(bank.request_approval::<Customer>(actor, &k, notes).await),
            Err(e) => cust::error(&e),
        },
        Command::ApproveCustomer { key, comment } => match parse_key(key.as_deref(), "contactEncodedKey") {
            Ok(k) => {
                cust::decided(Decision::Approve, bank.decide::<Customer>(actor, &k, Decision::Approve, comment).await)
            }
            Err(e) => cust::error(&e),
        },
        Command::RejectCustomer { key, comment } => match parse_key(key.as_deref(), "contactEncodedKey") {
            Ok(k) => {
                cust::decided(Decision::Reject, bank.decide::<Customer>(actor, &k, Decision::Reject, comment).await)
            }
            Err(e) => cust::error(&e),
        },
        Command::RetrieveCustomerById { key } => match parse_key(key.as_deref(), "contactEncodedKey") {
            Ok(k) => cust::view(bank.view::<Customer>(actor, &k).await),
            Err(e) => cust::error(&e),
        },
        Command::CreateDeposit(input) => dep::created(bank.create_deposit(actor, &input).await),
        Command::RequestDepositApproval { key, comment } => match parse_key(key.as_deref(), "depositId") {
            Ok(k) => dep::approval_requested(bank.request_approval::<Deposit>(actor, &k, comment).await),
            Err(e) => dep::error("Failed to request deposit account approval", &e),
        },
        Command::ApproveDeposit { key, comment } => match parse_key(key.as_deref(), "depositId") {
            Ok(k) => {
                dep::decided(Decision::Approve, bank.decide::<Deposit>(actor, &k, Decision::Approve, comment).await)
            }
            Err(e) => dep::error("Failed to approve deposit account", &e),
        },
        Command::RejectDeposit { key, comment } => match parse_key(key.as_deref(), "depositId") {
            Ok(k) => dep::decided(Decision::Reject, bank.decide::<Deposit>(actor, &k, Decision::Reject, comment).await),
            Err(e) => dep::error("Failed to reject deposit account", &e),
        },
        Command::RetrieveDepositById { key } => match parse_key(key.as_deref(), "depositId") {
            Ok(k) => dep::view(bank.view::<Deposit>(actor, &k).await),
            Err(e) => dep::error("Failed to retrieve deposit account", &e),
        },
        Command::RetrievePendingApprovals { entity_type, branch, page_token } => {
            let kind = match entity_type.as_deref().map(EntityKind::parse) {
                Some(None) => {
                    return cust::validation(&[FieldError {
                        field: "entityType",
                        message: "entityType must be Customer or Deposit".into(),
                    }]);
                }
                other => other.flatten(),
            };
            cust::inbox(bank.inbox(actor, kind, branch, page_token).await)
        }
    }
}

/// The 401 of this endpoint, in the command's envelope (the seeds document none; see README).
pub fn unauthorized(family: Family) -> Reply {
    match family {
        Family::Customer => cust::unauthorized(),
        Family::Deposit => dep::unauthorized(),
    }
}

/// `approvalHistory` entries (both envelopes).
pub(crate) fn history_json(history: &[domain::banking::AuditRecord]) -> Value {
    Value::Array(
        history
            .iter()
            .map(|h| {
                serde_json::json!({
                    "transitionId": h.transition_id,
                    "action": h.action,
                    "fromStatus": h.from,
                    "toStatus": h.to,
                    "by": h.actor_username,
                    "byUserId": h.actor_sub,
                    "date": h.at,
                    "comment": h.comment,
                    "crossBranch": h.cross_branch,
                })
            })
            .collect(),
    )
}

/// `pendingApproval` while an approval is open, else `null`.
pub(crate) fn pending_json(a: Option<&domain::banking::ApprovalTask>) -> Value {
    match a {
        Some(a) if a.status == domain::banking::ApprovalStatus::Pending => serde_json::json!({
            "approvalStatus": "Pending",
            "requestedBy": a.requested_by_username,
            "requestedByUserId": a.requested_by,
            "requestDate": a.requested_at,
            "notes": a.request_comment,
        }),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_and_all_aliases() {
        let a = parse(
            br#"{"commandName":"ApproveDepositCommand","data":{"depositId":"DEP001234","approvalComments":"ok"}}"#,
        )
        .unwrap();
        let b = parse(br#"{"cmd":"ApproveDepositCommand","data":{"accountEncodedKey":"DEP001234","comment":"ok"}}"#)
            .unwrap();
        assert_eq!(a, b);
        let r =
            parse(br#"{"cmd":"RejectDepositCommand","data":{"accountEncodedKey":"DEP-1","rejectionReason":"why"}}"#)
                .unwrap();
        assert_eq!(r, Command::RejectDeposit { key: Some("DEP-1".into()), comment: Some("why".into()) });
        let c = parse(br#"{"commandName":"RequestCustomerApprovalCommand","data":{"contactEncodedKey":"8a8e87e87d1234567890abcd","notes":"n"}}"#).unwrap();
        assert_eq!(c.family(), Family::Customer);
    }

    #[test]
    fn malformed_requests_are_4xx_in_the_callers_envelope() {
        let cases: [(&[u8], Family); 7] = [
            (b"{not json", Family::Customer),
            (b"[]", Family::Customer),
            (br#"{"data":{}}"#, Family::Customer),
            (br#"{"cmd":"NoSuchCommand","data":{}}"#, Family::Deposit),
            (br#"{"commandName":"NoSuchCommand"}"#, Family::Customer),
            (br#"{"cmd":"ApproveDepositCommand","data":{"accountEncodedKey":42}}"#, Family::Deposit),
            (br#"{"cmd":"ApproveDepositCommand","data":{"accountEncodedKey":"A","depositId":"B"}}"#, Family::Deposit),
        ];
        for (body, family) in cases {
            let m = parse(body).unwrap_err();
            assert_eq!(m.family, family, "{}", String::from_utf8_lossy(body));
            assert_eq!(m.reply().status, 400);
        }
    }
}
