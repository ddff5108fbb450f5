//! JWT verification and minting (SPEC §4).
//!
//! HS256 with a secret; RS256, ES256 and EdDSA with a PEM public key or keys
//! from a JWKS. The algorithm comes from the token header but is only ever
//! checked against the configured kinds of key, so `alg: none` and algorithm
//! confusion (an HS256 token "signed" with a public key) are rejected.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde_json::Value;
use uuid::Uuid;

use super::{Claims, Role};
use crate::config::JwtConfig;

/// Leeway for `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 30;
/// Longest token accepted.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Why a token was refused; the text is the 401 message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No Authorization header.
    #[error("missing Authorization header: send `Authorization: Bearer <token>`")]
    Missing,
    /// The header is not `Bearer <token>`.
    #[error("malformed Authorization header: expected `Bearer <token>`")]
    BadScheme,
    /// Longer than `MAX_TOKEN_BYTES`.
    #[error("token too large")]
    TooLarge,
    /// Not a JWT.
    #[error("malformed token")]
    Malformed,
    /// An algorithm we do not accept.
    #[error("token algorithm {0} is not accepted")]
    Algorithm(String),
    /// Signature does not verify.
    #[error("invalid token signature")]
    BadSignature,
    /// `exp` missing.
    #[error("token has no exp claim")]
    NoExpiry,
    /// Past `exp` (+ leeway).
    #[error("token expired")]
    Expired,
    /// Before `nbf` (− leeway).
    #[error("token not yet valid (nbf is in the future)")]
    NotYetValid,
    /// `iss` differs from the configured issuer.
    #[error("token issuer is not accepted")]
    Issuer,
    /// `aud` differs from the configured audience.
    #[error("token audience is not accepted")]
    Audience,
    /// No `workspace_id` claim.
    #[error("token has no workspace_id claim")]
    NoWorkspace,
    /// `workspace_id` is not a UUID.
    #[error("token workspace_id is not a UUID")]
    BadWorkspace,
    /// `workspace_role` is not viewer/member/admin.
    #[error("token workspace_role must be viewer, member or admin")]
    BadRole,
    /// No key for the token's `kid`.
    #[error("no key for the token's kid")]
    UnknownKey,
}

/// A public key and the one algorithm it verifies.
#[derive(Clone)]
pub struct PublicKey {
    /// The key.
    pub key: DecodingKey,
    /// RS256, ES256 or EdDSA.
    pub algorithm: Algorithm,
}

/// Parses a PEM public key: RSA → RS256, EC P-256 → ES256, Ed25519 → EdDSA.
pub fn public_key_from_pem(pem: &str) -> Result<PublicKey, String> {
    let bytes = pem.as_bytes();
    if let Ok(key) = DecodingKey::from_rsa_pem(bytes) {
        return Ok(PublicKey { key, algorithm: Algorithm::RS256 });
    }
    if let Ok(key) = DecodingKey::from_ec_pem(bytes) {
        return Ok(PublicKey { key, algorithm: Algorithm::ES256 });
    }
    if let Ok(key) = DecodingKey::from_ed_pem(bytes) {
        return Ok(PublicKey { key, algorithm: Algorithm::EdDSA });
    }
    Err("not an RSA, EC (P-256) or Ed25519 public key in PEM form".to_owned())
}

/// Verifies tokens against the configured keys.
#[derive(Clone)]
pub struct Verifier {
    secret: Option<DecodingKey>,
    public_key: Option<PublicKey>,
    jwks: Option<JwksSource>,
    issuer: Option<String>,
    audience: Option<String>,
    verified: std::sync::Arc<Verified>,
}

/// Most tokens remembered as verified; past it the memory starts afresh.
const MAX_VERIFIED: usize = 10_000;

/// Tokens that verified before with a key that is fixed for the life of the
/// process (the secret, or the PEM public key; not a JWKS key, which a
/// refresh may withdraw), with their claims. The same text verifies the same
/// way against the same key, issuer and audience, so a remembered token only
/// has its time claims checked again; any other token, and a remembered one
/// whose time claims no longer hold, is verified in full. Verifying costs a
/// HMAC and two JSON parses: ~5 % of a page request's instructions, ~15 % of
/// a `contact(id:)` one. Only tokens that verified are remembered, so no
/// request without a valid token can fill the memory.
/// (Hashed with foldhash, seeded per process: only verified tokens get in,
/// and SipHash of a token was ~0.9 k instructions per request.)
#[derive(Default)]
struct Verified(
    std::sync::Mutex<std::collections::HashMap<Box<str>, Remembered, foldhash::fast::RandomState>>,
);

