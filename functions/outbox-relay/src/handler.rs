use domain::banking::relay::{Outbox, Publisher, relay};
use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Outbox ids of a DynamoDB stream event, with the sequence number of their record.
pub fn stream_ids(event: &Value) -> Vec<(String, String)> {
    event["Records"]
        .as_array()
        .map(|records| {
            records
                .iter()
                .filter_map(|r| {
                    let pk = r["dynamodb"]["Keys"]["pk"]["S"].as_str()?;
                    let id = pk.strip_prefix("OUTBOX#")?;
                    let seq = r["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default();
                    Some((id.to_owned(), seq.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Stream records: relay those ids and report failures per record (`ReportBatchItemFailures`),
/// so Lambda retries just them. Anything else (the scheduled rule): sweep everything pending.
pub async fn handle<O: Outbox, P: Publisher>(
    outbox: &O,
    sns: &P,
    event: LambdaEvent<Value>,
) -> Result<Value, lambda_runtime::Error> {
    let payload = event.payload;
    if payload.get("Records").is_some() {
        let ids = stream_ids(&payload);
        let report = relay(outbox, sns, Some(ids.iter().map(|(id, _)| id.clone()).collect()), now()).await;
        tracing::info!(event = "relay_stream", sent = report.sent.len(), failed = report.failed.len());
        let failures: Vec<Value> = ids
            .iter()
            .filter(|(id, _)| report.failed.contains(id))
            .map(|(_, seq)| json!({ "itemIdentifier": seq }))
            .collect();
        Ok(json!({ "batchItemFailures": failures }))
    } else {
        let report = relay(outbox, sns, None, now()).await;
        tracing::info!(event = "relay_sweep", sent = report.sent.len(), failed = report.failed.len());
        Ok(json!({ "sent": report.sent.len(), "failed": report.failed.len() }))
    }
}

pub async fn poll<O: Outbox, P: Publisher>(
    outbox: &O,
    sns: &P,
    every: std::time::Duration,
) -> Result<(), lambda_runtime::Error> {
    tracing::info!(event = "relay_polling", interval_ms = every.as_millis() as u64);
    loop {
        let report = relay(outbox, sns, None, now()).await;
        if !report.sent.is_empty() || !report.failed.is_empty() {
            tracing::info!(event = "relay_sweep", sent = report.sent.len(), failed = report.failed.len());
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::banking::Notification;
    use domain::banking::approval::{Audience, EntityKind};
    use domain::testing::{MemoryOutbox, RecordingPublisher};

    #[tokio::test]
    async fn stream_event_fixture_relays_and_reports_failures_per_record() {
        let fixture: Value = serde_json::from_str(include_str!("../../../events/outbox-relay.stream.json")).unwrap();
        assert_eq!(stream_ids(&fixture), vec![("7f9c2a4e-0000-4000-8000-000000000001".to_string(), "111".to_string())]);
        let outbox = MemoryOutbox::default();
        outbox.add(Notification {
            id: "7f9c2a4e-0000-4000-8000-000000000001".into(),
            event: "approval_requested".into(),
            entity: EntityKind::Deposit,
            entity_key: "k".into(),
            status: "Pending_Approval".into(),
            audience: Audience::Approvers { branch: "BR001".into() },
            occurred_at: "2026-11-21T10:00:00Z".into(),
        });
        let sns = RecordingPublisher::default();
        sns.set_down(true);
        let ev = |v: Value| LambdaEvent::new(v, lambda_runtime::Context::default());
        let out = handle(&outbox, &sns, ev(fixture.clone())).await.unwrap();
        assert_eq!(out, json!({"batchItemFailures": [{"itemIdentifier": "111"}]}));
        sns.set_down(false);
        let out = handle(&outbox, &sns, ev(fixture)).await.unwrap();
        assert_eq!(out, json!({"batchItemFailures": []}));
        assert_eq!(sns.published().len(), 1);
        let sweep: Value = serde_json::from_str(include_str!("../../../events/outbox-relay.schedule.json")).unwrap();
        assert_eq!(handle(&outbox, &sns, ev(sweep)).await.unwrap(), json!({"sent": 0, "failed": 0}));
    }
}
