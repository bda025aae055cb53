//! The outbound pipeline: one outbox for everything the engine sends to Amazon.
//!
//! Every message (today: a package's tracking; next: acknowledgements, cancellations,
//! refunds, stock, prices, listing state) is an [`OutboxEntry`] keyed by its
//! [`OutboxKind`] and a subject (for a package, `order/package`). The entry carries the
//! [`OutboxPayload`], a content hash and a version: a payload that changes after it was
//! sent (a tracking correction) becomes the next version and is sent again.
//!
//! The state machine, kept by every [`SyncState`](crate::state::SyncState) adapter and
//! checked by the conformance suite:
//!
//! ```text
//!            offer                claim (lease: owner + expiry)
//!  (host) ─────────► Pending ───────────────────────────► Claimed ──send──► Confirmed
//!                     ▲  ▲ │ hold                            │  │  │         (final per version)
//!                     │  │ └──────► Held ──(until)──► claim  │  │  └──────► Rejected / Refused
//!        not applied  │  │                                   │  │             (final per version)
//!       (429, resent) │  └─────────── verified: absent ──────┤  │ timeout, dropped answer, 5xx
//!                     │                                      │  ▼
//!                     └── backoff ◄───────────────────── Unknown ──verified: present──► Confirmed
//! ```
//!
//! - A claim names its owner and expires ([`Lease`]). A live lease cannot be claimed by
//!   anyone else; an expired one can, and the claimer then treats the outcome of the lost
//!   attempt as unknown.
//! - An entry whose outcome is unknown is verified against Amazon's view before anything is
//!   sent again, never blindly resent.
//! - Each entry has its own next-attempt time with backoff: a held, refused or failing entry
//!   never blocks the others.
//! - The finish of an attempt applies only while the finisher still holds the lease and the
//!   version it sent is still the current one, so a slow worker cannot overwrite a newer
//!   version's state.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::ids::{AmazonOrderId, PackageRef};
use crate::model::HostShipment;

/// What kind of message an outbox entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OutboxKind {
    /// A package with tracking (`confirmShipment`).
    Shipment,
}

impl OutboxKind {
    /// Every kind.
    pub const ALL: [OutboxKind; 1] = [OutboxKind::Shipment];

    /// A stable name, for storage and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Shipment => "shipment",
        }
    }

    /// Parses [`as_str`](Self::as_str) back.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for OutboxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which host system reported the message, and so receives its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Origin {
    /// The order store (cart, ERP).
    Store,
    /// The warehouse (3PL, WMS).
    Warehouse,
}

impl Origin {
    /// A stable name, for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Store => "store",
            Origin::Warehouse => "warehouse",
        }
    }

    /// Parses [`as_str`](Self::as_str) back.
    pub fn parse(s: &str) -> Option<Self> {
        [Origin::Store, Origin::Warehouse]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// What an outbox entry sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OutboxPayload {
    /// A package to confirm.
    Shipment(HostShipment),
}

impl OutboxPayload {
    /// The kind of message.
    pub fn kind(&self) -> OutboxKind {
        match self {
            OutboxPayload::Shipment(_) => OutboxKind::Shipment,
        }
    }

    /// What the message is about, unique within its kind and account (for a package:
    /// `order/package`).
    pub fn subject(&self) -> String {
        match self {
            OutboxPayload::Shipment(s) => shipment_subject(&s.amazon_order_id, &s.package),
        }
    }

    /// A hash of the content (hex SHA-256 of a canonical encoding): equal payloads have
    /// equal hashes, whichever process computed them.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        match self {
            OutboxPayload::Shipment(s) => {
                let mut field = |name: &str, value: &str| {
                    h.update(name.as_bytes());
                    h.update((value.len() as u64).to_be_bytes());
                    h.update(value.as_bytes());
                };
                field("order", s.amazon_order_id.as_str());
                field("package", s.package.as_str());
                field("carrier", &s.carrier);
                field("service", s.service.as_deref().unwrap_or("\u{0}"));
                field("tracking", s.tracking_number.trim());
                field("ship_date", &s.ship_date.unix_timestamp().to_string());
                field(
                    "despite_cancel",
                    if s.shipped_despite_cancellation {
                        "1"
                    } else {
                        "0"
                    },
                );
                for i in &s.items {
                    field("item", i.item_id.as_str());
                    field("qty", &i.quantity.to_string());
                }
            }
        }
        h.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    }

    /// The shipment, for a shipment message.
    pub fn as_shipment(&self) -> Option<&HostShipment> {
        match self {
            OutboxPayload::Shipment(s) => Some(s),
        }
    }
}

