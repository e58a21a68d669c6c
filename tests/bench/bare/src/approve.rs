//! The DynamoDB work of `ApproveDepositCommand` (no Idempotency-Key), with the bare SDK: what
//! `BankService::decide` makes through `DynamoBank` — one consistent `GetItem` of `DEP#<key>`/`RECORD`,
//! then one `TransactWriteItems` of three conditional `Put`s: the record (guarded by version and status),
//! its `AUDIT#<version>` item and its `OUTBOX#<transition>` item. Same attributes, same conditions.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::time::Instant;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use domain::auth::Principal;
use domain::banking::approval::{Audience, EntityKind, Notification};
use time::format_description::well_known::Rfc3339;

use crate::{Res, bare_sdk_config, ms, series};

type Item = HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn get_s(item: &Item, k: &str) -> Res<String> {
    Ok(item.get(k).and_then(|v| v.as_s().ok()).ok_or_else(|| format!("deposit item without {k}"))?.clone())
}

fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(0).expect("0 ns is valid").format(&Rfc3339).expect("RFC 3339")
}

fn put(table: &str, item: Item, condition: &str) -> Res<TransactWriteItem> {
    let p = Put::builder().table_name(table).set_item(Some(item)).condition_expression(condition).build()?;
    Ok(TransactWriteItem::builder().put(p).build())
}

/// One approval of deposit `key` by `checker`, exactly as many calls and items as the function's.
async fn approve(client: &Client, table: &str, key: &str, checker: &Principal) -> Res<()> {
    let pk = format!("DEP#{key}");
    let got = client
        .get_item()
        .table_name(table)
        .key("pk", s(&pk))
        .key("sk", s("RECORD"))
        .consistent_read(true)
        .send()
        .await?;
    let mut record = got.item.ok_or("seeded deposit not found")?;
    let version: u64 =
        record.get("version").and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()).ok_or("version")?;
    let (status, maker) = (get_s(&record, "status")?, get_s(&record, "requested_by")?);
    if status != "Pending_Approval" {
        return Err(format!("seeded deposit is {status}, not pending").into());
    }
    let (at, transition) = (now(), uuid::Uuid::new_v4().to_string());
    let comment = "Account approved after verification";

    // The record after the decision: the approval task decided, the inbox index entry gone.
    record.insert("status".into(), s("Active"));
    record.insert("approval_status".into(), s("Approved"));
    record.insert("decided_by".into(), s(&checker.sub));
    if let Some(email) = &checker.email {
        record.insert("decided_by_email".into(), s(email));
    }
    record.insert("decided_at".into(), s(&at));
    record.insert("decision_comment".into(), s(comment));
    record.insert("cross_branch".into(), AttributeValue::Bool(false));
    record.insert("version".into(), AttributeValue::N((version + 1).to_string()));
    record.remove("gsi1pk");
    record.remove("gsi1sk");
    let guarded = Put::builder()
        .table_name(table)
        .set_item(Some(record))
        .condition_expression("version = :v AND #st = :s")
        .expression_attribute_names("#st", "status")
        .expression_attribute_values(":v", AttributeValue::N(version.to_string()))
        .expression_attribute_values(":s", s("Pending_Approval"))
        .build()?;

    let audit: Item = HashMap::from([
        ("pk".into(), s(&pk)),
        ("sk".into(), s(format!("AUDIT#{:010}", version + 1))),
        ("kind".into(), s("audit")),
        ("transition_id".into(), s(&transition)),
        ("entity".into(), s("deposit")),
        ("entity_key".into(), s(key)),
        ("action".into(), s("approved")),
        ("to".into(), s("Active")),
        ("actor_sub".into(), s(&checker.sub)),
        ("actor_username".into(), s(&checker.username)),
        ("at".into(), s(&at)),
        ("cross_branch".into(), AttributeValue::Bool(false)),
        ("from".into(), s("Pending_Approval")),
        ("comment".into(), s(comment)),
    ]);
    let notification = Notification {
        id: transition.clone(),
        event: "approval_approved".into(),
        entity: EntityKind::Deposit,
        entity_key: key.to_owned(),
        status: "Active".into(),
        audience: Audience::Maker { sub: maker.clone() },
        occurred_at: at.clone(),
    };
    let outbox: Item = HashMap::from([
        ("pk".into(), s(format!("OUTBOX#{transition}"))),
        ("sk".into(), s("OUTBOX")),
        ("kind".into(), s("outbox")),
        ("message".into(), s(serde_json::to_string(&notification)?)),
        ("audience".into(), s("maker")),
        ("target".into(), s(maker)),
        ("outbox_status".into(), s("pending")),
        ("gsi1pk".into(), s("OUTBOX")),
        ("gsi1sk".into(), s(format!("{at}#{transition}"))),
    ]);
    const NEW: &str = "attribute_not_exists(pk)";
    client
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(guarded).build())
        .transact_items(put(table, audit, NEW)?)
        .transact_items(put(table, outbox, NEW)?)
        .send()
        .await?;
    Ok(())
}

pub async fn run(n: usize, warmup: usize, maker: &str, checker: &str) -> Res<serde_json::Value> {
    let seeded = crate::seed::pending_deposits(n + warmup, maker, checker).await?;
    let client = Client::new(&bare_sdk_config().await);
    let table = adapters::Env::bank_table()?;
    let mut samples = Vec::with_capacity(n);
    for (i, key) in seeded.keys.iter().enumerate() {
        let t = Instant::now();
        approve(&client, &table, key, &seeded.checker).await?;
        if i >= warmup {
            samples.push(ms(t));
        }
    }
    Ok(serde_json::json!({
        "what": "GetItem (consistent) + TransactWriteItems (3 Puts), bare aws-sdk-dynamodb",
        "approvals": series(&samples),
    }))
}

/// Approves the deposits whose keys arrive on stdin (one a line), answering each with `{"ms": …}`.
pub async fn serve(checker: &str) -> Res<serde_json::Value> {
    let checker = crate::seed::user_principal(checker).await?;
    let client = Client::new(&bare_sdk_config().await);
    let table = adapters::Env::bank_table()?;
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let key = line?;
        let t = Instant::now();
        approve(&client, &table, key.trim(), &checker).await?;
        writeln!(out, "{}", serde_json::json!({ "ms": ms(t) }))?;
        out.flush()?;
    }
    Ok(serde_json::Value::Null)
}
