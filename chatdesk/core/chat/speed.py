"""Generation speed: the one definition of tokens/s, for live, saved and shown figures.

tokens/s = (completion tokens - 1) / (time of the last token - time of the first token).
The first token's arrival starts the clock, so it is not counted as generated in that
time, and the wait before it (the time to first token) is left out. Pure arithmetic:
the message footer, the compare columns and the exchange's live figures all use it.
"""

from __future__ import annotations


def generation_speed(
    tokens: float | None, ttft_ms: float | None, total_ms: float | None
) -> float | None:
    """Tokens per second after the first one; None when the figures cannot tell.

    Shared by live exchanges and saved answers, so a reopened comparison shows the
    same speed it showed while streaming.
    """
    if not tokens or tokens <= 1 or ttft_ms is None or total_ms is None:
        return None
    gen_s = (total_ms - ttft_ms) / 1000
    if gen_s <= 0.001:
        return None
    return round((tokens - 1) / gen_s, 1)
