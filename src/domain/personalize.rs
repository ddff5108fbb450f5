//! Rendering a template for one contact (SPEC §6.6): which names a template
//! may use, and where each value comes from — field access (§6.1), the
//! product catalog for `product_<key>`, caller-supplied `sender_<key>` with
//! `sender_company` falling back to the workspace's company name.

use serde_json::{Map, Value};

use super::fields::{self, FieldDefinition, FieldSource};
use super::templates::{self, Rendered, Template};

/// What a rendering needs besides the contact.
#[derive(Clone, Copy, Debug)]
pub struct RenderContext<'a> {
    /// The workspace's custom fields.
    pub definitions: &'a [FieldDefinition],
    /// `users_settings.products`: catalog keyed by product code.
    pub products: &'a Value,
    /// `users_settings.company_name`.
    pub company_name: Option<&'a str>,
    /// Caller-supplied values (`sender_*`).
    pub variables: Option<&'a Map<String, Value>>,
}

/// Whether a template may use `name`: a field name, `product_<key>` or `sender_<key>`.
pub fn is_known_variable(name: &str, definitions: &[FieldDefinition]) -> bool {
    fields::is_known(name, definitions)
        || templates::is_product_variable(name).is_some()
        || templates::is_sender_variable(name).is_some()
}

/// The value of `name` for `contact` (a field name wins over the prefixes).
pub fn lookup(contact: &impl FieldSource, ctx: &RenderContext<'_>, name: &str) -> Option<Value> {
    if fields::is_known(name, ctx.definitions) {
        return fields::resolve(contact, ctx.definitions, name).ok().flatten();
    }
    if let Some(key) = templates::is_product_variable(name) {
        let product = contact.column("assigned_product");
        let code = product.as_str()?;
        return ctx.products.get(code)?.get(key).cloned();
    }
    if templates::is_sender_variable(name).is_some() {
        let given = ctx.variables.and_then(|v| v.get(name)).filter(|v| !templates::is_missing(v)).cloned();
        if given.is_none() && name == "sender_company" {
            return ctx.company_name.filter(|s| !s.is_empty()).map(|s| Value::String(s.to_owned()));
        }
        return given;
    }
    None
}

/// Renders `subject` (none for call scripts) and `body` for `contact`.
pub fn render(
    contact: &impl FieldSource,
    ctx: &RenderContext<'_>,
    subject: Option<&Template>,
    body: &Template,
) -> Rendered {
    render_with(contact, ctx, subject, body, true)
}

/// [`render`], with or without the lists of names ([`templates::render_with`]).
pub fn render_with(
    contact: &impl FieldSource,
    ctx: &RenderContext<'_>,
    subject: Option<&Template>,
    body: &Template,
    lists: bool,
) -> Rendered {
    templates::render_with(subject, body, |name| lookup(contact, ctx, name), lists)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn contact(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn products_come_from_the_catalog_entry_of_the_assigned_product() {
        let c = contact(json!({"assigned_product": "sba_504"}));
        let products = json!({"sba_504": {"name": "SBA 504 Loans", "ltv": 90}});
        let ctx =
            RenderContext { definitions: &[], products: &products, company_name: None, variables: None };
        assert_eq!(lookup(&c, &ctx, "product_name"), Some(json!("SBA 504 Loans")));
        assert_eq!(lookup(&c, &ctx, "product_ltv"), Some(json!(90)));
        assert_eq!(lookup(&c, &ctx, "product_close_days"), None);
        // a column wins over the prefix
        assert!(fields::is_column("product_match"));
    }

    #[test]
    fn sender_company_falls_back_to_the_workspace_company_name() {
        let c = contact(json!({}));
        let products = json!({});
        let vars = contact(json!({"sender_name": "Dana"}));
        let ctx = RenderContext {
            definitions: &[],
            products: &products,
            company_name: Some("Acme"),
            variables: Some(&vars),
        };
        assert_eq!(lookup(&c, &ctx, "sender_name"), Some(json!("Dana")));
        assert_eq!(lookup(&c, &ctx, "sender_company"), Some(json!("Acme")));
        assert_eq!(lookup(&c, &ctx, "sender_title"), None);
    }

    #[test]
    fn known_variables_are_fields_products_and_senders() {
        for ok in ["first_name", "company_name", "product_anything", "sender_x"] {
            assert!(is_known_variable(ok, &[]), "{ok}");
        }
        for bad in ["favourite_colour", "product_", "sender_"] {
            assert!(!is_known_variable(bad, &[]), "{bad}");
        }
    }
}
