//! Typed settings read from the environment (SPEC §2). A bad value stops
//! start-up with one line naming the variable.

use std::net::SocketAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The secret used for HS256 when `JWT_SECRET` is unset outside production.
pub const DEV_JWT_SECRET: &str = "latticeiq-development-secret-do-not-use-in-production";
/// The AES-256 key used for stored API keys when `LATTICEIQ_ENCRYPTION_KEY` is unset outside production.
pub const DEV_ENCRYPTION_KEY: [u8; 32] = *b"latticeiq-dev-encryption-key-32b";
/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://latticeiq.db?mode=rwc";

/// A configuration problem: the variable and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl ConfigError {
    fn new(variable: &'static str, message: impl Into<String>) -> Self {
        Self { variable, message: message.into() }
    }
}

/// `LATTICEIQ_ENV`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    /// Development defaults (dev secret, GraphiQL on).
    Development,
    /// Production: no dev secrets, GraphiQL off by default.
    Production,
}

/// Log line format (`LOG_FORMAT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// How tokens are verified (SPEC §4).
#[derive(Clone, Debug)]
pub struct JwtConfig {
    /// HS256 secret, if HS256 tokens are accepted.
    pub secret: Option<Vec<u8>>,
    /// Whether `secret` is the development default.
    pub secret_is_default: bool,
    /// PEM public key for RS256/ES256/EdDSA tokens.
    pub public_key_pem: Option<String>,
    /// JWKS URL for RS256/ES256/EdDSA tokens, keys picked by `kid`.
    pub jwks_url: Option<String>,
    /// Required `iss`, when set.
    pub issuer: Option<String>,
    /// Required `aud`, when set.
    pub audience: Option<String>,
}

/// Every setting of the gateway.
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `postgres://…` or `sqlite://…`.
    pub database_url: String,
    /// `BIND_ADDR`.
    pub bind_addr: SocketAddr,
    /// `LATTICEIQ_ENV`.
    pub environment: Environment,
    /// Token verification.
    pub jwt: JwtConfig,
    /// `LATTICEIQ_ENCRYPTION_KEY`: AES-256-GCM key for stored API keys.
    pub encryption_key: [u8; 32],
    /// `MAX_PAGE_SIZE`: largest `first`/`last`.
    pub max_page_size: u32,
    /// `MAX_QUERY_DEPTH`.
    pub max_query_depth: usize,
    /// `MAX_QUERY_COMPLEXITY`.
    pub max_query_complexity: usize,
    /// `DB_RLS_ROLE`: the Postgres role requests run as.
    pub rls_role: String,
    /// `DB_POOL_SIZE`: most database connections.
    pub db_pool_size: u32,
    /// `REQUEST_TIMEOUT_SECS`: longest a GraphQL request may run (SPEC §8:
    /// 30 s); on Postgres its statements' `statement_timeout` is a second more.
    pub request_timeout: std::time::Duration,
    /// `GRAPHIQL`: serve GraphiQL to browsers (default: on outside production).
    pub graphiql: bool,
    /// `INTROSPECTION`: allow schema introspection (default: on).
    pub introspection: bool,
    /// `LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
}

