mod handler;

use adapters::dynamo::bank::DynamoBank;
use adapters::dynamo::idempotency::DynamoIdempotency;
use adapters::kms::KmsKeys;
use adapters::system::{OsIds, SystemClock};
use adapters::{Env, sdk_config};
use domain::auth::Verifier;
use domain::banking::BankService;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), web::Error> {
    web::init_tracing();
    let config = sdk_config().await;
    let dynamo = adapters::dynamo::client(&config);
    let table = Env::bank_table()?;
    let deps = handler::Deps {
        bank: BankService { store: DynamoBank::new(dynamo.clone(), &table), clock: SystemClock, ids: OsIds },
        idempotency: DynamoIdempotency::new(dynamo, table),
        verifier: Verifier::new(
            KmsKeys::new(adapters::kms::client(&config), Env::signing_key_id()?, Env::previous_signing_key_ids()),
            Env::issuer()?,
        ),
    };
    web::run(web::service_fn(|req| handler::handle(&deps, req))).await
}