struct Remembered {
    claims: Claims,
    exp: u64,
    nbf: Option<u64>,
}

impl Remembered {
    /// Whether the time claims hold at `now` (seconds), as `Validation`
    /// checks them: not past `exp` nor before `nbf`, by more than the leeway.
    fn current(&self, now: u64) -> bool {
        self.exp.saturating_add(LEEWAY_SECS) >= now && self.nbf.is_none_or(|nbf| nbf <= now + LEEWAY_SECS)
    }
}

impl Verified {
    /// The claims of `token` if it verified before and its time claims hold at `now`.
    fn get(&self, token: &str, now: u64) -> Option<Claims> {
        let known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        known.get(token).filter(|r| r.current(now)).map(|r| r.claims.clone())
    }

    /// Remembers `token` as verified with `claims` (`payload` is its claim
    /// set); a token whose time claims are not whole seconds is not remembered.
    fn remember(&self, token: &str, claims: &Claims, payload: &Value) {
        let Some(exp) = payload.get("exp").and_then(Value::as_u64) else { return };
        let nbf = match payload.get("nbf") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(n) => Some(n),
                None => return,
            },
        };
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= MAX_VERIFIED {
            known.clear();
        }
        known.insert(token.into(), Remembered { claims: claims.clone(), exp, nbf });
    }
}

/// Where JWKS keys come from (fetched and cached by `crate::auth::jwks`).
pub type JwksSource = std::sync::Arc<dyn KeyByKid>;

/// Looks up a verification key by `kid` (a JWKS cache).
#[async_trait::async_trait]
pub trait KeyByKid: Send + Sync {
    /// The key for `kid` (refreshing the set when the kid is unknown).
    async fn key(&self, kid: Option<&str>, algorithm: Algorithm) -> Option<DecodingKey>;
}

impl Verifier {
    /// A verifier for `config` (a JWKS source is attached separately).
    pub fn new(config: &JwtConfig) -> Result<Self, String> {
        let public_key = config.public_key_pem.as_deref().map(public_key_from_pem).transpose()?;
        Ok(Self {
            secret: config.secret.as_deref().map(DecodingKey::from_secret),
            public_key,
            jwks: None,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            verified: Default::default(),
        })
    }

    /// Adds a JWKS key source.
    pub fn with_jwks(mut self, jwks: JwksSource) -> Self {
        self.jwks = Some(jwks);
        self
    }

    /// Verifies the value of an `Authorization` header.
    pub async fn verify_header(&self, header: Option<&str>) -> Result<Claims, TokenError> {
        let header = header.ok_or(TokenError::Missing)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenError::BadScheme)?;
        self.verify(token).await
    }

    /// Verifies a bare token.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLarge);
        }
        if let Some(claims) = self.verified.get(token, jsonwebtoken::get_current_timestamp()) {
            return Ok(claims);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| match algorithm_name(token) {
            // A readable header naming an algorithm we do not know (`none`, `HS512`, …).
            Some(alg) => TokenError::Algorithm(alg),
            None => TokenError::Malformed,
        })?;
        let alg = header.alg;
        // Whether the key is fixed for the process's life (see `Verified`).
        let (key, fixed) = match alg {
            Algorithm::HS256 => (self.secret.clone().ok_or(TokenError::Algorithm("HS256".to_owned()))?, true),
            Algorithm::RS256 | Algorithm::ES256 | Algorithm::EdDSA => {
                if let Some(pk) = self.public_key.as_ref().filter(|pk| pk.algorithm == alg) {
                    (pk.key.clone(), true)
                } else if let Some(jwks) = &self.jwks {
                    (jwks.key(header.kid.as_deref(), alg).await.ok_or(TokenError::UnknownKey)?, false)
                } else {
                    return Err(TokenError::Algorithm(format!("{alg:?}")));
                }
            }
            other => return Err(TokenError::Algorithm(format!("{other:?}"))),
        };
        let mut validation = Validation::new(alg);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp"]);
        match &self.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                validation.required_spec_claims.insert("aud".to_owned());
            }
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &self.issuer {
            validation.set_issuer(&[iss]);
            validation.required_spec_claims.insert("iss".to_owned());
        }
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => TokenError::BadSignature,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::ImmatureSignature => TokenError::NotYetValid,
            ErrorKind::InvalidIssuer => TokenError::Issuer,
            ErrorKind::InvalidAudience => TokenError::Audience,
            ErrorKind::MissingRequiredClaim(c) if c == "exp" => TokenError::NoExpiry,
            ErrorKind::MissingRequiredClaim(c) if c == "iss" => TokenError::Issuer,
            ErrorKind::MissingRequiredClaim(c) if c == "aud" => TokenError::Audience,
            ErrorKind::InvalidAlgorithm => TokenError::Algorithm(format!("{alg:?}")),
            _ => TokenError::Malformed,
        })?;
        let claims = claims_from(&data.claims)?;
        if fixed {
            self.verified.remember(token, &claims, &data.claims);
        }
        Ok(claims)
    }
}

