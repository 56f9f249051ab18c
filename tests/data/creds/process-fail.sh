#!/bin/sh
echo "no credentials for you" >&2
exit 3