/// The subject of a package's entry: `order/package`.
pub fn shipment_subject(order: &AmazonOrderId, package: &PackageRef) -> String {
    format!("{order}/{package}")
}

/// A claim on an entry: who holds it and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The holder (see [`owner_id`]).
    pub owner: String,
    /// When the lease ends; after it anyone may claim the entry.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl Lease {
    /// Whether the lease still holds at `now`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        self.expires_at > now
    }
}

/// Where an outbox entry stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OutboxStatus {
    /// Waiting to be sent (at the entry's next-attempt time).
    Pending,
    /// Held back for a reason that will pass (e.g. a future ship date, or an outcome that
    /// only an operator can settle).
    Held {
        /// Why.
        reason: String,
        /// Until when, if known.
        #[serde(with = "time::serde::rfc3339::option")]
        until: Option<OffsetDateTime>,
    },
    /// Claimed by the lease holder, who may be sending it now. Found with an expired lease,
    /// it means the holder died mid-attempt: the outcome is unknown.
    Claimed,
    /// Sent and accepted for processing; the result is not known yet (a feed).
    Sent {
        /// Amazon's reference (e.g. a feed id).
        reference: String,
    },
    /// The attempt may or may not have been applied (a timeout, a dropped connection, a
    /// 5xx after the send). The next attempt first reads Amazon's view.
    Unknown {
        /// What happened.
        error: String,
    },
    /// Amazon applied this version. Final until the payload changes.
    Confirmed {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// Refused by the engine before sending. Final until the payload changes.
    Refused {
        /// Why.
        reason: String,
    },
    /// Rejected by Amazon. Final until the payload changes.
    Rejected {
        /// Amazon's message.
        message: String,
    },
}

impl OutboxStatus {
    /// Whether nothing more will be sent for this version.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            OutboxStatus::Confirmed { .. }
                | OutboxStatus::Refused { .. }
                | OutboxStatus::Rejected { .. }
        )
    }

    /// Whether an attempt of this version may have reached Amazon without its outcome
    /// being recorded (an unknown outcome, or a claim whose holder vanished).
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            OutboxStatus::Unknown { .. } | OutboxStatus::Claimed | OutboxStatus::Sent { .. }
        )
    }

    /// A stable name (`pending`, `held`, ...), for storage and status output.
    pub fn name(&self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Held { .. } => "held",
            OutboxStatus::Claimed => "claimed",
            OutboxStatus::Sent { .. } => "sent",
            OutboxStatus::Unknown { .. } => "unknown",
            OutboxStatus::Confirmed { .. } => "confirmed",
            OutboxStatus::Refused { .. } => "refused",
            OutboxStatus::Rejected { .. } => "rejected",
        }
    }
}

