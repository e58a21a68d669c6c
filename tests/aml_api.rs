//! AML screening outcomes, alerts, the closure callback, onboarding status and the PEP path,
//! end to end (watch list in S3, DynamoDB Local, moto SNS -> SQS for the compliance topic).

use std::time::{Duration, Instant};

use e2e_tests::*;
use serde_json::{Value, json};

const CLOSURE: &str = "/caas-lcm/api/v1/CAAS/aml/alert/closure";

fn status_path(ecrn: &str) -> String {
    format!("/caas-lcm/api/v1/CAAS/onBoarding/customer/status/{ecrn}")
}

async fn get(path: &str, token: &str) -> (u16, Value) {
    let resp = http().get(api(path)).bearer_auth(token).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn compliance_token() -> String {
    let (status, body) = token_form(&[
        ("grant_type", "client_credentials"),
        ("client_id", "compliance-system"),
        ("client_secret", "compliance-secret"),
    ])
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// Onboards a person with the given name and birth date; returns (body, emirates id).
async fn onboard(token: &str, first: &str, last: &str, dob: &str, nationality: &str) -> (Value, String) {
    let (mut p, eid) = fresh_payload(first, last);
    p["date_of_birth"] = dob.into();
    p["nationality"] = nationality.into();
    p["political_exposed_person"] = false.into();
    let (status, body) = post_json(ONBOARD, Some(token), &p).await;
    assert_eq!(status, 200, "{body}");
    (body, eid)
}

/// The compliance topic's observer queue: the alert notification for `customer_key` arrives.
async fn compliance_message_for(customer_key: &str) -> Value {
    let config = adapters::sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let url = sqs.get_queue_url().queue_name("cdp-compliance-alerts-observer").send().await.unwrap().queue_url.unwrap();
    let end = Instant::now() + Duration::from_secs(20);
    while Instant::now() < end {
        let out =
            sqs.receive_message().queue_url(&url).max_number_of_messages(10).wait_time_seconds(1).send().await.unwrap();
        for m in out.messages() {
            let v: Value = serde_json::from_str(m.body().unwrap()).unwrap();
            if v["entity_key"] == customer_key {
                sqs.delete_message().queue_url(&url).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
                return v;
            }
        }
    }
    panic!("no compliance notification for {customer_key}");
}

#[tokio::test]
async fn screening_outcomes() {
    let partner = partner_token("partner1", "Partner1!pass").await;
    let (clear, _) = onboard(&partner, "Amal", "Clear", "1985-05-05", "AE").await;
    assert_eq!(
        (clear["data"]["aml_scan_status"].as_str(), clear["data"]["customer_status"].as_str()),
        (Some("Accepted"), Some("ACTIVE"))
    );
    // A transliterated, re-ordered spelling of a sanctioned person: investigated.
    let (hit, _) = onboard(&partner, "Sanktionov", "Ivan", "1970-01-01", "RU").await;
    assert_eq!(
        (hit["data"]["aml_scan_status"].as_str(), hit["data"]["customer_status"].as_str()),
        (Some("Under Investigation"), Some("KYC_PENDING"))
    );
    assert_eq!(hit["data"]["aml_category"], 3);
    // An entry the bank rejects outright.
    let (rejected, eid) = onboard(&partner, "Muhammad Yusuf", "Haddad", "1980-12-12", "SY").await;
    assert_eq!(
        (rejected["data"]["aml_scan_status"].as_str(), rejected["data"]["customer_status"].as_str()),
        (Some("Rejected"), Some("REJECTED"))
    );
    let (_, looked) = post_json(LOOKUP, Some(&partner), &json!({"idType": "4", "idNumber": eid})).await;
    assert_eq!(looked["errorCode"], 45051);
    // A politically exposed person (matched, not declared): enhanced due diligence.
    let (pep, _) = onboard(&partner, "Petra", "Politika", "1965-03-14", "AT").await;
    assert_eq!(
        (pep["data"]["pep"].as_bool(), pep["data"]["customer_status"].as_str()),
        (Some(true), Some("KYC_PENDING"))
    );
}

#[tokio::test]
async fn the_closure_flow_idempotency_conflicts_and_status() {
    let partner = partner_token("partner2", "Partner2!pass").await;
    let compliance = compliance_token().await;
    // Two investigated customers.
    let (a, eid_a) = onboard(&partner, "IVAN", "SANCTIONOV", "1970-01-01", "RU").await;
    let (b, eid_b) = onboard(&partner, "Hamid", "Karimov", "1975-06-30", "TJ").await;
    let (ecrn_a, ecrn_b) =
        (a["data"]["ecrn"].as_str().unwrap().to_owned(), b["data"]["ecrn"].as_str().unwrap().to_owned());

    // Status: the open alert and the timeline.
    let (status, st) = get(&status_path(&ecrn_a), &partner).await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["data"]["aml_scan_status"], "Under Investigation");
    let alerts = st["data"]["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["status"], "Open");
    let alert_a = alerts[0]["alert_id"].as_str().unwrap().to_owned();
    assert_eq!(st["data"]["timeline"][0]["event"], "cdp_onboarded");
    let (_, st_b) = get(&status_path(&ecrn_b), &partner).await;
    let alert_b = st_b["data"]["alerts"][0]["alert_id"].as_str().unwrap().to_owned();

    // The compliance team was told (ids only).
    let customer_key = {
        let bank = bank_store().await;
        use domain::banking::store::BankStore;
        bank.find_by_ecrn(&ecrn_a).await.unwrap().unwrap().as_str().to_owned()
    };
    let note = compliance_message_for(&customer_key).await;
    assert_eq!(
        (note["event"].as_str(), note["audience"].as_str(), note["id"].as_str()),
        (Some("aml_alert_opened"), Some("compliance"), Some(alert_a.as_str()))
    );
    assert!(!note.to_string().contains("SANCTIONOV"));

    // Lookup during the investigation: 45013.
    let (_, looked) = post_json(LOOKUP, Some(&partner), &json!({"idType": "4", "idNumber": eid_a})).await;
    assert_eq!(looked["errorCode"], 45013);

    // Only the compliance system may close: a partner is refused.
    let close = |ecrn: &str, alert: &str, decision: &str| json!({"ecrn": ecrn, "alert_id": alert, "decision": decision, "remarks": "reviewed"});
    assert_eq!(post_json(CLOSURE, Some(&partner), &close(&ecrn_a, &alert_a, "Accepted")).await.0, 403);
    assert_eq!(post_json(CLOSURE, None, &close(&ecrn_a, &alert_a, "Accepted")).await.0, 401);

    // Accepted (false positive) -> ACTIVE; the same closure again -> the same answer.
    let (status, first) = post_json(CLOSURE, Some(&compliance), &close(&ecrn_a, &alert_a, "Accepted")).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        (first["data"]["customer_status"].as_str(), first["data"]["aml_scan_status"].as_str()),
        (Some("ACTIVE"), Some("Accepted"))
    );
    let (status, again) = post_json(CLOSURE, Some(&compliance), &close(&ecrn_a, &alert_a, "Accepted")).await;
    assert_eq!((status, &again["data"]), (200, &first["data"]));
    // The other decision on a closed alert is refused.
    let (status, conflict) = post_json(CLOSURE, Some(&compliance), &close(&ecrn_a, &alert_a, "Rejected")).await;
    assert_eq!((status, conflict["status_code"].as_u64()), (409, Some(409)));
    let (_, looked) = post_json(LOOKUP, Some(&partner), &json!({"idType": "4", "idNumber": eid_a})).await;
    assert_eq!(looked["data"]["customer_status"], "ACTIVE");

    // Rejected -> BLOCKED: lookups 45051, re-onboarding 406/45051.
    let (status, blocked) = post_json(CLOSURE, Some(&compliance), &close(&ecrn_b, &alert_b, "Rejected")).await;
    assert_eq!((status, blocked["data"]["customer_status"].as_str()), (200, Some("BLOCKED")));
    let (_, looked) = post_json(LOOKUP, Some(&partner), &json!({"idType": "4", "idNumber": eid_b})).await;
    assert_eq!(looked["errorCode"], 45051);
    let (mut p, _) = fresh_payload("Hamid", "Karimov");
    p["id_details"][0]["id_number"] = eid_b.clone().into();
    let (status, re) = post_json(ONBOARD, Some(&partner), &p).await;
    assert_eq!((status, re["error_code"].as_u64()), (406, Some(45051)));

    // Unknown alert, malformed body.
    assert_eq!(post_json(CLOSURE, Some(&compliance), &close(&ecrn_a, "no-such-alert", "Accepted")).await.0, 404);
    assert_eq!(post_json(CLOSURE, Some(&compliance), &json!({"ecrn": "1", "decision": "Maybe"})).await.0, 400);

    // The status view: closed alert and the closure on the timeline; other partners: 45003.
    let (_, st) = get(&status_path(&ecrn_a), &partner).await;
    assert_eq!(st["data"]["alerts"][0]["status"], "Closed");
    assert_eq!(st["data"]["alerts"][0]["decision"], "Accepted");
    let events: Vec<&str> =
        st["data"]["timeline"].as_array().unwrap().iter().filter_map(|t| t["event"].as_str()).collect();
    assert_eq!(events, ["cdp_onboarded", "aml_alert_accepted"]);
    let other = partner_token("partner1", "Partner1!pass").await;
    assert_eq!(get(&status_path(&ecrn_a), &other).await.1["errorCode"], 45003);
    assert_eq!(get(&status_path("7840000000000000"), &other).await.1["errorCode"], 40001);
}

#[tokio::test]
async fn a_pep_is_activated_by_a_checker_through_approve_customer_command() {
    let partner = partner_token("partner1", "Partner1!pass").await;
    let (mut p, eid) = fresh_payload("Amal", "Declared");
    p["political_exposed_person"] = true.into();
    let (status, body) = post_json(ONBOARD, Some(&partner), &p).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["data"]["pep"].as_bool(), body["data"]["customer_status"].as_str()),
        (Some(true), Some("KYC_PENDING"))
    );
    let key = {
        use domain::banking::store::BankStore;
        use domain::banking::values::{IdNumber, IdType};
        bank_store()
            .await
            .find_by_id_document(&IdType::parse("4").unwrap(), &IdNumber::parse(&eid).unwrap())
            .await
            .unwrap()
            .unwrap()
    };
    // Onboarded customers belong to the partner channel (branch CDP): a cross-branch checker decides.
    let checker = staff_token("checker1", "Checker1!pass").await;
    let cmd = json!({"commandName": "ApproveCustomerCommand", "data": {"contactEncodedKey": key.as_str(), "comment": "EDD completed"}});
    let (status, refused) = bpm(Some(&checker), &cmd, None).await;
    assert_eq!((status, refused["statusCode"].as_str()), (403, Some("CBS_403")));
    let hq = staff_token("hq.supervisor", "Super1!pass").await;
    let (status, approved) = bpm(Some(&hq), &cmd, None).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["data"]["status"], "ACTIVE");
    let (_, looked) = post_json(LOOKUP, Some(&partner), &json!({"idType": "4", "idNumber": eid})).await;
    assert_eq!(looked["data"]["customer_status"], "ACTIVE");
}
