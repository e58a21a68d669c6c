//! Approver and maker notifications through the real outbox relay and moto's SNS -> SQS, including
//! an SNS outage (the relay's link to SNS is dropped by infra/local/fault_proxy.py).
//! One test function: it is the only reader of the observer queue.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::MessageSystemAttributeName;
use e2e_tests::*;
use serde_json::{Value, json};

struct Observer {
    sqs: aws_sdk_sqs::Client,
    url: String,
    seen: Vec<Value>,
}

impl Observer {
    async fn new() -> Self {
        let config = adapters::sdk_config().await;
        let sqs = aws_sdk_sqs::Client::new(&config);
        let url =
            sqs.get_queue_url().queue_name("cdp-approvals-observer.fifo").send().await.unwrap().queue_url.unwrap();
        Self { sqs, url, seen: Vec::new() }
    }

    /// Receives (and deletes) everything that arrives within `d`.
    async fn collect_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            let out = self
                .sqs
                .receive_message()
                .queue_url(&self.url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap();
            for m in out.messages() {
                self.seen.push(serde_json::from_str(m.body().unwrap()).unwrap());
                self.sqs
                    .delete_message()
                    .queue_url(&self.url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }

    async fn wait_for(&mut self, key: &str, event: &str, within: Duration) -> Vec<Value> {
        let end = Instant::now() + within;
        loop {
            let found = self.of(key, event);
            if !found.is_empty() || Instant::now() > end {
                return found;
            }
            self.collect_for(Duration::from_millis(500)).await;
        }
    }

    fn of(&self, key: &str, event: &str) -> Vec<Value> {
        self.seen.iter().filter(|m| m["entity_key"] == key && m["event"] == event).cloned().collect()
    }
}

async fn cmd(token: &str, body: Value) -> Value {
    let (status, answer) = bpm(Some(token), &body, None).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

#[tokio::test]
async fn approvers_and_makers_are_notified_once_even_across_an_sns_outage() {
    let flag = env("SNS_FAULT_FLAG");
    let _ = std::fs::remove_file(&flag);
    let mut obs = Observer::new().await;
    let maker = staff_token("maker1", "Maker1!pass").await;
    let checker = staff_token("checker1", "Checker1!pass").await;

    // Submission: the approvers of BR001 hear of it within seconds.
    let created = cmd(
        &maker,
        json!({"commandName": "CreateCustomerCommand", "data": {
        "firstName": "Amal", "lastName": "Test", "dateOfBirth": "1980-02-02", "nationality": "AE", "idType": "4",
        "idNumber": unique_id_number(), "mobileNumber": "+971501234567", "email": "amal@example.com"}}),
    )
    .await;
    let key = created["data"]["contactEncodedKey"].as_str().unwrap().to_owned();
    cmd(&maker, json!({"commandName": "RequestCustomerApprovalCommand", "data": {"contactEncodedKey": key}})).await;
    let requested = obs.wait_for(&key, "approval_requested", Duration::from_secs(15)).await;
    assert_eq!(requested.len(), 1, "{:?}", obs.seen);
    let m = &requested[0];
    assert_eq!(m["audience"], "approvers");
    assert_eq!(m["branch"], "BR001");
    assert_eq!(m["entity"], "customer");
    // Ids and statuses only: no names, numbers or e-mails.
    let mut fields: Vec<&String> = m.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["audience", "branch", "entity", "entity_key", "event", "id", "occurred_at", "status"]);

    // SNS goes down; the decision still succeeds.
    std::fs::write(&flag, b"down").unwrap();
    cmd(&checker, json!({"commandName": "ApproveCustomerCommand", "data": {"contactEncodedKey": key}})).await;
    obs.collect_for(Duration::from_secs(4)).await;
    assert!(obs.of(&key, "approval_approved").is_empty(), "nothing can be delivered while SNS is down");

    // SNS is back: exactly one notification to the maker, and no second one later.
    std::fs::remove_file(&flag).unwrap();
    let approved = obs.wait_for(&key, "approval_approved", Duration::from_secs(20)).await;
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0]["audience"], "maker");
    assert_eq!(approved[0]["status"], "ACTIVE");
    obs.collect_for(Duration::from_secs(4)).await;
    assert_eq!(obs.of(&key, "approval_approved").len(), 1, "never twice for one transition");
    assert_eq!(obs.of(&key, "approval_requested").len(), 1);
}