/// One message for Amazon, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// What is sent.
    pub payload: OutboxPayload,
    /// Who reported it (and receives the result).
    pub origin: Origin,
    /// The version of the payload: 1 for the first, one more for each change.
    pub version: u32,
    /// [`OutboxPayload::content_hash`] of the payload.
    pub content_hash: String,
    /// Where it stands.
    pub status: OutboxStatus,
    /// Claims of this version so far.
    pub attempts: u32,
    /// The last error, if an attempt failed.
    pub last_error: Option<String>,
    /// Not to be attempted before this time.
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    /// The current claim, if any (it may have expired).
    pub lease: Option<Lease>,
    /// Whether the host has been told the current status (see
    /// [`SyncState::outbox_reported`](crate::state::SyncState::outbox_reported)).
    pub reported: bool,
    /// When the entry last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl OutboxEntry {
    /// A new pending entry (version 1), due at `now`.
    pub fn new(payload: OutboxPayload, origin: Origin, now: OffsetDateTime) -> Self {
        Self {
            content_hash: payload.content_hash(),
            payload,
            origin,
            version: 1,
            status: OutboxStatus::Pending,
            attempts: 0,
            last_error: None,
            next_attempt_at: now,
            lease: None,
            reported: false,
            updated_at: now,
        }
    }

    /// The kind of message.
    pub fn kind(&self) -> OutboxKind {
        self.payload.kind()
    }

    /// The subject (see [`OutboxPayload::subject`]).
    pub fn subject(&self) -> String {
        self.payload.subject()
    }

    /// Whether another owner than `owner` holds a live lease at `now`.
    pub fn leased_to_other(&self, owner: &str, now: OffsetDateTime) -> bool {
        self.lease
            .as_ref()
            .is_some_and(|l| l.owner != owner && l.is_live(now))
    }

    /// Whether a claim by `owner` at `now` would succeed (see [`Claim`]).
    pub fn claimable(&self, owner: &str, now: OffsetDateTime) -> bool {
        !self.status.is_final() && !self.leased_to_other(owner, now) && self.next_attempt_at <= now
    }
}

/// What offering a payload to the outbox did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Offered {
    /// A new entry (version 1).
    New(OutboxEntry),
    /// The payload differs from the stored one: this is its next version, pending.
    NewVersion(OutboxEntry),
    /// The same payload is already there; nothing changed.
    Unchanged(OutboxEntry),
}

impl Offered {
    /// The entry as stored now.
    pub fn entry(&self) -> &OutboxEntry {
        match self {
            Offered::New(e) | Offered::NewVersion(e) | Offered::Unchanged(e) => e,
        }
    }
}

/// The result of claiming an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// Claimed: the entry as stored now (status `Claimed`, lease to the claimer, attempts
    /// counted) and its status before the claim. A `previous` for which
    /// [`OutboxStatus::outcome_unknown`] holds means an earlier attempt may have reached
    /// Amazon: verify before sending.
    Claimed {
        /// The entry after the claim.
        entry: Box<OutboxEntry>,
        /// The status before the claim.
        previous: OutboxStatus,
    },
    /// Another owner holds a live lease.
    Busy {
        /// Who.
        owner: String,
        /// Until when.
        until: OffsetDateTime,
    },
    /// Not due yet.
    NotDue {
        /// The next-attempt time.
        at: OffsetDateTime,
    },
    /// Final for its version: nothing to send.
    Final(OutboxStatus),
    /// No such entry.
    Missing,
}

/// How an attempt ended, recorded by [`SyncState::outbox_finish`](crate::state::SyncState::outbox_finish).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finish {
    /// The version the attempt sent; the finish applies only while it is current.
    pub version: u32,
    /// The new status (not `Claimed`).
    pub status: OutboxStatus,
    /// The next-attempt time (for non-final statuses).
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    /// The error to keep, if any.
    pub last_error: Option<String>,
}

/// A per-(account, job) lock with a lease, so that two processes never run the same job of
/// the same account at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RunLock {
    /// The caller holds the lock until `until`.
    Acquired {
        /// The end of the lease (renew before it).
        #[serde(with = "time::serde::rfc3339")]
        until: OffsetDateTime,
    },
    /// Someone else holds it.
    Held {
        /// Who (see [`owner_id`]).
        owner: String,
        /// Until when, unless renewed.
        #[serde(with = "time::serde::rfc3339")]
        until: OffsetDateTime,
    },
}

/// The transitions of the state machine as pure functions over the stored entry, so that
/// every adapter keeps the same rules: read the entry (under the adapter's lock or
/// transaction), apply, and write back what comes out.
pub mod transition {
    use super::*;

