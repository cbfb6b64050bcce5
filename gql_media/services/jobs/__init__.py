"""The jobs domain: the durable record of background work; it knows no other domain."""
