//! Account identity: which seller an account is, independent of the name a user gives it.
//!
//! The engine keys everything it stores (cursors, the id map, the outbox, run reports, the
//! host's orders) by an [`AccountId`]. That key must not be the name written in a
//! configuration file: renaming an entry would start a second copy of every order, and
//! two entries for one seller would import everything twice. A seller is the pair
//! *(region, selling partner id)*; a refresh token belongs to exactly one such pair.
//!
//! An [`AccountDirectory`] turns an [`AccountIdentity`] (what a configuration entry says
//! about the seller) into the stable key, and remembers what it learns:
//!
//! 1. a stored account with the same region and selling partner id;
//! 2. else one with the same region and [`TokenFingerprint`] (the selling partner id
//!    learned now is added to that account: learned once, stored);
//! 3. else, migration: data already stored under the label itself (written before the
//!    directory existed, when the label was the key) is adopted: the label stays the key,
//!    so no stored row is rewritten;
//! 4. else a new key, `{region}:{selling_partner_id}`, or `{region}:tok-{fingerprint
//!    prefix}` while the selling partner id is unknown.
//!
//! The matched account's label is updated to the current one, so renaming an entry keeps
//! its key and all its data. The rules are here, once, as a pure function
//! ([`plan_resolution`]) over the stored accounts an adapter loads; each adapter runs it
//! and applies the [`Write`]s in one transaction. The conformance checks for adapters are
//! in `conformance_accounts` (feature `test-util`).

use std::fmt;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::error::StateError;
use crate::ids::AccountId;

/// How many hex digits of the fingerprint a token-based key carries.
const KEY_PREFIX_LEN: usize = 12;

/// A non-reversible fingerprint of an account's credential: SHA-256 over a
/// domain-separation tag and the LWA refresh token (or the MWS seller id), in lowercase
/// hex. Two entries with the same token have the same fingerprint; the token cannot be
/// recovered from it. `Debug` and `Display` show only a short prefix.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenFingerprint(String);

impl TokenFingerprint {
    /// The fingerprint of an LWA refresh token (surrounding whitespace ignored).
    pub fn of_refresh_token(refresh_token: &str) -> Self {
        Self::digest(b"amazon-sync/lwa-refresh-token/v1\0", refresh_token.trim())
    }

    /// The fingerprint of an MWS seller id (MWS has no refresh token; the seller id and
    /// the access key identify the authorisation).
    pub fn of_mws_seller(seller_id: &str) -> Self {
        Self::digest(b"amazon-sync/mws-seller-id/v1\0", seller_id.trim())
    }

    fn digest(tag: &[u8], value: &str) -> Self {
        let mut h = Sha256::new();
        h.update(tag);
        h.update(value.as_bytes());
        let bytes = h.finalize();
        let mut hex = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        Self(hex)
    }

    /// A fingerprint read back from storage: `None` unless it is 64 lowercase hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        (hex.len() == 64 && hex.bytes().all(|b| HEX.contains(&b))).then(|| Self(hex.to_owned()))
    }

    /// The full fingerprint (64 lowercase hex digits), for storage.
    pub fn as_hex(&self) -> &str {
        &self.0
    }

    /// The first `n` hex digits (at most 64).
    pub fn prefix(&self, n: usize) -> &str {
        &self.0[..n.min(self.0.len())]
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl fmt::Debug for TokenFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenFingerprint({}…)", self.prefix(8))
    }
}

impl fmt::Display for TokenFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}…", self.prefix(8))
    }
}

/// What a configuration entry says about the seller behind an account. It holds no
/// secret: the credential enters only as its [`TokenFingerprint`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountIdentity {
    /// The Amazon region (`na`, `eu`, `fe`), lowercase. A seller has one identity per
    /// region (a refresh token is region-scoped).
    pub region: String,
    /// The selling partner id (merchant token, e.g. `A3SANDBOXSELLER`), when known. It is
    /// the MWS `SellerId` too.
    pub selling_partner_id: Option<String>,
    /// The fingerprint of the credential, when there is one.
    pub token_fingerprint: Option<TokenFingerprint>,
    /// The name the user gave the account; only a label.
    pub label: String,
}

