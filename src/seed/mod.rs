//! `latticeiq seed` (SPEC §9): writes generated contacts in batches — a
//! batch is generated, backfilled, matched to the workspace's default ICP,
//! written and dropped, so memory stays flat for any `--contacts N` — after
//! setting the workspace's company and product catalog. A seed of at least
//! [`BULK_MIN_CONTACTS`] into an empty Postgres `contacts` table is a bulk
//! load (`COPY`, secondary indexes rebuilt once); any other, batched INSERTs.

mod bulk;
pub mod generate;

pub use bulk::BULK_MIN_CONTACTS;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use entity::{contacts, ideal_client_profiles, users_settings};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::auth::{Claims, Role};
use crate::db::Database;
use crate::db::bootstrap::{DEFAULT_ICP_NAME, ensure_workspace};
use crate::domain::enrichment;
use crate::domain::icp;
use crate::store::contacts::{blank, icp_contact, insert_batch_size, insert_statement, set_derived};
use crate::store::matching::MatchRun;
use generate::SeedContact;

/// Lowest score at which seeded contacts are assigned to the default ICP.
pub const SEED_MATCH_MIN_SCORE: i32 = 40;

/// What a seed run did.
#[derive(Debug, Clone, Copy)]
pub struct SeedReport {
    /// Contacts inserted.
    pub contacts: u64,
    /// Whether the rows went in by the bulk path (`COPY`, indexes rebuilt).
    pub bulk: bool,
    /// The default ICP match over the workspace.
    pub matched: MatchRun,
    /// Total time.
    pub total_time: Duration,
}

fn system_claims(workspace_id: Uuid) -> Claims {
    Claims { user_id: None, workspace_id, role: Role::Admin }
}

/// Seeds the demo workspace (SPEC §9) — the design log's final state.
pub async fn seed_demo(db: &Database) -> anyhow::Result<SeedReport> {
    seed_contacts(
        db,
        generate::DEMO_WORKSPACE,
        generate::demo_contacts(),
        "LatticeIQ Demo",
        "Financial Services",
        false,
    )
    .await
}

/// Seeds `count` generated contacts into `workspace_id`, deterministically from `seed`.
pub async fn seed_workspace(
    db: &Database,
    workspace_id: Uuid,
    count: u64,
    seed: u64,
) -> anyhow::Result<SeedReport> {
    if workspace_id == generate::DEMO_WORKSPACE {
        return seed_demo(db).await;
    }
    seed_contacts(
        db,
        workspace_id,
        generate::contacts(workspace_id, seed, count),
        "Northwind Lending",
        "Finance",
        count >= BULK_MIN_CONTACTS,
    )
    .await
}

/// Whether the demo should be seeded at start-up: the database holds no
/// contacts and the demo workspace does not exist yet.
pub async fn database_is_empty(db: &Database) -> anyhow::Result<bool> {
    // One row is enough: a count would read every contact at each start-up.
    let any = contacts::Entity::find()
        .select_only()
        .column(contacts::Column::Id)
        .into_tuple::<Uuid>()
        .one(db.conn())
        .await
        .context("looking for a contact")?;
    if any.is_some() {
        return Ok(false);
    }
    let tx = db.begin_scoped(&system_claims(generate::DEMO_WORKSPACE), false).await?;
    // (filtered as well as scoped: SQLite has no RLS)
    let demo = users_settings::Entity::find()
        .filter(users_settings::Column::WorkspaceId.eq(generate::DEMO_WORKSPACE))
        .count(&tx)
        .await?;
    db.rollback(tx).await?;
    Ok(demo == 0)
}

