"""list-dragons with a client-side filter, for comparison: the seed's handler
shape (module-level boto3 clients, two GetParameter calls) with S3 Select replaced
by GetObject, streamed line by line, json.loads on each line and a comparison.
"""

import json
import os

import boto3

s3 = boto3.client("s3")
ssm = boto3.client("ssm")

BUCKET_PARAMETER = os.environ.get("DRAGON_DATA_BUCKET_PARAMETER", "dragon_data_bucket_name")
FILE_PARAMETER = os.environ.get("DRAGON_DATA_FILE_PARAMETER", "dragon_data_file_name")


def lambda_handler(event, context):
    bucket_name = ssm.get_parameter(Name=BUCKET_PARAMETER, WithDecryption=False)["Parameter"]["Value"]
    file_name = ssm.get_parameter(Name=FILE_PARAMETER, WithDecryption=False)["Parameter"]["Value"]

    parameters = event.get("queryStringParameters") or {}
    name = parameters.get("dragonName")
    family = parameters.get("family")

    body = s3.get_object(Bucket=bucket_name, Key=file_name)["Body"]
    dragons = []
    for line in body.iter_lines(chunk_size=64 * 1024):
        if not line.strip():
            continue
        record = json.loads(line)
        if name is not None and record["dragon_name_str"] != name:
            continue
        if family is not None and record["family_str"] != family:
            continue
        dragons.append(record)
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": json.dumps(dragons),
    }
