//! Wiring: database checks and migrations, shared state, the HTTP listener and
//! graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use garasi_media::{BlobStore, LocalBlobStore, Staging};
use garasi_service::Services;
use garasi_store::{Db, DbOptions, redact_url};
use garasi_web::{AppState, Events, Kv, MemoryKv, RedisKv, build_router, internal_router};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::engine_sink::EngineSink;
use crate::settings::Settings;
use crate::sweep::Sweeper;

/// A server running in the background, as tests and `serve` use it.
pub struct Running {
    pub addr: SocketAddr,
    /// The internal listener's address (Caddy's TLS `ask`, probes).
    pub internal_addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting, drains in-flight requests (bounded), closes the pool.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.context("server task panicked")?
    }

    /// Waits until the server ends by itself (a signal, or a fatal error).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task panicked")?
    }
}

/// Opens the database the runtime uses and makes sure it is safe and current.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    if settings.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("cannot create data dir {}", settings.data_dir.display()))?;
    }
    let db = Db::connect(&settings.database_url, &DbOptions::default())
        .await
        .with_context(|| format!("cannot connect to {}", redact_url(&settings.database_url)))?;
    match &db {
        Db::Sqlite(_) => {
            // The embedded database migrates itself: zero set-up is the point of it.
            db.migrate().await.context("migrating the SQLite database failed")?;
        }
        Db::Postgres(_) => {
            if let Some(check) = db.runtime_role_check().await?
                && !check.is_safe()
            {
                bail!(
                    "refusing to serve as PostgreSQL role {role:?} (superuser: {su}, bypassrls: {by}, owns {n} tables): \
                     row-level security would not protect tenants.\n\
                     Create a runtime role and serve as it:\n  \
                     CREATE ROLE garasi_rt LOGIN PASSWORD '…' NOSUPERUSER NOBYPASSRLS;\n  \
                     GARASI_DATABASE_URL=<owner url> garasi migrate --grant-to garasi_rt\n  \
                     GARASI_DATABASE_URL=postgres://garasi_rt:…@host/db garasi serve",
                    role = check.role,
                    su = check.superuser,
                    by = check.bypass_rls,
                    n = check.owned_tables
                );
            }
            if let Some(owner_url) = &settings.migrate_database_url {
                let owner = Db::connect(owner_url, &DbOptions { max_connections: 2, ..DbOptions::default() })
                    .await
                    .with_context(|| format!("cannot connect to {}", redact_url(owner_url)))?;
                owner.migrate().await.context("migrating the PostgreSQL database failed")?;
                if let Some(check) = db.runtime_role_check().await? {
                    owner.grant_runtime_role(&check.role).await.context("granting the runtime role failed")?;
                }
                owner.close().await;
            }
            let status = db.migration_status().await?;
            if !status.pending.is_empty() {
                bail!(
                    "the database has pending migrations {:?}; run `garasi migrate` as the owner role \
                     (or set GARASI_MIGRATE_DATABASE_URL) and start again",
                    status.pending
                );
            }
        }
    }
    Ok(db)
}

/// Shared state (web throttles, bot limits and memory) and events: Redis when
/// configured, over one connection for both (events add their own subscriber
/// connection), in-process otherwise.
pub async fn open_shared(settings: &Settings) -> anyhow::Result<(Arc<dyn Kv>, Events)> {
    match &settings.redis_url {
        Some(url) => {
            let client = redis::Client::open(url.as_str()).context("invalid Redis URL")?;
            let conn = redis::aio::ConnectionManager::new(client.clone()).await.context("cannot connect to Redis")?;
            let events = Events::redis(&client, conn.clone(), &format!("{}events", settings.redis_prefix))
                .await
                .context("cannot subscribe to Redis events")?;
            Ok((Arc::new(RedisKv::new(conn, &settings.redis_prefix)), events))
        }
        None => Ok((Arc::new(MemoryKv::new()), Events::in_process())),
    }
}

/// Photo storage (the data dir, or an S3 bucket when configured) and the upload
/// staging area, after sweeping what interrupted uploads left.
pub async fn open_media(settings: &Settings) -> anyhow::Result<(Arc<dyn BlobStore>, Staging)> {
    let (store, staging, _) = open_media_swept(settings).await?;
    Ok((store, staging))
}

