//! The token endpoint's use case: the `password`, `refresh_token` and `client_credentials` grants.
//!
//! Rules: one identical `invalid_grant` for unknown user, wrong password, disabled and locked
//! accounts (and the same argon2id work in each case, so timing does not tell them apart);
//! refresh tokens are opaque, stored as SHA-256 only, rotated on every use, and presenting a
//! rotated one revokes its whole family.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

use super::lockout::{LockoutPolicy, LockoutRecord};
use super::store::{ClientStore, LockoutStore, RefreshTokenStore, UserStore};
use super::{
    Client, ClientId, GrantType, RefreshFamily, RefreshRecord, RefreshStatus, User, Username, ct_eq, password,
    sha256_hex,
};
use crate::auth::jwt::{AccessClaims, SignError, sign};
use crate::ports::{IdGenerator, PortError, Signer};

#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// `<base>/auth/realms/cdp`
    pub issuer: String,
    /// Access token lifetime in seconds (seed 003: 7199).
    pub access_ttl: i64,
    /// Refresh token lifetime in seconds (seed 003: 7199).
    pub refresh_ttl: i64,
    /// Longest a login session (refresh family) may be kept alive by refreshing.
    pub session_max: i64,
    pub lockout: LockoutPolicy,
}

impl TokenSettings {
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            access_ttl: 7199,
            refresh_ttl: 7199,
            session_max: 10 * 3600,
            lockout: LockoutPolicy::default(),
        }
    }
}

