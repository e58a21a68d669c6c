//! The outbox on DynamoDB (`OUTBOX#<id>` items of `BANK_TABLE`, written by transitions). Pending
//! items sit in `gsi1` under `OUTBOX`; sending removes them from it.

use aws_sdk_dynamodb::Client;
use domain::banking::Notification;
use domain::banking::relay::Outbox;
use domain::ports::PortError;

use super::{get_item, get_s, n, port_err, s};

#[derive(Clone)]
pub struct DynamoOutbox {
    client: Client,
    table: String,
}

impl DynamoOutbox {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }
}

fn pk(id: &str) -> String {
    format!("OUTBOX#{id}")
}

fn parse(item: &super::Item) -> Result<Notification, PortError> {
    let msg = get_s(item, "message").ok_or_else(|| PortError::Unavailable("outbox item without message".into()))?;
    serde_json::from_str(&msg).map_err(|_| PortError::Unavailable("corrupt outbox message".into()))
}

/// `ConditionalCheckFailed` -> `false`; other errors pass through.
fn lost(r: Result<(), PortError>) -> Result<bool, PortError> {
    match r {
        Ok(()) => Ok(true),
        Err(PortError::Conflict) => Ok(false),
        Err(e) => Err(e),
    }
}

impl Outbox for DynamoOutbox {
    async fn pending(&self, limit: usize) -> Result<Vec<Notification>, PortError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :o")
            .expression_attribute_values(":o", s("OUTBOX"))
            .scan_index_forward(true)
            .limit(limit as i32)
            .send()
            .await
            .map_err(|e| port_err("Query", e))?;
        out.items().iter().map(parse).collect()
    }

    async fn get(&self, id: &str) -> Result<Option<Notification>, PortError> {
        get_item(&self.client, &self.table, pk(id), "OUTBOX").await?.as_ref().map(parse).transpose()
    }

    async fn claim(&self, id: &str, now: i64, lease_secs: i64) -> Result<bool, PortError> {
        lost(
            self.client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(pk(id)))
                .key("sk", s("OUTBOX"))
                .update_expression("SET outbox_status = :sending, lease_until = :until")
                .condition_expression("outbox_status = :pending OR (outbox_status = :sending AND lease_until < :now)")
                .expression_attribute_values(":sending", s("sending"))
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":until", n(now + lease_secs))
                .expression_attribute_values(":now", n(now))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_err("UpdateItem", e)),
        )
    }

    async fn mark_sent(&self, id: &str, now: i64) -> Result<(), PortError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(pk(id)))
            .key("sk", s("OUTBOX"))
            .update_expression(
                "SET outbox_status = :sent, sent_at = :now, #ttl = :ttl REMOVE gsi1pk, gsi1sk, lease_until",
            )
            .condition_expression("outbox_status = :sending")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":sent", s("sent"))
            .expression_attribute_values(":sending", s("sending"))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":ttl", n(now + 7 * 86_400))
            .send()
            .await
            .map_err(|e| port_err("UpdateItem", e))?;
        Ok(())
    }

    async fn release(&self, id: &str) -> Result<(), PortError> {
        super::conflict_is_done(
            self.client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(pk(id)))
                .key("sk", s("OUTBOX"))
                .update_expression("SET outbox_status = :pending REMOVE lease_until")
                .condition_expression("outbox_status = :sending")
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":sending", s("sending"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_err("UpdateItem", e)),
        )
    }
}
