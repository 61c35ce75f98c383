"""The studio's public face: its home page, the timetable by week or day, the sites that may embed it, its
logo and details, the studio page and instructors' profiles."""

from nexphys.domains import Domain, NavLink, Pages

domain = Domain(
    name="studio",
    pages=(Pages("nexphys.studio.embedding_views:bp"), Pages("nexphys.studio.views:bp"),
           Pages("nexphys.studio.branding_views:bp"), Pages("nexphys.studio.public_views:bp")),
    settings={"timetable_embed_origins": [],  # embedding.EMBED_SETTING: https origins that may frame the timetable
              "studio_details": {}, "studio_logo": None},  # branding.DETAILS_SETTING, LOGO_SETTING
    template_context=("nexphys.studio.branding:template_values",),
    home={"tenant": "nexphys.studio.views:studio_home"},
    nav=(NavLink("timetable.page", "Timetable", 10, group="Schedule"),
         NavLink("branding.page", "Logo and details", 61, group="Settings"),
         NavLink("studio.embedding_page", "Timetable on your site", 67, group="Settings")),
    audit_actions={
        "studio.details_updated": "Studio details changed", "studio.colour_changed": "Studio colour changed",
        "studio.logo_changed": "Logo changed", "studio.logo_removed": "Logo removed",
        "profile.updated": "Instructor profile changed",
    },
)
