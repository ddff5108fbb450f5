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
//! Where objects are prewritten (below) and the workspace context is
//! already loaded (a page's prefetch loads it), the computed fields
//! (`icpMatchScore`, `icpMatch`, `renderedEmail`, `renderedCallScript`,
//! `field`) and the contact's `icp` are written directly too: their work is
//! synchronous once the context is there, and a future, a field context, a
//! result object and its drop per field of each contact cost about as much
//! as the work.
//!
//! Where the response is written by `response_json` and no value of the
//! request will be merged with another (`RequestContext::prewrite`), the
//! contact's object is handed back already written as JSON: its plain
//! values go straight from the row into the response's bytes, and the
//! strings, maps and drops of a value tree that would only have been
//! written once are never made (about half of a page's instructions).
//!
//! The schema of `Contact` stays the derived one (`ContactObject` in the
//! parent module); `a_contact_resolves_alike_with_and_without_fragments`
//! checks every plain field of that schema against the engine's path.

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ScalarType, ServerResult, Value};
use chrono::{DateTime, Utc};
use entity::contacts::Model;
use uuid::Uuid;

use super::{Contact, ContactObject};
use crate::graphql::RequestContext;
use crate::graphql::icp::{IcpMatch, IdealClientProfile};
use crate::graphql::keys;
use crate::graphql::loaders::WorkspaceContext;
use crate::graphql::plain::write_selection;
use crate::graphql::scalars::{push_timestamp, push_uuid, timestamp_text, uuid_text};
use crate::graphql::templates::{TemplateKind, render_in, variables_object};
use crate::response_json::{write_str, write_value};

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
        self.resolve_with(ctx, None).await
    }
}

impl Contact {
    /// [`OutputType::resolve`], given the arguments of the selection's
    /// computed fields where a page has read them once for all its contacts.
    async fn resolve_with(
        &self,
        ctx: &ContextSelectionSet<'_>,
        page_args: Option<&[Option<Args>]>,
    ) -> ServerResult<Value> {
        let object = ContactObject::new(self.0.clone());
        let items = &ctx.item.node.items;
        let simple =
            items.iter().all(|s| matches!(&s.node, Selection::Field(f) if f.node.directives.is_empty()));
        if !simple {
            return resolve_container(ctx, &object).await;
        }
        let model = &*self.0;
        let fields = || {
            items.iter().map(|item| match &item.node {
                Selection::Field(field) => field,
                _ => unreachable!("checked above"),
            })
        };
        let req = ctx.data_opt::<RequestContext>();
        let prewrite = req.is_some_and(|r| r.prewrite);
        // Where the object is prewritten and the workspace context is
        // loaded (a page's prefetch loads it), computed fields are written
        // here too, each into `computed` at its range in `computed_at`
        // (empty when no field is computed here).
        let context = req.filter(|_| prewrite).and_then(|r| r.loaders.loaded_context());
        let own_args: Vec<Option<Args>>;
        let args = match (context, page_args) {
            (None, _) => &[][..],
            (Some(_), Some(args)) => args,
            (Some(_), None) => {
                own_args = Args::of_selection(ctx, fields());
                &own_args[..]
            }
        };
        let mut computed = Vec::new();
        let computed_at: Vec<Option<std::ops::Range<usize>>> = match context {
            Some(context) if !args.is_empty() => {
                computed.reserve(1024);
                args.iter()
                    .zip(fields())
                    .map(|(args, field)| {
                        let start = computed.len();
                        computed_field(&object, args.as_ref()?, &field.node, context, &mut computed)
                            .then_some(start..computed.len())
                    })
                    .collect()
            }
            // (no field computed here: none, without an allocation)
            _ => Vec::new(),
        };
        // The other fields that are not plain values run their resolvers,
        // concurrently; the plain ones are written in place below.
        let pending: Vec<_> = fields()
            .enumerate()
            .filter(|(i, field)| {
                computed_at.get(*i).is_none_or(Option::is_none)
                    && direct_field(model, field.node.name.node.as_str(), Probe).is_none()
            })
            .map(|(_, field)| {
                let ctx_field = ctx.with_field(field);
                let object = &object;
                // Boxed: the derived resolver's future is ~3.4 KB, and
                // `join_all` would otherwise move each one twice more.
                Box::pin(async move { object.resolve_field(&ctx_field).await })
            })
            .collect();
        let mut resolved =
            if pending.is_empty() { Vec::new() } else { futures_util::future::join_all(pending).await }
                .into_iter();
        // A field whose resolver failed is left out, as the engine does.
        let mut next_resolved = || match resolved.next().expect("one result per pending field") {
            Ok(v) => Some(v.unwrap_or_default()),
            Err(e) => {
                ctx.add_error(e);
                None
            }
        };
        let response_keys = fields().map(|field| &field.node.response_key().node);
        let keys = match req {
            Some(req) => req.selection_keys.get(ctx.item, response_keys),
            None => Arc::new(keys::Keys::of(response_keys)),
        };
        if prewrite {
            // The object's JSON, written here (see `RequestContext::prewrite`).
            let mut out = Vec::with_capacity(32 + 48 * items.len() + computed.len());
            let written = write_object(&mut out, model, fields(), &keys, |i, out| match computed_at.get(i) {
                Some(Some(at)) => {
                    out.extend_from_slice(&computed[at.clone()]);
                    true
                }
                _ => next_resolved().map(|v| write_value(out, &v)).is_some(),
            });
            if !written {
                return Ok(Value::Null);
            }
            return Ok(Value::Binary(out.into()));
        }
        let mut map = keys::object(items.len());
        for (field, hash) in fields().zip(keys.hashes.iter()) {
            let value = match direct_field(model, field.node.name.node.as_str(), MakeValue) {
                Some(v) => v,
                None => match next_resolved() {
                    Some(v) => v,
                    None => continue,
                },
            };
            keys::insert(&mut map, &field.node.response_key().node, *hash, value);
        }
        Ok(if map.is_empty() { Value::Null } else { Value::Object(map) })
    }
}