    /// [`SyncState::outbox_offer`](crate::state::SyncState::outbox_offer): what to answer,
    /// and the entry to store (`None`: nothing changes).
    pub fn offer(
        held: Option<&OutboxEntry>,
        payload: &OutboxPayload,
        origin: Origin,
        now: OffsetDateTime,
    ) -> (Offered, Option<OutboxEntry>) {
        let hash = payload.content_hash();
        match held {
            None => {
                let e = OutboxEntry::new(payload.clone(), origin, now);
                (Offered::New(e.clone()), Some(e))
            }
            Some(h) if h.content_hash == hash && h.origin == origin => {
                (Offered::Unchanged(h.clone()), None)
            }
            Some(h) if h.content_hash == hash => {
                // The same content reported by the other host: results go there now.
                let e = OutboxEntry {
                    origin,
                    reported: false,
                    ..h.clone()
                };
                (Offered::Unchanged(e.clone()), Some(e))
            }
            Some(h) => {
                let e = OutboxEntry {
                    payload: payload.clone(),
                    origin,
                    version: h.version.saturating_add(1),
                    content_hash: hash,
                    status: OutboxStatus::Pending,
                    attempts: 0,
                    last_error: None,
                    next_attempt_at: now,
                    lease: h.lease.clone(),
                    reported: false,
                    updated_at: now,
                };
                (Offered::NewVersion(e.clone()), Some(e))
            }
        }
    }

    /// [`SyncState::outbox_claim`](crate::state::SyncState::outbox_claim).
    pub fn claim(
        held: Option<&OutboxEntry>,
        owner: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> (Claim, Option<OutboxEntry>) {
        let Some(h) = held else {
            return (Claim::Missing, None);
        };
        if h.status.is_final() {
            return (Claim::Final(h.status.clone()), None);
        }
        if let Some(l) = &h.lease {
            if l.owner != owner && l.is_live(now) {
                return (
                    Claim::Busy {
                        owner: l.owner.clone(),
                        until: l.expires_at,
                    },
                    None,
                );
            }
        }
        if h.next_attempt_at > now {
            return (
                Claim::NotDue {
                    at: h.next_attempt_at,
                },
                None,
            );
        }
        let e = OutboxEntry {
            status: OutboxStatus::Claimed,
            attempts: h.attempts.saturating_add(1),
            lease: Some(Lease {
                owner: owner.to_owned(),
                expires_at: lease_until,
            }),
            updated_at: now,
            ..h.clone()
        };
        (
            Claim::Claimed {
                entry: Box::new(e.clone()),
                previous: h.status.clone(),
            },
            Some(e),
        )
    }

    /// [`SyncState::outbox_finish`](crate::state::SyncState::outbox_finish): the entry to
    /// store, or `None` when the finish does not apply.
    pub fn finish(
        held: Option<&OutboxEntry>,
        owner: Option<&str>,
        f: &Finish,
        now: OffsetDateTime,
    ) -> Option<OutboxEntry> {
        let h = held?;
        if h.version != f.version || f.status == OutboxStatus::Claimed {
            return None;
        }
        if let Some(owner) = owner {
            if h.lease.as_ref().is_none_or(|l| l.owner != owner) {
                return None;
            }
        }
        Some(OutboxEntry {
            status: f.status.clone(),
            next_attempt_at: f.next_attempt_at,
            last_error: f.last_error.clone(),
            lease: None,
            reported: false,
            updated_at: now,
            ..h.clone()
        })
    }

    /// [`SyncState::outbox_release_owner`](crate::state::SyncState::outbox_release_owner)
    /// for one entry: the entry to store, when `owner` holds a live lease on it.
    pub fn release(held: &OutboxEntry, owner: &str, now: OffsetDateTime) -> Option<OutboxEntry> {
        let l = held.lease.as_ref()?;
        (l.owner == owner && l.is_live(now)).then(|| OutboxEntry {
            lease: Some(Lease {
                owner: l.owner.clone(),
                expires_at: now,
            }),
            ..held.clone()
        })
    }

    /// [`SyncState::outbox_reported`](crate::state::SyncState::outbox_reported).
    pub fn reported(held: Option<&OutboxEntry>, version: u32) -> Option<OutboxEntry> {
        let h = held?;
        (h.version == version && !h.reported).then(|| OutboxEntry {
            reported: true,
            ..h.clone()
        })
    }

    /// Whether [`SyncState::outbox_due`](crate::state::SyncState::outbox_due) lists the
    /// entry at `now`.
    pub fn is_due(e: &OutboxEntry, now: OffsetDateTime) -> bool {
        if e.status.is_final() {
            return !e.reported;
        }
        e.next_attempt_at <= now && e.lease.as_ref().is_none_or(|l| !l.is_live(now))
    }

    /// [`SyncState::run_lock`](crate::state::SyncState::run_lock): the answer, and the
    /// holder to store (`None`: nothing changes).
    pub fn run_lock(
        held: Option<&Lease>,
        owner: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
        take_over_from: Option<&str>,
    ) -> (RunLock, Option<Lease>) {
        let free = match held {
            None => true,
            Some(l) => l.owner == owner || !l.is_live(now) || take_over_from == Some(&l.owner),
        };
        match held {
            Some(l) if !free => (
                RunLock::Held {
                    owner: l.owner.clone(),
                    until: l.expires_at,
                },
                None,
            ),
            _ => (
                RunLock::Acquired { until },
                Some(Lease {
                    owner: owner.to_owned(),
                    expires_at: until,
                }),
            ),
        }
    }
}

/// The backoff before attempt `attempts + 1` of an entry: `base` (30 s by default)
/// doubling per attempt, at most one hour (or `base`, when that is longer).
/// Deterministic, so tests and operators can predict it.
pub fn backoff(attempts: u32, base: Duration) -> Duration {
    let exp = attempts.saturating_sub(1).min(16);
    let d = base.saturating_mul(2_i32.pow(exp));
    d.min(Duration::hours(1).max(base))
}

/// An owner id for leases and run locks: `host/pid/nonce`, unique per process.
pub fn owner_id() -> String {
    use std::sync::OnceLock;
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "host".into());
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        format!("{host}/{}/{nonce:08x}", std::process::id())
    })
    .clone()
}

