"""Prepares a moto server for the integration tests.

moto checks signatures only for keys it issued, so the first three requests (made before moto starts
authenticating; the test starts it with INITIAL_NO_AUTH_ACTION_COUNT=3, or with authentication off and
switches it on later) create an IAM user with an allow-all policy and an access key. Prints the key as
shell assignments.
"""
import json
import sys

import boto3

url = sys.argv[1]
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="auditor")
iam.put_user_policy(UserName="auditor", PolicyName="all", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}))
key = iam.create_access_key(UserName="auditor")["AccessKey"]
print(f"MOTO_KEY_ID={key['AccessKeyId']}")
print(f"MOTO_SECRET={key['SecretAccessKey']}")
