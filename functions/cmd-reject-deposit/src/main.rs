//! `RejectDepositCommand` from events: see `runner::events` for the event shape, authentication and idempotency.

#![recursion_limit = "256"]

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    runner::events::serve("RejectDepositCommand").await
}