async fn seed_contacts(
    db: &Database,
    workspace_id: Uuid,
    contacts_iter: impl Iterator<Item = SeedContact>,
    company_name: &str,
    industry: &str,
    bulk_wanted: bool,
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let claims = system_claims(workspace_id);
    let tx = db.begin_scoped(&claims, true).await?;
    ensure_workspace(&tx, workspace_id).await?;
    users_settings::Entity::update_many()
        .col_expr(users_settings::Column::CompanyName, Expr::value(company_name))
        .col_expr(users_settings::Column::Industry, Expr::value(industry))
        .col_expr(users_settings::Column::Products, Expr::value(generate::products_catalog()))
        .filter(users_settings::Column::WorkspaceId.eq(workspace_id))
        .exec(&tx)
        .await?;
    let icp_row = ideal_client_profiles::Entity::find()
        .filter(ideal_client_profiles::Column::WorkspaceId.eq(workspace_id))
        .filter(ideal_client_profiles::Column::Name.eq(DEFAULT_ICP_NAME))
        .one(&tx)
        .await?
        .context("the default ICP is missing")?;
    db.commit(tx).await?;
    let prepared = icp::parse_icp(&icp_row.criteria, Some(&icp_row.scoring_weights))
        .map_err(|p| anyhow::anyhow!("the default ICP does not validate: {p:?}"))?
        .prepare();

    // Contacts are matched to the default ICP as they are generated (the
    // same rule as matchIdealClientProfile with minScore 40), so each row is
    // written once: a later UPDATE would cost as much as the INSERT, every
    // index included. Into an empty Postgres table a large seed is one bulk
    // load (`bulk.rs`); otherwise, on Postgres, two connections write batched
    // INSERTs in parallel (the database, not the generator, is the bottleneck).
    let backend = db.backend();
    let load =
        if backend == DbBackend::Postgres && bulk_wanted { bulk::BulkLoad::begin(db).await? } else { None };
    let bulk = load.is_some();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<contacts::Model>>(2);
    let mut tasks: tokio::task::JoinSet<anyhow::Result<u64>> = tokio::task::JoinSet::new();
    let batch = if let Some(mut load) = load {
        let mut receiver = receiver;
        tasks.spawn(async move {
            while let Some(rows) = receiver.recv().await {
                load.write(&rows).await.context("copying contacts")?;
            }
            load.finish().await
        });
        bulk::COPY_BATCH
    } else {
        let writers = if backend == DbBackend::Postgres { 2 } else { 1 };
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        for _ in 0..writers {
            let (db, claims, receiver) = (db.clone(), claims.clone(), receiver.clone());
            tasks.spawn(async move {
                let mut written = 0u64;
                loop {
                    let Some(rows) = receiver.lock().await.recv().await else { return Ok(written) };
                    let tx = db.begin_scoped(&claims, true).await?;
                    tx.execute(&insert_statement(db.backend(), &rows)).await.context("inserting contacts")?;
                    db.commit(tx).await?;
                    written += rows.len() as u64;
                }
            });
        }
        insert_batch_size(backend)
    };
    let mut run = MatchRun::default();
    let mut contacts_iter = contacts_iter.peekable();
    while contacts_iter.peek().is_some() {
        let rows: Vec<contacts::Model> = contacts_iter
            .by_ref()
            .take(batch)
            .map(|c| {
                let mut m = to_row(workspace_id, c);
                let score = prepared.score_value(&icp_contact(&m));
                run.processed += 1;
                if score >= SEED_MATCH_MIN_SCORE {
                    run.matched += 1;
                    m.icp_id = Some(icp_row.id);
                    m.icp_match_score = Some(score);
                }
                m
            })
            .collect();
        if sender.send(rows).await.is_err() {
            break; // a writer failed: its error is reported below
        }
        if run.processed % 100_000 < batch as u64 {
            tracing::info!(generated = run.processed, "seeding");
        }
    }
    drop(sender);
    let mut inserted = 0u64;
    while let Some(done) = tasks.join_next().await {
        inserted += done.context("a seed writer panicked")??;
    }
    if inserted != run.processed {
        anyhow::bail!("generated {} contacts but wrote {inserted}", run.processed);
    }
    Ok(SeedReport { contacts: inserted, bulk, matched: run, total_time: started.elapsed() })
}

/// A generated contact as a row, its derived columns backfilled (SPEC §6.2).
fn to_row(workspace_id: Uuid, c: SeedContact) -> contacts::Model {
    let mut m = blank(workspace_id);
    m.id = c.id;
    m.email = Some(c.email);
    m.first_name = Some(c.first_name);
    m.last_name = Some(c.last_name);
    m.company = c.company;
    m.job_title = c.job_title;
    m.phone = c.phone;
    m.linkedin_url = c.linkedin_url;
    m.website = c.website;
    m.vertical = c.vertical;
    m.persona_type = c.persona_type;
    m.annual_revenue = c.annual_revenue;
    m.enrichment_status = c.enrichment_status.to_owned();
    m.lifecycle_stage = c.lifecycle_stage;
    m.lead_status = c.lead_status;
    m.pipeline_stage = c.pipeline_stage;
    m.external_id = c.external_id;
    m.hubspot_id = c.hubspot_id;
    m.assigned_product = c.assigned_product;
    m.source = Some(c.source.to_owned());
    m.tags = entity::Tags(c.tags);
    m.notes = c.notes;
    m.created_at = crate::store::truncate_micros(c.created_at);
    m.updated_at = m.created_at;
    if let Some(data) = &c.enrichment_data {
        set_derived(&mut m, enrichment::derive(data, c.kernel_analysis.as_ref()));
        m.enriched_at = c.enriched_at.map(crate::store::truncate_micros);
        m.enrichment_last_enriched_at = m.enriched_at;
    } else if let Some(kernel) = &c.kernel_analysis {
        set_derived(&mut m, enrichment::derive(&serde_json::Value::Null, Some(kernel)));
    }
    m.enrichment_data = c.enrichment_data;
    m.kernel_analysis = c.kernel_analysis;
    m
}
