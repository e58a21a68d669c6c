//! What a principal may do. Permissions travel in the access token's `permissions` claim.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    /// Create customer records (maker).
    #[serde(rename = "customer.create")]
    CustomerCreate,
    /// Create deposit accounts (maker).
    #[serde(rename = "deposit.create")]
    DepositCreate,
    /// Submit a customer or deposit for approval (maker).
    #[serde(rename = "approval.request")]
    ApprovalRequest,
    /// Approve or reject pending customers and deposits of the own branch (checker).
    #[serde(rename = "approval.decide")]
    ApprovalDecide,
    /// Decide items of any branch (supervisor); only together with `approval.decide`.
    #[serde(rename = "approval.cross_branch")]
    ApprovalCrossBranch,
    /// Read customers, deposits and approval history.
    #[serde(rename = "record.read")]
    RecordRead,
    /// Partner: Customer Lookup v2.
    #[serde(rename = "cdp.lookup")]
    CdpLookup,
    /// Partner: Individual Onboarding.
    #[serde(rename = "cdp.onboard")]
    CdpOnboard,
    /// Compliance system: AML Alert Closure callback.
    #[serde(rename = "aml.alert.close")]
    AmlAlertClose,
}

impl Permission {
    pub const ALL: [Permission; 9] = [
        Permission::CustomerCreate,
        Permission::DepositCreate,
        Permission::ApprovalRequest,
        Permission::ApprovalDecide,
        Permission::ApprovalCrossBranch,
        Permission::RecordRead,
        Permission::CdpLookup,
        Permission::CdpOnboard,
        Permission::AmlAlertClose,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::CustomerCreate => "customer.create",
            Permission::DepositCreate => "deposit.create",
            Permission::ApprovalRequest => "approval.request",
            Permission::ApprovalDecide => "approval.decide",
            Permission::ApprovalCrossBranch => "approval.cross_branch",
            Permission::RecordRead => "record.read",
            Permission::CdpLookup => "cdp.lookup",
            Permission::CdpOnboard => "cdp.onboard",
            Permission::AmlAlertClose => "aml.alert.close",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_forms_round_trip_and_match_serde() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.as_str()));
        }
        assert_eq!(Permission::parse("approval.everything"), None);
    }
}