/// How the client authenticated (form fields or HTTP Basic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuth {
    pub client_id: String,
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantRequest {
    Password { client: ClientAuth, username: String, password: String, scope: Option<String> },
    RefreshToken { client: ClientAuth, refresh_token: String, scope: Option<String> },
    ClientCredentials { client: ClientAuth, scope: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTokens {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: Option<String>,
    pub refresh_expires_in: i64,
    pub scope: String,
    pub session_state: String,
}

/// Which `invalid_grant` it is: Keycloak answers them with different HTTP codes and texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidGrant {
    /// Unknown user, wrong password, disabled or locked account: indistinguishable on purpose.
    UserCredentials,
    /// Unknown, expired, reused, revoked or foreign refresh token.
    RefreshToken,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid client")]
    InvalidClient,
    #[error("client not allowed to use this grant")]
    UnauthorizedClient,
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    #[error("invalid grant")]
    InvalidGrant(InvalidGrant),
    #[error("invalid scope")]
    InvalidScope,
    #[error("backend: {0}")]
    Unavailable(String),
}

impl From<PortError> for TokenError {
    fn from(e: PortError) -> Self {
        TokenError::Unavailable(e.to_string())
    }
}
impl From<SignError> for TokenError {
    fn from(e: SignError) -> Self {
        TokenError::Unavailable(e.to_string())
    }
}

pub struct TokenService<S, K, C, I> {
    pub store: S,
    pub keys: K,
    pub clock: C,
    pub ids: I,
    pub settings: TokenSettings,
}

impl<S, K, C, I> TokenService<S, K, C, I>
where
    S: UserStore + ClientStore + LockoutStore + RefreshTokenStore,
    K: Signer,
    C: crate::ports::Clock,
    I: IdGenerator,
{
    pub async fn grant(&self, req: GrantRequest) -> Result<IssuedTokens, TokenError> {
        match req {
            GrantRequest::Password { client, username, password, scope } => {
                let client = self.authenticate_client(&client, GrantType::Password).await?;
                let scope = resolve_scope(&client.scopes, scope.as_deref())?;
                let user = self.authenticate_user(&username, password).await?;
                self.start_session(&client, &user, scope).await
            }
            GrantRequest::RefreshToken { client, refresh_token, scope } => {
                let client = self.authenticate_client(&client, GrantType::RefreshToken).await?;
                self.refresh(&client, &refresh_token, scope.as_deref()).await
            }
            GrantRequest::ClientCredentials { client, scope } => {
                let client = self.authenticate_client(&client, GrantType::ClientCredentials).await?;
                let scope = resolve_scope(&client.scopes, scope.as_deref())?;
                self.service_account_token(&client, scope).await
            }
        }
    }

    async fn authenticate_client(&self, auth: &ClientAuth, grant: GrantType) -> Result<Client, TokenError> {
        let id = ClientId::parse(&auth.client_id).ok_or(TokenError::InvalidClient)?;
        let secret = auth.client_secret.as_deref().ok_or(TokenError::InvalidClient)?;
        let client = self.store.get_client(&id).await?.ok_or(TokenError::InvalidClient)?;
        if !client.enabled || !ct_eq(&sha256_hex(secret), &client.secret_sha256) {
            return Err(TokenError::InvalidClient);
        }
        if !client.grants.contains(&grant) {
            return Err(TokenError::UnauthorizedClient);
        }
        Ok(client)
    }

    /// Checks username and password with lockout. Every failure is the same `invalid_grant`.
    async fn authenticate_user(&self, username: &str, password: String) -> Result<User, TokenError> {
        const BAD: TokenError = TokenError::InvalidGrant(InvalidGrant::UserCredentials);
        let Some(username) = Username::parse(username) else {
            verify_blocking(password, password::dummy_hash().to_owned()).await;
            return Err(BAD);
        };
        let now = self.clock.now().unix_timestamp();
        let lock = self.store.get_lockout(&username).await?;
        if lock.as_ref().is_some_and(|l| l.is_locked(now)) {
            verify_blocking(password, password::dummy_hash().to_owned()).await;
            return Err(BAD);
        }
        let user = self.store.get_user(&username).await?;
        let hash = user.as_ref().map_or_else(|| password::dummy_hash().to_owned(), |u| u.password_hash.clone());
        let ok = verify_blocking(password, hash).await;
        match user {
            Some(user) if ok && user.enabled => {
                if lock.is_some() {
                    self.store.clear_lockout(&username).await?;
                }
                Ok(user)
            }
            _ => {
                self.record_failure(&username, lock, now).await?;
                Err(BAD)
            }
        }
    }

    async fn record_failure(
        &self,
        username: &Username,
        mut current: Option<LockoutRecord>,
        now: i64,
    ) -> Result<(), TokenError> {
        // Optimistic concurrency: parallel failures each count once.
        for _ in 0..5 {
            let next = LockoutRecord::after_failure(current.as_ref(), now, &self.settings.lockout);
            match self.store.put_lockout(username, &next, current.as_ref().map(|c| c.version)).await {
                Ok(()) => {
                    if next.is_locked(now) && !current.as_ref().is_some_and(|c| c.is_locked(now)) {
                        tracing::warn!(event = "account_locked", "login locked after repeated failures");
                    }
                    return Ok(());
                }
                Err(PortError::Conflict) => current = self.store.get_lockout(username).await?,
                Err(e) => return Err(e.into()),
            }
        }
        Err(TokenError::Unavailable("lockout counter contention".into()))
    }

    fn new_refresh_token(&self) -> String {
        B64.encode(self.ids.secret_bytes(32))
    }

    async fn start_session(&self, client: &Client, user: &User, scope: String) -> Result<IssuedTokens, TokenError> {
        let now = self.clock.now().unix_timestamp();
        let family =
            RefreshFamily { family_id: self.ids.new_id(), revoked: false, expires_at: now + self.settings.session_max };
        let refresh = self.new_refresh_token();
        let record = RefreshRecord {
            token_hash: sha256_hex(&refresh),
            family_id: family.family_id.clone(),
            username: user.username.clone(),
            client_id: client.client_id.clone(),
            scope: scope.clone(),
            issued_at: now,
            expires_at: (now + self.settings.refresh_ttl).min(family.expires_at),
            status: RefreshStatus::Active,
        };
        self.store.start_family(&family, &record).await?;
        let access = self.user_token(client, user, &scope, &family.family_id, now).await?;
        Ok(IssuedTokens {
            access_token: access,
            expires_in: self.settings.access_ttl,
            refresh_token: Some(refresh),
            refresh_expires_in: record.expires_at - now,
            scope,
            session_state: family.family_id,
        })
    }

    async fn refresh(&self, client: &Client, token: &str, scope: Option<&str>) -> Result<IssuedTokens, TokenError> {
        const BAD: TokenError = TokenError::InvalidGrant(InvalidGrant::RefreshToken);
        let now = self.clock.now().unix_timestamp();
        let hash = sha256_hex(token);
        let record = self.store.get_refresh(&hash).await?.ok_or(BAD)?;
        if record.client_id != client.client_id || record.expires_at <= now {
            return Err(BAD);
        }
        let family = self.store.get_family(&record.family_id).await?.ok_or(BAD)?;
        if family.revoked || family.expires_at <= now {
            return Err(BAD);
        }
        if record.status == RefreshStatus::Rotated {
            // Reuse of a rotated token: it was stolen or replayed. End the whole session.
            self.store.revoke_family(&family.family_id).await?;
            tracing::warn!(event = "refresh_reuse", family = %family.family_id, "rotated refresh token presented; family revoked");
            return Err(BAD);
        }
        let user = match self.store.get_user(&record.username).await? {
            Some(u) if u.enabled => u,
            _ => {
                self.store.revoke_family(&family.family_id).await?;
                return Err(BAD);
            }
        };
        let granted: Vec<String> = record.scope.split_whitespace().map(str::to_owned).collect();
        let scope = resolve_scope(&granted, scope)?;
        let next_token = self.new_refresh_token();
        let next = RefreshRecord {
            token_hash: sha256_hex(&next_token),
            issued_at: now,
            expires_at: (now + self.settings.refresh_ttl).min(family.expires_at),
            status: RefreshStatus::Active,
            scope: record.scope.clone(),
            ..record.clone()
        };
        match self.store.rotate(&hash, &next).await {
            Ok(()) => {}
            Err(PortError::Conflict) => {
                // Lost a race with another use of the same token: that is reuse too.
                self.store.revoke_family(&family.family_id).await?;
                tracing::warn!(event = "refresh_reuse", family = %family.family_id, "concurrent refresh; family revoked");
                return Err(BAD);
            }
            Err(e) => return Err(e.into()),
        }
        let access = self.user_token(client, &user, &scope, &family.family_id, now).await?;
        Ok(IssuedTokens {
            access_token: access,
            expires_in: self.settings.access_ttl,
            refresh_token: Some(next_token),
            refresh_expires_in: next.expires_at - now,
            scope,
            session_state: family.family_id,
        })
    }

    async fn service_account_token(&self, client: &Client, scope: String) -> Result<IssuedTokens, TokenError> {
        let now = self.clock.now().unix_timestamp();
        let sub = format!("service-account-{}", client.client_id.as_str());
        let claims = AccessClaims {
            iss: self.settings.issuer.clone(),
            sub: sub.clone(),
            azp: client.client_id.as_str().to_owned(),
            exp: now + self.settings.access_ttl,
            iat: now,
            nbf: now,
            jti: self.ids.new_id(),
            typ: "Bearer".into(),
            scope: scope.clone(),
            sid: None,
            preferred_username: sub,
            email: None,
            branch: None,
            permissions: client.permissions.iter().map(|p| p.as_str().to_owned()).collect(),
            agent_location_id: None,
        };
        let access = self.sign(&claims).await?;
        Ok(IssuedTokens {
            access_token: access,
            expires_in: self.settings.access_ttl,
            refresh_token: None,
            refresh_expires_in: 0,
            scope,
            session_state: self.ids.new_id(),
        })
    }

    async fn user_token(
        &self,
        client: &Client,
        user: &User,
        scope: &str,
        session: &str,
        now: i64,
    ) -> Result<String, TokenError> {
        let claims = AccessClaims {
            iss: self.settings.issuer.clone(),
            sub: user.sub.clone(),
            azp: client.client_id.as_str().to_owned(),
            exp: now + self.settings.access_ttl,
            iat: now,
            nbf: now,
            jti: self.ids.new_id(),
            typ: "Bearer".into(),
            scope: scope.to_owned(),
            sid: Some(session.to_owned()),
            preferred_username: user.username.as_str().to_owned(),
            email: Some(user.email.clone()),
            branch: user.branch.as_ref().map(|b| b.as_str().to_owned()),
            permissions: user.permissions.iter().map(|p| p.as_str().to_owned()).collect(),
            agent_location_id: user.agent_location_id.as_ref().map(|a| a.as_str().to_owned()),
        };
        self.sign(&claims).await
    }

    async fn sign(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        let kid = self.keys.key_id().await?;
        Ok(sign(&self.keys, &kid, claims).await?)
    }
}

/// argon2id is CPU-bound (~tens of ms): run it off the async executor.
async fn verify_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password::verify(&password, &hash)).await.unwrap_or(false)
}

/// The requested scopes must all be allowed; none requested means all allowed ones.
fn resolve_scope(allowed: &[String], requested: Option<&str>) -> Result<String, TokenError> {
    match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(allowed.join(" ")),
        Some(req) => {
            let mut out: Vec<&str> = Vec::new();
            for s in req.split_whitespace() {
                if !allowed.iter().any(|a| a == s) {
                    return Err(TokenError::InvalidScope);
                }
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            Ok(out.join(" "))
        }
    }
}

#[cfg(test)]
mod tests;
