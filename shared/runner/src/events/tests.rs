use super::*;
use domain::auth::Verifier;
use domain::banking::approval::{Decision, EntityKind};
use domain::banking::customer::CustomerInput;
use domain::banking::deposit::DepositInput;
use domain::banking::service::BankService;
use domain::banking::store::BankStore;
use domain::banking::{Customer, Deposit};
use domain::testing::{FixedClock, MemoryBank, MemoryIdempotency, SeqIds, SoftwareSigner};
use std::sync::Arc;

const ISS: &str = "http://t/auth/realms/cdp";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn principal(sub: &str, perms: &[&str]) -> domain::auth::Principal {
    domain::auth::Principal {
        sub: sub.into(),
        username: sub.into(),
        email: Some(format!("{sub}@bank.local")),
        client_id: "bpm-console".into(),
        branch: Some("BR001".into()),
        agent_location_id: None,
        permissions: perms.iter().filter_map(|p| domain::auth::Permission::parse(p)).collect(),
    }
}

async fn token(signer: &SoftwareSigner, sub: &str, perms: &[&str]) -> String {
    domain::testing::signed_token(signer, ISS, sub, Some("BR001"), None, perms).await
}

/// The SQS fixture of cmd-approve-deposit, pointed at `key` and signed for `bearer`.
fn sqs_event(key: &str, bearer: &str, message_id: &str) -> Value {
    let mut sqs: Value = serde_json::from_str(include_str!("../../../../events/cmd-approve-deposit.sqs.json")).unwrap();
    let mut eb: Value = serde_json::from_str(sqs["Records"][0]["body"].as_str().unwrap()).unwrap();
    eb["detail"]["authorization"] = format!("Bearer {bearer}").into();
    eb["detail"]["data"]["accountEncodedKey"] = key.into();
    sqs["Records"][0]["body"] = eb.to_string().into();
    sqs["Records"][0]["messageId"] = message_id.into();
    sqs
}

#[tokio::test]
async fn an_sqs_event_delivered_twice_has_one_effect_and_bad_actors_are_reported() {
    let signer = SoftwareSigner::generate();
    let bank = Arc::new(MemoryBank::default());
    let deps = Deps {
        bank: BankService { store: bank.clone(), clock: FixedClock::at(now()), ids: SeqIds::default() },
        idempotency: MemoryIdempotency::default(),
        verifier: Verifier::new(signer.clone(), ISS),
    };
    // A pending deposit, made through the same service.
    let maker = principal("maker1", &["customer.create", "deposit.create", "approval.request"]);
    let checker = principal("checker1", &["approval.decide"]);
    let c = deps
        .bank
        .create_customer(
            &maker,
            &CustomerInput {
                first_name: Some("A".into()),
                last_name: Some("B".into()),
                date_of_birth: Some("1990-01-01".into()),
                nationality: Some("AE".into()),
                id_type: Some("4".into()),
                id_number: Some("784199000000001".into()),
                mobile_number: Some("+971501234567".into()),
                email: Some("a@example.com".into()),
            },
        )
        .await
        .unwrap();
    deps.bank.request_approval::<Customer>(&maker, &c.key, None).await.unwrap();
    deps.bank.decide::<Customer>(&checker, &c.key, Decision::Approve, None).await.unwrap();
    let d = deps
        .bank
        .create_deposit(
            &maker,
            &DepositInput {
                contact_encoded_key: Some(c.key.as_str().into()),
                currency_code: Some("AED".into()),
                product_name: Some("S".into()),
            },
        )
        .await
        .unwrap();
    deps.bank.request_approval::<Deposit>(&maker, &d.key, None).await.unwrap();

    let checker_token = token(&signer, "checker1", &["approval.decide"]).await;
    let event = sqs_event(d.key.as_str(), &checker_token, "m-1");
    let first = handle(&deps, "ApproveDepositCommand", event.clone()).await.unwrap();
    assert_eq!(first, json!({"batchItemFailures": []}));
    let second = handle(&deps, "ApproveDepositCommand", event).await.unwrap();
    assert_eq!(second, json!({"batchItemFailures": []}), "the redelivery replays the first answer");
    let history = bank.history(EntityKind::Deposit, &d.key).await.unwrap();
    assert_eq!(history.iter().filter(|h| h.action == "approved").count(), 1, "one transition");

    // The maker approving their own deposit through an event: refused like over HTTP, reported.
    let maker_token = token(&signer, "maker1", &["approval.decide"]).await;
    let own = sqs_event(d.key.as_str(), &maker_token, "m-2");
    assert_eq!(
        handle(&deps, "ApproveDepositCommand", own).await.unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "m-2"}]})
    );
    // A forged token, and an event routed to the wrong function.
    let forged = sqs_event(d.key.as_str(), "not-a-token", "m-3");
    assert_eq!(
        handle(&deps, "ApproveDepositCommand", forged).await.unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "m-3"}]})
    );
    let wrong = sqs_event(d.key.as_str(), &checker_token, "m-4");
    assert_eq!(
        handle(&deps, "RejectDepositCommand", wrong).await.unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "m-4"}]})
    );
}
