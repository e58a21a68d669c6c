use contracts::bpm::{self, Family};
use contracts::{Reply, bpm_customer, bpm_deposit};
use domain::auth::Verifier;
use domain::banking::BankService;
use domain::banking::store::BankStore;
use domain::idempotency::{self, IdempotencyStore, Outcome, StoredReply};
use domain::ports::{Clock, IdGenerator, PublicKeySource};
use lambda_http::{Body, Request, Response};

pub struct Deps<S, C, I, D, K> {
    pub bank: BankService<S, C, I>,
    pub idempotency: D,
    pub verifier: Verifier<K>,
}

pub async fn handle<S, C, I, D, K>(deps: &Deps<S, C, I, D, K>, req: Request) -> Result<Response<Body>, web::Error>
where
    S: BankStore,
    C: Clock,
    I: IdGenerator,
    D: IdempotencyStore,
    K: PublicKeySource,
{
    Ok(web::to_response(reply(deps, &req).await))
}

async fn reply<S, C, I, D, K>(deps: &Deps<S, C, I, D, K>, req: &Request) -> Reply
where
    S: BankStore,
    C: Clock,
    I: IdGenerator,
    D: IdempotencyStore,
    K: PublicKeySource,
{
    let body = req.body().as_ref();
    let cmd = match bpm::parse(body) {
        Ok(c) => c,
        Err(m) => {
            tracing::info!(event = "bpm_refused", reason = "malformed");
            return m.reply();
        }
    };
    let (name, family) = (cmd.name(), cmd.family());
    let actor = match web::authenticate(&deps.verifier, req).await {
        Ok(p) => p,
        Err(_) => return bpm::unauthorized(family),
    };
    let key = web::header(req, "idempotency-key");
    let reply = match key {
        None => bpm::execute(&deps.bank, &actor, cmd).await,
        Some(_) if cmd.is_query() => bpm::execute(&deps.bank, &actor, cmd).await,
        Some(k) if !idempotency::valid_key(k) => invalid_key(family),
        Some(k) => {
            let scoped = idempotency::scoped_key(&actor.sub, k);
            let now = deps.bank.clock.now().unix_timestamp();
            let hash = idempotency::payload_hash(body);
            let run = idempotency::run_once(&deps.idempotency, &scoped, &hash, now, || async {
                let r = bpm::execute(&deps.bank, &actor, cmd).await;
                StoredReply { status: r.status, body: r.body.to_string() }
            })
            .await;
            match run {
                Ok(Outcome::Fresh(r)) | Ok(Outcome::Replay(r)) => stored(r),
                Ok(Outcome::Mismatch) => match family {
                    Family::Customer => bpm_customer::idempotency_conflict(),
                    Family::Deposit => bpm_deposit::idempotency_conflict(),
                },
                Ok(Outcome::InProgress) => in_progress(family),
                Err(e) => {
                    tracing::error!(event = "idempotency_failed", detail = %e);
                    internal(family)
                }
            }
        }
    };
    if reply.status >= 500 {
        tracing::error!(event = "bpm_failed", command = name, status = reply.status);
    } else {
        tracing::info!(event = "bpm_command", command = name, status = reply.status, actor = %actor.sub);
    }
    reply
}

fn stored(r: StoredReply) -> Reply {
    Reply::json(r.status, serde_json::from_str::<serde_json::Value>(&r.body).unwrap_or(serde_json::Value::Null))
}

fn internal(family: Family) -> Reply {
    match family {
        Family::Customer => bpm_customer::internal(),
        Family::Deposit => bpm_deposit::internal("Internal error"),
    }
}

fn invalid_key(family: Family) -> Reply {
    let e = [domain::banking::approval::FieldError {
        field: "Idempotency-Key",
        message: "Idempotency-Key must be 1-128 visible ASCII characters".into(),
    }];
    match family {
        Family::Customer => bpm_customer::validation(&e),
        Family::Deposit => bpm_deposit::validation("Invalid request", &e),
    }
}

fn in_progress(family: Family) -> Reply {
    match family {
        Family::Customer => bpm_customer::in_progress(),
        Family::Deposit => bpm_deposit::in_progress(),
    }
}
