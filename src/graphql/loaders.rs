//! DataLoaders: every relation and piece of workspace context a resolver
//! needs is loaded once per request, batched, inside the request's
//! transaction (so on Postgres under its RLS settings). Each query also
//! filters by the token's workspace — the application-level isolation that
//! SQLite relies on.
//!
//! A workspace's small tables — settings, custom fields, ICPs, e-mail and
//! call templates — come as one [`WorkspaceContext`]: on Postgres in a
//! single statement (one round trip for all five), on SQLite in five cheap
//! local queries. Campaigns, which can be many, load by id.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{
    call_templates, campaigns, contact_field_definitions, email_templates, ideal_client_profiles,
    users_settings,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryResult, Select, Statement,
};
use uuid::Uuid;

use crate::db::{ContextMemo, RequestDb};
use crate::domain::fields::FieldDefinition;
use crate::domain::icp::{self, PreparedIcp};
use crate::domain::templates::{self, Template};
use crate::error::AppError;

/// Errors from a loader (cloned to every waiting resolver).
pub type LoadError = Arc<AppError>;

/// An ICP with its criteria prepared for scoring (`None` when the stored
/// criteria no longer validate — such an ICP scores nothing).
#[derive(Debug)]
pub struct LoadedIcp {
    /// The row.
    pub model: ideal_client_profiles::Model,
    /// Prepared criteria and weights.
    pub prepared: Option<PreparedIcp>,
}

impl LoadedIcp {
    /// Wraps a row, preparing its criteria.
    pub fn new(model: ideal_client_profiles::Model) -> Self {
        let prepared =
            icp::parse_icp(&model.criteria, Some(&model.scoring_weights)).ok().map(|i| i.prepare());
        Self { model, prepared }
    }
}

/// A workspace's custom field definitions.
#[derive(Debug, Default)]
pub struct WorkspaceFields {
    /// The rows, in display order.
    pub models: Vec<contact_field_definitions::Model>,
    /// What field resolution needs.
    pub definitions: Vec<FieldDefinition>,
}

/// An e-mail template with its subject and body parsed once per request.
#[derive(Debug)]
pub struct LoadedEmailTemplate {
    /// The row.
    pub model: email_templates::Model,
    /// Parsed subject (empty when the stored text no longer parses).
    pub subject: Template,
    /// Parsed body (empty when the stored text no longer parses).
    pub body: Template,
}

impl LoadedEmailTemplate {
    /// Wraps and parses a row.
    pub fn new(model: email_templates::Model) -> Self {
        let subject = templates::parse(&model.subject).unwrap_or_default();
        let body = templates::parse(&model.body).unwrap_or_default();
        Self { model, subject, body }
    }
}

/// A call template with its body parsed once per request.
#[derive(Debug)]
pub struct LoadedCallTemplate {
    /// The row.
    pub model: call_templates::Model,
    /// Parsed body (empty when the stored text no longer parses).
    pub body: Template,
}

impl LoadedCallTemplate {
    /// Wraps and parses a row.
    pub fn new(model: call_templates::Model) -> Self {
        let body = templates::parse(&model.body).unwrap_or_default();
        Self { model, body }
    }
}

/// Campaigns by id.
pub struct CampaignLoader(pub Arc<RequestDb>);

impl Loader<Uuid> for CampaignLoader {
    type Value = Arc<campaigns::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.0.tx().await?;
        let rows = campaigns::Entity::find()
            .filter(campaigns::Column::WorkspaceId.eq(self.0.claims().workspace_id))
            .filter(campaigns::Column::Id.is_in(keys.iter().copied()))
            .all(&*tx)
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|m| (m.id, Arc::new(m))).collect())
    }
}

/// A map by id of a workspace's context. Its keys are random UUIDs of the
/// workspace's own rows, and a page looks ids up several times per contact
/// (ICP scoring, templates): hashed with foldhash, not SipHash, whose
/// resistance to chosen keys buys nothing here and cost ~2 % of a page with
/// computed fields.
pub type ById<T> = HashMap<Uuid, Arc<T>, foldhash::fast::RandomState>;

