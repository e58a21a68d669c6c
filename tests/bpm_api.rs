//! `POST /api/bpm/cmd` end to end with the demo realm: seed samples, every error code, aliases,
//! idempotency, concurrency over HTTP.

use e2e_tests::*;
use serde_json::{Value, json};

const MAKER: (&str, &str) = ("maker1", "Maker1!pass");
const CHECKER: (&str, &str) = ("checker1", "Checker1!pass");

async fn token(u: (&str, &str)) -> String {
    staff_token(u.0, u.1).await
}

fn create_customer_body() -> Value {
    json!({"commandName": "CreateCustomerCommand", "data": {
        "firstName": "Zafar", "lastName": "Bashir", "dateOfBirth": "1990-01-31", "nationality": "PK",
        "idType": "4", "idNumber": unique_id_number(), "mobileNumber": "+971554747002", "email": "zafar@example.com"}})
}

async fn new_customer(maker: &str) -> String {
    let (status, body) = bpm(Some(maker), &create_customer_body(), None).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["contactEncodedKey"].as_str().unwrap().to_owned()
}

async fn active_customer(maker: &str, checker: &str) -> String {
    let key = new_customer(maker).await;
    let (s, b) = bpm(
        Some(maker),
        &json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": key}}),
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) =
        bpm(Some(checker), &json!({"commandName": "ApproveCustomerCommand", "data": {"contactEncodedKey": key}}), None)
            .await;
    assert_eq!(s, 200, "{b}");
    key
}

async fn pending_deposit(maker: &str, checker: &str) -> (String, String) {
    let customer = active_customer(maker, checker).await;
    let (s, b) = bpm(
        Some(maker),
        &json!({"commandName": "CreateDepositCommand", "data": {"contactEncodedKey": customer, "currencyCode": "AED", "productName": "Savings"}}),
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["data"]["status"], "Partial_Application");
    let key = b["data"]["accountEncodedKey"].as_str().unwrap().to_owned();
    let number = b["data"]["accountNumber"].as_str().unwrap().to_owned();
    assert_eq!(number.len(), 10);
    let (s, b) = bpm(
        Some(maker),
        &json!({"cmd": "RequestDepositApprovalCommand", "data": {"accountEncodedKey": key, "comment": "KYC done"}}),
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["data"]["status"], "Pending_Approval");
    (key, number)
}

