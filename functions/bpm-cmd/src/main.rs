mod handler;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), web::Error> {
    web::init_tracing();
    let deps = runner::wire().await?;
    web::run(web::service_fn(|req| handler::handle(&deps, req))).await
}
