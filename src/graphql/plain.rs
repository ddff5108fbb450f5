//! Objects of plain values, written without the engine's per-field
//! resolution. A derived object makes a future, a field context and a name
//! lookup for every selected field; computed fields of a page (50 contacts,
//! each with a rendered e-mail and an ICP match) pay that 100 times over for
//! a handful of values. `Plain<T>` writes the fields `T` can give directly;
//! a selection with fragments, directives or any field `T` does not give
//! (one with arguments or a sub-selection) takes the engine's path whole.
//! The schema is `T`'s own. `contacts::a_plain_object_resolves_alike_with_and_without_fragments`
//! checks both paths field by field.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};

use crate::response_json::{write_str, write_value};

/// A value of `T` whose plain fields are written directly (see the module).
pub struct Plain<T>(pub T);

/// The fields of an object that are values of its own, by GraphQL name, as
/// its derived resolvers give them; `None` for every other field.
pub trait PlainFields {
    /// The value of field `name` (its GraphQL name), if it is a plain one.
    fn plain_field(&self, name: &str) -> Option<Value>;

    /// Appends the JSON of field `name`'s value, as `response_json` writes
    /// [`PlainFields::plain_field`]'s; false, with nothing written, if it is
    /// not a plain one. An object whose values are long texts writes them
    /// without copying them into a `Value` first.
    fn write_plain_field(&self, name: &str, out: &mut Vec<u8>) -> bool {
        self.plain_field(name).map(|v| write_value(out, &v)).is_some()
    }
}

impl<T: OutputType + PlainFields> OutputType for Plain<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        let items = &ctx.item.node.items;
        let mut map = IndexMap::with_capacity(items.len());
        for item in items {
            let Selection::Field(f) = &item.node else { return self.0.resolve(ctx, field).await };
            let Some(value) = plain_value(&self.0, &f.node) else { return self.0.resolve(ctx, field).await };
            // A key selected twice holds the same plain value: the first stays.
            map.entry(f.node.response_key().node.clone()).or_insert(value);
        }
        Ok(Value::Object(map))
    }
}

/// The value of the selected field `f` of `value` where it is a plain one
/// (or `__typename`) selected without arguments or directives.
fn plain_value<T: OutputType + PlainFields>(value: &T, f: &Field) -> Option<Value> {
    if !f.directives.is_empty() || !f.arguments.is_empty() || !f.selection_set.node.items.is_empty() {
        return None;
    }
    match f.name.node.as_str() {
        "__typename" => Some(Value::String(T::type_name().into_owned())),
        name => value.plain_field(name),
    }
}

/// Appends the JSON object of `value` for `field`'s selection, as
/// [`Plain::resolve`] would give it and `response_json` write it, where
/// every selected field is a plain one of `T` (or `__typename`) without
/// arguments or directives; `null` for no value. Only where objects are
/// prewritten (`RequestContext::prewrite`: no key is selected twice). False,
/// with nothing written, for any other selection: the engine resolves it.
pub fn write_selection<T: OutputType + PlainFields>(
    out: &mut Vec<u8>,
    field: &Field,
    value: Option<&T>,
) -> bool {
    write_selection_as::<T, T>(out, field, value)
}

/// [`write_selection`] of a `value` that is not itself the GraphQL object
/// `T` but holds its plain fields (a lent part of it, where `T` would own
/// a reference count).
pub fn write_selection_as<T: OutputType, V: PlainFields>(
    out: &mut Vec<u8>,
    field: &Field,
    value: Option<&V>,
) -> bool {
    let Some(value) = value else {
        out.extend_from_slice(b"null");
        return true;
    };
    let start = out.len();
    out.push(b'{');
    for (i, item) in field.selection_set.node.items.iter().enumerate() {
        let Selection::Field(f) = &item.node else {
            out.truncate(start);
            return false;
        };
        let f = &f.node;
        if i > 0 {
            out.push(b',');
        }
        write_str(out, f.response_key().node.as_str());
        out.push(b':');
        if !write_plain_value::<T, V>(value, f, out) {
            out.truncate(start);
            return false;
        }
    }
    out.push(b'}');
    true
}

/// Appends the JSON of [`plain_value`] where there is one; false, with
/// nothing written, where there is none.
fn write_plain_value<T: OutputType, V: PlainFields>(value: &V, f: &Field, out: &mut Vec<u8>) -> bool {
    if !f.directives.is_empty() || !f.arguments.is_empty() || !f.selection_set.node.items.is_empty() {
        return false;
    }
    match f.name.node.as_str() {
        "__typename" => {
            write_str(out, &T::type_name());
            true
        }
        name => value.write_plain_field(name, out),
    }
}