/// The `alg` of a token's header, when the header is readable JSON.
fn algorithm_name(token: &str) -> Option<String> {
    use base64::Engine as _;
    token
        .split('.')
        .next()
        .and_then(|h| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .and_then(|h| h.get("alg").and_then(Value::as_str).map(str::to_owned))
}

/// Reads `workspace_id`, `workspace_role` (top level, else `app_metadata`) and `sub`.
fn claims_from(claims: &Value) -> Result<Claims, TokenError> {
    let pick = |name: &str| {
        claims
            .get(name)
            .filter(|v| !v.is_null())
            .or_else(|| claims.get("app_metadata").and_then(|m| m.get(name)).filter(|v| !v.is_null()))
    };
    let workspace_id = match pick("workspace_id") {
        None => return Err(TokenError::NoWorkspace),
        Some(v) => v.as_str().and_then(|s| Uuid::parse_str(s).ok()).ok_or(TokenError::BadWorkspace)?,
    };
    let role = match pick("workspace_role") {
        None => Role::Member,
        Some(v) => v.as_str().and_then(Role::parse).ok_or(TokenError::BadRole)?,
    };
    let user_id = claims.get("sub").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    Ok(Claims { user_id, workspace_id, role })
}

/// Mints an HS256 token (the `latticeiq token` command and tests).
pub fn mint(
    secret: &[u8],
    workspace_id: Uuid,
    role: Role,
    user_id: Option<Uuid>,
    ttl: Duration,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = serde_json::json!({
        "sub": user_id.unwrap_or(workspace_id),
        "workspace_id": workspace_id,
        "workspace_role": role.as_str(),
        "iat": now,
        "exp": now + ttl.as_secs(),
    });
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> Verifier {
        Verifier::new(&JwtConfig {
            secret: Some(b"0123456789abcdef0123456789abcdef".to_vec()),
            secret_is_default: false,
            public_key_pem: None,
            jwks_url: None,
            issuer: None,
            audience: None,
        })
        .unwrap()
    }

    fn sign(claims: Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_remembered_token_is_checked_for_time_and_only_its_exact_text_is_remembered() {
        let v = verifier();
        let now = jsonwebtoken::get_current_timestamp();
        let ws = Uuid::new_v4();
        let token = sign(
            serde_json::json!({"workspace_id": ws, "workspace_role": "admin", "exp": now + 100, "nbf": now}),
        );
        let first = v.verify(&token).await.unwrap();
        assert_eq!((first.workspace_id, first.role), (ws, Role::Admin));
        // remembered, with the same claims, while its time claims hold
        assert_eq!(v.verified.get(&token, now), Some(first.clone()));
        assert_eq!(v.verify(&token).await.unwrap(), first);
        // past exp + leeway, or before nbf − leeway, it is not taken as verified
        assert_eq!(v.verified.get(&token, now + 100 + LEEWAY_SECS), Some(first.clone()));
        assert_eq!(v.verified.get(&token, now + 100 + LEEWAY_SECS + 1), None);
        assert_eq!(v.verified.get(&token, now.saturating_sub(LEEWAY_SECS + 1)), None);
        // a token that differs in one character of its signature is not the remembered one
        let mut tampered = token.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(v.verify(&tampered).await, Err(TokenError::BadSignature));
        // nor is a token signed with another secret whose claims are the same
        let other = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({"workspace_id": ws, "workspace_role": "admin", "exp": now + 100, "nbf": now}),
            &EncodingKey::from_secret(b"another secret, as long as it is"),
        )
        .unwrap();
        assert_eq!(v.verify(&other).await, Err(TokenError::BadSignature));
        // an expired token is refused, and a refused token is not remembered
        let expired = sign(serde_json::json!({"workspace_id": ws, "exp": now - LEEWAY_SECS - 5}));
        assert_eq!(v.verify(&expired).await, Err(TokenError::Expired));
        assert_eq!(v.verified.get(&expired, now - LEEWAY_SECS - 10), None);
    }

    #[tokio::test]
    async fn a_minted_token_verifies_with_its_claims() {
        let ws = Uuid::new_v4();
        let t = mint(b"0123456789abcdef0123456789abcdef", ws, Role::Viewer, None, Duration::from_secs(60))
            .unwrap();
        let c = verifier().verify(&t).await.unwrap();
        assert_eq!((c.workspace_id, c.role), (ws, Role::Viewer));
    }

    #[tokio::test]
    async fn claims_may_live_in_app_metadata() {
        let ws = Uuid::new_v4();
        let exp = jsonwebtoken::get_current_timestamp() + 60;
        let t = sign(
            serde_json::json!({"exp": exp, "app_metadata": {"workspace_id": ws, "workspace_role": "admin"}}),
        );
        let c = verifier().verify(&t).await.unwrap();
        assert_eq!((c.workspace_id, c.role), (ws, Role::Admin));
    }

    #[tokio::test]
    async fn bad_tokens_say_what_is_wrong() {
        let v = verifier();
        let now = jsonwebtoken::get_current_timestamp();
        let ws = Uuid::new_v4().to_string();
        let cases = [
            (sign(serde_json::json!({"workspace_id": ws})), TokenError::NoExpiry),
            (sign(serde_json::json!({"workspace_id": ws, "exp": now - 31})), TokenError::Expired),
            (
                sign(serde_json::json!({"workspace_id": ws, "exp": now + 60, "nbf": now + 120})),
                TokenError::NotYetValid,
            ),
            (sign(serde_json::json!({"exp": now + 60})), TokenError::NoWorkspace),
            (sign(serde_json::json!({"workspace_id": "nope", "exp": now + 60})), TokenError::BadWorkspace),
            (
                sign(serde_json::json!({"workspace_id": ws, "exp": now + 60, "workspace_role": "owner"})),
                TokenError::BadRole,
            ),
            ("abc.def.ghi".to_owned(), TokenError::Malformed),
        ];
        for (token, want) in cases {
            assert_eq!(v.verify(&token).await.unwrap_err(), want);
        }
        assert_eq!(v.verify_header(None).await.unwrap_err(), TokenError::Missing);
        assert_eq!(v.verify_header(Some("Bearer ")).await.unwrap_err(), TokenError::BadScheme);
        assert_eq!(v.verify_header(Some("Basic abc")).await.unwrap_err(), TokenError::BadScheme);
    }

    #[tokio::test]
    async fn alg_none_and_unconfigured_algorithms_are_refused() {
        use base64::Engine as _;
        let enc = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let claims = serde_json::json!({"workspace_id": Uuid::new_v4(), "exp": jsonwebtoken::get_current_timestamp() + 60});
        let none = format!("{}.{}.", enc(&serde_json::json!({"alg": "none", "typ": "JWT"})), enc(&claims));
        assert!(matches!(verifier().verify(&none).await.unwrap_err(), TokenError::Algorithm(_)));
        let rs = format!("{}.{}.c2ln", enc(&serde_json::json!({"alg": "RS256", "typ": "JWT"})), enc(&claims));
        assert!(matches!(verifier().verify(&rs).await.unwrap_err(), TokenError::Algorithm(_)));
    }
}
