"""What a request takes from its partner's budget (tokens), beyond 1 for a read."""

WEBHOOK_TEST_COST = 5
