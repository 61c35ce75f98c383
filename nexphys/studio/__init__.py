"""The studio's public face: its home page, the timetable by week or day, and the sites that may embed it."""

from nexphys.domains import Domain, NavLink, Pages

domain = Domain(
    name="studio",
    pages=(Pages("nexphys.studio.embedding_views:bp"), Pages("nexphys.studio.views:bp")),
    settings={"timetable_embed_origins": []},  # embedding.EMBED_SETTING: https origins that may frame the timetable
    home={"tenant": "nexphys.studio.views:studio_home"},
    nav=(NavLink("timetable.page", "Timetable", 10, group="Schedule"),
         NavLink("studio.embedding_page", "Timetable on your site", 67, group="Settings")),
)
