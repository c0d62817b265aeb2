"""Member promotions: segments and scores, next-best products, offers, coupons, campaigns and uplift.

Pure analytics over the frames described in `domain.members.frames`; the
database, the outbox and the chat flows live elsewhere and call these.
"""
