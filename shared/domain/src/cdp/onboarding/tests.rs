use super::*;
use crate::cdp::lookup::{LookupError, lookup};
use crate::cdp::ports::ScreeningVerdict;
use crate::testing::{FixedClock, FixedScreening, MemoryBank, MemoryDocuments, RepoCodeTables, SeqIds};
use base64::Engine;
use std::sync::Arc;

const JPEG: &[u8] = include_bytes!("../../../../../tests/fixtures/id-front.jpg");
const PNG: &[u8] = include_bytes!("../../../../../tests/fixtures/scan.png");

type Svc = OnboardingService<Arc<MemoryBank>, Arc<MemoryDocuments>, RepoCodeTables, FixedScreening, FixedClock, SeqIds>;

fn svc(verdict: ScreeningVerdict) -> (Svc, Arc<MemoryBank>, Arc<MemoryDocuments>) {
    let bank = Arc::new(MemoryBank::default());
    let docs = Arc::new(MemoryDocuments::default());
    let s = OnboardingService {
        bank: bank.clone(),
        documents: docs.clone(),
        reference: RepoCodeTables::load(),
        screening: FixedScreening(verdict, false),
        clock: FixedClock::at(1_795_291_200), // 2026-11-21
        ids: SeqIds::default(),
    };
    (s, bank, docs)
}

/// The seed's sample payload with real JPEGs in place of its `<<base64Data>>` placeholders.
fn seed_payload() -> Value {
    let raw = include_str!("../../../../../tests/fixtures/onboarding-seed.json");
    let b64 = base64::engine::general_purpose::STANDARD.encode(JPEG);
    serde_json::from_str(&raw.replace("<<base64Data>>", &b64).replace("<<bas64data>>", &b64)).unwrap()
}

fn partner(agent: &str) -> Principal {
    Principal {
        sub: format!("sub-{agent}"),
        username: format!("partner-{agent}"),
        email: None,
        client_id: "cdp-partner".into(),
        branch: None,
        agent_location_id: Some(agent.into()),
        permissions: vec![Permission::CdpLookup, Permission::CdpOnboard],
    }
}

fn today() -> Date {
    time::macros::date!(2026 - 11 - 21)
}

#[tokio::test]
async fn the_seed_sample_onboards_and_looks_up() {
    let (s, bank, docs) = svc(ScreeningVerdict::Clear);
    let out = s.onboard(&partner("784101"), &seed_payload(), "r1").await.unwrap();
    assert!(ecrn::is_valid(&out.ecrn));
    assert_eq!(out.aml_scan_status, AmlStatus::Accepted);
    assert_eq!(out.customer_status, CustomerStatus::Active);
    assert!(!out.pep);
    assert_eq!(out.aml_category, 3, "risk_rating_id 3 in the sample");
    // 2 IDs x front/back + 2 additional docs + profile photo.
    assert_eq!(docs.objects.lock().unwrap().len(), 7);
    assert!(
        docs.objects
            .lock()
            .unwrap()
            .keys()
            .all(|k| k.starts_with(&format!("customers/{}/r1/", out.contact_encoded_key)))
    );

    let v = lookup(&*bank, &partner("784101"), "4", "784199554586091", today()).await.unwrap();
    assert_eq!(v.ecrn, out.ecrn);
    assert_eq!(v.first_name, "IRFAN MANAKKAT THEKKE");
    assert_eq!(v.email_id, "irfanmtp1@gmail.com");
    assert_eq!(v.agent_location_id, "784101");
    assert_eq!(v.id_status, "Expired", "the sample's Emirates ID expired on 2023-08-08");
    // The passport finds the same customer.
    assert_eq!(lookup(&*bank, &partner("784101"), "2", "P4006315", today()).await.unwrap().ecrn, out.ecrn);
    // Partner isolation.
    assert_eq!(
        lookup(&*bank, &partner("784202"), "4", "784199554586091", today()).await.unwrap_err(),
        LookupError::NotSubscribed
    );
    assert_eq!(
        lookup(&*bank, &partner("784101"), "4", "784000000000000", today()).await.unwrap_err(),
        LookupError::NotFound
    );
    for (t, n) in [("x", "1"), ("9", "1"), ("4", ""), ("4", &"9".repeat(31))] {
        assert_eq!(lookup(&*bank, &partner("784101"), t, n, today()).await.unwrap_err(), LookupError::InvalidFormat);
    }
}

