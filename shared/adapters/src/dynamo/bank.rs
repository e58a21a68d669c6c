//! Customers, deposits, audit records, the outbox and sequences on DynamoDB (`BANK_TABLE`).
//!
//! Items: `CUST#<key>`/`DEP#<key>` + `RECORD` (the record; while an approval is open it carries
//! `gsi1pk = PENDING`, `gsi1sk = <requested_at>#<kind>#<key>` for the inbox), `…` + `AUDIT#<version>`
//! (its history), `IDDOC#<sha256(type:number)>` (one customer per ID document, no ID number in a
//! key), `OUTBOX#<transition id>` (notifications for the relay), `SEQ#<name>` (counters).

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use domain::banking::approval::{ApprovalStatus, ApprovalTask, Audience, AuditRecord, EntityKind, Notification};
use domain::banking::customer::{AmlStatus, CdpIdDocument, CdpProfile, Customer, CustomerStatus, StoredDocument};
use domain::banking::deposit::{Deposit, DepositStatus};
use domain::banking::store::{
    AlertClosure, AlertDecision, AmlAlert, BankStore, Change, InboxItem, InboxPage, InboxQuery, OnboardingWrite, Record,
};
use domain::banking::values::{
    Country, Currency, Email, EncodedKey, IdNumber, IdType, MobileNumber, PersonName, format_date, parse_date,
};
use domain::ports::PortError;
use sha2::{Digest, Sha256};

use super::{Item, get_bool, get_item, get_n, get_s, n, port_err, s};

#[derive(Clone)]
pub struct DynamoBank {
    client: Client,
    table: String,
}

pub fn entity_pk(kind: EntityKind, key: &str) -> String {
    match kind {
        EntityKind::Customer => format!("CUST#{key}"),
        EntityKind::Deposit => format!("DEP#{key}"),
    }
}