/// [`open_media`], and the sweeper that keeps removing leftovers while the server runs.
pub async fn open_media_swept(settings: &Settings) -> anyhow::Result<(Arc<dyn BlobStore>, Staging, Sweeper)> {
    // Files name the process that writes them, so a successor can tell a dead writer's
    // leftovers from another live instance's uploads in a shared data dir.
    let identity = settings.whatsapp.channels.identity.clone();
    let tag = identity.file_tag();
    let staging =
        Staging::new(&settings.data_dir).await.context("cannot open the upload staging directory")?.tagged(&tag);
    let (store, local): (Arc<dyn BlobStore>, _) = match &settings.s3 {
        Some(s3) => (Arc::new(open_s3(s3)?), None),
        None => {
            let local =
                LocalBlobStore::new(&settings.data_dir).await.context("cannot open the media directory")?.tagged(&tag);
            (Arc::new(local.clone()), Some(local))
        }
    };
    let sweeper = Sweeper { staging: staging.clone(), local, identity };
    sweeper.sweep().await;
    Ok((store, staging, sweeper))
}

#[cfg(feature = "s3")]
fn open_s3(s3: &crate::storage::S3Settings) -> anyhow::Result<garasi_media::ObjectBlobStore> {
    let config = garasi_media::S3Config {
        bucket: s3.bucket.clone(),
        region: s3.region.clone(),
        endpoint: s3.endpoint.clone(),
        access_key_id: s3.access_key_id.clone(),
        secret_access_key: s3.secret_access_key.clone(),
        allow_http: s3.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")),
    };
    garasi_media::ObjectBlobStore::s3(&config, &s3.prefix).context("cannot set up S3 storage")
}

#[cfg(not(feature = "s3"))]
fn open_s3(_: &crate::storage::S3Settings) -> anyhow::Result<LocalBlobStore> {
    anyhow::bail!("GARASI_S3_BUCKET is set but this build has no S3 support; build with the `s3` feature")
}

