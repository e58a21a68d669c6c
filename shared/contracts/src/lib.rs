//! Wire contracts, one module per seed document. Handlers translate between these and the domain;
//! nothing else in the code base knows a seed's field names, envelopes or codes.
//!
//! - [`keycloak`]: seed 003 "Access Token API" (Keycloak-compatible token, JWKS, discovery).
//! - [`cdp`]: seed 003 Customer Data Platform envelopes (so far: the documented 401 shape).
//! - [`bpm`]: the `POST /api/bpm/cmd` command envelope of seeds 000-002 and its dispatch.
//! - [`bpm_customer`]: seed 000's envelope and codes (all customer commands).
//! - [`bpm_deposit`]: seeds 001/002's envelope and codes (all deposit commands).

pub mod bpm;
pub mod bpm_customer;
pub mod bpm_deposit;
pub mod cdp;
pub mod keycloak;

/// An HTTP answer as contracts describe it: status plus JSON body. Functions turn it into the
/// Lambda response type, so this crate stays free of HTTP framework types.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: serde_json::Value,
    /// Extra headers (name, value), e.g. `Cache-Control`.
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(status: u16, body: impl serde::Serialize) -> Self {
        Self { status, body: serde_json::to_value(body).expect("contract types serialise"), headers: Vec::new() }
    }
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}
