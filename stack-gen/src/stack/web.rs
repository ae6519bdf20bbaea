//! The web app (under `WebApp`, on by default): a private S3 bucket for the site, a
//! CloudFront distribution that reads it through Origin Access Control and serves
//! the API's stage on the same origin (uncached), a response headers policy (CSP,
//! HSTS, ...), the user pool's managed login domain, and the app client's OAuth
//! settings (authorization code grant with PKCE; callback and sign-out URL = the site).
//!
//! Why the same origin: the browser calls `https://<site>/<stage>/...`, so it never
//! makes a cross-origin API call and needs no CORS; the API's own CORS (`*`, no
//! credentials: tokens travel in `Authorization`, never in cookies) stays for other
//! clients. With `WebApp=false` none of this exists and the stack is as before.

use dragons_contract::stack_ids::ids;
use dragons_contract::web_site::{
    self, HSTS_MAX_AGE_SECONDS, REFERRER_POLICY, content_security_policy,
};
use stratosphere::services::aws::{cloudfront, cognito, s3};
use stratosphere::value::ExpString;

use super::parameters::{add_switch, is_given, is_on};
use super::storage::{
    SSE_S3_SUFFICES, TLS_CONTROL_READS_ONLY_JOIN, encrypted, owner_enforced, private,
};
use super::{Api, Auth};
use crate::iam::{PolicyDocument, Service, Statement, actions};
use crate::template::{
    Attributes, CheckovSkip, Condition, GuardSuppression, Handle, Output, Param, Parameter, Pseudo,
    Sub, Template, TemplateError,
};

/// CloudFront's managed cache policy `CachingOptimized` (the site's files: honours
/// their `Cache-Control`, compresses).
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// CloudFront's managed cache policy `CachingDisabled` (the API: nothing cached).
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
/// Origin ids within the distribution.
const SITE_ORIGIN: &str = "site";
const API_ORIGIN: &str = "api";
/// The page a request for `/` gets.
const INDEX: &str = "index.html";
/// Every method the API answers (CloudFront's full set; the API refuses the rest).
const API_METHODS: [&str; 7] = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];

const SITE_BUCKET_SKIPS: [CheckovSkip; 2] = [
    CheckovSkip {
        id: "CKV_AWS_18",
        reason: "The site's published files, read only by CloudFront; the distribution is where requests arrive, and a second logging bucket would only log itself.",
    },
    CheckovSkip {
        id: "CKV_AWS_21",
        reason: "Not versioned: the files are built from the repository and published again by publish-web, and versions would keep a WebApp=false update from deleting the bucket until each one is removed by hand.",
    },
];

/// Control Tower's S3 controls that do not fit the site's bucket.
const SITE_BUCKET_SUPPRESSIONS: [GuardSuppression; 5] = [
    GuardSuppression {
        rule: "CT.S3.PR.2",
        reason: SITE_BUCKET_SKIPS[0].reason,
    },
    GuardSuppression {
        rule: "CT.S3.PR.11",
        reason: SITE_BUCKET_SKIPS[1].reason,
    },
    GuardSuppression {
        rule: "CT.S3.PR.9",
        reason: "Object Lock would keep every replaced file of every publish and, like versions, keep a WebApp=false update from deleting the bucket; the files are rebuilt from the repository at will.",
    },
    GuardSuppression {
        rule: "CT.S3.PR.4",
        reason: "Nothing consumes the bucket's events: its files change only through publish-web, which invalidates the distribution itself.",
    },
    SSE_S3_SUFFICES,
];

/// Why the distribution has no certificate of its own.
const DEFAULT_CERTIFICATE: &str = "The site is served on its *.cloudfront.net name with CloudFront's default certificate; a custom certificate (with SNI and a minimum protocol version of TLSv1.2_2021) needs a custom domain and an ACM certificate the operator owns, which the stack does not assume.";

/// Control Tower's CloudFront controls that do not fit the distribution.
const DISTRIBUTION_SUPPRESSIONS: [GuardSuppression; 5] = [
    GuardSuppression {
        rule: "CT.CLOUDFRONT.PR.4",
        reason: "No origin failover: the site has one origin, the private bucket in the stack's region, and the API's stage is regional too; a second origin would need a second copy of the stack in another region.",
    },
    GuardSuppression {
        rule: "CT.CLOUDFRONT.PR.5",
        reason: DISTRIBUTION_SKIPS[1].reason,
    },
    GuardSuppression {
        rule: "CT.CLOUDFRONT.PR.6",
        reason: DEFAULT_CERTIFICATE,
    },
    GuardSuppression {
        rule: "CT.CLOUDFRONT.PR.7",
        reason: DEFAULT_CERTIFICATE,
    },
    GuardSuppression {
        rule: "CT.CLOUDFRONT.PR.9",
        reason: DEFAULT_CERTIFICATE,
    },
];

