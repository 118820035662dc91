"""Events: the outbox turned into deliveries (dispatcher), and deliveries POSTed with
retries (worker). At-least-once, in order per target, nothing lost across crashes."""
