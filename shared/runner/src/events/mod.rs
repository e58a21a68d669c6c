//! Event-triggered commands: an EventBridge rule per command (`detail-type` = command name) feeds
//! an SQS queue (with a DLQ) that triggers the command's own function.
//!
//! The event's `detail` is `{"authorization": "Bearer <access token>", "data": {...}}`: the actor
//! is authenticated with the same verifier as the HTTP path (ES256, kid, iss, exp), so the same
//! maker-checker rules apply to the same person. The EventBridge event `id` is the idempotency
//! key: SQS redelivery or a replay of the same event has one effect.
//!
//! A record whose command did not take effect (any non-2xx answer) is reported as a batch item
//! failure, so SQS retries it and, after `maxReceiveCount`, parks it in the DLQ for review: nothing
//! is dropped silently. Answers are idempotent, so a retry never applies a command twice.

use contracts::bpm;
use domain::banking::store::BankStore;
use domain::idempotency::IdempotencyStore;
use domain::ports::{Clock, IdGenerator, PublicKeySource};
use serde_json::{Value, json};

use crate::{Deps, execute};

#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
    /// Not an EventBridge event for this function's command.
    Malformed(&'static str),
    /// No valid access token for the actor.
    Unauthenticated,
    /// The command answered with this status.
    Status(u16),
}

/// Runs one EventBridge event for `command` (the function's own command name).
pub async fn run_event<S, C, I, D, K>(deps: &Deps<S, C, I, D, K>, command: &str, event: &Value) -> Result<u16, Rejected>
where
    S: BankStore,
    C: Clock,
    I: IdGenerator,
    D: IdempotencyStore,
    K: PublicKeySource,
{
    let id = event["id"].as_str().ok_or(Rejected::Malformed("event id"))?;
    if event["detail-type"].as_str() != Some(command) {
        return Err(Rejected::Malformed("detail-type is not this function's command"));
    }
    let detail = &event["detail"];
    let token =
        detail["authorization"].as_str().and_then(|h| h.strip_prefix("Bearer ")).ok_or(Rejected::Unauthenticated)?;
    let actor = deps.verifier.verify(token).await.map_err(|e| {
        tracing::info!(event = "command_event_refused", reason = %e);
        Rejected::Unauthenticated
    })?;
    let body = json!({ "commandName": command, "data": detail["data"] }).to_string();
    let cmd = bpm::parse(body.as_bytes()).map_err(|_| Rejected::Status(400))?;
    let reply = execute(deps, &actor, cmd, Some((id, body.as_bytes()))).await;
    tracing::info!(event = "command_event", command, status = reply.status, actor = %actor.sub);
    if (200..300).contains(&reply.status) { Ok(reply.status) } else { Err(Rejected::Status(reply.status)) }
}

/// The Lambda handler: an SQS batch (partial batch response) or a single EventBridge event.
pub async fn handle<S, C, I, D, K>(
    deps: &Deps<S, C, I, D, K>,
    command: &str,
    payload: Value,
) -> Result<Value, lambda_runtime::Error>
where
    S: BankStore,
    C: Clock,
    I: IdGenerator,
    D: IdempotencyStore,
    K: PublicKeySource,
{
    if let Some(records) = payload["Records"].as_array() {
        let mut failures = Vec::new();
        for r in records {
            let message_id = r["messageId"].as_str().unwrap_or_default().to_owned();
            let outcome = match r["body"].as_str().map(serde_json::from_str::<Value>) {
                Some(Ok(event)) => run_event(deps, command, &event).await,
                _ => Err(Rejected::Malformed("SQS body is not an EventBridge event")),
            };
            if let Err(why) = outcome {
                tracing::warn!(event = "command_event_failed", command, reason = ?why);
                failures.push(json!({ "itemIdentifier": message_id }));
            }
        }
        Ok(json!({ "batchItemFailures": failures }))
    } else {
        match run_event(deps, command, &payload).await {
            Ok(status) => Ok(json!({ "status": status })),
            Err(why) => Err(format!("{command} not applied: {why:?}").into()),
        }
    }
}

/// `main` of a command function: wire once, then serve events for `command`.
pub async fn serve(command: &'static str) -> Result<(), lambda_runtime::Error> {
    web::init_tracing();
    let deps = crate::wire().await?;
    lambda_runtime::run(lambda_runtime::service_fn(|ev: lambda_runtime::LambdaEvent<Value>| {
        let deps = &deps;
        async move { handle(deps, command, ev.payload).await }
    }))
    .await
}

#[cfg(test)]
mod tests;
