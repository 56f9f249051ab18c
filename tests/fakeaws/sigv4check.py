"""Server-side SigV4 checking for the fake AWS endpoint.

The signature is recomputed with botocore's own SigV4Auth (the reference signer every
AWS SDK is compared with), over exactly the headers the client says it signed, so a
client that signs one header too many or too few, canonicalizes the query or the path
differently, or hashes a different body is caught.
"""

import hashlib
import hmac
import re
from urllib.parse import quote, unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+"
    r"Credential=(?P<cred>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*"
    r"Signature=(?P<sig>[0-9a-f]{64})\s*$"
)


class AuthError(Exception):
    """A request failed authentication. kind is one of: missing, incomplete,
    unknown_key, bad_token, expired, bad_signature; message is what AWS would say."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def parse_authorization(value):
    """Split an Authorization header into its parts, or raise AuthError(incomplete)."""
    if not value:
        raise AuthError("missing", "Missing Authentication Token")
    m = _AUTH_RE.match(value.strip())
    if not m:
        if not value.startswith(ALGORITHM + " "):
            raise AuthError("incomplete", f"Authorization header requires the {ALGORITHM} algorithm.")
        raise AuthError(
            "incomplete",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            "parameters, each once and separated by ', ', and a 64-hex-digit signature.",
        )
    parts = m.group("cred").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not re.fullmatch(r"\d{8}", parts[1]):
        raise AuthError(
            "incomplete",
            "Credential must have the form <access key>/<YYYYMMDD>/<region>/<service>/aws4_request; "
            f"got '{m.group('cred')}'.",
        )
    signed = m.group("signed").split(";")
    if signed != sorted(signed) or any(s != s.lower() or not s for s in signed):
        raise AuthError("incomplete", "SignedHeaders must be lower-case header names, sorted, separated by ';'.")
    return {
        "access_key": parts[0],
        "date": parts[1],
        "region": parts[2],
        "service": parts[3],
        "signed_headers": signed,
        "signature": m.group("sig"),
    }


class _ExactSigner(SigV4Auth):
    """SigV4Auth that signs exactly the headers the client listed (botocore would
    otherwise pick its own set) and canonicalizes the query from the raw wire text."""

    def __init__(self, secret, service, region, signed_headers):
        super().__init__(Credentials("unused", secret), service, region)
        self._signed = signed_headers

    def headers_to_sign(self, request):
        out = HTTPHeaders()
        for name in self._signed:
            values = request.headers.get_all(name)
            if not values:
                raise AuthError("incomplete", f"Header '{name}' is listed in SignedHeaders but absent from the request.")
            for v in values:
                out[name] = v
        return out

    def canonical_query_string(self, request):
        query = request.url.split("?", 1)[1] if "?" in request.url else ""
        pairs = []
        for item in query.split("&"):
            if not item:
                continue
            k, _, v = item.partition("=")
            pairs.append((quote(unquote(k), safe="-_.~"), quote(unquote(v), safe="-_.~")))
        return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def compute(method, target, headers, body, secret, region, service, amz_date, signed_headers):
    """Recompute a signature. target is the raw request target (path[?query]); headers
    is a list of (name, value) as received. Returns (signature, canonical request,
    string to sign)."""
    hdrs = HTTPHeaders()
    for name, value in headers:
        hdrs[name.lower()] = value
    request = AWSRequest(method=method, url="http://fakeaws" + target, data=body)
    request.headers = hdrs
    request.context["timestamp"] = amz_date
    signer = _ExactSigner(secret, service, region, signed_headers)
    creq = signer.canonical_request(request)
    sts = signer.string_to_sign(request, creq)
    return signer.signature(sts, request), creq, sts


def body_sha256(body):
    return hashlib.sha256(body or b"").hexdigest()


def signatures_equal(a, b):
    return hmac.compare_digest(a.encode(), b.encode())
