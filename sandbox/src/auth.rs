//! Login with Amazon tokens and Restricted Data Tokens.

use std::collections::HashMap;

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::config::Credentials;
use crate::hash::mix;

/// Scopes the `client_credentials` grant accepts (grantless operations).
pub(crate) const GRANTLESS_SCOPES: &[&str] = &[
    "sellingpartnerapi::notifications",
    "sellingpartnerapi::client_credential:rotation",
    "sellingpartnerapi::migration",
];

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) seller: Option<String>,
    pub(crate) client_id: String,
    pub(crate) expires: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct RestrictedResource {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) data_elements: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Rdt {
    pub(crate) seller: String,
    pub(crate) client_id: String,
    pub(crate) expires: OffsetDateTime,
    pub(crate) resources: Vec<RestrictedResource>,
}

/// What an `x-amz-access-token` header turned out to be.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    Lwa(AccessToken),
    Rdt(Rdt),
}

impl Caller {
    pub(crate) fn seller(&self) -> Option<&str> {
        match self {
            Caller::Lwa(t) => t.seller.as_deref(),
            Caller::Rdt(r) => Some(&r.seller),
        }
    }
    pub(crate) fn client_id(&self) -> &str {
        match self {
            Caller::Lwa(t) => &t.client_id,
            Caller::Rdt(r) => &r.client_id,
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Missing,
    Invalid,
    Expired,
}

#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    access: HashMap<String, AccessToken>,
    rdts: HashMap<String, Rdt>,
    counter: u64,
    seed: u64,
    pub(crate) used_codes: Vec<String>,
}

impl TokenStore {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let a = mix(self.seed ^ 0xA5A5 ^ self.counter);
        let b = mix(a ^ self.counter.rotate_left(17));
        let c = mix(b);
        format!("{prefix}IwEBI{a:016x}{b:016x}{c:016x}-{}", self.counter)
    }

    pub(crate) fn issue_access(
        &mut self,
        seller: Option<String>,
        client_id: &str,
        expires: OffsetDateTime,
    ) -> String {
        let t = self.fresh("Atza|");
        self.access.insert(
            t.clone(),
            AccessToken {
                seller,
                client_id: client_id.into(),
                expires,
            },
        );
        t
    }

    pub(crate) fn issue_rdt(&mut self, rdt: Rdt) -> String {
        let t = self.fresh("Atz.sprdt|");
        self.rdts.insert(t.clone(), rdt);
        t
    }

    pub(crate) fn check(
        &self,
        header: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Caller, Refusal> {
        let h = header
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or(Refusal::Missing)?;
        if let Some(t) = self.access.get(h) {
            return if now >= t.expires {
                Err(Refusal::Expired)
            } else {
                Ok(Caller::Lwa(t.clone()))
            };
        }
        if let Some(r) = self.rdts.get(h) {
            return if now >= r.expires {
                Err(Refusal::Expired)
            } else {
                Ok(Caller::Rdt(r.clone()))
            };
        }
        Err(Refusal::Invalid)
    }

    /// Forgets expired tokens (keeps the maps small in long runs).
    pub(crate) fn sweep(&mut self, now: OffsetDateTime, keep_for: time::Duration) {
        self.access.retain(|_, t| t.expires + keep_for > now);
        self.rdts.retain(|_, t| t.expires + keep_for > now);
    }
}

/// The 403 body for a refused token.
pub(crate) fn refusal_body(r: Refusal) -> Value {
    let details = match r {
        Refusal::Missing => "",
        Refusal::Invalid => "The access token you provided is revoked, malformed or invalid.",
        Refusal::Expired => "The access token you provided has expired.",
    };
    json!({"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": details}]})
}

/// A LWA error: status and body.
pub(crate) fn lwa_error(status: u16, error: &str, description: &str) -> (u16, Value) {
    (
        status,
        json!({"error_description": description, "error": error}),
    )
}