/// Binds and serves in the background. `settings.bind` may use port 0.
pub async fn start(settings: &Settings, db: Db) -> anyhow::Result<Running> {
    crate::install_tls_provider();
    for change in crate::file_modes::tighten(&settings.data_dir) {
        tracing::warn!(%change, "data dir permissions were too open");
    }
    let (kv, events) = open_shared(settings).await?;
    let listener =
        TcpListener::bind(settings.bind).await.with_context(|| format!("cannot listen on {}", settings.bind))?;
    let addr = listener.local_addr()?;
    let internal = TcpListener::bind(settings.internal_bind)
        .await
        .with_context(|| format!("cannot listen on {} (GARASI_INTERNAL_BIND)", settings.internal_bind))?;
    let internal_addr = internal.local_addr()?;
    let mut web = settings.web.clone();
    // With port 0 the real port is known only now; keep public URLs pointing at it.
    if settings.bind.port() == 0 && web.public_port == Some(0) {
        web.public_port = Some(addr.port());
    }
    let (media, staging, sweeper) = open_media_swept(settings).await?;
    // The composition root: every part is built here, once, and handed what it needs.
    let services = Services::new(db.clone(), events, media)
        .with_llm_token_ceiling(settings.llm_token_ceiling)
        .with_clock(settings.appointments.clock.clone());
    // The bot runs the same use cases (and publishes the same events) as the web.
    let engine = Arc::new(
        garasi_bot::Engine::open(services.clone(), settings.bot.clone(), kv.clone())
            .context("cannot start the bot engine")?,
    );
    let sink = Arc::new(EngineSink { engine: engine.clone(), services: services.clone(), urls: web.public_urls() });
    let channels = crate::wa::open(settings, services.clone(), sink).context("cannot start the WhatsApp channels")?;
    let sealer = Arc::new(crate::wa::secret_box(settings)?);
    let state = AppState::new(services, web, kv, staging, Some(engine), Some(channels.clone()))
        .with_accounts(settings.mail.mailer()?, sealer);
    channels.start_workers();
    tracing::info!(
        instance = %settings.whatsapp.channels.identity.instance_id,
        holder = channels.holder(),
        "instance started"
    );
    let sweep_state = state.clone();
    sweeper.spawn(move || sweep_state.is_shutting_down());
    let recheck_state = state.clone();
    crate::domain_settings::spawn_rechecks(
        state.services.clone(),
        state.config.domains.clone(),
        state.config.platform_hosts(),
        move || recheck_state.is_shutting_down(),
    );
    let reminder_state = state.clone();
    crate::reminders::spawn(state.services.clone(), settings.appointments.tick, move || {
        reminder_state.is_shutting_down()
    });
    let timer_state = state.clone();
    crate::lead_timers::spawn(state.services.clone(), settings.appointments.tick, move || {
        timer_state.is_shutting_down()
    });
    let followup_state = state.clone();
    crate::lead_timers::spawn_followups(state.services.clone(), settings.appointments.tick, move || {
        followup_state.is_shutting_down()
    });
    let insight_state = state.clone();
    crate::insights::spawn(state.services.clone(), settings.appointments.tick, move || {
        insight_state.is_shutting_down()
    });
    let flush_services = state.services.clone();
    let backup_state = state.clone();
    crate::backup::schedule::spawn(settings, db.clone(), move || backup_state.is_shutting_down());
    let app = build_router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    // The internal listener lives as long as the process: it holds no request that a
    // drain would have to wait for, and the proxy may still ask while the public side drains.
    let internal_app = internal_router(state.clone(), crate::telemetry::install());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(internal, internal_app).await {
            tracing::error!(error = %e, "internal listener failed");
        }
    });
    let (tx, rx) = oneshot::channel::<()>();
    let drain_state = state.clone();
    let grace = settings.shutdown_grace;
    // When the signal came: every phase below is timed from it.
    let signalled = Arc::new(std::sync::OnceLock::<Instant>::new());
    let signalled_at = signalled.clone();
    let draining = Arc::new(tokio::sync::Notify::new());
    let draining_tx = draining.clone();
    let task = tokio::spawn(async move {
        // 1. /readyz (public and internal) answers 503 at once, so the proxy stops sending
        //    new requests here; 2. returning from this future stops the listener accepting.
        let shutdown = async move {
            tokio::select! {
                _ = rx => {},
                _ = shutdown_signal() => {},
            }
            let _ = signalled_at.set(Instant::now());
            drain_state.begin_shutdown();
            draining_tx.notify_one();
            tracing::info!(
                phase = "readyz",
                grace_s = grace.as_secs(),
                "shutting down: /readyz answers 503, the listener stops accepting"
            );
        };
        let server = axum::serve(listener, app).with_graceful_shutdown(shutdown);
        // 3. In-flight requests and uploads get the grace period; long-lived connections
        //    (SSE, slow clients) must not hold shutdown forever.
        let deadline = async {
            draining.notified().await;
            tokio::time::sleep(grace).await;
        };
        let drained = tokio::select! {
            r = server => {
                r.context("server error")?;
                true
            }
            _ = deadline => false,
        };
        let began = signalled.get().copied().unwrap_or_else(Instant::now);
        let ms = |d: Duration| d.as_millis() as u64;
        if drained {
            tracing::info!(phase = "requests", ms = ms(began.elapsed()), "in-flight requests finished");
        } else {
            tracing::warn!(
                phase = "requests",
                ms = ms(began.elapsed()),
                "grace period over; closing remaining connections"
            );
        }
        // 4. Workers stop claiming (jobs in flight get a bounded drain); 5. the jobs this
        //    instance still holds go back to the queue; 6. its WhatsApp leases are released.
        let report = channels.shutdown().await;
        tracing::info!(phase = "workers", ms = ms(report.workers), "WhatsApp workers stopped claiming");
        tracing::info!(phase = "jobs", ms = ms(report.jobs), released = report.jobs_released, "claimed jobs released");
        tracing::info!(
            phase = "leases",
            ms = ms(report.leases),
            released = report.leases_released,
            "WhatsApp leases released"
        );
        // Counts this instance still buffers go in before the pool closes.
        if let Err(e) = garasi_service::insights::flush(&flush_services).await {
            tracing::warn!(error = %e, "insight counts lost at shutdown");
        }
        if tokio::time::timeout(Duration::from_secs(5), db.close()).await.is_err() {
            tracing::warn!("database pool did not close in time");
        }
        // 7. `serve` returns and the process exits 0.
        tracing::info!(phase = "exit", total_ms = ms(began.elapsed()), "shutdown complete");
        Ok(())
    });
    Ok(Running { addr, internal_addr, state, shutdown: Some(tx), task })
}

/// SIGINT (Ctrl-C) or SIGTERM (systemd, docker, Kubernetes).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
