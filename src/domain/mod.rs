//! Pure domain rules of SPEC §6: no database, no GraphQL. Every rule has one
//! home here and is unit-tested beside its code against `../shared/fixtures`.

pub mod campaigns;
pub mod contacts;
pub mod csv_import;
pub mod enrichment;
pub mod fields;
pub mod icp;
pub mod personalize;
pub mod personas;
pub mod quality;
pub mod templates;
pub mod words;
