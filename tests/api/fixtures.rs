//! Data for tests: contacts built from column maps (the shared fixtures'
//! format), seeded workspaces loaded back for independent checks.

use std::path::PathBuf;

use entity::contacts;
use latticeiq::auth::{Claims, Role};
use latticeiq::db::Database;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value};
use uuid::Uuid;

/// `../shared/fixtures`.
pub fn shared_fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"))
}

/// Reads a JSON file of the shared fixtures.
pub fn read_fixture(name: &str) -> Value {
    let path = shared_fixtures().join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// A contact row of `workspace` whose columns are taken from `map` (column name → value).
pub fn contact_from_map(workspace: Uuid, map: &Map<String, Value>) -> contacts::Model {
    let blank = latticeiq::store::contacts::blank(workspace);
    let mut v = serde_json::to_value(&blank).unwrap();
    for (k, val) in map {
        v[k] = val.clone();
    }
    serde_json::from_value(v).unwrap_or_else(|e| panic!("contact from {map:?}: {e}"))
}

/// Inserts rows as the workspace (through RLS on Postgres).
pub async fn insert_contacts(db: &Database, workspace: Uuid, rows: &[contacts::Model]) {
    let claims = Claims { user_id: None, workspace_id: workspace, role: Role::Admin };
    let tx = db.begin_scoped(&claims, true).await.unwrap();
    latticeiq::db::bootstrap::ensure_workspace(&tx, workspace).await.unwrap();
    latticeiq::store::contacts::insert_many(&tx, rows).await.unwrap();
    db.commit(tx).await.unwrap();
}

/// Every contact of a workspace, read directly (owner rights), ordered by id.
pub async fn all_contacts(db: &Database, workspace: Uuid) -> Vec<contacts::Model> {
    contacts::Entity::find()
        .filter(contacts::Column::WorkspaceId.eq(workspace))
        .order_by_asc(contacts::Column::Id)
        .all(db.conn())
        .await
        .unwrap()
}

/// Runs SQL as the owner (no RLS) and ignores the result.
pub async fn exec(db: &Database, sql: &str) {
    use sea_orm::ConnectionTrait;
    db.conn().execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
}

/// A UUID literal for raw SQL on `db`'s backend.
pub fn uuid_sql(db: &Database, id: Uuid) -> String {
    if db.is_postgres() { format!("'{id}'") } else { format!("X'{}'", id.simple()) }
}

/// Inserts an ICP row for `workspace` (through RLS on Postgres); returns its id.
pub async fn insert_icp(db: &Database, workspace: Uuid, name: &str, criteria: Value, weights: Value) -> Uuid {
    use entity::ideal_client_profiles as icp;
    use sea_orm::ActiveValue::Set;
    let claims = Claims { user_id: None, workspace_id: workspace, role: Role::Admin };
    let tx = db.begin_scoped(&claims, true).await.unwrap();
    latticeiq::db::bootstrap::ensure_workspace(&tx, workspace).await.unwrap();
    let id = Uuid::new_v4();
    icp::Entity::insert(icp::ActiveModel {
        id: Set(id),
        workspace_id: Set(workspace),
        name: Set(name.to_owned()),
        criteria: Set(criteria),
        scoring_weights: Set(weights),
        is_active: Set(true),
        ..Default::default()
    })
    .exec_without_returning(&tx)
    .await
    .unwrap();
    db.commit(tx).await.unwrap();
    id
}

/// Sets a workspace's product catalog.
pub async fn set_products(db: &Database, workspace: Uuid, products: Value) {
    use entity::users_settings as s;
    use sea_orm::sea_query::Expr;
    let claims = Claims { user_id: None, workspace_id: workspace, role: Role::Admin };
    let tx = db.begin_scoped(&claims, true).await.unwrap();
    latticeiq::db::bootstrap::ensure_workspace(&tx, workspace).await.unwrap();
    s::Entity::update_many()
        .col_expr(s::Column::Products, Expr::value(products))
        .filter(s::Column::WorkspaceId.eq(workspace))
        .exec(&tx)
        .await
        .unwrap();
    db.commit(tx).await.unwrap();
}

/// Every row of every tenant table, serialized: compared before and after a
/// refused mutation to prove that it changed nothing.
pub async fn snapshot(db: &Database) -> String {
    use entity::{
        call_templates, campaigns, contact_field_definitions, email_templates, ideal_client_profiles,
        users_settings,
    };
    let c = db.conn();
    let mut out = String::new();
    macro_rules! dump {
        ($e:ident) => {
            let rows = $e::Entity::find().order_by_asc($e::Column::Id).all(c).await.unwrap();
            out.push_str(&serde_json::to_string(&rows).unwrap());
            out.push('\n');
        };
    }
    dump!(contacts);
    dump!(users_settings);
    dump!(ideal_client_profiles);
    dump!(contact_field_definitions);
    dump!(campaigns);
    dump!(email_templates);
    dump!(call_templates);
    out
}
