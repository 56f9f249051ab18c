#!/bin/sh
# A credential_process that prints temporary credentials, as the AWS CLI's protocol asks.
cat <<JSON
{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "process-secret",
 "SessionToken": "process-token", "Expiration": "2099-01-01T00:00:00Z"}
JSON