fn iddoc_pk(id_type: &IdType, id_number: &IdNumber) -> String {
    let digest = Sha256::digest(format!("{}:{}", id_type.as_str(), id_number.as_str()).as_bytes());
    format!("IDDOC#{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn corrupt(what: &str) -> PortError {
    PortError::Unavailable(format!("corrupt {what} item"))
}

fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, PortError> {
    r.map_err(|e| PortError::Unavailable(format!("request build: {e}")))
}

fn opt(item: &mut Item, k: &str, v: &Option<String>) {
    if let Some(v) = v {
        item.insert(k.into(), s(v));
    }
}

fn put_approval(item: &mut Item, kind: EntityKind, key: &str, a: &Option<ApprovalTask>) {
    let Some(a) = a else { return };
    item.insert("approval_status".into(), s(a.status.as_str()));
    item.insert("requested_by".into(), s(&a.requested_by));
    item.insert("requested_by_username".into(), s(&a.requested_by_username));
    item.insert("requested_at".into(), s(&a.requested_at));
    opt(item, "request_comment", &a.request_comment);
    opt(item, "decided_by", &a.decided_by);
    opt(item, "decided_by_email", &a.decided_by_email);
    opt(item, "decided_at", &a.decided_at);
    opt(item, "decision_comment", &a.decision_comment);
    item.insert("cross_branch".into(), AttributeValue::Bool(a.cross_branch));
    if a.status == ApprovalStatus::Pending {
        item.insert("gsi1pk".into(), s("PENDING"));
        item.insert("gsi1sk".into(), s(format!("{}#{}#{key}", a.requested_at, kind.as_str())));
    }
}

fn read_approval(item: &Item) -> Option<ApprovalTask> {
    Some(ApprovalTask {
        status: ApprovalStatus::parse(&get_s(item, "approval_status")?)?,
        requested_by: get_s(item, "requested_by")?,
        requested_by_username: get_s(item, "requested_by_username").unwrap_or_default(),
        requested_at: get_s(item, "requested_at")?,
        request_comment: get_s(item, "request_comment"),
        decided_by: get_s(item, "decided_by"),
        decided_by_email: get_s(item, "decided_by_email"),
        decided_at: get_s(item, "decided_at"),
        decision_comment: get_s(item, "decision_comment"),
        cross_branch: get_bool(item, "cross_branch").unwrap_or(false),
    })
}

fn customer_item(c: &Customer) -> Item {
    let key = c.key.as_str();
    let mut item: Item = HashMap::from([
        ("pk".into(), s(entity_pk(EntityKind::Customer, key))),
        ("sk".into(), s("RECORD")),
        ("kind".into(), s("customer")),
        ("key".into(), s(key)),
        ("first_name".into(), s(c.first_name.as_str())),
        ("last_name".into(), s(c.last_name.as_str())),
        ("date_of_birth".into(), s(format_date(c.date_of_birth))),
        ("nationality".into(), s(c.nationality.alpha2())),
        ("id_type".into(), s(c.id_type.as_str())),
        ("id_number".into(), s(c.id_number.as_str())),
        ("mobile_number".into(), s(c.mobile_number.as_str())),
        ("email".into(), s(c.email.as_str())),
        ("branch".into(), s(&c.branch)),
        ("status".into(), s(c.status.as_str())),
        ("created_by".into(), s(&c.created_by)),
        ("created_at".into(), s(&c.created_at)),
        ("version".into(), n(c.version)),
    ]);
    put_approval(&mut item, EntityKind::Customer, key, &c.approval);
    if let Some(p) = &c.cdp {
        put_cdp(&mut item, p);
    }
    item
}

fn put_cdp(item: &mut Item, p: &CdpProfile) {
    item.insert("ecrn".into(), s(&p.ecrn));
    opt(item, "middle_name", &p.middle_name);
    item.insert("agent_location_id".into(), s(&p.agent_location_id));
    item.insert("subscriptions".into(), super::list(p.subscriptions.iter().cloned()));
    item.insert("aml_scan_status".into(), s(p.aml_scan_status.as_str()));
    item.insert("pep".into(), AttributeValue::Bool(p.pep));
    item.insert("aml_category".into(), n(p.aml_category));
    let ids: Vec<serde_json::Value> = p
        .id_documents
        .iter()
        .map(|d| {
            serde_json::json!({"id_type": d.id_type.as_str(), "id_number": d.id_number.as_str(),
                               "date_of_expiry": format_date(d.date_of_expiry), "active": d.active})
        })
        .collect();
    item.insert("id_documents".into(), s(serde_json::Value::Array(ids).to_string()));
    item.insert("documents".into(), s(serde_json::to_string(&p.documents).expect("documents serialise")));
    item.insert("profile".into(), s(&p.profile_json));
}

fn read_cdp(item: &Item) -> Option<CdpProfile> {
    let ecrn = get_s(item, "ecrn")?;
    let ids: Vec<serde_json::Value> = serde_json::from_str(&get_s(item, "id_documents")?).ok()?;
    let id_documents = ids
        .iter()
        .map(|d| {
            Some(CdpIdDocument {
                id_type: IdType::parse(d["id_type"].as_str()?)?,
                id_number: IdNumber::parse(d["id_number"].as_str()?)?,
                date_of_expiry: parse_date(d["date_of_expiry"].as_str()?)?,
                active: d["active"].as_bool().unwrap_or(true),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let documents: Vec<StoredDocument> =
        serde_json::from_str(&get_s(item, "documents").unwrap_or_else(|| "[]".into())).ok()?;
    Some(CdpProfile {
        ecrn,
        middle_name: get_s(item, "middle_name"),
        agent_location_id: get_s(item, "agent_location_id")?,
        subscriptions: super::get_list(item, "subscriptions"),
        aml_scan_status: AmlStatus::parse(&get_s(item, "aml_scan_status")?)?,
        pep: get_bool(item, "pep").unwrap_or(false),
        aml_category: get_n(item, "aml_category").unwrap_or(1) as u8,
        id_documents,
        documents,
        profile_json: get_s(item, "profile").unwrap_or_else(|| "{}".into()),
    })
}

fn read_customer(item: &Item) -> Option<Customer> {
    Some(Customer {
        key: EncodedKey::parse(&get_s(item, "key")?)?,
        first_name: PersonName::parse(&get_s(item, "first_name")?, 100)?,
        last_name: PersonName::parse(&get_s(item, "last_name")?, 100)?,
        date_of_birth: parse_date(&get_s(item, "date_of_birth")?)?,
        nationality: Country::parse(&get_s(item, "nationality")?)?,
        id_type: IdType::parse(&get_s(item, "id_type")?)?,
        id_number: IdNumber::parse(&get_s(item, "id_number")?)?,
        mobile_number: MobileNumber::parse(&get_s(item, "mobile_number")?)?,
        email: Email::parse(&get_s(item, "email")?)?,
        branch: get_s(item, "branch")?,
        status: CustomerStatus::parse(&get_s(item, "status")?)?,
        approval: read_approval(item),
        created_by: get_s(item, "created_by")?,
        created_at: get_s(item, "created_at")?,
        version: get_n(item, "version")? as u64,
        cdp: if item.contains_key("ecrn") { Some(read_cdp(item)?) } else { None },
    })
}

fn deposit_item(d: &Deposit) -> Item {
    let key = d.key.as_str();
    let mut item: Item = HashMap::from([
        ("pk".into(), s(entity_pk(EntityKind::Deposit, key))),
        ("sk".into(), s("RECORD")),
        ("kind".into(), s("deposit")),
        ("key".into(), s(key)),
        ("account_number".into(), s(&d.account_number)),
        ("customer_key".into(), s(d.customer_key.as_str())),
        ("currency".into(), s(d.currency.code())),
        ("product_name".into(), s(&d.product_name)),
        ("branch".into(), s(&d.branch)),
        ("status".into(), s(d.status.as_str())),
        ("created_by".into(), s(&d.created_by)),
        ("created_at".into(), s(&d.created_at)),
        ("version".into(), n(d.version)),
    ]);
    put_approval(&mut item, EntityKind::Deposit, key, &d.approval);
    item
}

fn read_deposit(item: &Item) -> Option<Deposit> {
    Some(Deposit {
        key: EncodedKey::parse(&get_s(item, "key")?)?,
        account_number: get_s(item, "account_number")?,
        customer_key: EncodedKey::parse(&get_s(item, "customer_key")?)?,
        currency: Currency::parse(&get_s(item, "currency")?)?,
        product_name: get_s(item, "product_name")?,
        branch: get_s(item, "branch")?,
        status: DepositStatus::parse(&get_s(item, "status")?)?,
        approval: read_approval(item),
        created_by: get_s(item, "created_by")?,
        created_at: get_s(item, "created_at")?,
        version: get_n(item, "version")? as u64,
    })
}

fn record_item(r: &Record) -> (Item, u64) {
    match r {
        Record::Customer(c) => (customer_item(c), c.version),
        Record::Deposit(d) => (deposit_item(d), d.version),
    }
}

fn audit_item(a: &AuditRecord, version: u64) -> Item {
    let mut item: Item = HashMap::from([
        ("pk".into(), s(entity_pk(a.entity, &a.entity_key))),
        ("sk".into(), s(format!("AUDIT#{version:010}"))),
        ("kind".into(), s("audit")),
        ("transition_id".into(), s(&a.transition_id)),
        ("entity".into(), s(a.entity.as_str())),
        ("entity_key".into(), s(&a.entity_key)),
        ("action".into(), s(&a.action)),
        ("to".into(), s(&a.to)),
        ("actor_sub".into(), s(&a.actor_sub)),
        ("actor_username".into(), s(&a.actor_username)),
        ("at".into(), s(&a.at)),
        ("cross_branch".into(), AttributeValue::Bool(a.cross_branch)),
    ]);
    opt(&mut item, "from", &a.from);
    opt(&mut item, "comment", &a.comment);
    item
}

fn alert_item(a: &AmlAlert) -> Item {
    let mut item: Item = HashMap::from([
        ("pk".into(), s(entity_pk(EntityKind::Customer, a.customer_key.as_str()))),
        ("sk".into(), s(format!("ALERT#{}", a.alert_id))),
        ("kind".into(), s("alert")),
        ("alert_id".into(), s(&a.alert_id)),
        ("customer_key".into(), s(a.customer_key.as_str())),
        ("ecrn".into(), s(&a.ecrn)),
        ("matched_ids".into(), super::list(a.matched_ids.iter().cloned())),
        ("opened_at".into(), s(&a.opened_at)),
        ("alert_status".into(), s(if a.is_open() { "OPEN" } else { "CLOSED" })),
    ]);
    opt(&mut item, "closed_at", &a.closed_at);
    opt(&mut item, "decision", &a.decision.map(|d| d.as_str().to_owned()));
    opt(&mut item, "remarks", &a.remarks);
    opt(&mut item, "closed_by", &a.closed_by);
    item
}

fn read_alert(item: &Item) -> Option<AmlAlert> {
    Some(AmlAlert {
        alert_id: get_s(item, "alert_id")?,
        customer_key: EncodedKey::parse(&get_s(item, "customer_key")?)?,
        ecrn: get_s(item, "ecrn")?,
        matched_ids: super::get_list(item, "matched_ids"),
        opened_at: get_s(item, "opened_at")?,
        closed_at: get_s(item, "closed_at"),
        decision: get_s(item, "decision").and_then(|d| AlertDecision::parse(&d)),
        remarks: get_s(item, "remarks"),
        closed_by: get_s(item, "closed_by"),
    })
}

fn read_audit(item: &Item) -> Option<AuditRecord> {
    Some(AuditRecord {
        transition_id: get_s(item, "transition_id")?,
        entity: EntityKind::parse(&get_s(item, "entity")?)?,
        entity_key: get_s(item, "entity_key")?,
        action: get_s(item, "action")?,
        from: get_s(item, "from"),
        to: get_s(item, "to")?,
        actor_sub: get_s(item, "actor_sub")?,
        actor_username: get_s(item, "actor_username").unwrap_or_default(),
        at: get_s(item, "at")?,
        comment: get_s(item, "comment"),
        cross_branch: get_bool(item, "cross_branch").unwrap_or(false),
    })
}

/// Outbox items wait in `gsi1` under `OUTBOX` until the relay has published them.
pub fn outbox_item(nf: &Notification) -> Item {
    let (audience, target) = match &nf.audience {
        Audience::Approvers { branch } => ("approvers", branch.clone()),
        Audience::Maker { sub } => ("maker", sub.clone()),
        Audience::Compliance => ("compliance", String::new()),
    };
    HashMap::from([
        ("pk".into(), s(format!("OUTBOX#{}", nf.id))),
        ("sk".into(), s("OUTBOX")),
        ("kind".into(), s("outbox")),
        ("message".into(), s(serde_json::to_string(nf).expect("notification serialises"))),
        ("audience".into(), s(audience)),
        ("target".into(), s(target)),
        ("outbox_status".into(), s("pending")),
        ("gsi1pk".into(), s("OUTBOX")),
        ("gsi1sk".into(), s(format!("{}#{}", nf.occurred_at, nf.id))),
    ])
}

fn put(table: &str, item: Item, condition: &str) -> Result<TransactWriteItem, PortError> {
    let p = built(Put::builder().table_name(table).set_item(Some(item)).condition_expression(condition).build())?;
    Ok(TransactWriteItem::builder().put(p).build())
}

const NEW: &str = "attribute_not_exists(pk)";

impl DynamoBank {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// The customer a registry item (`ECRN#…`, `ALERTID#…`) points to.
    async fn owner(&self, pk: String, sk: &str) -> Result<Option<EncodedKey>, PortError> {
        let item = get_item(&self.client, &self.table, pk, sk).await?;
        Ok(item.as_ref().and_then(|i| get_s(i, "customer_key")).and_then(|k| EncodedKey::parse(&k)))
    }

    async fn get(&self, pk: String) -> Result<Option<Item>, PortError> {
        get_item(&self.client, &self.table, pk, "RECORD").await
    }
}

impl BankStore for DynamoBank {
    async fn get_customer(&self, key: &EncodedKey) -> Result<Option<Customer>, PortError> {
        match self.get(entity_pk(EntityKind::Customer, key.as_str())).await? {
            None => Ok(None),
            Some(item) => read_customer(&item).map(Some).ok_or_else(|| corrupt("customer")),
        }
    }

    async fn get_deposit(&self, key: &EncodedKey) -> Result<Option<Deposit>, PortError> {
        match self.get(entity_pk(EntityKind::Deposit, key.as_str())).await? {
            None => Ok(None),
            Some(item) => read_deposit(&item).map(Some).ok_or_else(|| corrupt("deposit")),
        }
    }

    async fn insert(&self, record: &Record, audit: &AuditRecord) -> Result<(), PortError> {
        let (item, version) = record_item(record);
        let mut tx = self.client.transact_write_items().transact_items(put(&self.table, item, NEW)?);
        if let Record::Customer(c) = record {
            let doc = HashMap::from([
                ("pk".into(), s(iddoc_pk(&c.id_type, &c.id_number))),
                ("sk".into(), s("IDDOC")),
                ("kind".into(), s("iddoc")),
                ("customer_key".into(), s(c.key.as_str())),
            ]);
            tx = tx.transact_items(put(&self.table, doc, NEW)?);
        }
        tx.transact_items(put(&self.table, audit_item(audit, version), NEW)?)
            .send()
            .await
            .map_err(|e| port_err("TransactWriteItems", e))?;
        Ok(())
    }

    async fn commit(&self, change: &Change) -> Result<(), PortError> {
        let (item, version) = record_item(&change.record);
        let record = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("version = :v AND #st = :s")
                .expression_attribute_names("#st", "status")
                .expression_attribute_values(":v", n(change.expected_version))
                .expression_attribute_values(":s", s(change.expected_status))
                .build(),
        )?;
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(record).build())
            .transact_items(put(&self.table, audit_item(&change.audit, version), NEW)?);
        if let Some(nf) = &change.notification {
            tx = tx.transact_items(put(&self.table, outbox_item(nf), NEW)?);
        }
        tx.send().await.map_err(|e| port_err("TransactWriteItems", e))?;
        Ok(())
    }

    async fn find_by_id_document(
        &self,
        id_type: &IdType,
        id_number: &IdNumber,
    ) -> Result<Option<EncodedKey>, PortError> {
        self.owner(iddoc_pk(id_type, id_number), "IDDOC").await
    }

    async fn save_onboarding(&self, w: &OnboardingWrite) -> Result<(), PortError> {
        let customer = &w.customer;
        let record = match w.expected_version {
            None => put(&self.table, customer_item(customer), NEW)?,
            Some(v) => {
                let p = built(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(customer_item(customer)))
                        .condition_expression("version = :v")
                        .expression_attribute_values(":v", n(v))
                        .build(),
                )?;
                TransactWriteItem::builder().put(p).build()
            }
        };
        let owned = |pk: String, sk: &str, kind: &str| -> Result<TransactWriteItem, PortError> {
            // Registered to nobody yet, or to this customer already.
            let p = built(
                Put::builder()
                    .table_name(&self.table)
                    .item("pk", s(pk))
                    .item("sk", s(sk))
                    .item("kind", s(kind))
                    .item("customer_key", s(customer.key.as_str()))
                    .condition_expression("attribute_not_exists(pk) OR customer_key = :k")
                    .expression_attribute_values(":k", s(customer.key.as_str()))
                    .build(),
            )?;
            Ok(TransactWriteItem::builder().put(p).build())
        };
        let mut tx = self.client.transact_write_items().transact_items(record);
        for (t, num) in &w.id_documents {
            tx = tx.transact_items(owned(iddoc_pk(t, num), "IDDOC", "iddoc")?);
        }
        if let Some(p) = &customer.cdp {
            tx = tx.transact_items(owned(format!("ECRN#{}", p.ecrn), "ECRN", "ecrn")?);
        }
        if let Some(a) = &w.alert {
            tx = tx.transact_items(owned(format!("ALERTID#{}", a.alert_id), "ALERTID", "alertid")?);
            tx = tx.transact_items(put(&self.table, alert_item(a), NEW)?);
        }
        for nf in &w.notifications {
            tx = tx.transact_items(put(&self.table, outbox_item(nf), NEW)?);
        }
        tx.transact_items(put(&self.table, audit_item(&w.audit, customer.version), NEW)?)
            .send()
            .await
            .map_err(|e| port_err("TransactWriteItems", e))?;
        Ok(())
    }

    async fn find_by_ecrn(&self, ecrn: &str) -> Result<Option<EncodedKey>, PortError> {
        self.owner(format!("ECRN#{ecrn}"), "ECRN").await
    }

    async fn get_alert(&self, alert_id: &str) -> Result<Option<AmlAlert>, PortError> {
        let Some(key) = self.owner(format!("ALERTID#{alert_id}"), "ALERTID").await? else { return Ok(None) };
        let item = get_item(
            &self.client,
            &self.table,
            entity_pk(EntityKind::Customer, key.as_str()),
            format!("ALERT#{alert_id}"),
        )
        .await?;
        item.as_ref().map(|i| read_alert(i).ok_or_else(|| corrupt("alert"))).transpose()
    }

    async fn alerts_of(&self, customer: &EncodedKey) -> Result<Vec<AmlAlert>, PortError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :a)")
            .expression_attribute_values(":pk", s(entity_pk(EntityKind::Customer, customer.as_str())))
            .expression_attribute_values(":a", s("ALERT#"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| port_err("Query", e))?;
        let mut alerts =
            out.items().iter().map(|i| read_alert(i).ok_or_else(|| corrupt("alert"))).collect::<Result<Vec<_>, _>>()?;
        alerts.sort_by(|a, b| a.opened_at.cmp(&b.opened_at));
        Ok(alerts)
    }

    async fn close_alert(&self, w: &AlertClosure) -> Result<(), PortError> {
        let record = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(customer_item(&w.customer)))
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(w.expected_version))
                .build(),
        )?;
        let alert = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(alert_item(&w.alert)))
                .condition_expression("alert_status = :open")
                .expression_attribute_values(":open", s("OPEN"))
                .build(),
        )?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(record).build())
            .transact_items(TransactWriteItem::builder().put(alert).build())
            .transact_items(put(&self.table, audit_item(&w.audit, w.customer.version), NEW)?)
            .send()
            .await
            .map_err(|e| port_err("TransactWriteItems", e))?;
        Ok(())
    }

    async fn next_sequence(&self, name: &str) -> Result<u64, PortError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(format!("SEQ#{name}")))
            .key("sk", s("SEQ"))
            .update_expression("ADD #v :one")
            .expression_attribute_names("#v", "value")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| port_err("UpdateItem", e))?;
        out.attributes.as_ref().and_then(|a| get_n(a, "value")).map(|v| v as u64).ok_or_else(|| corrupt("sequence"))
    }

    async fn history(&self, entity: EntityKind, key: &EncodedKey) -> Result<Vec<AuditRecord>, PortError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :a)")
                .expression_attribute_values(":pk", s(entity_pk(entity, key.as_str())))
                .expression_attribute_values(":a", s("AUDIT#"))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| port_err("Query", e))?;
            for item in page.items() {
                out.push(read_audit(item).ok_or_else(|| corrupt("audit"))?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    async fn pending(&self, q: &InboxQuery) -> Result<InboxPage, PortError> {
        let mut filter = vec!["created_by <> :me", "requested_by <> :me"];
        if q.branch.is_some() {
            filter.push("branch = :b");
        }
        if q.kind.is_some() {
            filter.push("kind = :k");
        }
        let mut start = match &q.page_token {
            Some(t) => Some(decode_token(t).ok_or(PortError::Invalid("pageToken"))?),
            None => None,
        };
        let mut items = Vec::new();
        loop {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("gsi1")
                .key_condition_expression("gsi1pk = :p")
                .filter_expression(filter.join(" AND "))
                .expression_attribute_values(":p", s("PENDING"))
                .expression_attribute_values(":me", s(&q.exclude_sub))
                .scan_index_forward(true)
                .limit(100)
                .set_exclusive_start_key(start.take());
            if let Some(b) = &q.branch {
                req = req.expression_attribute_values(":b", s(b));
            }
            if let Some(k) = q.kind {
                req = req.expression_attribute_values(":k", s(k.as_str()));
            }
            let page = req.send().await.map_err(|e| port_err("Query", e))?;
            for item in page.items() {
                items.push(item.clone());
                if items.len() == q.limit {
                    let last = &items[q.limit - 1];
                    let token = ["pk", "sk", "gsi1pk", "gsi1sk"]
                        .iter()
                        .filter_map(|k| get_s(last, k).map(|v| (k.to_string(), v)))
                        .collect::<HashMap<_, _>>();
                    return Ok(InboxPage {
                        items: items.iter().filter_map(inbox_item).collect(),
                        next_page_token: Some(B64.encode(serde_json::to_vec(&token).expect("map serialises"))),
                    });
                }
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => {
                    return Ok(InboxPage {
                        items: items.iter().filter_map(inbox_item).collect(),
                        next_page_token: None,
                    });
                }
            }
        }
    }
}

fn decode_token(t: &str) -> Option<Item> {
    let map: HashMap<String, String> = serde_json::from_slice(&B64.decode(t).ok()?).ok()?;
    let ok = ["pk", "sk", "gsi1pk", "gsi1sk"].iter().all(|k| map.contains_key(*k)) && map.len() == 4;
    ok.then(|| map.into_iter().map(|(k, v)| (k, s(v))).collect())
}

fn inbox_item(item: &Item) -> Option<InboxItem> {
    let entity = EntityKind::parse(&get_s(item, "kind")?)?;
    let status = get_s(item, "status")?;
    Some(InboxItem {
        entity,
        key: get_s(item, "key")?,
        branch: get_s(item, "branch")?,
        status: if entity == EntityKind::Customer { format!("{status}/Pending") } else { status },
        requested_by: get_s(item, "requested_by")?,
        requested_by_username: get_s(item, "requested_by_username").unwrap_or_default(),
        requested_at: get_s(item, "requested_at")?,
        request_comment: get_s(item, "request_comment"),
    })
}
