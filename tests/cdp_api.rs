//! Seed 003 Customer Lookup v2 and Individual Onboarding end to end: HTTP through watch, DynamoDB
//! Local, moto S3 (SSE-KMS) and the watch list in S3.

use adapters::dynamo::bank::DynamoBank;
use domain::banking::store::BankStore;
use domain::banking::values::{IdNumber, IdType};
use domain::banking::{Customer, CustomerStatus};
use e2e_tests::*;
use serde_json::{Value, json};

async fn lookup(token: Option<&str>, id_type: Value, id_number: Value) -> (u16, Value) {
    post_json(LOOKUP, token, &json!({"idNumber": id_number, "idType": id_type})).await
}

async fn customer_by_eid(eid: &str) -> Option<Customer> {
    let bank: DynamoBank = bank_store().await;
    let key = bank.find_by_id_document(&IdType::parse("4").unwrap(), &IdNumber::parse(eid).unwrap()).await.unwrap()?;
    bank.get_customer(&key).await.unwrap()
}

#[tokio::test]
async fn the_seed_sample_onboards_and_the_lookup_returns_it_with_its_documents_in_s3() {
    let partner = partner_token("partner1", "Partner1!pass").await;
    let (status, body) = post_json(ONBOARD, Some(&partner), &seed_payload()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    assert_eq!(body["status_code"], 200);
    let request_id = body["request_id"].as_str().unwrap();
    assert!(request_id.len() == 32 && request_id.bytes().all(|b| b.is_ascii_hexdigit()));
    let data = &body["data"];
    let ecrn = data["ecrn"].as_str().unwrap().to_owned();
    assert!(domain::cdp::ecrn::is_valid(&ecrn), "{ecrn}");
    assert_eq!(data["aml_scan_status"], "Accepted");
    assert_eq!(data["customer_status"], "ACTIVE");
    assert_eq!(data["pep"], false);
    assert!(data["aml_category"].is_u64());

    // Lookup by the Emirates ID (the seed's lookup payload).
    let (status, found) = lookup(Some(&partner), "4".into(), "784199554586091".into()).await;
    assert_eq!(status, 200);
    assert_eq!(found["status"], "success");
    assert_eq!(found["statusCode"], 200);
    let d = &found["data"];
    assert_eq!(d["ecrn"], ecrn.as_str());
    assert_eq!(d["first_name"], "IRFAN MANAKKAT THEKKE");
    assert_eq!(d["middle_name"], "PURAYIL ISMAIL");
    assert_eq!(d["last_name"], "NANGARATH MUNDACHI");
    assert_eq!(d["agent_location_id"], "784101");
    assert_eq!(d["primary_mobile_number"], "+971502106707");
    assert_eq!(d["email_id"], "irfanmtp1@gmail.com");
    assert_eq!(d["customer_status"], "ACTIVE");
    assert_eq!(d["aml_scan_status"], "Accepted");
    assert_eq!(d["id_status"], "Expired", "the sample's Emirates ID expired on 2023-08-08");
    assert_eq!(d["id_date_of_expiry"], "2023-08-08T00:00:00.000+00:00");

    // The documents: in S3, byte for byte, KMS-encrypted, with their SHA-256 on the record.
    let customer = customer_by_eid("784199554586091").await.unwrap();
    let cdp = customer.cdp.unwrap();
    assert_eq!(cdp.documents.len(), 7);
    let config = adapters::sdk_config().await;
    let s3 = adapters::s3::client(&config);
    for doc in &cdp.documents {
        assert!(doc.key.starts_with(&format!("customers/{}/{request_id}/", customer.key.as_str())), "{}", doc.key);
        let obj = s3.get_object().bucket(env("DOCUMENTS_BUCKET")).key(&doc.key).send().await.unwrap();
        assert_eq!(obj.server_side_encryption().map(|e| e.as_str()), Some("aws:kms"), "{}", doc.key);
        let bytes = obj.body.collect().await.unwrap().into_bytes();
        let expected: &[u8] = if doc.source.ends_with("id_front") {
            FRONT
        } else if doc.source.ends_with("id_back") {
            BACK
        } else if doc.source.contains("profile_photo") {
            PHOTO
        } else {
            DOC
        };
        assert_eq!(&bytes[..], expected, "{}", doc.source);
        let sha: String = {
            use sha2::Digest;
            sha2::Sha256::digest(expected).iter().map(|b| format!("{b:02x}")).collect()
        };
        assert_eq!(doc.sha256, sha);
    }
    // Partner isolation.
    let other = partner_token("partner2", "Partner2!pass").await;
    let (_, refused) = lookup(Some(&other), "4".into(), "784199554586091".into()).await;
    assert_eq!((refused["errorCode"].as_u64(), refused["statusCode"].as_u64()), (Some(45003), Some(404)));
}

#[tokio::test]
async fn lookup_codes() {
    let partner = partner_token("partner1", "Partner1!pass").await;
    let (p, eid) = fresh_payload("Amal", "Test");
    assert_eq!(post_json(ONBOARD, Some(&partner), &p).await.0, 200);
    let (_, ok) = lookup(Some(&partner), 4.into(), eid.clone().into()).await;
    assert_eq!((ok["status"].as_str(), ok["data"]["id_status"].as_str()), (Some("success"), Some("Active")));
    let cases: Vec<(Value, Value, u64, u64)> = vec![
        ("4".into(), "784000000000000".into(), 404, 45001),
        ("A".into(), eid.clone().into(), 400, 40001),
        ("9".into(), eid.clone().into(), 400, 40001),
        ("4".into(), "".into(), 400, 40001),
        ("4".into(), "9".repeat(31).into(), 400, 40001),
        (Value::Null, eid.clone().into(), 400, 40001),
    ];
    for (t, n, status, code) in cases {
        let (http, body) = lookup(Some(&partner), t.clone(), n.clone()).await;
        assert_eq!(http, 200, "the seed answers every lookup failure with HTTP 200");
        assert_eq!(
            (body["status"].as_str(), body["statusCode"].as_u64(), body["errorCode"].as_u64()),
            (Some("failure"), Some(status), Some(code)),
            "{t} {n}: {body}"
        );
    }
    let resp = http()
        .post(api(LOOKUP))
        .bearer_auth(&partner)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errorCode"], 40001);
    // 401 in the documented shape.
    let (status, body) = lookup(None, "4".into(), eid.into()).await;
    assert_eq!(status, 401);
    assert_eq!(
        (body["error"].as_str(), body["path"].as_str(), body["message"].as_str()),
        (Some("Unauthorized"), Some(LOOKUP), Some(""))
    );
}

#[tokio::test]
async fn watch_list_hits_are_investigated_and_blocked_customers_refused() {
    let partner = partner_token("partner1", "Partner1!pass").await;
    // A watch-listed person (name, birth date, nationality): onboarded, but under investigation.
    let (mut p, eid) = fresh_payload("IVAN", "SANCTIONOV");
    p["date_of_birth"] = "1970-01-01".into();
    p["nationality"] = "RU".into();
    let (status, body) = post_json(ONBOARD, Some(&partner), &p).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["aml_scan_status"], "Under Investigation");
    assert_eq!(body["data"]["customer_status"], "KYC_PENDING");
    let ecrn = body["data"]["ecrn"].as_str().unwrap().to_owned();
    let (_, looked) = lookup(Some(&partner), "4".into(), eid.clone().into()).await;
    assert_eq!((looked["statusCode"].as_u64(), looked["errorCode"].as_u64()), (Some(500), Some(45013)));
    let (status, again) = post_json(ONBOARD, Some(&partner), &p).await;
    assert_eq!((status, again["error_code"].as_u64(), again["status_code"].as_u64()), (406, Some(45013), Some(406)));
    assert_eq!(again["message"], format!("Customer {ecrn} Under Compliance Investigation"));

    // A customer compliance has blocked (set here through the store; the closure callback is #5).
    let (p, eid) = fresh_payload("Amal", "Blocked");
    assert_eq!(post_json(ONBOARD, Some(&partner), &p).await.0, 200);
    let bank = bank_store().await;
    let mut c = customer_by_eid(&eid).await.unwrap();
    let ecrn = c.cdp.as_ref().unwrap().ecrn.clone();
    c.status = CustomerStatus::Blocked;
    c.version += 1;
    let audit = domain::banking::AuditRecord {
        transition_id: unique("t"),
        entity: domain::banking::EntityKind::Customer,
        entity_key: c.key.as_str().into(),
        action: "blocked".into(),
        from: Some("ACTIVE".into()),
        to: "BLOCKED".into(),
        actor_sub: "compliance".into(),
        actor_username: "compliance".into(),
        at: "2026-11-21T00:00:00Z".into(),
        comment: None,
        cross_branch: false,
    };
    let write = domain::banking::store::OnboardingWrite {
        customer: c.clone(),
        expected_version: Some(c.version - 1),
        id_documents: vec![],
        audit,
        alert: None,
        notifications: vec![],
    };
    bank.save_onboarding(&write).await.unwrap();
    let (_, looked) = lookup(Some(&partner), "4".into(), eid.into()).await;
    assert_eq!((looked["statusCode"].as_u64(), looked["errorCode"].as_u64()), (Some(404), Some(45051)));
    assert_eq!(looked["message"], "Customer can not be Accepted");
    let (status, again) = post_json(ONBOARD, Some(&partner), &p).await;
    assert_eq!((status, again["error_code"].as_u64()), (406, Some(45051)));
    assert_eq!(again["message"], format!("Customer {ecrn} Cannot be Accepted"));
}