/// A workspace's settings, custom fields, ICPs and templates.
#[derive(Debug, Default)]
pub struct WorkspaceContext {
    /// The settings row (absent only before the workspace's first use).
    pub settings: Option<Arc<users_settings::Model>>,
    /// Custom field definitions.
    pub fields: Arc<WorkspaceFields>,
    /// ICPs by id, criteria prepared.
    pub icps: ById<LoadedIcp>,
    /// E-mail templates by id, parsed.
    pub email_templates: ById<LoadedEmailTemplate>,
    /// Call templates by id, parsed.
    pub call_templates: ById<LoadedCallTemplate>,
    /// What a page's computed fields read of a contact, by what the page
    /// selects (`contacts::json_reads`): worked out once per selection for
    /// this context, and gone with it.
    pub page_reads: Memo<crate::graphql::contacts::PageReads>,
}

/// Values worked out from a workspace context, by a key of what they were
/// worked out from: at most [`Memo::CAPACITY`] (past it the memo starts
/// afresh), of keys of at most [`Memo::MAX_KEY_BYTES`] (a longer one is
/// worked out every time), so that what requests can make a context hold
/// stays small: the process keeps up to 4 096 contexts.
pub struct Memo<T> {
    inner: std::sync::Mutex<HashMap<String, Option<Arc<T>>, foldhash::fast::RandomState>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Self { inner: Default::default() }
    }
}

impl<T> std::fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo").field("len", &self.len()).finish()
    }
}

impl<T> Memo<T> {
    /// Keys remembered at most.
    pub const CAPACITY: usize = 16;
    /// Longest key remembered.
    pub const MAX_KEY_BYTES: usize = 256;

