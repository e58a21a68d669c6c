#![recursion_limit = "256"]
//! Command execution shared by `bpm-cmd` (HTTP) and the per-command functions (EventBridge/SQS):
//! the same parsing, authentication, maker-checker rules and idempotency on both paths.

pub mod events;

use adapters::dynamo::bank::DynamoBank;
use adapters::dynamo::idempotency::DynamoIdempotency;
use adapters::system::{OsIds, SystemClock};
use adapters::{Env, sdk_config};
use contracts::bpm::{self, Command, Family};
use contracts::{Reply, bpm_customer, bpm_deposit};
use domain::auth::{Principal, Verifier};
use domain::banking::BankService;
use domain::banking::approval::FieldError;
use domain::banking::store::BankStore;
use domain::idempotency::{self, IdempotencyStore, Outcome, StoredReply};
use domain::ports::{Clock, IdGenerator, PublicKeySource};

pub struct Deps<S, C, I, D, K> {
    pub bank: BankService<S, C, I>,
    pub idempotency: D,
    pub verifier: Verifier<K>,
}

pub type AwsDeps = Deps<DynamoBank, SystemClock, OsIds, DynamoIdempotency, adapters::kms::VerifierKeys>;

/// Builds the dependencies from the function environment (once, in `main`).
pub async fn wire() -> Result<AwsDeps, adapters::kms::VerifierConfigError> {
    let config = sdk_config().await;
    let dynamo = adapters::dynamo::client(&config);
    let table = Env::bank_table()?;
    Ok(Deps {
        bank: BankService { store: DynamoBank::new(dynamo.clone(), &table), clock: SystemClock, ids: OsIds },
        idempotency: DynamoIdempotency::new(dynamo, table),
        verifier: adapters::kms::verifier(&config)?,
    })
}

/// Runs `cmd` for `actor`. With an idempotency key, a repeat with the same payload gets the first
/// answer without a second effect, and the same key with another payload gets 422.
pub async fn execute<S, C, I, D, K>(
    deps: &Deps<S, C, I, D, K>,
    actor: &Principal,
    cmd: Command,
    idempotency: Option<(&str, &[u8])>,
) -> Reply
where
    S: BankStore,
    C: Clock,
    I: IdGenerator,
    D: IdempotencyStore,
    K: PublicKeySource,
{
    let family = cmd.family();
    let Some((key, payload)) = idempotency.filter(|_| !cmd.is_query()) else {
        return bpm::execute(&deps.bank, actor, cmd).await;
    };
    if !idempotency::valid_key(key) {
        let e = [FieldError {
            field: "Idempotency-Key",
            message: "Idempotency-Key must be 1-128 visible ASCII characters".into(),
        }];
        return match family {
            Family::Customer => bpm_customer::validation(&e),
            Family::Deposit => bpm_deposit::validation("Invalid request", &e),
        };
    }
    let scoped = idempotency::scoped_key(&actor.sub, key);
    let now = deps.bank.clock.now().unix_timestamp();
    let run = idempotency::run_once(&deps.idempotency, &scoped, &idempotency::payload_hash(payload), now, || async {
        let r = bpm::execute(&deps.bank, actor, cmd).await;
        StoredReply { status: r.status, body: r.body.to_string() }
    })
    .await;
    match (run, family) {
        (Ok(Outcome::Fresh(r) | Outcome::Replay(r)), _) => {
            Reply::json(r.status, serde_json::from_str::<serde_json::Value>(&r.body).unwrap_or(serde_json::Value::Null))
        }
        (Ok(Outcome::Mismatch), Family::Customer) => bpm_customer::idempotency_conflict(),
        (Ok(Outcome::Mismatch), Family::Deposit) => bpm_deposit::idempotency_conflict(),
        (Ok(Outcome::InProgress), Family::Customer) => bpm_customer::in_progress(),
        (Ok(Outcome::InProgress), Family::Deposit) => bpm_deposit::in_progress(),
        (Err(e), f) => {
            tracing::error!(event = "idempotency_failed", detail = %e);
            match f {
                Family::Customer => bpm_customer::internal(),
                Family::Deposit => bpm_deposit::internal("Internal error"),
            }
        }
    }
}
