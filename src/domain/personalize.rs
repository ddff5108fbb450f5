//! Rendering a template for one contact (SPEC §6.6): which names a template
//! may use, and where each value comes from — field access (§6.1), the
//! product catalog for `product_<key>`, caller-supplied `sender_<key>` with
//! `sender_company` falling back to the workspace's company name.

use serde_json::{Map, Value};

use super::fields::{self, ColumnText, FieldDefinition, FieldSource};
use super::templates::{self, Rendered, Template, ValueText};

/// What a rendering needs besides the contact: the workspace's parts for
/// `'a`, the caller's variables for `'v`.
#[derive(Clone, Copy, Debug)]
pub struct RenderContext<'a, 'v> {
    /// The workspace's custom fields.
    pub definitions: &'a [FieldDefinition],
    /// `users_settings.products`: catalog keyed by product code.
    pub products: &'a Value,
    /// `users_settings.company_name`.
    pub company_name: Option<&'a str>,
    /// Caller-supplied values (`sender_*`).
    pub variables: Option<&'v Map<String, Value>>,
}

/// Whether a template may use `name`: a field name, `product_<key>` or `sender_<key>`.
pub fn is_known_variable(name: &str, definitions: &[FieldDefinition]) -> bool {
    fields::is_known(name, definitions)
        || templates::is_product_variable(name).is_some()
        || templates::is_sender_variable(name).is_some()
}

/// The value of `name` for `contact` (a field name wins over the prefixes).
pub fn lookup(contact: &impl FieldSource, ctx: &RenderContext<'_, '_>, name: &str) -> Option<Value> {
    Source::of(ctx, name).value(contact, ctx.products)
}

/// Where the value of a template variable comes from, found once for many
/// contacts.
#[derive(Debug, Clone)]
enum Source<'a> {
    /// A field (a field name wins over the prefixes).
    Field(fields::Resolver<'a>),
    /// `product_<key>`: the key in the catalog entry of the contact's product.
    Product(&'a str),
    /// `sender_<key>`: the caller's value, the same for every contact.
    Given(Option<Value>),
    /// Any other name: no value.
    Nothing,
}

impl<'a> Source<'a> {
    fn of(ctx: &RenderContext<'a, '_>, name: &'a str) -> Self {
        if let Ok(field) = fields::Resolver::new(name, ctx.definitions) {
            return Source::Field(field);
        }
        if let Some(key) = templates::is_product_variable(name) {
            return Source::Product(key);
        }
        if templates::is_sender_variable(name).is_some() {
            let given =
                ctx.variables.and_then(|v| v.get(name)).filter(|v| !templates::is_missing(v)).cloned();
            if given.is_none() && name == "sender_company" {
                let company = ctx.company_name.filter(|s| !s.is_empty());
                return Source::Given(company.map(|s| Value::String(s.to_owned())));
            }
            return Source::Given(given);
        }
        Source::Nothing
    }

    /// The template text of the value for `contact` (`None` when it is
    /// missing), borrowed where it is a text column's.
    fn text<'c>(&self, contact: &'c impl FieldSource, products: &Value) -> Option<ValueText<'c>> {
        if let Source::Field(field) = self
            && let Some(text) = field.text_of(contact)
        {
            return match text {
                ColumnText::Text(text) => Some(ValueText::Utf8(text)),
                ColumnText::Past(value) => templates::value_text(value),
            };
        }
        templates::value_text(self.value(contact, products))
    }

    fn value(&self, contact: &impl FieldSource, products: &Value) -> Option<Value> {
        match self {
            Source::Field(field) => field.value(contact),
            Source::Product(key) => {
                let product = contact.column("assigned_product");
                products.get(product.as_str()?)?.get(key).cloned()
            }
            Source::Given(value) => value.clone(),
            Source::Nothing => None,
        }
    }
}

/// A subject (none for call scripts) and body made ready to render for many
/// contacts: where each of their names' values comes from is found once.
#[derive(Debug, Clone)]
pub struct Renderer<'a> {
    template: templates::Prepared<'a>,
    sources: Vec<Source<'a>>,
    products: &'a Value,
}

