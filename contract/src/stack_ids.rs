//! The template's logical ids and outputs that code outside `stack-gen` reads from a
//! deployed stack (the `dragons` CLI): `stack-gen` names the resources with these, so
//! a renamed resource cannot leave the CLI looking for the old name.

/// Logical ids of the template's resources.
pub mod ids {
    /// The SSM parameter holding the data bucket's name.
    pub const BUCKET_PARAMETER: &str = "BucketNameParameter";
    /// The SSM parameter holding the data object's key.
    pub const FILE_PARAMETER: &str = "FileNameParameter";
    /// The SSM parameter holding the DynamoDB table's name.
    pub const TABLE_PARAMETER: &str = "TableNameParameter";
    /// The data bucket (retained when the stack is deleted).
    pub const DATA_BUCKET: &str = "DataBucket";
    /// The bucket of the data bucket's access logs (retained).
    pub const ACCESS_LOG_BUCKET: &str = "AccessLogBucket";
    /// The DynamoDB table (retained).
    pub const TABLE: &str = "DragonsTable";
    /// The web app's bucket (`WebApp=true`).
    pub const SITE_BUCKET: &str = "SiteBucket";
    /// The Cognito user pool.
    pub const USER_POOL: &str = "UserPool";
    /// The API stage's access log group.
    pub const API_ACCESS_LOG_GROUP: &str = "ApiAccessLogGroup";
    /// The state machine's log group.
    pub const STATE_MACHINE_LOG_GROUP: &str = "StateMachineLogGroup";
}

/// Names of the template's outputs (the web site's are in [`crate::web_site`]).
pub mod outputs {
    /// The URL of the `dragons` resource.
    pub const API_URL: &str = "ApiUrl";
    /// The Cognito user pool's id.
    pub const USER_POOL_ID: &str = "UserPoolId";
    /// The app client's id (no secret).
    pub const USER_POOL_CLIENT_ID: &str = crate::web_site::OUTPUT_CLIENT_ID;
}
