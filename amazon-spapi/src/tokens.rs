//! Tokens API 2021-03-01: restricted data tokens (RDT) for operations that return PII.
//!
//! You rarely call this directly: the Orders v0 operations that return buyer info or
//! addresses ask the client for an RDT themselves, and the client caches one RDT per set of
//! restricted resources for its lifetime (one hour). Generic paths
//! (`/orders/v0/orders/{orderId}`) are used so that one token serves every order.

use crate::client::Client;
use crate::error::Result;
use crate::operation::{
    Method, Operation, OperationInfo, RequestContext, RequestParts, decode_json,
};
use crate::serde_util::open_enum;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// `createRestrictedDataToken`: 1 request/s, burst 10.
pub const CREATE_RESTRICTED_DATA_TOKEN: OperationInfo =
    OperationInfo::new("createRestrictedDataToken", 1.0, 10, true);

open_enum! {
    /// HTTP method of a restricted resource.
    pub enum RestrictedMethod {
        /// GET
        Get => "GET",
        /// PUT
        Put => "PUT",
        /// POST
        Post => "POST",
        /// DELETE
        Delete => "DELETE",
    }
}

open_enum! {
    /// The kind of PII requested for an Orders resource (`dataElements`).
    pub enum DataElement {
        /// Buyer identity and tax info (order level); gift wrap and Amazon Custom (item level).
        BuyerInfo => "buyerInfo",
        /// The shipping address.
        ShippingAddress => "shippingAddress",
        /// Buyer tax information.
        BuyerTaxInformation => "buyerTaxInformation",
    }
}

/// One restricted resource: method, path (generic or specific) and requested data elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RestrictedResource {
    /// HTTP method of the restricted operation.
    pub method: RestrictedMethod,
    /// Path of the restricted operation, e.g. `/orders/v0/orders/{orderId}/address`.
    pub path: String,
    /// Requested PII kinds (only meaningful for getOrder, getOrders and getOrderItems).
    #[serde(
        rename = "dataElements",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub data_elements: Vec<DataElement>,
}

impl RestrictedResource {
    /// A GET resource.
    pub fn get(path: impl Into<String>, data_elements: Vec<DataElement>) -> Self {
        RestrictedResource {
            method: RestrictedMethod::Get,
            path: path.into(),
            data_elements,
        }
    }

    /// A canonical cache key for a set of resources (order-independent).
    pub(crate) fn cache_key(resources: &[RestrictedResource]) -> String {
        let mut parts: Vec<String> = resources
            .iter()
            .map(|r| {
                let mut els: Vec<&str> = r.data_elements.iter().map(DataElement::as_str).collect();
                els.sort_unstable();
                els.dedup();
                format!("{} {} [{}]", r.method.as_str(), r.path, els.join(","))
            })
            .collect();
        parts.sort();
        parts.dedup();
        parts.join(";")
    }
}

/// Body of `createRestrictedDataToken`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateRestrictedDataTokenRequest {
    /// Delegatee application id, when delegating access.
    #[serde(
        rename = "targetApplication",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_application: Option<String>,
    /// The resources (at most 50).
    #[serde(rename = "restrictedResources")]
    pub restricted_resources: Vec<RestrictedResource>,
}

impl CreateRestrictedDataTokenRequest {
    /// A request for these resources.
    pub fn new(restricted_resources: Vec<RestrictedResource>) -> Self {
        CreateRestrictedDataTokenRequest {
            target_application: None,
            restricted_resources,
        }
    }
}

/// A restricted data token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RestrictedDataToken {
    /// The token (send as `x-amz-access-token`).
    pub restricted_data_token: SecretString,
    /// Lifetime in seconds (3600).
    pub expires_in: u64,
}

#[derive(Deserialize)]
struct RawRestrictedDataToken {
    #[serde(rename = "restrictedDataToken")]
    restricted_data_token: String,
    #[serde(rename = "expiresIn", default = "default_expiry")]
    expires_in: u64,
}

fn default_expiry() -> u64 {
    3600
}

impl RestrictedDataToken {
    /// Lifetime as a duration.
    pub fn lifetime(&self) -> Duration {
        Duration::from_secs(self.expires_in)
    }
}

impl Operation for CreateRestrictedDataTokenRequest {
    type Output = RestrictedDataToken;

    fn info(&self) -> &'static OperationInfo {
        &CREATE_RESTRICTED_DATA_TOKEN
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        if self.restricted_resources.is_empty() || self.restricted_resources.len() > 50 {
            return Err(crate::Error::InvalidRequest(
                "restrictedResources must hold 1 to 50 resources".into(),
            ));
        }
        let body =
            serde_json::to_value(self).map_err(|e| crate::Error::InvalidRequest(e.to_string()))?;
        Ok(RequestParts {
            method: Method::Post,
            path: "/tokens/2021-03-01/restrictedDataToken".into(),
            query: Vec::new(),
            body: Some(body),
            restricted: None,
        })
    }

    fn decode(&self, _status: u16, body: &[u8]) -> Result<RestrictedDataToken> {
        let raw: RawRestrictedDataToken = decode_json(CREATE_RESTRICTED_DATA_TOKEN.name, body)?;
        Ok(RestrictedDataToken {
            restricted_data_token: SecretString::from(raw.restricted_data_token),
            expires_in: raw.expires_in,
        })
    }
}

/// The Tokens API, from [`Client::tokens`].
#[derive(Clone, Debug)]
pub struct TokensApi {
    pub(crate) client: Client,
}

impl TokensApi {
    /// `createRestrictedDataToken`: a fresh RDT for these resources (not cached; the
    /// client's automatic RDT use for Orders v0 caches its own).
    ///
    /// ```no_run
    /// # async fn doc(client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::tokens::{CreateRestrictedDataTokenRequest, DataElement, RestrictedResource};
    /// let rdt = client
    ///     .tokens()
    ///     .create_restricted_data_token(CreateRestrictedDataTokenRequest::new(vec![
    ///         RestrictedResource::get("/orders/v0/orders/{orderId}", vec![DataElement::ShippingAddress]),
    ///     ]))
    ///     .await?;
    /// println!("valid for {:?}", rdt.lifetime());
    /// # Ok(()) }
    /// ```
    pub async fn create_restricted_data_token(
        &self,
        request: CreateRestrictedDataTokenRequest,
    ) -> Result<RestrictedDataToken> {
        self.client.execute(&request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_key_ignores_order() {
        let a = RestrictedResource::get(
            "/a",
            vec![DataElement::ShippingAddress, DataElement::BuyerInfo],
        );
        let b = RestrictedResource::get("/b", vec![]);
        let k1 = RestrictedResource::cache_key(&[a.clone(), b.clone()]);
        let a2 = RestrictedResource::get(
            "/a",
            vec![DataElement::BuyerInfo, DataElement::ShippingAddress],
        );
        assert_eq!(k1, RestrictedResource::cache_key(&[b, a2]));
        assert_eq!(k1, "GET /a [buyerInfo,shippingAddress];GET /b []");
    }

    #[test]
    fn body_matches_model() {
        let r = CreateRestrictedDataTokenRequest::new(vec![RestrictedResource::get(
            "/orders/v0/orders/{orderId}",
            vec![DataElement::BuyerInfo],
        )]);
        let parts = r
            .to_request(&RequestContext {
                now: time::OffsetDateTime::UNIX_EPOCH,
            })
            .expect("parts");
        assert_eq!(
            parts.body,
            Some(
                serde_json::json!({"restrictedResources":[{"method":"GET","path":"/orders/v0/orders/{orderId}","dataElements":["buyerInfo"]}]})
            )
        );
    }
}