/// Whether the owner is a process on this host that no longer runs (Linux only: other
/// systems answer `false`, and leases then simply expire).
pub fn owner_is_dead(owner: &str) -> bool {
    let mut parts = owner.split('/');
    let (Some(host), Some(pid)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if !cfg!(target_os = "linux") || pid == std::process::id() {
        return false;
    }
    let me = owner_id();
    if me.split('/').next() != Some(host) {
        return false;
    }
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrderItemId;
    use crate::model::PackageItem;
    use time::macros::datetime;

    fn ship(tracking: &str) -> HostShipment {
        HostShipment {
            amazon_order_id: AmazonOrderId::new("111-1"),
            package: PackageRef::new("1"),
            carrier: "UPS".into(),
            service: None,
            tracking_number: tracking.into(),
            ship_date: datetime!(2026-06-01 0:00 UTC),
            items: vec![PackageItem {
                item_id: OrderItemId::new("9"),
                quantity: 1,
            }],
            shipped_despite_cancellation: false,
        }
    }

    #[test]
    fn content_hash_tracks_content() {
        let a = OutboxPayload::Shipment(ship("1Z1"));
        assert_eq!(a.content_hash(), a.clone().content_hash());
        assert_eq!(a.content_hash().len(), 64);
        assert_ne!(
            a.content_hash(),
            OutboxPayload::Shipment(ship("1Z2")).content_hash()
        );
        assert_eq!(a.subject(), "111-1/1");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::seconds(30);
        assert_eq!(backoff(1, base), Duration::seconds(30));
        assert_eq!(backoff(2, base), Duration::seconds(60));
        assert_eq!(backoff(4, base), Duration::seconds(240));
        assert_eq!(backoff(40, base), Duration::hours(1));
        assert_eq!(backoff(3, Duration::seconds(1)), Duration::seconds(4));
        assert_eq!(backoff(1, Duration::hours(2)), Duration::hours(2));
    }

    #[test]
    fn owners_are_this_process_and_alive() {
        let me = owner_id();
        assert_eq!(me, owner_id());
        assert!(!owner_is_dead(&me));
        assert!(!owner_is_dead("elsewhere/1/0"));
        assert!(!owner_is_dead("garbage"));
        if cfg!(target_os = "linux") {
            let host = me.split('/').next().unwrap_or_default();
            // pid_max on Linux is at most 2^22: this pid cannot run.
            assert!(owner_is_dead(&format!("{host}/4194305/0")));
        }
    }
}
