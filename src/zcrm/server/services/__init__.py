"""Domain services: pure logic over storage, no HTTP types."""
