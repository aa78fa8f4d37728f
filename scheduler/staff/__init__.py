"""What the Thotis team reads and does: moderation, reports, statistics, frequent questions."""
