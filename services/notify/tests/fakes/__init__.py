"""Local stand-ins for the providers' HTTP APIs. Each checks what the real provider checks
(signatures, tokens, encryption), records what it received, and can be told to answer
with the provider's errors. They run on 127.0.0.1 (see `server.serving`)."""
