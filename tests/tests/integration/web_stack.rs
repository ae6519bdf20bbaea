//! The web app in the template: with `WebApp=true`, the site behind CloudFront with the
//! API on the same origin, its security headers and managed login; with
//! `WebApp=false`, none of it.

use std::collections::BTreeSet;

use dragons_contract::web_site::{self, content_security_policy};
use serde_json::{Value, json};

use crate::util::{referenced, resolved, template};

/// The resources that exist only for the web app.
const WEB_RESOURCES: [&str; 8] = [
    "ApiOriginRequestPolicy",
    "AuthBranding",
    "AuthDomain",
    "SiteBucket",
    "SiteBucketPolicy",
    "SiteDistribution",
    "SiteOriginAccessControl",
    "SiteResponseHeadersPolicy",
];

/// The app client's settings that exist only for the web app.
const OAUTH_PROPERTIES: [&str; 6] = [
    "AllowedOAuthFlows",
    "AllowedOAuthFlowsUserPoolClient",
    "AllowedOAuthScopes",
    "CallbackURLs",
    "LogoutURLs",
    "SupportedIdentityProviders",
];

fn web_app(on: bool) -> Value {
    resolved(
        &template(),
        &[("WebApp", if on { "true" } else { "false" })],
    )
}

#[test]
fn without_the_web_app_the_stack_has_none_of_it() {
    let on = web_app(true);
    let off = web_app(false);
    let ids = |t: &Value| -> BTreeSet<String> {
        t["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let web: BTreeSet<String> = WEB_RESOURCES.map(str::to_owned).into();
    assert_eq!(
        ids(&on)
            .difference(&ids(&off))
            .cloned()
            .collect::<BTreeSet<_>>(),
        web
    );
    assert!(ids(&off).is_subset(&ids(&on)));
    // Every other resource is the same in both, but for the app client's OAuth settings.
    for id in ids(&off) {
        let mut with = on["Resources"][&id].clone();
        if id == "UserPoolClient" {
            for property in OAUTH_PROPERTIES {
                assert!(with["Properties"].get(property).is_some(), "{property}");
                with["Properties"].as_object_mut().unwrap().remove(property);
            }
        }
        assert_eq!(with, off["Resources"][&id], "{id}");
    }
    let outputs = |t: &Value| -> BTreeSet<String> {
        t["Outputs"].as_object().unwrap().keys().cloned().collect()
    };
    let site_outputs: BTreeSet<String> = [
        web_site::OUTPUT_SITE_URL,
        web_site::OUTPUT_SITE_API_URL,
        web_site::OUTPUT_DISTRIBUTION_ID,
        web_site::OUTPUT_SITE_BUCKET,
        web_site::OUTPUT_AUTH_URL,
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(
        outputs(&on)
            .difference(&outputs(&off))
            .cloned()
            .collect::<BTreeSet<_>>(),
        site_outputs
    );
    assert!(off["Outputs"].get(web_site::OUTPUT_CLIENT_ID).is_some());
    assert!(referenced(&off).iter().all(|id| !web.contains(id)));
}

#[test]
fn the_distribution_serves_the_private_site_and_the_api_stage_uncached() {
    let on = web_app(true);
    let config = &on["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"];
    let origins = config["Origins"].as_array().unwrap();
    assert_eq!(origins.len(), 2);
    let site = origins.iter().find(|o| o["Id"] == "site").unwrap();
    assert_eq!(
        site["DomainName"],
        json!({ "Fn::GetAtt": ["SiteBucket", "RegionalDomainName"] })
    );
    assert_eq!(
        site["OriginAccessControlId"],
        json!({ "Ref": "SiteOriginAccessControl" })
    );
    let api = origins.iter().find(|o| o["Id"] == "api").unwrap();
    assert_eq!(
        api["DomainName"],
        json!({ "Fn::Sub": "${DragonsApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}" })
    );
    assert_eq!(
        api["CustomOriginConfig"]["OriginProtocolPolicy"],
        "https-only"
    );

    let default = &config["DefaultCacheBehavior"];
    assert_eq!(default["TargetOriginId"], "site");
    assert_eq!(default["ViewerProtocolPolicy"], "redirect-to-https");
    assert_eq!(config["DefaultRootObject"], "index.html");

    let behaviours = config["CacheBehaviors"].as_array().unwrap();
    assert_eq!(behaviours.len(), 1);
    let stage = &behaviours[0];
    assert_eq!(stage["PathPattern"], json!({ "Fn::Sub": "/${ApiStage}/*" }));
    assert_eq!(stage["TargetOriginId"], "api");
    // CloudFront's managed CachingDisabled policy.
    assert_eq!(
        stage["CachePolicyId"],
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    );
    let methods: BTreeSet<&str> = stage["AllowedMethods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        BTreeSet::from(["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"])
    );
    let requests =
        &on["Resources"]["ApiOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"];
    assert_eq!(
        requests["HeadersConfig"],
        json!({ "HeaderBehavior": "allExcept", "Headers": ["Host"] }),
        "Authorization reaches the API; Host stays the API's own"
    );
    assert_eq!(requests["QueryStringsConfig"]["QueryStringBehavior"], "all");
    for behaviour in [default, stage] {
        assert_eq!(
            behaviour["ResponseHeadersPolicyId"],
            json!({ "Ref": "SiteResponseHeadersPolicy" })
        );
    }
}

#[test]
fn pages_get_the_contracts_csp_and_the_security_headers() {
    let on = web_app(true);
    let security = &on["Resources"]["SiteResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
        ["SecurityHeadersConfig"];
    let auth = "https://${AuthDomain}.auth.${AWS::Region}.amazoncognito.com";
    assert_eq!(
        security["ContentSecurityPolicy"],
        json!({
            "ContentSecurityPolicy": { "Fn::Sub": content_security_policy(auth) },
            "Override": true
        })
    );
    assert_eq!(security["FrameOptions"]["FrameOption"], "DENY");
    assert_eq!(security["ContentTypeOptions"]["Override"], true);
    assert_eq!(
        security["ReferrerPolicy"]["ReferrerPolicy"],
        web_site::REFERRER_POLICY
    );
    assert_eq!(
        security["StrictTransportSecurity"]["AccessControlMaxAgeSec"],
        web_site::HSTS_MAX_AGE_SECONDS
    );
    assert_eq!(
        on["Outputs"][web_site::OUTPUT_AUTH_URL]["Value"],
        json!({ "Fn::Sub": auth })
    );
}

#[test]
fn the_app_client_signs_in_with_the_code_grant_back_to_the_site() {
    let on = web_app(true);
    let client = &on["Resources"]["UserPoolClient"]["Properties"];
    let site = json!({ "Fn::Sub": "https://${SiteDistribution.DomainName}/" });
    assert_eq!(client["AllowedOAuthFlows"], json!(["code"]));
    assert_eq!(client["AllowedOAuthFlowsUserPoolClient"], true);
    assert_eq!(client["AllowedOAuthScopes"], json!(["openid", "email"]));
    assert_eq!(client["CallbackURLs"], json!([site]));
    assert_eq!(client["LogoutURLs"], json!([site]));
    assert_eq!(
        client["GenerateSecret"], false,
        "a public client: PKCE, no secret"
    );
    assert_eq!(on["Outputs"][web_site::OUTPUT_SITE_URL]["Value"], site);
    assert_eq!(
        on["Outputs"][web_site::OUTPUT_SITE_API_URL]["Value"],
        json!({ "Fn::Sub": "https://${SiteDistribution.DomainName}/${ApiStage}" })
    );
    let domain = &on["Resources"]["AuthDomain"]["Properties"];
    assert_eq!(domain["ManagedLoginVersion"], 2);
    // With no AuthDomainPrefix given, the prefix is the site bucket's generated name:
    // the stack's name in lower case and a random suffix, valid for any stack name.
    assert_eq!(domain["Domain"], json!({ "Ref": "SiteBucket" }));
    let given = resolved(
        &template(),
        &[("WebApp", "true"), ("AuthDomainPrefix", "dragons-auth")],
    );
    assert_eq!(
        given["Resources"]["AuthDomain"]["Properties"]["Domain"],
        json!({ "Ref": "AuthDomainPrefix" })
    );
}
