#!/bin/sh
# A credential_process that never answers in time.
sleep 30
