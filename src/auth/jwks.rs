//! Keys from a JWKS (`JWT_JWKS_URL`, the Auth0/Supabase way): fetched at
//! start, cached, picked by `kid`, and fetched again when a token names a
//! `kid` the cache does not know (at most once per [`REFRESH_INTERVAL`], so
//! forged kids cannot hammer the key server).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};

use super::jwt::KeyByKid;

/// Shortest time between two fetches triggered by unknown kids.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Cache {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    /// Keys without a `kid`, tried when the token has none.
    anonymous: Vec<(DecodingKey, Algorithm)>,
    fetched: Option<Instant>,
}

/// A cached JWKS.
pub struct Jwks {
    url: String,
    client: reqwest::Client,
    cache: Mutex<Cache>,
    refresh: tokio::sync::Mutex<()>,
}

impl Jwks {
    /// A cache for `url` (nothing is fetched yet).
    pub fn new(url: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            url: url.to_owned(),
            client,
            cache: Mutex::new(Cache::default()),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// Fetches the key set now; returns how many usable keys it holds.
    pub async fn fetch(&self) -> Result<usize, String> {
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| format!("cannot fetch the JWKS: {e}"))?
            .json()
            .await
            .map_err(|e| format!("the JWKS is not a JSON key set: {e}"))?;
        let mut cache = Cache { fetched: Some(Instant::now()), ..Cache::default() };
        for jwk in &set.keys {
            let Some(alg) = algorithm_of(jwk) else { continue };
            let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
            match &jwk.common.key_id {
                Some(kid) => {
                    cache.keys.insert(kid.clone(), (key, alg));
                }
                None => cache.anonymous.push((key, alg)),
            }
        }
        let n = cache.keys.len() + cache.anonymous.len();
        if let Ok(mut c) = self.cache.lock() {
            *c = cache;
        }
        Ok(n)
    }

    fn lookup(&self, kid: Option<&str>, alg: Algorithm) -> Option<DecodingKey> {
        let cache = self.cache.lock().ok()?;
        match kid {
            Some(kid) => cache.keys.get(kid).filter(|(_, a)| *a == alg).map(|(k, _)| k.clone()),
            None => cache.anonymous.iter().find(|(_, a)| *a == alg).map(|(k, _)| k.clone()),
        }
    }

    fn may_refresh(&self) -> bool {
        self.cache.lock().map(|c| c.fetched.is_none_or(|t| t.elapsed() >= REFRESH_INTERVAL)).unwrap_or(false)
    }
}

/// The algorithm a JWK is for: its `alg`, else what its key type implies
/// (RSA → RS256, EC P-256 → ES256, Ed25519 → EdDSA). Others are not used.
fn algorithm_of(jwk: &jsonwebtoken::jwk::Jwk) -> Option<Algorithm> {
    let implied = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => Algorithm::EdDSA,
        _ => return None,
    };
    use jsonwebtoken::jwk::KeyAlgorithm as K;
    let declared = jwk.common.key_algorithm.map(|a| match a {
        K::RS256 => Some(Algorithm::RS256),
        K::ES256 => Some(Algorithm::ES256),
        K::EdDSA => Some(Algorithm::EdDSA),
        _ => None,
    });
    match declared {
        None => Some(implied),
        Some(Some(a)) if a == implied => Some(a),
        Some(_) => None,
    }
}

#[async_trait::async_trait]
impl KeyByKid for Jwks {
    async fn key(&self, kid: Option<&str>, algorithm: Algorithm) -> Option<DecodingKey> {
        if let Some(k) = self.lookup(kid, algorithm) {
            return Some(k);
        }
        // An unknown kid may be a rotated key: fetch again, once at a time.
        let _one = self.refresh.lock().await;
        if let Some(k) = self.lookup(kid, algorithm) {
            return Some(k);
        }
        if self.may_refresh()
            && let Err(e) = self.fetch().await
        {
            tracing::warn!(error = %e, "JWKS refresh failed");
        }
        self.lookup(kid, algorithm)
    }
}
