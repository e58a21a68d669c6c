//! `cdp-admin`: manage the realm in DynamoDB (local stack or a real AWS account; the SDK's usual
//! environment decides which). Secrets are read from stdin or an environment variable, never from
//! arguments (they would show in the process list and shell history).

mod demo;

use std::io::Read;

use adapters::dynamo::identity::DynamoIdentity;
use adapters::system::OsIds;
use adapters::{Env, sdk_config};
use base64::Engine;
use clap::{Args, Parser, Subcommand};
use domain::auth::Permission;
use domain::identity::store::{ClientStore, UserStore};
use domain::identity::{AgentLocationId, Branch, Client, ClientId, GrantType, User, Username, password, sha256_hex};
use domain::ports::IdGenerator;

#[derive(Parser)]
#[command(name = "cdp-admin", about = "Manage CDP realm users and clients")]
struct Cli {
    /// Identity table (default: $IDENTITY_TABLE)
    #[arg(long, global = true)]
    table: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    #[command(subcommand)]
    User(UserCmd),
    #[command(subcommand)]
    Client(ClientCmd),
    /// Load the local demo realm (README: local only). Idempotent.
    LoadDemo,
    /// Load the bank's code tables (infra/reference-data/code-tables.json) into $BANK_TABLE.
    LoadReferenceData { file: std::path::PathBuf },
    /// Replace the AML watch list (targets.simple.csv format) in $DOCUMENTS_BUCKET.
    PutWatchlist { file: std::path::PathBuf },
    /// Print the realm's JWKS from KMS ($SIGNING_KEY_ID, $PREVIOUS_SIGNING_KEY_IDS), to pin as SIGNING_PUBLIC_JWKS.
    Jwks,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user (password from stdin or $CDP_ADMIN_PASSWORD)
    Add(UserArgs),
    /// Change branch, permissions or agent location
    Set(UserArgs),
    /// Set a new password (stdin or $CDP_ADMIN_PASSWORD)
    SetPassword {
        username: String,
    },
    Disable {
        username: String,
    },
    Enable {
        username: String,
    },
}

#[derive(Args)]
struct UserArgs {
    username: String,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    branch: Option<String>,
    /// Partner agent location id (seed 003 agent_location_id)
    #[arg(long)]
    agent_location_id: Option<String>,
    /// Comma-separated, e.g. customer.create,approval.request
    #[arg(long, value_delimiter = ',')]
    permissions: Option<Vec<String>>,
}

#[derive(Subcommand)]
enum ClientCmd {
    /// Add a client; prints its generated secret once
    Add {
        client_id: String,
        /// password, refresh_token, client_credentials
        #[arg(long, value_delimiter = ',', required = true)]
        grants: Vec<String>,
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// For client_credentials service accounts
        #[arg(long, value_delimiter = ',')]
        permissions: Vec<String>,
    },
    /// Replace the secret; prints the new one once (the old one stops working)
    RotateSecret {
        client_id: String,
    },
    Disable {
        client_id: String,
    },
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("cdp-admin: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Res<()> {
    let cli = Cli::parse();
    let config = sdk_config().await;
    match &cli.cmd {
        Cmd::LoadReferenceData { file } => return load_reference_data(&config, file).await,
        Cmd::PutWatchlist { file } => return put_watchlist(&config, file).await,
        Cmd::Jwks => return print_jwks(&config).await,
        _ => {}
    }
    let table = match cli.table {
        Some(t) => t,
        None => Env::identity_table()?,
    };
    let store = DynamoIdentity::new(adapters::dynamo::client(&config), table);
    match cli.cmd {
        Cmd::LoadDemo => demo::load(&store).await,
        Cmd::LoadReferenceData { .. } | Cmd::PutWatchlist { .. } | Cmd::Jwks => unreachable!("handled above"),
        Cmd::User(c) => user(&store, c).await,
        Cmd::Client(c) => client(&store, c).await,
    }
}

async fn print_jwks(config: &adapters::SdkConfig) -> Res<()> {
    use domain::ports::PublicKeySource;
    let keys = adapters::kms::KmsKeys::from_env(config)?;
    println!("{}", serde_json::json!({ "keys": keys.public_keys().await? }));
    Ok(())
}

fn parse_permissions(list: &[String]) -> Res<Vec<Permission>> {
    list.iter().map(|p| Permission::parse(p.trim()).ok_or_else(|| format!("unknown permission {p}").into())).collect()
}

fn username(s: &str) -> Res<Username> {
    Username::parse(s).ok_or_else(|| "invalid username (1-60 characters)".into())
}

fn read_secret() -> Res<String> {
    if let Ok(p) = std::env::var("CDP_ADMIN_PASSWORD") {
        return Ok(p);
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s.trim_end_matches(['\n', '\r']).to_owned())
}

async fn existing(store: &DynamoIdentity, name: &str) -> Res<User> {
    store.get_user(&username(name)?).await?.ok_or_else(|| "no such user".into())
}

fn apply(user: &mut User, a: &UserArgs) -> Res<()> {
    if let Some(e) = &a.email {
        user.email = e.clone();
    }
    if let Some(b) = &a.branch {
        user.branch = Some(Branch::parse(b).ok_or("invalid branch code")?);
    }
    if let Some(l) = &a.agent_location_id {
        user.agent_location_id = Some(AgentLocationId::parse(l).ok_or("invalid agent location id")?);
    }
    if let Some(p) = &a.permissions {
        user.permissions = parse_permissions(p)?;
    }
    Ok(())
}

pub(crate) fn new_user(name: &str, email: &str, password_text: &str) -> Res<User> {
    password::check_policy(password_text)?;
    Ok(User {
        sub: OsIds.new_id(),
        username: username(name)?,
        email: email.to_owned(),
        password_hash: password::hash(password_text),
        branch: None,
        agent_location_id: None,
        permissions: vec![],
        enabled: true,
    })
}

async fn user(store: &DynamoIdentity, cmd: UserCmd) -> Res<()> {
    match cmd {
        UserCmd::Add(a) => {
            if store.get_user(&username(&a.username)?).await?.is_some() {
                return Err("user exists (use `user set`)".into());
            }
            let email = a.email.clone().ok_or("--email is required")?;
            let mut u = new_user(&a.username, &email, &read_secret()?)?;
            apply(&mut u, &a)?;
            store.put_user(&u).await?;
            println!("user added (sub {})", u.sub);
        }
        UserCmd::Set(a) => {
            let mut u = existing(store, &a.username).await?;
            apply(&mut u, &a)?;
            store.put_user(&u).await?;
            println!("user updated");
        }
        UserCmd::SetPassword { username } => {
            let mut u = existing(store, &username).await?;
            let p = read_secret()?;
            password::check_policy(&p)?;
            u.password_hash = password::hash(&p);
            store.put_user(&u).await?;
            println!("password set");
        }
        UserCmd::Disable { username } => {
            let mut u = existing(store, &username).await?;
            u.enabled = false;
            store.put_user(&u).await?;
            println!("user disabled");
        }
        UserCmd::Enable { username } => {
            let mut u = existing(store, &username).await?;
            u.enabled = true;
            store.put_user(&u).await?;
            println!("user enabled");
        }
    }
    Ok(())
}

fn client_id(s: &str) -> Res<ClientId> {
    ClientId::parse(s).ok_or_else(|| "invalid client id".into())
}

fn generated_secret() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(OsIds.secret_bytes(32))
}

