"""Joining a studio: the studio's choice of who may join, sign-up with email verification and the studio's
terms (versioned), the staff's approval, and the first-visit form."""

from nexphys.domains import Domain, NavLink, Pages

domain = Domain(
    name="joining",
    pages=(Pages("nexphys.joining.views:bp"), Pages("nexphys.joining.settings_views:bp"),
           Pages("nexphys.joining.api:bp")),
    models=("nexphys.joining.models",),
    # Invite only until the owner opens sign-up: existing studios do not change.
    settings={"joining_policy": "invite"},
    nav=(NavLink("joining_settings.edit", "Joining and terms", 61, group="Settings"),
         NavLink("joining.first_visit", "About you", 91)),
    sign_up="nexphys.joining.services:join_url",
    audit_actions={
        "joining.signed_up": "Asked to join",
        "joining.verified": "Confirmed their email",
        "joining.joined": "Joined",
        "joining.approved": "Sign-up approved",
        "joining.declined": "Sign-up declined",
        "joining.terms_published": "Terms published",
        "joining.terms_accepted": "Terms accepted",
        "joining.policy_changed": "Who can join changed",
    },
)
