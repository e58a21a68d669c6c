//! The bank's code tables on DynamoDB (`REFDATA#<table>` items of `BANK_TABLE`, loaded from
//! `infra/reference-data/code-tables.json` by `cdp-admin load-reference-data`). Read once per
//! Lambda instance, on first use.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use domain::cdp::ports::{CodeTables, ReferenceData};
use domain::ports::PortError;
use tokio::sync::OnceCell;

use super::{get_list, get_s, list, port_err, s};

pub struct DynamoReference {
    client: Client,
    table: String,
    cache: OnceCell<Arc<CodeTables>>,
}

impl DynamoReference {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into(), cache: OnceCell::new() }
    }

    /// Writes the code tables (admin CLI / stack). One item per table plus a version item.
    pub async fn store(&self, tables: &CodeTables) -> Result<(), PortError> {
        for (name, codes) in &tables.tables {
            let mut codes: Vec<String> = codes.iter().cloned().collect();
            codes.sort();
            self.client
                .put_item()
                .table_name(&self.table)
                .item("pk", s("REFDATA"))
                .item("sk", s(format!("TABLE#{name}")))
                .item("kind", s("refdata"))
                .item("version", s(&tables.version))
                .item("codes", list(codes))
                .send()
                .await
                .map_err(|e| port_err("PutItem", e))?;
        }
        Ok(())
    }

    async fn load(&self) -> Result<Arc<CodeTables>, PortError> {
        let mut tables = HashMap::new();
        let mut version = String::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p AND begins_with(sk, :t)")
                .expression_attribute_values(":p", s("REFDATA"))
                .expression_attribute_values(":t", s("TABLE#"))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| port_err("Query", e))?;
            for item in out.items() {
                let name = get_s(item, "sk").unwrap_or_default().trim_start_matches("TABLE#").to_owned();
                version = get_s(item, "version").unwrap_or_default();
                tables.insert(name, get_list(item, "codes").into_iter().collect::<HashSet<_>>());
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        if tables.is_empty() {
            return Err(PortError::Unavailable("reference data not loaded".into()));
        }
        Ok(Arc::new(CodeTables { version, tables }))
    }
}

impl ReferenceData for DynamoReference {
    async fn code_tables(&self) -> Result<Arc<CodeTables>, PortError> {
        self.cache.get_or_try_init(|| self.load()).await.cloned()
    }
}