/// Appends the JSON object of `model` for `fields` (a selection without
/// fragments or directives) with their `keys`; `other(i, out)` writes the
/// value of the `i`th field where it is not a plain one (false: the field
/// failed, and is left out as the engine leaves it out). False, with
/// nothing written, when no field was written.
fn write_object<'f>(
    out: &mut Vec<u8>,
    model: &Model,
    fields: impl Iterator<Item = &'f Positioned<Field>>,
    keys: &keys::Keys,
    mut other: impl FnMut(usize, &mut Vec<u8>) -> bool,
) -> bool {
    let start = out.len();
    out.push(b'{');
    for (i, field) in fields.enumerate() {
        let mark = out.len();
        if mark > start + 1 {
            out.push(b',');
        }
        out.extend_from_slice(keys.json(i));
        if direct_field(model, field.node.name.node.as_str(), Json(out)).is_none() && !other(i, out) {
            out.truncate(mark);
        }
    }
    if out.len() == start + 1 {
        out.truncate(start);
        return false;
    }
    out.push(b'}');
    true
}

/// The arguments of a computed field that can be written without its
/// resolver (see [`computed_field`]), read once per selection.
pub(super) enum Args {
    /// `icpMatchScore(icpId)` or `icpMatch(icpId)`.
    Icp(Option<Uuid>),
    /// `renderedEmail` or `renderedCallScript` (`templateId`, `variables`),
    /// and whether the selection shows more than the texts and `complete`
    /// (the lists of names, made only then).
    Render(TemplateKind, Option<Uuid>, Option<serde_json::Map<String, serde_json::Value>>, bool),
    /// `field(name)`.
    Field(String),
    /// `icp`: the contact's ICP, from the workspace context.
    IcpRelation,
}