    /// The value for `key`: remembered, or worked out by `make` now and
    /// remembered (`None` too; a key longer than [`Memo::MAX_KEY_BYTES`]
    /// is not).
    pub fn get_or_make(&self, key: &str, make: impl FnOnce() -> Option<T>) -> Option<Arc<T>> {
        if key.len() > Self::MAX_KEY_BYTES {
            return make().map(Arc::new);
        }
        if let Some(v) = self.lock().get(key) {
            return v.clone();
        }
        let made = make().map(Arc::new);
        let mut inner = self.lock();
        if inner.len() >= Self::CAPACITY {
            inner.clear();
        }
        inner.insert(key.to_owned(), made.clone());
        made
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, Option<Arc<T>>, foldhash::fast::RandomState>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl WorkspaceContext {
    /// An ICP of the workspace.
    pub fn icp(&self, id: Uuid) -> Option<Arc<LoadedIcp>> {
        self.icps.get(&id).cloned()
    }

    /// An ICP of the workspace, lent: what scoring every contact of a page
    /// reads, without counting a reference up and down per contact (a
    /// count both worker threads write).
    pub fn icp_ref(&self, id: Uuid) -> Option<&LoadedIcp> {
        self.icps.get(&id).map(|icp| &**icp)
    }

    /// An e-mail template of the workspace.
    pub fn email_template(&self, id: Uuid) -> Option<Arc<LoadedEmailTemplate>> {
        self.email_templates.get(&id).cloned()
    }

    /// A call template of the workspace.
    pub fn call_template(&self, id: Uuid) -> Option<Arc<LoadedCallTemplate>> {
        self.call_templates.get(&id).cloned()
    }

    fn from_rows(
        settings: Option<users_settings::Model>,
        mut fields: Vec<contact_field_definitions::Model>,
        icps: Vec<ideal_client_profiles::Model>,
        emails: Vec<email_templates::Model>,
        calls: Vec<call_templates::Model>,
    ) -> Self {
        fields.sort_by(|a, b| {
            a.sort_priority.cmp(&b.sort_priority).then_with(|| a.field_name.cmp(&b.field_name))
        });
        let definitions = fields
            .iter()
            .map(|m| FieldDefinition { field_name: m.field_name.clone(), jsonb_path: m.jsonb_path.clone() })
            .collect();
        Self {
            settings: settings.map(Arc::new),
            fields: Arc::new(WorkspaceFields { models: fields, definitions }),
            icps: icps.into_iter().map(|m| (m.id, Arc::new(LoadedIcp::new(m)))).collect(),
            email_templates: emails
                .into_iter()
                .map(|m| (m.id, Arc::new(LoadedEmailTemplate::new(m))))
                .collect(),
            call_templates: calls.into_iter().map(|m| (m.id, Arc::new(LoadedCallTemplate::new(m)))).collect(),
            page_reads: Memo::default(),
        }
    }
}

/// The one statement that reads a workspace's context on Postgres: its
/// version stamp and — only when the stamp differs from `$2`, the one this
/// process has in memory — the five tables as JSON. With the memo current
/// the subqueries are skipped (a one-time filter) and the row is tiny.
const CONTEXT_SQL: &str = "SELECT v.version, \
    (SELECT row_to_json(s) FROM users_settings s WHERE s.workspace_id = $1 AND v.stale) AS settings, \
    (SELECT coalesce(json_agg(d), '[]') FROM contact_field_definitions d WHERE d.workspace_id = $1 AND v.stale) AS fields, \
    (SELECT coalesce(json_agg(i), '[]') FROM ideal_client_profiles i WHERE i.workspace_id = $1 AND v.stale) AS icps, \
    (SELECT coalesce(json_agg(e), '[]') FROM email_templates e WHERE e.workspace_id = $1 AND v.stale) AS emails, \
    (SELECT coalesce(json_agg(c), '[]') FROM call_templates c WHERE c.workspace_id = $1 AND v.stale) AS calls \
    FROM (SELECT w.version, coalesce(w.version <> $2, true) AS stale \
          FROM (SELECT (SELECT version FROM workspace_context_versions WHERE workspace_id = $1) AS version) w) v";

fn decode<T: serde::de::DeserializeOwned>(v: serde_json::Value, what: &str) -> Result<T, AppError> {
    serde_json::from_value(v).map_err(|e| AppError::internal(format!("decoding {what}: {e}")))
}

/// Reads a workspace's context in `conn` (the request's transaction).
///
/// On Postgres, `memo` holds the contexts this process has read, with their
/// version stamps: the stamp comes from the same statement (the same
/// snapshot) as the data would, and a stamp is never reused — not after a
/// rollback either — so a context remembered at stamp `v` is exactly what
/// any transaction that sees stamp `v` would read. Parsing templates and
/// preparing ICPs then happens once per change, not once per request.
pub async fn load_workspace_context(
    conn: &impl ConnectionTrait,
    workspace_id: Uuid,
    memo: &ContextMemo,
) -> Result<Arc<WorkspaceContext>, AppError> {
    if conn.get_database_backend() == DbBackend::Postgres {
        let remembered =
            memo.get(workspace_id).and_then(|(v, c)| c.downcast::<WorkspaceContext>().ok().map(|c| (v, c)));
        let row = conn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                CONTEXT_SQL,
                [workspace_id.into(), remembered.as_ref().map(|(v, _)| *v).into()],
            ))
            .await?
            .ok_or_else(|| AppError::internal("the workspace context query returned no row"))?;
        let version: Option<i64> = row.try_get("", "version")?;
        if let (Some(version), Some((at, context))) = (version, &remembered)
            && version == *at
        {
            return Ok(context.clone());
        }
        let column = |name: &str| -> Result<serde_json::Value, AppError> {
            Ok(row.try_get::<Option<serde_json::Value>>("", name)?.unwrap_or(serde_json::Value::Null))
        };
        let context = Arc::new(WorkspaceContext::from_rows(
            decode(column("settings")?, "settings")?,
            decode(column("fields")?, "field definitions")?,
            decode(column("icps")?, "ICPs")?,
            decode(column("emails")?, "e-mail templates")?,
            decode(column("calls")?, "call templates")?,
        ));
        if let Some(version) = version {
            memo.put(workspace_id, version, context.clone());
        }
        return Ok(context);
    }
    Ok(Arc::new(WorkspaceContext::from_rows(
        users_settings::Entity::find()
            .filter(users_settings::Column::WorkspaceId.eq(workspace_id))
            .one(conn)
            .await?,
        contact_field_definitions::Entity::find()
            .filter(contact_field_definitions::Column::WorkspaceId.eq(workspace_id))
            .all(conn)
            .await?,
        ideal_client_profiles::Entity::find()
            .filter(ideal_client_profiles::Column::WorkspaceId.eq(workspace_id))
            .all(conn)
            .await?,
        email_templates::Entity::find()
            .filter(email_templates::Column::WorkspaceId.eq(workspace_id))
            .all(conn)
            .await?,
        call_templates::Entity::find()
            .filter(call_templates::Column::WorkspaceId.eq(workspace_id))
            .all(conn)
            .await?,
    )))
}

