//! The GraphQL API of SPEC §7: `schema()`, the request context, scalars,
//! pagination, loaders, and one module per feature holding its types and
//! resolvers.

pub mod analytics;
pub mod campaigns;
pub mod contacts;
pub mod fields;
pub mod icp;
pub mod keys;
pub mod loaders;
pub mod pagination;
pub mod plain;
pub mod scalars;
pub mod settings;
pub mod subscriptions;
pub mod templates;
pub mod viewer;

use std::sync::Arc;

use async_graphql::{Context, MergedObject, Schema, SchemaBuilder};

use crate::auth::Claims;
use crate::db::RequestDb;
use crate::error::{AppError, AppResult};
use loaders::Loaders;

/// The root query: every feature's queries merged.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    viewer::ViewerQuery,
    contacts::ContactsQuery,
    icp::IcpQuery,
    templates::TemplatesQuery,
    campaigns::CampaignsQuery,
    fields::FieldsQuery,
    settings::SettingsQuery,
    analytics::AnalyticsQuery,
);

/// The root mutation: every feature's mutations merged.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    contacts::mutations::ContactMutations,
    icp::IcpMutations,
    templates::TemplateMutations,
    campaigns::CampaignMutations,
    fields::FieldMutations,
    settings::SettingsMutations,
);
pub use subscriptions::SubscriptionRoot;

/// The gateway's schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Settings resolvers read, stored as schema data.
#[derive(Clone, Debug)]
pub struct ApiSettings {
    /// Largest `first`/`last`.
    pub max_page_size: u32,
    /// Key of the stored API keys.
    pub encryption_key: [u8; 32],
}

/// The bare schema builder: roots only, no limits or data (for the SDL and tests).
pub fn schema() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot)
        .data(campaigns::BuildLocks::default())
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema().finish().sdl()
}

/// What every resolver of one request shares.
pub struct RequestContext {
    /// The request's transaction.
    pub db: Arc<RequestDb>,
    /// The request's DataLoaders.
    pub loaders: Loaders,
    /// Response keys per selection set: hashes, JSON ([`keys`]).
    pub selection_keys: keys::SelectionKeys,
    /// Whether a resolver may hand back an object already written as JSON,
    /// as a `Value::Binary` of its bytes: true only where the response is
    /// written by `response_json` (which writes such a value as it is) and
    /// the document selects no response key twice (the engine cannot merge
    /// written objects). Contacts use it (`contacts::node`).
    pub prewrite: bool,
}

impl RequestContext {
    /// A context around a request's database handle.
    pub fn new(db: Arc<RequestDb>) -> Self {
        let loaders = Loaders::new(&db);
        Self { db, loaders, selection_keys: Default::default(), prewrite: false }
    }

    /// The context with objects prewritten as JSON where `prewrite`.
    pub fn prewritten(self, prewrite: bool) -> Self {
        Self { prewrite, ..self }
    }
}

/// Accessors on the resolver context.
pub trait ContextExt {
    /// The request context.
    fn req(&self) -> AppResult<&RequestContext>;
    /// The request's claims.
    fn claims(&self) -> AppResult<&Claims> {
        Ok(self.req()?.db.claims())
    }
    /// Schema-wide settings.
    fn api(&self) -> AppResult<&ApiSettings>;
}

impl ContextExt for Context<'_> {
    fn req(&self) -> AppResult<&RequestContext> {
        self.data_opt::<RequestContext>()
            .ok_or_else(|| AppError::Unauthenticated("not authenticated".to_owned()))
    }

    fn api(&self) -> AppResult<&ApiSettings> {
        self.data_opt::<ApiSettings>()
            .ok_or_else(|| AppError::internal("ApiSettings missing from schema data"))
    }
}

/// The request context, after checking that the token's role may run
/// mutations (`FORBIDDEN` for viewers).
pub fn member<'a>(ctx: &'a Context<'_>) -> AppResult<&'a RequestContext> {
    let req = ctx.req()?;
    req.db.claims().require_member()?;
    Ok(req)
}

/// The request context, after checking that the token's role is admin.
pub fn admin<'a>(ctx: &'a Context<'_>) -> AppResult<&'a RequestContext> {
    let req = ctx.req()?;
    req.db.claims().require_admin()?;
    Ok(req)
}

/// `BAD_USER_INPUT` on `field` unless `value` has 1 to `max` characters (after trimming).
pub fn required_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::bad_field(field, format!("{field} must not be empty")));
    }
    optional_text(field, v, max)?;
    Ok(v.to_owned())
}

/// `BAD_USER_INPUT` on `field` when `value` has more than `max` characters.
pub fn optional_text(field: &str, value: &str, max: usize) -> AppResult<()> {
    if value.chars().count() > max {
        return Err(AppError::bad_field(field, format!("{field} must be at most {max} characters")));
    }
    Ok(())
}

/// Converts a loader error for a resolver.
pub fn load_err(e: loaders::LoadError) -> async_graphql::Error {
    e.to_graphql_error()
}
