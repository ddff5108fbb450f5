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

use super::{Contact, ContactObject, PageContact};
use crate::domain::fields::Resolver;
use crate::domain::icp::Met;
use crate::error::AppError;
use crate::graphql::RequestContext;
use crate::graphql::icp::{IcpMatch, IdealClientProfile};
use crate::graphql::keys;
use crate::graphql::loaders::WorkspaceContext;
use crate::graphql::plain::write_selection;
use crate::graphql::scalars::{push_micros, push_timestamp, push_uuid, timestamp_text, uuid_text};
use crate::graphql::templates::{JsonRenderer, RenderedJson, TemplateKind, renderer_in, variables_object};
use crate::response_json::{write_str, write_utf8, write_value};
use crate::store::contacts::{
    CellText as _, ContactFields, ContactView, RowFields, RowText, RowTime, TimeCell, icp_contact_of_view,
};

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
        page_args: Option<&[Option<Args<'_>>]>,
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
            (Some(context), None) => {
                own_args = Args::of_selection(ctx, fields(), context);
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
        let hashes = keys.hashes(fields().map(|field| &field.node.response_key().node));
        for (field, hash) in fields().zip(hashes) {
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

/// Appends the JSON object of `cells` (a contact's model or row) for
/// `fields` (a selection without fragments or directives) with their
/// `keys`; `other(i, out)` writes the value of the `i`th field where it is
/// not a plain one (false: the field failed, and is left out as the engine
/// leaves it out). False, with nothing written, when no field was written.
fn write_object<'f, C: Cells>(
    out: &mut Vec<u8>,
    cells: &C,
    fields: impl Iterator<Item = &'f Positioned<Field>>,
    keys: &keys::Keys,
    other: impl FnMut(usize, &mut Vec<u8>) -> bool,
) -> bool {
    write_object_with(out, cells, fields, keys, &[], other)
}

/// [`write_object`], with the `writers` of the fields' plain columns picked
/// for a page of rows (by field; none for a field that is not a plain column).
fn write_object_with<'f, C: Cells>(
    out: &mut Vec<u8>,
    cells: &C,
    fields: impl Iterator<Item = &'f Positioned<Field>>,
    keys: &keys::Keys,
    writers: &[Option<ViewWriter>],
    mut other: impl FnMut(usize, &mut Vec<u8>) -> bool,
) -> bool {
    let start = out.len();
    out.push(b'{');
    for (i, field) in fields.enumerate() {
        let mark = out.len();
        keys.put(i, out, mark > start + 1);
        if let (Some(Some(write)), Some(view)) = (writers.get(i), cells.view()) {
            write(view, out);
        } else if direct_field(cells, field.node.name.node.as_str(), Json(out)).is_none() && !other(i, out) {
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
pub(super) enum Args<'c> {
    /// `icpMatchScore(icpId)` or `icpMatch(icpId)`.
    Icp(Option<Uuid>),
    /// `renderedEmail` or `renderedCallScript`: the renderer of its template
    /// (`templateId` or the default one, with `variables`; none when there is
    /// no such template).
    Render(Option<JsonRenderer<'c>>),
    /// `field(name)`, a known name.
    Field(Resolver<'c>),
    /// `icp`: the contact's ICP, from the workspace context.
    IcpRelation,
}

impl<'c> Args<'c> {
    /// The arguments of each of `fields` (in order) in the workspace
    /// `context`, or none at all when no field of them is computed here.
    fn of_selection<'f>(
        ctx: &ContextSelectionSet<'_>,
        fields: impl Iterator<Item = &'f Positioned<Field>>,
        context: &'c WorkspaceContext,
    ) -> Vec<Option<Args<'c>>> {
        let args: Vec<Option<Args>> = fields.map(|f| Args::of(ctx, f, context)).collect();
        if args.iter().any(Option::is_some) { args } else { Vec::new() }
    }

    /// The arguments of `field`, `None` for a field that is not computed
    /// here or whose arguments its resolver would refuse (it then speaks).
    fn of(
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
        context: &'c WorkspaceContext,
    ) -> Option<Args<'c>> {
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
            "field" => {
                let name = ctx.param_value::<String>("name", None).ok()?.1;
                Args::Field(Resolver::new(&name, &context.fields.definitions).ok()?)
            }
            _ => {
                let kind = if name == "renderedEmail" { TemplateKind::Email } else { TemplateKind::Call };
                let (_, variables) = ctx
                    .param_value::<Option<async_graphql::Json<serde_json::Value>>>("variables", None)
                    .ok()?;
                let variables = variables_object(variables.map(|v| v.0)).ok()?;
                let renderer = renderer_in(context, kind, uuid("templateId")?, variables.as_ref());
                Args::Render(renderer.map(JsonRenderer::new))
            }
        })
    }
}