impl Args {
    /// The arguments of each of `fields` (in order), or none at all when no
    /// field of them is computed here.
    fn of_selection<'f>(
        ctx: &ContextSelectionSet<'_>,
        fields: impl Iterator<Item = &'f Positioned<Field>>,
    ) -> Vec<Option<Args>> {
        let args: Vec<Option<Args>> = fields.map(|f| Args::of(ctx, f)).collect();
        if args.iter().any(Option::is_some) { args } else { Vec::new() }
    }

    /// The arguments of `field`, `None` for a field that is not computed
    /// here or whose arguments its resolver would refuse (it then speaks).
    fn of(ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> Option<Args> {
        let name = field.node.name.node.as_str();
        if !matches!(
            name,
            "icpMatchScore" | "icpMatch" | "field" | "renderedEmail" | "renderedCallScript" | "icp"
        ) {
            return None;
        }
        if name == "icp" {
            return Some(Args::IcpRelation);
        }
        let ctx = ctx.with_field(field);
        let uuid = |argument| ctx.param_value::<Option<Uuid>>(argument, None).ok().map(|(_, id)| id);
        Some(match name {
            "icpMatchScore" | "icpMatch" => Args::Icp(uuid("icpId")?),
            "field" => Args::Field(ctx.param_value::<String>("name", None).ok()?.1),
            _ => {
                let kind = if name == "renderedEmail" { TemplateKind::Email } else { TemplateKind::Call };
                let (_, variables) = ctx
                    .param_value::<Option<async_graphql::Json<serde_json::Value>>>("variables", None)
                    .ok()?;
                let lists = field.node.selection_set.node.items.iter().any(|item| {
                    !matches!(&item.node, Selection::Field(f)
                        if matches!(f.node.name.node.as_str(), "subject" | "body" | "complete" | "__typename"))
                });
                let variables = variables_object(variables.map(|v| v.0)).ok()?;
                Args::Render(kind, uuid("templateId")?, variables, lists)
            }
        })
    }
}

/// Appends the value of a computed field of `object` (`icpMatchScore`,
/// `icpMatch`, `renderedEmail`, `renderedCallScript`, `field`, `icp`) with its
/// `args`, computed with the workspace `context` at hand, without the
/// field's future, context and value tree: what its resolver gives, as
/// `response_json` writes it (`a_contact_resolves_alike_with_and_without_fragments`
/// compares the two). False, with nothing written, wherever the resolver
/// must speak: an unknown `name`, a sub-selection that is not plain.
fn computed_field(
    object: &ContactObject,
    args: &Args,
    field: &Field,
    context: &WorkspaceContext,
    out: &mut Vec<u8>,
) -> bool {
    match args {
        Args::Icp(icp_id) if field.name.node == "icpMatchScore" => {
            match object.icp_match_score_in(context, *icp_id) {
                Some(score) => Json(out).int(score.into()),
                None => Json(out).null(),
            }
            true
        }
        Args::Icp(icp_id) => {
            // A plain selection of `icpMatch` reads its score and tier only.
            let summary = object.icp_match_score_in(context, *icp_id).map(IcpMatch::without_breakdown);
            write_selection(out, field, summary.as_ref())
        }
        Args::Field(name) => {
            let Ok(value) = object.field_in(context, name) else { return false };
            match value {
                Some(v) => write_value(out, &async_graphql::to_value(&v).unwrap_or_default()),
                None => Json(out).null(),
            }
            true
        }
        Args::Render(kind, template_id, variables, lists) => {
            let rendered = render_in(context, &object.0, *kind, *template_id, variables.as_ref(), *lists);
            write_selection(out, field, rendered.as_ref())
        }
        Args::IcpRelation => {
            // As `ContactObject::icp`: null without an id, or for an id the
            // workspace has no ICP of.
            let icp = object.0.icp_id.and_then(|id| context.icp(id)).map(IdealClientProfile);
            write_selection(out, field, icp.as_ref())
        }
    }
}

/// The contacts of a page (`[Contact!]!`). Where objects are prewritten
/// (`RequestContext::prewrite`) and the selection is plain, the list is
/// written as one piece of JSON: a contact whose selected fields are all
/// plain values, relations without an id, or fields computed from the loaded
/// workspace context (`icp` among them) is written here, straight from its
/// row, without a future, a context or an object of its own; only the
/// others resolve (a relation to load, a computed field whose resolver must
/// speak), concurrently, so that their DataLoaders batch as before, and take
/// their place in the list. Elsewhere it is the engine's list of
/// [`Contact`]s.
pub struct ContactList(pub Vec<Arc<Model>>);

