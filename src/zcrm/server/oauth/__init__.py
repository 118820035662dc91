"""The accounts server over HTTP: /oauth/v2/token, /oauth/v2/auth, /oauth/v2/token/revoke."""