/// A contact as the computed fields written here read it: decoded
/// ([`ContactObject`]), or a page's row with its JSON columns ([`RowContact`]).
trait Subject {
    /// The contact's own ICP's id.
    fn icp_id(&self) -> Option<Uuid>;
    /// `icpMatchScore(icpId)` in the workspace `context`.
    fn icp_score(&self, context: &WorkspaceContext, icp_id: Option<Uuid>) -> Option<i32>;
    /// `field(name)`, its name looked up.
    fn field(&self, resolver: &Resolver<'_>) -> Option<serde_json::Value>;
    /// A template rendered for the contact.
    fn render<'r, 'a>(&self, renderer: &'r JsonRenderer<'a>) -> RenderedJson<'r, 'a, '_>;
}

impl Subject for ContactObject {
    fn icp_id(&self) -> Option<Uuid> {
        self.0.icp_id
    }
    fn icp_score(&self, context: &WorkspaceContext, icp_id: Option<Uuid>) -> Option<i32> {
        self.icp_match_score_in(context, icp_id)
    }
    fn field(&self, resolver: &Resolver<'_>) -> Option<serde_json::Value> {
        resolver.value(&ContactFields(&self.0))
    }
    fn render<'r, 'a>(&self, renderer: &'r JsonRenderer<'a>) -> RenderedJson<'r, 'a, '_> {
        renderer.render(&ContactFields(&self.0)).into_owned()
    }
}

/// A page's contact read from its row and the JSON columns the page kept
/// beside it, without a [`Model`]: what its computed fields read of it
/// (`RowFields`), and the criteria it met of the last ICP scored (as
/// `ContactObject` remembers them for `icpMatchScore` and `icpMatch` alike).
struct RowContact<'v, 'r> {
    fields: RowFields<'v, 'r>,
    met: std::cell::Cell<Option<(Uuid, Met)>>,
}

impl Subject for RowContact<'_, '_> {
    fn icp_id(&self) -> Option<Uuid> {
        self.fields.0.icp_id
    }
    fn icp_score(&self, context: &WorkspaceContext, icp_id: Option<Uuid>) -> Option<i32> {
        let view = self.fields.0;
        let icp = context.icp_ref(icp_id.or(view.icp_id)?)?;
        let mut last = self.met.get();
        let met = super::met_of(icp, &mut last, || icp_contact_of_view(view));
        self.met.set(last);
        met.map(|(p, met)| p.score_of(met))
    }
    fn field(&self, resolver: &Resolver<'_>) -> Option<serde_json::Value> {
        resolver.value(&self.fields)
    }
    fn render<'r, 'a>(&self, renderer: &'r JsonRenderer<'a>) -> RenderedJson<'r, 'a, '_> {
        renderer.render(&self.fields)
    }
}

