//! DynamoDB adapters. Items are plain `pk`/`sk` documents; every state change that has a guard is
//! a conditional write, and multi-item changes are one `TransactWriteItems`.

pub mod bank;
pub mod idempotency;
pub mod identity;
pub mod outbox;
pub mod reference;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use domain::ports::PortError;

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}
pub(crate) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}
pub(crate) fn list(v: impl IntoIterator<Item = String>) -> AttributeValue {
    AttributeValue::L(v.into_iter().map(AttributeValue::S).collect())
}

pub(crate) fn get_s(item: &Item, k: &str) -> Option<String> {
    item.get(k).and_then(|v| v.as_s().ok()).cloned()
}
pub(crate) fn get_n(item: &Item, k: &str) -> Option<i64> {
    item.get(k).and_then(|v| v.as_n().ok()).and_then(|s| s.parse().ok())
}
pub(crate) fn get_bool(item: &Item, k: &str) -> Option<bool> {
    item.get(k).and_then(|v| v.as_bool().ok()).copied()
}
pub(crate) fn get_list(item: &Item, k: &str) -> Vec<String> {
    item.get(k)
        .and_then(|v| v.as_l().ok())
        .map(|l| l.iter().filter_map(|x| x.as_s().ok().cloned()).collect())
        .unwrap_or_default()
}

/// Maps an SDK error: a failed condition (or a transaction cancelled by one) is `Conflict`,
/// everything else `Unavailable` with the full error context (never item contents).
pub(crate) fn port_err<E, R>(op: &str, e: aws_sdk_dynamodb::error::SdkError<E, R>) -> PortError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if let Some(code) = e.as_service_error().and_then(|se| se.code()) {
        if code == "ConditionalCheckFailedException" {
            return PortError::Conflict;
        }
        if code == "TransactionCanceledException" {
            let msg = e.as_service_error().and_then(|se| se.message()).unwrap_or_default();
            // Cancellation reasons list ConditionalCheckFailed per item; any of those = lost guard.
            if msg.contains("ConditionalCheckFailed") {
                return PortError::Conflict;
            }
        }
    }
    PortError::Unavailable(format!("dynamodb:{op}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(&e)))
}

/// One item by key, read consistently (every read that a guarded write may follow).
pub(crate) async fn get_item(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    pk: String,
    sk: impl Into<String>,
) -> Result<Option<Item>, PortError> {
    let out = client
        .get_item()
        .table_name(table)
        .key("pk", s(pk))
        .key("sk", s(sk))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| port_err("GetItem", e))?;
    Ok(out.item)
}

/// For writes whose guard only keeps them from acting twice (revoking a revoked family, releasing a
/// lease someone else already moved on): a lost condition is success.
pub(crate) fn conflict_is_done(r: Result<(), PortError>) -> Result<(), PortError> {
    match r {
        Err(PortError::Conflict) => Ok(()),
        other => other,
    }
}

/// A DynamoDB client from the shared configuration.
pub fn client(config: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}
