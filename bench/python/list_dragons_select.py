"""list-dragons as the course's seed writes it, for comparison: a boto3 Lambda
handler with its clients created at module level, two GetParameter calls for the
data location, and S3 Select doing the filtering.

Differences from the seed, none of which changes the work done: the parameter
names come from the environment (with the seed's names as defaults) so runs can
share one moto; the data is JSON Lines (`s3object s`), the form moto's S3 Select
handles; and a `'` in a value is doubled rather than pasted raw into the SQL.
"""

import json
import os

import boto3

s3 = boto3.client("s3")
ssm = boto3.client("ssm")

BUCKET_PARAMETER = os.environ.get("DRAGON_DATA_BUCKET_PARAMETER", "dragon_data_bucket_name")
FILE_PARAMETER = os.environ.get("DRAGON_DATA_FILE_PARAMETER", "dragon_data_file_name")


def literal(value):
    return "'" + value.replace("'", "''") + "'"


def lambda_handler(event, context):
    bucket_name = ssm.get_parameter(Name=BUCKET_PARAMETER, WithDecryption=False)["Parameter"]["Value"]
    file_name = ssm.get_parameter(Name=FILE_PARAMETER, WithDecryption=False)["Parameter"]["Value"]

    expression = "select * from s3object s"
    parameters = event.get("queryStringParameters") or {}
    if "dragonName" in parameters:
        expression = "select * from s3object s where s.dragon_name_str = " + literal(parameters["dragonName"])
    if "family" in parameters:
        expression = "select * from s3object s where s.family_str = " + literal(parameters["family"])

    result = s3.select_object_content(
        Bucket=bucket_name,
        Key=file_name,
        ExpressionType="SQL",
        Expression=expression,
        InputSerialization={"JSON": {"Type": "LINES"}},
        OutputSerialization={"JSON": {}},
    )
    records = ""
    for stream_event in result["Payload"]:
        if "Records" in stream_event:
            records += stream_event["Records"]["Payload"].decode("utf-8")
    dragons = [json.loads(line) for line in records.splitlines() if line.strip()]
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": json.dumps(dragons),
    }