const DISTRIBUTION_SKIPS: [CheckovSkip; 3] = [
    CheckovSkip {
        id: "CKV_AWS_68",
        reason: "No WAF web ACL: the API behind it has its own stage throttling and a Cognito authorizer on every method, and the site is static files; a web ACL is a per-month cost an operator can attach later.",
    },
    CheckovSkip {
        id: "CKV_AWS_86",
        reason: "Standard logging needs a bucket with ACLs enabled; the API stage already writes an access log of every API request, and the site is static files.",
    },
    CheckovSkip {
        id: "CKV_AWS_174",
        reason: "The distribution uses CloudFront's default certificate (*.cloudfront.net), for which the minimum protocol version cannot be set; a custom domain with an ACM certificate would set TLSv1.2_2021.",
    },
];

/// The managed login domain's URL, `https://<prefix>.auth.<region>.amazoncognito.com`.
fn auth_url(domain: &Handle<cognito::UserPoolDomain_>) -> Sub {
    Sub::new()
        .text("https://")
        .reference(domain)
        .text(".auth.")
        .pseudo(Pseudo::Region)
        .text(".amazoncognito.com")
}

/// `https://<distribution domain>` followed by `path`.
fn on_site(distribution: &Handle<cloudfront::Distribution_>, path: &str) -> Sub {
    Sub::new()
        .text("https://")
        .domain_name_of(distribution)
        .text(path)
}

/// The CSP with the managed login origin substituted in (the contract writes the
/// policy; CloudFormation fills in the domain).
fn csp(domain: &Handle<cognito::UserPoolDomain_>) -> ExpString {
    const MARK: &str = "\u{0}auth\u{0}";
    let policy = content_security_policy(MARK);
    let (before, after) = policy.split_once(MARK).unwrap_or((policy.as_str(), ""));
    Sub::new()
        .text(before)
        .then(auth_url(domain))
        .text(after)
        .build()
}

/// The web app's switches: the `WebApp` parameter and the condition it sets, the
/// managed login's domain prefix and whether one was given.
struct Switches {
    /// `UseWebApp`: everything of the web app exists only under it.
    enabled: Condition,
    /// `AuthDomainPrefix`.
    prefix: Param,
    /// `HasAuthDomainPrefix`.
    has_prefix: Condition,
}

/// What the distribution is built from and what the later parts refer to.
struct Site {
    bucket: Handle<s3::Bucket_>,
    domain: Handle<cognito::UserPoolDomain_>,
    distribution: Handle<cloudfront::Distribution_>,
}

/// Adds the web app's parameters, conditions, resources and outputs, and the app
/// client's OAuth settings, all under `UseWebApp`.
pub fn add(template: &mut Template, auth: &Auth, api: &Api) -> Result<(), TemplateError> {
    let switches = add_switches(template)?;
    let bucket = add_site_bucket(template, &switches.enabled)?;
    let domain = add_auth_domain(template, auth, &switches, &bucket)?;
    let distribution = add_distribution(template, api, &switches.enabled, &bucket, &domain)?;
    let site = Site {
        bucket,
        domain,
        distribution,
    };
    add_site_bucket_policy(template, &switches.enabled, &site)?;
    add_sign_in(template, auth, &switches.enabled, &site)?;
    add_outputs(template, api, &switches.enabled, &site)
}

/// `WebApp` and `AuthDomainPrefix`, and the conditions they set.
fn add_switches(template: &mut Template) -> Result<Switches, TemplateError> {
    let web_app = add_switch(
        template,
        "WebApp",
        "Serve the web app: a private site bucket behind CloudFront (which also serves the API on the same origin) and Cognito managed login for it.",
        true,
    )?;
    let prefix = template.parameter(
        "AuthDomainPrefix",
        Parameter::string(
            "Prefix of the managed login domain <prefix>.auth.<region>.amazoncognito.com (WebApp=true; unique in the Region). Empty: the site bucket's generated name (the stack's name in lower case, then a random suffix).",
            "",
        )
        .allowed_pattern(
            "^$|^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
            "empty, or 1 to 63 lower-case letters, digits and hyphens, not at either end",
        ),
    )?;
    let enabled = is_on(template, "UseWebApp", &web_app)?;
    let has_prefix = is_given(template, "HasAuthDomainPrefix", &prefix)?;
    Ok(Switches {
        enabled,
        prefix,
        has_prefix,
    })
}

