"""API limits: credits per call, the daily (rolling 24 h) quota, the per-minute burst limit
and the concurrency limit, on one of three backends (in-process, SQL, Redis)."""
