#![recursion_limit = "256"]
mod handler;

use adapters::dynamo::bank::DynamoBank;
use adapters::system::{OsIds, SystemClock};
use adapters::{Env, sdk_config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), web::Error> {
    web::init_tracing();
    let config = sdk_config().await;
    let bank = DynamoBank::new(adapters::dynamo::client(&config), Env::bank_table()?);
    let verifier = adapters::kms::verifier(&config)?;
    web::run(web::service_fn(|req| handler::handle(&bank, &SystemClock, &OsIds, &verifier, req))).await
}
