//! What each `latticeiq` subcommand does (`main` only parses arguments).

use std::time::Duration;

use anyhow::Context as _;
use migration::{Migrator, MigratorTrait};
use uuid::Uuid;

use crate::auth::Role;
use crate::auth::jwt;
use crate::config::Config;
use crate::db::Database;
use crate::{build_app, build_state, seed};

/// `migrate` actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrateAction {
    /// Apply pending migrations.
    Up,
    /// Revert the last migration.
    Down,
    /// List migrations and whether each is applied.
    Status,
    /// Revert every migration, then apply them all.
    Fresh,
}

/// Connects and applies pending migrations.
pub async fn connect_migrated(config: &Config) -> anyhow::Result<Database> {
    let db = Database::connect(config).await?;
    Migrator::up(db.conn(), None).await.context("applying migrations")?;
    Ok(db)
}

/// `latticeiq serve`: migrate, seed the demo into an empty database, serve
/// until SIGTERM or Ctrl-C (in-flight requests finish).
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = connect_migrated(&config).await?;
    if seed::database_is_empty(&db).await? {
        tracing::info!("empty database: seeding the demo workspace");
        let r = seed::seed_demo(&db).await?;
        tracing::info!(contacts = r.contacts, "demo workspace seeded");
    }
    let listener = tokio::net::TcpListener::bind(config.bind_addr)
        .await
        .with_context(|| format!("BIND_ADDR: cannot listen on {}", config.bind_addr))?;
    let addr = listener.local_addr()?;
    let dev_token = config.jwt.secret.as_ref().and_then(|s| {
        jwt::mint(s, seed::generate::DEMO_WORKSPACE, Role::Admin, None, Duration::from_secs(24 * 3600)).ok()
    });
    let graphiql = config.graphiql;
    let state = build_state(config, db)?;
    state.db.start_background();
    let app = build_app(state);
    #[expect(clippy::print_stdout, reason = "the start-up banner is for the person who started the server")]
    {
        println!("LatticeIQ Gateway listening on http://{addr}/graphql");
        if graphiql {
            println!("GraphiQL: open http://{addr}/graphql in a browser");
        }
        if let Some(t) = dev_token {
            println!(
                "Development token (demo workspace, admin, 24 h) — paste into GraphiQL's Headers tab as"
            );
            println!("{{\"Authorization\": \"Bearer {t}\"}}");
        }
    }
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("serving")?;
    tracing::info!("shut down");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}

/// `latticeiq migrate …`.
pub async fn migrate(config: &Config, action: MigrateAction) -> anyhow::Result<String> {
    let db = Database::connect(config).await?;
    let conn = db.conn();
    match action {
        MigrateAction::Up => Migrator::up(conn, None).await?,
        MigrateAction::Down => Migrator::down(conn, Some(1)).await?,
        MigrateAction::Fresh => {
            Migrator::reset(conn).await?;
            Migrator::up(conn, None).await?;
        }
        MigrateAction::Status => {}
    }
    let mut out = String::new();
    for m in Migrator::get_migration_with_status(conn).await? {
        out.push_str(&format!("{}\t{}\n", m.name(), m.status()));
    }
    Ok(out)
}

/// `latticeiq seed`.
pub async fn seed(
    config: &Config,
    workspace: Uuid,
    contacts: u64,
    seed_value: u64,
) -> anyhow::Result<seed::SeedReport> {
    let db = connect_migrated(config).await?;
    seed::seed_workspace(&db, workspace, contacts, seed_value).await
}

/// `latticeiq token`: an HS256 token signed with the configured secret.
pub fn token(
    config: &Config,
    workspace: Uuid,
    role: Role,
    ttl: Duration,
    sub: Option<Uuid>,
) -> anyhow::Result<String> {
    let secret = config.jwt.secret.as_ref().context(
        "JWT_SECRET: no HS256 secret is configured (an asymmetric key is set); cannot mint tokens",
    )?;
    Ok(jwt::mint(secret, workspace, role, sub, ttl)?)
}

/// Parses `30s`, `15m`, `1h`, `7d` (or plain seconds).
pub fn parse_ttl(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().map_err(|_| format!("bad duration {s:?}: use e.g. 30s, 15m, 1h, 7d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("bad duration unit {unit:?}: use s, m, h or d")),
    };
    if secs == 0 {
        return Err("the duration must be positive".to_owned());
    }
    Ok(Duration::from_secs(secs))
}

/// `latticeiq backfill`: re-derives the typed columns of every enriched
/// contact of `workspace` from its stored JSON (SPEC §6.2); returns how many changed.
pub async fn backfill(config: &Config, workspace: Uuid) -> anyhow::Result<u64> {
    let db = connect_migrated(config).await?;
    crate::store::backfill::backfill_workspace(&db, workspace).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_read_like_people_write_them() {
        assert_eq!(parse_ttl("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_ttl("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_ttl("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert!(parse_ttl("1y").is_err() && parse_ttl("").is_err() && parse_ttl("0s").is_err());
    }
}
