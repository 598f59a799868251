use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    garasi_app::cli::run().await
}