/// Handles `POST /auth/o2/token` parameters. Returns status and body.
pub(crate) fn token_endpoint(
    params: &HashMap<String, String>,
    creds: &Credentials,
    sellers: &[(String, String)],
    store: &mut TokenStore,
    now: OffsetDateTime,
    lifetime: time::Duration,
    expires_in_real: u64,
) -> (u16, Value) {
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(grant) = get("grant_type") else {
        return lwa_error(
            400,
            "invalid_request",
            "The request is missing a required parameter : grant_type",
        );
    };
    let (Some(client_id), Some(secret)) = (get("client_id"), get("client_secret")) else {
        let missing = if get("client_id").is_none() {
            "client_id"
        } else {
            "client_secret"
        };
        return lwa_error(
            400,
            "invalid_request",
            &format!("The request is missing a required parameter : {missing}"),
        );
    };
    if client_id != creds.client_id || secret != creds.client_secret {
        return lwa_error(401, "invalid_client", "Client authentication failed");
    }
    let expires = now + lifetime;
    match grant {
        "refresh_token" => {
            let Some(rt) = get("refresh_token") else {
                return lwa_error(
                    400,
                    "invalid_request",
                    "The request is missing a required parameter : refresh_token",
                );
            };
            let Some((_, seller)) = sellers.iter().find(|(r, _)| r == rt) else {
                return lwa_error(
                    400,
                    "invalid_grant",
                    "The request has an invalid grant parameter : refresh_token",
                );
            };
            let token = store.issue_access(Some(seller.clone()), client_id, expires);
            (
                200,
                json!({"access_token": token, "refresh_token": rt, "token_type": "bearer", "expires_in": expires_in_real}),
            )
        }
        "client_credentials" => {
            let Some(scope) = get("scope") else {
                return lwa_error(
                    400,
                    "invalid_request",
                    "The request is missing a required parameter : scope",
                );
            };
            if !scope
                .split_whitespace()
                .all(|s| GRANTLESS_SCOPES.contains(&s))
            {
                return lwa_error(
                    400,
                    "invalid_scope",
                    "The request has an invalid parameter : scope",
                );
            }
            let token = store.issue_access(None, client_id, expires);
            (
                200,
                json!({"access_token": token, "scope": scope, "token_type": "bearer", "expires_in": expires_in_real}),
            )
        }
        "authorization_code" => {
            let Some(code) = get("code") else {
                return lwa_error(
                    400,
                    "invalid_request",
                    "The request is missing a required parameter : code",
                );
            };
            if code != creds.authorization_code || store.used_codes.iter().any(|c| c == code) {
                return lwa_error(
                    400,
                    "invalid_grant",
                    "The request has an invalid grant parameter : code",
                );
            }
            store.used_codes.push(code.to_owned());
            let token =
                store.issue_access(Some(creds.selling_partner_id.clone()), client_id, expires);
            (
                200,
                json!({"access_token": token, "refresh_token": creds.refresh_token, "token_type": "bearer", "expires_in": expires_in_real}),
            )
        }
        _ => lwa_error(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        ),
    }
}

/// Whether an RDT resource path (generic `{orderId}` or specific) covers `path`.
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let q: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
}

/// Paths for which an RDT may be requested (Orders v0 restricted operations).
pub(crate) fn restricted_path_ok(path: &str) -> bool {
    const TEMPLATES: &[&str] = &[
        "/orders/v0/orders",
        "/orders/v0/orders/{orderId}",
        "/orders/v0/orders/{orderId}/address",
        "/orders/v0/orders/{orderId}/buyerInfo",
        "/orders/v0/orders/{orderId}/orderItems",
        "/orders/v0/orders/{orderId}/orderItems/buyerInfo",
    ];
    TEMPLATES.iter().any(|t| path_matches(t, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_and_specific_paths() {
        assert!(path_matches(
            "/orders/v0/orders/{orderId}/address",
            "/orders/v0/orders/123-1234567-1234567/address"
        ));
        assert!(path_matches(
            "/orders/v0/orders/123-1234567-1234567",
            "/orders/v0/orders/123-1234567-1234567"
        ));
        assert!(!path_matches(
            "/orders/v0/orders/123-1234567-1234567",
            "/orders/v0/orders/999-1234567-1234567"
        ));
        assert!(!path_matches(
            "/orders/v0/orders/{orderId}",
            "/orders/v0/orders/1/address"
        ));
        assert!(restricted_path_ok("/orders/v0/orders/{orderId}/buyerInfo"));
        assert!(!restricted_path_ok(
            "/orders/v1/orders/902-1845936-5435065/address"
        ));
    }
}