impl OutputType for ContactList {
    fn type_name() -> Cow<'static, str> {
        <Vec<Contact> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<Contact> as OutputType>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        let items = &ctx.item.node.items;
        let fields: Option<Vec<&Positioned<Field>>> = items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) if f.node.directives.is_empty() => Some(f),
                _ => None,
            })
            .collect();
        let (Some(req), Some(fields)) = (ctx.data_opt::<RequestContext>().filter(|r| r.prewrite), fields)
        else {
            let list: Vec<Contact> = self.0.iter().map(|m| Contact(m.clone())).collect();
            return list.resolve(ctx, field).await;
        };
        let keys = req.selection_keys.get(ctx.item, fields.iter().map(|f| &f.node.response_key().node));
        let Some(first) = self.0.first() else { return Ok(Value::List(Vec::new())) };
        // The computed fields' arguments, read once for the page, where the
        // workspace context is loaded (the page's prefetch loads it).
        let context = req.loaders.loaded_context();
        let args = context.map(|_| Args::of_selection(ctx, fields.iter().copied()));
        let args = args.as_deref();
        let computed = |f: usize| args.and_then(|a| a.get(f)).is_some_and(Option::is_some);
        // Whether a field is plain depends on the row only for a relation
        // (null without an id); any other field is plain for every row or
        // none, and so is whether it is computed here.
        let relation = |name: &str| relation_id(first, name).is_some();
        let names = || fields.iter().map(|f| f.node.name.node.as_str());
        let plain_rows = names()
            .enumerate()
            .all(|(f, n)| computed(f) || relation(n) || direct_field(first, n, Probe).is_some());
        let uncomputed_relations: Vec<&str> =
            names().enumerate().filter(|&(f, n)| !computed(f) && relation(n)).map(|(_, n)| n).collect();
        // Each contact that can be is written here, into `out` at its range;
        // the others (a relation to load, a computed field whose resolver
        // must speak) resolve below, concurrently.
        let mut out = Vec::with_capacity(2 + self.0.len() * (32 + 48 * fields.len()));
        out.push(b'[');
        let mut written: Vec<Option<std::ops::Range<usize>>> = Vec::with_capacity(self.0.len());
        for m in &self.0 {
            let direct =
                plain_rows && uncomputed_relations.iter().all(|n| direct_field(m, n, Probe).is_some());
            if !direct {
                written.push(None);
                continue;
            }
            let comma = out.len() > 1;
            if comma {
                out.push(b',');
            }
            let start = out.len();
            let object = args.filter(|a| !a.is_empty()).map(|_| ContactObject::new(m.clone()));
            let mut refused = false;
            write_object(&mut out, m, fields.iter().copied(), &keys, |f, out| {
                let computed = match (&object, args.and_then(|a| a.get(f)), context) {
                    (Some(object), Some(Some(a)), Some(context)) if !refused => {
                        computed_field(object, a, &fields[f].node, context, out)
                    }
                    _ => false,
                };
                refused |= !computed;
                computed
            });
            if refused {
                out.truncate(start - usize::from(comma));
                written.push(None);
            } else {
                written.push(Some(start..out.len()));
            }
        }
        out.push(b']');
        if written.iter().all(Option::is_some) {
            return Ok(Value::Binary(out.into()));
        }
        let pending: Vec<_> = self
            .0
            .iter()
            .zip(&written)
            .enumerate()
            .filter(|(_, (_, w))| w.is_none())
            .map(|(i, (m, _))| {
                let contact = Contact(m.clone());
                let ctx_item = ctx.with_index(i);
                Box::pin(async move { contact.resolve_with(&ctx_item, args).await })
            })
            .collect();
        let mut resolved = futures_util::future::join_all(pending).await.into_iter();
        let mut list = Vec::with_capacity(out.len() + 1024 * (self.0.len() - written.len()));
        list.push(b'[');
        for (i, w) in written.iter().enumerate() {
            if i > 0 {
                list.push(b',');
            }
            match w {
                Some(at) => list.extend_from_slice(&out[at.clone()]),
                None => write_value(&mut list, &resolved.next().expect("one result per resolved contact")?),
            }
        }
        list.push(b']');
        Ok(Value::Binary(list.into()))
    }
}