/// `<stack>-<region>`: the start of the names CloudFront wants unique in an account.
fn stack_region() -> Sub {
    Sub::new()
        .pseudo(Pseudo::StackName)
        .text("-")
        .pseudo(Pseudo::Region)
}

/// The private bucket of the site's files.
fn add_site_bucket(
    template: &mut Template,
    enabled: &Condition,
) -> Result<Handle<s3::Bucket_>, TemplateError> {
    template.add_with(
        ids::SITE_BUCKET,
        s3::Bucket! {
            bucket_encryption: encrypted(),
            // `publish-web` uploads each file in one request; a failed multipart upload
            // of some other client leaves no parts for long.
            lifecycle_configuration: s3::bucket::LifecycleConfiguration! {
                rules: vec![s3::bucket::Rule! {
                    abort_incomplete_multipart_upload: s3::bucket::AbortIncompleteMultipartUpload! {
                        days_after_initiation: 1,
                    },
                    id: "AbortIncompleteUploads",
                    status: "Enabled",
                }],
            },
            ownership_controls: owner_enforced(),
            public_access_block_configuration: private(),
        },
        Attributes::default()
            .when(enabled)
            .skip(&SITE_BUCKET_SKIPS)
            .suppress(&SITE_BUCKET_SUPPRESSIONS),
    )
}

/// The user pool's managed login domain.
fn add_auth_domain(
    template: &mut Template,
    auth: &Auth,
    switches: &Switches,
    bucket: &Handle<s3::Bucket_>,
) -> Result<Handle<cognito::UserPoolDomain_>, TemplateError> {
    template.add_with(
        "AuthDomain",
        cognito::UserPoolDomain! {
            domain: ExpString::If {
                condition_name: switches.has_prefix.name(),
                true_branch: Box::new(switches.prefix.reference()),
                // The site bucket's name, which CloudFormation makes from the stack's
                // name in lower case, the logical id and a random suffix: lower-case
                // letters, digits and hyphens, at most 63, unique worldwide, for any
                // stack name (`Dragons-Prod` too). A stack whose name holds `aws`,
                // `amazon` or `cognito`, which Cognito refuses in a prefix, must give
                // `AuthDomainPrefix`.
                else_branch: Box::new(bucket.reference()),
            },
            managed_login_version: 2,
            user_pool_id: auth.user_pool.reference(),
        },
        Attributes::default().when(&switches.enabled),
    )
}

/// The distribution: the site's files from the bucket (cached) and the API's stage
/// (`/<stage>/*`, uncached), with the site's security headers on both.
fn add_distribution(
    template: &mut Template,
    api: &Api,
    enabled: &Condition,
    bucket: &Handle<s3::Bucket_>,
    domain: &Handle<cognito::UserPoolDomain_>,
) -> Result<Handle<cloudfront::Distribution_>, TemplateError> {
    let when = || Attributes::default().when(enabled);
    let access_control = add_origin_access_control(template, enabled)?;
    let headers = add_headers_policy(template, enabled, domain)?;
    let api_requests = add_api_request_policy(template, enabled)?;
    let api_domain = Sub::new()
        .reference(&api.rest_api)
        .text(".execute-api.")
        .pseudo(Pseudo::Region)
        .text(".")
        .pseudo(Pseudo::UrlSuffix)
        .build();
    template.add_with(
        "SiteDistribution",
        cloudfront::Distribution! {
            distribution_config: cloudfront::distribution::DistributionConfig! {
                cache_behaviors: vec![cloudfront::distribution::CacheBehavior! {
                    allowed_methods: API_METHODS.map(ExpString::from).to_vec(),
                    cache_policy_id: CACHING_DISABLED,
                    cached_methods: vec!["GET".into(), "HEAD".into()],
                    compress: true,
                    origin_request_policy_id: api_requests.reference(),
                    path_pattern: Sub::new().text("/").reference(&api.stage).text("/*").build(),
                    response_headers_policy_id: headers.reference(),
                    target_origin_id: API_ORIGIN,
                    viewer_protocol_policy: "https-only",
                }],
                comment: "The dragons web app, and its API on the same origin",
                default_cache_behavior: cloudfront::distribution::DefaultCacheBehavior! {
                    allowed_methods: vec!["GET".into(), "HEAD".into()],
                    cache_policy_id: CACHING_OPTIMIZED,
                    compress: true,
                    response_headers_policy_id: headers.reference(),
                    target_origin_id: SITE_ORIGIN,
                    viewer_protocol_policy: "redirect-to-https",
                },
                default_root_object: INDEX,
                enabled: true,
                http_version: "http2and3",
                ipv6_enabled: true,
                origins: vec![
                    cloudfront::distribution::Origin! {
                        domain_name: bucket.regional_domain_name(),
                        id: SITE_ORIGIN,
                        origin_access_control_id: access_control.reference(),
                        // With Origin Access Control, the legacy identity stays empty.
                        s3_origin_config: cloudfront::distribution::S3OriginConfig! { origin_access_identity: "" },
                    },
                    cloudfront::distribution::Origin! {
                        custom_origin_config: cloudfront::distribution::CustomOriginConfig! {
                            origin_protocol_policy: "https-only",
                            origin_ssl_protocols: vec!["TLSv1.2".into()],
                        },
                        domain_name: api_domain,
                        id: API_ORIGIN,
                    },
                ],
                viewer_certificate: cloudfront::distribution::ViewerCertificate! {
                    cloud_front_default_certificate: true,
                },
            },
        },
        when()
            .skip(&DISTRIBUTION_SKIPS)
            .suppress(&DISTRIBUTION_SUPPRESSIONS),
    )
}