impl AccountIdentity {
    /// An identity in `region` (lowercased) labelled `label`, with nothing known yet.
    pub fn new(region: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            region: region.into().trim().to_ascii_lowercase(),
            selling_partner_id: None,
            token_fingerprint: None,
            label: label.into(),
        }
    }

    /// With the selling partner id (trimmed; an empty one is ignored).
    pub fn selling_partner_id(mut self, id: impl Into<String>) -> Self {
        let id = id.into().trim().to_owned();
        self.selling_partner_id = (!id.is_empty()).then_some(id);
        self
    }

    /// With the credential's fingerprint.
    pub fn token_fingerprint(mut self, fingerprint: TokenFingerprint) -> Self {
        self.token_fingerprint = Some(fingerprint);
        self
    }

    /// The key a new account with this identity gets: `{region}:{selling_partner_id}`,
    /// else `{region}:tok-{first 12 hex digits of the fingerprint}`.
    pub fn new_key(&self) -> Option<AccountId> {
        if let Some(id) = &self.selling_partner_id {
            return Some(AccountId::new(format!("{}:{id}", self.region)));
        }
        self.token_fingerprint
            .as_ref()
            .map(|fp| AccountId::new(format!("{}:tok-{}", self.region, fp.prefix(KEY_PREFIX_LEN))))
    }

    /// The keys a resolution may look at besides its matches: the label (legacy
    /// adoption) and the new keys it may create (to avoid a collision). An adapter that
    /// does not load every stored account loads these rows plus the matches.
    pub fn relevant_keys(&self) -> Vec<AccountId> {
        let mut keys = vec![AccountId::new(self.label.as_str())];
        keys.extend(self.new_key());
        if let Some(fp) = &self.token_fingerprint {
            keys.push(AccountId::new(format!(
                "{}:tok-{}",
                self.region,
                fp.as_hex()
            )));
        }
        keys
    }
}

/// An account the directory knows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KnownAccount {
    /// The stable key everything is stored under.
    pub key: AccountId,
    /// The label it was last resolved with.
    pub label: String,
    /// The region, lowercase.
    pub region: String,
    /// The selling partner id, once known.
    pub selling_partner_id: Option<String>,
    /// The fingerprint of the credential it was last resolved with.
    pub token_fingerprint: Option<TokenFingerprint>,
}

impl KnownAccount {
    /// An account record (for adapters reading their storage).
    pub fn new(
        key: AccountId,
        label: impl Into<String>,
        region: impl Into<String>,
        selling_partner_id: Option<String>,
        token_fingerprint: Option<TokenFingerprint>,
    ) -> Self {
        Self {
            key,
            label: label.into(),
            region: region.into(),
            selling_partner_id,
            token_fingerprint,
        }
    }
}

/// One change a resolution makes to the directory, applied in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Write {
    /// Add this account (its key is new).
    Insert(KnownAccount),
    /// Replace the stored account with this key by this one.
    Update(KnownAccount),
}

/// The outcome of [`plan_resolution`]: the key, and what to store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Plan {
    /// The account's key.
    pub key: AccountId,
    /// The writes, in the order they must be applied (none when nothing changed).
    pub writes: Vec<Write>,
}

/// The stored account an identity names, without storing anything: same region and
/// selling partner id, else same region and fingerprint, else the account labelled (or,
/// from before the directory, keyed) with the identity's label unless it is known to be
/// another seller. For read-only views (`status`) that must not create accounts.
pub fn find_known<'a>(
    identity: &AccountIdentity,
    accounts: &'a [KnownAccount],
) -> Option<&'a KnownAccount> {
    by_partner(identity, accounts)
        .or_else(|| by_fingerprint(identity, accounts))
        .or_else(|| {
            // By label only an account that is not known to be another seller.
            let compatible =
                |a: &&KnownAccount| match (&a.selling_partner_id, &identity.selling_partner_id) {
                    (Some(known), Some(named)) => known == named,
                    _ => true,
                };
            accounts
                .iter()
                .filter(compatible)
                .find(|a| a.region == identity.region && a.label == identity.label)
                .or_else(|| {
                    accounts
                        .iter()
                        .filter(compatible)
                        .find(|a| a.key.as_str() == identity.label)
                })
        })
}

fn by_partner<'a>(
    identity: &AccountIdentity,
    accounts: &'a [KnownAccount],
) -> Option<&'a KnownAccount> {
    let id = identity.selling_partner_id.as_ref()?;
    accounts
        .iter()
        .find(|a| a.region == identity.region && a.selling_partner_id.as_ref() == Some(id))
}

