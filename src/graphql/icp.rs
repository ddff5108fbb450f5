//! Ideal client profiles: the `IdealClientProfile` type, live matches
//! (`IcpMatch`) and the ICP queries.

use std::sync::Arc;

use async_graphql::{Context, Enum, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::ideal_client_profiles::{self, Column};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::ContextExt;
use super::loaders::LoadedIcp;
use crate::domain::icp;
use crate::error::AppResult;

/// An ideal client profile: who the workspace wants to reach, and how
/// contacts are scored against it.
pub struct IdealClientProfile(pub Arc<LoadedIcp>);

/// An ideal client profile: who the workspace wants to reach, and how
/// contacts are scored against it.
#[Object]
impl IdealClientProfile {
    /// The profile's id.
    async fn id(&self) -> Uuid {
        self.0.model.id
    }

    /// Name, unique in the workspace.
    async fn name(&self) -> &str {
        &self.0.model.name
    }

    /// Description.
    async fn description(&self) -> Option<&str> {
        self.0.model.description.as_deref()
    }

    /// Criteria: `{"industries": [..], "personas": [..], "min_company_size": 50 | "50+", "max_company_size": …}`.
    async fn criteria(&self) -> Json<&serde_json::Value> {
        Json(&self.0.model.criteria)
    }

    /// Weights: `{"industry_weight", "persona_weight", "company_size_weight"}`, summing to 100.
    async fn scoring_weights(&self) -> Json<&serde_json::Value> {
        Json(&self.0.model.scoring_weights)
    }

    /// Whether the profile is in use.
    async fn is_active(&self) -> bool {
        self.0.model.is_active
    }

    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model.created_at
    }

    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model.updated_at
    }
}

/// How well a contact fits an ICP.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum IcpTier {
    /// Score ≥ 70.
    Hot,
    /// Score ≥ 40.
    Warm,
    /// Score < 40.
    Cold,
}

/// One criterion of a match.
#[derive(SimpleObject, Clone, Debug)]
pub struct IcpCriterionMatch {
    /// `industry`, `persona` or `company_size`.
    pub criterion: String,
    /// Its weight.
    pub weight: i32,
    /// Whether the contact met it.
    pub matched: bool,
    /// The contact value compared (industry, persona or employee count as text).
    pub contact_value: Option<String>,
}

/// A contact scored against an ICP.
#[derive(SimpleObject, Clone, Debug)]
pub struct IcpMatch {
    /// floor(100 × matched weight / weight of the criteria the ICP sets).
    pub score: i32,
    /// hot ≥ 70, warm ≥ 40, else cold.
    pub tier: IcpTier,
    /// The criteria the ICP sets, in the order industry, persona, company size.
    pub breakdown: Vec<IcpCriterionMatch>,
}

impl From<icp::IcpMatch> for IcpMatch {
    fn from(m: icp::IcpMatch) -> Self {
        Self {
            score: m.score,
            tier: match m.tier {
                icp::Tier::Hot => IcpTier::Hot,
                icp::Tier::Warm => IcpTier::Warm,
                icp::Tier::Cold => IcpTier::Cold,
            },
            breakdown: m
                .breakdown
                .into_iter()
                .map(|c| IcpCriterionMatch {
                    criterion: c.criterion.name().to_owned(),
                    weight: c.weight as i32,
                    matched: c.matched,
                    contact_value: c.contact_value,
                })
                .collect(),
        }
    }
}

/// ICP queries.
#[derive(Default)]
pub struct IcpQuery;

#[Object]
impl IcpQuery {
    /// The workspace's ICPs by name; `activeOnly` leaves out inactive ones.
    async fn ideal_client_profiles(
        &self,
        ctx: &Context<'_>,
        active_only: Option<bool>,
    ) -> AppResult<Vec<IdealClientProfile>> {
        let db = &ctx.req()?.db;
        let tx = db.tx().await?;
        let mut q =
            ideal_client_profiles::Entity::find().filter(Column::WorkspaceId.eq(db.claims().workspace_id));
        if active_only == Some(true) {
            q = q.filter(Column::IsActive.eq(true));
        }
        let rows = q.order_by_asc(Column::Name).all(&*tx).await?;
        Ok(rows.into_iter().map(|m| IdealClientProfile(Arc::new(LoadedIcp::new(m)))).collect())
    }

    /// One ICP; null when it does not exist in the workspace.
    async fn ideal_client_profile(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> AppResult<Option<IdealClientProfile>> {
        let icp = ctx.req()?.loaders.icps.load_one(id).await.map_err(super::load_err)?;
        Ok(icp.map(IdealClientProfile))
    }
}
