//! The local demo realm (README: local only, never in a real account).

use domain::auth::Permission::{self, *};
use domain::identity::store::{ClientStore, UserStore};
use domain::identity::{AgentLocationId, Branch, Client, ClientId, GrantType, sha256_hex};

use super::{Res, new_user};
use adapters::dynamo::identity::DynamoIdentity;

/// The seed's partner scope.
pub const PARTNER_SCOPE: &str = "api://3a3f52a1-1b64-4c27-81f0-50a6ca01324d/customer";

struct DemoUser {
    name: &'static str,
    password: &'static str,
    branch: Option<&'static str>,
    agent: Option<&'static str>,
    permissions: &'static [Permission],
}

const USERS: &[DemoUser] = &[
    DemoUser {
        name: "maker1",
        password: "Maker1!pass",
        branch: Some("BR001"),
        agent: None,
        permissions: &[CustomerCreate, DepositCreate, ApprovalRequest, RecordRead],
    },
    DemoUser {
        name: "checker1",
        password: "Checker1!pass",
        branch: Some("BR001"),
        agent: None,
        permissions: &[ApprovalDecide, RecordRead],
    },
    DemoUser {
        name: "checker2",
        password: "Checker2!pass",
        branch: Some("BR002"),
        agent: None,
        permissions: &[ApprovalDecide, RecordRead],
    },
    DemoUser {
        name: "hq.supervisor",
        password: "Super1!pass",
        branch: Some("HQ"),
        agent: None,
        permissions: &[ApprovalDecide, ApprovalCrossBranch, RecordRead],
    },
    DemoUser {
        name: "viewer1",
        password: "Viewer1!pass",
        branch: Some("BR001"),
        agent: None,
        permissions: &[RecordRead],
    },
    DemoUser {
        name: "partner1",
        password: "Partner1!pass",
        branch: None,
        agent: Some("784101"),
        permissions: &[CdpLookup, CdpOnboard],
    },
    DemoUser {
        name: "partner2",
        password: "Partner2!pass",
        branch: None,
        agent: Some("784202"),
        permissions: &[CdpLookup, CdpOnboard],
    },
];

pub async fn load(store: &DynamoIdentity) -> Res<()> {
    for d in USERS {
        let mut u = new_user(d.name, &format!("{}@bank.local", d.name), d.password)?;
        // Re-loading keeps each user's stable `sub`.
        if let Some(existing) = store.get_user(&u.username).await? {
            u.sub = existing.sub;
        }
        u.branch = d.branch.and_then(Branch::parse);
        u.agent_location_id = d.agent.and_then(AgentLocationId::parse);
        u.permissions = d.permissions.to_vec();
        store.put_user(&u).await?;
    }
    // (client id, secret, grants, scopes, permissions)
    type DemoClient<'a> = (&'a str, &'a str, &'a [GrantType], Vec<&'a str>, &'a [Permission]);
    let clients: [DemoClient; 3] = [
        (
            "cdp-partner",
            "cdp-partner-secret",
            &[GrantType::Password, GrantType::RefreshToken],
            vec![PARTNER_SCOPE, "openid", "profile", "email"],
            &[],
        ),
        (
            "bpm-console",
            "bpm-console-secret",
            &[GrantType::Password, GrantType::RefreshToken],
            vec!["bpm", "openid", "profile", "email"],
            &[],
        ),
        ("compliance-system", "compliance-secret", &[GrantType::ClientCredentials], vec!["aml"], &[AmlAlertClose]),
    ];
    for (id, secret, grants, scopes, perms) in clients {
        store
            .put_client(&Client {
                client_id: ClientId::parse(id).ok_or("bad demo client id")?,
                secret_sha256: sha256_hex(secret),
                grants: grants.to_vec(),
                scopes: scopes.into_iter().map(str::to_owned).collect(),
                permissions: perms.to_vec(),
                enabled: true,
            })
            .await?;
    }
    println!("demo realm loaded: {} users, 3 clients", USERS.len());
    Ok(())
}
