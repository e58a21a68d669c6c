//! Idempotency records on DynamoDB (`BANK_TABLE`, `IDEMP#<scoped key hash>`): one conditional put
//! claims a key; when it fails, `ReturnValuesOnConditionCheckFailure = ALL_OLD` tells why in the
//! same round trip. Expiry is checked in the condition (TTL deletes lazily).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use domain::idempotency::{Claim, IdempotencyPolicy, IdempotencyStore, StoredReply};
use domain::ports::PortError;

use super::{get_n, get_s, n, port_err, s};

#[derive(Clone)]
pub struct DynamoIdempotency {
    client: Client,
    table: String,
}

impl DynamoIdempotency {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }
}

fn pk(key: &str) -> String {
    format!("IDEMP#{key}")
}

impl IdempotencyStore for DynamoIdempotency {
    async fn claim(
        &self,
        key: &str,
        payload_hash: &str,
        now: i64,
        policy: &IdempotencyPolicy,
    ) -> Result<Claim, PortError> {
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(pk(key)))
            .item("sk", s("IDEMP"))
            .item("kind", s("idempotency"))
            .item("idem_status", s("INPROGRESS"))
            .item("payload_hash", s(payload_hash))
            .item("valid_until", n(now + policy.in_progress_secs))
            .item("ttl", n(now + policy.keep_secs))
            .condition_expression("attribute_not_exists(pk) OR valid_until < :now")
            .expression_attribute_values(":now", n(now))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let err = match res {
            Ok(_) => return Ok(Claim::Acquired),
            Err(e) => e,
        };
        let old = err.as_service_error().and_then(|se| match se {
            aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) => c.item.clone(),
            _ => None,
        });
        let Some(old) = old else { return Err(port_err("PutItem", err)) };
        if get_s(&old, "payload_hash").as_deref() != Some(payload_hash) {
            return Ok(Claim::Mismatch);
        }
        match get_s(&old, "idem_status").as_deref() {
            Some("COMPLETED") => Ok(Claim::Completed(StoredReply {
                status: get_n(&old, "reply_status").unwrap_or(500) as u16,
                body: get_s(&old, "reply_body").unwrap_or_default(),
            })),
            _ => Ok(Claim::InProgress),
        }
    }

    async fn complete(
        &self,
        key: &str,
        reply: &StoredReply,
        now: i64,
        policy: &IdempotencyPolicy,
    ) -> Result<(), PortError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(pk(key)))
            .key("sk", s("IDEMP"))
            .update_expression("SET idem_status = :c, reply_status = :st, reply_body = :b, valid_until = :u, #ttl = :u")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":c", s("COMPLETED"))
            .expression_attribute_values(":st", n(reply.status))
            .expression_attribute_values(":b", s(&reply.body))
            .expression_attribute_values(":u", n(now + policy.keep_secs))
            .send()
            .await
            .map_err(|e| port_err("UpdateItem", e))?;
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), PortError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(pk(key)))
            .key("sk", s("IDEMP"))
            .send()
            .await
            .map_err(|e| port_err("DeleteItem", e))?;
        Ok(())
    }
}
