//! The DynamoDB table (under `UseDynamoDb`): dragons keyed by their name key, a global
//! secondary index on the family sorted by the name key, on demand, encrypted,
//! point-in-time recovery, deletion protection, retained; and the SSM parameter that
//! tells the Lambdas its name, as the bucket's does for the S3 store.

use dragons_contract::data_store::table;
use dragons_contract::stack_ids::ids;
use stratosphere::services::aws::{dynamodb, ssm};

use super::Parameters;
use crate::template::{Attributes, CheckovSkip, GuardSuppression, Handle, Template, TemplateError};

/// The table and its parameter (both exist only with `DataStore=dynamodb`).
pub struct Table {
    /// The table.
    pub table: Handle<dynamodb::Table_>,
    /// SSM parameter: the table's name.
    pub table_parameter: Handle<ssm::Parameter_>,
}

const DEFAULT_KEY: CheckovSkip = CheckovSkip {
    id: "CKV_AWS_119",
    reason: "Encrypted at rest with the AWS managed key (SSEType KMS); a customer-managed key adds a key policy and cost for names and descriptions of dragons, which hold no secrets.",
};

fn string_attribute(name: &str) -> dynamodb::table::AttributeDefinition_ {
    dynamodb::table::AttributeDefinition! {
        attribute_name: name,
        attribute_type: "S",
    }
}

fn key(name: &str, kind: &str) -> dynamodb::table::KeySchema_ {
    dynamodb::table::KeySchema! {
        attribute_name: name,
        key_type: kind,
    }
}

/// Adds the table and its parameter under `UseDynamoDb`.
pub fn add(template: &mut Template, parameters: &Parameters) -> Result<Table, TemplateError> {
    let when = || Attributes::default().when(&parameters.data.use_dynamodb);
    let table = template.add_with(
        ids::TABLE,
        dynamodb::Table! {
            attribute_definitions: vec![string_attribute(table::NAME_KEY), string_attribute(table::FAMILY)],
            billing_mode: "PAY_PER_REQUEST",
            deletion_protection_enabled: true,
            global_secondary_indexes: vec![dynamodb::table::GlobalSecondaryIndex! {
                index_name: table::FAMILY_INDEX,
                key_schema: vec![key(table::FAMILY, "HASH"), key(table::NAME_KEY, "RANGE")],
                projection: dynamodb::table::Projection! { projection_type: "ALL" },
            }],
            key_schema: vec![key(table::NAME_KEY, "HASH")],
            point_in_time_recovery_specification: dynamodb::table::PointInTimeRecoverySpecification! {
                point_in_time_recovery_enabled: true,
            },
            sse_specification: dynamodb::table::SSESpecification! {
                sse_enabled: true,
                sse_type: "KMS",
            },
        },
        when()
            .retained()
            .skip(&[DEFAULT_KEY])
            .suppress(&[GuardSuppression {
                rule: "DYNAMODB_TABLE_ENCRYPTED_KMS",
                reason: DEFAULT_KEY.reason,
            }]),
    )?;
    let table_parameter = template.add_with(
        ids::TABLE_PARAMETER,
        ssm::Parameter! {
            description: "Name of the DynamoDB table holding the dragons",
            name: parameters.data.table_parameter.name(),
            r#type: "String",
            value: table.reference(),
        },
        when(),
    )?;
    Ok(Table {
        table,
        table_parameter,
    })
}