/// Appends the value of a computed field of `contact` (`icpMatchScore`,
/// `icpMatch`, `renderedEmail`, `renderedCallScript`, `field`, `icp`) with its
/// `args`, computed with the workspace `context` at hand, without the
/// field's future, context and value tree: what its resolver gives, as
/// `response_json` writes it (`a_contact_resolves_alike_with_and_without_fragments`
/// compares the two). False, with nothing written, wherever the resolver
/// must speak: an unknown `name`, a sub-selection that is not plain.
fn computed_field(
    contact: &dyn Subject,
    args: &Args,
    field: &Field,
    context: &WorkspaceContext,
    out: &mut Vec<u8>,
) -> bool {
    match args {
        Args::Icp(icp_id) if field.name.node == "icpMatchScore" => {
            match contact.icp_score(context, *icp_id) {
                Some(score) => Json(out).int(score.into()),
                None => Json(out).null(),
            }
            true
        }
        Args::Icp(icp_id) => {
            // A plain selection of `icpMatch` reads its score and tier only.
            let summary = contact.icp_score(context, *icp_id).map(IcpMatch::without_breakdown);
            write_selection(out, field, summary.as_ref())
        }
        Args::Field(resolver) => {
            match contact.field(resolver) {
                Some(v) => crate::response_json::write_json(out, &v),
                None => Json(out).null(),
            }
            true
        }
        Args::Render(renderer) => {
            let rendered = renderer.as_ref().map(|r| contact.render(r));
            write_selection(out, field, rendered.as_ref())
        }
        Args::IcpRelation => write_icp(out, field, contact.icp_id(), context),
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
pub struct ContactList(pub Arc<Vec<PageContact>>);

impl OutputType for ContactList {
    fn type_name() -> Cow<'static, str> {
        <Vec<Contact> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<Contact> as OutputType>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        let model = |c| model_of(c, field.pos);
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
            let list =
                self.0.iter().map(|c| Ok(Contact(model(c)?.clone()))).collect::<ServerResult<Vec<_>>>()?;
            return list.resolve(ctx, field).await;
        };
        if self.0.is_empty() {
            return Ok(Value::List(Vec::new()));
        }
        let keys = req.selection_keys.get(ctx.item, fields.iter().map(|f| &f.node.response_key().node));
        // The computed fields' arguments, read once for the page, where the
        // workspace context is loaded (the page's prefetch loads it).
        let context = req.loaders.loaded_context().map(|c| &**c);
        let args = context.map(|c| Args::of_selection(ctx, fields.iter().copied(), c));
        let args = args.as_deref();
        let computed = |f: usize| args.and_then(|a| a.get(f)).is_some_and(Option::is_some);
        // Whether a field is plain depends on the row only for a relation
        // (null without an id); any other field is plain for every row or
        // none, and so is whether it is computed here.
        let none = ContactView::default();
        let relation = |name: &str| none.relation_id(name).is_some();
        let names = || fields.iter().map(|f| f.node.name.node.as_str());
        let plain_rows = names()
            .enumerate()
            .all(|(f, n)| computed(f) || relation(n) || direct_field(&none, n, Probe).is_some());
        let uncomputed_relations: Vec<&str> =
            names().enumerate().filter(|&(f, n)| !computed(f) && relation(n)).map(|(_, n)| n).collect();
        // Whether a contact may be written from its row: no field computed
        // here needs its model (`icp` reads only its id), or the page kept
        // the JSON columns its computed fields read beside its rows; its
        // plain columns are then written by writers picked here, once for
        // the page.
        let from_rows = args.is_none_or(|a| a.iter().flatten().all(|a| matches!(a, Args::IcpRelation)))
            || self.0.iter().all(|c| c.docs().is_some());
        let writers: Vec<Option<ViewWriter>> =
            if from_rows { names().map(view_writer).collect() } else { Vec::new() };
        // Each contact that can be is written here, into `out` at its range;
        // the others (a relation to load, a computed field whose resolver
        // must speak) resolve below, concurrently.
        let mut out = Vec::with_capacity(2 + self.0.len() * (32 + 48 * fields.len()));
        out.push(b'[');
        let mut written: Vec<Option<std::ops::Range<usize>>> = Vec::with_capacity(self.0.len());
        // Each row's view is read into this one, in place (the rows of a page
        // carry the same columns: see `PageContact::view_into`).
        let mut view = ContactView::default();
        for c in self.0.iter() {
            let comma = out.len() > 1;
            if comma {
                out.push(b',');
            }
            let start = out.len();
            let done = if from_rows && c.view_into(&mut view) {
                let v = &view;
                let row =
                    c.docs().map(|docs| RowContact { fields: RowFields(v, docs), met: Default::default() });
                let subject = row.as_ref().map(|r| r as &dyn Subject);
                plain_rows
                    && no_relation_to_load(v, &uncomputed_relations)
                    && write_contact(&mut out, v, subject, &fields, &keys, args, context, &writers)
            } else {
                let m = model(c)?;
                let object = args.filter(|a| !a.is_empty()).map(|_| ContactObject::new(m.clone()));
                let subject = object.as_ref().map(|o| o as &dyn Subject);
                plain_rows
                    && no_relation_to_load(&**m, &uncomputed_relations)
                    && write_contact(&mut out, &**m, subject, &fields, &keys, args, context, &[])
            };
            if done {
                written.push(Some(start..out.len()));
            } else {
                out.truncate(start - usize::from(comma));
                written.push(None);
            }
        }
        out.push(b']');
        let pending = written.iter().filter(|w| w.is_none()).count();
        if pending == 0 {
            return Ok(Value::Binary(out.into()));
        }
        let resolving: Vec<_> = self
            .0
            .iter()
            .zip(&written)
            .enumerate()
            .filter(|(_, (_, w))| w.is_none())
            .map(|(i, (c, _))| {
                let contact = model(c).map(|m| Contact(m.clone()));
                let ctx_item = ctx.with_index(i);
                Box::pin(async move { contact?.resolve_with(&ctx_item, args).await })
            })
            .collect();
        let mut resolved = futures_util::future::join_all(resolving).await.into_iter();
        let mut list = Vec::with_capacity(out.len() + 1024 * pending);
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

/// A page's contact's model, or the error of its row that does not decode.
fn model_of(c: &PageContact, pos: async_graphql::Pos) -> ServerResult<&Arc<Model>> {
    c.model().map_err(|e| async_graphql::Error::from(AppError::from(e)).into_server_error(pos))
}

/// Whether none of the `relations` (not computed here) has an id to load
/// by: each is then written as null.
fn no_relation_to_load<C: Cells>(cells: &C, relations: &[&str]) -> bool {
    relations.iter().all(|n| cells.relation_id(n) == Some(None))
}

/// Appends a contact's object for `fields` from its `cells`, computing here
/// the fields whose `args` say so with the workspace `context` (`icp` from
/// the cells' ICP id, the others through `contact`). False, with nothing
/// written, where a field cannot be written here: its resolver must speak.
#[allow(clippy::too_many_arguments)]
fn write_contact<C: Cells>(
    out: &mut Vec<u8>,
    cells: &C,
    contact: Option<&dyn Subject>,
    fields: &[&Positioned<Field>],
    keys: &keys::Keys,
    args: Option<&[Option<Args<'_>>]>,
    context: Option<&WorkspaceContext>,
    writers: &[Option<ViewWriter>],
) -> bool {
    let start = out.len();
    let icp_id = cells.relation_id("icp").flatten();
    let mut refused = false;
    write_object_with(out, cells, fields.iter().copied(), keys, writers, |f, out| {
        if refused {
            return false;
        }
        let field = &fields[f].node;
        let done = match (args.and_then(|a| a.get(f)), context) {
            (Some(Some(Args::IcpRelation)), Some(context)) => write_icp(out, field, icp_id, context),
            (Some(Some(a)), Some(context)) => {
                contact.is_some_and(|c| computed_field(c, a, field, context, out))
            }
            _ => false,
        };
        refused = !done;
        done
    });
    if refused {
        out.truncate(start);
    }
    !refused
}

/// Appends a contact's `icp` for `field`'s selection, as `ContactObject::icp`
/// gives it: null without an id, or for an id the workspace has no ICP of.
fn write_icp(out: &mut Vec<u8>, field: &Field, icp_id: Option<Uuid>, context: &WorkspaceContext) -> bool {
    let icp = icp_id.and_then(|id| context.icp_ref(id));
    crate::graphql::plain::write_selection_as::<IdealClientProfile, _>(out, field, icp)
}

/// Where a plain field's value goes: into a `Value` ([`MakeValue`], the
/// engine's way), straight into the object's JSON ([`Json`]), or nowhere
/// ([`Probe`]: only whether the field is a plain one). One mapping of names
/// to columns ([`plain_field`]) serves all three.
trait Sink: Sized {
    type Out;
    fn null(self) -> Self::Out;
    fn text(self, s: &str) -> Self::Out;
    /// A row's text cell, as [`Sink::text`] of its text.
    fn row_text(self, t: RowText<'_>) -> Self::Out;
    fn uuid(self, id: &Uuid) -> Self::Out;
    fn time<T: TimeValue>(self, t: &T) -> Self::Out;
    fn int(self, n: i64) -> Self::Out;
    fn texts<T: TextCell>(self, items: &[T]) -> Self::Out;
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
    fn row_text(self, t: RowText<'_>) -> Value {
        Value::String(t.as_str().to_owned())
    }
    fn uuid(self, id: &Uuid) -> Value {
        Value::String(uuid_text(id))
    }
    fn time<T: TimeValue>(self, t: &T) -> Value {
        Value::String(timestamp_text(&t.datetime()))
    }
    fn int(self, n: i64) -> Value {
        Value::Number(n.into())
    }
    fn texts<T: TextCell>(self, items: &[T]) -> Value {
        Value::List(items.iter().map(|t| t.give(MakeValue)).collect())
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
    fn row_text(self, t: RowText<'_>) {
        // As sent: not checked as UTF-8 again (see `RowText`).
        write_utf8(self.0, t.bytes());
    }
    fn uuid(self, id: &Uuid) {
        self.0.push(b'"');
        push_uuid(self.0, id);
        self.0.push(b'"');
    }
    fn time<T: TimeValue>(self, t: &T) {
        self.0.push(b'"');
        t.write(self.0);
        self.0.push(b'"');
    }
    fn int(self, n: i64) {
        self.0.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }
    fn texts<T: TextCell>(self, items: &[T]) {
        self.0.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            item.give(Json(self.0));
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
    fn row_text(self, _: RowText<'_>) {}
    fn uuid(self, _: &Uuid) {}
    fn time<T: TimeValue>(self, _: &T) {}
    fn int(self, _: i64) {}
    fn texts<T: TextCell>(self, _: &[T]) {}
    fn scalar<T: ScalarType>(self, _: &T) {}
}

/// A field the contact gives without a resolver: a plain column, the type's
/// name, or a relation without an id (null whatever it selects: most
/// contacts of a page have no ICP). `None` for every other field.
fn direct_field<C: Cells, S: Sink>(m: &C, name: &str, sink: S) -> Option<S::Out> {
    match name {
        "__typename" => Some(sink.text(&Contact::type_name())),
        _ => match m.relation_id(name) {
            Some(None) => Some(sink.null()),
            Some(Some(_)) => None,
            None => m.plain_field(name, sink),
        },
    }
}

/// Each plain column field by its GraphQL name, with its value as its derived
/// resolver gives it (of `m`, a contact's cells, into `s`, a [`Sink`]), handed to
/// `$then!`: one mapping of names to columns for models, rows and the
/// writers a page picks once for its fields.
macro_rules! plain_columns {
    ($then:ident) => {
        $then! {
            m, s;
            "id" => s.uuid(&m.id);
            "userId" => opt_uuid(s, &m.user_id);
            "email" => opt_text(s, &m.email);
            "firstName" => opt_text(s, &m.first_name);
            "lastName" => opt_text(s, &m.last_name);
            "company" => opt_text(s, &m.company);
            "jobTitle" => opt_text(s, &m.job_title);
            "phone" => opt_text(s, &m.phone);
            "linkedinUrl" => opt_text(s, &m.linkedin_url);
            "website" => opt_text(s, &m.website);
            "vertical" => opt_text(s, &m.vertical);
            "personaType" => opt_text(s, &m.persona_type);
            "annualRevenue" => opt_int(s, m.annual_revenue);
            "enrichmentStatus" => m.enrichment_status.give(s);
            "enrichedAt" => opt_time(s, &m.enriched_at);
            "lifecycleStage" => opt_text(s, &m.lifecycle_stage);
            "leadStatus" => opt_text(s, &m.lead_status);
            "pipelineStage" => opt_text(s, &m.pipeline_stage);
            "externalId" => opt_text(s, &m.external_id);
            "hubspotId" => opt_text(s, &m.hubspot_id);
            "createdAt" => s.time(&m.created_at);
            "updatedAt" => s.time(&m.updated_at);
            "enrichmentCompanyName" => opt_text(s, &m.enrichment_company_name);
            "enrichmentCompanyRevenue" => opt_int(s, m.enrichment_company_revenue);
            "enrichmentCompanyEmployees" => opt_int(s, m.enrichment_company_employees);
            "enrichmentCompanyIndustry" => opt_text(s, &m.enrichment_company_industry);
            "enrichmentCompanyGrowthYoy" => match &m.enrichment_company_growth_yoy {
                Some(v) => s.scalar(v),
                None => s.null(),
            };
            "enrichmentPersonTitle" => opt_text(s, &m.enrichment_person_title);
            "enrichmentPersonBackground" => opt_text(s, &m.enrichment_person_background);
            "enrichmentLastEnrichedAt" => opt_time(s, &m.enrichment_last_enriched_at);
            "enrichmentDataQualityScore" => s.int(m.enrichment_data_quality_score.into());
            "kernelWhoPersona" => opt_text(s, &m.kernel_who_persona);
            "kernelWhoInfluence" => opt_text(s, &m.kernel_who_influence);
            "kernelWhenUrgency" => opt_text(s, &m.kernel_when_urgency);
            "kernelWhenTimingSignal" => opt_text(s, &m.kernel_when_timing_signal);
            "kernelWhatHook" => opt_text(s, &m.kernel_what_hook);
            "bestCallVariantNumber" => opt_int(s, m.best_call_variant_number);
            "emailSubject" => opt_text(s, &m.email_subject);
            "emailBodyPreview" => opt_text(s, &m.email_body_preview);
            "assignedProduct" => opt_text(s, &m.assigned_product);
            "icpId" => opt_uuid(s, &m.icp_id);
            "storedIcpMatchScore" => opt_int(s, m.icp_match_score);
            "campaignId" => opt_uuid(s, &m.campaign_id);
            "emailSendId" => opt_text(s, &m.email_send_id);
            "source" => opt_text(s, &m.source);
            "tags" => s.texts(&m.tags.0);
            "notes" => opt_text(s, &m.notes);
            "fullName" => match super::full_name_of(m.first_name.cell_text(), m.last_name.cell_text()) {
                Some(name) => s.text(&name),
                None => s.null(),
            };
        }
    };
}

fn opt_text<S: Sink, T: TextCell>(s: S, v: &Option<T>) -> S::Out {
    match v {
        Some(v) => v.give(s),
        None => s.null(),
    }
}

/// A time column's value: a model's `DateTime`, or a row's [`RowTime`].
trait TimeValue: TimeCell {
    /// Appends it as the `DateTime` scalar writes it.
    fn write(&self, out: &mut Vec<u8>);
}

impl TimeValue for DateTime<Utc> {
    fn write(&self, out: &mut Vec<u8>) {
        push_timestamp(out, self);
    }
}

impl TimeValue for RowTime {
    fn write(&self, out: &mut Vec<u8>) {
        push_micros(out, self.micros());
    }
}

/// A text column's value: a model's `String`, or a row's [`RowText`].
trait TextCell {
    /// The text, into `s`.
    fn give<S: Sink>(&self, s: S) -> S::Out;
}

impl TextCell for String {
    fn give<S: Sink>(&self, s: S) -> S::Out {
        s.text(self)
    }
}

impl TextCell for RowText<'_> {
    fn give<S: Sink>(&self, s: S) -> S::Out {
        s.row_text(*self)
    }
}

fn opt_uuid<S: Sink>(s: S, v: &Option<Uuid>) -> S::Out {
    match v {
        Some(v) => s.uuid(v),
        None => s.null(),
    }
}

fn opt_time<S: Sink, T: TimeValue>(s: S, v: &Option<T>) -> S::Out {
    match v {
        Some(v) => s.time(v),
        None => s.null(),
    }
}

fn opt_int<S: Sink>(s: S, v: Option<impl Into<i64>>) -> S::Out {
    match v {
        Some(v) => s.int(v.into()),
        None => s.null(),
    }
}

/// Writes one plain field of a contact's row (see [`view_writer`]).
type ViewWriter = fn(&ContactView<'_>, &mut Vec<u8>);

macro_rules! plain_functions {
    ($m:ident, $s:ident; $($name:literal => $value:expr;)*) => {
        /// The value of a plain column field of a model by its GraphQL name.
        fn model_plain_field<S: Sink>($m: &Model, name: &str, $s: S) -> Option<S::Out> {
            Some(match name {
                $($name => $value,)*
                _ => return None,
            })
        }

        /// The value of a plain column field of a row by its GraphQL name.
        fn view_plain_field<S: Sink>($m: &ContactView<'_>, name: &str, $s: S) -> Option<S::Out> {
            Some(match name {
                $($name => $value,)*
                _ => return None,
            })
        }

        /// What writes the plain column field `name` of a row as JSON,
        /// picked once for a page's field instead of by name for each of
        /// its contacts.
        fn view_writer(name: &str) -> Option<ViewWriter> {
            Some(match name {
                $($name => (|$m: &ContactView<'_>, out: &mut Vec<u8>| {
                    let $s = Json(out);
                    $value
                }) as ViewWriter,)*
                _ => return None,
            })
        }
    };
}

plain_columns!(plain_functions);

/// A contact's cells: its decoded model, or its row as read
/// ([`ContactView`], a page on Postgres). One mapping of GraphQL names to
/// columns (`plain_fields!`) serves both.
trait Cells {
    /// The value of a plain column field by its GraphQL name, as its derived
    /// resolver gives it; `None` for every other field.
    fn plain_field<S: Sink>(&self, name: &str, s: S) -> Option<S::Out>;
    /// The id a relation field (`icp`, `campaign`) loads by, `None` when the
    /// field is not a relation: the only fields whose being plain depends on
    /// the row.
    fn relation_id(&self, name: &str) -> Option<Option<Uuid>>;
    /// The cells as a row's view, where they are one.
    fn view(&self) -> Option<&ContactView<'_>> {
        None
    }
}

impl Cells for Model {
    fn plain_field<S: Sink>(&self, name: &str, s: S) -> Option<S::Out> {
        model_plain_field(self, name, s)
    }
    fn relation_id(&self, name: &str) -> Option<Option<Uuid>> {
        match name {
            "icp" => Some(self.icp_id),
            "campaign" => Some(self.campaign_id),
            _ => None,
        }
    }
}

impl<'r> Cells for ContactView<'r> {
    fn plain_field<S: Sink>(&self, name: &str, s: S) -> Option<S::Out> {
        view_plain_field(self, name, s)
    }
    fn view(&self) -> Option<&ContactView<'_>> {
        Some(self)
    }
    fn relation_id(&self, name: &str) -> Option<Option<Uuid>> {
        match name {
            "icp" => Some(self.icp_id),
            "campaign" => Some(self.campaign_id),
            _ => None,
        }
    }
}