type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Config {
    /// Reads the process environment (after `.env`, which `main` loads).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads settings through `lookup` (tests pass a map).
    pub fn from_lookup(lookup: Lookup<'_>) -> Result<Self, ConfigError> {
        let environment = match lookup("LATTICEIQ_ENV").as_deref() {
            None | Some("development") | Some("dev") | Some("test") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::new(
                    "LATTICEIQ_ENV",
                    format!("expected `development` or `production`, got {other:?}"),
                ));
            }
        };
        let production = environment == Environment::Production;

        let database_url = lookup("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
            || database_url.starts_with("sqlite:"))
        {
            return Err(ConfigError::new("DATABASE_URL", "must start with postgres:// or sqlite://"));
        }
        let bind_addr = lookup("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .map_err(|e| ConfigError::new("BIND_ADDR", format!("not a socket address: {e}")))?;

        let jwt = jwt_config(lookup, production)?;

        let encryption_key = match lookup("LATTICEIQ_ENCRYPTION_KEY") {
            Some(b64) => {
                let bytes = STANDARD
                    .decode(b64.trim())
                    .map_err(|_| ConfigError::new("LATTICEIQ_ENCRYPTION_KEY", "not valid base64"))?;
                <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                    ConfigError::new(
                        "LATTICEIQ_ENCRYPTION_KEY",
                        format!("must decode to 32 bytes, got {}", bytes.len()),
                    )
                })?
            }
            None if production => {
                return Err(ConfigError::new(
                    "LATTICEIQ_ENCRYPTION_KEY",
                    "required in production (32 random bytes, base64)",
                ));
            }
            None => DEV_ENCRYPTION_KEY,
        };

        let rls_role = lookup("DB_RLS_ROLE").unwrap_or_else(|| migration::DEFAULT_RLS_ROLE.to_owned());
        if !migration::is_plain_identifier(&rls_role) {
            return Err(ConfigError::new("DB_RLS_ROLE", "must match ^[a-z_][a-z0-9_]*$"));
        }

        let log_format = match lookup("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::new(
                    "LOG_FORMAT",
                    format!("expected `text` or `json`, got {other:?}"),
                ));
            }
        };

        // On Postgres the `LISTEN` for campaign events holds one connection
        // for the life of the process: with one, requests would have none.
        let postgres = !database_url.starts_with("sqlite:");
        let db_pool_size = number(lookup, "DB_POOL_SIZE", 10, 1, 1_000)?;
        if postgres && db_pool_size < 2 {
            return Err(ConfigError::new(
                "DB_POOL_SIZE",
                "must be at least 2 on Postgres: one connection listens for campaign events",
            ));
        }

        Ok(Self {
            database_url,
            bind_addr,
            environment,
            jwt,
            encryption_key,
            max_page_size: number(lookup, "MAX_PAGE_SIZE", 100, 1, 10_000)?,
            max_query_depth: number(lookup, "MAX_QUERY_DEPTH", 12, 2, 1_000)?,
            max_query_complexity: number(lookup, "MAX_QUERY_COMPLEXITY", 5_000, 10, 10_000_000)?,
            rls_role,
            db_pool_size,
            request_timeout: std::time::Duration::from_secs(number(
                lookup,
                "REQUEST_TIMEOUT_SECS",
                30,
                1,
                600,
            )?),
            graphiql: boolean(lookup, "GRAPHIQL", !production)?,
            introspection: boolean(lookup, "INTROSPECTION", true)?,
            log_format,
        })
    }

    /// Whether the database is Postgres (else SQLite).
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

fn jwt_config(lookup: Lookup<'_>, production: bool) -> Result<JwtConfig, ConfigError> {
    let public_key_pem = match lookup("JWT_PUBLIC_KEY") {
        // A path or the PEM itself (with literal "\n" allowed, as env files often hold it).
        Some(v) if v.contains("-----BEGIN") => Some(v.replace("\\n", "\n")),
        Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
            ConfigError::new("JWT_PUBLIC_KEY", format!("neither a PEM key nor a readable file ({e})"))
        })?),
        None => None,
    };
    if let Some(pem) = &public_key_pem {
        crate::auth::jwt::public_key_from_pem(pem)
            .map_err(|e| ConfigError::new("JWT_PUBLIC_KEY", e.to_string()))?;
    }
    let jwks_url = lookup("JWT_JWKS_URL");
    if let Some(url) = &jwks_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(ConfigError::new("JWT_JWKS_URL", "must be an http(s) URL"));
    }
    let asymmetric = public_key_pem.is_some() || jwks_url.is_some();
    let (secret, secret_is_default) = match lookup("JWT_SECRET") {
        Some(s) if s == DEV_JWT_SECRET && production => {
            return Err(ConfigError::new("JWT_SECRET", "the development secret is refused in production"));
        }
        Some(s) if s.len() < 32 => {
            return Err(ConfigError::new("JWT_SECRET", "must be at least 32 characters"));
        }
        Some(s) => (Some(s.into_bytes()), false),
        // With an asymmetric key configured, HS256 needs an explicit secret.
        None if asymmetric => (None, false),
        None if production => {
            return Err(ConfigError::new(
                "JWT_SECRET",
                "required in production (or set JWT_PUBLIC_KEY / JWT_JWKS_URL)",
            ));
        }
        None => (Some(DEV_JWT_SECRET.as_bytes().to_vec()), true),
    };
    Ok(JwtConfig {
        secret,
        secret_is_default,
        public_key_pem,
        jwks_url,
        issuer: lookup("JWT_ISSUER"),
        audience: lookup("JWT_AUDIENCE"),
    })
}