/// CloudFront signs its requests to the site bucket (Origin Access Control).
fn add_origin_access_control(
    template: &mut Template,
    enabled: &Condition,
) -> Result<Handle<cloudfront::OriginAccessControl_>, TemplateError> {
    template.add_with(
        "SiteOriginAccessControl",
        cloudfront::OriginAccessControl! {
            origin_access_control_config: cloudfront::originaccesscontrol::OriginAccessControlConfig! {
                description: "CloudFront signs its requests to the site bucket (SigV4)",
                name: stack_region().text("-site").build(),
                origin_access_control_origin_type: "s3",
                signing_behavior: "always",
                signing_protocol: "sigv4",
            },
        },
        Attributes::default().when(enabled),
    )
}

/// The site's security headers (CSP, HSTS, frame and content-type options, referrer
/// policy), on the site's files and the API's answers alike.
fn add_headers_policy(
    template: &mut Template,
    enabled: &Condition,
    domain: &Handle<cognito::UserPoolDomain_>,
) -> Result<Handle<cloudfront::ResponseHeadersPolicy_>, TemplateError> {
    template.add_with(
        "SiteResponseHeadersPolicy",
        cloudfront::ResponseHeadersPolicy! {
            response_headers_policy_config: cloudfront::responseheaderspolicy::ResponseHeadersPolicyConfig! {
                comment: "The web app's security headers",
                name: stack_region().text("-site-headers").build(),
                security_headers_config: cloudfront::responseheaderspolicy::SecurityHeadersConfig! {
                    content_security_policy: cloudfront::responseheaderspolicy::ContentSecurityPolicy! {
                        content_security_policy: csp(domain),
                        r#override: true,
                    },
                    content_type_options: cloudfront::responseheaderspolicy::ContentTypeOptions! { r#override: true },
                    frame_options: cloudfront::responseheaderspolicy::FrameOptions! {
                        frame_option: "DENY",
                        r#override: true,
                    },
                    referrer_policy: cloudfront::responseheaderspolicy::ReferrerPolicy! {
                        r#override: true,
                        referrer_policy: REFERRER_POLICY,
                    },
                    strict_transport_security: cloudfront::responseheaderspolicy::StrictTransportSecurity! {
                        access_control_max_age_sec: HSTS_MAX_AGE_SECONDS,
                        include_subdomains: true,
                        r#override: true,
                    },
                },
            },
        },
        Attributes::default().when(enabled),
    )
}

/// What CloudFront passes to the API: the caller's `Authorization` and query string;
/// `Host` must be the API's own (API Gateway refuses others), so it is the one header
/// not passed.
fn add_api_request_policy(
    template: &mut Template,
    enabled: &Condition,
) -> Result<Handle<cloudfront::OriginRequestPolicy_>, TemplateError> {
    template.add_with(
        "ApiOriginRequestPolicy",
        cloudfront::OriginRequestPolicy! {
            origin_request_policy_config: cloudfront::originrequestpolicy::OriginRequestPolicyConfig! {
                comment: "The API gets every viewer header but Host, and the query string",
                cookies_config: cloudfront::originrequestpolicy::CookiesConfig! { cookie_behavior: "none" },
                headers_config: cloudfront::originrequestpolicy::HeadersConfig! {
                    header_behavior: "allExcept",
                    headers: vec!["Host".into()],
                },
                name: stack_region().text("-api-requests").build(),
                query_strings_config: cloudfront::originrequestpolicy::QueryStringsConfig! {
                    query_string_behavior: "all",
                },
            },
        },
        Attributes::default().when(enabled),
    )
}

/// The bucket's policy: CloudFront (this distribution only) may read the site's
/// files; nobody may use plain HTTP.
fn add_site_bucket_policy(
    template: &mut Template,
    enabled: &Condition,
    site: &Site,
) -> Result<(), TemplateError> {
    let Site {
        bucket,
        distribution,
        ..
    } = site;
    let objects = Sub::new().arn(bucket).text("/*").build();
    let distribution_arn = Sub::new()
        .text("arn:")
        .pseudo(Pseudo::Partition)
        .text(":cloudfront::")
        .pseudo(Pseudo::AccountId)
        .text(":distribution/")
        .reference(distribution)
        .build();
    template.add_with(
        "SiteBucketPolicy",
        s3::BucketPolicy! {
            bucket: bucket.reference(),
            policy_document: PolicyDocument::new(vec![
                Statement::deny_insecure_transport(vec![bucket.arn(), objects.clone()]),
                Statement::allow("CloudFrontReadsTheSite", &[actions::S3_GET_OBJECT], vec![objects])
                    .for_service(Service::CloudFront)
                    .when(serde_json::json!({
                        "StringEquals": { "AWS:SourceArn": distribution_arn }
                    })),
            ])
            .to_value(),
        },
        Attributes::default()
            .when(enabled)
            .suppress(&[TLS_CONTROL_READS_ONLY_JOIN]),
    )?;
    Ok(())
}

/// The app client's OAuth settings (code grant, the site as callback and sign-out
/// URL) and the managed login's branding.
fn add_sign_in(
    template: &mut Template,
    auth: &Auth,
    enabled: &Condition,
    site: &Site,
) -> Result<(), TemplateError> {
    let site_url = on_site(&site.distribution, "/").build();
    template.extend_when(
        &auth.client,
        cognito::UserPoolClient! {
            allowed_o_auth_flows: vec!["code".into()],
            allowed_o_auth_flows_user_pool_client: true,
            allowed_o_auth_scopes: vec!["openid".into(), "email".into()],
            callback_ur_ls: vec![site_url.clone()],
            logout_ur_ls: vec![site_url],
            supported_identity_providers: vec!["COGNITO".into()],
            user_pool_id: auth.user_pool.reference(),
        },
        enabled,
    )?;
    // Managed login shows its pages for a client once the client has a style.
    template.add_with(
        "AuthBranding",
        cognito::ManagedLoginBranding! {
            client_id: auth.client.reference(),
            use_cognito_provided_values: true,
            user_pool_id: auth.user_pool.reference(),
        },
        Attributes::default().when(enabled).after(&site.domain),
    )?;
    Ok(())
}

/// The site's outputs, which `dragons publish-web` and the web app's `config.json`
/// are made from.
fn add_outputs(
    template: &mut Template,
    api: &Api,
    enabled: &Condition,
    site: &Site,
) -> Result<(), TemplateError> {
    let Site {
        bucket,
        domain,
        distribution,
    } = site;
    let outputs: [(&str, &str, ExpString); 5] = [
        (
            web_site::OUTPUT_SITE_URL,
            "The web app (WebApp=true)",
            on_site(distribution, "/").build(),
        ),
        (
            web_site::OUTPUT_SITE_API_URL,
            "The API on the web app's origin (WebApp=true)",
            on_site(distribution, "/").reference(&api.stage).build(),
        ),
        (
            web_site::OUTPUT_DISTRIBUTION_ID,
            "CloudFront distribution of the web app (WebApp=true)",
            distribution.reference(),
        ),
        (
            web_site::OUTPUT_SITE_BUCKET,
            "Bucket the web app is published to (WebApp=true)",
            bucket.reference(),
        ),
        (
            web_site::OUTPUT_AUTH_URL,
            "Cognito managed login of the web app (WebApp=true)",
            auth_url(domain).build(),
        ),
    ];
    for (id, description, value) in outputs {
        template.output(id, Output::new(description, value).when(enabled))?;
    }
    Ok(())
}