impl<'a> Renderer<'a> {
    /// The renderer of `subject` and `body` in `ctx`.
    pub fn new(ctx: &RenderContext<'a, '_>, subject: Option<&'a Template>, body: &'a Template) -> Self {
        let template = templates::Prepared::new(subject, body);
        let sources = template.names().iter().map(|name| Source::of(ctx, name)).collect();
        Self { template, sources, products: ctx.products }
    }

    /// The template rendered for `contact`, with or without the lists of
    /// names ([`templates::render_with`]).
    pub fn render(&self, contact: &impl FieldSource, lists: bool) -> Rendered {
        self.template.render_texts(&self.texts(contact), lists)
    }

    /// The texts of the template's names for `contact` ([`templates::Prepared::texts`]).
    pub fn texts<'c>(&self, contact: &'c impl FieldSource) -> Vec<Option<ValueText<'c>>> {
        self.template.texts(|at| self.sources[at].text(contact, self.products))
    }

    /// The template, prepared.
    pub fn prepared(&self) -> &templates::Prepared<'a> {
        &self.template
    }
}

/// Renders `subject` (none for call scripts) and `body` for `contact`.
pub fn render(
    contact: &impl FieldSource,
    ctx: &RenderContext<'_, '_>,
    subject: Option<&Template>,
    body: &Template,
) -> Rendered {
    render_with(contact, ctx, subject, body, true)
}

/// [`render`], with or without the lists of names ([`templates::render_with`]).
pub fn render_with(
    contact: &impl FieldSource,
    ctx: &RenderContext<'_, '_>,
    subject: Option<&Template>,
    body: &Template,
    lists: bool,
) -> Rendered {
    Renderer::new(ctx, subject, body).render(contact, lists)
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
    fn one_renderer_renders_each_contact_with_its_own_values() {
        // A page prepares a template once and renders it for every contact:
        // names repeat across the subject and the body, and each contact
        // brings its own columns and product.
        let subject = templates::parse("{{ product_name }} for {{company_name}}").unwrap();
        let body = templates::parse(
            "Hi {{first_name | default: \"there\"}}, {{product_name}} from {{sender_company}}; {{ first_name }}",
        )
        .unwrap();
        let products = json!({"sba_504": {"name": "SBA 504 Loans"}, "term": {"name": "Term Loans"}});
        let ctx = RenderContext {
            definitions: &[],
            products: &products,
            company_name: Some("Acme"),
            variables: None,
        };
        let renderer = Renderer::new(&ctx, Some(&subject), &body);
        let a = renderer.render(
            &contact(json!({"assigned_product": "sba_504", "company": "Initech", "first_name": "Ann"})),
            true,
        );
        let b = renderer
            .render(&contact(json!({"assigned_product": "term", "enrichment_company_name": "Globex"})), true);
        assert_eq!(a.subject.as_deref(), Some("SBA 504 Loans for Initech"));
        assert_eq!(a.body, "Hi Ann, SBA 504 Loans from Acme; Ann");
        assert!(a.complete && a.missing_variables.is_empty() && a.defaulted_variables.is_empty());
        assert_eq!(b.subject.as_deref(), Some("Term Loans for Globex"));
        assert_eq!(b.body, "Hi there, Term Loans from Acme; ");
        assert!(!b.complete);
        assert_eq!(b.used_variables, ["product_name", "company_name", "first_name", "sender_company"]);
        assert_eq!(b.defaulted_variables, ["first_name"]);
        assert_eq!(b.missing_variables, ["first_name"]);
        // Each rendering equals a rendering on its own.
        for c in [json!({"assigned_product": "term", "first_name": "Bo"}), json!({})] {
            let c = contact(c);
            assert_eq!(renderer.render(&c, true), render(&c, &ctx, Some(&subject), &body));
            assert_eq!(
                renderer.render(&c, true),
                templates::render(Some(&subject), &body, |name| lookup(&c, &ctx, name))
            );
        }
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