fn number<T>(lookup: Lookup<'_>, variable: &'static str, default: T, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(raw) = lookup(variable) else { return Ok(default) };
    let value: T =
        raw.trim().parse().map_err(|_| ConfigError::new(variable, format!("not a number: {raw:?}")))?;
    if value < min || value > max {
        return Err(ConfigError::new(variable, format!("must be between {min} and {max}, got {value}")));
    }
    Ok(value)
}

fn boolean(lookup: Lookup<'_>, variable: &'static str, default: bool) -> Result<bool, ConfigError> {
    match lookup(variable).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError::new(variable, format!("expected true or false, got {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(&|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_give_the_embedded_sqlite_development_setup() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert!(c.jwt.secret_is_default && c.graphiql && !c.is_postgres());
        assert_eq!((c.max_page_size, c.max_query_depth, c.max_query_complexity), (100, 12, 5000));
        assert_eq!(c.request_timeout, std::time::Duration::from_secs(30));
    }

    #[test]
    fn production_refuses_the_development_secrets() {
        let e = config(&[("LATTICEIQ_ENV", "production")]).unwrap_err();
        assert_eq!(e.variable, "JWT_SECRET");
        let e = config(&[("LATTICEIQ_ENV", "production"), ("JWT_SECRET", DEV_JWT_SECRET)]).unwrap_err();
        assert_eq!(e.variable, "JWT_SECRET");
        let e = config(&[("LATTICEIQ_ENV", "production"), ("JWT_SECRET", &"s".repeat(40))]).unwrap_err();
        assert_eq!(e.variable, "LATTICEIQ_ENCRYPTION_KEY");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("BIND_ADDR", "nowhere"),
            ("MAX_PAGE_SIZE", "lots"),
            ("MAX_PAGE_SIZE", "0"),
            ("REQUEST_TIMEOUT_SECS", "0"),
            ("REQUEST_TIMEOUT_SECS", "forever"),
            ("DATABASE_URL", "mysql://x"),
            ("LATTICEIQ_ENCRYPTION_KEY", "c2hvcnQ="),
            ("DB_RLS_ROLE", "Robert'); DROP"),
            ("JWT_SECRET", "short"),
            ("JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----"),
        ] {
            let e = config(&[(var, value)]).unwrap_err();
            assert_eq!(e.variable, var, "{value}");
        }
    }

    #[test]
    fn postgres_needs_a_connection_beside_the_listener() {
        let postgres = ("DATABASE_URL", "postgres://postgres@127.0.0.1/x");
        let e = config(&[postgres, ("DB_POOL_SIZE", "1")]).unwrap_err();
        assert_eq!(e.variable, "DB_POOL_SIZE");
        assert_eq!(config(&[postgres, ("DB_POOL_SIZE", "2")]).unwrap().db_pool_size, 2);
        assert_eq!(config(&[("DB_POOL_SIZE", "1")]).unwrap().db_pool_size, 1);
    }

    #[test]
    fn an_asymmetric_key_disables_the_development_secret() {
        let c = config(&[("JWT_JWKS_URL", "http://127.0.0.1:1/jwks.json")]).unwrap();
        assert!(c.jwt.secret.is_none());
    }
}
