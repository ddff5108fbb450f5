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

impl super::plain::PlainFields for IdealClientProfile {
    fn plain_field(&self, name: &str) -> Option<async_graphql::Value> {
        self.0.plain_field(name)
    }

    fn write_plain_field(&self, name: &str, out: &mut Vec<u8>) -> bool {
        self.0.write_plain_field(name, out)
    }
}

/// The plain fields of an [`IdealClientProfile`], of the ICP lent.
impl super::plain::PlainFields for LoadedIcp {
    fn plain_field(&self, name: &str) -> Option<async_graphql::Value> {
        use async_graphql::ScalarType;
        let m = &self.model;
        Some(match name {
            "id" => m.id.to_value(),
            "name" => async_graphql::Value::String(m.name.clone()),
            "description" => {
                m.description.clone().map_or(async_graphql::Value::Null, async_graphql::Value::String)
            }
            "isActive" => async_graphql::Value::Boolean(m.is_active),
            "createdAt" => m.created_at.to_value(),
            "updatedAt" => m.updated_at.to_value(),
            _ => return None,
        })
    }

    /// (Its texts written as they are, not copied into a `Value` first: once
    /// per contact of a page selecting `icp { name }`.)
    fn write_plain_field(&self, name: &str, out: &mut Vec<u8>) -> bool {
        let m = &self.model;
        match (name, &m.description) {
            ("name", _) => crate::response_json::write_str(out, &m.name),
            ("description", Some(d)) => crate::response_json::write_str(out, d),
            _ => return self.plain_field(name).map(|v| crate::response_json::write_value(out, &v)).is_some(),
        }
        true
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

impl super::plain::PlainFields for IcpMatch {
    fn plain_field(&self, name: &str) -> Option<async_graphql::Value> {
        Some(match name {
            "score" => async_graphql::Value::from(self.score),
            "tier" => async_graphql::resolver_utils::enum_value(self.tier),
            _ => return None,
        })
    }

    /// (The tier's name written as it is, not made into a `Value` first:
    /// once per contact of a page selecting `icpMatch { tier }`.)
    fn write_plain_field(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match name {
            "score" => out.extend_from_slice(itoa::Buffer::new().format(self.score).as_bytes()),
            "tier" => {
                use async_graphql::resolver_utils::EnumType;
                let Some(item) = IcpTier::items().iter().find(|item| item.value == self.tier) else {
                    return false;
                };
                crate::response_json::write_str(out, item.name);
            }
            _ => return false,
        }
        true
    }
}

impl IcpMatch {
    /// The score and tier of a match without its breakdown: all that a
    /// plain selection (`score`, `tier`) reads, since `breakdown` is not a
    /// plain field (`plain::write_selection` refuses it).
    pub fn without_breakdown(score: i32) -> Self {
        Self { score, tier: icp::tier(score).into(), breakdown: Vec::new() }
    }
}

impl From<icp::Tier> for IcpTier {
    fn from(t: icp::Tier) -> Self {
        match t {
            icp::Tier::Hot => IcpTier::Hot,
            icp::Tier::Warm => IcpTier::Warm,
            icp::Tier::Cold => IcpTier::Cold,
        }
    }
}

impl From<icp::IcpMatch> for IcpMatch {
    fn from(m: icp::IcpMatch) -> Self {
        Self {
            score: m.score,
            tier: m.tier.into(),
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
        let icp = ctx.req()?.loaders.context().await?.icp(id);
        Ok(icp.map(IdealClientProfile))
    }
}

/// A new ideal client profile.
#[derive(async_graphql::InputObject)]
pub struct CreateIdealClientProfileInput {
    /// Name, 1–100 characters, unique in the workspace.
    pub name: String,
    /// Description, at most 500 characters.
    pub description: Option<String>,
    /// `{"industries": [..], "personas": [..], "min_company_size": 50 | "50+", "max_company_size": …}`.
    pub criteria: Json<serde_json::Value>,
    /// `{"industry_weight", "persona_weight", "company_size_weight"}`: non-negative integers
    /// summing to 100 (default 30/40/30).
    pub scoring_weights: Option<Json<serde_json::Value>>,
    /// Whether the profile is in use (default true).
    pub is_active: Option<bool>,
}

/// Changes to an ICP: fields left out stay as they are.
#[derive(async_graphql::InputObject)]
pub struct UpdateIdealClientProfileInput {
    /// Name, 1–100 characters, unique in the workspace.
    pub name: Option<String>,
    /// Description (`null` clears it).
    pub description: async_graphql::MaybeUndefined<String>,
    /// Criteria.
    pub criteria: Option<Json<serde_json::Value>>,
    /// Weights (`null` restores 30/40/30).
    pub scoring_weights: async_graphql::MaybeUndefined<Json<serde_json::Value>>,
    /// Whether the profile is in use.
    pub is_active: Option<bool>,
}

/// What `matchIdealClientProfile` did.
#[derive(SimpleObject)]
pub struct IcpMatchRun {
    /// Contacts scored (every contact of the workspace).
    pub processed: i64,
    /// Contacts now assigned to the ICP (score ≥ minScore).
    pub matched: i64,
    /// Contacts of this ICP unassigned because they now score below minScore.
    pub cleared: i64,
}

fn validate_icp(criteria: &serde_json::Value, weights: Option<&serde_json::Value>) -> AppResult<icp::Icp> {
    icp::parse_icp(criteria, weights).map_err(|problems| {
        let field = problems.first().map(|p| p.field).unwrap_or("criteria");
        let message = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        crate::error::AppError::bad_field(field, message)
    })
}

async fn check_icp_name_free(
    conn: &impl sea_orm::ConnectionTrait,
    workspace_id: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    let mut q = ideal_client_profiles::Entity::find()
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    if q.one(conn).await?.is_some() {
        return Err(crate::error::AppError::Conflict(format!("an ICP named {name:?} already exists")));
    }
    Ok(())
}

/// Loads an ICP row of the caller's workspace (`NOT_FOUND` otherwise).
pub async fn load_icp(
    conn: &impl sea_orm::ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<ideal_client_profiles::Model> {
    ideal_client_profiles::Entity::find_by_id(id)
        .filter(Column::WorkspaceId.eq(workspace_id))
        .one(conn)
        .await?
        .ok_or_else(|| crate::error::AppError::not_found("ideal client profile", id))
}

/// ICP mutations.
#[derive(Default)]
pub struct IcpMutations;

#[Object]
impl IcpMutations {
    /// Creates an ICP; criteria and weights are validated (SPEC §6.3).
    async fn create_ideal_client_profile(
        &self,
        ctx: &Context<'_>,
        input: CreateIdealClientProfileInput,
    ) -> AppResult<IdealClientProfile> {
        use sea_orm::ActiveValue::Set;
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let name = super::required_text("name", &input.name, 100)?;
        if let Some(d) = &input.description {
            super::optional_text("description", d, 500)?;
        }
        let weights = input.scoring_weights.map(|w| w.0).filter(|w| !w.is_null());
        let parsed = validate_icp(&input.criteria.0, weights.as_ref())?;
        let tx = req.db.tx().await?;
        check_icp_name_free(&*tx, ws, &name, None).await?;
        let id = Uuid::new_v4();
        ideal_client_profiles::Entity::insert(ideal_client_profiles::ActiveModel {
            id: Set(id),
            workspace_id: Set(ws),
            name: Set(name),
            description: Set(input.description.filter(|d| !d.trim().is_empty())),
            criteria: Set(input.criteria.0),
            scoring_weights: Set(parsed.weights.to_json()),
            is_active: Set(input.is_active.unwrap_or(true)),
            ..Default::default()
        })
        .exec_without_returning(&*tx)
        .await?;
        Ok(IdealClientProfile(Arc::new(LoadedIcp::new(load_icp(&*tx, ws, id).await?))))
    }

    /// Changes an ICP; stored scores change only with `matchIdealClientProfile`.
    async fn update_ideal_client_profile(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateIdealClientProfileInput,
    ) -> AppResult<IdealClientProfile> {
        use sea_orm::ActiveValue::Set;
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        let current = load_icp(&*tx, ws, id).await?;
        let mut am = current.clone().into_active_model();
        if let Some(n) = &input.name {
            let name = super::required_text("name", n, 100)?;
            check_icp_name_free(&*tx, ws, &name, Some(id)).await?;
            am.name = Set(name);
        }
        match input.description {
            async_graphql::MaybeUndefined::Undefined => {}
            async_graphql::MaybeUndefined::Null => am.description = Set(None),
            async_graphql::MaybeUndefined::Value(d) => {
                super::optional_text("description", &d, 500)?;
                am.description = Set(Some(d).filter(|d| !d.trim().is_empty()));
            }
        }
        let criteria = input.criteria.map(|c| c.0).unwrap_or_else(|| current.criteria.clone());
        let weights = match input.scoring_weights {
            async_graphql::MaybeUndefined::Undefined => Some(current.scoring_weights.clone()),
            async_graphql::MaybeUndefined::Null => None,
            async_graphql::MaybeUndefined::Value(w) => Some(w.0),
        };
        let parsed = validate_icp(&criteria, weights.as_ref())?;
        am.criteria = Set(criteria);
        am.scoring_weights = Set(parsed.weights.to_json());
        if let Some(a) = input.is_active {
            am.is_active = Set(a);
        }
        if am.is_changed() {
            am.update(&*tx).await?;
        }
        Ok(IdealClientProfile(Arc::new(LoadedIcp::new(load_icp(&*tx, ws, id).await?))))
    }

    /// Deletes an ICP and clears it from its contacts; refused (`CONFLICT`)
    /// while a draft, active or paused campaign uses it.
    async fn delete_ideal_client_profile(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Uuid> {
        use entity::{campaigns, contacts};
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        load_icp(&*tx, ws, id).await?;
        let open = campaigns::Entity::find()
            .filter(campaigns::Column::WorkspaceId.eq(ws))
            .filter(campaigns::Column::IcpId.eq(id))
            .filter(campaigns::Column::Status.is_in(["draft", "active", "paused"]))
            .one(&*tx)
            .await?;
        if let Some(c) = open {
            return Err(crate::error::AppError::Conflict(format!(
                "the ICP is used by the {} campaign {:?}",
                c.status, c.name
            )));
        }
        // The foreign key clears icp_id; the score of that match goes with it.
        let clear = Query::update()
            .table(contacts::Entity)
            .value(contacts::Column::IcpId, Option::<Uuid>::None)
            .value(contacts::Column::IcpMatchScore, Option::<i32>::None)
            .and_where(Expr::col(contacts::Column::WorkspaceId).eq(ws))
            .and_where(Expr::col(contacts::Column::IcpId).eq(id))
            .to_owned();
        sea_orm::ConnectionTrait::execute(&*tx, &clear).await?;
        ideal_client_profiles::Entity::delete_many()
            .filter(Column::WorkspaceId.eq(ws))
            .filter(Column::Id.eq(id))
            .exec(&*tx)
            .await?;
        Ok(id)
    }

    /// Scores every contact of the workspace against the ICP; assigns it
    /// (with the score) to those scoring ≥ `minScore` and unassigns contacts
    /// of this ICP that now score below it.
    async fn match_ideal_client_profile(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        #[graphql(default = 0)] min_score: i32,
    ) -> AppResult<IcpMatchRun> {
        let req = super::member(ctx)?;
        if !(0..=100).contains(&min_score) {
            return Err(crate::error::AppError::bad_field("minScore", "minScore must be between 0 and 100"));
        }
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        let row = load_icp(&*tx, ws, id).await?;
        let prepared = LoadedIcp::new(row).prepared.ok_or_else(|| {
            crate::error::AppError::bad_field("id", "the ICP's stored criteria no longer validate")
        })?;
        let run = crate::store::matching::match_icp(&*tx, ws, id, &prepared, min_score).await?;
        Ok(IcpMatchRun {
            processed: run.processed as i64,
            matched: run.matched as i64,
            cleared: run.cleared as i64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::plain::PlainFields;

    #[test]
    fn a_match_writes_its_plain_fields_as_their_values_are_written() {
        for score in [0, 1, 39, 40, 69, 70, 99, 100] {
            let m = IcpMatch::without_breakdown(score);
            for name in ["score", "tier"] {
                let mut written = Vec::new();
                assert!(m.write_plain_field(name, &mut written));
                let mut expected = Vec::new();
                crate::response_json::write_value(&mut expected, &m.plain_field(name).unwrap());
                assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(expected).unwrap());
            }
            assert!(!m.write_plain_field("breakdown", &mut Vec::new()));
        }
    }

    #[test]
    fn a_profile_writes_its_plain_fields_as_their_values_are_written() {
        let now = Utc::now();
        for description in [None, Some(" A \"quoted\" line\nand é".to_owned())] {
            let icp = IdealClientProfile(Arc::new(LoadedIcp::new(ideal_client_profiles::Model {
                id: Uuid::from_u128(7),
                workspace_id: Uuid::from_u128(8),
                name: "Mid-market \\ fintech".to_owned(),
                description,
                criteria: serde_json::json!({}),
                scoring_weights: serde_json::json!({}),
                is_active: true,
                created_at: now,
                updated_at: now,
            })));
            for name in ["id", "name", "description", "isActive", "createdAt", "updatedAt"] {
                let mut written = Vec::new();
                assert!(icp.write_plain_field(name, &mut written), "{name}");
                let mut expected = Vec::new();
                crate::response_json::write_value(&mut expected, &icp.plain_field(name).unwrap());
                assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(expected).unwrap());
            }
            assert!(!icp.write_plain_field("criteria", &mut Vec::new()));
        }
    }
}