#[tokio::test]
async fn seed_000_request_customer_approval() {
    let (maker, checker) = (token(MAKER).await, token(CHECKER).await);
    let key = new_customer(&maker).await;
    // The seed's sample request, with our key.
    let (status, body) = bpm(
        Some(&maker),
        &json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": key, "notes": "All KYC documents verified and uploaded. Ready for approval."}}),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["isSuccessful"], true);
    assert_eq!(body["statusCode"], "00");
    assert_eq!(body["message"], "Customer approval requested successfully.");
    assert_eq!(body["data"]["contactEncodedKey"], key.as_str());
    assert_eq!(body["data"]["approvalStatus"], "Pending");
    assert!(body["data"]["requestDate"].as_str().unwrap().ends_with('Z'));

    // CBS_409: already pending.
    let again = json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": key}});
    let (status, body) = bpm(Some(&maker), &again, None).await;
    assert_eq!(
        (status, body["statusCode"].as_str(), body["isSuccessful"].as_bool()),
        (409, Some("CBS_409"), Some(false))
    );
    assert_eq!(body["message"], "Already in approval");

    // The checker's view: record, history and the open approval.
    let (status, view) =
        bpm(Some(&checker), &json!({"commandName": "RetrieveCustomerByIdQuery", "data": {"key": key}}), None).await;
    assert_eq!(status, 200);
    assert_eq!(view["data"]["pendingApproval"]["requestedBy"], "maker1");
    assert_eq!(view["data"]["approvalHistory"].as_array().unwrap().len(), 2);

    // Approve; the pending block is gone and the customer is ACTIVE.
    let (status, body) = bpm(
        Some(&checker),
        &json!({"commandName": "ApproveCustomerCommand", "data": {"contactEncodedKey": key, "comment": "ok"}}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["status"], "ACTIVE");
    assert_eq!(body["data"]["approvedBy"], "checker1@bank.local");
    let (_, view) = bpm(
        Some(&checker),
        &json!({"commandName": "RetrieveCustomerByIdQuery", "data": {"contactEncodedKey": key}}),
        None,
    )
    .await;
    assert_eq!(view["data"]["pendingApproval"], Value::Null);
    assert_eq!(view["data"]["approvalHistory"][2]["action"], "approved");
    // CBS_409: not pending any more.
    let (status, _) = bpm(
        Some(&checker),
        &json!({"commandName": "RejectCustomerCommand", "data": {"contactEncodedKey": key, "comment": "late"}}),
        None,
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn customer_error_codes() {
    let (maker, checker) = (token(MAKER).await, token(CHECKER).await);
    let cases = [
        (Some(maker.clone()), json!({"commandName": "RequestCustomerApprovalCommand", "data": {}}), 400, "CBS_400"),
        (
            Some(maker.clone()),
            json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": "ffffffffffffffffffffffff"}}),
            404,
            "CBS_404",
        ),
        (
            None,
            json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": "x"}}),
            401,
            "CBS_401",
        ),
        (Some(checker.clone()), create_customer_body(), 403, "CBS_403"),
        (
            Some(maker.clone()),
            json!({"commandName": "CreateCustomerCommand", "data": {"firstName": "A", "nationality": "INN"}}),
            400,
            "CBS_400",
        ),
    ];
    for (tok, body, status, code) in cases {
        let (got, answer) = bpm(tok.as_deref(), &body, None).await;
        assert_eq!((got, answer["statusCode"].as_str()), (status, Some(code)), "{body} -> {answer}");
        assert_eq!(answer["isSuccessful"], false);
    }
    // Reject without a reason.
    let key = new_customer(&maker).await;
    bpm(
        Some(&maker),
        &json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": key}}),
        None,
    )
    .await;
    let (status, body) =
        bpm(Some(&checker), &json!({"commandName": "RejectCustomerCommand", "data": {"contactEncodedKey": key}}), None)
            .await;
    assert_eq!((status, body["statusCode"].as_str()), (400, Some("CBS_400")));
    let (status, body) = bpm(Some(&checker), &json!({"commandName": "RejectCustomerCommand", "data": {"contactEncodedKey": key, "rejectionReason": "ID expired"}}), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["status"], "REJECTED");
    assert_eq!(body["data"]["rejectionReason"], "ID expired");
    // Same ID document twice.
    let body = create_customer_body();
    assert_eq!(bpm(Some(&maker), &body, None).await.0, 200);
    let (status, answer) = bpm(Some(&maker), &body, None).await;
    assert_eq!((status, answer["statusCode"].as_str()), (409, Some("CBS_409")));
}

#[tokio::test]
async fn seed_001_approve_deposit_with_both_spellings() {
    let (maker, checker) = (token(MAKER).await, token(CHECKER).await);
    let (key, number) = pending_deposit(&maker, &checker).await;
    // Seed 001's sample: cmd + accountEncodedKey + comment.
    let (status, body) = bpm(
        Some(&checker),
        &json!({"cmd": "ApproveDepositCommand", "data": {"accountEncodedKey": key, "comment": "Account approved after verification"}}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["succeeded"], true);
    assert_eq!(body["statusCode"], 200);
    assert_eq!(body["message"], "Deposit account approved successfully");
    let d = &body["data"];
    assert_eq!(d["depositId"], key.as_str());
    assert_eq!(d["accountNumber"], number.as_str());
    assert_eq!(d["status"], "Active");
    assert_eq!(d["approvedBy"], "checker1@bank.local");
    assert_eq!(d["approvalComments"], "Account approved after verification");
    assert!(d["approvedDate"].is_string());

    // The documented aliases (depositId / approvalComments) reach the same command: now not pending.
    let (status, body) = bpm(
        Some(&checker),
        &json!({"commandName": "ApproveDepositCommand", "data": {"depositId": key, "approvalComments": "again"}}),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["code"], "DEPOSIT_NOT_PENDING");
    assert_eq!(body["errors"][0]["field"], "depositId");
    assert_eq!(body["message"], "Failed to approve deposit account");
}

#[tokio::test]
async fn seed_002_reject_deposit_and_every_deposit_error_code() {
    let (maker, checker) = (token(MAKER).await, token(CHECKER).await);
    let viewer = staff_token("viewer1", "Viewer1!pass").await;
    let other_branch = staff_token("checker2", "Checker2!pass").await;
    let (key, _) = pending_deposit(&maker, &checker).await;
    let reject = |k: &str, reason: Option<&str>| {
        let mut data = json!({"accountEncodedKey": k});
        if let Some(r) = reason {
            data["comment"] = r.into();
        }
        json!({"cmd": "RejectDepositCommand", "data": data})
    };
    let code = |b: &Value| b["errors"][0]["code"].as_str().map(str::to_owned);
    let (s, b) = bpm(Some(&checker), &reject(&key, None), None).await;
    assert_eq!((s, code(&b).as_deref()), (400, Some("REJECTION_REASON_REQUIRED")));
    let (s, b) = bpm(Some(&checker), &reject("ffffffffffffffffffffffff", Some("x")), None).await;
    assert_eq!((s, code(&b).as_deref()), (404, Some("DEPOSIT_NOT_FOUND")));
    let (s, b) = bpm(Some(&viewer), &reject(&key, Some("x")), None).await;
    assert_eq!((s, code(&b).as_deref()), (403, Some("INSUFFICIENT_PERMISSIONS")));
    let (s, b) = bpm(Some(&other_branch), &reject(&key, Some("x")), None).await;
    assert_eq!((s, code(&b).as_deref()), (403, Some("INSUFFICIENT_PERMISSIONS")));
    let (s, b) = bpm(None, &reject(&key, Some("x")), None).await;
    assert_eq!((s, code(&b).as_deref()), (401, Some("UNAUTHORIZED")));
    // Seed 002's sample body: cmd + accountEncodedKey + comment.
    let (s, b) = bpm(Some(&checker), &reject(&key, Some("Documentation incomplete")), None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["message"], "Deposit account rejected successfully");
    assert_eq!(b["data"]["status"], "Rejected");
    assert_eq!(b["data"]["rejectedBy"], "checker1@bank.local");
    assert_eq!(b["data"]["rejectionReason"], "Documentation incomplete");
    let (s, b) = bpm(Some(&checker), &reject(&key, Some("again")), None).await;
    assert_eq!((s, code(&b).as_deref()), (400, Some("DEPOSIT_NOT_PENDING")));
}

#[tokio::test]
async fn self_approval_is_refused_even_with_every_right() {
    // A user who is both maker and checker (and supervisor) of BR001.
    let store = identity().await;
    let all = vec![
        domain::auth::Permission::CustomerCreate,
        domain::auth::Permission::DepositCreate,
        domain::auth::Permission::ApprovalRequest,
        domain::auth::Permission::ApprovalDecide,
        domain::auth::Permission::ApprovalCrossBranch,
    ];
    let user = make_user(&store, "Both1!roles", all).await;
    let both = staff_token(&user, "Both1!roles").await;
    let checker = token(CHECKER).await;
    let (key, _) = pending_deposit(&both, &checker).await;
    let (s, b) =
        bpm(Some(&both), &json!({"cmd": "ApproveDepositCommand", "data": {"accountEncodedKey": key}}), None).await;
    assert_eq!((s, b["errors"][0]["code"].as_str()), (403, Some("SELF_APPROVAL_NOT_ALLOWED")));
    let cust = new_customer(&both).await;
    bpm(
        Some(&both),
        &json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": cust}}),
        None,
    )
    .await;
    let (s, b) =
        bpm(Some(&both), &json!({"commandName": "ApproveCustomerCommand", "data": {"contactEncodedKey": cust}}), None)
            .await;
    assert_eq!((s, b["statusCode"].as_str()), (403, Some("CBS_403")));
    // Their own submissions never show in their inbox.
    let (_, inbox) = bpm(Some(&both), &json!({"commandName": "RetrievePendingApprovalsQuery", "data": {}}), None).await;
    let keys: Vec<&str> = inbox["data"]["items"].as_array().unwrap().iter().filter_map(|i| i["key"].as_str()).collect();
    assert!(!keys.contains(&cust.as_str()));
    // checker1 sees it.
    let mut seen = false;
    let mut page_token = Value::Null;
    for _ in 0..50 {
        let (_, inbox) = bpm(Some(&checker), &json!({"commandName": "RetrievePendingApprovalsQuery", "data": {"entityType": "Customer", "pageToken": page_token}}), None).await;
        seen |= inbox["data"]["items"].as_array().unwrap().iter().any(|i| i["key"] == cust.as_str());
        page_token = inbox["data"]["nextPageToken"].clone();
        if seen || page_token.is_null() {
            break;
        }
    }
    assert!(seen);
}

#[tokio::test]
async fn cross_branch_decisions_are_marked() {
    let (maker, checker) = (token(MAKER).await, token(CHECKER).await);
    let hq = staff_token("hq.supervisor", "Super1!pass").await;
    let (key, _) = pending_deposit(&maker, &checker).await;
    let (s, b) = bpm(Some(&hq), &json!({"cmd": "ApproveDepositCommand", "data": {"depositId": key}}), None).await;
    assert_eq!(s, 200, "{b}");
    let (_, view) =
        bpm(Some(&checker), &json!({"cmd": "RetrieveDepositByIdQuery", "data": {"depositId": key}}), None).await;
    let history = view["data"]["approvalHistory"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["action"], "approved");
    assert_eq!(history.last().unwrap()["crossBranch"], true);
    assert_eq!(history.last().unwrap()["by"], "hq.supervisor");
}

#[tokio::test]
async fn malformed_requests_are_4xx_never_500() {
    let maker = token(MAKER).await;
    for raw in [
        "{not json",
        "[]",
        r#"{"data":{}}"#,
        r#"{"commandName":"DropTablesCommand","data":{}}"#,
        r#"{"cmd":"ApproveDepositCommand","data":{"accountEncodedKey":42}}"#,
        r#"{"commandName":"CreateCustomerCommand","data":"x"}"#,
    ] {
        let resp = http()
            .post(api("/api/bpm/cmd"))
            .bearer_auth(&maker)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{raw}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body.get("isSuccessful") == Some(&Value::Bool(false)) || body.get("succeeded") == Some(&Value::Bool(false)),
            "{raw}: {body}"
        );
    }
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer() {
    let maker = token(MAKER).await;
    let key = new_customer(&maker).await;
    let body =
        json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": key, "notes": "once"}});
    let idem = unique("idem");
    let first = bpm(Some(&maker), &body, Some(&idem)).await;
    let second = bpm(Some(&maker), &body, Some(&idem)).await;
    assert_eq!(first.0, 200);
    assert_eq!(first, second, "a retry gets the first answer, not CBS_409");
    let (_, view) =
        bpm(Some(&maker), &json!({"commandName": "RetrieveCustomerByIdQuery", "data": {"key": key}}), None).await;
    let requests = view["data"]["approvalHistory"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "approval_requested")
        .count();
    assert_eq!(requests, 1, "one effect");
    let other = json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": key, "notes": "different"}});
    let (status, answer) = bpm(Some(&maker), &other, Some(&idem)).await;
    assert_eq!((status, answer["statusCode"].as_str()), (422, Some("CBS_422")));
}

#[tokio::test]
async fn twenty_concurrent_http_decisions_one_200() {
    let (maker, checker) = (token(MAKER).await, token(CHECKER).await);
    let hq = staff_token("hq.supervisor", "Super1!pass").await;
    let (key, _) = pending_deposit(&maker, &checker).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let t = if i % 2 == 0 { checker.clone() } else { hq.clone() };
        let cmd = if i % 3 == 0 { "RejectDepositCommand" } else { "ApproveDepositCommand" };
        let body = json!({"cmd": cmd, "data": {"accountEncodedKey": key, "comment": format!("c{i}")}});
        tasks.push(tokio::spawn(async move { bpm(Some(&t), &body, None).await }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status == 200 {
            ok += 1;
        } else {
            assert_eq!((status, body["errors"][0]["code"].as_str()), (400, Some("DEPOSIT_NOT_PENDING")), "{body}");
        }
    }
    assert_eq!(ok, 1);
}

/// Invokes a function through the Lambda Invoke API of `cargo lambda watch` (what
/// `cargo lambda invoke` does) with `payload`.
async fn invoke(function: &str, payload: &Value) -> Value {
    let url = api(&format!("/2015-03-31/functions/{function}/invocations"));
    let resp = http().post(url).json(payload).send().await.unwrap();
    assert!(resp.status().is_success(), "invoke {function}: {}", resp.status());
    resp.json().await.unwrap()
}

#[tokio::test]
async fn an_sqs_command_event_delivered_twice_makes_one_transition() {
    let (maker, checker) = (token(MAKER).await, token(CHECKER).await);
    let (key, _) = pending_deposit(&maker, &checker).await;
    // The function's own sample event, carrying checker1's token and our deposit.
    let mut sqs: Value = serde_json::from_str(include_str!("../events/cmd-approve-deposit.sqs.json")).unwrap();
    let mut eb: Value = serde_json::from_str(sqs["Records"][0]["body"].as_str().unwrap()).unwrap();
    eb["id"] = unique("event").into();
    eb["detail"]["authorization"] = format!("Bearer {checker}").into();
    eb["detail"]["data"]["accountEncodedKey"] = key.clone().into();
    sqs["Records"][0]["body"] = eb.to_string().into();
    assert_eq!(invoke("cmd-approve-deposit", &sqs).await, json!({"batchItemFailures": []}));
    assert_eq!(invoke("cmd-approve-deposit", &sqs).await, json!({"batchItemFailures": []}), "redelivery: same answer");
    let (_, view) =
        bpm(Some(&checker), &json!({"cmd": "RetrieveDepositByIdQuery", "data": {"depositId": key}}), None).await;
    assert_eq!(view["data"]["status"], "Active");
    let approvals =
        view["data"]["approvalHistory"].as_array().unwrap().iter().filter(|h| h["action"] == "approved").count();
    assert_eq!(approvals, 1);
    // The maker cannot approve through the event path either.
    let (key2, _) = pending_deposit(&maker, &checker).await;
    eb["id"] = unique("event").into();
    eb["detail"]["authorization"] = format!("Bearer {maker}").into();
    eb["detail"]["data"]["accountEncodedKey"] = key2.into();
    sqs["Records"][0]["body"] = eb.to_string().into();
    let failed = invoke("cmd-approve-deposit", &sqs).await;
    assert_eq!(failed["batchItemFailures"].as_array().unwrap().len(), 1);
}