fn by_fingerprint<'a>(
    identity: &AccountIdentity,
    accounts: &'a [KnownAccount],
) -> Option<&'a KnownAccount> {
    let fp = identity.token_fingerprint.as_ref()?;
    accounts
        .iter()
        .find(|a| a.region == identity.region && a.token_fingerprint.as_ref() == Some(fp))
}

/// Decides how `identity` resolves, given the stored accounts (all of them, or at least
/// those with the identity's region and selling partner id or fingerprint, and those
/// keyed by one of [`AccountIdentity::relevant_keys`]) and whether the state holds data
/// under the label itself from before the directory existed (`legacy_data`).
///
/// An adapter runs this and applies the writes in one transaction, so concurrent
/// resolutions of one seller agree on one key.
///
/// # Errors
///
/// [`StateError::Identity`] when the identity names no seller (neither selling partner
/// id nor fingerprint, and no legacy data to adopt), or when its credential is known to
/// belong to another selling partner id than the one it names.
pub fn plan_resolution(
    identity: &AccountIdentity,
    accounts: &[KnownAccount],
    legacy_data: bool,
) -> Result<Plan, StateError> {
    let mut writes = Vec::new();
    let partner = by_partner(identity, accounts);
    let token = by_fingerprint(identity, accounts);

    if let Some(found) = partner {
        let mut row = found.clone();
        row.label = identity.label.clone();
        if let Some(holder) = token.filter(|t| t.key != found.key) {
            match &holder.selling_partner_id {
                // The token is now known to be this seller's: the other account, keyed
                // by the token alone before the seller id was known, gives it up.
                None => {
                    let mut other = holder.clone();
                    other.token_fingerprint = None;
                    writes.push(Write::Update(other));
                }
                Some(other_id) => {
                    return Err(StateError::Identity(format!(
                        "account {:?}: its credential belongs to selling partner {other_id} (account key {}), not to {} (account key {})",
                        identity.label,
                        holder.key,
                        identity.selling_partner_id.as_deref().unwrap_or_default(),
                        found.key
                    )));
                }
            }
        }
        if identity.token_fingerprint.is_some() {
            row.token_fingerprint = identity.token_fingerprint.clone();
        }
        if &row != found {
            writes.push(Write::Update(row));
        }
        return Ok(Plan {
            key: found.key.clone(),
            writes,
        });
    }

    if let Some(found) = token {
        if let (Some(known), Some(named)) =
            (&found.selling_partner_id, &identity.selling_partner_id)
        {
            if known != named {
                return Err(StateError::Identity(format!(
                    "account {:?} names selling partner {named}, but its credential belongs to selling partner {known} (account key {})",
                    identity.label, found.key
                )));
            }
        }
        let mut row = found.clone();
        row.label = identity.label.clone();
        if row.selling_partner_id.is_none() {
            row.selling_partner_id = identity.selling_partner_id.clone();
        }
        if &row != found {
            writes.push(Write::Update(row));
        }
        return Ok(Plan {
            key: found.key.clone(),
            writes,
        });
    }

    let label_key = AccountId::new(identity.label.as_str());
    let label_taken = accounts.iter().any(|a| a.key == label_key);
    if legacy_data && !label_taken {
        let row = KnownAccount::new(
            label_key.clone(),
            identity.label.clone(),
            identity.region.clone(),
            identity.selling_partner_id.clone(),
            identity.token_fingerprint.clone(),
        );
        return Ok(Plan {
            key: label_key,
            writes: vec![Write::Insert(row)],
        });
    }

    let taken = |k: &AccountId| accounts.iter().any(|a| &a.key == k);
    let key = match (&identity.selling_partner_id, &identity.token_fingerprint) {
        (Some(id), _) => AccountId::new(format!("{}:{id}", identity.region)),
        (None, Some(fp)) => {
            let short = AccountId::new(format!(
                "{}:tok-{}",
                identity.region,
                fp.prefix(KEY_PREFIX_LEN)
            ));
            if taken(&short) {
                AccountId::new(format!("{}:tok-{}", identity.region, fp.as_hex()))
            } else {
                short
            }
        }
        (None, None) => {
            return Err(StateError::Identity(format!(
                "account {:?} names no seller: give its selling partner id or its credential",
                identity.label
            )));
        }
    };
    if taken(&key) {
        return Err(StateError::Identity(format!(
            "account {:?}: the key {key} is already used by another account",
            identity.label
        )));
    }
    let row = KnownAccount::new(
        key.clone(),
        identity.label.clone(),
        identity.region.clone(),
        identity.selling_partner_id.clone(),
        identity.token_fingerprint.clone(),
    );
    Ok(Plan {
        key,
        writes: vec![Write::Insert(row)],
    })
}

