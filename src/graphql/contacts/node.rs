//! How a `Contact` resolves. The engine's own object resolution makes a boxed
//! future, a field context and a name lookup through the type's ~60 fields
//! for every selected field of every contact; for the plain columns of a page
//! (50 contacts × a dozen fields) that bookkeeping cost more than the values.
//! Here plain columns are written straight into the contact's object, and
//! every other field (relations, computed fields, JSON columns) still goes
//! through the derived resolvers, concurrently as before, so DataLoaders
//! batch across the page as they did. A selection with fragments or
//! directives takes the engine's path whole.
//!
//! The schema of `Contact` stays the derived one (`ContactObject` in the
//! parent module); `a_contact_resolves_alike_with_and_without_fragments`
//! checks every plain field of that schema against the engine's path.

use std::borrow::Cow;

use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ScalarType, ServerResult, Value};
use entity::contacts::Model;

use super::{Contact, ContactObject};
use crate::graphql::RequestContext;
use crate::graphql::keys;
use crate::graphql::scalars::BigInt;

impl OutputType for Contact {
    fn type_name() -> Cow<'static, str> {
        ContactObject::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        ContactObject::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let object = ContactObject::new(self.0.clone());
        let items = &ctx.item.node.items;
        let simple =
            items.iter().all(|s| matches!(&s.node, Selection::Field(f) if f.node.directives.is_empty()));
        if !simple {
            return resolve_container(ctx, &object).await;
        }
        // Response keys in selection order, each with its value or a
        // pending resolver; the resolvers run concurrently.
        let mut slots: Vec<(&Name, Option<Value>)> = Vec::with_capacity(items.len());
        let mut pending = Vec::with_capacity(items.len());
        for item in items {
            let Selection::Field(field) = &item.node else { unreachable!("checked above") };
            let name = field.node.name.node.as_str();
            let value = match name {
                "__typename" => Some(Value::String(Self::type_name().into_owned())),
                // A relation without an id is null whatever it selects: no
                // resolver to run (most contacts of a page have no ICP).
                "icp" if self.0.icp_id.is_none() => Some(Value::Null),
                "campaign" if self.0.campaign_id.is_none() => Some(Value::Null),
                _ => plain_field(&self.0, name),
            };
            if value.is_none() {
                let ctx_field = ctx.with_field(field);
                let object = &object;
                // Boxed: the derived resolver's future is ~3.4 KB, and
                // `join_all` would otherwise move each one twice more.
                pending.push(Box::pin(async move { object.resolve_field(&ctx_field).await }));
            }
            slots.push((&field.node.response_key().node, value));
        }
        let mut resolved = futures_util::future::join_all(pending).await.into_iter();
        let keys = slots.iter().map(|(key, _)| *key);
        let hashes = match ctx.data_opt::<RequestContext>() {
            Some(req) => req.key_hashes.get(ctx.item, keys),
            None => keys.map(keys::hash).collect(),
        };
        let mut map = keys::object(slots.len());
        for ((key, value), hash) in slots.into_iter().zip(hashes.iter()) {
            let value = match value {
                Some(v) => v,
                None => match resolved.next().expect("one result per pending field") {
                    Ok(v) => v.unwrap_or_default(),
                    Err(e) => {
                        ctx.add_error(e);
                        continue;
                    }
                },
            };
            keys::insert(&mut map, key, *hash, value);
        }
        Ok(if map.is_empty() { Value::Null } else { Value::Object(map) })
    }
}

/// The value of a plain column field by its GraphQL name, as its derived
/// resolver gives it; `None` for every other field.
fn plain_field(m: &Model, name: &str) -> Option<Value> {
    fn scalar<T: ScalarType>(v: &T) -> Value {
        v.to_value()
    }
    fn optional<T: ScalarType>(v: &Option<T>) -> Value {
        v.as_ref().map_or(Value::Null, ScalarType::to_value)
    }
    Some(match name {
        "id" => scalar(&m.id),
        "userId" => optional(&m.user_id),
        "email" => optional(&m.email),
        "firstName" => optional(&m.first_name),
        "lastName" => optional(&m.last_name),
        "company" => optional(&m.company),
        "jobTitle" => optional(&m.job_title),
        "phone" => optional(&m.phone),
        "linkedinUrl" => optional(&m.linkedin_url),
        "website" => optional(&m.website),
        "vertical" => optional(&m.vertical),
        "personaType" => optional(&m.persona_type),
        "annualRevenue" => optional(&m.annual_revenue.map(BigInt)),
        "enrichmentStatus" => scalar(&m.enrichment_status),
        "enrichedAt" => optional(&m.enriched_at),
        "lifecycleStage" => optional(&m.lifecycle_stage),
        "leadStatus" => optional(&m.lead_status),
        "pipelineStage" => optional(&m.pipeline_stage),
        "externalId" => optional(&m.external_id),
        "hubspotId" => optional(&m.hubspot_id),
        "createdAt" => scalar(&m.created_at),
        "updatedAt" => scalar(&m.updated_at),
        "enrichmentCompanyName" => optional(&m.enrichment_company_name),
        "enrichmentCompanyRevenue" => optional(&m.enrichment_company_revenue.map(BigInt)),
        "enrichmentCompanyEmployees" => optional(&m.enrichment_company_employees),
        "enrichmentCompanyIndustry" => optional(&m.enrichment_company_industry),
        "enrichmentCompanyGrowthYoy" => optional(&m.enrichment_company_growth_yoy),
        "enrichmentPersonTitle" => optional(&m.enrichment_person_title),
        "enrichmentPersonBackground" => optional(&m.enrichment_person_background),
        "enrichmentLastEnrichedAt" => optional(&m.enrichment_last_enriched_at),
        "enrichmentDataQualityScore" => scalar(&m.enrichment_data_quality_score),
        "kernelWhoPersona" => optional(&m.kernel_who_persona),
        "kernelWhoInfluence" => optional(&m.kernel_who_influence),
        "kernelWhenUrgency" => optional(&m.kernel_when_urgency),
        "kernelWhenTimingSignal" => optional(&m.kernel_when_timing_signal),
        "kernelWhatHook" => optional(&m.kernel_what_hook),
        "bestCallVariantNumber" => optional(&m.best_call_variant_number),
        "emailSubject" => optional(&m.email_subject),
        "emailBodyPreview" => optional(&m.email_body_preview),
        "assignedProduct" => optional(&m.assigned_product),
        "icpId" => optional(&m.icp_id),
        "storedIcpMatchScore" => optional(&m.icp_match_score),
        "campaignId" => optional(&m.campaign_id),
        "emailSendId" => optional(&m.email_send_id),
        "source" => optional(&m.source),
        "tags" => Value::List(m.tags.0.iter().map(|t| Value::String(t.clone())).collect()),
        "notes" => optional(&m.notes),
        "fullName" => super::full_name(m).map_or(Value::Null, Value::String),
        _ => return None,
    })
}