/// Where a plain field's value goes: into a `Value` ([`MakeValue`], the
/// engine's way), straight into the object's JSON ([`Json`]), or nowhere
/// ([`Probe`]: only whether the field is a plain one). One mapping of names
/// to columns ([`plain_field`]) serves all three.
trait Sink: Sized {
    type Out;
    fn null(self) -> Self::Out;
    fn text(self, s: &str) -> Self::Out;
    fn uuid(self, id: &Uuid) -> Self::Out;
    fn time(self, t: &DateTime<Utc>) -> Self::Out;
    fn int(self, n: i64) -> Self::Out;
    fn texts(self, items: &[String]) -> Self::Out;
    /// Any other scalar, as its `ScalarType` gives it.
    fn scalar<T: ScalarType>(self, v: &T) -> Self::Out;
}

/// Makes the field's `Value`, as its derived resolver would.
struct MakeValue;

impl Sink for MakeValue {
    type Out = Value;
    fn null(self) -> Value {
        Value::Null
    }
    fn text(self, s: &str) -> Value {
        Value::String(s.to_owned())
    }
    fn uuid(self, id: &Uuid) -> Value {
        Value::String(uuid_text(id))
    }
    fn time(self, t: &DateTime<Utc>) -> Value {
        Value::String(timestamp_text(t))
    }
    fn int(self, n: i64) -> Value {
        Value::Number(n.into())
    }
    fn texts(self, items: &[String]) -> Value {
        Value::List(items.iter().map(|t| Value::String(t.clone())).collect())
    }
    fn scalar<T: ScalarType>(self, v: &T) -> Value {
        v.to_value()
    }
}

/// Appends the field's JSON: what `response_json` writes for its `Value`.
struct Json<'a>(&'a mut Vec<u8>);

impl Sink for Json<'_> {
    type Out = ();
    fn null(self) {
        self.0.extend_from_slice(b"null");
    }
    fn text(self, s: &str) {
        write_str(self.0, s);
    }
    fn uuid(self, id: &Uuid) {
        self.0.push(b'"');
        push_uuid(self.0, id);
        self.0.push(b'"');
    }
    fn time(self, t: &DateTime<Utc>) {
        self.0.push(b'"');
        push_timestamp(self.0, t);
        self.0.push(b'"');
    }
    fn int(self, n: i64) {
        self.0.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }
    fn texts(self, items: &[String]) {
        self.0.push(b'[');
        for (i, t) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            write_str(self.0, t);
        }
        self.0.push(b']');
    }
    fn scalar<T: ScalarType>(self, v: &T) {
        write_value(self.0, &v.to_value());
    }
}

/// Gives nothing: whether a field is a plain one.
struct Probe;

impl Sink for Probe {
    type Out = ();
    fn null(self) {}
    fn text(self, _: &str) {}
    fn uuid(self, _: &Uuid) {}
    fn time(self, _: &DateTime<Utc>) {}
    fn int(self, _: i64) {}
    fn texts(self, _: &[String]) {}
    fn scalar<T: ScalarType>(self, _: &T) {}
}

/// A field the contact gives without a resolver: a plain column, the type's
/// name, or a relation without an id (null whatever it selects: most
/// contacts of a page have no ICP). `None` for every other field.
fn direct_field<S: Sink>(m: &Model, name: &str, sink: S) -> Option<S::Out> {
    match name {
        "__typename" => Some(sink.text(&Contact::type_name())),
        _ => match relation_id(m, name) {
            Some(None) => Some(sink.null()),
            Some(Some(_)) => None,
            None => plain_field(m, name, sink),
        },
    }
}

/// The id a relation field (`icp`, `campaign`) loads by, `None` when the
/// field is not a relation: the only fields whose being plain depends on
/// the row.
fn relation_id(m: &Model, name: &str) -> Option<Option<Uuid>> {
    match name {
        "icp" => Some(m.icp_id),
        "campaign" => Some(m.campaign_id),
        _ => None,
    }
}

