"""What `make run` prints before starting: where to go and who to sign in as."""

import os

from nexphys.demo.data import DEMO_STUDIOS, MEMBER_COUNT


def main() -> None:
    port = os.environ.get("PORT", "5000")
    base = os.environ.get("NEXPHYS_BASE_DOMAIN", "localhost")
    lines = ["", "nexphys is starting. Open:",
             f"  platform   http://{base}:{port}/   (console: http://{base}:{port}/platform/)"]
    for studio in DEMO_STUDIOS:
        lines.append(f"  {studio.slug:<10} http://{studio.slug}.{base}:{port}/   ({studio.name})")
    lines += ["", "Demo people (password: nexphys-demo):"]
    for studio in DEMO_STUDIOS:
        lines.append(f"  owner@{studio.slug}.example, manager@…, coach@…, coach2@…, coach3@…, "
                     f"member1@ … member{MEMBER_COUNT}@…")
    lines.append("  platform administrator: admin@nexphys.example  (sign in at /platform/login on the apex host)")
    lines += [f"  health     http://{base}:{port}/health", "", "Ctrl-C stops everything.", ""]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
