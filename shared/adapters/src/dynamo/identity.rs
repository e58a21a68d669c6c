//! The realm on DynamoDB (`IDENTITY_TABLE`): users, clients, lockout counters, refresh tokens and
//! their families. Refresh tokens are keyed by their SHA-256; the value itself is never stored.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem, Update};
use domain::auth::Permission;
use domain::identity::store::{ClientStore, LockoutStore, RefreshTokenStore, UserStore};
use domain::identity::{
    AgentLocationId, Branch, Client as OAuthClient, ClientId, GrantType, LockoutPolicy, LockoutRecord, RefreshFamily,
    RefreshRecord, RefreshStatus, User, Username,
};
use domain::ports::PortError;

use super::{Item, get_bool, get_item, get_list, get_n, get_s, list, n, port_err, s};

#[derive(Clone)]
pub struct DynamoIdentity {
    client: Client,
    table: String,
    lockout: LockoutPolicy,
}

impl DynamoIdentity {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into(), lockout: LockoutPolicy::default() }
    }

    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, PortError> {
        get_item(&self.client, &self.table, pk, sk).await
    }
}

fn user_pk(u: &Username) -> String {
    format!("USER#{}", u.as_str())
}
fn client_pk(c: &ClientId) -> String {
    format!("CLIENT#{}", c.as_str())
}
fn lockout_pk(u: &Username) -> String {
    format!("LOCKOUT#{}", u.as_str())
}
fn refresh_pk(hash: &str) -> String {
    format!("REFRESH#{hash}")
}
fn family_pk(id: &str) -> String {
    format!("FAMILY#{id}")
}

fn corrupt(what: &str) -> PortError {
    PortError::Unavailable(format!("corrupt {what} item"))
}

fn perms(item: &Item) -> Vec<Permission> {
    get_list(item, "permissions").iter().filter_map(|p| Permission::parse(p)).collect()
}

impl UserStore for DynamoIdentity {
    async fn get_user(&self, username: &Username) -> Result<Option<User>, PortError> {
        let Some(item) = self.get(user_pk(username), "PROFILE").await? else { return Ok(None) };
        Ok(Some(User {
            sub: get_s(&item, "sub").ok_or_else(|| corrupt("user"))?,
            username: username.clone(),
            email: get_s(&item, "email").unwrap_or_default(),
            password_hash: get_s(&item, "password_hash").ok_or_else(|| corrupt("user"))?,
            branch: get_s(&item, "branch").and_then(|b| Branch::parse(&b)),
            agent_location_id: get_s(&item, "agent_location_id").and_then(|a| AgentLocationId::parse(&a)),
            permissions: perms(&item),
            enabled: get_bool(&item, "enabled").unwrap_or(false),
        }))
    }

    async fn put_user(&self, user: &User) -> Result<(), PortError> {
        let mut req = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(user_pk(&user.username)))
            .item("sk", s("PROFILE"))
            .item("kind", s("user"))
            .item("sub", s(&user.sub))
            .item("email", s(&user.email))
            .item("password_hash", s(&user.password_hash))
            .item("permissions", list(user.permissions.iter().map(|p| p.as_str().to_owned())))
            .item("enabled", aws_sdk_dynamodb::types::AttributeValue::Bool(user.enabled));
        if let Some(b) = &user.branch {
            req = req.item("branch", s(b.as_str()));
        }
        if let Some(a) = &user.agent_location_id {
            req = req.item("agent_location_id", s(a.as_str()));
        }
        req.send().await.map_err(|e| port_err("PutItem", e))?;
        Ok(())
    }
}

impl ClientStore for DynamoIdentity {
    async fn get_client(&self, id: &ClientId) -> Result<Option<OAuthClient>, PortError> {
        let Some(item) = self.get(client_pk(id), "PROFILE").await? else { return Ok(None) };
        Ok(Some(OAuthClient {
            client_id: id.clone(),
            secret_sha256: get_s(&item, "secret_sha256").ok_or_else(|| corrupt("client"))?,
            grants: get_list(&item, "grants").iter().filter_map(|g| GrantType::parse(g)).collect(),
            scopes: get_list(&item, "scopes"),
            permissions: perms(&item),
            enabled: get_bool(&item, "enabled").unwrap_or(false),
        }))
    }

    async fn put_client(&self, c: &OAuthClient) -> Result<(), PortError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(client_pk(&c.client_id)))
            .item("sk", s("PROFILE"))
            .item("kind", s("client"))
            .item("secret_sha256", s(&c.secret_sha256))
            .item("grants", list(c.grants.iter().map(|g| g.as_str().to_owned())))
            .item("scopes", list(c.scopes.iter().cloned()))
            .item("permissions", list(c.permissions.iter().map(|p| p.as_str().to_owned())))
            .item("enabled", aws_sdk_dynamodb::types::AttributeValue::Bool(c.enabled))
            .send()
            .await
            .map_err(|e| port_err("PutItem", e))?;
        Ok(())
    }
}

impl LockoutStore for DynamoIdentity {
    async fn get_lockout(&self, username: &Username) -> Result<Option<LockoutRecord>, PortError> {
        let Some(item) = self.get(lockout_pk(username), "LOCKOUT").await? else { return Ok(None) };
        Ok(Some(LockoutRecord {
            failures: get_n(&item, "failures").unwrap_or(0) as u32,
            window_started: get_n(&item, "window_started").unwrap_or(0),
            locked_until: get_n(&item, "locked_until"),
            version: get_n(&item, "version").unwrap_or(0) as u64,
        }))
    }

