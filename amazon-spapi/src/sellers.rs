//! Sellers API v1: `getMarketplaceParticipations`, the call behind a "test credentials"
//! check (it needs no parameters and works for any selling partner with any role).

use crate::client::Client;
use crate::error::Result;
use crate::operation::{Operation, OperationInfo, RequestContext, RequestParts};
use crate::orders_v0::decode_envelope;
use serde::{Deserialize, Serialize};

/// `getMarketplaceParticipations`: 0.016 requests/s, burst 15.
pub const GET_MARKETPLACE_PARTICIPATIONS: OperationInfo =
    OperationInfo::new("getMarketplaceParticipations", 0.016, 15, true);

/// A marketplace the seller can list in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MarketplaceParticipation {
    /// The marketplace.
    pub marketplace: MarketplaceInfo,
    /// The seller's participation in it.
    pub participation: Participation,
    /// The seller's store name in the marketplace.
    #[serde(default)]
    pub store_name: Option<String>,
}

/// Marketplace details as Sellers returns them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MarketplaceInfo {
    /// The `MarketplaceId`.
    pub id: String,
    /// Marketplace name.
    #[serde(default)]
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    pub country_code: Option<String>,
    /// ISO 4217 default currency.
    #[serde(default)]
    pub default_currency_code: Option<String>,
    /// Default language (e.g. `en_US`).
    #[serde(default)]
    pub default_language_code: Option<String>,
    /// Domain name (e.g. `www.amazon.com`).
    #[serde(default)]
    pub domain_name: Option<String>,
}

/// Participation flags.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Participation {
    /// Whether the seller participates in the marketplace.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub is_participating: Option<bool>,
    /// Whether the seller has suspended listings there.
    #[serde(default, with = "crate::serde_util::lenient_bool")]
    pub has_suspended_listings: Option<bool>,
}

/// The `getMarketplaceParticipations` operation.
#[derive(Clone, Copy, Debug, Default)]
pub struct GetMarketplaceParticipations;

impl Operation for GetMarketplaceParticipations {
    type Output = Vec<MarketplaceParticipation>;

    fn info(&self) -> &'static OperationInfo {
        &GET_MARKETPLACE_PARTICIPATIONS
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        Ok(RequestParts::get(
            "/sellers/v1/marketplaceParticipations".into(),
        ))
    }

    fn decode(&self, status: u16, body: &[u8]) -> Result<Self::Output> {
        decode_envelope(GET_MARKETPLACE_PARTICIPATIONS.name, status, body)
    }
}

/// The Sellers API, from [`Client::sellers`].
#[derive(Clone, Debug)]
pub struct SellersApi {
    pub(crate) client: Client,
}

impl SellersApi {
    /// `getMarketplaceParticipations`: the marketplaces the seller can list in. A success
    /// proves the credentials, the consent and the endpoint are right.
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// match client.sellers().get_marketplace_participations().await {
    ///     Ok(list) => println!("credentials work: {} marketplaces", list.len()),
    ///     Err(e) if e.kind() == spapi_client::ErrorKind::Auth => println!("fix the credentials: {e}"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_marketplace_participations(&self) -> Result<Vec<MarketplaceParticipation>> {
        self.client.execute(&GetMarketplaceParticipations).await
    }
}