/// Where accounts' stable keys come from. Object-safe (`Arc<dyn AccountDirectory>`);
/// implemented by the state adapters (checked by the conformance suite).
#[async_trait]
pub trait AccountDirectory: Send + Sync {
    /// The key of the account `identity` names, stored or created per the module's rules
    /// ([`plan_resolution`]), with what was learned (selling partner id, current label,
    /// current fingerprint) stored. Concurrent calls for one seller return one key.
    async fn resolve(&self, identity: &AccountIdentity) -> Result<AccountId, StateError>;

    /// Every known account, ordered by key.
    async fn list(&self) -> Result<Vec<KnownAccount>, StateError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(token: &str) -> TokenFingerprint {
        TokenFingerprint::of_refresh_token(token)
    }

    fn apply(accounts: &mut Vec<KnownAccount>, plan: &Plan) {
        for w in &plan.writes {
            match w {
                Write::Insert(a) => {
                    assert!(
                        accounts.iter().all(|x| x.key != a.key),
                        "insert of a taken key"
                    );
                    accounts.push(a.clone());
                }
                Write::Update(a) => {
                    let slot = accounts
                        .iter_mut()
                        .find(|x| x.key == a.key)
                        .expect("update of a known key");
                    *slot = a.clone();
                }
            }
        }
    }

    fn resolve(accounts: &mut Vec<KnownAccount>, id: &AccountIdentity, legacy: bool) -> String {
        let plan = plan_resolution(id, accounts, legacy).expect("resolves");
        apply(accounts, &plan);
        plan.key.into_inner()
    }

    #[test]
    fn fingerprints_are_stable_hex_and_never_show_the_token() {
        let a = fp("Atzr|secret-token");
        assert_eq!(a, fp("  Atzr|secret-token\n"));
        assert_ne!(a, fp("Atzr|other"));
        assert_ne!(a, TokenFingerprint::of_mws_seller("Atzr|secret-token"));
        assert_eq!(a.as_hex().len(), 64);
        assert_eq!(TokenFingerprint::from_hex(a.as_hex()), Some(a.clone()));
        assert_eq!(TokenFingerprint::from_hex("xyz"), None);
        let shown = format!("{a:?} {a}");
        assert!(!shown.contains("secret"));
        assert!(
            !shown.contains(a.as_hex()),
            "only a prefix is shown: {shown}"
        );
        let id = AccountIdentity::new("NA", "main").token_fingerprint(a);
        assert!(!format!("{id:?}").contains("secret"));
    }

    #[test]
    fn new_keys_prefer_the_selling_partner_id() {
        let mut dir = Vec::new();
        let id = AccountIdentity::new("EU", "shop")
            .selling_partner_id(" A1SELLER ")
            .token_fingerprint(fp("t1"));
        assert_eq!(resolve(&mut dir, &id, false), "eu:A1SELLER");
        let tok = AccountIdentity::new("na", "other").token_fingerprint(fp("t2"));
        let key = resolve(&mut dir, &tok, false);
        assert_eq!(key, format!("na:tok-{}", fp("t2").prefix(12)));
        assert_eq!(dir.len(), 2);
    }

    #[test]
    fn renaming_keeps_the_key_and_stores_the_label() {
        let mut dir = Vec::new();
        let first = AccountIdentity::new("na", "main")
            .selling_partner_id("A1")
            .token_fingerprint(fp("t"));
        let key = resolve(&mut dir, &first, false);
        let renamed = AccountIdentity::new("na", "us-shop")
            .selling_partner_id("A1")
            .token_fingerprint(fp("t"));
        assert_eq!(resolve(&mut dir, &renamed, false), key);
        assert_eq!(dir.len(), 1);
        assert_eq!(dir[0].label, "us-shop");
        // Same again: nothing to write.
        let plan = plan_resolution(&renamed, &dir, false).unwrap();
        assert!(plan.writes.is_empty());
    }

