//! LatticeIQ Gateway: the GraphQL API in front of the LatticeIQ CRM database.
//!
//! Map of the crate:
//! - [`config`] — typed settings from the environment;
//! - [`error`] — `AppError` and its GraphQL error codes, in one place;
//! - [`auth`] — token verification, the request's claims, role checks;
//! - [`db`] — connecting, the per-request transaction with the RLS settings,
//!   a workspace's first-use bootstrap;
//! - [`domain`] — the rules of SPEC §6, pure and unit-tested;
//! - [`store`] — data access shared by resolvers, CLI and seeder;
//! - [`graphql`] — `schema()`, loaders, pagination and one module per feature;
//! - [`http`], [`ws`], [`apq`] and [`graphiql`] — routes, the GraphQL-over-HTTP
//!   handler, subscriptions over WebSocket, persisted queries, GraphiQL;
//! - [`observability`] — `/metrics` and what it counts;
//! - [`seed`] — deterministic demo and benchmark data;
//! - [`commands`] — what each `latticeiq` subcommand does.
//!
//! [`build_state`] and [`build_app`] are shared by `main` and the tests.

pub mod apq;
pub mod auth;
pub mod commands;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod observability;
pub mod parsed;
pub mod response_json;
pub mod response_order;
pub mod seed;
pub mod store;
pub mod ws;

use std::sync::Arc;

use axum::Router;

use crate::auth::jwt::Verifier;
use crate::config::Config;
use crate::db::Database;
use crate::db::bootstrap::Bootstrapper;
use crate::graphql::{ApiSettings, AppSchema};

/// What every HTTP handler shares, behind one `Arc` (not `Clone`: a
/// clone per request would copy every field).
pub struct AppState {
    /// The GraphQL schema with its limits.
    pub schema: AppSchema,
    /// The same schema validating only what execution needs, once, then
    /// not at all: for a document that passed full validation with the same
    /// variables before (`parsed::Parsed::validation`).
    pub prevalidated: AppSchema,
    /// The database pool, shared with every request (`RequestDb`).
    pub db: Arc<Database>,
    /// Token verification.
    pub verifier: Verifier,
    /// First-use set-up of workspaces.
    pub bootstrap: Arc<Bootstrapper>,
    /// The settings.
    pub config: Arc<Config>,
    /// Automatic persisted queries.
    pub persisted: Arc<apq::PersistedQueries>,
    /// Parsed documents by query text.
    pub parsed: Arc<parsed::ParsedQueries>,
}

/// The schema with the configured limits and data.
pub fn build_schema(config: &Config) -> AppSchema {
    schema_with(config, async_graphql::ValidationMode::Strict).finish()
}

fn schema_with(
    config: &Config,
    mode: async_graphql::ValidationMode,
) -> async_graphql::SchemaBuilder<graphql::QueryRoot, graphql::MutationRoot, graphql::SubscriptionRoot> {
    let mut builder = graphql::schema()
        .data(ApiSettings { max_page_size: config.max_page_size, encryption_key: config.encryption_key })
        // The HTTP handler checks MAX_QUERY_DEPTH itself (introspection
        // excepted); this bound is the backstop for subscriptions.
        .limit_depth(config.max_query_depth + 12)
        .limit_complexity(config.max_query_complexity)
        .validation_mode(mode);
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    builder
}

/// The state of a running gateway over `db` (already migrated).
pub fn build_state(config: Config, db: Database) -> anyhow::Result<AppState> {
    observability::install();
    let mut verifier = Verifier::new(&config.jwt).map_err(|e| anyhow::anyhow!("JWT_PUBLIC_KEY: {e}"))?;
    if let Some(url) = &config.jwt.jwks_url {
        let jwks = Arc::new(auth::jwks::Jwks::new(url));
        // The first fetch happens in the background; tokens arriving before it
        // trigger a fetch themselves (an unknown kid).
        let first = jwks.clone();
        tokio::spawn(async move {
            match first.fetch().await {
                Ok(n) => tracing::info!(keys = n, "JWKS loaded"),
                Err(e) => {
                    tracing::warn!(error = %e, "JWT_JWKS_URL: first fetch failed; will retry on the first token")
                }
            }
        });
        verifier = verifier.with_jwks(jwks);
    }
    Ok(AppState {
        schema: build_schema(&config),
        prevalidated: schema_with(&config, async_graphql::ValidationMode::Fast)
            .extension(parsed::RememberedValidation)
            .finish(),
        db: Arc::new(db),
        verifier,
        bootstrap: Arc::new(Bootstrapper::default()),
        config: Arc::new(config),
        persisted: Arc::new(apq::PersistedQueries::default()),
        parsed: Arc::new(parsed::ParsedQueries::default()),
    })
}

/// The router serving `state`: one `Arc` for all requests, counted up
/// once per request instead of cloning every field.
pub fn build_app(state: AppState) -> Router {
    http::router(Arc::new(state))
}
