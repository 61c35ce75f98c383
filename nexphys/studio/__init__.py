"""The studio's public face: its home page, the timetable by week or day, and the sites that may embed it."""

from nexphys.domains import Domain, Pages

domain = Domain(
    name="studio",
    pages=(Pages("nexphys.studio.embedding_views:bp"),),
    settings={"timetable_embed_origins": []},  # embedding.EMBED_SETTING: https origins that may frame the timetable
    home={"tenant": "nexphys.studio.views:studio_home"},
)