    async fn put_lockout(
        &self,
        username: &Username,
        r: &LockoutRecord,
        expected_version: Option<u64>,
    ) -> Result<(), PortError> {
        let mut req = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(lockout_pk(username)))
            .item("sk", s("LOCKOUT"))
            .item("kind", s("lockout"))
            .item("failures", n(r.failures))
            .item("window_started", n(r.window_started))
            .item("version", n(r.version))
            .item("ttl", n(r.expires_at(&self.lockout)));
        if let Some(t) = r.locked_until {
            req = req.item("locked_until", n(t));
        }
        req = match expected_version {
            None => req.condition_expression("attribute_not_exists(pk)"),
            Some(v) => req.condition_expression("version = :v").expression_attribute_values(":v", n(v)),
        };
        req.send().await.map_err(|e| port_err("PutItem", e))?;
        Ok(())
    }

    async fn clear_lockout(&self, username: &Username) -> Result<(), PortError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(lockout_pk(username)))
            .key("sk", s("LOCKOUT"))
            .send()
            .await
            .map_err(|e| port_err("DeleteItem", e))?;
        Ok(())
    }
}

fn status_str(st: RefreshStatus) -> &'static str {
    match st {
        RefreshStatus::Active => "active",
        RefreshStatus::Rotated => "rotated",
    }
}

fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, PortError> {
    r.map_err(|e| PortError::Unavailable(format!("request build: {e}")))
}

impl DynamoIdentity {
    /// A new refresh token item, only if that hash was never stored.
    fn refresh_put(&self, r: &RefreshRecord) -> Result<TransactWriteItem, PortError> {
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .item("pk", s(refresh_pk(&r.token_hash)))
                .item("sk", s("REFRESH"))
                .item("kind", s("refresh"))
                .item("family_id", s(&r.family_id))
                .item("username", s(r.username.as_str()))
                .item("client_id", s(r.client_id.as_str()))
                .item("scope", s(&r.scope))
                .item("issued_at", n(r.issued_at))
                .item("expires_at", n(r.expires_at))
                .item("status", s(status_str(r.status)))
                .item("ttl", n(r.expires_at + 86_400))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

impl RefreshTokenStore for DynamoIdentity {
    async fn start_family(&self, family: &RefreshFamily, first: &RefreshRecord) -> Result<(), PortError> {
        let fam = built(
            Put::builder()
                .table_name(&self.table)
                .item("pk", s(family_pk(&family.family_id)))
                .item("sk", s("FAMILY"))
                .item("kind", s("family"))
                .item("revoked", aws_sdk_dynamodb::types::AttributeValue::Bool(family.revoked))
                .item("expires_at", n(family.expires_at))
                .item("ttl", n(family.expires_at + 86_400))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(fam).build())
            .transact_items(self.refresh_put(first)?)
            .send()
            .await
            .map_err(|e| port_err("TransactWriteItems", e))?;
        Ok(())
    }

    async fn get_refresh(&self, token_hash: &str) -> Result<Option<RefreshRecord>, PortError> {
        let Some(item) = self.get(refresh_pk(token_hash), "REFRESH").await? else { return Ok(None) };
        let bad = || corrupt("refresh");
        Ok(Some(RefreshRecord {
            token_hash: token_hash.to_owned(),
            family_id: get_s(&item, "family_id").ok_or_else(bad)?,
            username: get_s(&item, "username").and_then(|u| Username::parse(&u)).ok_or_else(bad)?,
            client_id: get_s(&item, "client_id").and_then(|c| ClientId::parse(&c)).ok_or_else(bad)?,
            scope: get_s(&item, "scope").unwrap_or_default(),
            issued_at: get_n(&item, "issued_at").ok_or_else(bad)?,
            expires_at: get_n(&item, "expires_at").ok_or_else(bad)?,
            status: match get_s(&item, "status").as_deref() {
                Some("active") => RefreshStatus::Active,
                _ => RefreshStatus::Rotated,
            },
        }))
    }

    async fn get_family(&self, family_id: &str) -> Result<Option<RefreshFamily>, PortError> {
        let Some(item) = self.get(family_pk(family_id), "FAMILY").await? else { return Ok(None) };
        Ok(Some(RefreshFamily {
            family_id: family_id.to_owned(),
            revoked: get_bool(&item, "revoked").unwrap_or(true),
            expires_at: get_n(&item, "expires_at").unwrap_or(0),
        }))
    }

    async fn rotate(&self, old_hash: &str, next: &RefreshRecord) -> Result<(), PortError> {
        let retire = Update::builder()
            .table_name(&self.table)
            .key("pk", s(refresh_pk(old_hash)))
            .key("sk", s("REFRESH"))
            .update_expression("SET #st = :rotated")
            .condition_expression("#st = :active")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":rotated", s("rotated"))
            .expression_attribute_values(":active", s("active"))
            .build();
        let retire = built(retire)?;
        let family_alive = ConditionCheck::builder()
            .table_name(&self.table)
            .key("pk", s(family_pk(&next.family_id)))
            .key("sk", s("FAMILY"))
            .condition_expression("revoked = :f")
            .expression_attribute_values(":f", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
            .build();
        let family_alive = built(family_alive)?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(retire).build())
            .transact_items(TransactWriteItem::builder().condition_check(family_alive).build())
            .transact_items(self.refresh_put(next)?)
            .send()
            .await
            .map_err(|e| port_err("TransactWriteItems", e))?;
        Ok(())
    }

    async fn revoke_family(&self, family_id: &str) -> Result<(), PortError> {
        super::conflict_is_done(
            self.client
                .update_item()
                .table_name(&self.table)
                .key("pk", s(family_pk(family_id)))
                .key("sk", s("FAMILY"))
                .update_expression("SET revoked = :t")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_err("UpdateItem", e)),
        )
    }
}
