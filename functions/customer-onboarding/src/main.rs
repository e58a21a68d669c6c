#![recursion_limit = "256"]
mod handler;

use adapters::dynamo::bank::DynamoBank;
use adapters::dynamo::reference::DynamoReference;
use adapters::s3::S3Documents;
use adapters::screening::WatchList;
use adapters::system::{OsIds, SystemClock};
use adapters::{Env, sdk_config};
use domain::cdp::OnboardingService;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), web::Error> {
    web::init_tracing();
    let config = sdk_config().await;
    let dynamo = adapters::dynamo::client(&config);
    let s3 = adapters::s3::client(&config);
    let (table, bucket) = (Env::bank_table()?, Env::documents_bucket()?);
    let service = OnboardingService {
        bank: DynamoBank::new(dynamo.clone(), &table),
        documents: S3Documents::new(s3.clone(), &bucket, Env::documents_key_id()),
        reference: DynamoReference::new(dynamo, &table),
        screening: WatchList::new(s3, &bucket, Env::watchlist_key()),
        clock: SystemClock,
        ids: OsIds,
    };
    let verifier = adapters::kms::verifier(&config)?;
    web::run(web::service_fn(|req| handler::handle(&service, &verifier, req))).await
}