async fn client(store: &DynamoIdentity, cmd: ClientCmd) -> Res<()> {
    match cmd {
        ClientCmd::Add { client_id: id, grants, scopes, permissions } => {
            let id = client_id(&id)?;
            if store.get_client(&id).await?.is_some() {
                return Err("client exists".into());
            }
            let grants = grants
                .iter()
                .map(|g| GrantType::parse(g.trim()).ok_or_else(|| format!("unknown grant {g}")))
                .collect::<Result<Vec<_>, _>>()?;
            let secret = generated_secret();
            store
                .put_client(&Client {
                    client_id: id,
                    secret_sha256: sha256_hex(&secret),
                    grants,
                    scopes,
                    permissions: parse_permissions(&permissions)?,
                    enabled: true,
                })
                .await?;
            println!("{secret}");
        }
        ClientCmd::RotateSecret { client_id: id } => {
            let mut c = store.get_client(&client_id(&id)?).await?.ok_or("no such client")?;
            let secret = generated_secret();
            c.secret_sha256 = sha256_hex(&secret);
            store.put_client(&c).await?;
            println!("{secret}");
        }
        ClientCmd::Disable { client_id: id } => {
            let mut c = store.get_client(&client_id(&id)?).await?.ok_or("no such client")?;
            c.enabled = false;
            store.put_client(&c).await?;
            println!("client disabled");
        }
    }
    Ok(())
}

async fn load_reference_data(config: &adapters::SdkConfig, file: &std::path::Path) -> Res<()> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file)?)?;
    let version = v["version"].as_str().ok_or("code tables: version missing")?.to_owned();
    let tables = v["tables"]
        .as_object()
        .ok_or("code tables: tables missing")?
        .iter()
        .map(|(k, t)| (k.clone(), t.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()))
        .collect();
    let codes = domain::cdp::ports::CodeTables { version: version.clone(), tables };
    let store = adapters::dynamo::reference::DynamoReference::new(adapters::dynamo::client(config), Env::bank_table()?);
    store.store(&codes).await?;
    println!("code tables {version} loaded ({} tables)", codes.tables.len());
    Ok(())
}

async fn put_watchlist(config: &adapters::SdkConfig, file: &std::path::Path) -> Res<()> {
    let text = std::fs::read_to_string(file)?;
    // The bank's auto-reject ids live beside the list file (auto-reject.txt), optional.
    let rejects_file = file.with_file_name("auto-reject.txt");
    let rejects = std::fs::read_to_string(&rejects_file).unwrap_or_default();
    let entries = adapters::screening::parse_list(&text, &adapters::screening::parse_ids(&rejects))?;
    let s3 = adapters::s3::client(config);
    let bucket = Env::documents_bucket()?;
    let key = Env::watchlist_key();
    for (k, body, ct) in
        [(key.clone(), text, "text/csv"), (adapters::screening::auto_reject_key(&key), rejects, "text/plain")]
    {
        s3.put_object()
            .bucket(&bucket)
            .key(k)
            .body(body.into_bytes().into())
            .content_type(ct)
            .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
            .send()
            .await
            .map_err(|e| format!("s3:PutObject: {}", aws_sdk_s3::error::DisplayErrorContext(&e)))?;
    }
    println!(
        "watch list replaced ({} entries, {} auto-reject)",
        entries.len(),
        entries.iter().filter(|e| e.auto_reject).count()
    );
    Ok(())
}
