//! SP-API Sellers v1 (`sellers.json`): `getMarketplaceParticipations`.

use serde_json::{Value, json};

use crate::http::{Ctx, Reply};
use crate::marketplaces;

pub(crate) fn marketplace_participations(ctx: &Ctx<'_>) -> Reply {
    let list: Vec<Value> = ctx
        .shared
        .cfg
        .marketplaces
        .iter()
        .filter_map(|id| marketplaces::by_id(id))
        .map(|m| {
            json!({
                "marketplace": {
                    "id": m.id,
                    "name": m.name,
                    "countryCode": m.country,
                    "defaultCurrencyCode": m.currency,
                    "defaultLanguageCode": m.language,
                    "domainName": m.domain
                },
                "participation": {"isParticipating": true, "hasSuspendedListings": false}
            })
        })
        .collect();
    Reply::ok(json!({ "payload": list }))
}
