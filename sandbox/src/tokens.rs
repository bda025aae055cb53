//! SP-API Tokens 2021-03-01 (`tokens_2021-03-01.json`): `createRestrictedDataToken`.

use serde_json::{Value, json};

use crate::auth::{Caller, Rdt, RestrictedResource};
use crate::http::{Ctx, Reply, str_field};

fn rdt_invalid(details: impl Into<String>) -> Reply {
    Reply {
        status: 400,
        body: Some(json!({"errors": [{
            "code": "InvalidInput",
            "message": "Request is missing or has invalid parameters",
            "details": details.into()
        }]})),
    }
}

pub(crate) fn create_rdt(ctx: &Ctx<'_>) -> Reply {
    let Caller::Lwa(token) = &ctx.caller else {
        return Reply::error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
        );
    };
    let body: Value = match serde_json::from_slice(ctx.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return rdt_invalid("The request body is not valid JSON."),
    };
    let Some(list) = body
        .get("restrictedResources")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    else {
        return rdt_invalid("Resource not provided.");
    };
    if list.len() > 50 {
        return rdt_invalid("At most 50 restricted resources may be requested.");
    }
    let mut resources = Vec::new();
    for r in list {
        let method = str_field(r, "method").unwrap_or_default();
        let path = str_field(r, "path").unwrap_or_default();
        if !["GET", "PUT", "POST", "DELETE"].contains(&method) || path.is_empty() {
            return rdt_invalid("Resource not provided.");
        }
        if method != "GET" || !crate::auth::restricted_path_ok(path) {
            return rdt_invalid(format!("{method} {path} is not a restricted resource."));
        }
        let elements: Vec<String> = r
            .get("dataElements")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(bad) = elements.iter().find(|e| {
            !["buyerInfo", "shippingAddress", "buyerTaxInformation"].contains(&e.as_str())
        }) {
            return rdt_invalid(format!("{bad} is not a valid data element."));
        }
        resources.push(RestrictedResource {
            method: method.to_owned(),
            path: path.to_owned(),
            data_elements: elements,
        });
    }
    let now = ctx.shared.now();
    let lifetime =
        time::Duration::try_from(ctx.shared.cfg.token_lifetime).unwrap_or(time::Duration::HOUR);
    let rdt = Rdt {
        seller: token.seller.clone().unwrap_or_default(),
        client_id: token.client_id.clone(),
        expires: now + lifetime,
        resources,
    };
    let t = crate::state::lock(&ctx.shared.tokens).issue_rdt(rdt);
    Reply::ok(
        json!({"restrictedDataToken": t, "expiresIn": ctx.shared.real_secs(ctx.shared.cfg.token_lifetime)}),
    )
}