#[tokio::test]
async fn re_onboarding_updates_and_keeps_the_ecrn_and_subscribes_the_partner() {
    let (s, bank, _) = svc(ScreeningVerdict::Clear);
    let first = s.onboard(&partner("784101"), &seed_payload(), "r1").await.unwrap();
    let mut again = seed_payload();
    again["email_id"] = "new@example.com".into();
    let second = s.onboard(&partner("784202"), &again, "r2").await.unwrap();
    assert_eq!(second.ecrn, first.ecrn);
    assert!(second.updated);
    let v = lookup(&*bank, &partner("784202"), "4", "784199554586091", today()).await.unwrap();
    assert_eq!(v.email_id, "new@example.com");
    assert_eq!(v.agent_location_id, "784101", "the first onboarding agent stays");
    assert_eq!(bank.customers.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn validation_names_every_bad_field_and_master_data_names_the_value() {
    let (s, bank, docs) = svc(ScreeningVerdict::Clear);
    let mut p = seed_payload();
    p.as_object_mut().unwrap().remove("first_name");
    p["email_id"] = "not-an-email".into();
    p["primary_mobile_number"] = "0502106707".into();
    p["date_of_birth"] = "28-07-1995".into();
    p["id_details"][1]["id_front"]["base64_data"] = base64::engine::general_purpose::STANDARD.encode(PNG).into();
    match s.onboard(&partner("784101"), &p, "r").await.unwrap_err() {
        OnboardError::Invalid(details) => {
            let keys: Vec<&str> = details.keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                ["dateOfBirth", "emailId", "firstName", "idDetails[1].idFront.base64Data", "primaryMobileNumber"]
            );
            assert_eq!(details["firstName"], "Missing first name");
            assert!(details.values().all(|m| !m.contains("0502106707")), "values are never echoed");
        }
        other => panic!("{other:?}"),
    }
    let mut p = seed_payload();
    p["nationality"] = "INN".into();
    assert_eq!(
        s.onboard(&partner("784101"), &p, "r").await.unwrap_err(),
        OnboardError::MasterData("Invalid Nationality INN!".into())
    );
    let mut p = seed_payload();
    p["gender"] = "Robot".into();
    assert_eq!(
        s.onboard(&partner("784101"), &p, "r").await.unwrap_err(),
        OnboardError::MasterData("Invalid Gender Robot!".into())
    );
    assert!(bank.customers.lock().unwrap().is_empty());
    assert!(docs.objects.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_failure_after_uploads_leaves_no_object_and_no_customer() {
    let (s, bank, docs) = svc(ScreeningVerdict::Clear);
    *docs.fail_put_number.lock().unwrap() = Some(4);
    assert!(matches!(s.onboard(&partner("784101"), &seed_payload(), "r").await, Err(OnboardError::Backend(_))));
    assert!(docs.objects.lock().unwrap().is_empty(), "uploaded objects removed");
    assert!(bank.customers.lock().unwrap().is_empty());
}

#[tokio::test]
async fn screening_outcomes_drive_the_customer_status() {
    let (s, bank, _) = svc(ScreeningVerdict::PotentialMatch);
    let out = s.onboard(&partner("784101"), &seed_payload(), "r").await.unwrap();
    assert_eq!((out.aml_scan_status, out.customer_status), (AmlStatus::UnderInvestigation, CustomerStatus::KycPending));
    assert_eq!(
        lookup(&*bank, &partner("784101"), "4", "784199554586091", today()).await.unwrap_err(),
        LookupError::UnderInvestigation
    );
    assert_eq!(
        s.onboard(&partner("784101"), &seed_payload(), "r2").await.unwrap_err(),
        OnboardError::UnderInvestigation(out.ecrn)
    );

    let (s, bank, _) = svc(ScreeningVerdict::AutoReject);
    let out = s.onboard(&partner("784101"), &seed_payload(), "r").await.unwrap();
    assert_eq!(out.customer_status, CustomerStatus::Rejected);
    assert_eq!(
        lookup(&*bank, &partner("784101"), "4", "784199554586091", today()).await.unwrap_err(),
        LookupError::Blocked
    );
    assert_eq!(
        s.onboard(&partner("784101"), &seed_payload(), "r2").await.unwrap_err(),
        OnboardError::Blocked(out.ecrn)
    );

    let (s, _, _) = svc(ScreeningVerdict::Clear);
    let mut pep = seed_payload();
    pep["political_exposed_person"] = true.into();
    let out = s.onboard(&partner("784101"), &pep, "r").await.unwrap();
    assert_eq!((out.pep, out.customer_status, out.aml_category), (true, CustomerStatus::KycPending, 3));
}

#[tokio::test]
async fn two_customers_claimed_by_one_payload_is_an_update_failure() {
    let (s, _, _) = svc(ScreeningVerdict::Clear);
    let mut a = seed_payload();
    a["id_details"].as_array_mut().unwrap().truncate(1);
    s.onboard(&partner("784101"), &a, "r1").await.unwrap();
    let mut b = seed_payload();
    b["id_details"].as_array_mut().unwrap().remove(0);
    b["id_details"][0]["id_number"] = "P9999999".into();
    s.onboard(&partner("784101"), &b, "r2").await.unwrap();
    // Now one payload with both customers' documents.
    let mut both = seed_payload();
    both["id_details"][1]["id_number"] = "P9999999".into();
    assert_eq!(s.onboard(&partner("784101"), &both, "r3").await.unwrap_err(), OnboardError::UpdateFailed);
}

#[tokio::test]
async fn partners_need_the_right_and_an_agent_location() {
    let (s, _, _) = svc(ScreeningVerdict::Clear);
    let mut staff = partner("784101");
    staff.agent_location_id = None;
    assert_eq!(s.onboard(&staff, &seed_payload(), "r").await.unwrap_err(), OnboardError::Forbidden);
    let mut lookup_only = partner("784101");
    lookup_only.permissions = vec![Permission::CdpLookup];
    assert_eq!(s.onboard(&lookup_only, &seed_payload(), "r").await.unwrap_err(), OnboardError::Forbidden);
}
