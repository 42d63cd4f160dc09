"""Images, voice, video and files in conversations: upload, checks, storage, fetch.

The bytes live in object storage (a local directory or an S3-compatible bucket); the
gateway's database keeps what it learnt from the content. What a client says about a
file (its name, its content type) is never what decides its kind or size limit.
"""