/// The value of a plain column field by its GraphQL name, as its derived
/// resolver gives it; `None` for every other field.
fn plain_field<S: Sink>(m: &Model, name: &str, s: S) -> Option<S::Out> {
    fn text<S: Sink>(s: S, v: &Option<String>) -> S::Out {
        match v {
            Some(v) => s.text(v),
            None => s.null(),
        }
    }
    fn uuid<S: Sink>(s: S, v: &Option<Uuid>) -> S::Out {
        match v {
            Some(v) => s.uuid(v),
            None => s.null(),
        }
    }
    fn time<S: Sink>(s: S, v: &Option<DateTime<Utc>>) -> S::Out {
        match v {
            Some(v) => s.time(v),
            None => s.null(),
        }
    }
    fn int<S: Sink>(s: S, v: Option<impl Into<i64>>) -> S::Out {
        match v {
            Some(v) => s.int(v.into()),
            None => s.null(),
        }
    }
    Some(match name {
        "id" => s.uuid(&m.id),
        "userId" => uuid(s, &m.user_id),
        "email" => text(s, &m.email),
        "firstName" => text(s, &m.first_name),
        "lastName" => text(s, &m.last_name),
        "company" => text(s, &m.company),
        "jobTitle" => text(s, &m.job_title),
        "phone" => text(s, &m.phone),
        "linkedinUrl" => text(s, &m.linkedin_url),
        "website" => text(s, &m.website),
        "vertical" => text(s, &m.vertical),
        "personaType" => text(s, &m.persona_type),
        "annualRevenue" => int(s, m.annual_revenue),
        "enrichmentStatus" => s.text(&m.enrichment_status),
        "enrichedAt" => time(s, &m.enriched_at),
        "lifecycleStage" => text(s, &m.lifecycle_stage),
        "leadStatus" => text(s, &m.lead_status),
        "pipelineStage" => text(s, &m.pipeline_stage),
        "externalId" => text(s, &m.external_id),
        "hubspotId" => text(s, &m.hubspot_id),
        "createdAt" => s.time(&m.created_at),
        "updatedAt" => s.time(&m.updated_at),
        "enrichmentCompanyName" => text(s, &m.enrichment_company_name),
        "enrichmentCompanyRevenue" => int(s, m.enrichment_company_revenue),
        "enrichmentCompanyEmployees" => int(s, m.enrichment_company_employees),
        "enrichmentCompanyIndustry" => text(s, &m.enrichment_company_industry),
        "enrichmentCompanyGrowthYoy" => match &m.enrichment_company_growth_yoy {
            Some(v) => s.scalar(v),
            None => s.null(),
        },
        "enrichmentPersonTitle" => text(s, &m.enrichment_person_title),
        "enrichmentPersonBackground" => text(s, &m.enrichment_person_background),
        "enrichmentLastEnrichedAt" => time(s, &m.enrichment_last_enriched_at),
        "enrichmentDataQualityScore" => s.int(m.enrichment_data_quality_score.into()),
        "kernelWhoPersona" => text(s, &m.kernel_who_persona),
        "kernelWhoInfluence" => text(s, &m.kernel_who_influence),
        "kernelWhenUrgency" => text(s, &m.kernel_when_urgency),
        "kernelWhenTimingSignal" => text(s, &m.kernel_when_timing_signal),
        "kernelWhatHook" => text(s, &m.kernel_what_hook),
        "bestCallVariantNumber" => int(s, m.best_call_variant_number),
        "emailSubject" => text(s, &m.email_subject),
        "emailBodyPreview" => text(s, &m.email_body_preview),
        "assignedProduct" => text(s, &m.assigned_product),
        "icpId" => uuid(s, &m.icp_id),
        "storedIcpMatchScore" => int(s, m.icp_match_score),
        "campaignId" => uuid(s, &m.campaign_id),
        "emailSendId" => text(s, &m.email_send_id),
        "source" => text(s, &m.source),
        "tags" => s.texts(&m.tags.0),
        "notes" => text(s, &m.notes),
        "fullName" => match super::full_name(m) {
            Some(name) => s.text(&name),
            None => s.null(),
        },
        _ => return None,
    })
}