    #[test]
    fn the_seller_id_is_learned_once_on_the_token_match() {
        let mut dir = Vec::new();
        let token_only = AccountIdentity::new("na", "main").token_fingerprint(fp("t"));
        let key = resolve(&mut dir, &token_only, false);
        let learned = token_only.clone().selling_partner_id("A1");
        assert_eq!(resolve(&mut dir, &learned, false), key);
        assert_eq!(dir[0].selling_partner_id.as_deref(), Some("A1"));
        // A new token for the same seller: found by the seller id, fingerprint replaced.
        let rotated = AccountIdentity::new("na", "main")
            .selling_partner_id("A1")
            .token_fingerprint(fp("t-new"));
        assert_eq!(resolve(&mut dir, &rotated, false), key);
        assert_eq!(dir[0].token_fingerprint, Some(fp("t-new")));
        // And without the seller id again, the new token alone finds it.
        let token_again = AccountIdentity::new("na", "renamed").token_fingerprint(fp("t-new"));
        assert_eq!(resolve(&mut dir, &token_again, false), key);
    }

    #[test]
    fn regions_are_separate_sellers() {
        let mut dir = Vec::new();
        let na = AccountIdentity::new("na", "a").selling_partner_id("A1");
        let eu = AccountIdentity::new("eu", "b").selling_partner_id("A1");
        assert_ne!(resolve(&mut dir, &na, false), resolve(&mut dir, &eu, false));
    }

    #[test]
    fn legacy_data_is_adopted_under_its_label_once() {
        let mut dir = Vec::new();
        let old = AccountIdentity::new("na", "main").token_fingerprint(fp("t"));
        assert_eq!(resolve(&mut dir, &old, true), "main");
        // Renamed afterwards: still the adopted key.
        let renamed = AccountIdentity::new("na", "shop").token_fingerprint(fp("t"));
        assert_eq!(resolve(&mut dir, &renamed, true), "main");
        // Another seller now labelled "main" does not get that data.
        let other = AccountIdentity::new("na", "main").token_fingerprint(fp("u"));
        assert_ne!(resolve(&mut dir, &other, true), "main");
    }

    #[test]
    fn contradictions_and_anonymous_identities_are_refused() {
        let mut dir = Vec::new();
        let a = AccountIdentity::new("na", "a")
            .selling_partner_id("A1")
            .token_fingerprint(fp("t"));
        resolve(&mut dir, &a, false);
        let wrong = AccountIdentity::new("na", "a")
            .selling_partner_id("B2")
            .token_fingerprint(fp("t"));
        let err = plan_resolution(&wrong, &dir, false).unwrap_err();
        assert!(matches!(err, StateError::Identity(_)), "{err}");
        assert!(err.to_string().contains("A1") && err.to_string().contains("B2"));
        let nobody = AccountIdentity::new("na", "x");
        assert!(matches!(
            plan_resolution(&nobody, &dir, false),
            Err(StateError::Identity(_))
        ));
        // With legacy data, a bare label is adopted.
        assert_eq!(resolve(&mut dir, &nobody, true), "x");
    }

    #[test]
    fn a_token_only_account_gives_its_token_to_the_seller_account() {
        let mut dir = Vec::new();
        let seller = AccountIdentity::new("na", "a")
            .selling_partner_id("A1")
            .token_fingerprint(fp("t1"));
        let key = resolve(&mut dir, &seller, false);
        let token_only = AccountIdentity::new("na", "b").token_fingerprint(fp("t2"));
        let other = resolve(&mut dir, &token_only, false);
        assert_ne!(key, other);
        let both = AccountIdentity::new("na", "a")
            .selling_partner_id("A1")
            .token_fingerprint(fp("t2"));
        assert_eq!(resolve(&mut dir, &both, false), key);
        let holders: Vec<_> = dir
            .iter()
            .filter(|a| a.token_fingerprint == Some(fp("t2")))
            .collect();
        assert_eq!(holders.len(), 1);
        assert_eq!(holders[0].key.as_str(), key);
    }

    #[test]
    fn find_known_reads_without_writing() {
        let mut dir = Vec::new();
        let a = AccountIdentity::new("na", "a").selling_partner_id("A1");
        let key = resolve(&mut dir, &a, false);
        let by_label = AccountIdentity::new("na", "a");
        assert_eq!(
            find_known(&by_label, &dir).map(|k| k.key.as_str()),
            Some(key.as_str())
        );
        assert!(find_known(&AccountIdentity::new("na", "zz"), &dir).is_none());
        let other_seller = AccountIdentity::new("na", "a").selling_partner_id("B2");
        assert!(find_known(&other_seller, &dir).is_none());
    }
}