#[tokio::test]
async fn onboarding_validation_codes_and_nothing_half_written() {
    let partner = partner_token("partner2", "Partner2!pass").await;
    // 40002: every bad field named, one bad image among them.
    let (mut p, eid) = fresh_payload("Amal", "Images");
    p.as_object_mut().unwrap().remove("last_name");
    p["email_id"] = "nope".into();
    p["id_details"][0]["id_back"]["base64_data"] = b64(PNG).into(); // declared image/jpeg
    let (status, body) = post_json(ONBOARD, Some(&partner), &p).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["status_code"].as_u64(), body["error_code"].as_u64()),
        (Some("failure"), Some(400), Some(40002))
    );
    assert_eq!(body["message"], "Invalid format or missing mandatory request");
    let details = body["details"].as_object().unwrap();
    for f in ["lastName", "emailId", "idDetails[0].idBack.base64Data"] {
        assert!(details.contains_key(f), "{f} missing in {details:?}");
    }
    let request_id = body["request_id"].as_str().unwrap().to_owned();
    // Nothing written: no customer for that ID, no object of that request.
    assert!(customer_by_eid(&eid).await.is_none());
    let config = adapters::sdk_config().await;
    let listed = adapters::s3::client(&config)
        .list_object_versions()
        .bucket(env("DOCUMENTS_BUCKET"))
        .prefix("customers/")
        .send()
        .await
        .unwrap();
    assert!(listed.versions().iter().all(|v| !v.key().unwrap_or_default().contains(&request_id)));

    // 45053: master data, with the value in the message (the seed's example).
    let (mut p, _) = fresh_payload("Amal", "Master");
    p["nationality"] = "INN".into();
    let (status, body) = post_json(ONBOARD, Some(&partner), &p).await;
    assert_eq!((status, body["status_code"].as_u64(), body["error_code"].as_u64()), (400, Some(406), Some(45053)));
    assert_eq!(body["message"], "Invalid Nationality INN!");
    let (mut p, _) = fresh_payload("Amal", "Master");
    p["customer_classification"]["annual_income_currency_code"] = "XXY".into();
    assert_eq!(post_json(ONBOARD, Some(&partner), &p).await.1["message"], "Invalid Currency XXY!");

    // 45032: one payload carrying two different customers' documents.
    let (a, eid_a) = fresh_payload("Amal", "First");
    let (b, eid_b) = fresh_payload("Amal", "Second");
    assert_eq!(post_json(ONBOARD, Some(&partner), &a).await.0, 200);
    assert_eq!(post_json(ONBOARD, Some(&partner), &b).await.0, 200);
    let mut both = a.clone();
    both["id_details"][1]["id_number"] = b["id_details"][1]["id_number"].clone();
    let (status, body) = post_json(ONBOARD, Some(&partner), &both).await;
    assert_eq!((status, body["error_code"].as_u64(), body["status_code"].as_u64()), (404, Some(45032), Some(404)));
    assert!(customer_by_eid(&eid_a).await.is_some() && customer_by_eid(&eid_b).await.is_some());

    // 401, and a bank user without partner rights (403).
    assert_eq!(post_json(ONBOARD, None, &a).await.0, 401);
    let staff = staff_token("maker1", "Maker1!pass").await;
    assert_eq!(post_json(ONBOARD, Some(&staff), &a).await.0, 403);
}

#[tokio::test]
async fn re_onboarding_updates_the_record_and_keeps_the_ecrn() {
    let p1 = partner_token("partner1", "Partner1!pass").await;
    let p2 = partner_token("partner2", "Partner2!pass").await;
    let (mut p, eid) = fresh_payload("Amal", "Again");
    let (_, first) = post_json(ONBOARD, Some(&p1), &p).await;
    p["email_id"] = "amal.new@example.com".into();
    let (status, second) = post_json(ONBOARD, Some(&p2), &p).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["data"]["ecrn"], first["data"]["ecrn"]);
    // Both partners are now subscribed; the first onboarding agent stays.
    for t in [&p1, &p2] {
        let (_, found) = lookup(Some(t), "4".into(), eid.clone().into()).await;
        assert_eq!(found["data"]["email_id"], "amal.new@example.com");
        assert_eq!(found["data"]["agent_location_id"], "784101");
    }
}