/// All loaders of one request.
pub struct Loaders {
    db: Arc<RequestDb>,
    /// Campaigns by id.
    pub campaigns: DataLoader<CampaignLoader, HashMapCache>,
    /// The workspace context: one key, so no batching to wait for — read at
    /// most once per request, by whichever resolver asks first, while any
    /// others asking meanwhile wait for that read.
    context: tokio::sync::OnceCell<Arc<WorkspaceContext>>,
}

impl Loaders {
    /// Fresh loaders around the request's database handle.
    pub fn new(db: &Arc<RequestDb>) -> Self {
        Self {
            db: db.clone(),
            campaigns: DataLoader::with_cache(
                CampaignLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            context: tokio::sync::OnceCell::new(),
        }
    }

    /// The workspace context if a resolver has loaded it already: what a
    /// field written without its resolver needs (see `contacts::node`).
    pub fn loaded_context(&self) -> Option<&Arc<WorkspaceContext>> {
        self.context.get()
    }

    /// The request's workspace context (loaded on first use).
    pub async fn context(&self) -> Result<Arc<WorkspaceContext>, AppError> {
        // Nearly every call finds it loaded. The load's future (several
        // statements deep) is boxed so that this one stays small: every
        // computed field of every contact of a page awaits it, and a large
        // future here made each of their futures large and costly to move.
        if let Some(context) = self.context.get() {
            return Ok(context.clone());
        }
        Box::pin(self.load_context()).await
    }

    async fn load_context(&self) -> Result<Arc<WorkspaceContext>, AppError> {
        let context = self
            .context
            .get_or_try_init(|| async {
                let tx = self.db.tx().await?;
                load_workspace_context(&*tx, self.db.claims().workspace_id, self.db.database().contexts())
                    .await
            })
            .await?;
        Ok(context.clone())
    }

    /// Runs `read`, a statement that carries the context stamp
    /// ([`with_context_stamp`]) and reads what `context` (remembered at
    /// `version`) says it may, as the request's context load when there is
    /// none yet: the context is then `context` if `read`'s stamp is
    /// `version`, and left unloaded otherwise; any resolver that asks for it
    /// meanwhile waits. `read`'s value and stamp, or `None` when the context was loaded (or
    /// being loaded) already: `read` did not run.
    pub async fn load_context_with<T>(
        &self,
        version: i64,
        context: Arc<WorkspaceContext>,
        read: impl Future<Output = Result<(T, Option<i64>), AppError>>,
    ) -> Result<Option<(T, Option<i64>)>, AppError> {
        enum Failed {
            OtherStamp,
            Error(AppError),
        }
        let mut out = None;
        let slot = &mut out;
        let loaded = self
            .context
            .get_or_try_init(|| async move {
                let (value, stamp) = read.await.map_err(Failed::Error)?;
                *slot = Some((value, stamp));
                if stamp == Some(version) { Ok(context) } else { Err(Failed::OtherStamp) }
            })
            .await;
        match loaded {
            Ok(_) | Err(Failed::OtherStamp) => Ok(out),
            Err(Failed::Error(e)) => Err(e),
        }
    }

    /// The stamp a contact read carried ([`with_context_stamp`]).
    pub fn stamp_of(row: &QueryResult) -> Result<Option<i64>, AppError> {
        Ok(row.try_get::<Option<i64>>("", CONTEXT_VERSION_COLUMN)?)
    }

    /// Primes the context from the stamp that a contact read carried
    /// ([`with_context_stamp`], Postgres): when this process remembers the
    /// context at exactly that stamp, it is what the context statement would
    /// return (stamps are never reused), and that statement is saved. Any
    /// other stamp, or a row without one, leaves the loader as it was.
    pub fn prime_context(&self, row: &QueryResult) -> Result<(), AppError> {
        if self.db.backend() != DbBackend::Postgres {
            return Ok(());
        }
        self.prime_context_at(Self::stamp_of(row)?);
        Ok(())
    }

    /// [`Self::prime_context`] with the stamp already read from the row.
    pub fn prime_context_at(&self, stamp: Option<i64>) {
        let Some(version) = stamp else { return };
        if let Some((at, context)) = self.db.database().contexts().get(self.db.claims().workspace_id)
            && at == version
            && let Ok(context) = context.downcast::<WorkspaceContext>()
        {
            // Already read (or being read) in this request: keep that one.
            let _ = self.context.set(context);
        }
    }
}

/// Adds the workspace's context stamp as a column of `select` (Postgres;
/// unchanged on SQLite); see [`Loaders::prime_context`].
pub fn with_context_stamp<E: EntityTrait>(
    select: Select<E>,
    backend: DbBackend,
    workspace_id: Uuid,
) -> Select<E> {
    if backend != DbBackend::Postgres {
        return select;
    }
    sea_orm::QuerySelect::expr_as(
        select,
        sea_orm::sea_query::Expr::cust_with_values(CONTEXT_VERSION_SQL, [workspace_id]),
        CONTEXT_VERSION_COLUMN,
    )
}

/// The stamp's column expression, `$1` the workspace id.
const CONTEXT_VERSION_SQL: &str = "(SELECT version FROM workspace_context_versions WHERE workspace_id = $1)";

/// The name of that column.
const CONTEXT_VERSION_COLUMN: &str = "__context_version";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_works_a_key_out_once_and_stays_bounded() {
        let memo = Memo::<String>::default();
        let made = std::cell::Cell::new(0);
        let make = |v: Option<&str>| {
            made.set(made.get() + 1);
            v.map(str::to_owned)
        };
        assert_eq!(memo.get_or_make("a", || make(Some("A"))).as_deref().map(String::as_str), Some("A"));
        assert_eq!(memo.get_or_make("a", || make(Some("other"))).as_deref().map(String::as_str), Some("A"));
        // nothing to remember is remembered too
        assert!(memo.get_or_make("b", || make(None)).is_none());
        assert!(memo.get_or_make("b", || make(Some("B"))).is_none());
        assert_eq!(made.get(), 2);
        for i in 0..Memo::<String>::CAPACITY + 3 {
            memo.get_or_make(&i.to_string(), || make(Some("x")));
        }
        assert!(memo.len() <= Memo::<String>::CAPACITY && !memo.is_empty());
        // a long key is worked out every time, and not kept
        let long = "k".repeat(Memo::<String>::MAX_KEY_BYTES + 1);
        let before = (made.get(), memo.len());
        assert_eq!(memo.get_or_make(&long, || make(Some("L"))).as_deref().map(String::as_str), Some("L"));
        assert_eq!(memo.get_or_make(&long, || make(Some("M"))).as_deref().map(String::as_str), Some("M"));
        assert_eq!((made.get(), memo.len()), (before.0 + 2, before.1));
    }
}
